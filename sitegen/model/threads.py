"""The shape of a thread as readers see it: replies under what they answer, in file order."""

from __future__ import annotations

from bisect import bisect_right
from typing import Iterable, Sequence

from sitegen.model.types import Comment, Thread


def replies_by_parent(thread: Thread) -> dict[str | None, list[Comment]]:
    """Each comment's direct replies in file order; top-level comments under None."""
    children: dict[str | None, list[Comment]] = {}
    for comment in thread.comments:
        children.setdefault(comment.parent_id, []).append(comment)
    return children


def reading_order(thread: Thread) -> list[tuple[Comment, int]]:
    """Every comment with its depth (0 for top level), each followed by its replies."""
    children = replies_by_parent(thread)
    ordered: list[tuple[Comment, int]] = []
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        comment, depth = stack.pop()
        ordered.append((comment, depth))
        stack.extend((reply, depth + 1) for reply in reversed(children.get(comment.id, [])))
    return ordered


def comment_page_starts(parent_ids: Sequence[str | None], per_page: int) -> tuple[int, ...]:
    """Where each page of a long thread starts: positions in reading order (the first is 0).

    A page holds `per_page` top-level comments, each with all its replies, so a reply is always on
    the page of the comment it answers, however long its chain.
    """
    roots = [position for position, parent in enumerate(parent_ids) if parent is None]
    return tuple(roots[::per_page]) or (0,)


def comment_page(starts: tuple[int, ...], position: int) -> int:
    """The number (from 1) of the page that holds the comment at `position` in reading order."""
    return bisect_right(starts, position)


def comment_page_numbers(ids: Iterable[str], starts: tuple[int, ...]) -> dict[str, int]:
    """The number of the page that holds each comment, by id (`ids` in reading order)."""
    return {comment_id: comment_page(starts, position) for position, comment_id in enumerate(ids)}


def comment_page_span(starts: tuple[int, ...], number: int) -> slice:
    """The positions, in reading order, of the comments on page `number`."""
    return slice(starts[number - 1], starts[number] if number < len(starts) else None)
