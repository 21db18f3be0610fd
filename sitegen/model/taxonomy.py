"""The two indexes of a digest: tags, and the archive of years and months.

Tag URLs never overwrite each other. Tags that differ only in case or Unicode form ("Ukraine",
"ukraine") are one tag (model/slugs.same_name_key), shown with the spelling most articles use,
and the author is told. Different tags whose slugs still collide ("Café" and "Cafe") keep
distinct URLs: the one that sorts first gets the plain slug, the next "-2", and so on, and the
author is told that too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sitegen.diagnostics import Diagnostic, warning
from sitegen.model.slugs import allot_slugs, same_name_key
from sitegen.model.records import ArticleRecord


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    article_keys: tuple[str, ...]
    """Newest first."""


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    article_keys: tuple[str, ...]


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Month, ...]
    """Newest first."""

    @property
    def article_keys(self) -> tuple[str, ...]:
        return tuple(key for month in self.months for key in month.article_keys)


def index_tags(articles: tuple[ArticleRecord, ...]) -> tuple[tuple[Tag, ...], dict[str, Tag], list[Diagnostic]]:
    """(tags sorted by name, {spelling as some article writes it: its tag}, warnings).

    `articles` are newest first.
    """
    problems: list[Diagnostic] = []
    spellings: dict[str, Counter] = {}
    first_user: dict[str, ArticleRecord] = {}
    for article in articles:
        for name in article.tags:
            spellings.setdefault(same_name_key(name), Counter())[name] += 1
            first_user.setdefault(name, article)

    canonical: dict[str, str] = {}  # same_name_key -> the spelling shown
    for folded, counts in spellings.items():
        shown = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]
        canonical[folded] = shown
        for variant in sorted(counts):
            if variant != shown:
                problems.append(warning(first_user[variant].path, None, f"tag '{variant}' is shown as '{shown}' "
                                        f"(tags that differ only in case are one tag; {counts[shown]} article(s) "
                                        f"write '{shown}')"))

    slug_of, moved = allot_slugs(sorted(canonical.values(), key=lambda name: (name.casefold(), name)))
    for shown, slug, holder in moved:
        problems.append(warning(first_user[shown].path, None, f"tag '{shown}' has the URL /tags/{slug}/ "
                                f"because '{holder}' already has /tags/{slug_of[holder]}/ (rename one to merge them)"))

    members: dict[str, list[str]] = {shown: [] for shown in slug_of}
    for article in articles:
        for shown in dict.fromkeys(canonical[same_name_key(name)] for name in article.tags):
            members[shown].append(article.key)
    tags = tuple(Tag(shown, slug_of[shown], tuple(members[shown]))
                 for shown in sorted(slug_of, key=lambda name: (name.casefold(), name)))
    by_name = {tag.name: tag for tag in tags}
    written = {name: by_name[canonical[same_name_key(name)]] for name in first_user}
    return tags, written, problems


def index_dates(articles: tuple[ArticleRecord, ...]) -> tuple[Year, ...]:
    """Years and months with articles, newest first; dates are in the site's timezone."""
    months: dict[tuple[int, int], list[str]] = {}
    for article in articles:
        local = article.date.value
        months.setdefault((local.year, local.month), []).append(article.key)
    years: dict[int, list[Month]] = {}
    for (year, month), keys in sorted(months.items(), reverse=True):
        years.setdefault(year, []).append(Month(year, month, tuple(keys)))
    return tuple(Year(year, tuple(entries)) for year, entries in years.items())
