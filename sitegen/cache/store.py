"""How cache files are read and written: frames of pickles that can only hold sitegen's own data.

A site's folder is not trusted as code (docs/security.md), and a pull request can commit a
`.sitegen-cache/`. So cache files are read with an unpickler that builds only the data classes
sitegen defines and a few standard value types, calls nothing else, and never imports a module a
file names: a file naming any other class or function is refused as unreadable, like a damaged
one. Each frame carries its length and a checksum, so a file cut short or damaged is refused too
rather than read as other data; and files are read only when they are regular files, never
through a symbolic link.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import gc
import io
import os
import pickle
import stat as statmodule
import struct
import sys
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator
from zoneinfo import ZoneInfo

from markupsafe import Markup

_VALUE_TYPES = {
    ("datetime", "datetime"): datetime.datetime, ("datetime", "date"): datetime.date,
    ("datetime", "time"): datetime.time, ("datetime", "timedelta"): datetime.timedelta,
    ("datetime", "timezone"): datetime.timezone, ("zoneinfo", "ZoneInfo"): ZoneInfo,
    ("markupsafe", "Markup"): Markup, ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
}
_ALLOWED_FUNCTIONS: dict[tuple[str, str], Callable] = {}
_ALLOWED: dict[tuple[str, str], Any] = {}
"""What find_class has let through: each of 10,000 records' pickles names its classes again."""


class CacheDamaged(Exception):
    """A cache file the build relied on cannot be used: the build starts again without the cache."""


class Unreadable(CacheDamaged):
    """A cache file that is damaged, or holds something other than sitegen's data."""


def allow_function(function: Callable) -> Callable:
    """Let cache files call `function` while they are read (a decorator): it must only look data up."""
    _ALLOWED_FUNCTIONS[(function.__module__, function.__qualname__)] = function
    return function


def _zoneinfo_by_key(owner, name: str):
    """Stands for `getattr` in a pickled ZoneInfo (getattr(ZoneInfo, '_unpickle')), and for nothing else."""
    if owner is ZoneInfo and name == "_unpickle":
        return ZoneInfo._unpickle
    raise pickle.UnpicklingError(f"getattr({owner!r}, {name!r}) is not sitegen's data")


def _is_sitegen_data(value) -> bool:
    """A data class that sitegen defines: a dataclass, a named tuple, an enum, a kind of text or number."""
    return (isinstance(value, type) and value.__module__.startswith("sitegen.") and (
        dataclasses.is_dataclass(value) or issubclass(value, (enum.Enum, int, str, float))
        or (issubclass(value, tuple) and hasattr(value, "_fields"))))


class _DataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        found = _ALLOWED.get((module, name))
        if found is None:
            found = _ALLOWED[module, name] = self._allowed(module, name)
        return found

    @staticmethod
    def _allowed(module: str, name: str):
        if (module, name) in _VALUE_TYPES:
            return _VALUE_TYPES[module, name]
        if (module, name) in _ALLOWED_FUNCTIONS:
            return _ALLOWED_FUNCTIONS[module, name]
        if (module, name) == ("builtins", "getattr"):
            return _zoneinfo_by_key
        if module.startswith("sitegen."):
            found = getattr(sys.modules.get(module), name, None)  # never imports: only what is loaded
            if _is_sitegen_data(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not sitegen's data")


# -- files: frames of pickles with their length and checksum, read only from regular files --

_FRAME = struct.Struct("<QI")
"""A frame's header: the length of its body and the body's CRC-32 (it finds damage, and a frame of
a warm build's index is tens of megabytes: a cryptographic digest would cost more, for nothing)."""


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading, never through a symbolic link, never a FIFO or a device (which
    could block the build or be endless): Unreadable otherwise."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    if not statmodule.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise Unreadable("not a regular file")
    return os.fdopen(descriptor, "rb")


def write_frame(stream: BinaryIO, *values: Any) -> None:
    """Pickle `values` into `stream` (a file, which must seek) as one frame: pickled straight into the
    file, not into memory first, with the header written last."""
    start = stream.tell()
    stream.write(bytes(_FRAME.size))
    body = _Hashing(stream)
    for value in values:
        pickle.dump(value, body, protocol=pickle.HIGHEST_PROTOCOL)
    end = stream.tell()
    stream.seek(start)
    stream.write(_FRAME.pack(body.length, body.checksum))
    stream.seek(end)


def read_frame(stream: BinaryIO) -> list[Any]:
    """The values of the next frame; Unreadable when it is cut short, or damaged (checksum)."""
    header = stream.read(_FRAME.size)
    if len(header) != _FRAME.size:
        raise Unreadable("cut short")
    length, checksum = _FRAME.unpack(header)
    if length > os.fstat(stream.fileno()).st_size - stream.tell():
        raise Unreadable("cut short")
    body = _Hashing(stream, length)
    values = []
    with long_lived():
        while body.left > 0:
            values.append(load(body))
    if body.checksum != checksum:
        raise Unreadable("damaged: its checksum differs")
    return values


class _Hashing:
    """A frame's body as it is written or read, its checksum worked out on the way: read, it ends
    where the body does."""

    def __init__(self, stream: BinaryIO, left: int = 0):
        self.stream, self.left, self.length, self.checksum = stream, left, 0, 0

    def write(self, data) -> int:
        self.checksum = zlib.crc32(data, self.checksum)
        self.length += len(data)
        return self.stream.write(data)

    def read(self, size: int = -1) -> bytes:
        return self._took(self.stream.read(self.left if size is None or size < 0 else min(size, self.left)))

    def readline(self, size: int = -1) -> bytes:
        return self._took(self.stream.readline(self.left if size is None or size < 0 else min(size, self.left)))

    def _took(self, data: bytes) -> bytes:
        self.left -= len(data)
        self.checksum = zlib.crc32(data, self.checksum)
        return data


@contextmanager
def long_lived() -> Iterator[None]:
    """For work that makes a few hundred thousand objects that live as long as the build, and next
    to no cyclic garbage (reading a table, planning a site). The cycle collector pauses while they
    are made, and then every object the process holds is frozen (`gc.freeze`, which takes no
    time): the collector would otherwise walk them again and again for nothing, which took half of
    that work's time at 10,000 articles, and 0.7 s of a build after a paragraph's edit. Frozen
    objects are still freed when nothing refers to them; only a cycle among them waits for
    `gc.unfreeze`, which `build_site` calls when the build ends, except in `sitegen build`, whose
    process ends: the collection Python makes as it exits would walk them all once more (0.4 s
    after a new comment at 10,000 articles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def dump(value: Any, stream: BinaryIO) -> None:
    pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)


def load(stream: BinaryIO) -> Any:
    """The next value in `stream`; Unreadable when it is not sitegen's data or not whole."""
    try:
        return _DataUnpickler(stream).load()
    except Exception as exc:  # pickle raises almost anything on a damaged file
        raise Unreadable(f"{type(exc).__name__}: {exc}") from None


def loads(data: bytes | memoryview) -> Any:
    try:
        stream = io.BytesIO(data)
    except TypeError as exc:
        raise Unreadable(str(exc)) from None
    return load(stream)
