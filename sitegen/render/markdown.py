"""The two Markdown set-ups: a trusted one for articles and notes, a locked-down one for comments.

Articles are the editors' words: CommonMark with tables, footnotes, strikethrough and raw HTML.
Comments are the public's words: raw HTML is shown as text; links keep only http(s), mailto and
relative targets and get rel="nofollow ugc noopener"; pictures become links to the picture, so a
comment cannot load a tracker into the reader's page; headings become bold paragraphs, so a
comment cannot outrank the page's own headings.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from sitegen.load.threads import is_safe_url

PUBLIC_REL = "nofollow ugc noopener"


@lru_cache(maxsize=None)
def trusted_markdown() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": True, "typographer": False})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
    )


@lru_cache(maxsize=None)
def public_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("strikethrough")
    md.validateLink = lambda url: True  # judged by _lock_down_links, which drops the link but keeps its text
    md.core.ruler.push("lock_down_links", _lock_down_links)
    md.add_render_rule("heading_open", lambda self, tokens, idx, options, env: "<p><strong>")
    md.add_render_rule("heading_close", lambda self, tokens, idx, options, env: "</strong></p>\n")
    return md


def _lock_down_links(state) -> None:
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _safe_inline(block.children)


def _safe_inline(tokens: list[Token]) -> list[Token]:
    result: list[Token] = []
    in_link = False  # inside a link that is kept: a picture there becomes its text, not a second link
    dropping = False  # inside a link whose target was dropped: keep its text only
    for token in tokens:
        if token.type == "link_open":
            if not is_safe_url(str(token.attrGet("href") or "")):
                dropping = True
                continue
            token.attrSet("rel", PUBLIC_REL)
            in_link = True
        elif token.type == "link_close":
            if dropping:
                dropping = False
                continue
            in_link = False
        elif token.type == "image":
            # A picture's text may hold links and pictures of its own: it is kept as plain text only.
            src = str(token.attrGet("src") or "")
            text = Token("text", "", 0, content=_plain_text(token.children or []) or src)
            if is_safe_url(src) and not (dropping or in_link):
                opener = Token("link_open", "a", 1, attrs={"href": src, "rel": PUBLIC_REL})
                result.extend([opener, text, Token("link_close", "a", -1)])
            else:
                result.append(text)
            continue
        result.append(token)
    return result


def _plain_text(tokens: list[Token]) -> str:
    return "".join(t.content if t.type in ("text", "code_inline") else _plain_text(t.children or [])
                   for t in tokens)


def render_trusted(text: str) -> str:
    return trusted_markdown().render(text)


def render_public(text: str) -> str:
    return public_markdown().render(text)


ArticleLink = tuple[str, str, int, str]
"""A link from an article's body to another article by its source file: (the target's key under
content/, the link as written, its line in the body from 0, and its href as the HTML had it,
kept where the target turns out to be no article: a folder that is no bundle, a bundle's file)."""


def article_link_placeholder(number: int) -> str:
    """What the body's HTML holds for its link NUMBER to another article until the site is planned
    and that article's URL is known (`put_article_links`). A URL with a scheme of its own, so that
    nothing takes it for a path to rebase; "/" ends it, so that 1 is not read in 11."""
    return f"sitegen-article:{number}/"


def put_article_links(html: str, urls: tuple[str, ...]) -> str:
    """HTML with each placeholder of its links to articles replaced by the article's URL."""
    for number, url in enumerate(urls):
        html = html.replace(article_link_placeholder(number), url)
    return html


def render_body(text: str, key: str = "") -> tuple[str, str | None, tuple[ArticleLink, ...]]:
    """An article's body as HTML, its first paragraph as inline HTML (the default summary), and its
    links to other articles by their source file (`key` is its own source path under content/).

    One parse gives all three: the body is the longest text sitegen renders.
    """
    md = trusted_markdown()
    env: dict = {}
    tokens = md.parse(text, env)
    links = _link_articles(tokens, key)
    first = None
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            first = md.renderer.render(tokens[index + 1].children or [], md.options, env).strip() or None
            break
    return md.renderer.render(tokens, md.options, env), first, links


def _link_articles(tokens, key: str, first: int = 0) -> tuple[ArticleLink, ...]:
    """Each link to a Markdown file (`../2019/macron.md`) or a bundle's folder (`../macron/`),
    relative to the article's own file, as Hugo's ref and MkDocs' .md links are: its href becomes
    a placeholder, and the link is returned."""
    links: list[ArticleLink] = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        line = block.map[0] if block.map else 0
        for token in block.children:
            line += token.type in ("softbreak", "hardbreak")
            if token.type != "link_open":
                continue
            written = str(token.attrGet("href") or "")
            target = _article_key(key, written)
            if target is not None:
                parts = urlsplit(written)
                after = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
                token.attrSet("href", article_link_placeholder(first + len(links)) + after)
                links.append((target, unquote(written), line, escapeHtml(written.partition("?")[0].partition("#")[0])))
    return tuple(links)


def render_summary(text: str, key: str, first: int) -> tuple[str, tuple[ArticleLink, ...]]:
    """A front-matter summary as inline HTML, with its links to articles numbered from `first`."""
    md = trusted_markdown()
    env: dict = {}
    tokens = md.parseInline(text, env)
    links = _link_articles(tokens, key, first)
    return md.renderer.render(tokens[0].children or [], md.options, env), links


def _article_key(key: str, url: str) -> str | None:
    """The key of the article a link names by its source file, or None for any other link."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or not path or path.startswith("/") or not path.endswith((".md", "/")):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(key), path))
    return f"{target}/index.md" if path.endswith("/") else target
