"""Worker processes for the per-item stages of a build.

Each pool is started for one stage with what its workers need (`state`, given once, never
changed), ignores Ctrl-C (the build stops them), and dies with the build: a worker whose parent is
gone exits at once instead of waiting forever for work.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator, TypeVar

from sitegen.write.interrupts import interrupts_held

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_THRESHOLD = 32
"""Below this many articles (or eight times as many pages) to make, a pool costs more than it saves."""

_state: Any = None
"""The stage's state, set once when the worker starts."""


def can_fork() -> bool:
    # fork starts workers in milliseconds and hands them the build's state without pickling it.
    return "fork" in multiprocessing.get_all_start_methods()


def map_in_workers(function: Callable[[Any, Item], Result], items: list[Item], state: Any,
                   jobs: int, alone: int = 0) -> Iterator[Result]:
    """`function(state, item)` for each item, in order, in `jobs` worker processes. The first
    `alone` items are long ones, handed out one at a time; the rest go in chunks."""
    executor = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start_worker, initargs=(state, os.getpid()))
    chunk = max(1, min(32, (len(items) - alone) // (jobs * 16)))
    try:
        # Workers are forked as the work is handed out: Ctrl-C is held off until then, so that no
        # worker gets it before it has set itself to ignore it (it would print a traceback).
        with interrupts_held():
            long = executor.map(_call, [function] * alone, items[:alone], chunksize=1)
            rest = executor.map(_call, [function] * (len(items) - alone), items[alone:], chunksize=chunk)
        yield from long
        yield from rest
    except BaseException:
        # Ctrl-C, or an error: stop the workers now rather than let them finish the stage.
        # (ProcessPoolExecutor.terminate_workers comes only in Python 3.14.)
        processes = list((executor._processes or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        for process in processes:  # gone before the build returns: none outlives it, even briefly
            process.join(5)
        raise
    executor.shutdown()


def _start_worker(state: Any, parent: int) -> None:
    global _state
    _state = state
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C, and stops the workers
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _call(function: Callable[[Any, Item], Result], item: Item) -> Result:
    return function(_state, item)


def serial(function: Callable[[Any, Item], Result], items: Iterable[Item], state: Any) -> Iterator[Result]:
    return (function(state, item) for item in items)
