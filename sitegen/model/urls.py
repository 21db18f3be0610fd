"""Every URL of the site, decided here and nowhere else.

A page is known by its `url_path`, relative to base_url and ending in '/' for a folder
("2019/11/macron/", "" for the home page) or naming a file ("feed.xml"). `href` turns it into
the link pages use, `absolute_url` into the URL feeds and sitemaps use.
"""

from __future__ import annotations

import posixpath

from sitegen.model.pagination import page_url_path
from sitegen.model.types import Moment, SiteConfig

HOME = ""
TAGS = "tags/"
ARCHIVE = "archive/"
RECENT_COMMENTS = "comments/"
NOTES = "notes/"
PEOPLE = "people/"
STATS = "stats/"
SEARCH = "search/"
SEARCH_INDEX = "pagefind/"
"""Pagefind's files: its script in the first shard's folder, and one folder per shard (render/planner.py)."""
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOT_FOUND = "404.html"
STYLESHEET = "style.css"
NO_JEKYLL = ".nojekyll"
CNAME = "CNAME"


def article_url_path(config: SiteConfig, slug: str, date: Moment) -> str:
    local = date.value
    return config.permalink.format(
        year=f"{local.year:04d}", month=f"{local.month:02d}", day=f"{local.day:02d}", slug=slug
    ).lstrip("/")


def tag_url_path(slug: str) -> str:
    return f"{TAGS}{slug}/"


def tag_feed_url_path(slug: str) -> str:
    return f"{TAGS}{slug}/feed.xml"


def person_url_path(slug: str) -> str:
    return f"{PEOPLE}{slug}/"


def person_feed_url_path(slug: str) -> str:
    return f"{PEOPLE}{slug}/feed.xml"


def year_url_path(year: int) -> str:
    return f"{year:04d}/"


def month_url_path(year: int, month: int) -> str:
    return f"{year:04d}/{month:02d}/"


def comments_feed_url_path(article_url_path: str) -> str:
    return article_url_path + "comments.xml"


def comment_page_url_path(article_url_path: str, number: int) -> str:
    """A long thread's page of comments: the article itself, then its URL + "page/2/", ... as lists
    are paginated."""
    return page_url_path(article_url_path, number)


def comment_page_link(from_number: int, to_number: int) -> str:
    """A link from one page of a thread to another, relative, as an article's HTML needs it: it is
    rendered before its URL is decided. ("page/3/" from the article, "../../" back to it.)"""
    here, there = (page_url_path("", number).rstrip("/") or "." for number in (from_number, to_number))
    return posixpath.relpath(there, here) + "/"


def comment_url_path(article_url_path: str, page: int, comment_id: str) -> str:
    """A comment's permalink: the page of comments that holds it + #comment-ID."""
    return f"{comment_page_url_path(article_url_path, page)}#comment-{comment_id}"


def annotations_url_path(article_url_path: str) -> str:
    return article_url_path + "annotations.jsonld"


def href(config: SiteConfig, url_path: str) -> str:
    """The link a page uses for another page: a path from the host's root, base path included.

    Root-relative links work at any depth, which 404.html needs: GitHub Pages serves it for
    whatever URL was requested.
    """
    return config.base_path + url_path


def absolute_url(config: SiteConfig, url_path: str) -> str:
    return config.base_url + url_path


def search_shard_url_path(number: int) -> str:
    """A shard's folder. Pagefind's script takes the site's root to be the part of the folder's
    URL before `pagefind/`, which is where results lead."""
    return f"{SEARCH_INDEX}{number}/"
