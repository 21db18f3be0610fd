"""How cache files are read and written: pickles that can only hold sitegen's own data.

A site's folder is not trusted as code (docs/security.md), and a pull request can commit a
`.sitegen-cache/`. So cache files are read with an unpickler that builds only sitegen's data
classes and a few standard value types, never calls anything else, and imports nothing: a file
naming any other class or function is refused as unreadable, like a damaged one.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import io
import pickle
import sys
from typing import Any, BinaryIO, Callable
from zoneinfo import ZoneInfo

from markupsafe import Markup

_VALUE_TYPES = {
    ("datetime", "datetime"): datetime.datetime, ("datetime", "date"): datetime.date,
    ("datetime", "time"): datetime.time, ("datetime", "timedelta"): datetime.timedelta,
    ("datetime", "timezone"): datetime.timezone, ("zoneinfo", "ZoneInfo"): ZoneInfo,
    ("markupsafe", "Markup"): Markup, ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
}
_ALLOWED_FUNCTIONS: dict[tuple[str, str], Callable] = {}


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
    return isinstance(value, type) and (
        dataclasses.is_dataclass(value) or issubclass(value, (enum.Enum, int, str, float))
        or (issubclass(value, tuple) and hasattr(value, "_fields")))


class _DataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _VALUE_TYPES:
            return _VALUE_TYPES[module, name]
        if (module, name) in _ALLOWED_FUNCTIONS:
            return _ALLOWED_FUNCTIONS[module, name]
        if (module, name) == ("builtins", "getattr"):
            return _zoneinfo_by_key
        if module == "sitegen" or module.startswith("sitegen."):
            found = getattr(sys.modules.get(module), name, None)  # never imports: only what is loaded
            if _is_sitegen_data(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not sitegen's data")


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
    return load(io.BytesIO(data))
