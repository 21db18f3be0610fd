"""Readable URL segments for any script: Cyrillic, Greek, accented and CJK text transliterated."""

from __future__ import annotations

import hashlib

from slugify import slugify as _transliterating_slugify


def slugify(text: str) -> str:
    """"INF Treaty" -> "inf-treaty", "Украина" -> "ukraina", "Café" -> "cafe".

    Text with no letters or digits in any script ("+++", "🙂") has no readable slug; it gets a
    short stable digest instead, so it still has a URL of its own.
    """
    slug = _transliterating_slugify(text, max_length=80, word_boundary=True)
    if slug:
        return slug
    return "x-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
