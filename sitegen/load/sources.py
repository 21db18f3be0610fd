"""Find the articles under content/: single files, bundle folders, and the threads beside them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sitegen.diagnostics import Diagnostic, error, warning

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


def walk_inside(top: Path, root: Path, problems: list[Diagnostic]):
    """os.walk, sorted, without ignored names, and without symbolic links that lead out of the site.

    A link to a file elsewhere in the site is read like the file; one that leads out of it is not
    (a pull request could otherwise publish the machine's files), and folders behind links are not
    walked at all. Walked with os.scandir, whose entries know links and folders without a stat each.
    """
    site = os.path.realpath(root)

    def visit(folder: str):
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return  # as os.walk does: a folder that vanished or cannot be read has nothing in it
        dirnames, filenames = [], []
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            if entry.is_symlink():
                if entry.is_dir():
                    continue
                if os.path.commonpath([site, os.path.realpath(entry.path)]) != site:
                    problems.append(warning(Path(entry.path).relative_to(root).as_posix(), None,
                                            "a symbolic link that leads out of the site's folder: not read"))
                    continue
                filenames.append(entry.name)
            else:
                (dirnames if entry.is_dir(follow_symlinks=False) else filenames).append(entry.name)
        yield folder, dirnames, filenames
        for name in dirnames:  # as the caller left them: it may prune
            yield from visit(os.path.join(folder, name))

    yield from visit(str(top))


def scan_sources(root: Path) -> tuple[list[ArticleSource], list[Diagnostic]]:
    """Walk ROOT/content in sorted order; a folder holding index.md is a bundle."""
    content = root / CONTENT_DIR
    if not content.is_dir():
        return [], [error(CONTENT_DIR, None, "folder not found (articles go in content/)")]
    sources: list[ArticleSource] = []
    problems: list[Diagnostic] = []
    top = str(content)
    for folder, dirnames, filenames in walk_inside(content, root, problems):
        files = filenames
        prefix = folder[len(top) + 1:].replace(os.sep, "/") + "/" if folder != top else ""
        if BUNDLE_INDEX in files:
            if not prefix:
                problems.append(error(f"{CONTENT_DIR}/{BUNDLE_INDEX}", None,
                                      "an article bundle needs a folder of its own (content/SLUG/index.md)"))
                files.remove(BUNDLE_INDEX)
            else:
                sources.append(_bundle(root, folder, prefix, files, dirnames, problems))
                dirnames[:] = []  # everything inside a bundle belongs to it
                continue
        names = set(files)
        for name in files:
            if name.endswith(".md"):
                thread = name.removesuffix(".md") + THREAD_SUFFIX
                sources.append(ArticleSource(prefix + name, prefix + thread if thread in names else None))
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


def _bundle(root: Path, folder: str, prefix: str, files: list[str], dirnames: list[str],
            problems: list[Diagnostic]) -> ArticleSource:
    assets = [f for f in files if f not in (BUNDLE_INDEX, BUNDLE_THREAD)]
    for sub in dirnames:
        for inner, _, inner_files in walk_inside(Path(folder, sub), root, problems):
            rel = Path(inner).relative_to(folder).as_posix()
            assets.extend(f"{rel}/{f}" for f in inner_files)
    thread = prefix + BUNDLE_THREAD if BUNDLE_THREAD in files else None
    return ArticleSource(prefix + BUNDLE_INDEX, thread, tuple(sorted(assets)))
