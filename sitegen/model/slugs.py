"""Readable URL segments for any script: Cyrillic, Greek, accented and CJK text transliterated."""

from __future__ import annotations

import hashlib

from slugify import slugify as _transliterating_slugify

# Symbols that carry the meaning of a tag ("C++" is not "C", "C#" is not "C") are spelled out.
_SPELLED_OUT = [["+", "-plus-"], ["#", "-sharp-"], ["&", "-and-"], ["@", "-at-"]]


def slugify(text: str) -> str:
    """"INF Treaty" -> "inf-treaty", "Украина" -> "ukraina", "Café" -> "cafe", "C++" -> "c-plus-plus".

    Text with no letters or digits in any script ("+++", "🙂") has no readable slug; it gets a
    short stable digest instead, so it still has a URL of its own.
    """
    slug = _transliterating_slugify(text, max_length=80, word_boundary=True, replacements=_SPELLED_OUT)
    if slug:
        return slug
    return "x-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
