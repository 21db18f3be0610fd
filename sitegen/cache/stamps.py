"""Stamps: what changes when a file changes, read without opening it (name, size, modification time).

A build compares them with the last build's to know what it need not read again, and the digest
of all of them to know when nothing changed at all.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sitegen.load.sources import CONTENT_DIR, ArticleSource


def folder_stamp(folder: Path) -> str:
    """A digest of every file in the output folder, by name, size and time."""
    files = []
    prefix = len(str(folder)) + 1
    for parent, _, filenames in os.walk(folder):
        for name in filenames:
            path = os.path.join(parent, name)
            files.append((path[prefix:], stat(path)))
    return files_stamp(files)


def files_stamp(files: list[tuple[str, tuple[int, int] | None]]) -> str:
    return hashlib.sha256(repr(sorted(files)).encode()).hexdigest()


def stat(path: Path | str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def source_stamp(root: Path, source: ArticleSource) -> tuple:
    """What changes when an article's files change, read without opening them."""
    folder = f"{root}/{CONTENT_DIR}/"
    return (source, *(stat(folder + key) for key in (source.key, source.thread_key) if key is not None))


def file_fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"file:{path}:{stat.st_size}:{stat.st_mtime_ns}"
