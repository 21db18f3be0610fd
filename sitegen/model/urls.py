"""Every URL of the site: permalinks, and how a page's path becomes a link or an absolute URL.

A page is known by its `url_path`, relative to base_url and ending in '/' for a folder
("2019/11/macron/", "" for the home page) or naming a file ("feed.xml").
"""

from __future__ import annotations

from sitegen.model.types import Moment, SiteConfig


def article_url_path(config: SiteConfig, slug: str, date: Moment) -> str:
    local = date.value
    return config.permalink.format(
        year=f"{local.year:04d}", month=f"{local.month:02d}", day=f"{local.day:02d}", slug=slug
    ).lstrip("/")


def href(config: SiteConfig, url_path: str) -> str:
    """The link a page uses for another page: a path from the host's root, base path included.

    Root-relative links work at any depth, which 404.html needs: GitHub Pages serves it for
    whatever URL was requested.
    """
    return config.base_path + url_path


def absolute_url(config: SiteConfig, url_path: str) -> str:
    return config.base_url + url_path
