"""Files written whole or not at all: first under a temporary name beside the target, then renamed
over it, so a reader (or a build after a crash) finds the old file or the whole new one."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

TEMPORARY_PREFIX = ".sitegen-tmp-"
"""Every temporary file and folder sitegen makes starts so: what a killed build left is found by it."""


def write_atomically(target: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write `data` (bytes, or a function that writes to the stream it is given) to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY_PREFIX)
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            else:
                data(stream)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a published or shared file is readable
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def make_temporary_folder(beside: Path) -> Path:
    """A fresh, empty folder next to `beside`, on the same file system (so a rename can move it)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{beside.name}-", dir=beside.parent))
    os.chmod(folder, 0o755)  # mkdtemp makes it private; a served site must be readable
    return folder


def remove_leftovers(folder: Path, keep: Callable[[str], bool] = lambda name: False) -> None:
    """Delete the temporary files and folders directly in `folder` (a killed build's), but those `keep` names."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(TEMPORARY_PREFIX) and not keep(name):
            path = folder / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
