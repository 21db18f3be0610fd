"""Arrange an exported thread as FORMAT.md nests it: replies under what they answer, oldest first.

Shared by every importer. Each comment arrives with its parent's id and, when it is not to be
shown, the reason (spam, trashed, deleted...). What is shown:

- every kept comment, under its parent;
- a removed comment that still has kept replies, as a "[removed]" placeholder, so that the
  replies keep their place in the conversation;
- a kept reply whose parent is not in the export at all (or whose parents form a loop) at the
  top level, and reported: dropping it would lose words, inventing a parent would lie.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from sitegen.importers.writing import dump_yaml

REMOVED = "[removed]"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


@dataclass(frozen=True, slots=True)
class ImportedComment:
    """One comment of an export, its body already Markdown; once arranged, with its replies nested."""

    id: str
    parent_id: str | None
    body: str
    author: str | None = None
    url: str | None = None
    date: str | None = None
    """ISO 8601, with its offset when the export gives one."""
    left_out: str | None = None
    """Why it is not shown ("spam", "trashed", ...); None when it is kept."""
    replies: tuple["ImportedComment", ...] = ()

    def as_yaml(self) -> dict:
        """Its entry in comments.yaml, in FORMAT.md's nested form (so without `parent`)."""
        entry = {"id": self.id, "author": self.author, "url": self.url, "date": self.date, "body": self.body}
        if self.replies:
            entry["replies"] = [reply.as_yaml() for reply in self.replies]
        return {key: value for key, value in entry.items() if value is not None}


@dataclass(frozen=True, slots=True)
class ArrangedThread:
    comments: tuple[ImportedComment, ...]
    kept: int
    placeholders: int
    left_out: Counter = field(default_factory=Counter)
    """Reason -> how many comments were not shown for it (placeholders included)."""
    moved_to_top: tuple[str, ...] = ()
    """Ids of kept replies whose parent is missing from the export, now at the top level."""

    @property
    def written(self) -> int:
        return self.kept + self.placeholders


def arrange_thread(source: list[ImportedComment]) -> ArrangedThread:
    comments = _with_usable_ids(source)
    by_id = {comment.id: comment for comment in comments}
    position = {comment.id: index for index, comment in enumerate(comments)}
    parent_of = {c.id: c.parent_id if c.parent_id in by_id and c.parent_id != c.id else None for c in comments}
    missing_parent = {c.id for c in comments if c.parent_id is not None and parent_of[c.id] is None}
    for looped in _loops(parent_of):
        parent_of[looped] = None
        missing_parent.add(looped)

    replies: dict[str | None, list[str]] = {}
    for comment in sorted(comments, key=lambda c: _reading_key(c, position[c.id])):
        replies.setdefault(parent_of[comment.id], []).append(comment.id)

    shown: set[str] = set()  # kept comments, and every comment above one
    for comment in comments:
        current = comment.id if comment.left_out is None else None
        while current is not None and current not in shown:
            shown.add(current)
            current = parent_of[current]

    def build(comment_id: str) -> ImportedComment:
        comment = by_id[comment_id]
        nested = tuple(build(r) for r in replies.get(comment_id, []) if r in shown)
        if comment.left_out is not None:
            return ImportedComment(id=comment.id, parent_id=parent_of[comment_id], body=REMOVED, replies=nested)
        return replace(comment, parent_id=parent_of[comment_id], replies=nested)

    arranged = tuple(build(root) for root in replies.get(None, []) if root in shown)
    left_out = Counter(c.left_out for c in comments if c.left_out is not None)
    placeholders = sum(1 for c in comments if c.left_out is not None and c.id in shown)
    kept = sum(1 for c in comments if c.left_out is None)
    moved = tuple(c.id for c in comments if c.id in missing_parent and c.left_out is None)
    return ArrangedThread(arranged, kept, placeholders, left_out, moved)


def thread_text(arranged: ArrangedThread, closed: bool, source_count: int) -> str:
    """comments.yaml: a plain list of comments, or a mapping when it must say `closed` or `count`.

    `source_count` is how many comments readers of the source saw; `count` is written only when
    that is more than the file holds, so the page can say some were not kept.
    """
    entries = [comment.as_yaml() for comment in arranged.comments]
    header: dict = {"closed": True} if closed else {}
    if source_count > arranged.written:
        header["count"] = source_count
    return dump_yaml({**header, "comments": entries} if header else entries)


def _with_usable_ids(source: list[ImportedComment]) -> list[ImportedComment]:
    """Ids as FORMAT.md allows them and unique in the thread (exports are not always so careful)."""
    seen: set[str] = set()
    renamed: dict[str, str] = {}
    result = []
    for index, comment in enumerate(source, 1):
        own = comment.id if _ID.match(comment.id) else f"c{index}"
        while own in seen:
            own = f"{own}.{index}"
        seen.add(own)
        renamed.setdefault(comment.id, own)  # replies name the first comment of that id
        result.append(replace(comment, id=own))
    return [replace(c, parent_id=renamed.get(c.parent_id, c.parent_id)) if c.parent_id else c for c in result]


def _loops(parent_of: dict[str, str | None]) -> list[str]:
    """One comment of each parent chain that never reaches the top level (a loop)."""
    state: dict[str, str] = {}
    breaks = []
    for start in parent_of:
        chain = []
        current: str | None = start
        while current is not None and current not in state:
            state[current] = "visiting"
            chain.append(current)
            current = parent_of[current]
        if current is not None and state[current] == "visiting":
            breaks.append(current)
        for visited in chain:
            state[visited] = "done"
    return breaks


def _reading_key(comment: ImportedComment, position: int):
    """Oldest first, as WordPress and Disqus show a thread; export order breaks ties."""
    moment = None
    if comment.date:
        try:
            moment = datetime.fromisoformat(comment.date)
        except ValueError:
            moment = None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment is None, moment or datetime.min.replace(tzinfo=timezone.utc), position)
