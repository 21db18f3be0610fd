"""The shape of a thread as readers see it: replies under what they answer, in file order."""

from __future__ import annotations

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
