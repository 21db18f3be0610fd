"""schema.org JSON-LD for an article and its thread, so search engines read the discussion as one:
an Article whose `comment`s are Comments, each reply nested in the comment it answers; on each
page of a long thread, the comments on that page, and of each comment the first words: the
data stays a small share of the page.

Built in Python and serialized once per page (a template assembling it value by value spent a
third of an article page's time in `tojson`); templates get it through the `schema_org` filter.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from sitegen.render.views import ArticleView, CommentView, PageView, SiteView


def person(name: str, handle: str | None = None, url: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"@type": "Person", "name": name}
    if handle and handle != name:
        result["alternateName"] = handle
    if url:
        result["url"] = url
    return result


TEXT_LIMIT = 140
"""Characters of a comment's text in the data; the page holds the whole text, and a comment of
megabytes must not be there twice."""


def shortened(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text`, or its first words up to `limit` characters and "…"."""
    if len(text) <= limit:
        return text
    whole_words = re.match(rf"(.{{1,{limit}}})(?=\s)", text, re.S)  # the longest run that ends at a space
    return (whole_words.group(1) if whole_words else text[:limit]).rstrip() + "…"


def comment_schema(comment: CommentView, page_url: str, anonymous: str) -> dict[str, Any]:
    permalink = f"{page_url}#{comment.anchor}"
    result: dict[str, Any] = {
        "@type": "Comment", "@id": permalink, "url": permalink,
        "author": person(comment.name or comment.author or anonymous, comment.author, comment.url),
    }
    if comment.date:
        result["dateCreated"] = comment.date.iso
    if comment.reply_to:
        result["parentItem"] = {"@id": page_url + comment.reply_to.url}
    result["text"] = shortened(comment.body_html.striptags())
    if comment.replies:  # nesting is bounded by views.MAX_NESTING
        result["commentCount"] = comment.reply_count
        result["comment"] = [comment_schema(reply, page_url, anonymous) for reply in comment.replies]
    return result


def article_schema(article: ArticleView, site: SiteView, page: PageView, image_url: str | None,
                   anonymous: str) -> dict:
    result: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Article",
        "@id": article.absolute_url, "url": article.absolute_url, "mainEntityOfPage": article.absolute_url,
        "headline": article.title,
        "datePublished": article.date.iso,
        "dateModified": (article.updated or article.date).iso,
        "inLanguage": article.language,
    }
    if page.description:
        result["description"] = page.description
    if article.authors:
        result["author"] = [person(name) for name in article.authors]
    result["publisher"] = {"@type": "Organization", "name": site.title, "url": site.base_url}
    if article.tags:
        result["keywords"] = [tag.text for tag in article.tags]
    if article.source:
        result["isBasedOn"] = article.source.url
    if image_url:
        result["image"] = image_url
    result["discussionUrl"] = article.absolute_url + "#comments"
    result["commentCount"] = article.thread.total
    # A long thread's page has its own comments: they are on it, at its address.
    result["comment"] = [comment_schema(comment, page.canonical_url, anonymous) for comment in article.thread.comments]
    return result


def schema_org(article: ArticleView, site: SiteView, page: PageView, image_url: str | None = None,
               anonymous: str = "Anonymous") -> Markup:
    """The JSON for a <script type="application/ld+json">, with <, > and & escaped so that no
    comment can close the script. `anonymous`: the name of a comment's author who gave none, in the
    site's language (the theme passes it; a site's own partials/schema.html written before it
    still works)."""
    from jinja2.utils import htmlsafe_json_dumps
    return htmlsafe_json_dumps(article_schema(article, site, page, image_url, anonymous), ensure_ascii=False)
