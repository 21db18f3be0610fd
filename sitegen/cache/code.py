"""The digest of the code that shapes a build's output: every file of the sitegen package, found
by walking it, and the versions of the libraries installed beside it. A new module, an edited
template or an upgraded library gives a new digest, and the cache made by the old code is not used."""

from __future__ import annotations

import hashlib
import os
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path

import sitegen

FORMAT = 2
"""The layout of the cache's files; raised when it changes."""
PACKAGE = Path(sitegen.__file__).resolve().parent


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Of the sitegen that runs, worked out once per process."""
    return digest_of_code(PACKAGE)


def digest_of_code(package: Path) -> str:
    hasher = hashlib.sha256(f"{FORMAT}:{sitegen.__version__}:{sys.version_info[:2]}:{installed()}".encode())
    for folder, folders, names in sorted(os.walk(package)):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(names):
            path = os.path.join(folder, name)
            with open(path, "rb") as stream:
                hasher.update(os.path.relpath(path, package).encode() + b"\0" + stream.read() + b"\0")
    return hasher.hexdigest()


def installed() -> list[str]:
    """Every distribution installed in this Python environment, by the name of its metadata folder,
    which holds its version ("Jinja2-3.1.4.dist-info"): an upgrade of any changes the digest. (One
    listing of a folder: importlib.metadata would cost more than the rest of a warm build's start.)"""
    found = []
    for folder in sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}):
        try:
            found += sorted(name for name in os.listdir(folder) if name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return found
