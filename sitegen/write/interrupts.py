"""Ctrl-C and SIGTERM held off while something must happen whole: they take effect right after."""

from __future__ import annotations

import signal
from contextlib import contextmanager

_HELD = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def interrupts_held():
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD) if hasattr(signal, "pthread_sigmask") else None
    try:
        yield
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
