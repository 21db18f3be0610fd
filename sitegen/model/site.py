"""Assemble the site from its loaded articles: drafts, order, URLs, duplicate URLs, and indexes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sitegen.diagnostics import Diagnostic, error
from sitegen.model.taxonomy import Tag, Year, index_dates, index_tags
from sitegen.model.records import ArticleRecord
from sitegen.model.types import SiteConfig


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    articles: tuple[ArticleRecord, ...]
    """Published articles, newest first."""
    tags: tuple[Tag, ...] = ()
    tag_of: dict[str, Tag] = field(default_factory=dict)
    """Every tag as some article writes it -> the tag it is ("ukraine" -> Ukraine)."""
    years: tuple[Year, ...] = ()


def newest_first(article: ArticleRecord):
    return (-article.date.value.timestamp(), article.key)


def assemble_site(config: SiteConfig, articles: list[ArticleRecord],
                  include_drafts: bool) -> tuple[Site, list[Diagnostic]]:
    published = [a for a in articles if include_drafts or not a.draft]
    problems: list[Diagnostic] = []
    claimed: dict[str, ArticleRecord] = {}
    placed: list[ArticleRecord] = []
    for article in sorted(published, key=lambda a: a.key):
        if article.url_path in claimed:
            problems.append(error(article.path, None, f"has the same URL /{article.url_path} as "
                                  f"{claimed[article.url_path].path} (give one of them another slug: in its front matter)"))
            continue
        claimed[article.url_path] = article
        placed.append(article)
    ordered = tuple(sorted(placed, key=newest_first))
    tags, tag_of, found = index_tags(ordered)
    return Site(config, ordered, tags, tag_of, index_dates(ordered)), problems + found
