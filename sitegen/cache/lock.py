"""One build of a site at a time: `sitegen build`s, and the preview's builds, take turns."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks in the standard library; builds are not serialised
    fcntl = None

LOCK_FILE = "lock"


@contextmanager
def site_lock(folder: Path):
    """Hold the lock file in `folder` (the site's cache folder) while the block runs; wait, saying
    so once, while another process holds it. The system drops the lock when a holder dies."""
    try:
        if folder.is_symlink():  # never followed: the cache says so, and clears it
            raise NotADirectoryError(folder)
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.fdopen(os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                                   0o644), "r+b")
    except OSError:
        # A site that cannot be written to (a read-only checkout): nothing to protect. Or a file
        # or a link where the cache's folder should be: the cache says so, and clears it.
        yield
        return
    with handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print("sitegen: another build of this site is running; waiting for it to finish",
                      file=sys.stderr, flush=True)
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield
