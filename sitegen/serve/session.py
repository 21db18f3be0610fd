"""The preview's state: the last good build, rebuilt on one thread, read by many.

The preview builds as `sitegen build` does, with the site's disk cache, into a folder
(`preview_folder`), so it starts from what the last build left and holds no page in memory.
Server threads only ever read `session.state`, a frozen `PreviewState` replaced whole after each
build, so a request never waits for a build. A page asked for while a build writes may be that
build's new file, served with the state before it: the page hears of the new state a moment later
and reloads, and a note from it is refused until then (its epoch is the old one).
"""

from __future__ import annotations

import itertools
import secrets
import sys
import threading
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Mapping

from sitegen.build import BuildOptions, BuildResult, build_site, disk_cache
from sitegen.write.output import OUTPUT_DIR, BuiltFiles
from sitegen.cache import CACHE_DIR, PREVIEW_DIR, SourceStamp
from sitegen.diagnostics import Diagnostic, error
from sitegen.load.config import load_config

BUG_MESSAGE = "internal error: this is a bug in sitegen, please report it with the traceback"


@dataclass(frozen=True, slots=True)
class PreviewState:
    output: BuiltFiles
    """The last good build's files (output-relative path -> bytes; `source` for a file served as it is)."""
    base_path: str
    """base_url's path when `output` was built ("/" or "/digest/"): where the server mounts it."""
    epoch: str
    """Names `output`: a server-start nonce and a counter, so a page can tell it is out of date."""
    builds: int
    """Finished builds, good or failed: a new value is news for the open pages."""
    change: str
    """What the last build did: 'reload' (new output), 'css' (only stylesheets differ),
    'unchanged', or 'errors' (it failed, and `output` is still the one before)."""
    css_from: str | None = None
    """When `epoch` came from a change to stylesheets alone: the epoch before it, whose pages may
    swap those stylesheets instead of reloading."""
    css_paths: tuple[str, ...] = ()
    """With `css_from`: the output paths of the stylesheets that changed."""
    errors: tuple[Diagnostic, ...] = ()
    """Why the last build failed; empty after a good one."""
    traceback: str | None = None
    """When the last build hit a bug in sitegen: the exception's traceback."""
    has_config: bool = True
    article_pages: Mapping[str, str] = field(default_factory=dict)
    """Each article page's output path -> the article's file (BuildResult.article_pages)."""
    article_files: frozenset[str] = frozenset()
    """Every article file the last build found, good or failed (BuildResult.article_files)."""
    sources: Mapping[str, SourceStamp] = field(default_factory=dict)
    """Each article's files as the last build, good or failed, read them (BuildResult.sources): a
    note is written only into a file whose bytes are still those."""


def preview_folder(options: BuildOptions) -> Path:
    """Where the preview writes the site: output/, as `sitegen build` would, when it builds the same
    site; with --drafts or another base_url, a folder of its own in the cache, so that output/ never
    holds a draft or another site's links."""
    if not options.drafts and options.base_url is None:
        return options.source / OUTPUT_DIR
    return options.source / CACHE_DIR / PREVIEW_DIR


class PreviewSession:
    """Owns the BuildCache, the current PreviewState, and the one thread that builds."""

    def __init__(self, options: BuildOptions, *,
                 report: Callable[[list[Diagnostic]], None] | None = None,
                 log: Callable[[str], None] | None = None):
        self.options = options
        self.cache = disk_cache(options.source)
        self.folder = preview_folder(options)
        self.report = report or _print_diagnostics
        self.log = log or (lambda line: print(line, flush=True))
        self._nonce = secrets.token_hex(4)
        self._counter = itertools.count(1)
        self._reported: list[Diagnostic] | None = None
        self.state = PreviewState(BuiltFiles({}), "/", f"{self._nonce}.0", 0, "unchanged")
        self._news = threading.Condition()
        self._wanted = threading.Event()
        self._wanted_lock = threading.Lock()
        self._wanted_because: set[str] = set()
        self._closed = False
        self._builder = threading.Thread(target=self._build_when_wanted, name="sitegen-builder", daemon=True)
        self.building = False
        self.secret = secrets.token_urlsafe(24)
        """Carried by the pages this preview serves: a note is written only for a request that has it."""

    @property
    def busy(self) -> bool:
        """A build is under way, or asked for: the files may not be what the pages show."""
        return self.building or self._wanted.is_set()

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self) -> PreviewState:
        """Start the builder thread, and return once the first build is done."""
        self._builder.start()
        self.request_rebuild()
        return self.wait_for_news(after_builds=0)

    def request_rebuild(self, because: Iterable[str] = ()) -> None:
        """Ask for a build. Requests made while one runs are all served by one build after it."""
        with self._wanted_lock:
            self._wanted_because.update(because)
        self._wanted.set()

    def wait_for_news(self, after_builds: int, timeout: float | None = None) -> PreviewState:
        """The state once a build newer than `after_builds` has finished (or at timeout or close)."""
        with self._news:
            self._news.wait_for(lambda: self._closed or self.state.builds > after_builds, timeout)
            return self.state

    def close(self) -> None:
        with self._news:
            self._closed = True
            self._news.notify_all()
        self._wanted.set()
        # A build under way finishes on its own (the thread is a daemon): Ctrl-C must not wait for it.
        if self._builder.is_alive() and threading.current_thread() is not self._builder:
            self._builder.join(timeout=2)

    def _build_when_wanted(self) -> None:
        while True:
            self._wanted.wait()
            if self._closed:
                return
            self.building = True  # before the wish is cleared: `busy` is never false in between
            self._wanted.clear()
            with self._wanted_lock:
                because, self._wanted_because = self._wanted_because, set()
            prefix = " and ".join(sorted(because)) + " changed: " if because else ""
            try:
                result = build_site(self.options, self.cache, self.folder)
                for line in result.notices:
                    self.log(line)
                state = replace(self._next_state(result, prefix), article_files=frozenset(result.article_files),
                                sources=result.sources)
            except Exception:  # a bug in sitegen: show it like a content error, and keep serving
                trace = traceback.format_exc()
                print(trace, file=sys.stderr, end="", flush=True)
                state = self._failed((error("sitegen", None, BUG_MESSAGE),), trace, True, prefix)
            with self._news:
                self.state = state
                self.building = False
                self._news.notify_all()

    def _next_state(self, result: BuildResult, prefix: str) -> PreviewState:
        old = self.state
        builds = old.builds + 1
        if result.diagnostics != self._reported:  # the same warnings on every save would drown the news
            self.report(result.diagnostics)
            self._reported = result.diagnostics
        if not result.ok:
            errors = tuple(d for d in result.diagnostics if d.is_error)
            return self._failed(errors, None, result.has_config, prefix)

        # Against the files served, not the build's own record: another process may have built
        # into the same folder in between.
        changed = sorted(path for path in old.output.keys() | result.files.keys()
                         if old.output.stamp(path) != result.files.stamp(path))
        timing = f"{prefix}built in {result.stats.seconds:.2f} s"
        if old.output and not changed:
            self.log(f"{timing}, nothing changed")
            return replace(old, builds=builds, change="unchanged", errors=(), traceback=None, has_config=True)

        base_path = result.config.base_path
        output = result.files
        epoch = f"{self._nonce}.{next(self._counter)}"
        if old.output and all(path.endswith(".css") for path in changed):
            self.log(f"{timing}: {', '.join(changed)} changed (stylesheets swapped in open pages)")
            return PreviewState(output, base_path, epoch, builds, "css", old.epoch, tuple(changed),
                                article_pages=result.article_pages)
        if not old.output:
            self.log(f"{timing}: {len(output)} file{'s' if len(output) != 1 else ''}")
        else:
            self.log(f"{timing}: {len(changed)} file{'s' if len(changed) != 1 else ''} changed")
        if old.output and base_path != old.base_path:
            self.log(f"base_url's path is now {base_path}: the site moved there")
        return PreviewState(output, base_path, epoch, builds, "reload", article_pages=result.article_pages)

    def _failed(self, errors: tuple[Diagnostic, ...], trace: str | None, has_config: bool,
                prefix: str) -> PreviewState:
        """The state after a failed build: the errors, over the last good output."""
        old = self.state
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}" if trace is None else BUG_MESSAGE
        self.log(f"{prefix}build failed: {count}; "
                 + ("still serving the last good build" if old.output else "nothing to serve yet"))
        # With no good build yet, the errors are served at the path the site will have once fixed.
        base_path = old.base_path if old.output else self._base_path()
        return replace(old, base_path=base_path, builds=old.builds + 1, change="errors", errors=errors,
                       traceback=trace, has_config=has_config)

    def _base_path(self) -> str:
        """base_url's path as sitegen.yaml says now; while the file is broken, the one known before."""
        config, problems = load_config(self.options.source, self.options.base_url)
        if config is None or any(d.is_error for d in problems):
            return self.state.base_path
        return config.base_path


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr, flush=True)
