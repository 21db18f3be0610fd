"""Assemble the site from its loaded articles: drafts, order, URLs, duplicate URLs, and indexes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sitegen.diagnostics import Diagnostic, error
from sitegen.model.taxonomy import Tag, Year, index_dates, index_tags
from sitegen.model.types import Placed, SiteConfig
from sitegen.model.urls import article_url_path


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    articles: tuple[Placed, ...]
    """Published articles, newest first, each with its url_path."""
    tags: tuple[Tag, ...] = ()
    tag_of: dict[str, Tag] = field(default_factory=dict)
    """Every tag as some article writes it -> the tag it is ("ukraine" -> Ukraine)."""
    years: tuple[Year, ...] = ()


def newest_first(article: Placed):
    return (-article.date.value.timestamp(), article.key)


def assemble_site(config: SiteConfig, articles: list[Placed], include_drafts: bool) -> tuple[Site, list[Diagnostic]]:
    published = [a for a in articles if include_drafts or not a.draft]
    problems: list[Diagnostic] = []
    claimed: dict[str, Placed] = {}
    placed: list[Placed] = []
    for article in sorted(published, key=lambda a: a.key):
        url_path = article.url_path or article_url_path(config, article.slug, article.date)
        if url_path in claimed:
            problems.append(error(article.path, None, f"has the same URL /{url_path} as {claimed[url_path].path} "
                                  "(give one of them another slug: in its front matter)"))
            continue
        claimed[url_path] = article
        placed.append(article if article.url_path == url_path else replace(article, url_path=url_path))
    ordered = tuple(sorted(placed, key=newest_first))
    tags, tag_of, found = index_tags(ordered)
    return Site(config, ordered, tags, tag_of, index_dates(ordered)), problems + found
