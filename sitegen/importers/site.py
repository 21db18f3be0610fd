"""The site an import writes into: its settings and articles, or for a folder that is not a site
yet, a first sitegen.yaml made from what the export says about the blog."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sitegen.diagnostics import Diagnostic
from sitegen.importers.writing import dump_yaml
from sitegen.load.articles import load_article, read_article_files
from sitegen.load.config import CONFIG_FILE, base_url, language, load_config
from sitegen.load.schema import Invalid
from sitegen.load.sources import BUNDLE_THREAD, THREAD_SUFFIX, scan_sources
from sitegen.model.urls import article_url_path
from sitegen.model.types import Article, SiteConfig

PLACEHOLDER_BASE_URL = "https://example.org/"


def read_site_config(root: Path) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """ROOT's sitegen.yaml, checked; (None, []) when there is none.

    A sitegen.yaml with errors stops the import: what it writes must build at once, and a site
    whose settings are wrong cannot.
    """
    if not (root / CONFIG_FILE).exists():
        return None, []
    config, problems = load_config(root)
    errors = [p for p in problems if p.is_error]
    return (None, errors) if errors else (config, [])


def site_yaml(title: str, link: str, description: str, language_tag: str, command: str) -> str:
    """A first sitegen.yaml for a folder that is not a site yet, from the export's own settings."""
    settings = {"title": title or "Imported digest", "base_url": _or_none(base_url, link) or PLACEHOLDER_BASE_URL}
    if description:
        settings["description"] = description
    if _or_none(language, language_tag):
        settings["language"] = _or_none(language, language_tag)
    settings["timezone"] = "UTC"
    return (f"# Written by `{command}` (see docs/format.md).\n"
            "# base_url is where the blog was: set it to where this site will be.\n"
            "# Imported dates keep their offsets; timezone is how the site shows them.\n"
            + dump_yaml(settings))


def _or_none(check, value: str):
    try:
        return check(value)
    except Invalid:
        return None


def site_articles(root: Path, config: SiteConfig) -> tuple[Article, ...]:
    """Every article that loads, drafts included, with its URL; the build reports the others."""
    sources, _ = scan_sources(root)
    loaded = [article for article, _ in (load_article(read_article_files(root, s), config) for s in sources) if article]
    return tuple(replace(article, url_path=article_url_path(config, article.slug, article.date)) for article in loaded)


def thread_path(article: Article) -> str:
    """Where an article's thread file is (or goes), relative to the site root."""
    if article.bundle_dir is not None:
        return f"{article.bundle_dir}/{BUNDLE_THREAD}"
    return article.path.removesuffix(".md") + THREAD_SUFFIX
