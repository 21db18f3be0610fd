"""Readable URL segments for any script: Cyrillic, Greek, accented and CJK text transliterated."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

from slugify import slugify as _transliterating_slugify

WINDOWS_DEVICE = re.compile(r"(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?")
"""Names Windows keeps for its devices, whatever follows a dot: no file or folder may have one."""

# Symbols that carry the meaning of a tag ("C++" is not "C", "C#" is not "C") are spelled out.
_SPELLED_OUT = [["+", "-plus-"], ["#", "-sharp-"], ["&", "-and-"], ["@", "-at-"]]


def slugify(text: str) -> str:
    """"INF Treaty" -> "inf-treaty", "Украина" -> "ukraina", "Café" -> "cafe", "C++" -> "c-plus-plus".

    Text with no letters or digits in any script ("+++", "🙂") has no readable slug; it gets a
    short stable digest instead, so it still has a URL of its own.
    """
    slug = _transliterating_slugify(text, max_length=80, word_boundary=True, replacements=_SPELLED_OUT)
    if WINDOWS_DEVICE.fullmatch(slug):  # a commenter called "Con", a tag "AUX": a folder Windows refuses
        return f"{slug}-{hashlib.sha256(slug.encode()).hexdigest()[:4]}"  # of the slug: one for every spelling
    return slug or "x-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def same_name_key(name: str) -> str:
    """What two spellings of one tag or handle share: "Ukraine", "ukraine" and "ＵＫＲＡＩＮＥ" are
    one, and so are "Café" typed with a precomposed "é" and with "e" and a combining accent
    (Unicode's NFKC_Casefold, as identifiers are compared)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def allot_slugs(names: Iterable[str]) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """({name: its slug}, [(name, the slug it got, the name that has its plain slug)]).

    Names whose slugs collide ("Café" and "Cafe" are different names) keep distinct URLs: in the
    order given, the first gets the plain slug, the next "-2", and so on.
    """
    slug_of: dict[str, str] = {}
    taken: dict[str, str] = {}
    moved = []
    for name in names:
        base = slug = slugify(name)
        number = 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        if slug != base:
            moved.append((name, slug, taken[base]))
        taken[slug] = name
        slug_of[name] = slug
    return slug_of, moved
