"""Atom 1.0 feeds (RFC 4287): the site's, each tag's, and each article's comments.

Written with ElementTree rather than a template, so every feed is well-formed XML whatever the
content holds; characters XML cannot carry (control characters pasted into a comment) are dropped.
Ids are the entries' absolute URLs, which stay the same from build to build; `updated` comes from
the content, never from the clock.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
    entries: tuple[FeedEntry, ...]


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def atom_xml(feed: Feed) -> bytes:
    ET.register_namespace("", ATOM)

    def add(parent, tag: str, text: str | None = None, **attributes) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attributes.items()})
        if text is not None:
            element.text = xml_text(text)
        return element

    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": feed.language})
    add(root, "id", feed.id)
    add(root, "title", feed.title)
    if feed.subtitle:
        add(root, "subtitle", feed.subtitle)
    add(root, "updated", feed.updated)
    add(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    add(root, "link", rel="alternate", type="text/html", href=feed.page_url)
    add(add(root, "author"), "name", feed.author)
    add(root, "generator", "sitegen", uri="https://github.com/sitegen/sitegen")
    for entry in feed.entries:
        element = add(root, "entry")
        add(element, "id", entry.id)
        add(element, "title", entry.title)
        add(element, "link", rel="alternate", type="text/html", href=entry.url)
        if entry.published:
            add(element, "published", entry.published)
        add(element, "updated", entry.updated)
        for name in entry.authors:
            add(add(element, "author"), "name", name)
        for term in entry.categories:
            add(element, "category", term=term)
        if entry.summary_html:
            add(element, "summary", entry.summary_html, type="html")
        content = add(element, "content", entry.content_html, type="html")
        content.set("{http://www.w3.org/XML/1998/namespace}base", entry.base_url)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
