"""What each page is made from: one frozen plan type per kind of page (FORMAT.md's table "The
pages it makes"), made by the planner (render/planner.py) before anything renders, and made into
a page by its maker (render/pages.py).

A plan carries by name what its maker needs: small plain data, in which an article whose content
the page shows is named by its key (`PagePlan.articles`). The build binds each key to the digest
of the article's current content; the digest of a plan and of its articles' digests says whether
the page can change. Plans hold no digests, so an edit that changes no article's record leaves
every plan as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, NamedTuple

from sitegen.render.views import Link, PagerView, PageView, SiteView


@dataclass(frozen=True, kw_only=True)
class PagePlan:
    """What every page has: where it goes, and what it comes from."""

    url_path: str
    source: str
    """The file this page comes from (an article's path), or what made it ("tag index"), for messages."""
    costly: ClassVar[bool] = False
    """True for plans made by another program, taking seconds rather than milliseconds (a search
    shard): the build hands them out first, one at a time, so its workers share them."""

    @property
    def articles(self) -> tuple[str, ...]:
        """The keys of the articles whose rendered content the page shows (fetched by its maker)."""
        return ()

    @property
    def comments(self) -> tuple[tuple[str, str], ...]:
        """(article key, comment id) of each comment the page shows the text of, apart from those
        of the articles it shows whole."""
        return ()


@dataclass(frozen=True, kw_only=True)
class TemplatePage(PagePlan):
    """A page made from a template and a view of records alone (lists, indexes, the 404 page)."""

    template: str
    view: dict[str, Any]
    """The template's context: `site`, `page` and the names the template reads."""


@dataclass(frozen=True, kw_only=True)
class OneArticlePage(PagePlan):
    """A page that shows one article's content."""

    key: str

    @property
    def articles(self) -> tuple[str, ...]:
        return (self.key,)


@dataclass(frozen=True, kw_only=True)
class ArticlePage(OneArticlePage):
    site: SiteView
    page: PageView
    tags: tuple[Link, ...]
    month: Link
    newer: Link | None
    older: Link | None
    people: tuple[tuple[str, str], ...]
    """(a comment's author as written, their commenter's page) for each commenter who has one."""
    links: tuple[str, ...] = ()
    """The URLs of the articles its body links to by their source file, in order."""
    thread_pager: PagerView | None = None
    """Which page of a long thread this is (model/threads.py), or None when the thread has one
    page. The first page is the article; the others show its header and their comments."""


@dataclass(frozen=True, kw_only=True)
class CommentsFeed(OneArticlePage):
    """An article's thread as an Atom feed."""


@dataclass(frozen=True, kw_only=True)
class AnnotationsDocument(OneArticlePage):
    """An article's notes as a W3C Web Annotation collection (JSON-LD)."""


class ListedComment(NamedTuple):
    """A comment that a page lists away from its article. The plan names it only: everything shown
    of it, its article's title included, its maker reads from the article (CommentTexts), and the
    page's fingerprint covers exactly that (CommentTexts.digests)."""

    key: str
    """The article it is on."""
    comment_id: str
    person_url: str | None
    """Its commenter's page, which depends on every commenter of the digest (their slugs)."""


@dataclass(frozen=True, kw_only=True)
class CommentsPage(TemplatePage):
    """A page that lists comments from across the digest (/comments/, a commenter's pages): the
    template is given `comments`, their views with each one's text."""

    listed: tuple[ListedComment, ...]

    @property
    def comments(self) -> tuple[tuple[str, str], ...]:
        return tuple((comment.key, comment.comment_id) for comment in self.listed)


@dataclass(frozen=True, kw_only=True)
class CommenterFeed(PagePlan):
    """A commenter's newest comments as an Atom feed."""

    title: str
    author: str
    """The commenter's handle, as shown on their page."""
    page_path: str
    items: tuple[ListedComment, ...]
    """Newest first."""

    @property
    def comments(self) -> tuple[tuple[str, str], ...]:
        return tuple((item.key, item.comment_id) for item in self.items)


@dataclass(frozen=True, kw_only=True)
class SearchShard(PagePlan):
    """One shard of the search index: Pagefind's files for its articles, in the shard's folder.
    Its url_path names the shard's entry file; its maker returns every file of the folder."""

    costly: ClassVar[bool] = True
    number: int
    """Its place among the shards, oldest articles first; the first's folder also holds
    Pagefind's script and WebAssembly."""
    keys: tuple[str, ...]
    tags: tuple[tuple[str, ...], ...]
    """Each article's tags as the site names them (a filter of the search page), in `keys`' order."""

    @property
    def articles(self) -> tuple[str, ...]:
        return self.keys


@dataclass(frozen=True)
class FeedItem:
    key: str
    categories: tuple[str, ...]
    """Its tags as the site names them (they depend on the whole site, so the plan carries them)."""
    links: tuple[str, ...] = ()
    """The absolute URLs of the articles its body links to by their source file."""


@dataclass(frozen=True, kw_only=True)
class ArticlesFeed(PagePlan):
    """The site's or a tag's Atom feed of its newest articles."""

    title: str
    page_path: str
    """The URL path of the HTML page the feed follows."""
    items: tuple[FeedItem, ...]
    empty_updated: str
    """The feed's date when it has no entries."""

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)


class SitemapEntry(NamedTuple):
    url: str
    lastmod: str


@dataclass(frozen=True, kw_only=True)
class Sitemap(PagePlan):
    entries: tuple[SitemapEntry, ...]


@dataclass(frozen=True, kw_only=True)
class Robots(PagePlan):
    sitemap_url: str


@dataclass(frozen=True, kw_only=True)
class TextFile(PagePlan):
    text: str


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
