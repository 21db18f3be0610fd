"""The build: the one place the stages are chained, for `build`, `serve` and `check` alike.

    scan ─ load (_process_source*) ─ assemble and plan ─ make (_make_page*) ─ write

`_process_source` (read, check, Markdown, anchoring) and `_make_page` (templates, feeds) are the
per-item stages: each runs in worker processes when there is much to do, and only for items whose
inputs' digests the cache (cache/) has not seen. Every stage returns diagnostics; a failing item
drops out of later stages and the run goes on, so one build reports every error.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from sitegen.cache import (
    CACHE_DIR, ArticleEntry, BuildCache, CacheDamaged, LastBuild, SourceStamp, article_digest, write_work,
)
from sitegen.cache import store
from sitegen.cache.lock import site_lock
from sitegen.cache.plans import Planned, plan_site, shape_key
from sitegen.cache.stamps import file_fingerprint, output_stamp, source_stamp, stat, stats_now
from sitegen.diagnostics import Diagnostic, error, has_errors, warning
from sitegen.load.articles import load_article, read_article_files
from sitegen.load.config import CONFIG_FILE, load_config
from sitegen.load.sources import CONTENT_DIR, ArticleSource, scan_sources
from sitegen.model.records import COMMENT_DIGEST_SIZE
from sitegen.model.types import SiteConfig
from sitegen.render.articles import render_article, summarize
from sitegen.render.pages import ArticleWork, CommentTexts, MakeContext, article_work, make_page
from sitegen.render.pagefind import probe_pagefind
from sitegen.render.plans import PagePlan
from sitegen.render.templates import TemplateSet
from sitegen.render.words import lacking_words, site_words
from sitegen.workers import PARALLEL_THRESHOLD, can_fork, map_in_workers, serial
from sitegen.write.output import (
    BuiltFiles, MemoryOutput, Output, OutputEntry, PatchedOutput, Staging, StagedOutput, folder_files,
    made_before, recover_output,
)
from sitegen.write.paths import output_path

PATCH_LIMIT = 256
"""Fewer changed pages than this are written into the output in place; more make a fresh tree."""

Progress = Callable[[str, int, int], None]
"""Called as (stage, done, total) while a build runs."""


def source_date_epoch() -> int:
    """SOURCE_DATE_EPOCH (reproducible-builds.org): the date of a page with no dated content."""
    try:
        return int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    except ValueError:
        return 0


@dataclass(frozen=True, slots=True)
class BuildOptions:
    source: Path
    base_url: str | None = None
    drafts: bool = False
    relative: bool = False
    """`--relative`: links relative to each page, for a site opened from disk (render/relative.py)."""
    jobs: int = 1
    """Processes for the per-item stages; 1 builds in this process."""
    epoch: int = field(default_factory=source_date_epoch)
    """Read from the environment once, when the options are made."""


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
    parts_planned: int = 0
    """When planned anew: how many parts of the site (render/planner.Part) were planned again; the
    others kept the last build's plans."""
    pages_made: int = 0
    pages_unchanged: int = 0
    files: int = 0
    """Files in the output: the pages, and the static and bundle files copied as they are."""
    files_copied: int = 0
    """Static and bundle files copied in this build (the rest were unchanged)."""
    seconds: float = 0.0
    made: list[str] = field(default_factory=list)
    """The output paths made (rendered) by this build, in the order made."""


@dataclass(slots=True)
class BuildResult:
    files: BuiltFiles | None
    """The output, path -> bytes, whichever writer made it; None when the build failed."""
    diagnostics: list[Diagnostic]
    stats: BuildStats = field(default_factory=BuildStats)
    has_config: bool = True
    """False when the folder has no sitegen.yaml: not a site at all."""
    config: SiteConfig | None = None
    notices: list[str] = field(default_factory=list)
    """Lines about the build itself rather than the site: a cache that could not be used."""
    article_pages: dict[str, str] = field(default_factory=dict)
    """Each article page's output path -> the article's file: the preview writes notes there."""
    article_files: list[str] = field(default_factory=list)
    """Every article file found ("content/2019/macron.md"), also those that failed to build."""
    sources: dict[str, SourceStamp] = field(default_factory=dict)
    """Each article's key -> its files as this build read them (stamp, digest of their bytes): the
    preview writes a note only into a file still as the build that made its page read it."""

    @property
    def ok(self) -> bool:
        return self.has_config and not has_errors(self.diagnostics)


@dataclass(frozen=True)
class Settings:
    """Everything besides the sources that a build's output depends on, and its one digest."""

    config: SiteConfig
    drafts: bool
    epoch: int
    code: str
    """cache/code.py's digest of sitegen's own code and libraries."""
    relative: bool = False
    search: str | None = None
    """The version of the Pagefind binary that indexes the site; None without search, or where
    the site wants search and Pagefind cannot run (its /search/ says so)."""

    @property
    def digest(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()

    @property
    def no_date(self) -> datetime:
        return datetime.fromtimestamp(self.epoch, timezone.utc)


@dataclass(frozen=True)
class Layouts:
    """What a build reads of the templates and static files, read once per build."""

    digest: str
    """Of every template the site can use."""
    static_files: dict[str, Path]


@dataclass(frozen=True)
class ProcessedArticle:
    key: str
    digest: str
    entry: ArticleEntry


# -- the build --


def build_site(options: BuildOptions, cache: BuildCache | None = None, out_dir: Path | None = None,
               progress: Progress | None = None, *, last_in_process: bool = False) -> BuildResult:
    """Build the site: into `out_dir`, atomically, or, without one, into memory.

    Pass the same `cache` to successive builds to reuse their work. `last_in_process`: the process
    ends after this build (`sitegen build`), so what the build froze (store.long_lived) stays
    frozen: Python's last collection, as the process exits, would walk it all once more.
    """
    try:
        return _build_site(options, cache, out_dir, progress)
    finally:
        if not last_in_process:
            gc.unfreeze()  # the collector's again: a cycle among those objects is freed once unreachable


def _build_site(options: BuildOptions, cache: BuildCache | None, out_dir: Path | None,
                progress: Progress | None) -> BuildResult:
    started = time.perf_counter()
    cache = cache if cache is not None else BuildCache()
    progress = progress or (lambda stage, done, total: None)
    root = options.source.resolve()  # one spelling of every path, however --source was written
    config, diagnostics = load_config(root, options.base_url)
    if config is None:  # no sitegen.yaml at all, or one that cannot be read
        return BuildResult(None, diagnostics, has_config=(root / CONFIG_FILE).is_file())
    with site_lock(root / CACHE_DIR):
        out_dir = out_dir.resolve() if out_dir is not None else None
        if out_dir is not None:  # first: the preview's folder is inside the cache's, which clears its leftovers
            recover_output(out_dir)
        cache.open()
        if options.relative:  # a site opened from disk cannot fetch its index: no search in it
            config = replace(config, search=False)
        search, why_not = probe_pagefind() if config.search else (None, "")
        if config.search and search is None:
            diagnostics = [*diagnostics, warning(CONFIG_FILE, None, f"search is off for this build: {why_not} "
                                                 "(set `search: false` to build without it and without this warning)")]
        if (why := lacking_words(config)) is not None:
            diagnostics = [*diagnostics, warning(CONFIG_FILE, None, why)]
        settings = Settings(config, options.drafts, options.epoch, cache.code, options.relative, search)
        build = _Build(root, options, settings, cache, out_dir, progress, list(diagnostics))
        try:
            try:
                files = build.run()
            except OSError:
                raise
            except Exception as exc:
                if not isinstance(exc, CacheDamaged) and not cache.read_from_disk:
                    raise  # a bug in sitegen
                # A cache file that read as sitegen's data and still was not what the build needed
                # (damaged, or made to look right): nothing was written yet, so build again from
                # the sources. An error that comes back then is sitegen's own, and is raised.
                cache.start_afresh(str(exc) if isinstance(exc, CacheDamaged) else f"{type(exc).__name__}: {exc}")
                build = _Build(root, options, settings, cache, out_dir, progress, list(diagnostics))
                files = build.run()
        except OSError as exc:  # a full disk, a folder that cannot be written: the output is as it was
            where = exc.filename if isinstance(exc.filename, str) else (out_dir or root)
            build.diagnostics.append(error(str(where), None, f"cannot be written: {exc.strerror or exc}"))
            files = None
        build.stats.seconds = time.perf_counter() - started
        return BuildResult(files, build.diagnostics, build.stats, config=config, notices=cache.take_notices(),
                           article_pages=build.article_pages, article_files=build.article_files,
                           sources=build.sources)


class _Build:
    """One build's stages, each a method called once, in order, by `run`."""

    def __init__(self, root: Path, options: BuildOptions, settings: Settings, cache: BuildCache,
                 out_dir: Path | None, progress: Progress, diagnostics: list[Diagnostic]):
        self.root, self.options, self.settings, self.cache = root, options, settings, cache
        self.config = settings.config
        self.out_dir, self.progress, self.diagnostics = out_dir, progress, diagnostics
        self.output_key = str(out_dir) if out_dir is not None else ""
        self.stats = BuildStats()
        self.article_pages: dict[str, str] = {}
        self.article_files: list[str] = []
        self.sources: dict[str, SourceStamp] = {}
        self.jobs = options.jobs if can_fork() else 1

    def run(self) -> BuiltFiles | None:
        sources = self.scan()
        static_files, found = TemplateSet.find_static_files(self.root)
        self.diagnostics += found
        layouts = Layouts(TemplateSet.digest_of(self.root), static_files)
        inputs = self.inputs_stamp(sources, layouts) if self.out_dir is not None else None
        unchanged = self.unchanged_since_last_build(inputs)
        if unchanged is not None:
            return unchanged
        made: dict[str, OutputEntry] | None = None
        try:
            articles = self.load(sources)
            planned = self.plan(articles)
            found = set(self.article_files)
            self.article_pages = {path: source for path, source in planned.claims.files.items()
                                  if path.endswith("index.html") and source in found}
            made, files = self.make_and_write(planned, {a.key: a.digest for a in articles},
                                              {a.key: a.entry.comment_digests for a in articles}, layouts)
        finally:
            # Articles read in a failed build are kept too: the build after the fix reuses them.
            if made is not None:
                self.cache.keep_outputs(self.output_key, made)
            self.cache.save()
        if made is not None and inputs is not None:
            # What the folder now holds, from the build's own record of each file, and its folders' times.
            written = output_stamp(self.out_dir, files.stamps)
            last = LastBuild(inputs, written, list(files.stamps), self.stats, self.diagnostics, self.article_pages,
                             self.sources)
            self.cache.remember_build(self.output_key, last)
        return files

    # -- scan --

    def scan(self) -> list[ArticleSource]:
        sources, found = scan_sources(self.root)
        self.diagnostics += found
        self.article_files = [f"{CONTENT_DIR}/{source.key}" for source in sources]
        self.stamps = {source.key: source_stamp(self.root, source) for source in sources}
        return sources

    def inputs_stamp(self, sources: list[ArticleSource], layouts: Layouts) -> str:
        """A digest of everything a build reads, by name, size and time, and of what reading the config
        and the folders found: equal stamps, equal outputs and messages."""
        hasher = hashlib.sha256(f"{self.settings.digest}:{layouts.digest}:{self.diagnostics!r}".encode())
        hasher.update(pickle.dumps([self.stamps[source.key] for source in sources]))  # faster than repr
        content = f"{self.root}/{CONTENT_DIR}/"
        hasher.update(pickle.dumps([stat(f"{content}{source.bundle_key}/{asset}") for source in sources
                                    for asset in source.assets]))
        for relative, path in layouts.static_files.items():
            hasher.update(repr((relative, stat(path))).encode())
        return hasher.hexdigest()

    def unchanged_since_last_build(self, inputs: str | None) -> BuiltFiles | None:
        """The output as the last build left it, when nothing it read has changed since, nor the folder."""
        last = self.cache.last_build(self.output_key, inputs) if inputs is not None else None
        if last is None:
            return None
        found = stats_now(self.out_dir, last.files)
        if last.output != output_stamp(self.out_dir, found):
            return None
        stats = self.stats = replace(last.stats, articles_processed=0, pages_made=0, files_copied=0, made=[],
                                     planned_anew=False, parts_planned=0)
        stats.pages_unchanged = stats.pages
        self.diagnostics[:] = last.diagnostics
        self.article_pages, self.sources = last.article_pages, last.sources
        return folder_files(self.out_dir, found)

    # -- load: each article read, checked and rendered, or taken from the cache --

    def load(self, sources: list[ArticleSource]) -> list[ProcessedArticle]:
        """Each article that loaded, in source order; every article's diagnostics are reported."""
        tables, cache = self.cache.tables, self.cache
        settings = self.settings.digest
        done: dict[str, ProcessedArticle] = {}
        todo: list[ArticleSource] = []
        for source in sources:
            stamp = self.stamps[source.key]
            known = tables.sources.get(source.key)
            if known is not None and known.stat != stamp:
                # Touched: the bytes decide (an editor's save-without-change keeps the cache).
                known = SourceStamp(stamp, read_article_files(self.root, source).digest)
            digest = article_digest(known.digest, settings) if known else ""
            entry = tables.articles.get(digest)
            if entry is not None and cache.has_work(digest):
                tables.sources[source.key] = known
                done[source.key] = ProcessedArticle(source.key, digest, entry)
            else:
                todo.append(source)
        if self.jobs > 1 and len(todo) >= PARALLEL_THRESHOLD:
            state = _LoadState(self.root, self.config, settings, cache.directory)
            results = map_in_workers(_process_source, todo, state, self.jobs)
        else:
            results = serial(_process_source, todo, _LoadState(self.root, self.config, settings, None))
        for count, (source, (files_digest, entry, work, texts)) in enumerate(zip(todo, results), 1):
            tables.sources[source.key] = SourceStamp(self.stamps[source.key], files_digest)
            digest = entry.record.digest if entry.loaded else ""
            if work is not None:
                cache.keep_work(digest, work)
            elif texts is not None:
                cache.keep_texts(digest, texts)
            done[source.key] = ProcessedArticle(source.key, digest, entry)
            self.stats.articles_processed += 1
            self.progress("articles", count, len(todo))
        tables.sources = {s.key: tables.sources[s.key] for s in sources}  # forget deleted articles
        self.sources = dict(tables.sources)
        tables.articles = {a.digest: a.entry for a in done.values() if a.entry.loaded}
        cache.store_texts()
        ordered = [done[source.key] for source in sources]
        self.diagnostics += [d for article in ordered for d in article.entry.diagnostics]
        return [article for article in ordered if article.entry.loaded]

    # -- assemble and plan, once per shape of the site --

    def plan(self, articles: list[ProcessedArticle]) -> Planned:
        key = shape_key(self.settings.digest, [article.entry.shape for article in articles])
        planned = self.cache.plans()
        if planned is None or planned.key != key:
            planned = plan_site(key, self.settings.digest, self.config, self.options.drafts, self.settings.no_date,
                                [article.entry.record for article in articles], self.settings.search is not None,
                                previous=planned, folder=self.cache.directory)
            self.cache.keep_plans(planned)
            self.stats.planned_anew = True
            self.stats.parts_planned = planned.planned
        self.diagnostics += planned.diagnostics
        self.stats.articles, self.stats.comments = planned.articles, planned.comments
        return planned

    # -- make and write --

    def make_and_write(self, planned: Planned, digests: dict[str, str], comment_digests: dict[str, bytes],
                       layouts: Layouts) -> tuple[dict[str, OutputEntry] | None, BuiltFiles | None]:
        """(every output file's record, the files), or (None, None) when the build found errors.

        `digests`: article key -> the digest of its content; `comment_digests`: article key -> its
        comments' (ArticleRecord.comment_digests)."""
        templates = self.cache.template_set(self.root, layouts.digest)
        templates.use_words(site_words(self.config))
        copies = {path: (file, templates.display_path(str(file))) for path, file in layouts.static_files.items()}
        self.diagnostics += planned.claim_beside([(path, label) for path, (_, label) in copies.items()])
        copies.update({url_path: (self.root / file, label) for url_path, (file, label) in planned.assets.items()})
        if has_errors(self.diagnostics):
            return None, None

        # A page's fingerprint: its plan, the content of the articles and comments it shows, the
        # templates and the code.
        salt = f"{self.settings.digest}:{templates.digest()}".encode()
        size = COMMENT_DIGEST_SIZE
        fingerprints = {page.path: hashlib.sha256(b"".join([
            salt, page.plan, *(digests[key].encode() for key in page.articles),
            *(comment_digests[key][place * size:(place + 1) * size] for key, place in page.comments),
        ])).hexdigest() for page in planned.pages}
        previous = self.cache.outputs(self.output_key)
        stale = sum(1 for path, fingerprint in fingerprints.items()
                    if getattr(previous.get(path), "fingerprint", None) != fingerprint)
        output = self.output_for(previous, stale)
        try:
            made: dict[str, OutputEntry] = {}
            todo = []
            for path, fingerprint in fingerprints.items():
                before = made_before(path, fingerprint, previous)
                if before is not None and output.keep(before):
                    made.update(before)
                else:
                    todo.append(planned.plan(path))
            planned.unpacked.clear()  # the plans are not kept between builds, only their pickles
            self.stats.pages, self.stats.pages_unchanged = len(fingerprints), len(fingerprints) - len(todo)
            context = MakeContext(self.config, templates, self.cache, digests, self.settings.relative)
            for count, (path, content, found) in enumerate(self.make(todo, context, output.staging), 1):
                self.diagnostics += found
                if content is not None:
                    fingerprint = fingerprints[path]
                    # A plan that makes a folder of files (Bundle) returns them all, its own path first;
                    # the others are its entry's parts, kept or made again with it.
                    files = content if isinstance(content, dict) else {path: content}
                    for file, data in files.items():
                        made[file] = (output.placed(file, fingerprint, data) if isinstance(data, tuple)
                                      else output.put(file, fingerprint, data))
                    made[path].parts = tuple(files)[1:]
                    self.stats.pages_made += 1
                    self.stats.made.append(path)
                self.progress("pages", count, len(todo))
            for url_path, (file, _) in copies.items():
                path, stamp = output_path(url_path), file_fingerprint(file)
                before = previous.get(path)
                if before is not None and before.fingerprint == stamp and output.keep({path: before}):
                    made[path] = before
                else:
                    made[path] = output.copy(path, stamp, file)
                    self.stats.files_copied += 1
            self.stats.files = len(made)
            if has_errors(self.diagnostics):
                output.abort()
                return None, None
            changed = bool(self.stats.pages_made or self.stats.files_copied or set(made) != set(previous))
            return made, output.commit(changed, made)
        except BaseException:
            output.abort()
            raise

    def output_for(self, previous: dict[str, OutputEntry], stale: int) -> Output:
        """Memory for serve and check; for a folder, a patch when little changed, else a fresh tree."""
        if self.out_dir is None:
            return MemoryOutput()
        if previous and self.out_dir.is_dir() and stale < PATCH_LIMIT:
            return PatchedOutput(self.out_dir, previous)
        return StagedOutput(self.out_dir)

    def make(self, plans: list[PagePlan], context: MakeContext, staging: Staging | None) -> Iterator:
        """(output path, bytes or the (size, mtime) of the file a worker wrote, diagnostics) per plan,
        the costly plans first."""
        plans.sort(key=lambda plan: not plan.costly)
        costly = sum(1 for plan in plans if plan.costly)
        if self.jobs > 1 and (len(plans) >= 8 * PARALLEL_THRESHOLD or costly > 1):
            return map_in_workers(_make_page, plans, _MakeState(context, staging), self.jobs, alone=costly)
        return serial(_make_page, plans, _MakeState(context, None))


# -- the per-item stages, in this process or a worker --


@dataclass(frozen=True)
class _LoadState:
    root: Path
    config: SiteConfig
    settings: str
    cache_dir: Path | None
    """Where a worker stores each article's work itself; without one, the work is sent back."""


def _process_source(state: _LoadState,
                    source: ArticleSource) -> tuple[str, ArticleEntry, ArticleWork | None, bytes | None]:
    """(the digest of its files, its entry, its work, or only its comments' texts when the worker
    stored the work itself): everything about an article that needs no other."""
    files = read_article_files(state.root, source)
    article, problems = load_article(files, state.config)
    if article is None:
        return files.digest, ArticleEntry(None, problems), None, None
    digest = article_digest(files.digest, state.settings)
    rendered, found = render_article(article, site_words(state.config), state.config.comments_per_page)
    record = summarize(article, rendered, digest, state.config)
    work = article_work(state.config, replace(article, url_path=record.url_path), rendered)
    texts = CommentTexts.of(work)
    record = replace(record, comment_digests=texts.digests())
    if state.cache_dir is None:
        return files.digest, ArticleEntry(record, problems + found), work, None
    try:
        write_work(state.cache_dir, digest, work)  # the parent reads it from there when a page needs it
    except OSError:  # a full disk: the parent keeps it, and says once that the cache could not be written
        return files.digest, ArticleEntry(record, problems + found), work, None
    return files.digest, ArticleEntry(record, problems + found), None, store.dumps(texts)  # to be packed


@dataclass(frozen=True)
class _MakeState:
    context: MakeContext
    staging: Staging | None
    """Where a worker writes the pages it makes itself (a fresh output tree), if anywhere."""
    folders_made: set[str] = field(default_factory=set)
    """The folders this worker made in `staging` already (each worker has its own copy)."""


def _make_page(state: _MakeState, plan: PagePlan) -> tuple[str, bytes | tuple[int, int] | dict | None, list[Diagnostic]]:
    path = output_path(plan.url_path)
    content, problems = make_page(plan, state.context)
    if content is None or state.staging is None:
        return path, content, problems
    # Written by the worker into the staging folder: only their sizes and times travel back.
    if isinstance(content, dict):
        return path, {file: state.staging.write(file, data, state.folders_made) for file, data in content.items()}, problems
    return path, state.staging.write(path, content, state.folders_made), problems


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def disk_cache(root: Path) -> BuildCache:
    """The cache `sitegen build` keeps in the site's root."""
    return BuildCache(root / CACHE_DIR)
