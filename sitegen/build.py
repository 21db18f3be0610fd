"""The build: the one place the stages are chained, for `build`, `serve` and `check` alike.

    load_config ─ scan_sources ─ load_article* ─ assemble_site ─ render_article* ─ plan_pages ─ render_page*

Each stage returns its result and its diagnostics; a failing item drops out of later stages and
the run goes on, so one build reports every error it can find.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.diagnostics import Diagnostic, error, has_errors
from sitegen.load.articles import ArticleFiles, load_article, read_article_files
from sitegen.load.config import load_config
from sitegen.load.sources import scan_sources
from sitegen.model.site import assemble_site
from sitegen.render.articles import render_article
from sitegen.render.pages import plan_pages, render_page
from sitegen.render.templates import TemplateSet
from sitegen.write.paths import UnsafePath, output_path


@dataclass(frozen=True, slots=True)
class BuildOptions:
    source: Path
    base_url: str | None = None
    drafts: bool = False


@dataclass(slots=True)
class BuildStats:
    articles: int = 0
    comments: int = 0
    pages: int = 0
    files: int = 0
    articles_loaded: int = 0
    """Articles read and checked in this build (the rest came from the cache)."""
    articles_rendered: int = 0
    seconds: float = 0.0


class BuildCache:
    """Work kept between builds of one site (by `sitegen serve`), keyed by what it was made from.

    Every build still runs every stage, so deleted, renamed and added files are always seen;
    an article is only loaded again when its bytes or the config changed, and only rendered
    again when the loaded article changed.
    """

    def __init__(self):
        self.loaded: dict[str, tuple[tuple, object, list[Diagnostic]]] = {}
        self.rendered: dict[str, tuple[object, object, list[Diagnostic]]] = {}
        self.templates: TemplateSet | None = None
        self.templates_state: tuple | None = None

    def load(self, files: ArticleFiles, config, stats: BuildStats):
        key = (files.digest, config)
        hit = self.loaded.get(files.source.key)
        if hit is None or hit[0] != key:
            stats.articles_loaded += 1
            hit = self.loaded[files.source.key] = (key, *load_article(files, config))
        return hit[1], hit[2]

    def render(self, article, stats: BuildStats):
        hit = self.rendered.get(article.key)
        if hit is None or hit[0] != article:
            stats.articles_rendered += 1
            hit = self.rendered[article.key] = (article, *render_article(article))
        return hit[1], hit[2]

    def template_set(self, root: Path) -> TemplateSet:
        """The same Jinja environment (and its compiled templates) while layouts/ is unchanged."""
        state = (root, TemplateSet.layouts_state(root))
        if self.templates is None or self.templates_state != state:
            self.templates, self.templates_state = TemplateSet(root), state
        return self.templates


@dataclass(slots=True)
class BuildResult:
    files: dict[str, bytes | Path] | None
    """Output-relative path -> bytes, or a source file to copy; None when the build failed."""
    diagnostics: list[Diagnostic]
    stats: BuildStats = field(default_factory=BuildStats)
    has_config: bool = True
    """False when the folder has no sitegen.yaml: not a site at all."""

    @property
    def ok(self) -> bool:
        return self.files is not None


class _OutputFiles(dict):
    """The output being assembled; a path claimed twice is an error, never an overwrite."""

    def __init__(self):
        super().__init__()
        self.claimed_by: dict[str, str] = {}
        self.problems: list[Diagnostic] = []

    def add(self, url_path: str, content: bytes | Path, source: str) -> None:
        try:
            path = output_path(url_path)
        except UnsafePath as exc:
            self.problems.append(error(source, None, f"cannot be written: {exc}"))
            return
        if path in self.claimed_by:
            self.problems.append(error(source, None, f"would write {path}, which {self.claimed_by[path]} "
                                       "writes too (change a slug, or rename the file)"))
            return
        self.claimed_by[path] = source
        self[path] = content


def build_site(options: BuildOptions, cache: BuildCache | None = None) -> BuildResult:
    """Build the site in memory. Pass the same `cache` to successive builds to reuse their work."""
    started = time.perf_counter()
    cache = cache if cache is not None else BuildCache()
    stats = BuildStats()
    root = options.source
    config, diagnostics = load_config(root, options.base_url)
    if config is None:
        return BuildResult(None, diagnostics, has_config=False)

    sources, found = scan_sources(root)
    diagnostics += found
    articles = []
    for source in sources:
        article, found = cache.load(read_article_files(root, source), config, stats)
        diagnostics += found
        if article is not None:
            articles.append(article)

    site, found = assemble_site(config, articles, options.drafts)
    diagnostics += found

    rendered = {}
    for article in site.articles:
        result, found = cache.render(article, stats)
        diagnostics += found
        if not found:
            rendered[article.key] = result

    files = _OutputFiles()
    templates = cache.template_set(root)
    for relative, path in templates.static_files().items():
        files.add(relative, path, templates.display_path(str(path)))
    stats.articles = len(site.articles)
    stats.comments = sum(len(a.thread.comments) for a in site.articles)
    for plan in plan_pages(site, rendered):
        content, found = render_page(plan, templates)
        diagnostics += found
        if content is not None:
            files.add(plan.url_path, content, plan.source)
            stats.pages += 1
    for article in site.articles:
        for asset in article.assets:
            files.add(article.url_path + asset, root / article.bundle_dir / asset, article.path)
    diagnostics += files.problems
    stats.files = len(files)
    stats.seconds = time.perf_counter() - started
    if has_errors(diagnostics):
        return BuildResult(None, diagnostics, stats)
    return BuildResult(dict(files), diagnostics, stats)
