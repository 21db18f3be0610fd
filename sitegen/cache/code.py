"""The digest of the code that shapes a build's output: every file of the sitegen package, found
by walking it, and the versions of the libraries sitegen installs with. A new module, an edited
template or an upgraded library gives a new digest, and the cache made by the old code is not used."""

from __future__ import annotations

import hashlib
import re
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import sitegen

FORMAT = 2
"""The layout of the cache's files; raised when it changes."""
PACKAGE = Path(sitegen.__file__).resolve().parent
_LIBRARIES = ("babel", "jinja2", "markdown-it-py", "mdit-py-plugins", "pyyaml", "python-slugify", "markupsafe")
"""Used when sitegen runs from a folder without being installed, so its requirements are unknown."""


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Of the sitegen that runs, worked out once per process."""
    return digest_of_code(PACKAGE)


def digest_of_code(package: Path) -> str:
    hasher = hashlib.sha256(f"{FORMAT}:{sitegen.__version__}:{sys.version_info[:2]}:{library_versions()}".encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            hasher.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


def library_versions() -> list[tuple[str, str]]:
    """(name, installed version) of each library sitegen requires."""
    try:
        names = [re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0]
                 for requirement in metadata.requires("sitegen") or () if "extra ==" not in requirement]
    except metadata.PackageNotFoundError:
        names = list(_LIBRARIES)
    versions = []
    for name in sorted(names):
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, ""))
    return versions
