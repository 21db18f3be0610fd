"""Split a list into pages of `per_page`: /base/, /base/page/2/, ... with no empty or missing page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    url_path: str
    previous_url_path: str | None
    """The page before (newer entries), or None on the first page."""
    next_url_path: str | None


def page_url_path(first_url_path: str, number: int) -> str:
    return first_url_path if number == 1 else f"{first_url_path}page/{number}/"


def paginate(items: Sequence[T], per_page: int, first_url_path: str) -> list[tuple[Pager, Sequence[T]]]:
    """Every page with its items. A list with no items still has its first page."""
    total = max(1, -(-len(items) // per_page))
    pages = []
    for number in range(1, total + 1):
        pager = Pager(
            number=number,
            total=total,
            url_path=page_url_path(first_url_path, number),
            previous_url_path=page_url_path(first_url_path, number - 1) if number > 1 else None,
            next_url_path=page_url_path(first_url_path, number + 1) if number < total else None,
        )
        pages.append((pager, items[(number - 1) * per_page: number * per_page]))
    return pages
