"""Watch a site's sources with watchdog and report each burst of changes once, after it settles.

Events are triggers, not facts: one save can arrive as a create, a few modifies and a rename of
a temporary file, and the build rescans everything anyway. So the watcher only says *that* the
site changed, and what kind of file it was, once no event has come for a short quiet spell.
"""

from __future__ import annotations

import os
import threading
import time
from enum import Enum
from pathlib import Path
from typing import Callable

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from sitegen.load.config import CONFIG_FILE
from sitegen.load.sources import CONTENT_DIR, is_ignored_name
from sitegen.render.templates import LAYOUTS_DIR

QUIET_SECONDS = 0.05
"""How long the files must stay still before a rebuild: editors save in bursts a few ms long."""

# Only events that can mean new content. Opening and reading are left out on purpose: every build
# reads every source, and with those events each build would trigger the next.
WATCHED_EVENTS = [
    FileCreatedEvent, DirCreatedEvent, FileDeletedEvent, DirDeletedEvent, FileMovedEvent, DirMovedEvent,
    FileModifiedEvent, FileAttribEvent, FileClosedEvent,
]


class ChangeKind(str, Enum):
    CONTENT = "content"
    LAYOUTS = "layouts"
    CONFIG = CONFIG_FILE


def change_kind(relative: str) -> ChangeKind | None:
    """What a changed path (relative to the site root, '/'-separated) is to the build.

    None for what the build never reads: editors' temporary and swap files, output/, anything
    else in the root.
    """
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    if not parts or any(is_ignored_name(part) for part in parts):
        return None
    if parts == [CONFIG_FILE]:
        return ChangeKind.CONFIG
    if parts[0] == CONTENT_DIR:
        return ChangeKind.CONTENT
    if parts[0] == LAYOUTS_DIR:
        return ChangeKind.LAYOUTS
    return None


class SiteWatcher:
    """Calls `on_change(kinds)` on its own thread after each settled burst of relevant events.

    Watches the root itself (not recursively: sitegen.yaml, and content/ or layouts/ appearing or
    vanishing) and content/ and layouts/ recursively while they exist.
    """

    def __init__(self, root: Path, on_change: Callable[[set[ChangeKind]], None], *,
                 poll: bool = False, quiet: float = QUIET_SECONDS):
        self.root = root.resolve()
        self.on_change = on_change
        self.quiet = quiet
        self._observer = PollingObserver() if poll else Observer()
        self._handler = _Forwarder(self)
        self._subtree_watches: dict[str, object] = {}
        self._settled = threading.Condition()
        self._pending: set[ChangeKind] = set()
        self._last_event = 0.0
        self._stopped = False
        self._thread = threading.Thread(target=self._deliver_settled, name="sitegen-watcher", daemon=True)

    def start(self) -> None:
        self._observer.schedule(self._handler, str(self.root), recursive=False, event_filter=WATCHED_EVENTS)
        self._watch_subtrees()
        self._observer.start()
        self._thread.start()

    def stop(self) -> None:
        with self._settled:
            self._stopped = True
            self._settled.notify_all()
        self._observer.stop()
        self._observer.join(timeout=5)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def _watch_subtrees(self) -> None:
        """(Re)watch content/ and layouts/: a folder deleted and made again needs a new watch."""
        for name in (CONTENT_DIR, LAYOUTS_DIR):
            old = self._subtree_watches.pop(name, None)
            if old is not None:
                try:
                    self._observer.unschedule(old)
                except KeyError:  # watchdog already dropped the watch of a deleted folder
                    pass
            folder = self.root / name
            if folder.is_dir():
                try:
                    self._subtree_watches[name] = self._observer.schedule(
                        self._handler, str(folder), recursive=True, event_filter=WATCHED_EVENTS)
                except OSError:  # gone again between the check and the watch; its event will follow
                    pass

    def _noticed(self, event: FileSystemEvent) -> None:
        """On watchdog's thread: note the event, and wake the settling thread."""
        paths = [event.src_path, getattr(event, "dest_path", "")]
        relatives = [os.path.relpath(os.fsdecode(p), self.root).replace(os.sep, "/") for p in paths if p]
        if any(r in (CONTENT_DIR, LAYOUTS_DIR) for r in relatives) and event.is_directory:
            self._watch_subtrees()
        kinds = {kind for kind in map(change_kind, relatives) if kind is not None}
        if not kinds:
            return
        with self._settled:
            self._pending |= kinds
            self._last_event = time.monotonic()
            self._settled.notify_all()

    def _deliver_settled(self) -> None:
        with self._settled:
            while not self._stopped:
                if not self._pending:
                    self._settled.wait()
                    continue
                still_for = time.monotonic() - self._last_event
                if still_for < self.quiet:
                    self._settled.wait(self.quiet - still_for)
                    continue
                kinds, self._pending = self._pending, set()
                self._settled.release()
                try:
                    self.on_change(kinds)
                finally:
                    self._settled.acquire()


class _Forwarder(FileSystemEventHandler):
    def __init__(self, watcher: SiteWatcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher._noticed(event)

