"""What templates see: plain values made for display, separate from the model.

Templates reach only these views, never the cache, the environment or other articles, so a page's
inputs are exactly its view. Every HTML string is `Markup` (already safe); everything else is text
that Jinja escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from markupsafe import Markup

from sitegen.load.threads import SCHEME
from sitegen.model import urls
from sitegen.model.taxonomy import Tag
from sitegen.model.threads import comment_page_span
from sitegen.model.types import Article, SiteConfig
from sitegen.model.urls import absolute_url, href
from sitegen.render.articles import ArticleRecord, RenderedArticle, RenderedNote
from sitegen.render.dates import DateView, date_view
from sitegen.render.markdown import put_article_links
from sitegen.render.words import language_attributes, site_words, text_direction


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class SiteView:
    title: str
    description: str
    language: str
    direction: str
    """Of the site's language: "rtl" for Arabic, Hebrew, Persian; else "ltr" (<html dir>)."""
    base_url: str
    base_path: str
    home_url: str
    tags_url: str
    archive_url: str
    comments_url: str
    notes_url: str
    people_url: str | None
    """None when the site has no commenters' pages (`people: false`)."""
    stats_url: str
    search_url: str | None
    """None when the site has no search (`search: false`)."""
    feed_url: str
    """Absolute, as feed readers want it."""
    stylesheet_url: str


@dataclass(frozen=True)
class PageView:
    """What every page says about itself in its <head>."""

    title: str
    url: str
    canonical_url: str
    description: str
    feeds: tuple[Link, ...] = ()
    """Atom feeds to advertise with <link rel="alternate">: the site's, and the page's own."""


@dataclass(frozen=True)
class ImageView:
    src: str | None
    """Where the page loads the picture from: the bundle's file (a path under the site) or a URL."""
    absolute_src: str | None
    """The same as an absolute URL, for link previews and feeds."""
    alt: str
    credit: str | None
    credit_url: str | None


@dataclass(frozen=True)
class NoteView:
    number: int
    html: Markup
    """The whole note, as placed in the page (<aside class="note" id="note-N">)."""
    note_html: Markup
    author: str | None
    quote: str | None
    comment_id: str | None


@dataclass(frozen=True)
class CommentView:
    id: str
    anchor: str
    """The permalink fragment without '#': "comment-steelmaker"."""
    author: str | None
    name: str | None
    url: str | None
    date: DateView | None
    body_html: Markup
    notes: tuple[NoteView, ...]
    depth: int
    replies: tuple["CommentView", ...]
    reply_count: int
    """Every reply below this comment, at any depth."""
    reply_to: Link | None = None
    """The comment this one answers, when it is listed elsewhere (below the deepest nesting shown)."""
    person_url: str | None = None
    """Its commenter's page, when it has one."""
    language_attributes: Markup = Markup("")
    """lang and dir for its text, when it is in another language than the site's."""


@dataclass(frozen=True)
class ThreadView:
    comments: tuple[CommentView, ...]
    """Top-level comments, each with its replies nested."""
    total: int
    source_count: int | None
    """How many the source had, when that is more than were kept."""
    closed: bool
    feed_url: str
    pager: PagerView | None = None
    """Which page of a long thread `comments` are (render/planner.py), or None for a thread on one page."""


@dataclass(frozen=True)
class EntryView:
    """An article as a list shows it."""

    url: str
    title: str
    date: DateView
    tags: tuple[Link, ...]
    summary_html: Markup
    comment_count: int
    note_count: int


@dataclass(frozen=True)
class ArticleView:
    key: str
    url: str
    absolute_url: str
    title: str
    date: DateView
    updated: DateView | None
    authors: tuple[str, ...]
    source: Link | None
    source_name: str | None
    image: ImageView | None
    tags: tuple[Link, ...]
    month: Link
    newer: Link | None
    older: Link | None
    summary_html: Markup
    body_html: Markup
    notes: tuple[NoteView, ...]
    thread: ThreadView
    annotations_url: str | None
    """Its notes as W3C Web Annotations (JSON-LD); None when it has no notes."""
    language: str
    """Of its text and its comments: its own `language:`, else the site's."""
    language_attributes: Markup
    """lang and dir for its title and text, when it is in another language than the site's."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PagerView:
    number: int
    total: int
    previous_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class TagSummary:
    name: str
    url: str
    count: int
    feed_url: str


@dataclass(frozen=True)
class MonthSummary:
    title: str
    url: str
    count: int


@dataclass(frozen=True)
class YearSummary:
    title: str
    url: str
    count: int
    months: tuple[MonthSummary, ...]


@dataclass(frozen=True)
class MonthEntries:
    month: MonthSummary
    entries: tuple[EntryView, ...]


@dataclass(frozen=True)
class CommentEntryView:
    """A comment shown away from its article: on /comments/, on its commenter's page."""

    article: Link
    url: str
    """The comment's permalink: the article's URL + #comment-ID."""
    author: str | None
    name: str | None
    date: DateView | None
    body_html: Markup
    person_url: str | None = None
    """Its commenter's page, when it has one."""
    reply_to: Link | None = None
    """The comment it answers: its author, and its permalink."""
    language_attributes: Markup = Markup("")
    """lang and dir for its text, when it is in another language than the site's."""


@dataclass(frozen=True)
class PersonArticle:
    article: Link
    count: int
    """The commenter's comments on it."""


@dataclass(frozen=True)
class PersonSummary:
    """A commenter, as /people/ lists them and their page introduces them."""

    handle: str
    name: str | None
    """The display name they used most recently, if any."""
    url: str
    feed_url: str
    """Absolute, as feed readers want it."""
    count: int
    first: DateView
    latest: DateView
    articles: tuple[PersonArticle, ...]
    """The articles they commented on most, most first."""


@dataclass(frozen=True)
class ChartBar:
    x: float
    y: float
    width: float
    height: float
    label: str
    """"March 2019: 1,204 comments": each bar's own text, shown on hover."""


@dataclass(frozen=True)
class ChartTick:
    position: float
    label: str


@dataclass(frozen=True)
class ChartRow:
    year: str
    counts: tuple[str | None, ...]
    """Twelve months' counts, written as the site's language writes numbers; None before the
    first month and after the last."""


@dataclass(frozen=True)
class ChartView:
    """Comments per month as an SVG bar chart (drawn by the template in these coordinates), with
    the same figures as a table."""

    width: int
    height: int
    plot_top: float
    plot_bottom: float
    plot_left: float
    bars: tuple[ChartBar, ...]
    years: tuple[ChartTick, ...]
    """x of each year's first month, with the year."""
    levels: tuple[ChartTick, ...]
    """y of each gridline, with its count."""
    summary: str
    """The chart in a sentence: its text alternative."""
    months: tuple[str, ...]
    """The twelve months' short names, the table's columns."""
    rows: tuple[ChartRow, ...]


@dataclass(frozen=True)
class ChainView:
    """A reply chain: a comment, a reply to it, a reply to that, and so on."""

    article: Link
    length: int
    """Comments in it, the first included."""
    first: Link
    """Its first comment: its author, and its permalink."""
    last: Link


@dataclass(frozen=True)
class NoteEntryView:
    article: Link
    number: int
    url: str
    """The note on its page: the article's URL + #note-N."""
    note_html: Markup
    author: str | None
    quote: str | None
    passage_url: str
    """Where the note points: a text-fragment link to the passage, or the comment's permalink."""
    commenter: str | None = None
    """For a note on a comment: who wrote it (None when anonymous, or left out by people_exclude)."""


def site_view(config: SiteConfig) -> SiteView:
    return SiteView(
        title=config.title,
        description=config.description,
        language=config.language,
        direction=text_direction(config.language),
        base_url=config.base_url,
        base_path=config.base_path,
        home_url=href(config, urls.HOME),
        tags_url=href(config, urls.TAGS),
        archive_url=href(config, urls.ARCHIVE),
        comments_url=href(config, urls.RECENT_COMMENTS),
        notes_url=href(config, urls.NOTES),
        people_url=href(config, urls.PEOPLE) if config.people else None,
        stats_url=href(config, urls.STATS),
        search_url=href(config, urls.SEARCH) if config.search else None,
        feed_url=absolute_url(config, urls.FEED),
        stylesheet_url=href(config, urls.STYLESHEET),
    )


def page_view(config: SiteConfig, url_path: str, title: str, description: str = "",
              feeds: tuple[Link, ...] = ()) -> PageView:
    site_feed = Link(site_words(config).gettext("%(site)s: newest articles", site=config.title),
                     absolute_url(config, urls.FEED))
    return PageView(
        title=title,
        url=href(config, url_path),
        canonical_url=absolute_url(config, url_path),
        description=description or config.description,
        feeds=(site_feed, *feeds),
    )


def note_view(note: RenderedNote) -> NoteView:
    quote = note.selector.exact if note.selector else None
    return NoteView(note.number, Markup(note.html), Markup(note.note_html), note.author, quote, note.comment_id)


def tag_links(config: SiteConfig, names: tuple[str, ...], tag_of: dict[str, Tag]) -> tuple[Link, ...]:
    tags = {tag_of[name].slug: tag_of[name] for name in names}  # merged spellings appear once
    return tuple(Link(tag.name, href(config, urls.tag_url_path(tag.slug))) for tag in tags.values())


MAX_NESTING = 16
"""Replies deeper than this are shown at this depth, each saying which comment it answers: a reply
chain of any length renders (templates recurse once per level) and stays readable on a phone."""


def thread_view(config: SiteConfig, article: Article, rendered: RenderedArticle,
                people: dict[str, str], pager: PagerView | None = None) -> ThreadView:
    """`people`: a comment's author, as written -> their commenter's page; `pager`: the page of a
    long thread to show (its comments alone), None for all of them."""
    anonymous = site_words(config).gettext("Anonymous")
    by_id = {c.id: c for c in article.thread.comments}
    shown = rendered.comments[comment_page_span(rendered.comment_pages, pager.number)] if pager else rendered.comments
    depth = {item.id: item.depth for item in shown}
    shown_under: dict[str, str | None] = {}  # comment id -> the comment it is listed under
    for item in shown:  # reading order: a comment comes before its replies
        if item.depth < MAX_NESTING:
            shown_under[item.id] = item.parent_id
        else:
            parent = item.parent_id
            shown_under[item.id] = parent if depth[parent] == MAX_NESTING - 1 else shown_under[parent]
    listed: dict[str | None, list[CommentView]] = {}
    for item in reversed(shown):  # replies are built before the comments they answer
        comment = by_id[item.id]
        replies = tuple(reversed(listed.pop(item.id, [])))
        answered = by_id.get(comment.parent_id)
        view = CommentView(
            id=item.id,
            anchor=f"comment-{item.id}",
            author=comment.author,
            name=comment.name,
            url=comment.url,
            date=item.date,
            body_html=Markup(item.body_html),
            notes=tuple(note_view(n) for n in item.notes),
            depth=item.depth,
            replies=replies,
            reply_count=sum(1 + r.reply_count for r in replies),
            reply_to=(Link(answered.author or anonymous, f"#comment-{answered.id}")
                      if answered is not None and shown_under[item.id] != answered.id else None),
            person_url=people.get(comment.author) if comment.author else None,
            language_attributes=language_attributes(comment.language or article.language, config.language),
        )
        listed.setdefault(shown_under[item.id], []).append(view)
    roots = tuple(reversed(listed.get(None, [])))
    total = len(rendered.comments)
    count = article.thread.count
    return ThreadView(roots, total, count if count is not None and count > total else None, article.thread.closed,
                      absolute_url(config, urls.comments_feed_url_path(article.url_path)), pager)



_LINK_ATTRIBUTE = re.compile(r"""\b(href|src)=(["'])(.*?)\2""")


def rebase_links(html: str, base: str) -> str:
    """Relative links of an article's HTML made to work elsewhere (a list, a feed): joined to `base`.

    A summary is the first paragraph of its article, whose "plan.png" means the bundle's file and
    whose "#fn1" means the article's footnote.
    """
    def rebase(match: re.Match) -> str:
        attribute, quote, url = match.groups()
        if not url or url.startswith("/") or SCHEME.match(url):
            return match.group(0)
        return f"{attribute}={quote}{urljoin(base, url)}{quote}"  # "../../#comment-c1" from a thread's page 3
    return _LINK_ATTRIBUTE.sub(rebase, html)


def entry_view(config: SiteConfig, record: ArticleRecord, tags: tuple[Link, ...],
               links: tuple[str, ...] = ()) -> EntryView:
    """`links`: the URLs of the articles its summary's links by source file lead to."""
    url = href(config, record.url_path)
    return EntryView(
        url=url,
        title=record.title,
        date=record.date_view,
        tags=tags,
        summary_html=Markup(rebase_links(put_article_links(record.summary_html, links), url)),
        comment_count=len(record.comments),
        note_count=len(record.notes),
    )


def article_view(config: SiteConfig, article: Article, rendered: RenderedArticle, tags: tuple[Link, ...],
                 month: Link, newer: Link | None, older: Link | None, people: dict[str, str],
                 thread_pager: PagerView | None = None) -> ArticleView:
    image = None
    if article.image is not None:
        src = absolute_src = article.image.src
        if src is not None and not src.lower().startswith(("http://", "https://")):
            src = href(config, article.url_path + src)
            absolute_src = absolute_url(config, article.url_path + article.image.src)
        image = ImageView(src, absolute_src, article.image.alt, article.image.credit, article.image.credit_url)
    source = article.source
    language = article.language or config.language
    return ArticleView(
        key=article.key,
        url=href(config, article.url_path),
        absolute_url=absolute_url(config, article.url_path),
        title=article.title,
        date=date_view(article.date, language),
        updated=date_view(article.updated, language) if article.updated else None,
        authors=article.authors,
        source=Link(source.name or source.url, source.url) if source and source.url else None,
        source_name=source.name if source else None,
        image=image,
        tags=tags,
        month=month,
        newer=newer,
        older=older,
        summary_html=Markup(rendered.summary_html),
        body_html=Markup(rendered.body_html),
        notes=tuple(note_view(n) for n in rendered.notes),
        thread=thread_view(config, article, rendered, people, thread_pager),
        annotations_url=href(config, urls.annotations_url_path(article.url_path)) if rendered.notes else None,
        language=language,
        language_attributes=language_attributes(article.language, config.language),
        extra=article.extra,
    )
