"""Many small values packed into a few files, each read as a slice of a memory-mapped file.

Three kinds are kept so:

- `comments`: every article's comment texts, by the article's digest, for the pages that list
  comments from across the digest (a commenter's pages and feed, /comments/). Such a page shows
  twenty comments from twenty articles. Read from each article's work file, the 150,000 comments
  of a large digest cost as many file opens, and an open costs a tenth of a millisecond on a
  virtual machine's disk: the commenters' pages took longer than the articles.
- `records`: every article's pickled record, by the article's digest: an edit writes one record,
  not the index of 10,000.
- `plans`: every page's pickled plan, and the views plans share, by their digests
  (cache/plans.py). An edit that plans a few pages again adds those, not a rewrite of 36,000.

Each build that adds values writes them into one new segment file, never changed after
(`<kind>-<16 hex digits>.pack`, named by its content); the table says where each value is. When
there are more than MAX_SEGMENTS segments, the values still in use in all but the largest (and in
the largest too, once less than half of it is in use) are copied into one, so an edit costs a
small segment and not a rewrite of them all. Segments the table no longer names are deleted when
the cache is saved (`Pack.unused`).

The values are written as they are added, into a temporary file that becomes the segment when
the pack is written (`_Spool`; the comment texts' once the articles are loaded, the others when
the cache is saved): a cold build at 10,000 articles adds 170 MB of them, which it held in memory
until then.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import tempfile
import zlib
from collections import Counter
from pathlib import Path

from sitegen.cache import store
from sitegen.write.files import TEMPORARY_PREFIX

MAX_SEGMENTS = 8


def segment_pattern(kind: str) -> re.Pattern:
    return re.compile(rf"{kind}-[0-9a-f]{{16}}\.pack")


PackedAt = tuple[str, int, int, int]
"""Where one value is: (segment, offset, length, CRC-32). A plain tuple: a table holds one for each
of 47,000 plans at 10,000 articles, and a named tuple is built by a Python call when it is read."""


_PLACE_TYPES = (str, int, int, int)


def _is_place(at) -> bool:
    return type(at) is tuple and tuple(map(type, at)) == _PLACE_TYPES


class Pack:
    """The table of where each value of one kind is, by its digest, and the segments."""

    def __init__(self, folder: Path | None, kind: str, table: dict | None = None):
        """`folder` None: in memory, never written."""
        self.folder, self.kind = folder, kind
        self.pattern = segment_pattern(kind)
        self.table: dict[object, PackedAt] = table or {}
        if not all(map(_is_place, self.table.values())):  # read from a cache file: anything may be in it
            raise store.Unreadable(f"not a table of {kind}")
        for segment in {at[0] for at in self.table.values()}:  # never a path elsewhere
            if not self.pattern.fullmatch(segment):
                raise store.Unreadable(f"'{segment}' is not a segment's name")
        self.pending: dict = {}
        """Values added in this build and held in memory: without a folder, or once the spool
        could not be written (a full disk; the next save tries again)."""
        self._spool: _Spool | None = None
        """Values added in this build, written to the segment-to-be."""
        self._maps: dict[str, memoryview] = {}

    def __contains__(self, digest) -> bool:
        return digest in self.pending or digest in self.table or (self._spool is not None and digest in self._spool)

    def add(self, digest, value: bytes) -> None:
        if self.folder is not None and not self.pending:  # values in memory: the spool could not be written
            try:
                if self._spool is None:
                    self._spool = _Spool(self.folder)
                self._spool.add(digest, value)
                return
            except OSError:
                self._unspool()
        self.pending[digest] = value

    def read(self, digest) -> bytes:
        """A value the pack holds (`in`): store.Unreadable when it cannot be read."""
        if digest in self.pending:
            return self.pending[digest]
        if self._spool is not None and digest in self._spool:
            return self._spool.read(digest)
        segment, offset, length, checksum = self.table[digest]
        data = self._segment(segment)[offset:offset + length]
        if len(data) != length or zlib.crc32(data) != checksum:
            raise store.Unreadable(f"{segment} damaged: a checksum differs")
        return data

    def write(self, live: set) -> None:
        """Keep only the `live` values in the table, and make the added ones a new segment, merging
        small segments into it (see the module's notes). OSError when it cannot be written: the
        added values are then held in memory, for the next call to try again."""
        self.table = {digest: at for digest, at in self.table.items() if digest in live}
        self.pending = {digest: data for digest, data in self.pending.items() if digest in live}
        if self.folder is None:  # in memory (--no-cache): only kept
            return
        spool, self._spool = self._spool, None
        if not self.pending and not (spool is not None and any(digest in live for digest in spool.places)):
            if spool is not None:
                spool.discard()
            return
        try:
            spool = spool or _Spool(self.folder)
            for digest, data in self.pending.items():
                spool.add(digest, data)
            for digest in self._merged():
                spool.add(digest, self.read(digest))
            name = spool.keep_as(self.folder / f"{self.kind}-{spool.hasher.hexdigest()[:16]}.pack")
        except BaseException as exc:  # the added values stay readable, whatever stopped this
            self._spool = spool
            if isinstance(exc, OSError):
                self._unspool()
            raise
        self.table.update((digest, (name, *place)) for digest, place in spool.places.items() if digest in live)
        self.pending = {}
        self._maps.pop(name, None)
        # Unmap the segments merged away: a long preview would keep their disk space taken.
        named = {at[0] for at in self.table.values()}
        self._maps = {name: view for name, view in self._maps.items() if name in named}

    def _merged(self) -> list:
        """The values to copy into the new segment, from the segments merged into it."""
        in_use = Counter()
        for segment, _, length, _ in self.table.values():
            in_use[segment] += length
        if len(in_use) + 1 <= MAX_SEGMENTS:
            return []
        largest = max(in_use, key=lambda name: (in_use[name], name))
        merged = {name for name in in_use if name != largest or in_use[name] * 2 < self._size(name)}
        return [digest for digest, at in self.table.items() if at[0] in merged]

    def _unspool(self) -> None:
        """Hold the spool's values in memory instead, and delete it."""
        if self._spool is not None:
            self.pending = {**{digest: self._spool.read(digest) for digest in self._spool.places}, **self.pending}
            self._spool.discard()
            self._spool = None

    def map_all(self) -> None:
        """Map every segment now: what another build deletes later stays readable here."""
        for segment in {at[0] for at in self.table.values()}:
            self._segment(segment)

    def unused(self, names: list[str]) -> list[str]:
        """Those of `names` (a listing of the folder) that are segments of this kind the table does
        not name."""
        named = {at[0] for at in self.table.values()}
        return [name for name in names if self.pattern.fullmatch(name) and name not in named]

    def _size(self, name: str) -> int:
        try:
            return os.lstat(self.folder / name).st_size
        except OSError:
            return 0

    def _segment(self, name: str) -> memoryview:
        view = self._maps.get(name)
        if view is None:
            with store.open_regular(self.folder / name) as stream:
                size = os.fstat(stream.fileno()).st_size
                view = memoryview(mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)) if size else memoryview(b"")
            self._maps[name] = view
        return view


class _Spool:
    """A segment being written: the values a build adds, in a temporary file of the pack's folder
    (which a killed build leaves for the next to delete), until `keep_as` names it. Only the
    build's own process adds to it: a worker forked from it has its own copy of `places`, and
    would write over the build's values."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, self.path = tempfile.mkstemp(dir=folder, prefix=TEMPORARY_PREFIX)
        self.file = open(descriptor, "r+b", buffering=0)  # closed with it when a pack is dropped
        self.places: dict = {}
        """Digest -> (offset, length, CRC-32)."""
        self.size = 0
        self.hasher = hashlib.sha256()

    def __contains__(self, digest) -> bool:
        return digest in self.places

    def add(self, digest, value: bytes) -> None:
        view = memoryview(value)
        while view:  # at its place, whatever the descriptor's offset
            view = view[os.pwrite(self.file.fileno(), view, self.size + len(value) - len(view)):]
        self.places[digest] = (self.size, len(value), zlib.crc32(value))
        self.size += len(value)
        self.hasher.update(value)

    def read(self, digest) -> bytes:
        offset, length, _ = self.places[digest]
        return os.pread(self.file.fileno(), length, offset)

    def keep_as(self, target: Path) -> str:
        """Make the file `target` (in the same folder); its name."""
        self.file.close()  # first: Windows does not rename a file its own process holds open
        try:
            os.chmod(self.path, 0o644)  # mkstemp makes it private, like every file of the cache's
            os.replace(self.path, target)
        except OSError:
            self.file = open(self.path, "r+b", buffering=0)  # still the spool
            raise
        return target.name

    def discard(self) -> None:
        self.file.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
