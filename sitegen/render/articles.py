"""Render one article: body, summary, comments and anchored notes. Pure, so it can be cached and
run in worker processes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import partial
from itertools import count
from html import escape
from typing import Callable
from urllib.parse import quote

from markupsafe import Markup

from sitegen.diagnostics import Diagnostic, error, shorten
from sitegen.load.threads import SCHEME
from sitegen.model.threads import comment_page_numbers, comment_page_starts, reading_order
from sitegen.model.records import ArticleRecord, record_article
from sitegen.model.types import Article, Comment, DateView, QuoteSelector, RenderedNote, SiteConfig
from sitegen.model.urls import comment_page_link
from sitegen.render.anchoring import Passage, TextIndex, fold, mark_passages
from sitegen.render.dates import date_view
from sitegen.render.markdown import ArticleLink, render_body, render_public, render_summary, render_trusted
from sitegen.render.words import Words, language_attributes


@dataclass(frozen=True)
class RenderedComment:
    id: str
    parent_id: str | None
    depth: int
    body_html: str
    date: DateView | None
    """Written once here: every page that shows the comment shows this."""
    notes: tuple[RenderedNote, ...] = ()


@dataclass(frozen=True)
class RenderedArticle:
    key: str
    body_html: str
    summary_html: str
    comments: tuple[RenderedComment, ...]
    """In reading order: each comment followed by its replies."""
    notes: tuple[RenderedNote, ...]
    """Every note, numbered in reading order: the body's, then the comments'."""
    links: tuple[ArticleLink, ...] = ()
    """Its body's links to other articles by their source file, each a placeholder in the HTML
    until the site is planned (render/markdown.py), with its line in the article's file."""
    comment_pages: tuple[int, ...] = (0,)
    """Where each page of its comments starts, as positions in `comments` (model/threads.py): one
    page unless the thread has more than `comments_per_page` top-level comments."""

    def comment_page_numbers(self) -> dict[str, int]:
        """The number of the page that holds each comment, by its id."""
        return comment_page_numbers((comment.id for comment in self.comments), self.comment_pages)


def text_fragment(exact: str, prefix: str | None) -> str:
    """A text directive (https://wicg.github.io/scroll-to-text-fragment/): "-", "," and "&" escaped."""
    def encode(text: str) -> str:
        return quote(text, safe="").replace("-", "%2D")
    return "#:~:text=" + (f"{encode(prefix)}-," if prefix else "") + encode(exact)


def note_aside(number: int, note_html: str, author: str | None, target: str, words: Words,
               site_text: str = "") -> str:
    """The note's <aside>; `site_text`: the lang and dir of the site's words, in an article in
    another language."""
    byline = f'<p class="note-author">{escape(author)}</p>' if author else ""
    back = (words.gettext("Back to the comment") if target.startswith("comment-")
            else words.gettext("Back to the passage"))
    label = words.gettext("Note %(number)s", number=number)
    return (f'<aside class="note" id="note-{number}"{site_text} role="note" aria-label="{escape(label)}">'
            f'<a class="note-number" href="#{target}" title="{escape(back)}">{number}</a>'
            f'<div class="note-body">{note_html}</div>{byline}</aside>')


def render_article(article: Article, words: Words, comments_per_page: int) -> tuple[RenderedArticle, list[Diagnostic]]:
    """The article's HTML; its comments' dates in their language (their own, else the article's),
    its notes in the site's (`words`): a note is the editors', written around the article. Its
    thread is cut into pages of `comments_per_page` top-level comments."""
    language = article.language or words.language
    site_text = language_attributes(words.language, language)  # a note in a Russian article is in English
    problems: list[Diagnostic] = []
    body_html, first_paragraph, links = render_body(article.body, article.key)
    links = tuple((target, written, article.body_line + line, path) for target, written, line, path in links)

    index = TextIndex(body_html) if any(a.quote for a in article.annotations) else None
    found: list[tuple[Passage, object]] = []
    for annotation in article.annotations:
        if annotation.quote is None:
            continue
        matches = index.find(annotation.quote, annotation.prefix, annotation.suffix)
        label = f"annotations[{annotation.position}].quote"
        if not matches and (annotation.prefix or annotation.suffix) and index.find(annotation.quote):
            context = " and ".join(f"{key} '{shorten(value, 30)}'" for key, value in
                                   (("prefix", annotation.prefix), ("suffix", annotation.suffix)) if value)
            problems.append(error(article.path, annotation.line, f"{label}: '{shorten(annotation.quote)}' is in the "
                                  f"article's text, but never with its {context} around it"))
        elif not matches:
            problems.append(error(article.path, annotation.line, f"{label}: '{shorten(annotation.quote)}' matches "
                                  "nothing in the article's text (quotes are matched exactly, whitespace folded)"
                                  + _nearest(article, index, annotation)))
        elif len(matches) > 1:
            hint = ("its prefix and suffix do not tell them apart" if annotation.prefix or annotation.suffix
                    else "add a prefix: or suffix: with the words around the one you mean")
            problems.append(error(article.path, annotation.line, f"{label}: '{shorten(annotation.quote)}' matches "
                                  f"{len(matches)} places in the article's text; {hint}"))
        else:
            found.append((index.passage(matches[0], len(fold(annotation.quote))), annotation))

    on_comment: dict[str, list] = {}
    for annotation in article.annotations:
        if annotation.comment_id is not None:
            on_comment.setdefault(annotation.comment_id, []).append(annotation)
    in_order = reading_order(article.thread)
    pages = comment_page_starts([comment.parent_id for comment, _ in in_order], comments_per_page)
    place = CommentPlaces(pages, in_order, len(found), on_comment)

    notes: list[RenderedNote] = []
    passages: dict[int, Passage] = {}
    for number, (passage, annotation) in enumerate(sorted(found, key=lambda pair: pair[0].position), 1):
        passages[number] = passage
        exact = fold(annotation.quote)
        prefix, suffix = index.context(passage.position, len(exact))
        # The directive needs a prefix only where the words occur more than once.
        directive_prefix = " ".join(prefix.split()[-3:]) if len(index.find(exact)) > 1 else None
        selector = QuoteSelector(exact, prefix, suffix, text_fragment(exact, directive_prefix))
        notes.append(_note(number, annotation, f"passage-{number}", selector, words, site_text, place.links))
    if passages:
        body_html = mark_passages(body_html, passages, {n.number: n.html for n in notes})
    body_html = place.links(body_html)  # after the passages are found: it changes offsets, not text

    comments = []
    for comment, depth in in_order:
        comment_notes = []
        placed = partial(place.links, here=place.page_of.get(comment.id, 1))
        for annotation in on_comment.get(comment.id, ()):
            # In the comment's card, after its text: among the site's words already.
            comment_notes.append(_note(len(notes) + 1, annotation, f"comment-{comment.id}", None, words, "", placed))
            notes.append(comment_notes[-1])
        comments.append(RenderedComment(comment.id, comment.parent_id, depth, placed(render_public(comment.body)),
                                        date_view(comment.date, comment.language or language) if comment.date else None,
                                        tuple(comment_notes)))

    summary_html = first_paragraph or ""
    if article.summary:
        summary_html, more = render_summary(article.summary, article.key, len(links))
        links += tuple((target, written, article.summary_line, path) for target, written, _, path in more)
    summary_html = place.links(summary_html)
    return RenderedArticle(article.key, body_html, summary_html, tuple(comments), tuple(notes), links,
                           pages), problems


def _nearest(article: Article, index: TextIndex, annotation) -> str:
    """Where a quote that matches nothing may have gone, as the words to write in its place: the
    passage of the text now most like it (TextIndex.closest), with the line of the article's file
    it is on. Only ever offered: a build never moves a note by itself."""
    found = index.closest(annotation.quote, annotation.prefix, annotation.suffix)
    if found is None:
        return ""
    start, end = found
    passage = index.text[start:end]
    # Its line: the one of the file most like the passage with the words before it, which tell
    # apart two lines that both hold the passage's words.
    from rapidfuzz import fuzz  # here: only a build with a lost quote needs it (15 ms to import)
    probe = index.text[max(0, start - 30):end][:80]
    lines = article.body.splitlines() or [""]
    line = max(range(len(lines)), key=lambda number: fuzz.partial_ratio(probe, lines[number]))
    fix = f"quote: {json.dumps(passage, ensure_ascii=False)}"
    if len(index.find(passage)) > 1:  # those words are in the text more than once: say which
        fix += f", prefix: {json.dumps(index.context(start, end - start)[0].strip(), ensure_ascii=False)}"
    return f"; the nearest passage now, on line {article.body_line + line}, would be {fix}"


class CommentPlaces:
    """Which page of a long thread holds each comment and each note, for the relative links in
    the article's text, its notes and its comments: each is written for the page it sits on."""

    _LINK = re.compile(r"""\b(href|src)=(["'])(.*?)\2""")

    def __init__(self, starts: tuple[int, ...], in_order: list[tuple[Comment, int]], passage_notes: int,
                 on_comment: dict[str, list]):
        self.page_of: dict[str, int] = {}
        self.note_page: dict[int, int] = {}
        if len(starts) == 1:
            return
        self.page_of = comment_page_numbers((comment.id for comment, _ in in_order), starts)
        numbers = count(passage_notes + 1)  # a comment's notes are numbered after the text's, in reading order
        self.note_page = {next(numbers): self.page_of[comment.id]
                          for comment, _ in in_order for _ in on_comment.get(comment.id, ())}

    def links(self, html: str, here: int = 1) -> str:
        """`html`, which sits on page `here` (the article's text and its notes: the first), with
        its relative links leading where they meant: "#comment-c250" and "#note-9" to the page
        that holds them, any other to the article's page ("plan.png", "#passage-1"). Relative
        still, since the article's URL is not decided yet (model/records.py)."""
        if not self.page_of:
            return html

        def place(match: re.Match) -> str:
            attribute, quote, url = match.groups()
            page = self._page_meant(url)
            if page is None or page == here:
                return match.group(0)
            return f"{attribute}={quote}{comment_page_link(here, page)}{url}{quote}"
        return self._LINK.sub(place, html)

    def _page_meant(self, url: str) -> int | None:
        """The page a relative link was written for; None for one that is not relative, or is the
        same on every page (#comments)."""
        if url.startswith("#comment-"):
            return self.page_of.get(url.removeprefix("#comment-"))
        if url.startswith("#note-") and url.removeprefix("#note-").isdigit():
            return self.note_page.get(int(url.removeprefix("#note-")), 1)
        if not url or url == "#comments" or url.startswith("/") or SCHEME.match(url):
            return None
        return 1


def _note(number: int, annotation, target: str, selector: QuoteSelector | None, words: Words,
          site_text: str, placed: Callable[[str], str]) -> RenderedNote:
    note_html = placed(render_trusted(annotation.note))
    return RenderedNote(number, note_aside(number, note_html, annotation.author, target, words, site_text), note_html,
                        annotation.author, selector, annotation.comment_id, annotation.position)


def summarize(article: Article, rendered: RenderedArticle, digest: str, config: SiteConfig) -> ArticleRecord:
    """The article's record, with what lists show of it rendered."""
    return record_article(article, config, digest, rendered.summary_html, Markup(rendered.summary_html).striptags(),
                          rendered.notes, date_view(article.date, config.language), rendered.links,
                          rendered.comment_pages)
