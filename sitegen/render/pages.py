"""Make each planned page: the maker registered for the plan's type turns it into bytes.

Makers run per page, in any process. They fetch an article's rendered content by its key, from
the build's store of `ArticleWork`, under the digest the build bound that key to.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape
from typing import Callable, NamedTuple, Protocol, TypeVar


from markupsafe import Markup

from sitegen.diagnostics import Diagnostic, error
from sitegen.model.people import public_handle
from sitegen.model.records import COMMENT_DIGEST_SIZE
from sitegen.model.threads import comment_page
from sitegen.model.types import Article, DateView, SiteConfig
from sitegen.model import urls
from sitegen.model.urls import absolute_url, href
from sitegen.render.articles import RenderedArticle
from sitegen.render.feeds import Feed, FeedEntry, atom_xml, categories_xml, entry_halves, entry_xml
from sitegen.render.markdown import put_article_links
from sitegen.render.relative import relative_links
from sitegen.render.plans import (
    AnnotationsDocument, ArticlePage, ArticlesFeed, CommenterFeed, CommentsFeed, CommentsPage, PagePlan, Robots,
    SearchShard, Sitemap, TemplatePage, TextFile, rfc3339,
)
from sitegen.render.pagefind import SearchUnavailable, index_documents
from sitegen.render.search import search_document
from sitegen.render.sitemap import robots_txt, sitemap_xml
from sitegen.render.templates import TemplateSet
from sitegen.render.views import CommentEntryView, Link, article_view, rebase_links
from sitegen.render.webannotations import AnnotationCollection, WebAnnotation, annotations_jsonld
from sitegen.render.words import language_attributes, site_words


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
    """With its url_path, from its record."""
    rendered: RenderedArticle
    feed_entry: ArticleFeedEntry


def article_work(config: SiteConfig, article: Article, rendered: RenderedArticle) -> ArticleWork:
    url = absolute_url(config, article.url_path)
    words = site_words(config)
    count = words.ngettext("%(num)s comment", "%(num)s comments", len(rendered.comments))
    closed = words.gettext(" (comments are closed)") if article.thread.closed else ""
    discussion = f'<p><a href="{url}#comments">{escape(count)}</a>{escape(closed)}</p>'
    updated = rfc3339((article.updated or article.date).value)
    entry = FeedEntry(
        id=url, title=article.title, url=url, updated=updated, published=rfc3339(article.date.value),
        authors=article.authors, categories=(), summary_html=rebase_links(rendered.summary_html, url),
        content_html=rendered.body_html + "\n" + discussion, base_url=url,
        language=article.language if article.language != config.language else None)
    return ArticleWork(article, rendered, ArticleFeedEntry(updated, *entry_halves(entry)))


class CommentTexts(NamedTuple):
    """All that pages listing an article's comments away from it show of them (/comments/, a
    commenter's pages and feed), written when the article is rendered and kept field by field
    (strings read back from the cache many times faster than as many objects): the article's title
    and URL path, then, for the i-th comment in reading order, its id, HTML, date as (iso, text) or
    None, its feed entry's date, author, display name, the id of the comment it answers, and its
    language (its own, else its article's); last, where the thread's pages start."""

    title: str
    url_path: str
    ids: tuple[str, ...]
    bodies: tuple[str, ...]
    dates: tuple[tuple[str, str] | None, ...]
    updated: tuple[str, ...]
    authors: tuple[str | None, ...]
    names: tuple[str | None, ...]
    parent_ids: tuple[str | None, ...]
    languages: tuple[str | None, ...]
    pages: tuple[int, ...]

    @staticmethod
    def of(work: ArticleWork) -> CommentTexts:
        article, comments = work.article, work.rendered.comments
        by_id = {comment.id: comment for comment in article.thread.comments}
        sources = [by_id[comment.id] for comment in comments]
        return CommentTexts(
            article.title, article.url_path, tuple(c.id for c in comments), tuple(c.body_html for c in comments),
            tuple((c.date.iso, c.date.text) if c.date else None for c in comments),
            tuple(rfc3339((c.date or article.date).value) for c in sources), tuple(c.author for c in sources),
            tuple(c.name for c in sources), tuple(c.parent_id for c in sources),
            tuple(c.language or article.language for c in sources), work.rendered.comment_pages)

    def digests(self) -> bytes:
        """A digest of each comment as these texts give it, in order (COMMENT_DIGEST_SIZE bytes each;
        ArticleRecord.comment_digests): a page that lists a comment is made again exactly when one
        of the things it reads of it changed."""
        author_of = dict(zip(self.ids, self.authors))
        return b"".join(hashlib.blake2b(repr(
            (self.title, self.permalink(place), *fields, author_of.get(self.parent_ids[place]))).encode(),
            digest_size=COMMENT_DIGEST_SIZE).digest()
            for place, fields in enumerate(zip(self.ids, self.bodies, self.dates, self.updated, self.authors,
                                               self.names, self.parent_ids, self.languages)))

    def page_path(self, place: int) -> str:
        """The URL path of the page of the thread that holds the comment at `place`."""
        return urls.comment_page_url_path(self.url_path, comment_page(self.pages, place))

    def permalink(self, place: int) -> str:
        return f"{self.page_path(place)}#comment-{self.ids[place]}"

    def view(self, comment_id: str, config: SiteConfig, person_url: str | None) -> CommentEntryView:
        """The comment as a page away from its article shows it; an excluded handle is anonymous."""
        place = self.ids.index(comment_id)
        permalink = href(config, self.permalink(place))
        author = public_handle(self.authors[place], config.people_exclude)
        parent, reply_to = self.parent_ids[place], None
        if parent is not None:
            answered_at = self.ids.index(parent)
            answered = public_handle(self.authors[answered_at], config.people_exclude)
            reply_to = Link(answered or site_words(config).gettext("Anonymous"), href(config, self.permalink(answered_at)))
        date = self.dates[place]
        # Shown away from its article, a comment's relative links ("#comment-c1") are joined to its page's URL.
        return CommentEntryView(Link(self.title, href(config, self.url_path)), permalink, author,
                                self.names[place] if author else None, DateView(*date) if date else None,
                                Markup(rebase_links(self.bodies[place], href(config, self.page_path(place)))),
                                person_url if author else None, reply_to,
                                language_attributes(self.languages[place], config.language))


class ArticleStore(Protocol):
    """Where makers fetch articles' work by digest: the build cache."""

    def work(self, digest: str) -> ArticleWork: ...

    def feed_entry(self, digest: str) -> ArticleFeedEntry:
        """The work's feed entry alone, read without the rest."""

    def comments(self, digest: str) -> CommentTexts:
        """The work's rendered comments, read without the rest."""


@dataclass(frozen=True)
class MakeContext:
    """What makers need besides their plan; one per build and process."""

    config: SiteConfig
    templates: TemplateSet
    store: ArticleStore
    digests: dict[str, str]
    """Article key -> the digest of its current content."""
    relative: bool = False
    """Links in HTML pages relative to each page (`--relative`)."""

    def article(self, key: str) -> ArticleWork:
        return self.store.work(self.digests[key])

    def feed_entry(self, key: str) -> ArticleFeedEntry:
        return self.store.feed_entry(self.digests[key])

    def comments(self, key: str) -> CommentTexts:
        return self.store.comments(self.digests[key])


Bundle = dict[str, bytes]
"""A folder of files made by one plan: output path -> bytes, the plan's own path first."""
Made = tuple[str | bytes | Bundle | None, list[Diagnostic]]
"""A page's text or bytes, or a bundle (None when it failed), and what went wrong."""
Plan = TypeVar("Plan", bound=PagePlan)
MAKERS: dict[type[PagePlan], Callable[[PagePlan, MakeContext], Made]] = {}


def makes(plan_type: type[Plan]) -> Callable[[Callable[[Plan, MakeContext], Made]], Callable[[Plan, MakeContext], Made]]:
    """Register the decorated function as the maker of plans of `plan_type`."""
    def register(maker):
        MAKERS[plan_type] = maker
        return maker
    return register


def make_page(plan: PagePlan, context: MakeContext) -> tuple[bytes | Bundle | None, list[Diagnostic]]:
    made, problems = MAKERS[type(plan)](plan, context)
    if context.relative and isinstance(made, str) and _links_may_be_relative(plan.url_path):
        made = relative_links(made, plan.url_path, context.config)
    return (made.encode("utf-8") if isinstance(made, str) else made), problems


def _links_may_be_relative(url_path: str) -> bool:
    """An HTML page, but the 404 page: a host serves that at any missing address, however deep, so
    its links stay rooted."""
    return (url_path == "" or url_path.endswith(("/", ".html"))) and url_path != urls.NOT_FOUND


@makes(TemplatePage)
def _template_page(plan: TemplatePage, context: MakeContext) -> Made:
    return context.templates.render(plan.template, plan.view, plan.view["page"].url)


@makes(ArticlePage)
def _article_page(plan: ArticlePage, context: MakeContext) -> Made:
    work = context.article(plan.key)
    view = article_view(context.config, work.article, work.rendered, plan.tags, plan.month, plan.newer, plan.older,
                        dict(plan.people), plan.thread_pager)
    html, problems = context.templates.render("article.html", {"site": plan.site, "page": plan.page, "article": view},
                                              plan.page.url)
    return (put_article_links(html, plan.links) if html is not None else None), problems


@makes(CommentsPage)
def _comments_page(plan: CommentsPage, context: MakeContext) -> Made:
    comments = tuple(context.comments(listed.key).view(listed.comment_id, context.config, listed.person_url)
                     for listed in plan.listed)
    return context.templates.render(plan.template, {**plan.view, "comments": comments}, plan.view["page"].url)


@makes(ArticlesFeed)
def _articles_feed(plan: ArticlesFeed, context: MakeContext) -> Made:
    config = context.config
    made = [(context.feed_entry(item.key), item.categories) for item in plan.items]
    updated = max((entry.updated for entry, _ in made), default=plan.empty_updated)
    self_url = absolute_url(config, plan.url_path)
    feed = Feed(self_url, plan.title, config.description, self_url, absolute_url(config, plan.page_path), updated,
                config.title, config.language,
                tuple(entry.head + categories_xml(categories) + put_article_links(entry.tail, item.links)
                      for (entry, categories), item in zip(made, plan.items)))
    return atom_xml(feed), []


def comment_entry(article_url: str, page_url: str, comment_id: str, title: str, who: str, when: str,
                  body_html: str, language: str | None = None) -> FeedEntry:
    """`page_url`: the page of the thread that holds the comment. The entry's id is the comment's
    address on the article, which stays when a thread grows another page."""
    url = f"{page_url}#comment-{comment_id}"
    return FeedEntry(id=f"{article_url}#comment-{comment_id}", title=title, url=url, updated=when, published=when,
                     authors=(who,), categories=(), summary_html="", content_html=body_html, base_url=page_url,
                     language=language)


@makes(CommentsFeed)
def _comments_feed(plan: CommentsFeed, context: MakeContext) -> Made:
    config = context.config
    work = context.article(plan.key)
    article, rendered = work.article, work.rendered
    url = absolute_url(config, article.url_path)
    by_id = {c.id: c for c in article.thread.comments}
    words = site_words(config)
    anonymous = words.gettext("Anonymous")
    page_of = rendered.comment_page_numbers()
    entries = []
    for item in rendered.comments:
        comment = by_id[item.id]
        who = comment.author or anonymous
        parent = by_id.get(comment.parent_id)
        title = (words.gettext("%(author)s replied to %(parent)s", author=who, parent=parent.author or anonymous)
                 if parent else words.gettext("%(author)s commented", author=who))
        language = comment.language or article.language
        page = absolute_url(config, urls.comment_page_url_path(article.url_path, page_of[item.id]))
        entries.append(comment_entry(url, page, comment.id, title, who, rfc3339((comment.date or article.date).value),
                                     item.body_html, language if language != config.language else None))
    entries.sort(key=lambda e: e.updated, reverse=True)
    updated = max((e.updated for e in entries), default=rfc3339((article.updated or article.date).value))
    self_url = absolute_url(config, plan.url_path)
    title = words.gettext("Comments on “%(title)s”", title=article.title)
    feed = Feed(self_url, title, config.title, self_url, url + "#comments", updated, config.title, config.language,
                tuple(entry_xml(entry) for entry in entries))
    return atom_xml(feed), []


@makes(CommenterFeed)
def _commenter_feed(plan: CommenterFeed, context: MakeContext) -> Made:
    config = context.config
    words = site_words(config)
    entries = []
    for item in plan.items:
        texts = context.comments(item.key)
        view = texts.view(item.comment_id, config, None)
        title = (words.gettext("Reply to %(author)s on “%(title)s”", author=view.reply_to.text, title=texts.title)
                 if view.reply_to else words.gettext("Comment on “%(title)s”", title=texts.title))
        place = texts.ids.index(item.comment_id)
        language = texts.languages[place]
        entries.append(comment_entry(absolute_url(config, texts.url_path), absolute_url(config, texts.page_path(place)),
                                     item.comment_id, title, plan.author, texts.updated[place], texts.bodies[place],
                                     language if language != config.language else None))
    self_url = absolute_url(config, plan.url_path)
    feed = Feed(self_url, plan.title, config.title, self_url, absolute_url(config, plan.page_path),
                entries[0].updated, config.title, config.language, tuple(entry_xml(entry) for entry in entries))
    return atom_xml(feed), []


@makes(AnnotationsDocument)
def _annotations(plan: AnnotationsDocument, context: MakeContext) -> Made:
    work = context.article(plan.key)
    article, rendered = work.article, work.rendered
    url = absolute_url(context.config, article.url_path)
    created = rfc3339((article.updated or article.date).value)
    numbers = rendered.comment_page_numbers() if rendered.notes else {}
    page_of = {note.number: absolute_url(context.config, urls.comment_page_url_path(article.url_path,
                                                                                  numbers[note.comment_id]))
               for note in rendered.notes if not note.selector}
    items = tuple(WebAnnotation(
        # Away from its page, the note's relative links ("#comment-c1", "plan.png") are joined to its URL.
        id=f"{page_of.get(note.number, url)}#note-{note.number}",
        note_html=rebase_links(note.note_html, page_of.get(note.number, url)), author=note.author,
        created=created, target_url=url, exact=note.selector.exact if note.selector else None,
        prefix=note.selector.prefix if note.selector else None,
        suffix=note.selector.suffix if note.selector else None,
        comment_url=None if note.selector else f"{page_of[note.number]}#comment-{note.comment_id}",
    ) for note in rendered.notes)
    collection = AnnotationCollection(absolute_url(context.config, plan.url_path),
                                      site_words(context.config).gettext("Editors’ notes on “%(title)s”",
                                                                         title=article.title), items)
    return annotations_jsonld(collection), []


@makes(SearchShard)
def _search_shard(plan: SearchShard, context: MakeContext) -> Made:
    documents = [search_document(context.config, context.article(key), plan.number, tags)
                 for key, tags in zip(plan.keys, plan.tags)]
    try:
        files = index_documents(documents, with_runtime=plan.number == 0)
    except SearchUnavailable as exc:
        return None, [error(plan.source, None, f"{exc} (with `search: false` in sitegen.yaml the site builds without search)")]
    folder, _, entry = plan.url_path.rpartition("/")
    bundle = {plan.url_path: files.pop(entry)}  # url_path names a file: it is its output path
    bundle.update((f"{folder}/{name}", data) for name, data in files.items())
    return bundle, []


@makes(Sitemap)
def _sitemap(plan: Sitemap, context: MakeContext) -> Made:
    return sitemap_xml(plan.entries), []


@makes(Robots)
def _robots(plan: Robots, context: MakeContext) -> Made:
    return robots_txt(plan.sitemap_url), []


@makes(TextFile)
def _text_file(plan: TextFile, context: MakeContext) -> Made:
    return plan.text, []
