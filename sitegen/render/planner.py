"""Plan every page of the site before anything renders, in parts (`Part`): each part's plans
are made from its inputs alone, so a build plans again only the parts whose inputs changed
(cache/plans.py). The plan types are in render/plans.py.
"""

from __future__ import annotations

import hashlib
import heapq
import io
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from typing import NamedTuple
from urllib.parse import urljoin

from markupsafe import Markup

from sitegen.model import urls
from sitegen.model.pagination import Pager, paginate
from sitegen.model.people import public_handle, when_written
from sitegen.model.records import ArticleRecord
from sitegen.model.site import Site
from sitegen.model.threads import comment_page
from sitegen.model.slugs import same_name_key
from sitegen.model.types import Moment, SiteConfig
from sitegen.model.urls import absolute_url, href
from sitegen.render.charts import comments_chart
from sitegen.render.dates import date_view, month_title
from sitegen.render.plans import (
    AnnotationsDocument, ArticlePage, ArticlesFeed, CommenterFeed, CommentsFeed, CommentsPage, FeedItem, ListedComment,
    PagePlan, Robots, SearchShard, Sitemap, SitemapEntry, TemplatePage, TextFile, rfc3339,
)
from sitegen.render.search import script_words
from sitegen.render.views import (
    ChainView, EntryView, Link, MonthEntries, MonthSummary, NoteEntryView, PagerView, PersonArticle, PersonSummary,
    TagSummary, YearSummary, entry_view, page_view, rebase_links, site_view, tag_links,
)
from sitegen.render.words import site_words

FEED_ENTRIES = 20
"""Articles in the site's and each tag's feed, newest first."""
RECENT_COMMENTS = 50
"""Comments on /comments/, newest first."""
TOP_LISTED = 10
"""Articles, reply chains and commenters in each list of /stats/."""
ARTICLES_PER_SHARD = 160
"""The search index is cut into shards of this many articles, consecutive by date, each indexed on
its own: an edit indexes one shard again, and a new article the newest (docs/speed.md)."""


class PlannedPage(NamedTuple):
    plan: PagePlan
    lastmod: datetime | None = None
    """For HTML pages the sitemap lists: when what the page shows last changed. Kept beside the
    plan, not in it: the page itself does not show it, so a new date alone makes no page again."""


class Chain(NamedTuple):
    """An article's longest run of replies to replies: the places of its first and last comments
    in the article's reading order."""

    length: int
    first: int
    last: int


def longest_chain(record: ArticleRecord) -> Chain | None:
    """The article's longest run of replies to replies, if it has a reply at all. (Its view is made
    only for the few the stats page shows, not for every article.)"""
    stamps = record.comments
    depth: dict[str, int] = {}
    root: dict[str, int] = {}  # comment id -> the place of the comment its chain starts from
    deepest = None
    for position, (id, parent) in enumerate(zip(stamps.ids, stamps.parent_ids)):
        depth[id] = depth[parent] + 1 if parent is not None else 0
        root[id] = root[parent] if parent is not None else position
        if depth[id] and (deepest is None or depth[id] > depth[stamps.ids[deepest]]):
            deepest = position
    if deepest is None:
        return None
    return Chain(depth[stamps.ids[deepest]] + 1, root[stamps.ids[deepest]], deepest)


class Part(NamedTuple):
    """Some pages planned together, from `inputs` alone (besides the build's settings): a build
    plans again only the parts whose inputs changed (cache/plans.py)."""

    name: str
    inputs: tuple
    """Everything its plans are made from: plain values, each article by its record's `shape` (or
    by `_Planner.listed`, when what lists show of it is read too)."""
    plan: Callable[[], list[PlannedPage]]


def plan_parts(site: Site, no_date: datetime, searchable: bool = True) -> Iterator[Part]:
    """Every page of the site but the sitemap (`sitemap_page`), in parts; `no_date` stands for the
    date of a page with no dated content; `searchable` is False when the site wants search but
    Pagefind cannot run here."""
    planner = _Planner(site, no_date)
    yield from planner.article_parts()
    yield from planner.home_parts()
    yield from planner.tag_parts()
    yield from planner.date_parts()
    yield from planner.discussion_parts()
    yield from planner.people_parts()
    yield planner.stats_part()
    yield from planner.search_parts(searchable)
    yield planner.site_files_part()


def sitemap_page(config: SiteConfig, pages: Iterable[tuple[str, str]]) -> PagePlan:
    """The sitemap, of every page planned with a lastmod: (its URL path, its lastmod as rfc3339)."""
    return Sitemap(url_path=urls.SITEMAP, source="sitemap",
                   entries=tuple(SitemapEntry(absolute_url(config, url_path), lastmod) for url_path, lastmod in pages))


class _Planner:
    """Works out each part's inputs, and plans a part when asked to. What every part reads is
    worked out here once: tags, list entries, commenters' URLs and summaries."""

    def __init__(self, site: Site, no_date: datetime):
        self.site = site
        self.config: SiteConfig = site.config
        self.articles: tuple[ArticleRecord, ...] = site.articles
        self.by_key = {a.key: a for a in self.articles}
        self.site_view = site_view(self.config)
        self.words = site_words(self.config)
        self.tags = {a.key: tag_links(self.config, a.tags, site.tag_of) for a in self.articles}
        self.links = {a.key: self.link_urls(a) for a in self.articles}
        self.listed = {a.key: inputs_digest((a.shape, tuple((tag.text, tag.url) for tag in self.tags[a.key]),
                                             self.links[a.key])) for a in self.articles}
        """What lists show of an article (its entry, tags and links), by digest: a list's input."""
        self._entries: dict[str, EntryView] = {}
        self.no_date = no_date
        self.site_lastmod = max((a.last_changed for a in self.articles), default=self.no_date)
        self.person_urls: dict[str, str | None] = {}  # a handle as written -> its commenter's page
        self.people_summaries = self.person_summaries()

    def entry(self, key: str) -> EntryView:
        """The article as lists show it, made once per planning and only for a part planned again."""
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = entry_view(self.config, self.by_key[key], self.tags[key], self.links[key])
        return entry

    def html(self, url_path: str, template: str, title: str, source: str, lastmod: datetime | None,
             description: str = "", feeds: tuple[Link, ...] = (), **context) -> PlannedPage:
        page = page_view(self.config, url_path, title, description, feeds)
        return PlannedPage(TemplatePage(url_path=url_path, source=source, template=template,
                                        view={"site": self.site_view, "page": page, **context}), lastmod)

    def lastmod_of(self, keys) -> datetime:
        return max((self.by_key[k].last_changed for k in keys), default=self.no_date)

    def link_urls(self, record: ArticleRecord, absolute: bool = False) -> tuple[str, ...]:
        """Where the record's links to articles by their source file lead; one whose target is no
        article (a folder that is no bundle, a bundle's file) stays as written (assemble_site
        refuses the others)."""
        url = absolute_url if absolute else href
        # One that stays as written is relative to the article: a feed's summary has no base to read it against.
        base = absolute_url(self.config, record.url_path) if absolute else ""
        return tuple(url(self.config, self.linked_path(key, written)) if key in self.by_key else urljoin(base, as_written)
                     for key, written, _, as_written in record.links)

    def linked_path(self, key: str, written: str) -> str:
        """Where a link by source file leads: its article, or the page of that article's thread that
        holds the comment it names ("../2019/macron.md#comment-c2")."""
        target = self.by_key[key]
        fragment = written.partition("#")[2]
        if fragment.startswith("comment-") and len(target.comment_pages) > 1:
            ids = target.comments.ids
            if (comment_id := fragment.removeprefix("comment-")) in ids:
                return urls.comment_page_url_path(target.url_path,
                                                  comment_page(target.comment_pages, ids.index(comment_id)))
        return target.url_path

    def link(self, record: ArticleRecord | None) -> Link | None:
        return Link(record.title, href(self.config, record.url_path)) if record else None

    # -- each article's pages --

    def article_parts(self) -> Iterator[Part]:
        for index, record in enumerate(self.articles):
            newer = self.articles[index - 1] if index > 0 else None
            older = self.articles[index + 1] if index + 1 < len(self.articles) else None
            people = tuple((author, url) for author in dict.fromkeys(record.comments.authors)
                           if author and (url := self.person_url(author)))
            # Plain values only: a digest of 10,000 parts pickles no data class.
            neighbours = tuple((other.title, other.url_path) if other else None for other in (newer, older))
            yield Part(f"article {record.key}", (self.listed[record.key], neighbours, people),
                       partial(self.article_pages, record, newer, older, people))

    def article_pages(self, record: ArticleRecord, newer: ArticleRecord | None, older: ArticleRecord | None,
                      people: tuple[tuple[str, str], ...]) -> list[PlannedPage]:
        config = self.config
        newer, older = self.link(newer), self.link(older)
        local = record.date.value
        month = Link(month_title(local.year, local.month, config.language),
                     href(config, urls.month_url_path(local.year, local.month)))
        on_comments = self.words.gettext("Comments on “%(title)s”", title=record.title)
        comments_feed = Link(on_comments, absolute_url(config, urls.comments_feed_url_path(record.url_path)))
        pages = paginate(record.comment_pages, 1, record.url_path)  # a page per start: numbers and URLs
        planned = []
        for pager, _ in pages:
            title = record.title if pager.number == 1 else self.numbered(on_comments, pager)
            planned.append(PlannedPage(ArticlePage(
                url_path=pager.url_path, source=record.path, key=record.key,
                site=self.site_view, page=page_view(config, pager.url_path, title, record.summary_text,
                                                    (comments_feed,)),
                tags=self.tags[record.key], month=month, newer=newer, older=older,
                links=self.links[record.key], people=people,
                thread_pager=self.pager_view(pager) if len(pages) > 1 else None), record.last_changed))
        planned.append(PlannedPage(CommentsFeed(url_path=urls.comments_feed_url_path(record.url_path),
                                                source=record.path, key=record.key)))
        if record.notes:  # an article with no notes has no annotation document
            planned.append(PlannedPage(AnnotationsDocument(url_path=urls.annotations_url_path(record.url_path),
                                                           source=record.path, key=record.key)))
        return planned

    # -- lists of articles --

    def list_parts(self, name: str, first_url_path: str, keys, template: str, title: str, source: str,
                   feeds: tuple[Link, ...] = (), **context) -> Iterator[Part]:
        """A list of articles, a part per page: an edit to one article's entry plans its page again."""
        for pager, chunk in paginate(list(keys), self.config.per_page, first_url_path):
            yield Part(f"{name} page {pager.number}", (self.listing(chunk), pager.total, title, feeds, context),
                       partial(self.list_page, pager, chunk, template, title, source, feeds, context))

    def list_page(self, pager: Pager, chunk: list[str], template: str, title: str, source: str,
                  feeds: tuple[Link, ...], context: dict) -> list[PlannedPage]:
        page_title = title if pager.number == 1 else self.numbered(title, pager)
        return [self.html(pager.url_path, template, page_title, source, self.lastmod_of(chunk), feeds=feeds,
                          entries=tuple(self.entry(k) for k in chunk), pager=self.pager_view(pager), **context)]

    def numbered(self, title: str, pager: Pager) -> str:
        """The title of a list's second page and after."""
        return self.words.gettext("%(title)s (page %(number)s of %(total)s)", title=title,
                                  number=self.words.number(pager.number), total=self.words.number(pager.total))

    def pager_view(self, pager: Pager) -> PagerView:
        return PagerView(pager.number, pager.total,
                         href(self.config, pager.previous_url_path) if pager.previous_url_path is not None else None,
                         href(self.config, pager.next_url_path) if pager.next_url_path is not None else None)

    def feed(self, self_path: str, page_path: str, title: str, keys, source: str) -> PlannedPage:
        items = tuple(FeedItem(key, tuple(link.text for link in self.tags[key]), self.link_urls(self.by_key[key], True))
                      for key in list(keys)[:FEED_ENTRIES])
        return PlannedPage(ArticlesFeed(url_path=self_path, source=source, title=title, page_path=page_path,
                                        items=items, empty_updated=rfc3339(self.no_date)))

    def listing(self, keys) -> tuple[bytes, ...]:
        """A list's input: what it shows of each of its articles, in order."""
        return tuple(self.listed[key] for key in keys)

    def home_parts(self) -> Iterator[Part]:
        return self.list_parts("home", urls.HOME, [a.key for a in self.articles], "home.html", self.config.title,
                               "home page")

    def tag_parts(self) -> Iterator[Part]:
        config = self.config
        for tag in self.site.tags:
            summary = self.tag_summary(tag)
            feed = Link(f"{config.title}: {tag.name}", summary.feed_url)
            yield from self.list_parts(f"tag {tag.slug}", urls.tag_url_path(tag.slug), tag.article_keys, "tag.html",
                                       self.words.gettext("Tagged “%(tag)s”", tag=tag.name), f"tag '{tag.name}'",
                                       feeds=(feed,), tag=summary)
            newest = tag.article_keys[:FEED_ENTRIES]
            yield Part(f"tag {tag.slug} feed", (tag.name, self.listing(newest)), partial(self.tag_feed, tag, newest))
        counts = tuple((tag.name, tag.slug, len(tag.article_keys)) for tag in self.site.tags)
        yield Part("tags", (counts, self.site_lastmod), self.tags_page)

    def tag_feed(self, tag, newest: list[str]) -> list[PlannedPage]:
        return [self.feed(urls.tag_feed_url_path(tag.slug), urls.tag_url_path(tag.slug),
                          f"{self.config.title}: {tag.name}", newest, f"tag '{tag.name}'")]

    def tag_summary(self, tag) -> TagSummary:
        return TagSummary(tag.name, href(self.config, urls.tag_url_path(tag.slug)), len(tag.article_keys),
                          absolute_url(self.config, urls.tag_feed_url_path(tag.slug)))

    def tags_page(self) -> list[PlannedPage]:
        return [self.html(urls.TAGS, "tags.html", self.words.gettext("Tags"), "tag index", self.site_lastmod,
                          tags=tuple(self.tag_summary(tag) for tag in self.site.tags))]

    # -- the archive --

    def date_parts(self) -> Iterator[Part]:
        for year in self.site.years:
            months = tuple((month.month, self.listing(month.article_keys)) for month in year.months)
            yield Part(f"year {year.year}", (year.year, months, self.listing(year.article_keys)),
                       partial(self.year_pages, year))
        counts = tuple((year.year, tuple((month.month, len(month.article_keys)) for month in year.months))
                       for year in self.site.years)
        yield Part("archive", (counts, self.site_lastmod), self.archive_page)

    def month_summary(self, month) -> MonthSummary:
        return MonthSummary(month_title(month.year, month.month, self.config.language),
                            href(self.config, urls.month_url_path(month.year, month.month)), len(month.article_keys))

    def year_summary(self, year) -> YearSummary:
        months = tuple(self.month_summary(month) for month in year.months)
        return YearSummary(str(year.year), href(self.config, urls.year_url_path(year.year)),
                           sum(month.count for month in months), months)

    def year_pages(self, year) -> list[PlannedPage]:
        config = self.config
        planned, groups = [], []
        for month in year.months:
            summary = self.month_summary(month)
            group = MonthEntries(summary, tuple(self.entry(k) for k in month.article_keys))
            groups.append(group)
            planned.append(self.html(urls.month_url_path(month.year, month.month), "month.html", summary.title,
                                     f"archive {summary.title}", self.lastmod_of(month.article_keys), month=summary,
                                     year=Link(str(year.year), href(config, urls.year_url_path(year.year))),
                                     entries=group.entries))
        planned.append(self.html(urls.year_url_path(year.year), "year.html", str(year.year), f"archive {year.year}",
                                 self.lastmod_of(year.article_keys), year=self.year_summary(year),
                                 months=tuple(groups)))
        return planned

    def archive_page(self) -> list[PlannedPage]:
        return [self.html(urls.ARCHIVE, "archive.html", self.words.gettext("Archive"), "archive", self.site_lastmod,
                          years=tuple(self.year_summary(year) for year in self.site.years))]

    # -- comments and notes across the digest --

    def person_url(self, author: str) -> str | None:
        if author not in self.person_urls:
            person = self.site.person_of.get(same_name_key(author))
            self.person_urls[author] = href(self.config, urls.person_url_path(person.slug)) if person else None
        return self.person_urls[author]

    def public(self, author: str | None) -> str | None:
        return public_handle(author, self.config.people_exclude)

    def comment_date(self, record: ArticleRecord, position: int) -> Moment:
        """When a comment was written; an undated comment is as of its article's date."""
        timestamp = record.comments.timestamps[position]
        if timestamp is None:
            return record.date
        return Moment(datetime.fromtimestamp(timestamp, self.config.timezone), record.comments.has_time[position])

    def listed_comment(self, record: ArticleRecord, position: int) -> ListedComment:
        author = self.public(record.comments.authors[position])
        return ListedComment(record.key, record.comments.ids[position], author and self.person_url(author))

    def discussion_parts(self) -> Iterator[Part]:
        # Newest first; an undated comment counts as of its article's date, in thread order.
        stamped = ((-when_written(record, timestamp), rank, position)
                   for rank, record in enumerate(self.articles)
                   for position, timestamp in enumerate(record.comments.timestamps))
        recent = tuple(self.listed_comment(self.articles[rank], position)
                       for _, rank, position in heapq.nsmallest(RECENT_COMMENTS, stamped))
        shown = tuple(self.by_key[key].shape for key in dict.fromkeys(comment.key for comment in recent))
        yield Part("comments", (recent, shown, self.site_lastmod), partial(self.comments_page, recent))
        noted = tuple(record.shape for record in self.articles if record.notes)
        yield Part("notes", (noted, self.site_lastmod), self.notes_page)

    def comments_page(self, recent: tuple[ListedComment, ...]) -> list[PlannedPage]:
        page = page_view(self.config, urls.RECENT_COMMENTS, self.words.gettext("Newest comments"))
        return [PlannedPage(CommentsPage(url_path=urls.RECENT_COMMENTS, source="comments page",
                                         template="comments.html", view={"site": self.site_view, "page": page},
                                         listed=recent), self.site_lastmod)]

    def notes_page(self) -> list[PlannedPage]:
        config = self.config
        notes = []
        for record in self.articles:
            page = href(config, record.url_path)
            position = {id: place for place, id in enumerate(record.comments.ids)} if record.notes else {}
            for note in record.notes:
                if note.selector:  # on the article's text
                    target, commenter, on_page = f"{page}{note.selector.text_fragment}", None, page
                else:  # in a comment's card, on the page of the thread that holds it
                    place = position[note.comment_id]
                    target, commenter = href(config, record.comment_url_path(place)), record.comments.authors[place]
                    on_page = target.partition("#")[0]
                # Its relative links ("#comment-c1", "plan.png") are joined to the page it is on.
                notes.append(NoteEntryView(Link(record.title, page), note.number, f"{on_page}#note-{note.number}",
                                           Markup(rebase_links(note.note_html, on_page)), note.author,
                                           note.selector.exact if note.selector else None, target,
                                           self.public(commenter)))
        return [self.html(urls.NOTES, "notes.html", self.words.gettext("Editors’ notes"), "notes page",
                          self.site_lastmod, notes=tuple(notes))]

    # -- commenters --

    def person_summaries(self) -> list[PersonSummary]:
        """Every commenter as /people/ lists them, most active first (none with `people: false`)."""
        config = self.config
        summaries = []
        for person in self.site.people if config.people else ():
            newest, oldest = person.comments[0], person.comments[-1]
            summaries.append(PersonSummary(
                person.handle, person.name, href(config, urls.person_url_path(person.slug)),
                absolute_url(config, urls.person_feed_url_path(person.slug)), len(person.comments),
                date_view(self.comment_date(self.by_key[oldest.key], oldest.position), config.language),
                date_view(self.comment_date(self.by_key[newest.key], newest.position), config.language),
                tuple(PersonArticle(self.link(self.by_key[key]), count) for key, count in person.articles)))
        return summaries

    def people_parts(self) -> Iterator[Part]:
        """/people/, and each commenter's pages and feed (none with `people: false`)."""
        if not self.config.people:
            return
        for person, summary in zip(self.site.people, self.people_summaries):
            # The articles of their comments, by shape: a comment's id, date and place are read from
            # it, and so is what the summary shows. Plain values only (no data class): quick to digest.
            on = tuple(self.by_key[key].shape for key in dict.fromkeys(ref.key for ref in person.comments))
            listed = self.listing(key for key, _ in person.articles)
            yield Part(f"person {person.slug}", (person.handle, person.name, tuple(map(tuple, person.comments)),
                                                 person.articles, on, listed),
                       partial(self.person_pages, person, summary))
        yield Part("people", (tuple(self.people_summaries), self.site_lastmod), self.people_index)

    def person_pages(self, person, summary: PersonSummary) -> list[PlannedPage]:
        config = self.config
        url_path = urls.person_url_path(person.slug)
        shown = person.name or person.handle
        feed = Link(self.words.gettext("Comments by %(name)s", name=shown), summary.feed_url)
        source = f"commenter '{person.handle}'"
        planned = []
        for pager, chunk in paginate(person.comments, config.per_page, url_path):
            title = feed.text if pager.number == 1 else self.numbered(feed.text, pager)
            planned.append(PlannedPage(CommentsPage(
                url_path=pager.url_path, source=source, template="person.html",
                view={"site": self.site_view, "page": page_view(config, pager.url_path, title, feeds=(feed,)),
                      "person": summary, "pager": self.pager_view(pager),
                      "entries": tuple(self.entry(key) for key, _ in person.articles) if pager.number == 1 else ()},
                listed=tuple(self.listed_comment(self.by_key[ref.key], ref.position) for ref in chunk)),
                max(self.by_key[ref.key].last_changed for ref in chunk)))
        planned.append(PlannedPage(CommenterFeed(
            url_path=urls.person_feed_url_path(person.slug), source=source, title=feed.text, author=person.handle,
            page_path=url_path,
            items=tuple(self.listed_comment(self.by_key[ref.key], ref.position)
                        for ref in person.comments[:FEED_ENTRIES]))))
        return planned

    def people_index(self) -> list[PlannedPage]:
        planned = []
        for pager, chunk in paginate(self.people_summaries, self.config.per_page, urls.PEOPLE):
            title = self.words.gettext("People")
            title = title if pager.number == 1 else self.numbered(title, pager)
            planned.append(self.html(pager.url_path, "people.html", title, "people index", self.site_lastmod,
                                     people=tuple(chunk), pager=self.pager_view(pager),
                                     total=len(self.people_summaries)))
        return planned

    # -- the numbers --

    def stats_part(self) -> Part:
        active = tuple(self.people_summaries[:TOP_LISTED])
        return Part("stats", (self.listing(self.by_key), active, len(self.site.people), self.site_lastmod),
                    self.stats_page)

    def stats_page(self) -> list[PlannedPage]:
        config = self.config
        months: Counter = Counter()
        for record in self.articles:
            for year, month, count in record.comment_months:
                months[year, month] += count
        by_comments = sorted(self.articles, key=lambda a: (-len(a.comments), -a.date.value.timestamp(), a.key))
        chains = [(record, chain) for record in self.articles if (chain := longest_chain(record))]
        chains.sort(key=lambda item: (-item[1].length, href(config, item[0].url_path)))
        return [self.html(urls.STATS, "stats.html", self.words.gettext("The conversation in numbers"), "stats page",
                          self.site_lastmod, chart=comments_chart(months, self.words),
                          totals={"articles": len(self.articles), "comments": sum(months.values()),
                                  "notes": sum(len(a.notes) for a in self.articles),
                                  "people": len(self.site.people) if config.people else None},
                          discussed=tuple(self.entry(a.key) for a in by_comments[:TOP_LISTED] if a.comments),
                          chains=tuple(self.chain_view(record, chain) for record, chain in chains[:TOP_LISTED]),
                          active=tuple(self.people_summaries[:TOP_LISTED]) if config.people else ())]

    def chain_view(self, record: ArticleRecord, chain: Chain) -> ChainView:
        stamps, anonymous = record.comments, self.words.gettext("Anonymous")
        ends = (chain.first, chain.last)
        return ChainView(self.link(record), chain.length,
                         *(Link(self.public(stamps.authors[place]) or anonymous,
                                href(self.config, record.comment_url_path(place))) for place in ends))

    # -- search --

    def search_parts(self, searchable: bool) -> Iterator[Part]:
        """/search/, and the shards of its index (none with `search: false`, or where it cannot be made)."""
        if not self.config.search:
            return
        # Oldest first, so a new article changes the last shard only, and the search page can list
        # results by date by taking the shards in order.
        ordered = [record.key for record in sorted(self.articles, key=lambda a: (a.date.value, a.key))]
        shards = [ordered[start:start + ARTICLES_PER_SHARD]
                  for start in range(0, len(ordered), ARTICLES_PER_SHARD)] if searchable else []
        for number, keys in enumerate(shards):
            yield Part(f"search {number}", (self.listing(keys),), partial(self.search_shard, number, keys))
        years = tuple(record.shape for record in self.articles)  # their dates and their comments'
        yield Part("search", (searchable, len(shards), years, tuple(tag.name for tag in self.site.tags)),
                   partial(self.search_page, searchable, len(shards)))

    def search_shard(self, number: int, keys: list[str]) -> list[PlannedPage]:
        return [PlannedPage(SearchShard(
            url_path=urls.search_shard_url_path(number) + "pagefind-entry.json", source="search index",
            number=number, keys=tuple(keys), tags=tuple(tuple(link.text for link in self.tags[key]) for key in keys)))]

    def search_page(self, searchable: bool, shards: int) -> list[PlannedPage]:
        # A comment's year counts too: the Year filter keeps the hits written that year.
        years = {year for record in self.articles for year, _, _ in record.comment_months}
        years |= {record.date.value.year for record in self.articles}
        return [self.html(urls.SEARCH, "search.html", self.words.gettext("Search"), "search page", None,
                          available=searchable,
                          shards=tuple(href(self.config, urls.search_shard_url_path(n)) for n in range(shards)),
                          script_words=script_words(self.words), tags=tuple(tag.name for tag in self.site.tags),
                          years=tuple(str(year) for year in sorted(years, reverse=True)))]

    # -- the site's own files --

    def site_files_part(self) -> Part:
        newest = [a.key for a in self.articles[:FEED_ENTRIES]]
        return Part("site files", (self.listing(newest),), partial(self.site_files, newest))

    def site_files(self, newest: list[str]) -> list[PlannedPage]:
        config = self.config
        planned = [self.feed(urls.FEED, urls.HOME, config.title, newest, "site feed"),
                   self.html(urls.NOT_FOUND, "404.html", self.words.gettext("Page not found"), "404 page", None),
                   PlannedPage(Robots(url_path=urls.ROBOTS, source="robots.txt",
                                      sitemap_url=absolute_url(config, urls.SITEMAP))),
                   # GitHub Pages: serve the output as it is (no Jekyll pass), on the custom domain if one is set.
                   PlannedPage(TextFile(url_path=urls.NO_JEKYLL, source="GitHub Pages", text=""))]
        if config.cname:
            planned.append(PlannedPage(TextFile(url_path=urls.CNAME, source="sitegen.yaml cname",
                                                text=config.cname + "\n")))
        return planned


def inputs_digest(value) -> bytes:
    """A digest of plain values that does not depend on which equal strings are one object (the
    pickler's fast mode: no memo)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.sha256(buffer.getbuffer()).digest()
