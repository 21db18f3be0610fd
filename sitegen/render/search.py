"""What the search index reads of an article: one small HTML document holding its words, its
comments and its editor's notes, for Pagefind to index (render/pagefind.py).

One document per article, not per comment: Pagefind's cost to build an index, and a browser's
to search it, grows with the square of the number of documents (docs/research/pagefind.md), and
the browser fetches a few bytes per document before its first query. Inside the document each
comment and note starts at a heading whose `id` Pagefind turns into a sub-result of its own, so
a hit still lands on the comment. That id carries what the result shows of the one comment or
note: its kind, its date and where it is from the article's page ("#comment-c1", or
"page/3/#comment-c1" in a long thread: `hit_id`); the search page's script reads them back.

Pagefind makes every `meta` field searchable, so what a result shows but must not be found by
(the article's date) travels as a filter value: the search page never filters by that key, so
its filter file is never fetched.
"""

from __future__ import annotations

from datetime import timezone
from html import escape
from typing import TYPE_CHECKING, NamedTuple

from sitegen.model import urls
from sitegen.model.people import public_handle
from sitegen.model.types import Article, Moment, SiteConfig
from sitegen.render.words import Words, site_words

if TYPE_CHECKING:  # the maker that calls this lives in render/pages.py, beside ArticleWork
    from sitegen.render.pages import ArticleWork

ARTICLE, COMMENT, NOTE = "article", "comment", "note"


class SearchDocument(NamedTuple):
    url_path: str
    """The article's URL path under base_url ("2019/11/winter-walk/")."""
    html: str


def hit_id(kind: str, day: str, place: str) -> str:
    """A heading's id in a search document: "comment~2019-11-03~#comment-c1". Where the hit is, from
    the article's URL, goes last: the search page's script reads up to the second "~"."""
    return f"{kind}~{day}~{place}"


def _place(article: Article, page: int, anchor: str) -> str:
    """Where an anchor on a page of the article's thread is, from the article's URL: "#note-2",
    "page/3/#comment-c1"."""
    return f"{urls.comment_page_url_path(article.url_path, page).removeprefix(article.url_path)}#{anchor}"


def _utc(moment: Moment) -> str:
    """A sort key: ISO instants in UTC sort as text in time order."""
    return moment.value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(moment: Moment) -> str:
    """The date as the site's timezone has it, which the search page shows."""
    return moment.value.date().isoformat()


def _tag(kind: str, key: str, value: str) -> str:
    return f'<meta data-pagefind-{kind}="{key}[content]" content="{escape(value)}">'


def search_document(config: SiteConfig, work: ArticleWork, shard: int, tags: tuple[str, ...]) -> SearchDocument:
    """The article's document: its text, then each comment and each note under its own heading.
    `shard` is the number of the index shard it goes to, which it names in a filter: the search
    page lists results by date by searching one shard after another. `tags` are the article's
    tags as the site names them (a tag spelt two ways is one), which the Tag filter offers."""
    article, rendered = work.article, work.rendered
    words = site_words(config)
    parts = [f'<h1 data-pagefind-meta="title">{escape(article.title)}</h1>', rendered.body_html]
    if article.tags:
        parts.append(f"<p>{escape(', '.join(article.tags))}</p>")
    if article.source and article.source.name:
        parts.append(f"<p>{escape(article.source.name)}</p>")
    kinds, years = [ARTICLE], {article.date.value.year}

    by_id = {comment.id: comment for comment in article.thread.comments}
    page_of = rendered.comment_page_numbers()
    for item in rendered.comments:
        comment = by_id[item.id]
        moment = comment.date or article.date
        years.add(moment.value.year)
        author = public_handle(comment.author, config.people_exclude)
        who = author or words.gettext("Anonymous")
        if author and comment.name and comment.name != author:
            who += f" ({comment.name})"
        parts.append(f'<h2 id="{escape(hit_id(COMMENT, _day(moment), _place(article, page_of[item.id], "comment-" + item.id)))}">{escape(who)}</h2>'
                     f"<div>{item.body_html}</div>")
    if rendered.comments:
        kinds.append(COMMENT)
    for note in rendered.notes:
        parts.append(f'<h2 id="{escape(hit_id(NOTE, _day(article.date), _place(article, page_of.get(note.comment_id, 1), f"note-{note.number}")))}">'
                     f'{escape(note.author or words.gettext("Editor’s note"))}</h2><div>{note.note_html}</div>')
    if rendered.notes:
        kinds.append(NOTE)

    head = [*(_tag("filter", "kind", kind) for kind in kinds), _tag("filter", "date", _day(article.date)),
            _tag("filter", "shard", str(shard)),
            *(_tag("filter", "tag", tag) for tag in tags),
            *(_tag("filter", "year", str(year)) for year in sorted(years)),
            _tag("sort", "date", _utc(article.date))]
    html = f'<html lang="{escape(config.language)}"><body>{"".join(head)}{"".join(parts)}</body></html>'
    return SearchDocument(article.url_path, html)


def script_words(words: Words) -> dict:
    """What search.js says, in the site's language: plain texts, and its counts as a form for each
    CLDR plural category, which the script picks with Intl.PluralRules (docs/themes.md)."""
    return {
        "article": words.gettext("Article"), "comment": words.gettext("Comment"),
        "note": words.gettext("Editor’s note"), "by": words.gettext("by %(author)s"),
        "searching": words.gettext("Searching…"),
        "failed": words.gettext("Search could not load its index. Try again later, or browse the tags and "
                                "the archive."),
        "nothing": words.gettext("Nothing found for “%(query)s”."),
        "found": words.plural_forms("%(num)s article with a match for “%(query)s”.",
                                    "%(num)s articles with a match for “%(query)s”."),
        "foundUpTo": words.plural_forms("Up to %(num)s article with a match for “%(query)s”.",
                                        "Up to %(num)s articles with a match for “%(query)s”."),
        "more": words.plural_forms("%(num)s more in this article", "%(num)s more in this article"),
    }
