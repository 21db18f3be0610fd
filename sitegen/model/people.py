"""The commenters of a digest: who is one commenter, and what each has said where.

A commenter is a handle (a comment's `author`), compared as tags are: "Steelmaker" and
"steelmaker" are one (model/slugs.same_name_key), shown as most recently written, and the author
is told of the merge. The name shown beside it is the display name (`name`) used most recently.
Comments without an author belong to no one. Handles whose slugs collide keep distinct URLs,
allotted in the order of their keys, so that a URL does not move when activity does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from sitegen.diagnostics import Diagnostic, warning
from sitegen.model.records import ArticleRecord
from sitegen.model.slugs import allot_slugs, same_name_key

TOP_ARTICLES = 3
"""The articles a commenter commented on most, as /people/ lists them."""


class CommentRef(NamedTuple):
    key: str
    """The article it is on."""
    position: int
    """Its place in the article's reading order (the record's comment stamps)."""
    when: float
    """POSIX seconds; an undated comment counts as of its article's date."""


@dataclass(frozen=True)
class Person:
    handle: str
    """As most recently written."""
    name: str | None
    """The display name most recently used, if any."""
    slug: str
    comments: tuple[CommentRef, ...]
    """Newest first."""
    articles: tuple[tuple[str, int], ...]
    """(article key, their comments on it) for the articles they commented on most, most first."""


@lru_cache(maxsize=65536)
def public_handle(author: str | None, exclude: tuple[str, ...]) -> str | None:
    """A handle as pages away from its article name it: not at all for one left out of them
    (`people_exclude`), who is anonymous there."""
    if not author:
        return None
    return None if same_name_key(author) in {same_name_key(handle) for handle in exclude} else author


def when_written(record: ArticleRecord, timestamp: float | None) -> float:
    return timestamp if timestamp is not None else record.date.value.timestamp()


def index_people(articles: tuple[ArticleRecord, ...],
                 exclude: tuple[str, ...]) -> tuple[tuple[Person, ...], dict[str, Person], list[Diagnostic]]:
    """(commenters, most active first; {same_name_key of a handle: its commenter}; warnings).

    `articles` are newest first; handles in `exclude` are left out.
    """
    keys: dict[str, str | None] = {}  # a handle as written -> its key; None when left out
    written = []  # (-when, article rank, position, key, handle, name): sorted once, newest first
    for rank, record in enumerate(articles):
        stamps = record.comments
        for position, (author, name, timestamp) in enumerate(zip(stamps.authors, stamps.names, stamps.timestamps)):
            if not author:
                continue
            if author not in keys:
                keys[author] = same_name_key(author) if public_handle(author, exclude) else None
            if keys[author] is not None:
                written.append((-when_written(record, timestamp), rank, position, keys[author], author, name))
    written.sort()
    uses: dict[str, list[tuple[CommentRef, str, str | None]]] = {}  # key -> (comment, handle, name), newest first
    for minus_when, rank, position, key, author, name in written:
        uses.setdefault(key, []).append((CommentRef(articles[rank].key, position, -minus_when), author, name))
    rank_of = {record.key: rank for rank, record in enumerate(articles)}
    path_of = {record.key: record.path for record in articles}

    problems: list[Diagnostic] = []
    for found in uses.values():
        handle = found[0][1]
        for variant in sorted({author for _, author, _ in found} - {handle}):
            where = next(ref.key for ref, author, _ in reversed(found) if author == variant)
            problems.append(warning(path_of[where], None, f"commenter '{variant}' is shown as '{handle}' (handles "
                                    "that differ only in case are one commenter, shown as last written)"))
    slug_of, moved = allot_slugs(uses[key][0][1] for key in sorted(uses))
    for handle, slug, holder in moved:
        where = uses[same_name_key(handle)][-1][0].key
        problems.append(warning(path_of[where], None, f"commenter '{handle}' has the URL /people/{slug}/ because "
                                f"'{holder}' already has /people/{slug_of[holder]}/"))

    people = []
    for found in uses.values():
        handle = found[0][1]
        comments = tuple(ref for ref, _, _ in found)
        counts = Counter(ref.key for ref in comments)
        most = sorted(counts.items(), key=lambda item: (-item[1], rank_of[item[0]]))[:TOP_ARTICLES]
        name = next((name for _, _, name in found if name), None)
        people.append(Person(handle, name, slug_of[handle], comments, tuple(most)))
    people.sort(key=lambda person: (-len(person.comments), -person.comments[0].when, person.slug))
    return tuple(people), {same_name_key(person.handle): person for person in people}, problems
