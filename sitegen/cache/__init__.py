"""Work kept between builds, keyed by digests of what it was made from.

What is kept, under which key, and why (docs/architecture.md draws it):

- each article's source files: their stat stamp -> the digest of their bytes, so an unchanged
  file is not even read again;
- each article's load and render (`ArticleWork`, one file per digest, and its `ArticleEntry`:
  record, packed, and diagnostics), under the digest of its files, the config and sitegen's code;
- each article's comment texts, under the same digest, packed (cache/packs.py);
- the plans of every page, under the digest of the site's shape, and each part's under the
  digest of its inputs (cache/plans.py), packed with the records and the texts (cache/packs.py);
- each output folder's files: path -> the fingerprint of the page's inputs, size and time;
- the last build into each folder: the stamp of everything it read, for a build that finds
  nothing changed.

`sitegen build`, `check` and `serve` keep them in `.sitegen-cache/` (with `--no-cache`, in memory). That
folder is safe to delete, and is never trusted: it is read only as sitegen's own data
(cache/store.py), and a file that cannot be read so, or was written by other code, is dropped with
one notice and the build goes on from the sources.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, NamedTuple

from sitegen.cache import store
from sitegen.cache.code import code_digest
from sitegen.cache.lock import LOCK_FILE
from sitegen.cache.store import CacheDamaged
from sitegen.cache.packs import Pack
from sitegen.diagnostics import Diagnostic
from sitegen.model.records import ArticleRecord
from sitegen.cache.plans import Planned
from sitegen.render.pages import ArticleFeedEntry, ArticleWork, CommentTexts
from sitegen.render.templates import TemplateSet
from sitegen.write.files import remove_leftovers, write_atomically
from sitegen.write.output import OutputEntry

CACHE_DIR = ".sitegen-cache"
_INDEX, _PLANS, _LAST_BUILD, _WORKS = "index.pickle", "plans.pickle", "last-build.pickle", "articles"
PREVIEW_DIR = "preview"
"""Where `sitegen serve --drafts` (or with another base_url) writes the site: output, not cache, so
never cleared with it (the next build into it replaces it whole)."""


class SourceStamp(NamedTuple):
    stat: tuple
    """What changes when the article's files change, read without opening them."""
    digest: str
    """The digest of their bytes."""


class ArticleEntry:
    """An article's record and diagnostics.

    Read from the disk cache, the record stays pickled in the cache's pack of records until a
    build asks for it: a build whose plans are kept needs only each article's shape, and
    unpickling 10,000 records takes a third of a second.
    """

    def __init__(self, record: ArticleRecord | None, diagnostics: list[Diagnostic],
                 shape: str = "", packed: Callable[[], bytes] | None = None, comment_digests: bytes = b""):
        """`packed`: where the pickled record is read from, when `record` is None."""
        self._record = record
        self._packed = packed
        self.diagnostics = diagnostics
        self.shape = record.shape if record is not None else shape
        self.comment_digests = record.comment_digests if record is not None else comment_digests
        """The record's, kept beside it: pages' fingerprints need them when the record is not read."""

    @property
    def loaded(self) -> bool:
        """False when the article could not be loaded; its diagnostics say why."""
        return self._record is not None or self._packed is not None

    @property
    def record(self) -> ArticleRecord | None:
        if self._record is None and self._packed is not None:
            with store.long_lived():  # read to be planned: 10,000 of them live as long as the build
                self._record = store.loads(self._packed())
            if not isinstance(self._record, ArticleRecord):
                raise CacheDamaged(f"{CACHE_DIR}/{_INDEX} could not be read (not an article's record): "
                                   "the cache is ignored, and made again")
        return self._record

    def packed(self) -> bytes:
        return self._packed() if self._packed is not None else store.dumps(self._record)


@dataclass
class LastBuild:
    """What the last build into an output folder read and left, and what it reported."""

    inputs: str
    """The stamp of everything it read (build.py's inputs_stamp)."""
    output: str
    """The stamp of the files it left in the folder."""
    files: list[str]
    """Their paths: a build that finds nothing changed offers them without reading the index."""
    stats: object
    diagnostics: list[Diagnostic]
    article_pages: dict[str, str] = field(default_factory=dict)
    sources: dict[str, SourceStamp] = field(default_factory=dict)
    """BuildResult.article_pages and .sources: the preview writes notes through them, also after a
    build that found nothing changed."""


@dataclass
class _Tables:
    sources: dict[str, SourceStamp] = field(default_factory=dict)
    """Article key -> its files' stamp and digest."""
    articles: dict[str, ArticleEntry] = field(default_factory=dict)
    """Article digest -> its entry (articles that loaded; the rest are read again)."""
    outputs: dict[str, dict[str, OutputEntry]] = field(default_factory=dict)
    """Output folder (or "" for memory) -> output path -> what was made there."""


class BuildCache:
    """Pass one to successive builds of a site to reuse their work.

    `directory` None keeps everything in memory (`--no-cache`); with a directory, articles' works
    are stored there, one file per digest, and the tables are saved by `save()`.
    """

    def __init__(self, directory: Path | None = None):
        self.directory = directory
        self.code = code_digest()
        self._tables: _Tables | None = _Tables() if directory is None else None
        self._pack = Pack(directory, "comments") if directory is not None else None
        self._records = Pack(directory, "records") if directory is not None else None
        """The articles' pickled records, by the article's digest: an edit writes its own, not 10,000."""
        self.notices: list[str] = []
        """One line for each cache file that could not be used (shown by the command line)."""
        # In memory, every work (--no-cache); with a directory, only the recently used (bounded memory).
        self._works: OrderedDict[str, ArticleWork] = OrderedDict()
        self._works_at_most: int | None = None if directory is None else 256
        self._texts: dict[str, CommentTexts] = {}
        """Without a directory: the comment texts, made once from the works held in memory."""
        self._stored: set[str] = set()
        """The works on disk: listed when the tables are read, then kept up to date by this process
        (the preview builds many times with one cache)."""
        self._templates: tuple[tuple, TemplateSet] | None = None
        self._plans: Planned | None = None
        self._plans_state = "unread" if directory is not None else "read"  # or "changed"
        self._opened = directory is None
        self.read_from_disk = False
        """True once anything was read from the cache's folder (it could be what fails a build)."""
        self._index_seen: tuple | None = None
        """The index file as this process last read or wrote it (inode, size, time)."""

    def open(self) -> None:
        """Called by every build, with the site's build lock held: check the folder and clear what a
        killed build left (once), and forget what this process holds of a cache that another
        process has written since (the preview lives on while `sitegen build`s come and go)."""
        if not self._opened:
            self._opened = True
            self._open()
        elif self.directory is not None and self._tables is not None and self._index_seen != _identity(
                self.directory / _INDEX):
            self._tables = None  # read again when needed, with the works and texts now on disk
            self._pack = Pack(self.directory, "comments")
            self._records = Pack(self.directory, "records")
            self._stored = set()
            self._plans, self._plans_state = None, "unread"

    @property
    def tables(self) -> _Tables:
        """Read from the disk when first needed: a build that finds nothing changed never needs them."""
        if self._tables is None:
            self._tables = _Tables()
            self._read_tables()
        return self._tables

    def take_notices(self) -> list[str]:
        notices, self.notices = self.notices, []
        return notices

    # -- articles --

    def work(self, digest: str) -> ArticleWork:
        work = self._works.get(digest)
        if work is not None:
            self._works.move_to_end(digest)
            return work
        work = ArticleWork(*self._read_work(digest, whole=True))
        self._remember(digest, work)
        return work

    def feed_entry(self, digest: str) -> ArticleFeedEntry:
        work = self._works.get(digest)
        return work.feed_entry if work is not None else self._read_work(digest, whole=False)[0]

    def comments(self, digest: str) -> CommentTexts:
        texts = self._texts.get(digest)
        if texts is not None:
            return texts
        work = self._works.get(digest)
        if work is not None and self.directory is None:  # every work is in memory
            texts = self._texts[digest] = CommentTexts.of(work)
            return texts
        if work is not None:
            return CommentTexts.of(work)
        self.read_from_disk = True
        try:
            texts = store.loads(self.pack.read(digest))
        except (KeyError, store.Unreadable) as exc:
            raise CacheDamaged(f"{CACHE_DIR}/ comment texts could not be read ({exc}): "
                               "the cache is ignored, and made again") from None
        if not isinstance(texts, CommentTexts):
            raise CacheDamaged(f"{CACHE_DIR}/ comment texts could not be read (not an article's): "
                               "the cache is ignored, and made again")
        return texts

    def keep_texts(self, digest: str, texts: bytes) -> None:
        """Keep an article's pickled CommentTexts, made by a worker that stored its work itself."""
        self.pack.add(digest, texts)
        self._stored.add(digest)

    def store_texts(self) -> None:
        """Write the texts kept in this build, for the workers that make pages to read: called once
        the articles are loaded."""
        if self.directory is not None:
            try:
                self.pack.write(live=set(self.tables.articles))
            except OSError as exc:  # kept in memory instead
                self._unwritable(exc)

    @property
    def pack(self) -> Pack:
        self.tables  # read with them
        return self._pack

    def keep_work(self, digest: str, work: ArticleWork) -> None:
        """Keep a new work in memory, and on disk for the builds after this one."""
        if self.directory is not None and self._works_at_most is not None:
            try:
                write_work(self.directory, digest, work)
                self._stored.add(digest)
            except OSError as exc:  # kept in memory instead: the cache costs only time
                self._unwritable(exc)
                self._works_at_most = None
        if self.directory is not None:
            self.pack.add(digest, store.dumps(CommentTexts.of(work)))
        self._remember(digest, work)

    def _remember(self, digest: str, work: ArticleWork) -> None:
        self._works[digest] = work
        if self._works_at_most is not None:
            while len(self._works) > self._works_at_most:
                self._works.popitem(last=False)

    def template_set(self, root: Path, digest: str) -> TemplateSet:
        """The same Jinja environment, with its compiled templates, while no template changed
        (`digest` is TemplateSet.digest_of(root))."""
        if self._templates is None or self._templates[0] != (root, digest):
            self._templates = ((root, digest), TemplateSet(root, digest=digest))
        return self._templates[1]

    def has_work(self, digest: str) -> bool:
        return digest in self._works or (digest in self._stored and digest in self.pack)

    def _read_work(self, digest: str, whole: bool) -> tuple:
        """(feed entry,) or (article, rendered, feed entry): the feed entry is stored first, so a
        feed reads it without the rest."""
        self.read_from_disk = True
        try:
            with store.open_regular(work_path(self.directory, digest)) as stream:
                feed_entry, = store.read_frame(stream)
                if not whole:
                    return (feed_entry,)
                article, rendered = store.read_frame(stream)
        except (OSError, ValueError, store.Unreadable) as exc:
            # Listed by has_work, so it was there: damaged since. The build cannot make its pages.
            raise CacheDamaged(f"{CACHE_DIR}/{_WORKS}/{digest}.pickle could not be read ({exc}): "
                               "the cache is ignored, and made again") from None
        return article, rendered, feed_entry

    # -- plans, by the shape of the site --

    def plans(self) -> Planned | None:
        """The plans last made, for a site of any shape (a build plans again the parts that changed), or None."""
        if self._plans_state == "unread":
            self._plans_state = "read"
            path = self.directory / _PLANS
            if os.path.lexists(path):
                try:
                    self.read_from_disk = True
                    self._plans = Planned.load(path, self.code)
                except (OSError, ValueError, store.Unreadable) as exc:
                    self._notice(_PLANS, exc)
        return self._plans

    def keep_plans(self, plans: Planned) -> None:
        self._plans = plans
        self._plans_state = "changed"

    # -- outputs and the last build --

    def outputs(self, output_key: str) -> dict[str, OutputEntry]:
        return self.tables.outputs.get(output_key, {})

    def keep_outputs(self, output_key: str, made: dict[str, OutputEntry]) -> None:
        self.tables.outputs[output_key] = made

    def last_build(self, output_key: str, inputs: str) -> LastBuild | None:
        """The last build into `output_key`'s folder, when it read what this one reads (`inputs`:
        build.py's inputs_stamp). Its record (every output file, every article's stamp) is read only then."""
        if self.directory is None or not os.path.lexists(self.directory / _LAST_BUILD):
            return None
        try:
            self.read_from_disk = True
            with store.open_regular(self.directory / _LAST_BUILD) as stream:
                if store.read_frame(stream) != [self.code, output_key, inputs]:
                    return None
                last, = store.read_frame(stream)
        except (OSError, ValueError, store.Unreadable) as exc:
            self._notice(_LAST_BUILD, exc)
            self._clear()  # read before anything else: the rest of such a cache is not trusted either
            return None
        return last if isinstance(last, LastBuild) else None

    def remember_build(self, output_key: str, last: LastBuild) -> None:
        if self.directory is None:
            return
        try:
            self._write(_LAST_BUILD, lambda stream: (store.write_frame(stream, self.code, output_key, last.inputs),
                                                     store.write_frame(stream, last)))
        except OSError as exc:
            self._unwritable(exc)

    # -- on disk --

    def _open(self) -> None:
        """Clear away what a killed build left; a folder that cannot be used is started afresh,
        with one notice."""
        folder = self.directory
        for name, path in ((CACHE_DIR, folder), (_WORKS, folder / _WORKS)):
            if path.is_symlink() or os.path.lexists(path) and not path.is_dir():
                # Never followed: a link here could lead the cache to read, or prune, another folder.
                self._notice(name, "a symbolic link" if path.is_symlink() else "not a folder")
                self._clear()
                return
        remove_leftovers(folder)
        remove_leftovers(folder / _WORKS)

    def _read_tables(self) -> None:
        """Read the index; an index that cannot be used is started afresh, with one notice."""
        folder = self.directory
        try:  # one listing of the works, not a stat for each article
            with os.scandir(folder / _WORKS) as listing:
                works = [(entry.name, entry.is_file(follow_symlinks=False)) for entry in listing]
        except OSError:
            works = []
        if not all(is_file for _, is_file in works):
            self._notice(_WORKS, "something else than files in it")
            self._clear()
            return
        self._stored = {name[:-7] for name, _ in works if name.endswith(".pickle")}
        path = folder / _INDEX
        if not os.path.lexists(path):
            return
        try:
            with store.open_regular(path) as stream:
                code, = store.read_frame(stream)
                if code != self.code:
                    self.notices.append(f"{CACHE_DIR}/ was made by another version of sitegen: building afresh")
                    self._clear()
                    return
                stored, = store.read_frame(stream)
            self.read_from_disk = True
            self._index_seen = _identity(path)
            with store.long_lived():
                # Each article's record stays pickled on its own, so an unchanged one is not pickled again.
                self._pack = Pack(folder, "comments", stored["texts"])
                self._records = records = Pack(folder, "records", stored["records"])
                self._tables = _Tables({key: SourceStamp(*stamp) for key, stamp in stored["sources"].items()}, {
                    digest: ArticleEntry(None, diagnostics, shape, partial(records.read, digest), comment_digests)
                    for digest, (shape, diagnostics, comment_digests) in stored["articles"].items()}, {
                    folder: {path: OutputEntry(*entry[:3], parts=entry[3] if len(entry) > 3 else ())
                             for path, entry in entries.items()}
                    for folder, entries in stored["outputs"].items()})
        except (OSError, store.Unreadable, KeyError, TypeError, ValueError, AttributeError) as exc:
            self._notice(_INDEX, exc)
            self._clear()

    def save(self) -> None:
        """Write the tables (and plans made anew); forget works no article refers to any more.

        A cache that cannot be written (a full disk) costs only time: one notice, no error."""
        if self.directory is None:
            for digest in [d for d in self._works if d not in self.tables.articles]:
                del self._works[digest]  # an edited or deleted article's old render
                self._texts.pop(digest, None)
            if self._plans_state == "changed":
                self._plans.packed.write(self._plans.live())  # forgets the plans no page has any more
            self._plans_state = "read"
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tag = self.directory / "CACHEDIR.TAG"
            if not tag.exists():
                write_atomically(tag, b"Signature: 8a477f597d28d172789f06886806bc55\n"
                                      b"# sitegen's build cache: safe to delete.\n")
            self.pack.write(live=set(self.tables.articles))  # texts a failed build added, left in a spool
            stored = {  # plain values: 30,000 output entries read several times faster as tuples
                "sources": {key: tuple(stamp) for key, stamp in self.tables.sources.items()},
                "articles": {digest: (entry.shape, entry.diagnostics, entry.comment_digests)
                             for digest, entry in self.tables.articles.items()},
                "records": self._store_records(),
                "outputs": {folder: {path: (e.fingerprint, e.size, e.mtime_ns, *([e.parts] if e.parts else []))
                                     for path, e in entries.items()}
                            for folder, entries in self.tables.outputs.items() if folder},
                "texts": dict(self.pack.table),
            }
            self._write(_INDEX, lambda stream: (store.write_frame(stream, self.code),
                                                store.write_frame(stream, stored)))
            self._index_seen = _identity(self.directory / _INDEX)
            if self._plans_state == "changed":
                self._plans.packed.write(self._plans.live())  # first: the table names the segments
                self._write(_PLANS, lambda stream: self._plans.dump(stream, self.code))
                self._plans_state = "read"
            self._prune()
        except OSError as exc:
            self._unwritable(exc)

    def _store_records(self) -> dict:
        """Write the records not in the pack yet; the pack's table, for the index."""
        for digest, entry in self.tables.articles.items():
            if digest not in self._records:
                self._records.add(digest, entry.packed())
        self._records.write(live=set(self.tables.articles))
        return dict(self._records.table)

    def _unwritable(self, exc: OSError) -> None:
        message = (f"{CACHE_DIR}/ could not be written ({exc.strerror or exc}): this build goes on without it, "
                   "and the next one will take longer")
        if message not in self.notices:
            self.notices.append(message)

    def _write(self, name: str, write) -> None:
        write_atomically(self.directory / name, write)

    def _prune(self) -> None:
        """Remove stored works, and segments of texts, no article refers to any more, and segments
        of plans the plans do not name."""
        live = set(self.tables.articles)
        names = os.listdir(self.directory)
        unused = self.pack.unused(names) + self._records.unused(names)
        if self._plans is not None:
            unused += self._plans.packed.unused(names)
        for name in unused:
            (self.directory / name).unlink(missing_ok=True)
        folder = self.directory / _WORKS
        if folder.is_dir() and not folder.is_symlink():
            for path in folder.iterdir():
                if path.stem not in live:
                    path.unlink(missing_ok=True)
        self._stored &= live

    def start_afresh(self, why: str) -> None:
        """Forget everything, in memory and on disk, saying `why` once."""
        self.notices.append(why if why.startswith(CACHE_DIR) else
                            f"{CACHE_DIR}/ could not be read ({why}): ignored, and made again")
        self._works.clear()
        self._texts.clear()
        self._plans = None
        self.read_from_disk = False
        self._clear()

    def _notice(self, name: str, why) -> None:
        self.notices.append(f"{CACHE_DIR}/{name} could not be read ({why}): ignored, and made again")

    def _clear(self) -> None:
        """Start the cache afresh on disk too: nothing in it is used again."""
        self._tables = _Tables()
        self._pack = Pack(self.directory, "comments")
        self._records = Pack(self.directory, "records")
        self._plans_state = "read"
        self._stored = set()
        try:
            if not self.directory.is_dir() or self.directory.is_symlink():
                self.directory.unlink(missing_ok=True)
                self.directory.mkdir()
            for path in self.directory.iterdir() if self.directory.is_dir() else ():
                if path.name in (LOCK_FILE, PREVIEW_DIR):  # held by this build; not cache
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        except OSError as exc:
            self.notices.append(f"{CACHE_DIR}/ could not be cleared ({exc.strerror}): the build goes on without it")
            self.directory = None
            self._works_at_most = None


def article_digest(files_digest: str, settings: str) -> str:
    """Names an article's load and render: its files, and the build's settings (config and code)."""
    return hashlib.sha256(f"{files_digest}:{settings}".encode()).hexdigest()


def work_path(directory: Path, digest: str) -> Path:
    return directory / _WORKS / f"{digest}.pickle"


def write_work(directory: Path, digest: str, work: ArticleWork) -> None:
    """Stored as two pickles, the feed entry first: a feed reads it without the rest. (The comments'
    texts are packed apart: cache/packs.py.)"""
    def write(stream):
        store.write_frame(stream, work.feed_entry)
        store.write_frame(stream, work.article, work.rendered)
    write_atomically(work_path(directory, digest), write)


def _identity(path: Path) -> tuple | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns
