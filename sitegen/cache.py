"""Work kept between builds, keyed by digests of what it was made from.

Three tables: each article's source files (their stat and digest, so an unchanged file is not
even read again), each article's load and render (by the digest of its sources, the config and
sitegen's own code), and each output file's fingerprint (the digest of its page's declared
inputs). Beside them, the last build's plans, by the shape of the site they were made for.
`sitegen serve` keeps them in memory; `sitegen build` also keeps them on disk in
`.sitegen-cache/`, which is safe to delete: without it a build only takes longer.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import sitegen
from sitegen.diagnostics import Diagnostic
from sitegen.planning import Planned
from sitegen.render.articles import ArticleRecord
from sitegen.render.pages import ArticleFeedEntry, ArticleWork
from sitegen.render.templates import TemplateSet
from sitegen.write.output import OutputEntry

CACHE_DIR = ".sitegen-cache"
_FORMAT = 1


# The modules whose code decides what a build makes; the front ends (cli, serve, check, ...) do not.
_BUILD_CODE = ("__init__.py", "diagnostics.py", "build.py", "cache.py", "planning.py", "load", "model", "render",
               "write")


def code_digest() -> str:
    """A digest of the code that makes the site: a new version, or a local edit, invalidates the cache."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        import babel
        import jinja2
        import markdown_it
        import mdit_py_plugins
        import yaml
        # The libraries that shape the output count too: an upgrade may change a page.
        libraries = [babel.__version__, jinja2.__version__, markdown_it.__version__, mdit_py_plugins.__version__,
                     yaml.__version__]
        hasher = hashlib.sha256(f"{_FORMAT}:{sitegen.__version__}:{libraries}".encode())
        package = Path(sitegen.__file__).parent
        for part in _BUILD_CODE:
            for path in sorted((package / part).rglob("*.py")) if (package / part).is_dir() else [package / part]:
                hasher.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        _CODE_DIGEST = hasher.hexdigest()
    return _CODE_DIGEST


_CODE_DIGEST: str | None = None


class ArticleEntry:
    """An article's record and diagnostics.

    Read from the disk cache, the record stays pickled until a build asks for it: a build whose
    plans are memoized needs only each article's shape, and unpickling 10,000 records takes a
    third of a second.
    """

    def __init__(self, record: ArticleRecord | None, diagnostics: list[Diagnostic],
                 shape: str = "", packed: bytes | None = None):
        self._record = record
        self._packed = packed
        self.diagnostics = diagnostics
        self.shape = record.shape if record is not None else shape

    @property
    def loaded(self) -> bool:
        """False when the article could not be loaded; its diagnostics say why."""
        return self._record is not None or self._packed is not None

    @property
    def record(self) -> ArticleRecord | None:
        if self._record is None and self._packed is not None:
            self._record = pickle.loads(self._packed)
        return self._record

    def packed(self) -> bytes:
        if self._packed is None:
            self._packed = pickle.dumps(self._record, protocol=pickle.HIGHEST_PROTOCOL)
        return self._packed


@dataclass
class _Tables:
    code: str = ""
    sources: dict[str, tuple[tuple, str]] = field(default_factory=dict)
    """Article key -> (stat stamp of its files, digest of their bytes)."""
    articles: dict[str, ArticleEntry] = field(default_factory=dict)
    """Article digest -> its record and diagnostics (articles that loaded; the rest are read again)."""
    outputs: dict[str, dict[str, OutputEntry]] = field(default_factory=dict)
    """Output folder (or "" for memory) -> output path -> what was made there."""


class BuildCache:
    """Pass one to successive builds of a site to reuse their work.

    `directory` None keeps everything in memory; with a directory, articles' load and render
    are stored there, one file per digest, and the tables are saved by `save()`.
    """

    def __init__(self, directory: Path | None = None, memory_works: int | None = None, load: bool = True):
        self.directory = directory
        self.tables = _Tables(code=code_digest())
        # In memory, every work (serve); with a directory, only the recently used (bounded memory).
        self._works: OrderedDict[str, ArticleWork] = OrderedDict()
        self._memory_works = memory_works if memory_works is not None else (None if directory is None else 256)
        self._templates: tuple[tuple, TemplateSet] | None = None
        self._stored: set[str] | None = None
        self._plans: Planned | None = None
        self._plans_state = "unread" if directory is not None else "read"  # or "changed"
        if directory is not None and load:
            self._load()

    def template_set(self, root: Path, digest: str | None = None) -> TemplateSet:
        """The same Jinja environment, with its compiled templates, while no template changed.

        `digest` is TemplateSet.digest_of(root), when the caller has it already."""
        key = (root, digest or TemplateSet.digest_of(root))
        if self._templates is None or self._templates[0] != key:
            self._templates = (key, TemplateSet(root, digest=key[1], bytecode_dir=self.bytecode_dir()))
        return self._templates[1]

    # -- articles --

    def work(self, digest: str) -> ArticleWork:
        work = self._works.get(digest)
        if work is not None:
            self._works.move_to_end(digest)
            return work
        work = read_work(self.directory, digest)
        self.keep_work(digest, work)
        return work

    def feed_entry(self, digest: str) -> ArticleFeedEntry:
        work = self._works.get(digest)
        return work.feed_entry if work is not None else read_work(self.directory, digest, feed_entry_only=True)

    def keep_work(self, digest: str, work: ArticleWork) -> None:
        self._works[digest] = work
        if self._memory_works is not None:
            while len(self._works) > self._memory_works:
                self._works.popitem(last=False)

    def bytecode_dir(self) -> Path | None:
        if self.directory is None:
            return None
        folder = self.directory / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def article_digest(self, files_digest: str, config) -> str:
        """Names an article's load and render: its files, the config, and sitegen's code."""
        return hashlib.sha256(f"{files_digest}:{config!r}:{self.tables.code}".encode()).hexdigest()

    def has_work(self, digest: str) -> bool:
        if digest in self._works:
            return True
        if self.directory is None:
            return False
        if self._stored is None:  # one listing of the folder, not a stat for each article
            folder = self.directory / "articles"
            self._stored = {name[:-7] for name in os.listdir(folder) if name.endswith(".pickle")} if folder.is_dir() else set()
        return digest in self._stored

    # -- plans, memoized by the shape of the site --

    def plans(self, key: str) -> Planned | None:
        """The plans last made for a site whose shape has this digest, or None."""
        if self._plans_state == "unread":
            self._plans_state = "read"
            try:
                self._plans = Planned.load(self.directory / "plans.pickle", (self.tables.code, key))
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
                pass
        return self._plans if self._plans is not None and self._plans.key == key else None

    def keep_plans(self, plans: Planned) -> None:
        self._plans = plans
        self._plans_state = "changed"

    @property
    def plans_changed(self) -> bool:
        return self._plans_state == "changed"

    # -- the last build, for a build that finds nothing changed --

    def last_build(self, output_key: str) -> tuple | None:
        """(inputs stamp, output stamp, stats, diagnostics) of the last build into that folder."""
        if self.directory is None:
            return None
        try:
            with open(self.directory / "last-build.pickle", "rb") as handle:
                code, builds = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return None
        return builds.get(output_key) if code == self.tables.code else None

    def remember_build(self, output_key: str, record: tuple) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".last-")
        with os.fdopen(handle, "wb") as stream:
            pickle.dump((self.tables.code, {output_key: record}), stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.directory / "last-build.pickle")

    # -- persistence --

    def _load(self) -> None:
        try:
            with open(self.directory / "index.pickle", "rb") as handle:
                stored = pickle.load(handle)
            if stored["code"] != code_digest():
                return  # another sitegen's cache: start afresh
            articles = {digest: ArticleEntry(None, diagnostics, shape, packed)
                        for digest, (shape, diagnostics, packed) in stored["articles"].items()}
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, KeyError,
                ValueError):
            return  # no cache, or an unreadable one: start afresh
        self.tables = _Tables(stored["code"], stored["sources"], articles, {
            folder: {path: OutputEntry(*entry) for path, entry in entries.items()}
            for folder, entries in stored["outputs"].items()})

    def save(self) -> None:
        if self.directory is None:
            for digest in [d for d in self._works if d not in self.tables.articles]:
                del self._works[digest]  # an edited or deleted article's old render
            self._plans_state = "read"
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "CACHEDIR.TAG").write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n# sitegen's build cache: safe to delete.\n")
        # Each article's record is stored pickled on its own, so an unchanged one is not pickled again.
        stored = {
            "code": self.tables.code,
            "sources": self.tables.sources,
            "articles": {digest: (entry.shape, entry.diagnostics, entry.packed())
                         for digest, entry in self.tables.articles.items()},
            "outputs": {folder: {path: (e.fingerprint, e.size, e.mtime_ns) for path, e in entries.items()}
                        for folder, entries in self.tables.outputs.items() if folder},
        }
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".index-")
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(stored, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.directory / "index.pickle")
        if self._plans_state == "changed":
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".plans-")
            with os.fdopen(handle, "wb") as stream:
                self._plans.dump(stream, (self.tables.code, self._plans.key))
            os.replace(temporary, self.directory / "plans.pickle")
            self._plans_state = "read"
        self._prune()

    def _prune(self) -> None:
        """Remove stored works no article refers to any more."""
        live = set(self.tables.articles)
        folder = self.directory / "articles"
        if folder.is_dir():
            for path in folder.iterdir():
                if path.stem not in live:
                    path.unlink(missing_ok=True)


def work_path(directory: Path, digest: str) -> Path:
    return directory / "articles" / f"{digest}.pickle"


def write_work(directory: Path, digest: str, work: ArticleWork) -> None:
    """Stored as two pickles, the feed entry first: a feed reads it without the rest."""
    path = work_path(directory, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".work-")
    with os.fdopen(handle, "wb") as stream:
        pickle.dump(work.feed_entry, stream, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump((work.article, work.rendered), stream, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def read_work(directory: Path | None, digest: str, feed_entry_only: bool = False):
    """The ArticleWork stored under `digest`, or just its ArticleFeedEntry."""
    if directory is None:
        raise KeyError(digest)
    with open(work_path(directory, digest), "rb") as handle:
        feed_entry = pickle.load(handle)
        return feed_entry if feed_entry_only else ArticleWork(*pickle.load(handle), feed_entry)
