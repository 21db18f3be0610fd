"""The frozen data passed between the stages of the build, named in FORMAT.md's words.

Relations are kept as keys (a comment's parent id, an article's key), never as object references,
so each value can be compared in tests, hashed for caches and sent to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str
    """Absolute URL of the site's root, always ending in '/'."""
    base_path: str
    """The path of base_url ("/" or "/digest/"): the prefix of every link the site makes."""
    description: str = ""
    language: str = "en"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    per_page: int = 20
    comments_per_page: int = 200
    """Top-level comments on each page of a long thread, each with all its replies (FORMAT.md)."""
    permalink: str = "/{year}/{month}/{slug}/"
    cname: str | None = None
    people: bool = True
    """Commenters' pages and feeds, and the numbers page's list of the most active (FORMAT.md)."""
    people_exclude: tuple[str, ...] = ()
    """Handles left out of those pages and feeds; their comments stay on the articles."""
    search: bool = True
    """The search index and /search/ (FORMAT.md)."""
    messages: tuple = ()
    """The site's own words for its language (layouts/locales/LANG.po), over the theme's:
    (message id, translation, context) each (load/messages.py)."""


class Moment(NamedTuple):
    """A date from the source, resolved to an aware datetime in the site's timezone.

    A named tuple rather than a dataclass: there is one per comment, and tuples pickle (to the
    build cache, to worker processes) several times faster.
    """

    value: datetime
    has_time: bool
    """False for a bare date (2019-11-28): it is shown without a time of day."""


@dataclass(frozen=True)
class Comment:
    id: str
    parent_id: str | None
    body: str
    """Markdown written by the public: rendered with the locked-down set-up only."""
    author: str | None = None
    name: str | None = None
    url: str | None = None
    """The author's page; None when absent or when it was not a safe http(s) or mailto URL."""
    date: Moment | None = None
    line: int | None = None
    language: str | None = None
    """Its own language tag, when it differs from its article's."""


@dataclass(frozen=True)
class Thread:
    comments: tuple[Comment, ...] = ()
    """Every comment in file order, replies flattened, each naming its parent by id."""
    closed: bool = False
    count: int | None = None
    """How many comments the source had, when not all were kept."""
    path: str | None = None


@dataclass(frozen=True)
class Annotation:
    note: str
    """Markdown written by the editor (trusted)."""
    quote: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    comment_id: str | None = None
    author: str | None = None
    line: int | None = None
    position: int = 0
    """Its place in the front matter's `annotations:` list, from 1 (annotations[2] in messages)."""


@dataclass(frozen=True)
class SourceLink:
    name: str | None
    url: str | None


@dataclass(frozen=True)
class LeadImage:
    src: str | None
    """A file of the bundle (relative) or an absolute URL; None for a credit with no picture."""
    alt: str = ""
    credit: str | None = None
    credit_url: str | None = None


@dataclass(frozen=True)
class Article:
    key: str
    """The source path relative to content/ ("2019/macron.md" or "2019/macron/index.md")."""
    path: str
    """The source path relative to the site root, for messages."""
    slug: str
    title: str
    date: Moment
    body: str
    body_line: int
    """The file line on which the body starts, for messages about it."""
    updated: Moment | None = None
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    source: SourceLink | None = None
    image: LeadImage | None = None
    summary: str | None = None
    summary_line: int = 0
    """The file line of `summary:`, for messages about its links."""
    draft: bool = False
    language: str | None = None
    """Its own language tag, when it differs from the site's: its text, its comments and its dates
    are in that language; the theme's words stay the site's."""
    extra: dict[str, Any] = field(default_factory=dict)
    annotations: tuple[Annotation, ...] = ()
    thread: Thread = field(default_factory=Thread)
    assets: tuple[str, ...] = ()
    """Bundle files to copy beside the page, relative to the bundle folder."""
    bundle_dir: str | None = None
    """The bundle folder relative to the site root; None for a single-file article."""
    url_path: str = ""
    """The page's path under base_url ("2019/11/macron/"): its ArticleRecord's, set when it is recorded."""


@dataclass(frozen=True)
class DateView:
    iso: str
    """For <time datetime> and feeds: 2019-11-28T10:37:00+03:00, or 2019-11-28 for a bare date."""
    text: str
    """For readers: "28 November 2019, 10:37" in the site's language."""


@dataclass(frozen=True)
class QuoteSelector:
    """Where a note's passage is, as a W3C TextQuoteSelector with its context filled in."""

    exact: str
    prefix: str
    suffix: str
    text_fragment: str
    """A URL fragment (#:~:text=…) that makes browsers scroll to and highlight the passage."""


@dataclass(frozen=True)
class RenderedNote:
    number: int
    html: str
    """The note as it appears on the page: <aside class="note" id="note-N">…</aside>."""
    note_html: str
    """Just the note's own text, rendered."""
    author: str | None
    selector: QuoteSelector | None
    """For a note on a passage; None for a note on a comment."""
    comment_id: str | None
    position: int = 0
    """The place of its annotation in the front matter's list, from 1 (Annotation.position)."""
