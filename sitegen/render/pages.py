"""Plan every page of the site (FORMAT.md's table "The pages it makes"), then render each plan.

Every plan is decided before anything renders: its URL, its template (or serializer, for feeds,
the sitemap and JSON-LD) and the view it is given. So every link is known up front, and two
pages that claim one URL are reported instead of overwriting each other.
"""

from __future__ import annotations

import heapq
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from markupsafe import Markup

from sitegen.diagnostics import Diagnostic
from sitegen.model import urls
from sitegen.model.pagination import paginate
from sitegen.model.site import Site
from sitegen.model.threads import reading_order
from sitegen.model.types import Article, SiteConfig
from sitegen.model.urls import absolute_url, href
from sitegen.render.articles import RenderedArticle
from sitegen.render.dates import date_view, month_title
from sitegen.render.feeds import Feed, FeedEntry, atom_xml
from sitegen.render.sitemap import robots_txt, sitemap_xml
from sitegen.render.templates import TemplateSet
from sitegen.render.views import (
    EntryView, Link, MonthEntries, MonthSummary, NoteEntryView, PagerView, RecentCommentView, TagSummary,
    YearSummary, article_view, entry_view, page_view, site_view,
)
from sitegen.render.webannotations import AnnotationCollection, WebAnnotation, annotations_jsonld

FEED_ENTRIES = 20
"""Articles in the site's and each tag's feed, newest first."""
RECENT_COMMENTS = 50
"""Comments on /comments/, newest first."""


@dataclass(frozen=True, slots=True)
class PagePlan:
    url_path: str
    source: str
    """The file this page comes from (an article's path), or what made it ("tag index")."""
    template: str | None = None
    context: Any = None
    """The view given to the template, or to the serializer."""
    serializer: Callable[[Any], bytes] | None = None
    """For pages that are data, not HTML: feeds, the sitemap, JSON-LD."""
    lastmod: datetime | None = None
    """For HTML pages listed in the sitemap: when what the page shows last changed."""


def fallback_time() -> datetime:
    """For a page with no dated content (an empty site): SOURCE_DATE_EPOCH, never the clock."""
    return datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0")), timezone.utc)


def last_changed(article: Article) -> datetime:
    """When the article or its thread last changed, as far as the content says."""
    moments = [article.date.value, *(m.value for m in [article.updated] if m)]
    moments += [c.date.value for c in article.thread.comments if c.date]
    return max(moments)


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class _Planner:
    def __init__(self, site: Site, rendered: dict[str, RenderedArticle]):
        self.site = site
        self.config: SiteConfig = site.config
        self.rendered = rendered
        self.articles = [a for a in site.articles if a.key in rendered]
        self.by_key = {a.key: a for a in self.articles}
        self.site_view = site_view(self.config)
        self.entries: dict[str, EntryView] = {
            a.key: entry_view(self.config, a, rendered[a.key], site.tag_of) for a in self.articles}
        self.plans: list[PagePlan] = []

    def html(self, url_path: str, template: str, title: str, source: str, lastmod: datetime | None,
             description: str = "", feeds: tuple[Link, ...] = (), **context) -> None:
        page = page_view(self.config, url_path, title, description, feeds)
        self.plans.append(PagePlan(url_path, source, template, {"site": self.site_view, "page": page, **context},
                                   lastmod=lastmod))

    def data(self, url_path: str, serializer, context, source: str) -> None:
        self.plans.append(PagePlan(url_path, source, context=context, serializer=serializer))

    def lastmod_of(self, keys) -> datetime:
        return max((last_changed(self.by_key[k]) for k in keys if k in self.by_key), default=fallback_time())

    def keys(self, keys) -> list[str]:
        return [k for k in keys if k in self.by_key]

    def link(self, article: Article | None) -> Link | None:
        return Link(article.title, href(self.config, article.url_path)) if article else None

    # -- the pages --

    def article_pages(self) -> None:
        config = self.config
        for index, article in enumerate(self.articles):
            rendered = self.rendered[article.key]
            local = article.date.value
            month = Link(month_title(local.year, local.month, config.language),
                         href(config, urls.month_url_path(local.year, local.month)))
            newer = self.articles[index - 1] if index > 0 else None
            older = self.articles[index + 1] if index + 1 < len(self.articles) else None
            view = article_view(config, article, rendered, self.site.tag_of, month, self.link(newer), self.link(older))
            comments_feed = Link(f"Comments on “{article.title}”", view.thread.feed_url)
            self.html(article.url_path, "article.html", article.title, article.path, last_changed(article),
                      description=Markup(rendered.summary_html).striptags(), feeds=(comments_feed,), article=view)
            self.data(urls.comments_feed_url_path(article.url_path), atom_xml,
                      self.comments_feed(article, rendered), article.path)
            self.data(urls.annotations_url_path(article.url_path), annotations_jsonld,
                      self.annotation_collection(article, rendered), article.path)

    def list_pages(self, first_url_path: str, keys, template: str, title: str, source: str,
                   feeds: tuple[Link, ...] = (), **context) -> None:
        for pager, chunk in paginate(self.keys(keys), self.config.per_page, first_url_path):
            pager_view = PagerView(
                pager.number, pager.total,
                href(self.config, pager.previous_url_path) if pager.previous_url_path is not None else None,
                href(self.config, pager.next_url_path) if pager.next_url_path is not None else None,
            )
            page_title = title if pager.number == 1 else f"{title} (page {pager.number} of {pager.total})"
            self.html(pager.url_path, template, page_title, source, self.lastmod_of(chunk), feeds=feeds,
                      entries=tuple(self.entries[k] for k in chunk), pager=pager_view, **context)

    def home_pages(self) -> None:
        self.list_pages(urls.HOME, [a.key for a in self.articles], "home.html", self.config.title, "home page")

    def tag_pages(self) -> None:
        config = self.config
        summaries = []
        for tag in self.site.tags:
            keys = self.keys(tag.article_keys)
            if not keys:
                continue
            summary = TagSummary(tag.name, href(config, urls.tag_url_path(tag.slug)), len(keys),
                                 absolute_url(config, urls.tag_feed_url_path(tag.slug)))
            summaries.append(summary)
            feed = Link(f"{config.title}: {tag.name}", summary.feed_url)
            self.list_pages(urls.tag_url_path(tag.slug), keys, "tag.html", f"Tagged “{tag.name}”",
                            f"tag '{tag.name}'", feeds=(feed,), tag=summary)
            self.data(urls.tag_feed_url_path(tag.slug), atom_xml,
                      self.articles_feed(urls.tag_feed_url_path(tag.slug), urls.tag_url_path(tag.slug),
                                         f"{config.title}: {tag.name}", keys), f"tag '{tag.name}'")
        self.html(urls.TAGS, "tags.html", "Tags", "tag index", self.lastmod_of(self.by_key), tags=tuple(summaries))

    def date_pages(self) -> None:
        config = self.config
        years = []
        for year in self.site.years:
            months = []
            for month in year.months:
                keys = self.keys(month.article_keys)
                if not keys:
                    continue
                summary = MonthSummary(month_title(month.year, month.month, config.language),
                                       href(config, urls.month_url_path(month.year, month.month)), len(keys))
                months.append(MonthEntries(summary, tuple(self.entries[k] for k in keys)))
            if not months:
                continue
            year_summary = YearSummary(str(year.year), href(config, urls.year_url_path(year.year)),
                                       sum(m.month.count for m in months), tuple(m.month for m in months))
            years.append(year_summary)
            year_link = Link(year_summary.title, year_summary.url)
            for month, entries in zip(year.months, months):
                self.html(urls.month_url_path(month.year, month.month), "month.html", entries.month.title,
                          f"archive {entries.month.title}", self.lastmod_of(month.article_keys),
                          month=entries.month, year=year_link, entries=entries.entries)
            self.html(urls.year_url_path(year.year), "year.html", year_summary.title, f"archive {year.year}",
                      self.lastmod_of(year.article_keys), year=year_summary, months=tuple(months))
        self.html(urls.ARCHIVE, "archive.html", "Archive", "archive", self.lastmod_of(self.by_key), years=tuple(years))

    def discussion_pages(self) -> None:
        config = self.config
        # Newest first; an undated comment counts as of its article's date, in thread order.
        dated = ((-(comment.date or article.date).value.timestamp(), rank, position, comment.id)
                 for rank, article in enumerate(self.articles)
                 for position, (comment, _) in enumerate(reading_order(article.thread)))
        recent = []
        for _, rank, _, comment_id in heapq.nsmallest(RECENT_COMMENTS, dated):
            article = self.articles[rank]
            comment = next(c for c in article.thread.comments if c.id == comment_id)
            body = next(c.body_html for c in self.rendered[article.key].comments if c.id == comment_id)
            page = href(config, article.url_path)
            recent.append(RecentCommentView(
                Link(article.title, page), f"{page}#comment-{comment.id}", comment.author, comment.name,
                date_view(comment.date, config.language) if comment.date else None, Markup(body)))
        newest = max((last_changed(a) for a in self.articles), default=fallback_time())
        self.html(urls.RECENT_COMMENTS, "comments.html", "Newest comments", "comments page", newest,
                  comments=tuple(recent))

        notes = []
        for article in self.articles:
            page = href(config, article.url_path)
            for note in self.rendered[article.key].notes:
                target = (f"{page}{note.selector.text_fragment}" if note.selector
                          else f"{page}#comment-{note.comment_id}")
                notes.append(NoteEntryView(Link(article.title, page), note.number, f"{page}#note-{note.number}",
                                           Markup(note.note_html), note.author,
                                           note.selector.exact if note.selector else None, target))
        self.html(urls.NOTES, "notes.html", "Editors’ notes", "notes page", self.lastmod_of(self.by_key),
                  notes=tuple(notes))

    def site_files(self) -> None:
        config = self.config
        self.data(urls.FEED, atom_xml, self.articles_feed(urls.FEED, urls.HOME, config.title,
                                                          [a.key for a in self.articles]), "site feed")
        self.html(urls.NOT_FOUND, "404.html", "Page not found", "404 page", None)
        listed = tuple((absolute_url(config, p.url_path), rfc3339(p.lastmod)) for p in self.plans if p.lastmod)
        self.data(urls.SITEMAP, sitemap_xml, listed, "sitemap")
        self.data(urls.ROBOTS, robots_txt, absolute_url(config, urls.SITEMAP), "robots.txt")
        # GitHub Pages: serve the output as it is (no Jekyll pass), on the custom domain if one is set.
        self.data(urls.NO_JEKYLL, bytes, b"", "GitHub Pages")
        if config.cname:
            self.data(urls.CNAME, str.encode, config.cname + "\n", "sitegen.yaml cname")

    # -- feeds and annotations --

    def articles_feed(self, self_path: str, page_path: str, title: str, keys) -> Feed:
        config = self.config
        entries = []
        for key in list(keys)[:FEED_ENTRIES]:
            article, rendered = self.by_key[key], self.rendered[key]
            url = absolute_url(config, article.url_path)
            count = len(rendered.comments)
            discussion = (f'<p><a href="{url}#comments">{count} comment{"" if count == 1 else "s"}</a>'
                          f'{" (comments are closed)" if article.thread.closed else ""}</p>')
            entries.append(FeedEntry(
                id=url, title=article.title, url=url,
                updated=rfc3339((article.updated or article.date).value),
                published=rfc3339(article.date.value),
                authors=article.authors,
                categories=tuple(dict.fromkeys(self.site.tag_of[name].name for name in article.tags)),
                summary_html=rendered.summary_html,
                content_html=rendered.body_html + "\n" + discussion,
                base_url=url,
            ))
        updated = max((e.updated for e in entries), default=rfc3339(fallback_time()))
        return Feed(absolute_url(config, self_path), title, config.description, absolute_url(config, self_path),
                    absolute_url(config, page_path), updated, config.title, config.language, tuple(entries))

    def comments_feed(self, article: Article, rendered: RenderedArticle) -> Feed:
        config = self.config
        url = absolute_url(config, article.url_path)
        by_id = {c.id: c for c in rendered.comments}
        entries = []
        for comment, _ in reading_order(article.thread):
            who = comment.author or "Anonymous"
            when = rfc3339((comment.date or article.date).value)
            parent = next((c for c in article.thread.comments if c.id == comment.parent_id), None)
            title = (f"{who} replied to {parent.author or 'Anonymous'}" if parent else f"{who} commented")
            entries.append(FeedEntry(
                id=f"{url}#comment-{comment.id}", title=title, url=f"{url}#comment-{comment.id}",
                updated=when, published=when, authors=(who,), categories=(), summary_html="",
                content_html=by_id[comment.id].body_html, base_url=url))
        entries.sort(key=lambda e: e.updated, reverse=True)
        updated = max((e.updated for e in entries), default=rfc3339((article.updated or article.date).value))
        self_path = urls.comments_feed_url_path(article.url_path)
        return Feed(absolute_url(config, self_path), f"Comments on “{article.title}”", config.title,
                    absolute_url(config, self_path), url + "#comments", updated, config.title, config.language,
                    tuple(entries))

    def annotation_collection(self, article: Article, rendered: RenderedArticle) -> AnnotationCollection:
        url = absolute_url(self.config, article.url_path)
        items = []
        for note in rendered.notes:
            selector = note.selector
            items.append(WebAnnotation(
                id=f"{url}#note-{note.number}", note_html=note.note_html, author=note.author,
                created=rfc3339((article.updated or article.date).value), target_url=url,
                exact=selector.exact if selector else None,
                prefix=selector.prefix if selector else None,
                suffix=selector.suffix if selector else None,
                comment_url=None if selector else f"{url}#comment-{note.comment_id}",
            ))
        return AnnotationCollection(absolute_url(self.config, urls.annotations_url_path(article.url_path)),
                                    f"Editors’ notes on “{article.title}”", tuple(items))


def plan_pages(site: Site, rendered: dict[str, RenderedArticle]) -> list[PagePlan]:
    planner = _Planner(site, rendered)
    planner.article_pages()
    planner.home_pages()
    planner.tag_pages()
    planner.date_pages()
    planner.discussion_pages()
    planner.site_files()  # last: the sitemap lists every page planned before it
    return planner.plans


def render_page(plan: PagePlan, templates: TemplateSet) -> tuple[bytes | None, list[Diagnostic]]:
    if plan.serializer is not None:
        return plan.serializer(plan.context), []
    html, problems = templates.render(plan.template, plan.context, "/" + plan.url_path)
    return (html.encode("utf-8") if html is not None else None), problems
