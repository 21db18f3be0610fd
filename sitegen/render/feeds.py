"""Atom 1.0 feeds (RFC 4287): the site's, each tag's, and each article's comments.

A feed is a fixed shape, so it is written as text, each value escaped for XML and rid of the
characters XML cannot carry (control characters pasted into a comment); the tests check every
feed with feedparser and against RFC 4287's RELAX NG grammar. An article sits in the site's feed
and in each of its tags' feeds, so its entry is written once, when the article is rendered, in
two halves around its categories (which depend on the whole site's tags). Ids are the entries'
absolute URLs, which stay the same from build to build; `updated` comes from the content, never
from the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sitegen import DISTRIBUTION

ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    url: str
    updated: str
    """RFC 3339 date-time."""
    published: str | None
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    summary_html: str
    content_html: str
    base_url: str
    """Where relative links in the content resolve (xml:base)."""
    language: str | None = None
    """The entry's own language, when it differs from the feed's (xml:lang)."""


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    subtitle: str
    self_url: str
    page_url: str
    updated: str
    author: str
    """The feed's author: Atom requires one for entries that name none."""
    language: str
    entries: tuple[str, ...]
    """Each entry's XML (entry_xml)."""


def xml_text(text: str) -> str:
    """Text escaped for XML content and attribute values, without characters XML forbids."""
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def entry_xml(entry: FeedEntry) -> str:
    head, tail = entry_halves(entry)
    return head + categories_xml(entry.categories) + tail


def entry_halves(entry: FeedEntry) -> tuple[str, str]:
    """An entry's XML before its categories, and after them (its categories are not written)."""
    opening = f'  <entry xml:lang="{xml_text(entry.language)}">' if entry.language else "  <entry>"
    head = [opening, f"    <id>{xml_text(entry.id)}</id>", f"    <title>{xml_text(entry.title)}</title>",
            f'    <link rel="alternate" type="text/html" href="{xml_text(entry.url)}" />']
    if entry.published:
        head.append(f"    <published>{entry.published}</published>")
    head.append(f"    <updated>{entry.updated}</updated>")
    head += [f"    <author>\n      <name>{xml_text(name)}</name>\n    </author>" for name in entry.authors]
    tail = []
    if entry.summary_html:
        tail.append(f'    <summary type="html">{xml_text(entry.summary_html)}</summary>')
    tail.append(f'    <content type="html" xml:base="{xml_text(entry.base_url)}">'
                f"{xml_text(entry.content_html)}</content>")
    tail.append("  </entry>")
    return "\n".join(head) + "\n", "\n".join(tail) + "\n"


def categories_xml(terms: tuple[str, ...]) -> str:
    return "".join(f'    <category term="{xml_text(term)}" />\n' for term in terms)


def atom_xml(feed: Feed) -> bytes:
    head = [
        "<?xml version='1.0' encoding='utf-8'?>",
        f'<feed xmlns="{ATOM}" xml:lang="{xml_text(feed.language)}">',
        f"  <id>{xml_text(feed.id)}</id>",
        f"  <title>{xml_text(feed.title)}</title>",
    ]
    if feed.subtitle:
        head.append(f"  <subtitle>{xml_text(feed.subtitle)}</subtitle>")
    head += [
        f"  <updated>{feed.updated}</updated>",
        f'  <link rel="self" type="application/atom+xml" href="{xml_text(feed.self_url)}" />',
        f'  <link rel="alternate" type="text/html" href="{xml_text(feed.page_url)}" />',
        f"  <author>\n    <name>{xml_text(feed.author)}</name>\n  </author>",
        f'  <generator uri="https://pypi.org/project/{DISTRIBUTION}/">sitegen</generator>',
    ]
    body = "".join(feed.entries)
    return ("\n".join(head) + "\n" + body + "</feed>\n").encode("utf-8")
