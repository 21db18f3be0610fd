"""Find the articles under content/: single files, bundle folders, and the threads beside them."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from sitegen.diagnostics import Diagnostic, error, warning
from sitegen.load.files import Boundary, kind_refusal, stat_refusal

CONTENT_DIR = "content"
THREAD_SUFFIX = ".comments.yaml"
BUNDLE_INDEX = "index.md"
BUNDLE_THREAD = "comments.yaml"


@dataclass(frozen=True)
class ArticleSource:
    key: str
    """Path relative to content/ of the Markdown file: "2019/macron.md", "2019/macron/index.md"."""
    thread_key: str | None
    """Path relative to content/ of its comment thread, when there is one."""
    assets: tuple[str, ...] = ()
    """For a bundle: its other files, relative to the bundle folder."""

    @property
    def is_bundle(self) -> bool:
        return self.key == BUNDLE_INDEX or self.key.endswith("/" + BUNDLE_INDEX)

    @property
    def bundle_key(self) -> str | None:
        """The bundle folder relative to content/, for a bundle."""
        return self.key.rpartition("/")[0] if self.is_bundle else None

    @property
    def name(self) -> str:
        """The file or folder name the default slug comes from."""
        if self.is_bundle:
            return self.bundle_key.rpartition("/")[2]
        return self.key.rpartition("/")[2].removesuffix(".md")


def is_ignored_name(name: str) -> bool:
    """Hidden files and the temporary and backup files editors leave beside what they save."""
    return (
        name.startswith((".", "#", "~$"))
        or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".bak", ".orig", ".crdownload", "___jb_tmp___", "___jb_old___"))
        or name == "4913"  # vim's probe that the folder is writable
    )


@dataclass(frozen=True)
class Refused:
    """A file of a walked folder that is not read, and why."""

    name: str
    why: str
    special: bool
    """Not a regular file (a FIFO, a socket, a device, a loop of links): an error for an article's
    own files. Else a symbolic link that may not be followed: a warning wherever it is."""

    def problem(self, path: str, required: bool) -> Diagnostic:
        """The message for it at PATH; REQUIRED: an article's Markdown or thread file."""
        if not self.special:
            return warning(path, None, self.why)
        return error(path, None, self.why) if required else warning(path, None, f"{self.why}: not published")


def walk_inside(top: Path, boundary: Boundary | None):
    """os.walk, sorted, without ignored names, yielding (folder, dirnames, filenames, refused).

    `filenames` are regular files, and symbolic links to regular files where BOUNDARY lets links
    lead (None: the built-in theme's own files); `refused`, the folder's other files, each with
    why. Folders behind links are not walked at all. Nothing is opened, so nothing waits: walked
    with os.scandir, whose entries know links, folders and regular files without a stat each.
    """
    def visit(folder: str):
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return  # as os.walk does: a folder that vanished or cannot be read has nothing in it
        dirnames, filenames, refused = [], [], []
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                dirnames.append(entry.name)
                continue
            if entry.is_file(follow_symlinks=False):
                filenames.append(entry.name)
                continue
            is_link = entry.is_symlink()
            try:
                mode = entry.stat().st_mode  # through a link, to what it leads to
            except OSError as exc:
                if is_link or exc.errno != errno.ENOENT:  # else it is gone since the listing
                    refused.append(Refused(entry.name, stat_refusal(exc, is_link), special=True))
                continue
            if is_link and stat.S_ISDIR(mode):
                continue
            why = boundary.refusal(entry.path) if is_link and boundary is not None else None
            if why is not None:
                refused.append(Refused(entry.name, why, special=False))
            elif (why := kind_refusal(mode)) is not None:
                refused.append(Refused(entry.name, why, special=True))
            else:
                filenames.append(entry.name)
        yield folder, dirnames, filenames, refused
        for name in dirnames:  # as the caller left them: it may prune
            yield from visit(os.path.join(folder, name))

    yield from visit(str(top))


def scan_sources(root: Path) -> tuple[list[ArticleSource], list[Diagnostic]]:
    """Walk ROOT/content in sorted order; a folder holding index.md is a bundle."""
    content = root / CONTENT_DIR
    if not content.is_dir():
        return [], [error(CONTENT_DIR, None, "folder not found (articles go in content/)")]
    boundary = Boundary(root, CONTENT_DIR)
    why = boundary.folder_refusal()
    if why is not None:
        return [], [error(CONTENT_DIR, None, why)]
    sources: list[ArticleSource] = []
    problems: list[Diagnostic] = []
    top = str(content)
    for folder, dirnames, files, refused in walk_inside(content, boundary):
        prefix = folder[len(top) + 1:].replace(os.sep, "/") + "/" if folder != top else ""
        refused_names = {odd.name for odd in refused}
        if BUNDLE_INDEX in files or BUNDLE_INDEX in refused_names:
            if not prefix:
                problems.append(error(f"{CONTENT_DIR}/{BUNDLE_INDEX}", None,
                                      "an article bundle needs a folder of its own (content/SLUG/index.md)"))
                files = [name for name in files if name != BUNDLE_INDEX]
                refused = [odd for odd in refused if odd.name != BUNDLE_INDEX]
            else:
                source = _bundle(folder, prefix, files, refused, dirnames, boundary, problems)
                if source is not None:
                    sources.append(source)
                dirnames[:] = []  # everything inside a bundle belongs to it
                continue
        for odd in refused:
            is_article_file = odd.name.endswith((".md", THREAD_SUFFIX))
            problems.append(odd.problem(f"{CONTENT_DIR}/{prefix}{odd.name}", is_article_file))
        readable = set(files)
        names = readable | refused_names
        for name in files:
            if name.endswith(".md"):
                thread = name.removesuffix(".md") + THREAD_SUFFIX
                sources.append(ArticleSource(prefix + name, prefix + thread if thread in readable else None))
            elif name.endswith(THREAD_SUFFIX):
                if name.removesuffix(THREAD_SUFFIX) + ".md" not in names:
                    article = name.removesuffix(THREAD_SUFFIX) + ".md"
                    problems.append(error(f"{CONTENT_DIR}/{prefix}{name}", None,
                                          f"comment thread without its article (expected {article} beside it)"))
            else:
                problems.append(warning(f"{CONTENT_DIR}/{prefix}{name}", None,
                                        "not part of any article, so not published (files to publish with "
                                        "an article go in its bundle folder, beside its index.md)"))
    return sources, problems


def _bundle(folder: str, prefix: str, files: list[str], refused: list[Refused], dirnames: list[str],
            boundary: Boundary, problems: list[Diagnostic]) -> ArticleSource | None:
    """The bundle in FOLDER; None when its index.md is not read."""
    for odd in refused:
        problems.append(odd.problem(f"{CONTENT_DIR}/{prefix}{odd.name}", odd.name in (BUNDLE_INDEX, BUNDLE_THREAD)))
    assets = [f for f in files if f not in (BUNDLE_INDEX, BUNDLE_THREAD)]
    for sub in dirnames:
        for inner, _, inner_files, inner_refused in walk_inside(Path(folder, sub), boundary):
            rel = Path(inner).relative_to(folder).as_posix()
            assets.extend(f"{rel}/{f}" for f in inner_files)
            problems.extend(odd.problem(f"{CONTENT_DIR}/{prefix}{rel}/{odd.name}", False) for odd in inner_refused)
    if BUNDLE_INDEX not in files:
        return None
    thread = prefix + BUNDLE_THREAD if BUNDLE_THREAD in files else None
    return ArticleSource(prefix + BUNDLE_INDEX, thread, tuple(sorted(assets)))
