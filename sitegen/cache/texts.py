"""Every article's comment texts, packed into a few files, for the pages that list comments from
across the digest (a commenter's pages and feed, /comments/).

Such a page shows twenty comments from twenty articles. Read from each article's work file, the
150,000 comments of a large digest cost as many file opens, and an open costs a tenth of a
millisecond on a virtual machine's disk: the commenters' pages took longer than the articles.
Packed, an article's texts are a slice of a memory-mapped file.

Each build that renders articles writes their texts into one new segment file, never changed
after (`comments-<16 hex digits>.pack`, named by its content); the table says where each
article's texts are. When there are more than MAX_SEGMENTS segments, the texts still in use in
all but the largest (and in the largest too, once less than half of it is in use) are copied into
one, so an edit costs a small segment and not a rewrite of them all. Segments the table no longer
names are deleted when the cache is saved.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import zlib
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from sitegen.cache import store
from sitegen.write.files import write_atomically

MAX_SEGMENTS = 8
SEGMENT_NAME = re.compile(r"comments-[0-9a-f]{16}\.pack")


class TextsAt(NamedTuple):
    """Where one article's texts are: a slice of a segment, and its CRC-32."""

    segment: str
    offset: int
    length: int
    checksum: int


class TextPack:
    """The table of where each article's texts are, by the digest of the article, and the segments."""

    def __init__(self, folder: Path, table: dict[str, TextsAt] | None = None):
        self.folder = folder
        self.table: dict[str, TextsAt] = {}
        for digest, at in (table or {}).items():
            at = TextsAt(*at)
            if not SEGMENT_NAME.fullmatch(at.segment):  # read from a cache file: never a path elsewhere
                raise store.Unreadable(f"'{at.segment}' is not a segment's name")
            self.table[digest] = at
        self.pending: dict[str, bytes] = {}
        """Texts added in this build, not yet in a segment."""
        self._maps: dict[str, memoryview] = {}

    def __contains__(self, digest: str) -> bool:
        return digest in self.pending or digest in self.table

    def add(self, digest: str, texts: bytes) -> None:
        self.pending[digest] = texts

    def read(self, digest: str) -> bytes:
        """The texts of an article the pack holds (`in`): CacheDamaged when they cannot be read."""
        if digest in self.pending:
            return self.pending[digest]
        at = self.table[digest]
        data = self._segment(at.segment)[at.offset:at.offset + at.length]
        if len(data) != at.length or zlib.crc32(data) != at.checksum:
            raise store.Unreadable(f"{at.segment} damaged: a checksum differs")
        return data

    def write(self, live: set[str]) -> None:
        """Keep only the texts of `live` articles, and put the pending ones in a new segment,
        merging small segments (see the module's notes)."""
        self.table = {digest: at for digest, at in self.table.items() if digest in live}
        texts = {digest: data for digest, data in self.pending.items() if digest in live}
        if not texts:
            self.pending = {}
            return
        in_use = Counter()
        for at in self.table.values():
            in_use[at.segment] += at.length
        if len(in_use) + 1 > MAX_SEGMENTS:
            largest = max(in_use, key=lambda name: (in_use[name], name))
            merged = {name for name in in_use
                      if name != largest or in_use[name] * 2 < self._size(name)}
            for digest, at in list(self.table.items()):
                if at.segment in merged:
                    texts[digest] = self.read(digest)
        self._write_segment(texts)
        self.pending = {}

    def _write_segment(self, texts: dict[str, bytes]) -> None:
        order = sorted(texts)
        hasher = hashlib.sha256()
        for digest in order:
            hasher.update(texts[digest])
        name = f"comments-{hasher.hexdigest()[:16]}.pack"
        placed: dict[str, TextsAt] = {}

        def write(stream) -> None:
            for digest in order:
                data = texts[digest]
                placed[digest] = TextsAt(name, stream.tell(), len(data), zlib.crc32(data))
                stream.write(data)
        write_atomically(self.folder / name, write)
        self._maps.pop(name, None)
        self.table.update(placed)

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
