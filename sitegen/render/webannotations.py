"""An article's notes as W3C Web Annotations (https://www.w3.org/TR/annotation-model/), so that
annotation tools (Hypothesis and others) can load them: one AnnotationCollection per article."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WebAnnotation:
    id: str
    note_html: str
    author: str | None
    created: str
    target_url: str
    exact: str | None
    prefix: str | None
    suffix: str | None
    comment_url: str | None
    """For a note on a comment: the comment's permalink, which is the note's target."""


@dataclass(frozen=True, slots=True)
class AnnotationCollection:
    id: str
    title: str
    annotations: tuple[WebAnnotation, ...]


def annotations_jsonld(collection: AnnotationCollection) -> bytes:
    items = []
    for note in collection.annotations:
        if note.comment_url is not None:
            target = note.comment_url
        else:
            target = {"source": note.target_url, "selector": {
                "type": "TextQuoteSelector", "exact": note.exact, "prefix": note.prefix, "suffix": note.suffix}}
        item = {
            "id": note.id,
            "type": "Annotation",
            "motivation": "commenting",
            "created": note.created,
            "body": {"type": "TextualBody", "value": note.note_html, "format": "text/html", "purpose": "commenting"},
            "target": target,
        }
        if note.author:
            item["creator"] = {"type": "Person", "name": note.author}
        items.append(item)
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": collection.id,
        "type": "AnnotationCollection",
        "label": collection.title,
        "total": len(items),
        "first": {"id": collection.id + "#page1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
