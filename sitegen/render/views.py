"""What templates see: plain values made for display, separate from the model.

Templates reach only these views, never the cache, the environment or other articles, so a page's
declared inputs are its true inputs. Every HTML string is `Markup` (already safe); everything else
is text that Jinja escapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from sitegen.model.slugs import slugify
from sitegen.model.types import Article, SiteConfig
from sitegen.model.urls import absolute_url, href
from sitegen.render.articles import RenderedArticle, RenderedNote
from sitegen.render.dates import DateView, date_view


@dataclass(frozen=True, slots=True)
class SiteView:
    title: str
    description: str
    language: str
    base_url: str
    base_path: str
    home_url: str
    stylesheet_url: str


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class ImageView:
    src: str | None
    alt: str
    credit: str | None
    credit_url: str | None


@dataclass(frozen=True, slots=True)
class NoteView:
    number: int
    html: Markup
    """The whole note, as placed in the page (<aside class="note" id="note-N">)."""
    note_html: Markup
    author: str | None
    quote: str | None
    comment_id: str | None


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class ThreadView:
    comments: tuple[CommentView, ...]
    """Top-level comments, each with its replies nested."""
    total: int
    source_count: int | None
    """How many the source had, when that is more than were kept."""
    closed: bool


@dataclass(frozen=True, slots=True)
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
    summary_html: Markup
    body_html: Markup
    notes: tuple[NoteView, ...]
    thread: ThreadView
    extra: dict[str, Any] = field(default_factory=dict)


def site_view(config: SiteConfig) -> SiteView:
    return SiteView(
        title=config.title,
        description=config.description,
        language=config.language,
        base_url=config.base_url,
        base_path=config.base_path,
        home_url=href(config, ""),
        stylesheet_url=href(config, "style.css"),
    )


def tag_url_path(tag: str) -> str:
    return f"tags/{slugify(tag)}/"


def _note_view(note: RenderedNote) -> NoteView:
    return NoteView(note.number, Markup(note.html), Markup(note.note_html), note.author, note.quote, note.comment_id)


def thread_view(article: Article, rendered: RenderedArticle, language: str) -> ThreadView:
    by_id = {c.id: c for c in article.thread.comments}
    children: dict[str | None, list] = {}
    for item in rendered.comments:
        children.setdefault(item.parent_id, []).append(item)

    def build(item) -> CommentView:
        comment = by_id[item.id]
        replies = tuple(build(child) for child in children.get(item.id, ()))
        return CommentView(
            id=item.id,
            anchor=f"comment-{item.id}",
            author=comment.author,
            name=comment.name,
            url=comment.url,
            date=date_view(comment.date, language) if comment.date else None,
            body_html=Markup(item.body_html),
            notes=tuple(_note_view(n) for n in item.notes),
            depth=item.depth,
            replies=replies,
            reply_count=sum(1 + r.reply_count for r in replies),
        )

    roots = tuple(build(item) for item in children.get(None, ()))
    total = len(rendered.comments)
    count = article.thread.count
    return ThreadView(roots, total, count if count is not None and count > total else None, article.thread.closed)


def article_view(config: SiteConfig, article: Article, rendered: RenderedArticle) -> ArticleView:
    image = None
    if article.image is not None:
        src = article.image.src
        if src is not None and not src.startswith(("http://", "https://", "HTTP://", "HTTPS://")):
            src = href(config, article.url_path + src)
        image = ImageView(src, article.image.alt, article.image.credit, article.image.credit_url)
    source = article.source
    return ArticleView(
        key=article.key,
        url=href(config, article.url_path),
        absolute_url=absolute_url(config, article.url_path),
        title=article.title,
        date=date_view(article.date, config.language),
        updated=date_view(article.updated, config.language) if article.updated else None,
        authors=article.authors,
        source=Link(source.name or source.url, source.url) if source and source.url else None,
        source_name=source.name if source else None,
        image=image,
        tags=tuple(Link(tag, href(config, tag_url_path(tag))) for tag in article.tags),
        summary_html=Markup(rendered.summary_html),
        body_html=Markup(rendered.body_html),
        notes=tuple(_note_view(n) for n in rendered.notes),
        thread=thread_view(article, rendered, config.language),
        extra=article.extra,
    )
