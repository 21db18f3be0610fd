"""Plan every page of the site (FORMAT.md's table "The pages it makes") before anything renders.

Each kind of page has its own frozen plan type, carrying by name what its maker
(render/pages.py) needs: small plain data, in which an article whose content the page shows is
named by its key (`PagePlan.articles`). The build binds each key to the digest of the article's
current content; the digest of a plan and of its articles' digests says whether the page can
change. Plans hold no digests, so an edit that changes no article's record leaves every plan as
it was.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from markupsafe import Markup

from sitegen.model import urls
from sitegen.model.pagination import paginate
from sitegen.model.records import ArticleRecord
from sitegen.model.site import Site
from sitegen.model.types import Moment, SiteConfig
from sitegen.model.urls import absolute_url, href
from sitegen.render.dates import date_view, month_title
from sitegen.render.views import (
    Link, MonthEntries, MonthSummary, NoteEntryView, PagerView, PageView, RecentCommentView, SiteView, TagSummary,
    YearSummary, entry_view, page_view, site_view, tag_links,
)

FEED_ENTRIES = 20
"""Articles in the site's and each tag's feed, newest first."""
RECENT_COMMENTS = 50
"""Comments on /comments/, newest first."""


@dataclass(frozen=True, kw_only=True)
class PagePlan:
    """What every page has: where it goes, and what it comes from."""

    url_path: str
    source: str
    """The file this page comes from (an article's path), or what made it ("tag index"), for messages."""
    lastmod: datetime | None = None
    """For HTML pages listed in the sitemap: when what the page shows last changed."""

    @property
    def articles(self) -> tuple[str, ...]:
        """The keys of the articles whose rendered content the page shows (fetched by its maker)."""
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


@dataclass(frozen=True, kw_only=True)
class CommentsFeed(OneArticlePage):
    """An article's thread as an Atom feed."""


@dataclass(frozen=True, kw_only=True)
class AnnotationsDocument(OneArticlePage):
    """An article's notes as a W3C Web Annotation collection (JSON-LD)."""


@dataclass(frozen=True)
class RecentComment:
    key: str
    """The article it is on."""
    comment_id: str
    view: RecentCommentView
    """All but its text, which the maker fetches from the article."""


@dataclass(frozen=True, kw_only=True)
class RecentCommentsPage(PagePlan):
    site: SiteView
    page: PageView
    comments: tuple[RecentComment, ...]

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(comment.key for comment in self.comments))


@dataclass(frozen=True)
class FeedItem:
    key: str
    categories: tuple[str, ...]
    """Its tags as the site names them (they depend on the whole site, so the plan carries them)."""


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


def plan_pages(site: Site, no_date: datetime) -> list[PagePlan]:
    """Every page of the site; `no_date` stands for the date of a page with no dated content."""
    planner = _Planner(site, no_date)
    planner.article_pages()
    planner.home_pages()
    planner.tag_pages()
    planner.date_pages()
    planner.discussion_pages()
    planner.site_files()  # last: the sitemap lists every page planned before it
    return planner.plans


class _Planner:
    def __init__(self, site: Site, no_date: datetime):
        self.site = site
        self.config: SiteConfig = site.config
        self.articles: tuple[ArticleRecord, ...] = site.articles
        self.by_key = {a.key: a for a in self.articles}
        self.site_view = site_view(self.config)
        self.tags = {a.key: tag_links(self.config, a.tags, site.tag_of) for a in self.articles}
        self.entries = {a.key: entry_view(self.config, a, self.tags[a.key]) for a in self.articles}
        self.no_date = no_date
        self.site_lastmod = max((a.last_changed for a in self.articles), default=self.no_date)
        self.plans: list[PagePlan] = []

    def html(self, url_path: str, template: str, title: str, source: str, lastmod: datetime | None,
             description: str = "", feeds: tuple[Link, ...] = (), **context) -> None:
        page = page_view(self.config, url_path, title, description, feeds)
        self.plans.append(TemplatePage(url_path=url_path, source=source, lastmod=lastmod, template=template,
                                       view={"site": self.site_view, "page": page, **context}))

    def lastmod_of(self, keys) -> datetime:
        return max((self.by_key[k].last_changed for k in keys), default=self.no_date)

    def link(self, record: ArticleRecord | None) -> Link | None:
        return Link(record.title, href(self.config, record.url_path)) if record else None

    def article_pages(self) -> None:
        config = self.config
        for index, record in enumerate(self.articles):
            local = record.date.value
            month = Link(month_title(local.year, local.month, config.language),
                         href(config, urls.month_url_path(local.year, local.month)))
            newer = self.articles[index - 1] if index > 0 else None
            older = self.articles[index + 1] if index + 1 < len(self.articles) else None
            comments_feed = Link(f"Comments on “{record.title}”",
                                 absolute_url(config, urls.comments_feed_url_path(record.url_path)))
            page = page_view(config, record.url_path, record.title, record.summary_text,
                             (comments_feed,))
            self.plans.append(ArticlePage(
                url_path=record.url_path, source=record.path, lastmod=record.last_changed, key=record.key,
                site=self.site_view, page=page, tags=self.tags[record.key], month=month,
                newer=self.link(newer), older=self.link(older)))
            self.plans.append(CommentsFeed(url_path=urls.comments_feed_url_path(record.url_path),
                                           source=record.path, key=record.key))
            if record.notes:  # an article with no notes has no annotation document
                self.plans.append(AnnotationsDocument(url_path=urls.annotations_url_path(record.url_path),
                                                      source=record.path, key=record.key))

    def list_pages(self, first_url_path: str, keys, template: str, title: str, source: str,
                   feeds: tuple[Link, ...] = (), **context) -> None:
        for pager, chunk in paginate(list(keys), self.config.per_page, first_url_path):
            pager_view = PagerView(
                pager.number, pager.total,
                href(self.config, pager.previous_url_path) if pager.previous_url_path is not None else None,
                href(self.config, pager.next_url_path) if pager.next_url_path is not None else None,
            )
            page_title = title if pager.number == 1 else f"{title} (page {pager.number} of {pager.total})"
            self.html(pager.url_path, template, page_title, source, self.lastmod_of(chunk), feeds=feeds,
                      entries=tuple(self.entries[k] for k in chunk), pager=pager_view, **context)

    def feed(self, self_path: str, page_path: str, title: str, keys, source: str) -> None:
        items = tuple(FeedItem(key, tuple(link.text for link in self.tags[key])) for key in list(keys)[:FEED_ENTRIES])
        self.plans.append(ArticlesFeed(url_path=self_path, source=source, title=title, page_path=page_path,
                                       items=items, empty_updated=rfc3339(self.no_date)))

    def home_pages(self) -> None:
        self.list_pages(urls.HOME, self.by_key, "home.html", self.config.title, "home page")

    def tag_pages(self) -> None:
        config = self.config
        summaries = []
        for tag in self.site.tags:
            summary = TagSummary(tag.name, href(config, urls.tag_url_path(tag.slug)), len(tag.article_keys),
                                 absolute_url(config, urls.tag_feed_url_path(tag.slug)))
            summaries.append(summary)
            feed = Link(f"{config.title}: {tag.name}", summary.feed_url)
            self.list_pages(urls.tag_url_path(tag.slug), tag.article_keys, "tag.html", f"Tagged “{tag.name}”",
                            f"tag '{tag.name}'", feeds=(feed,), tag=summary)
            self.feed(urls.tag_feed_url_path(tag.slug), urls.tag_url_path(tag.slug), f"{config.title}: {tag.name}",
                      tag.article_keys, f"tag '{tag.name}'")
        self.html(urls.TAGS, "tags.html", "Tags", "tag index", self.site_lastmod, tags=tuple(summaries))

    def date_pages(self) -> None:
        config = self.config
        years = []
        for year in self.site.years:
            months = []
            for month in year.months:
                summary = MonthSummary(month_title(month.year, month.month, config.language),
                                       href(config, urls.month_url_path(month.year, month.month)),
                                       len(month.article_keys))
                group = MonthEntries(summary, tuple(self.entries[k] for k in month.article_keys))
                months.append(group)
                self.html(urls.month_url_path(month.year, month.month), "month.html", summary.title,
                          f"archive {summary.title}", self.lastmod_of(month.article_keys), month=summary,
                          year=Link(str(year.year), href(config, urls.year_url_path(year.year))),
                          entries=group.entries)
            year_summary = YearSummary(str(year.year), href(config, urls.year_url_path(year.year)),
                                       sum(m.month.count for m in months), tuple(m.month for m in months))
            years.append(year_summary)
            self.html(urls.year_url_path(year.year), "year.html", year_summary.title, f"archive {year.year}",
                      self.lastmod_of(year.article_keys), year=year_summary, months=tuple(months))
        self.html(urls.ARCHIVE, "archive.html", "Archive", "archive", self.site_lastmod, years=tuple(years))

    def discussion_pages(self) -> None:
        config = self.config
        # Newest first; an undated comment counts as of its article's date, in thread order.
        stamped = ((-(timestamp if timestamp is not None else record.date.value.timestamp()), rank, position)
                   for rank, record in enumerate(self.articles)
                   for position, timestamp in enumerate(record.comments.timestamps))
        recent = []
        for _, rank, position in heapq.nsmallest(RECENT_COMMENTS, stamped):
            record = self.articles[rank]
            comment = record.comments[position]
            page = href(config, record.url_path)
            date = (date_view(Moment(datetime.fromtimestamp(comment.timestamp, config.timezone), comment.has_time),
                              config.language) if comment.timestamp is not None else None)
            view = RecentCommentView(Link(record.title, page), f"{page}#comment-{comment.id}", comment.author,
                                     comment.name, date, Markup(""))
            recent.append(RecentComment(record.key, comment.id, view))
        page = page_view(config, urls.RECENT_COMMENTS, "Newest comments")
        self.plans.append(RecentCommentsPage(url_path=urls.RECENT_COMMENTS, source="comments page",
                                             lastmod=self.site_lastmod, site=self.site_view, page=page,
                                             comments=tuple(recent)))

        notes = []
        for record in self.articles:
            page = href(config, record.url_path)
            for note in record.notes:
                target = (f"{page}{note.selector.text_fragment}" if note.selector
                          else f"{page}#comment-{note.comment_id}")
                notes.append(NoteEntryView(Link(record.title, page), note.number, f"{page}#note-{note.number}",
                                           Markup(note.note_html), note.author,
                                           note.selector.exact if note.selector else None, target))
        self.html(urls.NOTES, "notes.html", "Editors’ notes", "notes page", self.site_lastmod,
                  notes=tuple(notes))

    def site_files(self) -> None:
        config = self.config
        self.feed(urls.FEED, urls.HOME, config.title, self.by_key, "site feed")
        self.html(urls.NOT_FOUND, "404.html", "Page not found", "404 page", None)
        listed = tuple(SitemapEntry(absolute_url(config, p.url_path), rfc3339(p.lastmod))
                       for p in self.plans if p.lastmod)
        self.plans.append(Sitemap(url_path=urls.SITEMAP, source="sitemap", entries=listed))
        self.plans.append(Robots(url_path=urls.ROBOTS, source="robots.txt",
                                 sitemap_url=absolute_url(config, urls.SITEMAP)))
        # GitHub Pages: serve the output as it is (no Jekyll pass), on the custom domain if one is set.
        self.plans.append(TextFile(url_path=urls.NO_JEKYLL, source="GitHub Pages", text=""))
        if config.cname:
            self.plans.append(TextFile(url_path=urls.CNAME, source="sitegen.yaml cname", text=config.cname + "\n"))
