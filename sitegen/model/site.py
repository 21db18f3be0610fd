"""Assemble the site from its loaded articles: drafts, order, URLs, duplicate URLs, and indexes
(tags, the archive, commenters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sitegen.diagnostics import Diagnostic, error
from sitegen.model.people import Person, index_people
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
    people: tuple[Person, ...] = ()
    """Commenters, most active first; none when the config turns their pages off."""
    person_of: dict[str, Person] = field(default_factory=dict)
    """same_name_key of a handle -> its commenter."""


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
    problems += _check_links(ordered, {a.key: a for a in articles})
    tags, tag_of, found = index_tags(ordered)
    people, person_of, more = index_people(ordered, config.people_exclude) if config.people else ((), {}, [])
    return Site(config, ordered, tags, tag_of, index_dates(ordered), people, person_of), problems + found + more


def _check_links(published: tuple[ArticleRecord, ...], every: dict[str, ArticleRecord]) -> list[Diagnostic]:
    """An error for each link to a Markdown file that names no article and no file of a bundle,
    and for each link to an article that is not built. A link to a folder that is no bundle, or to
    a bundle's own file, is an ordinary link, left as written."""
    shown = {article.key for article in published}
    bundle_files = {f"{a.bundle_dir.removeprefix('content/')}/{asset}" for a in published if a.bundle_dir
                    for asset in a.assets}
    problems = []
    for article in published:
        for key, written, line, _ in article.links:
            if key in shown or key in bundle_files or (urlsplit(written).path.endswith("/") and key not in every):
                continue
            if key not in every:
                why = f"there is no article content/{key}"
            elif every[key].draft:
                why = f"content/{key} is a draft (build with --drafts to link to it)"
            else:
                why = f"content/{key} is not built: another article has its URL"
            problems.append(error(article.path, line, f"the link '{written}' leads nowhere: {why}"))
    return problems
