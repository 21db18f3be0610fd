"""Plan every page of the site (FORMAT.md's table "The pages it makes"), then make each plan.

Every plan is decided before anything renders: its URL, the maker that turns it into bytes, and
the arguments the maker is given. The arguments are the page's declared inputs, small plain
data: an article whose content the page shows is named by its key, in the arguments and in
`PagePlan.articles`, and the maker fetches the rendered article by that key. The build binds each
key to the digest of the article's current content: the digest of a plan's arguments and of its
articles' digests says whether the page can change, and a rebuild makes again only the pages
where that changed. Plans hold no digests, so an edit that changes no article's record but its
content leaves every plan as it was.
"""

from __future__ import annotations

import heapq
import os
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Callable, Protocol

from markupsafe import Markup

from sitegen.diagnostics import Diagnostic
from sitegen.model import urls
from sitegen.model.pagination import paginate
from sitegen.model.site import Site
from sitegen.model.types import Article, Moment, SiteConfig
from sitegen.model.urls import absolute_url, href
from sitegen.render.articles import ArticleRecord, CommentStamp, RenderedArticle
from sitegen.render.dates import date_view, month_title
from sitegen.render.feeds import Feed, FeedEntry, atom_xml, categories_xml, entry_halves, entry_xml
from sitegen.render.sitemap import robots_txt, sitemap_xml
from sitegen.render.templates import TemplateSet
from sitegen.render.views import (
    Link, MonthEntries, MonthSummary, NoteEntryView, PagerView, RecentCommentView, TagSummary, YearSummary,
    article_view, entry_view, page_view, rebase_links, site_view, tag_links,
)
from sitegen.render.webannotations import AnnotationCollection, WebAnnotation, annotations_jsonld

FEED_ENTRIES = 20
"""Articles in the site's and each tag's feed, newest first."""
RECENT_COMMENTS = 50
"""Comments on /comments/, newest first."""


@dataclass(frozen=True)
class PagePlan:
    url_path: str
    source: str
    """The file this page comes from (an article's path), or what made it ("tag index")."""
    maker: str
    """The name of the function in MAKERS that turns `args` into the page's bytes."""
    args: Any
    """Everything the page shows, as small plain data (articles' content by key)."""
    lastmod: datetime | None = None
    """For HTML pages listed in the sitemap: when what the page shows last changed."""
    articles: tuple[str, ...] = ()
    """The keys of the articles whose rendered content the page shows (fetched by the maker)."""


@dataclass(frozen=True)
class ArticleFeedEntry:
    """An article's entry in the site's and its tags' feeds, written when the article is rendered:
    the XML before and after its categories, which depend on the site's tags."""

    updated: str
    head: str
    tail: str


@dataclass(frozen=True)
class ArticleWork:
    """An article loaded and rendered: the heavy part, kept in the build cache by digest."""

    article: Article
    rendered: RenderedArticle
    feed_entry: ArticleFeedEntry


def article_work(config: SiteConfig, article: Article, rendered: RenderedArticle, url_path: str) -> ArticleWork:
    url = absolute_url(config, url_path)
    count = len(rendered.comments)
    discussion = (f'<p><a href="{url}#comments">{count} comment{"" if count == 1 else "s"}</a>'
                  f'{" (comments are closed)" if article.thread.closed else ""}</p>')
    updated = rfc3339((article.updated or article.date).value)
    entry = FeedEntry(
        id=url, title=article.title, url=url, updated=updated, published=rfc3339(article.date.value),
        authors=article.authors, categories=(), summary_html=rebase_links(rendered.summary_html, url),
        content_html=rendered.body_html + "\n" + discussion, base_url=url)
    return ArticleWork(article, rendered, ArticleFeedEntry(updated, *entry_halves(entry)))


class ArticleStore(Protocol):
    """Where makers fetch articles' work by digest: the build cache."""

    def work(self, digest: str) -> ArticleWork: ...

    def feed_entry(self, digest: str) -> ArticleFeedEntry:
        """The work's feed entry alone, read without the rest."""


@dataclass
class MakeContext:
    """What makers need besides their arguments; one per process."""

    config: SiteConfig
    templates: TemplateSet
    store: ArticleStore
    digests: dict[str, str]
    """Article key -> the digest of its current content, for the articles of the pages being made."""

    def article(self, key: str) -> ArticleWork:
        return self.store.work(self.digests[key])

    def feed_entry(self, key: str) -> ArticleFeedEntry:
        return self.store.feed_entry(self.digests[key])


def fallback_time() -> datetime:
    """For a page with no dated content (an empty site): SOURCE_DATE_EPOCH, never the clock."""
    return datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0")), timezone.utc)


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# -- planning: cheap, in the main process, from records only --


class _Planner:
    def __init__(self, site: Site):
        self.site = site
        self.config: SiteConfig = site.config
        self.articles: tuple[ArticleRecord, ...] = site.articles
        self.by_key = {a.key: a for a in self.articles}
        self.site_view = site_view(self.config)
        self.tags = {a.key: tag_links(self.config, a.tags, site.tag_of) for a in self.articles}
        self.entries = {a.key: entry_view(self.config, a, self.tags[a.key]) for a in self.articles}
        self.no_date = fallback_time()
        self.site_lastmod = max((a.last_changed for a in self.articles), default=self.no_date)
        self.plans: list[PagePlan] = []

    def html(self, url_path: str, template: str, title: str, source: str, lastmod: datetime | None,
             description: str = "", feeds: tuple[Link, ...] = (), **context) -> None:
        page = page_view(self.config, url_path, title, description, feeds)
        self.plans.append(PagePlan(url_path, source, "template",
                                   (template, {"site": self.site_view, "page": page, **context}), lastmod))

    def data(self, url_path: str, maker: str, args, source: str, articles: tuple[str, ...] = ()) -> None:
        self.plans.append(PagePlan(url_path, source, maker, args, articles=articles))

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
            own = (record.key,)
            self.plans.append(PagePlan(record.url_path, record.path, "article", (
                record.key, record.url_path, self.site_view, page, self.tags[record.key], month,
                self.link(newer), self.link(older)), record.last_changed, own))
            self.data(urls.comments_feed_url_path(record.url_path), "comments_feed",
                      (record.key, record.url_path), record.path, own)
            if record.notes:  # an article with no notes has no annotation document
                self.data(urls.annotations_url_path(record.url_path), "annotations",
                          (record.key, record.url_path), record.path, own)

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
        shown = list(keys)[:FEED_ENTRIES]
        entries = tuple((k, self.by_key[k].url_path, tuple(link.text for link in self.tags[k])) for k in shown)
        self.data(self_path, "articles_feed", (self_path, page_path, title, entries, rfc3339(self.no_date)),
                  source, tuple(shown))

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
        stamped = ((-(stamp[3] if stamp[3] is not None else record.date.value.timestamp()), rank, position, stamp)
                   for rank, record in enumerate(self.articles) for position, stamp in enumerate(record.comments))
        recent = []
        for _, rank, _, stamp in heapq.nsmallest(RECENT_COMMENTS, stamped, key=lambda item: item[:3]):
            record, comment = self.articles[rank], CommentStamp._make(stamp)
            page = href(config, record.url_path)
            date = (date_view(Moment(datetime.fromtimestamp(comment.timestamp, config.timezone), comment.has_time),
                              config.language) if comment.timestamp is not None else None)
            view = RecentCommentView(Link(record.title, page), f"{page}#comment-{comment.id}", comment.author,
                                     comment.name, date, Markup(""))
            recent.append((record.key, comment.id, view))
        page = page_view(config, urls.RECENT_COMMENTS, "Newest comments")
        self.plans.append(PagePlan(urls.RECENT_COMMENTS, "comments page", "recent_comments",
                                   (self.site_view, page, tuple(recent)), self.site_lastmod,
                                   tuple(dict.fromkeys(key for key, _, _ in recent))))

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
        listed = tuple((absolute_url(config, p.url_path), rfc3339(p.lastmod)) for p in self.plans if p.lastmod)
        self.data(urls.SITEMAP, "sitemap", listed, "sitemap")
        self.data(urls.ROBOTS, "robots", absolute_url(config, urls.SITEMAP), "robots.txt")
        # GitHub Pages: serve the output as it is (no Jekyll pass), on the custom domain if one is set.
        self.data(urls.NO_JEKYLL, "text", "", "GitHub Pages")
        if config.cname:
            self.data(urls.CNAME, "text", config.cname + "\n", "sitegen.yaml cname")


def plan_pages(site: Site) -> list[PagePlan]:
    planner = _Planner(site)
    planner.article_pages()
    planner.home_pages()
    planner.tag_pages()
    planner.date_pages()
    planner.discussion_pages()
    planner.site_files()  # last: the sitemap lists every page planned before it
    return planner.plans


# -- making: per page, in any process, fetching articles' content by digest --


def _template(args, context: MakeContext):
    template, view = args
    return context.templates.render(template, view, view["page"].url)


def _article(args, context: MakeContext):
    key, url_path, site, page, tags, month, newer, older = args
    work = context.article(key)
    article = replace(work.article, url_path=url_path)
    view = article_view(context.config, article, work.rendered, tags, month, newer, older)
    return context.templates.render("article.html", {"site": site, "page": page, "article": view}, page.url)


def _recent_comments(args, context: MakeContext):
    site, page, recent = args
    bodies = {}
    for key, _, _ in recent:
        if key not in bodies:
            bodies[key] = {c.id: c.body_html for c in context.article(key).rendered.comments}
    # Shown away from its article, a comment's relative links ("#comment-c1") are joined to its URL.
    comments = tuple(replace(view, body_html=Markup(rebase_links(bodies[key][comment_id], view.article.url)))
                     for key, comment_id, view in recent)
    return context.templates.render("comments.html", {"site": site, "page": page, "comments": comments}, page.url)


def _articles_feed(args, context: MakeContext):
    self_path, page_path, title, entries, empty_updated = args
    config = context.config
    made = [(context.feed_entry(key), categories) for key, _, categories in entries]
    updated = max((entry.updated for entry, _ in made), default=empty_updated)
    feed = Feed(absolute_url(config, self_path), title, config.description, absolute_url(config, self_path),
                absolute_url(config, page_path), updated, config.title, config.language,
                tuple(entry.head + categories_xml(categories) + entry.tail for entry, categories in made))
    return atom_xml(feed), []


def _comments_feed(args, context: MakeContext):
    key, url_path = args
    config = context.config
    work = context.article(key)
    article, rendered = work.article, work.rendered
    url = absolute_url(config, url_path)
    by_id = {c.id: c for c in article.thread.comments}
    entries = []
    for item in rendered.comments:
        comment = by_id[item.id]
        who = comment.author or "Anonymous"
        when = rfc3339((comment.date or article.date).value)
        parent = by_id.get(comment.parent_id)
        title = f"{who} replied to {parent.author or 'Anonymous'}" if parent else f"{who} commented"
        entries.append(FeedEntry(
            id=f"{url}#comment-{comment.id}", title=title, url=f"{url}#comment-{comment.id}", updated=when,
            published=when, authors=(who,), categories=(), summary_html="", content_html=item.body_html,
            base_url=url))
    entries.sort(key=lambda e: e.updated, reverse=True)
    updated = max((e.updated for e in entries), default=rfc3339((article.updated or article.date).value))
    self_url = absolute_url(config, urls.comments_feed_url_path(url_path))
    feed = Feed(self_url, f"Comments on “{article.title}”", config.title, self_url, url + "#comments", updated,
                config.title, config.language, tuple(entry_xml(entry) for entry in entries))
    return atom_xml(feed), []


def _annotations(args, context: MakeContext):
    key, url_path = args
    work = context.article(key)
    article = work.article
    url = absolute_url(context.config, url_path)
    created = rfc3339((article.updated or article.date).value)
    items = tuple(WebAnnotation(
        id=f"{url}#note-{note.number}", note_html=note.note_html, author=note.author, created=created,
        target_url=url, exact=note.selector.exact if note.selector else None,
        prefix=note.selector.prefix if note.selector else None,
        suffix=note.selector.suffix if note.selector else None,
        comment_url=None if note.selector else f"{url}#comment-{note.comment_id}",
    ) for note in work.rendered.notes)
    collection = AnnotationCollection(absolute_url(context.config, urls.annotations_url_path(url_path)),
                                      f"Editors’ notes on “{article.title}”", items)
    return annotations_jsonld(collection), []


MAKERS: dict[str, Callable[[Any, MakeContext], tuple[str | bytes | None, list[Diagnostic]]]] = {
    "template": _template,
    "article": _article,
    "recent_comments": _recent_comments,
    "articles_feed": _articles_feed,
    "comments_feed": _comments_feed,
    "annotations": _annotations,
    "sitemap": lambda args, context: (sitemap_xml(args), []),
    "robots": lambda args, context: (robots_txt(args), []),
    "text": lambda args, context: (args.encode("utf-8"), []),
}


def make_page(plan: PagePlan, context: MakeContext) -> tuple[bytes | None, list[Diagnostic]]:
    made, problems = MAKERS[plan.maker](plan.args, context)
    return (made.encode("utf-8") if isinstance(made, str) else made), problems
