"""The build: the one place the stages are chained, for `build`, `serve` and `check` alike.

    load_config ─ scan_sources ─ process_article* ─ assemble_site ─ plan_pages ─ make_page*

`process_article` (read, check, Markdown, anchoring) and `make_page` (templates, feeds) are the
per-item stages. Each runs once per digest of its inputs, in a process pool when there is much
to do, and is skipped when the cache holds its result. Every stage returns diagnostics; a
failing item drops out of later stages and the run goes on, so one build reports every error.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sitegen.cache import CACHE_DIR, ArticleEntry, BuildCache, code_digest, write_work
from sitegen.diagnostics import Diagnostic, has_errors
from sitegen.load.articles import ArticleFiles, load_article, read_article_files
from sitegen.load.config import CONFIG_FILE, load_config
from sitegen.load.sources import CONTENT_DIR, ArticleSource, scan_sources
from sitegen.model.types import SiteConfig
from sitegen.planning import plan_site, shape_key
from sitegen.render.articles import render_article, summarize
from sitegen.render.pages import ArticleWork, MakeContext, PagePlan, article_work, make_page
from sitegen.render.templates import TemplateSet
from sitegen.write.output import MemoryOutput, OutputEntry, PatchedOutput, StagedOutput, Staging
from sitegen.write.paths import output_path

PARALLEL_THRESHOLD = 32
"""Below this many articles (or eight times as many pages) to make, a pool costs more than it saves."""
PATCH_LIMIT = 8 * PARALLEL_THRESHOLD
"""Up to this many changed pages are written into the output in place; more make a fresh tree."""

Progress = Callable[[str, int, int], None]
"""Called as (stage, done, total) while a build runs."""


@dataclass(frozen=True)
class _Layouts:
    """What a build reads of the templates and static files, read once per build."""

    digest: str
    """Of every template the site can use."""
    static_files: dict[str, Path]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    source: Path
    base_url: str | None = None
    drafts: bool = False
    jobs: int = 1
    """Processes for the per-item stages; 1 builds in this process."""


@dataclass(slots=True)
class BuildStats:
    articles: int = 0
    comments: int = 0
    articles_processed: int = 0
    """Articles read, checked and rendered in this build (the rest came from the cache)."""
    pages: int = 0
    """Pages planned: HTML pages, feeds and data files."""
    planned_anew: bool = False
    """False when every article kept its shape, so the last build's plans served."""
    pages_made: int = 0
    pages_unchanged: int = 0
    files: int = 0
    """Files in the output: the pages, and the static and bundle files copied as they are."""
    files_copied: int = 0
    """Static and bundle files copied in this build (the rest were unchanged)."""
    seconds: float = 0.0
    made: list[str] = field(default_factory=list)
    """The output paths made (rendered) by this build, in plan order."""


@dataclass(slots=True)
class BuildResult:
    files: dict[str, bytes | Path] | None
    """For a build in memory: output path -> bytes, or a file to serve as it is. None when the build
    failed or was written to a folder."""
    diagnostics: list[Diagnostic]
    stats: BuildStats = field(default_factory=BuildStats)
    has_config: bool = True
    """False when the folder has no sitegen.yaml: not a site at all."""
    config: SiteConfig | None = None

    @property
    def ok(self) -> bool:
        return self.has_config and not has_errors(self.diagnostics)


def process_article(files: ArticleFiles, config: SiteConfig, digest: str) -> tuple[ArticleWork | None, ArticleEntry]:
    """Read, check and render one article: everything about it that needs no other article."""
    article, problems = load_article(files, config)
    if article is None:
        return None, ArticleEntry(None, problems)
    rendered, found = render_article(article)
    record = summarize(article, rendered, digest, config)
    return article_work(config, article, rendered, record.url_path), ArticleEntry(record, problems + found)


# -- worker processes: each keeps its cache, templates and target folder in _worker --

_worker: dict = {}


def _start_worker(root: Path, config: SiteConfig, cache_dir: Path) -> None:
    _worker.update(root=root, config=config, cache=BuildCache(cache_dir, memory_works=64, load=False), context=None)


def _process_in_worker(task: tuple[ArticleSource, str | None]) -> tuple[str, ArticleEntry]:
    source, _ = task
    cache: BuildCache = _worker["cache"]
    files = read_article_files(_worker["root"], source)
    digest = cache.article_digest(files.digest, _worker["config"])
    work, entry = process_article(files, _worker["config"], digest)
    if work is not None:
        write_work(cache.directory, digest, work)
    return files.digest, entry


def _make_in_worker(task: tuple[PagePlan, dict[str, str], Staging | None]
                    ) -> tuple[str, bytes | tuple[int, int] | None, list[Diagnostic]]:
    plan, digests, staging = task
    if _worker["context"] is None:
        cache = _worker["cache"]
        _worker["context"] = MakeContext(_worker["config"], cache.template_set(_worker["root"]), cache, {})
    _worker["context"].digests = digests
    path = output_path(plan.url_path)
    content, problems = make_page(plan, _worker["context"])
    if content is None or staging is None:
        return path, content, problems
    # Written by the worker into the staging folder: only its size and time travel back.
    return path, staging.write(path, content, _worker.setdefault("folders", set())), problems


class _Pool:
    """A process pool, started only when there is enough work to pay for it."""

    def __init__(self, root: Path, jobs: int, config: SiteConfig, cache: BuildCache):
        self.jobs = max(1, jobs)
        self.usable = cache.directory is not None  # workers pass articles through the cache folder
        self.args = (root, config, cache.directory)
        self.executor: ProcessPoolExecutor | None = None

    def map(self, function, items: list, threshold: int) -> Iterator | None:
        """`function` over `items` in worker processes, in order; None when this process should do it."""
        if self.jobs == 1 or not self.usable or len(items) < threshold:
            return None
        if self.executor is None:
            # fork starts workers in milliseconds; the build runs no threads that fork could break.
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self.executor = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context(method),
                                                initializer=_start_worker, initargs=self.args)
        return self.executor.map(function, items, chunksize=max(1, min(32, len(items) // (self.jobs * 16))))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown()


# -- the build --


def build_site(options: BuildOptions, cache: BuildCache | None = None, out_dir: Path | None = None,
               progress: Progress | None = None) -> BuildResult:
    """Build the site: into `out_dir`, atomically, or, without one, into memory (result.files).

    Pass the same `cache` to successive builds to reuse their work.
    """
    started = time.perf_counter()
    cache = cache if cache is not None else BuildCache()
    progress = progress or (lambda stage, done, total: None)
    stats = BuildStats()
    root = options.source.resolve()  # one spelling of every path, however --source was written
    config, diagnostics = load_config(root, options.base_url)
    if config is None:  # no sitegen.yaml at all, or one that cannot be read
        return BuildResult(None, diagnostics, stats, has_config=(root / CONFIG_FILE).is_file())

    output_key = str(out_dir.resolve()) if out_dir is not None else ""
    sources, found = scan_sources(root)
    diagnostics += found
    stamps = {source.key: _source_stamp(root, source) for source in sources}
    layouts = _Layouts(TemplateSet.digest_of(root), TemplateSet.static_files(root))
    inputs = (_inputs_stamp(root, options, config, sources, stamps, layouts, diagnostics)
              if out_dir is not None else None)
    last = cache.last_build(output_key) if inputs is not None else None
    if last is not None and last[0] == inputs and last[1] == _folder_stamp(out_dir):
        # Nothing the build reads has changed, and the output is as the last build left it.
        stats = last[2]
        stats.articles_processed, stats.pages_made, stats.files_copied, stats.made = 0, 0, 0, []
        stats.pages_unchanged = stats.pages
        stats.seconds = time.perf_counter() - started
        return BuildResult(None, last[3], stats, config=config)
    previous = cache.tables.outputs.get(output_key, {})
    sources_before = dict(cache.tables.sources)
    made: dict[str, OutputEntry] | None = None
    files = None
    try:
        made, files = _build(root, options, config, sources, stamps, layouts, cache, previous, out_dir, stats,
                             diagnostics, progress)
    finally:
        # Articles read in a failed build are kept too: the build after the fix reuses them.
        if made is not None:
            cache.tables.outputs[output_key] = made
        if (stats.articles_processed or made not in (None, previous) or cache.tables.sources != sources_before
                or cache.plans_changed):
            cache.save()
    stats.seconds = time.perf_counter() - started
    if made is not None and inputs is not None:
        # What the folder now holds, from the build's own record of each file (no second walk).
        written = _files_stamp([(path, (entry.size, entry.mtime_ns)) for path, entry in made.items()])
        cache.remember_build(output_key, (inputs, written, stats, diagnostics))
    return BuildResult(files, diagnostics, stats, config=config)


def _build(root: Path, options: BuildOptions, config: SiteConfig, sources: list[ArticleSource],
           stamps: dict[str, tuple], layouts: _Layouts, cache: BuildCache, previous: dict[str, OutputEntry], out_dir: Path | None,
           stats: BuildStats, diagnostics: list[Diagnostic], progress: Progress):
    """The stages after the sources are known: (every output file's record, the files in memory),
    or (None, None) when the build found errors and wrote nothing."""
    output = None
    pool = _Pool(root, options.jobs, config, cache)
    try:
        articles, found = _process_articles(root, sources, stamps, config, cache, pool, stats, progress)
        diagnostics += found
        digests = {key: digest for key, digest, _ in articles}

        key = shape_key(config, options.drafts, code_digest(), [entry.shape for _, _, entry in articles])
        planned = cache.plans(key)
        if planned is None:
            with _cycle_collection_paused():
                planned = plan_site(key, config, options.drafts, [entry.record for _, _, entry in articles])
            cache.keep_plans(planned)
            stats.planned_anew = True
        diagnostics += planned.diagnostics
        stats.articles, stats.comments = planned.articles, planned.comments
        templates = cache.template_set(root, layouts.digest)
        copies = {path: (file, templates.display_path(str(file))) for path, file in layouts.static_files.items()}
        diagnostics += planned.claims.copy().claim_all([(path, label) for path, (_, label) in copies.items()])
        copies.update({url_path: (root / file, label) for url_path, (file, label) in planned.assets.items()})
        if has_errors(diagnostics):
            return None, None

        # A page's fingerprint: its plan, the content of the articles it shows, the templates and code.
        salt = f"{config!r}:{templates.digest()}:{code_digest()}".encode()
        fingerprints = {path: hashlib.sha256(b"".join([salt, plan, *(digests[k].encode() for k in keys)])).hexdigest()
                        for path, plan, keys in planned.pages}
        stale = sum(1 for path, fingerprint in fingerprints.items()
                    if getattr(previous.get(path), "fingerprint", None) != fingerprint)
        output = _output_for(out_dir, previous, stale)
        made: dict[str, OutputEntry] = {}
        todo = []
        for path, fingerprint in fingerprints.items():
            before = previous.get(path)
            if before is not None and before.fingerprint == fingerprint and output.keep(path, before):
                made[path] = before
            else:
                todo.append(planned.plan(path))
        planned.unpacked.clear()  # the plans are not kept between builds, only their pickles
        stats.pages, stats.pages_unchanged = len(fingerprints), len(fingerprints) - len(todo)
        context = MakeContext(config, templates, cache, digests)
        for done, (path, content, found) in enumerate(_make_pages(todo, context, pool, output.staging), 1):
            diagnostics += found
            if content is not None:
                made[path] = output.put(path, fingerprints[path], content)
                stats.pages_made += 1
                stats.made.append(path)
            progress("pages", done, len(todo))
        for url_path, (file, _) in copies.items():
            path, stamp = output_path(url_path), _file_fingerprint(file)
            before = previous.get(path)
            if before is not None and before.fingerprint == stamp and output.keep(path, before):
                made[path] = before
            else:
                made[path] = output.copy(path, stamp, file)
                stats.files_copied += 1
        stats.files = len(made)
        if has_errors(diagnostics):
            output.abort()
            return None, None
        files = output.commit(bool(stats.pages_made or stats.files_copied or set(made) != set(previous)), made)
        return made, files
    except BaseException:
        if output is not None:
            output.abort()
        raise
    finally:
        pool.close()


@contextmanager
def _cycle_collection_paused():
    """Planning makes a few hundred thousand objects that live on, and next to no cyclic garbage:
    the cycle collector would walk them again and again for nothing (half of planning's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _inputs_stamp(root: Path, options: BuildOptions, config: SiteConfig, sources: list[ArticleSource],
                  stamps: dict[str, tuple], layouts: _Layouts, found: list[Diagnostic]) -> str:
    """A digest of everything a build reads, by name, size and time, and of what reading the config
    and the folders found: equal stamps, equal outputs and messages."""
    hasher = hashlib.sha256(f"{config!r}:{options.drafts}:{os.environ.get('SOURCE_DATE_EPOCH')}:"
                            f"{code_digest()}:{layouts.digest}:{found!r}".encode())
    hasher.update(pickle.dumps([stamps[source.key] for source in sources]))
    content = f"{root}/{CONTENT_DIR}/"
    hasher.update(pickle.dumps([_stat(f"{content}{source.bundle_key}/{asset}") for source in sources
                                for asset in source.assets]))
    for relative, path in layouts.static_files.items():
        hasher.update(repr((relative, _stat(path))).encode())
    return hasher.hexdigest()


def _folder_stamp(folder: Path) -> str:
    """A digest of every file in the output folder, by name, size and time."""
    files = []
    prefix = len(str(folder)) + 1
    for parent, _, filenames in os.walk(folder):
        for name in filenames:
            path = os.path.join(parent, name)
            files.append((path[prefix:], _stat(path)))
    return _files_stamp(files)


def _files_stamp(files: list[tuple[str, tuple[int, int] | None]]) -> str:
    return hashlib.sha256(repr(sorted(files)).encode()).hexdigest()


def _stat(path: Path | str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _process_articles(root: Path, sources: list[ArticleSource], stamps: dict[str, tuple], config: SiteConfig,
                      cache: BuildCache, pool: _Pool, stats: BuildStats,
                      progress: Progress) -> tuple[list[tuple[str, str, ArticleEntry]], list[Diagnostic]]:
    """(key, digest, entry) of each article that loaded, in source order, from the cache when its
    files are unchanged, else processed anew; and every article's diagnostics."""
    tables = cache.tables
    entries: dict[str, tuple[str, ArticleEntry]] = {}
    todo: list[tuple[ArticleSource, tuple]] = []
    for source in sources:
        stamp = stamps[source.key]
        known = tables.sources.get(source.key)
        if known is not None and known[0] != stamp:
            # Touched: the bytes decide (an editor's save-without-change keeps the cache).
            known = (stamp, read_article_files(root, source).digest)
        digest = cache.article_digest(known[1], config) if known else ""
        entry = tables.articles.get(digest)
        if entry is not None and cache.has_work(digest):
            tables.sources[source.key] = known
            entries[source.key] = (digest, entry)
        else:
            todo.append((source, stamp))
    results = pool.map(_process_in_worker, [(source, None) for source, _ in todo], PARALLEL_THRESHOLD)
    if results is None:
        results = (_process_here(root, source, config, cache) for source, _ in todo)
    for done, ((source, stamp), (files_digest, entry)) in enumerate(zip(todo, results), 1):
        tables.sources[source.key] = (stamp, files_digest)
        entries[source.key] = (entry.record.digest if entry.loaded else "", entry)
        stats.articles_processed += 1
        progress("articles", done, len(todo))
    tables.sources = {s.key: tables.sources[s.key] for s in sources}  # forget deleted articles
    tables.articles = {digest: entry for digest, entry in entries.values() if entry.loaded}
    ordered = [(source.key, *entries[source.key]) for source in sources]
    return ([(key, digest, entry) for key, digest, entry in ordered if entry.loaded],
            [diagnostic for _, _, entry in ordered for diagnostic in entry.diagnostics])


def _process_here(root: Path, source: ArticleSource, config: SiteConfig, cache: BuildCache) -> tuple[str, ArticleEntry]:
    files = read_article_files(root, source)
    digest = cache.article_digest(files.digest, config)
    work, entry = process_article(files, config, digest)
    if work is not None:
        cache.keep_work(digest, work)
        if cache.directory is not None:
            write_work(cache.directory, digest, work)
    return files.digest, entry


def _source_stamp(root: Path, source: ArticleSource) -> tuple:
    """What changes when an article's files change, read without opening them."""
    folder = f"{root}/{CONTENT_DIR}/"
    return (source, *(_stat(folder + key) for key in (source.key, source.thread_key) if key is not None))


def _file_fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"file:{path}:{stat.st_size}:{stat.st_mtime_ns}"


def _output_for(out_dir: Path | None, previous: dict[str, OutputEntry], stale: int):
    """Memory for serve and check; for a folder, a patch when little changed, else a fresh tree."""
    if out_dir is None:
        return MemoryOutput()
    if previous and out_dir.is_dir() and stale < PATCH_LIMIT:
        return PatchedOutput(out_dir, previous)
    return StagedOutput(out_dir)


def _make_pages(plans: list[PagePlan], context: MakeContext, pool: _Pool, staging: Staging | None) -> Iterable:
    tasks = [(plan, {key: context.digests[key] for key in plan.articles}, staging) for plan in plans]
    results = pool.map(_make_in_worker, tasks, 8 * PARALLEL_THRESHOLD)
    if results is not None:
        return results
    return ((output_path(plan.url_path), *make_page(plan, context)) for plan in plans)


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def disk_cache(root: Path) -> BuildCache:
    """The cache `sitegen build` keeps in the site's root."""
    return BuildCache(root / CACHE_DIR)
