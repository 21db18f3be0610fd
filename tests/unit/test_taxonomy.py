"""The two indexes of the model stage: tags (merged spellings, colliding slugs) and the date archive."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sitegen.diagnostics import Severity
from sitegen.model.slugs import slugify
from sitegen.model.taxonomy import Month, Year, index_dates, index_tags
from sitegen.model.types import Article, Moment

UTC = ZoneInfo("UTC")


def record(key: str, tags: tuple[str, ...] = (), date: str = "2020-01-01T12:00", zone: ZoneInfo = UTC):
    """One article as the indexes read it (key, path, date, tags), dated DATE in ZONE.

    The one place that builds what `index_tags` and `index_dates` are given: if the element type
    of Site.articles changes, only this function changes.
    """
    moment = Moment(datetime.fromisoformat(date).replace(tzinfo=zone), has_time=True)
    return Article(key=key, path=f"content/{key}", slug=key.removesuffix(".md"), title=key, date=moment,
                   body="", body_line=1, tags=tuple(tags))


def nth_key(n: int) -> str:
    return f"{chr(ord('a') + n)}.md"


def articles(*tag_lists: tuple[str, ...]) -> tuple:
    """Articles a.md, b.md, ... carrying these tags, newest first as the indexes expect."""
    return tuple(record(nth_key(n), tags) for n, tags in enumerate(tag_lists))


def shown(tags) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(tag.name, tag.slug, tag.article_keys) for tag in tags]


# More cases beside test_load.py's: the slugs that tags collide on.
@pytest.mark.parametrize("text, slug", [
    ("  Hello   World ", "hello-world"),
    ("Україна", "ukraina"),
    ("ВМС США", "vms-ssha"),
    ("Café", "cafe"),
    ("Straße", "strasse"),
    ("e-mail@home", "e-mail-at-home"),
    ("C++ & C#", "c-plus-plus-and-c-sharp"),
    ("2019", "2019"),
    ("a" * 100, "a" * 80),
])
def test_a_tag_slug_is_transliterated_and_spells_out_symbols(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize("text", ["🙂", "…", "-", ""])
def test_text_with_no_letter_or_digit_gets_a_stable_digest_slug(text):
    slug = slugify(text)
    assert slug.startswith("x-") and len(slug) == 10
    assert slug == slugify(text)


def test_different_symbol_only_texts_get_different_slugs():
    assert len({slugify(text) for text in ["🙂", "🙃", "…", "-"]}) == 4


@pytest.mark.parametrize("tag_lists, expected", [
    pytest.param(
        [("Politics",), ("Economy", "Politics"), ()],
        [("Economy", "economy", ("b.md",)), ("Politics", "politics", ("a.md", "b.md"))],
        id="sorted-by-name-members-newest-first"),
    pytest.param(
        [("c++",), ("C++",), ("C++",)],
        [("C++", "c-plus-plus", ("a.md", "b.md", "c.md"))],
        id="case-variants-merge-into-the-majority-spelling"),
    pytest.param(
        [("Украина",), ("украина",)],
        [("Украина", "ukraina", ("a.md", "b.md"))],
        id="a-tie-goes-to-the-spelling-that-sorts-first"),
    pytest.param(
        [("украина",), ("Украина",)],
        [("Украина", "ukraina", ("a.md", "b.md"))],
        id="a-tie-does-not-go-to-the-first-written"),
    pytest.param(
        [("Banana",), ("apple",)],
        [("apple", "apple", ("b.md",)), ("Banana", "banana", ("a.md",))],
        id="sorted-whatever-the-case"),
    pytest.param(
        [("Economy", "economy", "Economy")],
        [("Economy", "economy", ("a.md",))],
        id="an-article-writing-two-spellings-counts-once"),
    pytest.param(
        [("Café",), ("Cafe",)],
        [("Cafe", "cafe", ("b.md",)), ("Café", "cafe-2", ("a.md",))],
        id="colliding-slugs-stay-apart-the-first-by-name-gets-the-plain-one"),
    pytest.param(
        [("Україна",), ("Украина",)],
        [("Украина", "ukraina", ("b.md",)), ("Україна", "ukraina-2", ("a.md",))],
        id="russian-and-ukrainian-spellings-are-two-tags"),
    pytest.param(
        [("Zürich",), ("zurich",)],
        [("zurich", "zurich", ("b.md",)), ("Zürich", "zurich-2", ("a.md",))],
        id="the-plain-slug-goes-to-the-first-whatever-the-case"),
    pytest.param(
        [("Café", "Cafe", "Cafè")],
        [("Cafe", "cafe", ("a.md",)), ("Cafè", "cafe-2", ("a.md",)), ("Café", "cafe-3", ("a.md",))],
        id="three-collide"),
    pytest.param(
        [("A",), ("Á",), ("Ä 2",)],
        [("A", "a", ("a.md",)), ("Á", "a-2", ("b.md",)), ("Ä 2", "a-2-2", ("c.md",))],
        id="a-numbered-slug-is-not-taken-twice"),
    pytest.param(
        [("Cafe",), ("Cafe 2",), ("Café",)],
        [("Cafe", "cafe", ("a.md",)), ("Cafe 2", "cafe-2", ("b.md",)), ("Café", "cafe-3", ("c.md",))],
        id="a-tag-whose-own-slug-is-numbered-keeps-it"),
    pytest.param([(), ()], [], id="no-tags"),
])
def test_tags_are_grouped_with_unique_slugs(tag_lists, expected):
    tags, _, _ = index_tags(articles(*tag_lists))
    assert shown(tags) == expected
    assert len({tag.slug for tag in tags}) == len(tags)


def test_every_spelling_as_written_leads_to_its_tag():
    _, tag_of, _ = index_tags(articles(("C++", "Café"), ("c++",), ("Cafe",)))
    assert {written: (tag.name, tag.slug) for written, tag in tag_of.items()} == {
        "C++": ("C++", "c-plus-plus"),
        "c++": ("C++", "c-plus-plus"),
        "Café": ("Café", "cafe-2"),
        "Cafe": ("Cafe", "cafe"),
    }


def test_no_warning_when_every_article_writes_a_tag_alike():
    _, _, problems = index_tags(articles(("Politics", "C++"), ("Politics",), ("C++", "Украина")))
    assert problems == []


def test_a_minority_spelling_is_reported_where_it_is_first_written():
    _, _, problems = index_tags(articles(("C++",), ("c++",), ("C++",), ("c++",), ("C++",)))
    assert [str(p) for p in problems] == [
        "content/b.md: warning: tag 'c++' is shown as 'C++' (tags that differ only in case are one tag; "
        "3 article(s) write 'C++')"
    ]
    assert problems[0].severity is Severity.WARNING


def test_each_minority_spelling_gets_its_own_warning():
    _, _, problems = index_tags(articles(("ukraine",), ("Ukraine",), ("UKRAINE",), ("Ukraine",)))
    assert sorted((p.path, p.message.split("'")[1]) for p in problems) == [
        ("content/a.md", "ukraine"), ("content/c.md", "UKRAINE"),
    ]
    assert all(not p.is_error for p in problems)


def test_a_renamed_slug_is_reported_at_the_tag_that_lost_the_plain_one():
    _, _, problems = index_tags(articles(("Politics",), ("Café",), ("Café", "Cafe")))
    assert [str(p) for p in problems] == [
        "content/b.md: warning: tag 'Café' has the URL /tags/cafe-2/ because 'Cafe' already has /tags/cafe/ "
        "(rename one to merge them)"
    ]


def test_the_tag_index_does_not_depend_on_the_order_tags_are_written_in_an_article():
    forward, _, _ = index_tags(articles(("Café", "Cafe", "C++"), ("c++",)))
    backward, _, _ = index_tags(articles(("C++", "Cafe", "Café"), ("c++",)))
    assert forward == backward


def month_keys(years: tuple[Year, ...]) -> list[tuple[int, int, tuple[str, ...]]]:
    return [(month.year, month.month, month.article_keys) for year in years for month in year.months]


@pytest.mark.parametrize("dates, expected", [
    pytest.param(
        ["2021-02-14T12:00", "2020-07-01T01:30", "2020-01-15T00:00", "2020-01-15T00:00", "2019-03-10T00:00"],
        [(2021, 2, ("a.md",)), (2020, 7, ("b.md",)), (2020, 1, ("c.md", "d.md")), (2019, 3, ("e.md",))],
        id="years-and-months-newest-first"),
    pytest.param(
        ["2020-12-31T23:59:59", "2020-12-01T00:00", "2020-11-30T23:59:59"],
        [(2020, 12, ("a.md", "b.md")), (2020, 11, ("c.md",))],
        id="month-boundaries"),
    pytest.param(
        ["2021-01-01T00:00", "2020-12-31T23:59"],
        [(2021, 1, ("a.md",)), (2020, 12, ("b.md",))],
        id="year-boundary"),
    pytest.param([], [], id="no-articles"),
])
def test_the_archive_groups_articles_by_month(dates, expected):
    years = index_dates(tuple(record(nth_key(n), date=d) for n, d in enumerate(dates)))
    assert month_keys(years) == expected
    assert [y.year for y in years] == sorted({y for y, _, _ in expected}, reverse=True)


def test_a_year_lists_its_months_newest_first_and_their_articles_in_order():
    years = index_dates(tuple(record(key, date=date) for key, date in [
        ("dec.md", "2019-12-05T00:00"), ("mar-2.md", "2019-03-22T18:05"), ("mar-1.md", "2019-03-10T00:00")]))
    assert years == (Year(2019, (Month(2019, 12, ("dec.md",)), Month(2019, 3, ("mar-2.md", "mar-1.md")))),)
    assert years[0].article_keys == ("dec.md", "mar-2.md", "mar-1.md")


@pytest.mark.parametrize("local, zone, year_month", [
    ("2020-01-01T01:00", "Europe/Moscow", (2020, 1)),        # 2019-12-31 22:00 in UTC
    ("2020-06-30T19:30", "America/New_York", (2020, 6)),     # 2020-06-30 23:30 in UTC
    ("2020-06-30T21:30", "America/New_York", (2020, 6)),     # 2020-07-01 01:30 in UTC
    ("2020-07-01T01:30", "UTC", (2020, 7)),
])
def test_an_article_is_archived_by_its_date_in_the_site_timezone(local, zone, year_month):
    [year] = index_dates((record("a.md", date=local, zone=ZoneInfo(zone)),))
    assert (year.year, year.months[0].month) == year_month
