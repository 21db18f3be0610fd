"""Every URL of the site: permalinks, the fixed pages, links under a base path, and the output files
they become (which can never leave the output folder)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sitegen.load.config import load_config
from sitegen.model import urls
from sitegen.model.pagination import page_url_path
from sitegen.model.types import Moment, SiteConfig
from sitegen.write.paths import UnsafePath, output_path

NEW_YORK = ZoneInfo("America/New_York")


def site(base_url: str = "https://example.org/", base_path: str = "/", **settings) -> SiteConfig:
    return SiteConfig(title="T", base_url=base_url, base_path=base_path, **settings)


def read_config(folder, settings: str):
    """sitegen.yaml with SETTINGS read as `sitegen build` reads it: (config, problems)."""
    (folder / "sitegen.yaml").write_text("title: T\n" + settings)
    return load_config(folder)


def read_permalink(folder, written: str):
    return read_config(folder, f'base_url: https://example.org/\npermalink: "{written}"\n')


def moment(text: str, zone: ZoneInfo = NEW_YORK) -> Moment:
    return Moment(datetime.fromisoformat(text).replace(tzinfo=zone), has_time=True)


@pytest.mark.parametrize("permalink, date, slug, url_path", [
    ("/{year}/{month}/{slug}/", "2019-11-05T10:00", "macron", "2019/11/macron/"),
    ("/{year}/{month}/{day}/{slug}/", "2019-11-05T10:00", "macron", "2019/11/05/macron/"),
    ("/{year}/{month}/{day}/{slug}/", "2023-03-10T21:30", "alles-v1.0~final", "2023/03/10/alles-v1.0~final/"),
    ("/{slug}/", "2019-11-05T10:00", "macron", "macron/"),
    ("/{year}/{slug}/", "0987-01-02T00:00", "old", "0987/old/"),
    ("/articles/{year}-{month}-{day}-{slug}/", "2020-02-29T23:59", "leap", "articles/2020-02-29-leap/"),
    ("/{slug}/{year}/", "2021-12-31T00:00", "s", "s/2021/"),
])
def test_an_article_url_fills_each_placeholder_zero_padded(permalink, date, slug, url_path):
    assert urls.article_url_path(site(permalink=permalink), slug, moment(date)) == url_path


def test_the_default_permalink_is_year_month_slug():
    assert urls.article_url_path(site(), "macron", moment("2019-01-05T10:00")) == "2019/01/macron/"


def test_an_article_url_uses_the_date_as_the_site_shows_it():
    late_evening = moment("2023-03-10T21:30")  # already 2023-03-11 in UTC
    assert urls.article_url_path(site(permalink="/{year}/{month}/{day}/{slug}/"), "s", late_evening) == "2023/03/10/s/"


@pytest.mark.parametrize("url_path, expected", [
    (urls.tag_url_path("c-plus-plus"), "tags/c-plus-plus/"),
    (urls.tag_feed_url_path("ukraina-2"), "tags/ukraina-2/feed.xml"),
    (urls.year_url_path(2019), "2019/"),
    (urls.year_url_path(987), "0987/"),
    (urls.month_url_path(2019, 3), "2019/03/"),
    (urls.month_url_path(2019, 11), "2019/11/"),
    (urls.comments_feed_url_path("2019/11/macron/"), "2019/11/macron/comments.xml"),
    (urls.annotations_url_path("2019/11/macron/"), "2019/11/macron/annotations.jsonld"),
])
def test_the_url_of_each_kind_of_page(url_path, expected):
    assert url_path == expected


@pytest.mark.parametrize("url_path, output_file", [
    (urls.HOME, "index.html"),
    (page_url_path(urls.HOME, 2), "page/2/index.html"),
    (urls.TAGS, "tags/index.html"),
    (page_url_path(urls.tag_url_path("politics"), 3), "tags/politics/page/3/index.html"),
    (urls.tag_feed_url_path("politics"), "tags/politics/feed.xml"),
    (urls.ARCHIVE, "archive/index.html"),
    (urls.RECENT_COMMENTS, "comments/index.html"),
    (urls.NOTES, "notes/index.html"),
    (urls.year_url_path(2020), "2020/index.html"),
    (urls.month_url_path(2020, 7), "2020/07/index.html"),
    ("2020/07/moia-statia/", "2020/07/moia-statia/index.html"),
    ("2023/03/10/alles-v1.0~final/", "2023/03/10/alles-v1.0~final/index.html"),
    ("2022/05/lead-story/figures/chart.svg", "2022/05/lead-story/figures/chart.svg"),
    ("tags/украина/", "tags/украина/index.html"),
    (urls.FEED, "feed.xml"),
    (urls.SITEMAP, "sitemap.xml"),
    (urls.ROBOTS, "robots.txt"),
    (urls.NOT_FOUND, "404.html"),
    (urls.STYLESHEET, "style.css"),
    (urls.NO_JEKYLL, ".nojekyll"),
    (urls.CNAME, "CNAME"),
])
def test_a_folder_url_is_its_index_html_and_a_file_url_is_the_file(url_path, output_file):
    assert output_path(url_path) == output_file


@pytest.mark.parametrize("url_path", [
    "/", "/index.html", "/2019/11/macron/",          # absolute
    "..", "../", "../index.html", "a/..", "a/../", "a/b/../../..", "2019/11/../../../etc/",
    ".", "./", "a/./b/", "a//b/", "//",              # '.' and empty segments
    "a\\b/", "..\\..\\x", "a\x00b/", "a\nb/", "a\tb", "a\x7fb/", "\x1b[2J/",
])
def test_an_unsafe_url_path_is_refused(url_path):
    with pytest.raises(UnsafePath):
        output_path(url_path)


@pytest.mark.parametrize("slug", ["..", ".", "a/../../b", "a\\b", "a\x00b"])
def test_an_article_url_from_a_hostile_slug_cannot_become_an_output_path(slug):
    url_path = urls.article_url_path(site(), slug, moment("2019-11-05T10:00"))
    with pytest.raises(UnsafePath):
        output_path(url_path)


def test_unsafe_path_is_a_value_error():
    assert issubclass(UnsafePath, ValueError)


@pytest.mark.parametrize("base_url, base_path, url_path, link, absolute", [
    ("https://example.org/", "/", urls.HOME, "/", "https://example.org/"),
    ("https://example.org/", "/", "2019/11/macron/", "/2019/11/macron/", "https://example.org/2019/11/macron/"),
    ("https://example.org/project/", "/project/", urls.HOME, "/project/", "https://example.org/project/"),
    ("https://example.org/project/", "/project/", "2022/05/lead-story/tiny.png",
     "/project/2022/05/lead-story/tiny.png", "https://example.org/project/2022/05/lead-story/tiny.png"),
    ("https://example.org/a/b/", "/a/b/", urls.FEED, "/a/b/feed.xml", "https://example.org/a/b/feed.xml"),
    ("http://localhost:8000/", "/", urls.tag_url_path("c-plus-plus"), "/tags/c-plus-plus/",
     "http://localhost:8000/tags/c-plus-plus/"),
])
def test_links_carry_the_base_path_and_feeds_the_whole_base_url(base_url, base_path, url_path, link, absolute):
    config = site(base_url, base_path)
    assert urls.href(config, url_path) == link
    assert urls.absolute_url(config, url_path) == absolute


@pytest.mark.parametrize("written, base_url, base_path", [
    ("https://example.org", "https://example.org/", "/"),
    ("https://example.org/", "https://example.org/", "/"),
    ("https://example.org/digest", "https://example.org/digest/", "/digest/"),
    ("https://user.github.io/a/b/", "https://user.github.io/a/b/", "/a/b/"),
    ("http://localhost:8000/x/", "http://localhost:8000/x/", "/x/"),
])
def test_the_base_path_is_the_path_of_base_url_ending_in_a_slash(tmp_path, written, base_url, base_path):
    config, problems = read_config(tmp_path, f"base_url: {written}\n")
    assert problems == []
    assert (config.base_url, config.base_path) == (base_url, base_path)


@pytest.mark.parametrize("written, permalink", [
    ("/{year}/{month}/{slug}/", "/{year}/{month}/{slug}/"),
    ("{year}/{slug}", "/{year}/{slug}/"),
    ("/{year}/{month}/{day}/{slug}", "/{year}/{month}/{day}/{slug}/"),
    ("/articles/{year}-{month}-{day}-{slug}/", "/articles/{year}-{month}-{day}-{slug}/"),
])
def test_a_permalink_is_read_as_a_folder_path(tmp_path, written, permalink):
    config, problems = read_permalink(tmp_path, written)
    assert (problems, config.permalink) == ([], permalink)


@pytest.mark.parametrize("written, message", [
    ("/{year}/{month}/", "must contain {slug}"),
    ("/{year}/{hour}/{slug}/", "unknown placeholder {hour}"),
    ("/{year}/../{slug}/", "is not a path like"),
    ("/{year}/{slug}/?x", "is not a path like"),
    ("/{year}}/{slug}/", "opens or closes no placeholder"),
])
def test_a_permalink_that_cannot_give_every_article_a_safe_url_is_an_error(tmp_path, written, message):
    _, problems = read_permalink(tmp_path, written)
    assert [p.path for p in problems] == ["sitegen.yaml"]
    assert message in problems[0].message
