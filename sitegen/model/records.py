"""What one article contributes to the site as a whole, decided once: its URL, what lists show of
it, its comments' authors and dates. Every later stage reads these from the record."""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Iterator, NamedTuple

from sitegen.model.threads import comment_page, reading_order
from sitegen.model.types import Article, DateView, Moment, RenderedNote, SiteConfig
from sitegen.model.urls import article_url_path, comment_url_path

COMMENT_DIGEST_SIZE = 8
"""Bytes: enough to tell a comment's edits apart, and 146,838 comments cost a megabyte."""


class CommentStamp(NamedTuple):
    """A comment as lists of the whole digest need it: who and when, not its words."""

    id: str
    parent_id: str | None
    author: str | None
    name: str | None
    timestamp: float | None
    """When it was written (POSIX seconds), or None for an undated comment."""
    has_time: bool


@dataclass(frozen=True)
class CommentStamps:
    """The stamps of an article's comments, in reading order, kept field by field: a digest has a
    hundred thousand comments, and a tuple of strings reads back from the cache many times faster
    than as many small objects. `stamps[i]` is the i-th comment's CommentStamp."""

    ids: tuple[str, ...]
    parent_ids: tuple[str | None, ...]
    authors: tuple[str | None, ...]
    names: tuple[str | None, ...]
    timestamps: tuple[float | None, ...]
    has_time: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int) -> CommentStamp:
        return CommentStamp(self.ids[index], self.parent_ids[index], self.authors[index], self.names[index],
                            self.timestamps[index], self.has_time[index])

    def __iter__(self) -> Iterator[CommentStamp]:
        return map(CommentStamp, self.ids, self.parent_ids, self.authors, self.names, self.timestamps, self.has_time)


@dataclass(frozen=True)
class ArticleRecord:
    """What the site-wide stages need of an article, kept small so a digest of 100,000 comments
    fits in memory as records while the articles' rendered HTML stays in the cache."""

    key: str
    path: str
    slug: str
    title: str
    date: Moment
    tags: tuple[str, ...]
    draft: bool
    assets: tuple[str, ...]
    bundle_dir: str | None
    url_path: str
    """The page's path under base_url: the one place an article's URL is decided."""
    digest: str
    """The digest of what the article is made from: names its cached load and render."""
    summary_html: str
    summary_text: str
    """The summary without markup: the page's description for search engines and link previews."""
    comments: CommentStamps
    comment_months: tuple[tuple[int, int, int], ...]
    """(year, month, comments) in the site's timezone, for the numbers page; an undated comment
    counts in its article's month."""
    notes: tuple[RenderedNote, ...]
    last_changed: datetime
    """The latest of its date, its updated date and its comments' dates."""
    date_view: DateView
    """Its date as lists show it, written once here rather than on every planning."""
    links: tuple[tuple[str, str, int, str], ...] = ()
    """Its links to other articles by their source file: (the target's key, the link as written,
    its line, its href as written: render/markdown.ArticleLink). The pages that show its HTML put
    in the targets' URLs (render/planner.py)."""
    comment_pages: tuple[int, ...] = (0,)
    """Where each page of its thread starts, as positions in `comments` (model/threads.py)."""
    comment_digests: bytes = b""
    """A digest of each comment as pages away from the article show it (COMMENT_DIGEST_SIZE bytes
    each, in reading order; render/pages.CommentTexts.digests): a page that lists some of an
    article's comments is made again when one of those changes."""
    shape: str = ""
    """A digest of every field above but `digest` and `comment_digests`: what the site-wide stages
    see of the article. An edit that keeps an article's shape changes no plan, only the content
    its pages show."""

    def comment_url_path(self, position: int) -> str:
        """The permalink of its comment at `position` in reading order, on the page that holds it."""
        return comment_url_path(self.url_path, comment_page(self.comment_pages, position), self.comments.ids[position])


def record_article(article: Article, config: SiteConfig, digest: str, summary_html: str, summary_text: str,
                   notes: tuple[RenderedNote, ...], date_view: DateView,
                   links: tuple[tuple[str, str, int, str], ...] = (),
                   comment_pages: tuple[int, ...] = (0,)) -> ArticleRecord:
    """The record of an article. Its URL is its own (permalink, slug, date), so it is decided here.
    (Its comment_digests are added once its comments are rendered: render/pages.CommentTexts.)"""
    moments = [article.date.value, *(m.value for m in [article.updated] if m)]
    moments += [c.date.value for c in article.thread.comments if c.date]
    in_order = [comment for comment, _ in reading_order(article.thread)]
    stamps = [(c.id, c.parent_id, c.author, c.name, c.date.value.timestamp() if c.date else None,
               bool(c.date and c.date.has_time)) for c in in_order]
    months = Counter(((c.date or article.date).value.year, (c.date or article.date).value.month) for c in in_order)
    record = ArticleRecord(
        key=article.key, path=article.path, slug=article.slug, title=article.title, date=article.date,
        tags=article.tags, draft=article.draft, assets=article.assets, bundle_dir=article.bundle_dir,
        url_path=article_url_path(config, article.slug, article.date), digest=digest,
        summary_html=summary_html, summary_text=summary_text,
        comments=CommentStamps(*(zip(*stamps) if stamps else ((),) * 6)),
        comment_months=tuple((year, month, count) for (year, month), count in sorted(months.items())),
        notes=notes, last_changed=max(moments), date_view=date_view, links=links,
        comment_pages=comment_pages,
    )
    shape = hashlib.sha256(pickle.dumps(replace(record, digest="", comment_digests=b""), protocol=5)).hexdigest()
    return replace(record, shape=shape)
