"""Read a comment thread: nested (`replies`) and flat (`parent`) forms, mixed, into one flat list.

Default ids follow the comment's position: c1, c2 at the top level, c1-2 for the second reply of
c1. Checks: unknown keys, duplicate ids, a `parent` that names no comment, `parent` and `replies`
on one comment, and reply cycles.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from sitegen.diagnostics import Diagnostic, error, shorten, warning
from sitegen.load.dates import parse_moment
from sitegen.load.schema import Field, Invalid, boolean, check_mapping, describe, language, text, whole_number
from sitegen.load.yaml_lines import LineDict, LineList
from sitegen.model.types import Comment, Thread

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_SAFE_SCHEMES = ("http", "https", "mailto")
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
"""A URL's scheme, when it has one."""


def comment_id(value) -> str:
    result = text(value).strip()
    if not _ID.match(result):
        raise Invalid(f"{describe(result)} is not a usable id (letters, digits, '-', '_', '.', ':'; "
                      "it becomes the #comment-ID permalink)")
    return result


def is_safe_url(url: str) -> bool:
    """True for a link a reader may follow from the public's words: http(s), mailto, or relative.

    Browsers ignore tabs, newlines and leading control characters in a scheme, so they are
    removed before it is read ("java\\tscript:" is javascript:), percent-escaped or not.
    """
    squeezed = "".join(ch for ch in unquote(url) if ch > " " and ch != "\x7f")
    match = SCHEME.match(squeezed)
    return match is None or match[1].lower() in _SAFE_SCHEMES


def is_author_url(url: str) -> bool:
    """A commenter's own page: an absolute http(s) or mailto URL that parses, nothing relative."""
    match = SCHEME.match(url)
    if match is None or match[1].lower() not in _SAFE_SCHEMES or not is_safe_url(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[oops"
        return False
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)


def markdown_text(value) -> str:
    result = text(value)
    if not result.strip():
        raise Invalid("must not be empty")
    return result


COMMENT_FIELDS = {
    "id": Field(comment_id),
    "author": Field(text),
    "name": Field(text),
    "url": Field(text),
    "date": Field(lambda v: v),  # read in load_thread, which knows the timezone
    "body": Field(markdown_text, required=True),
    "replies": Field(lambda v: v),
    "parent": Field(comment_id),
    "language": Field(language),
}
THREAD_FIELDS = {
    "closed": Field(boolean),
    "count": Field(whole_number(0)),
    "comments": Field(lambda v: v),
}


def load_thread(raw, path: str, timezone: ZoneInfo) -> tuple[Thread, list[Diagnostic]]:
    """`raw` is the parsed YAML of a thread file: a list of comments, or a mapping."""
    problems: list[Diagnostic] = []
    closed, count = False, None
    if raw is None:
        return Thread(path=path), []
    if isinstance(raw, dict):
        values, _, problems = check_mapping(raw, THREAD_FIELDS, path, 1)
        closed, count = values.get("closed", False), values.get("count")
        entries = values.get("comments") or LineList()
        comments_line = raw.line_of("comments") if isinstance(raw, LineDict) else 1
    else:
        entries, comments_line = raw, 1
    if not isinstance(entries, list):
        problems.append(error(path, comments_line, f"comments: expected a list of comments, got {describe(entries)}"))
        entries = []

    comments: list[Comment] = []
    seen_ids: dict[str, int | None] = {}

    def walk(items: list, parent_id: str | None, id_prefix: str, where: str) -> None:
        for position, item in enumerate(items, 1):
            line = items.line_of(position - 1) if isinstance(items, LineList) else None
            label = f"{where}[{position}]"
            values, _, found = check_mapping(item, COMMENT_FIELDS, path, line, label + ".")
            problems.extend(found)
            if not isinstance(item, dict):
                continue
            line = item.line if isinstance(item, LineDict) else line
            default_id = f"{id_prefix}{position}"
            own_id = values.get("id", default_id)
            if own_id in seen_ids:
                first = seen_ids[own_id]
                problems.append(error(path, line, f"{label}: duplicate comment id '{own_id}'"
                                      + (f" (first used on line {first})" if first else "")))
                own_id = f"{default_id}~{line}"  # keep going, to report the rest of the file
            seen_ids[own_id] = line
            replies = values.get("replies")
            parent = values.get("parent")
            if replies is not None and parent is not None:
                problems.append(error(path, item.line_of("parent"), f"{label}: has both 'parent' and 'replies' "
                                      "(write a reply either nested under 'replies' or flat with 'parent', not both)"))
            date = None
            if "date" in values:
                try:
                    date = parse_moment(values["date"], timezone)
                except Invalid as exc:
                    problems.append(error(path, item.line_of("date"), f"{label}.date: {exc}"))
            url = values.get("url")
            if url is not None and not is_author_url(url.strip()):
                problems.append(warning(path, item.line_of("url"), f"{label}.url: '{shorten(url)}' dropped "
                                        "(a commenter's url must be a whole http, https or mailto address)"))
                url = None
            comments.append(Comment(
                id=own_id,
                parent_id=parent if parent is not None else parent_id,
                body=values.get("body", ""),
                author=_blank_to_none(values.get("author")),
                name=_blank_to_none(values.get("name")),
                url=_blank_to_none(url),
                date=date,
                line=line,
                language=values.get("language"),
            ))
            if replies is not None:
                if isinstance(replies, list):
                    walk(replies, own_id, f"{default_id}-", f"{label}.replies")
                else:
                    problems.append(error(path, item.line_of("replies"),
                                          f"{label}.replies: expected a list of comments, got {describe(replies)}"))

    walk(entries, None, "c", "comments")
    problems.extend(_check_parents(comments, path))
    if count is not None and count < len(comments):
        problems.append(error(path, raw.line_of("count") if isinstance(raw, LineDict) else 1,
                              f"count: {count} is less than the {len(comments)} comments in the file "
                              "(count is how many the source had, kept or not)"))
    return Thread(comments=tuple(comments), closed=closed, count=count, path=path), problems


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else value


def _check_parents(comments: list[Comment], path: str) -> list[Diagnostic]:
    problems = []
    by_id = {c.id: c for c in comments}
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id not in by_id:
            problems.append(error(path, comment.line, f"comment '{comment.id}': parent '{comment.parent_id}' "
                                  "names no comment in this thread"))
    # Each comment is followed up to a top-level comment once: linear in the thread's length,
    # however long a flat chain of replies is.
    settled: set[str] = set()
    for comment in comments:
        chain: dict[str, None] = {}
        current: Comment | None = comment
        while current is not None and current.id not in settled and current.id not in chain:
            chain[current.id] = None
            current = by_id.get(current.parent_id) if current.parent_id is not None else None
        if current is not None and current.id in chain:
            loop = list(chain)[list(chain).index(current.id):]
            problems.append(error(path, by_id[loop[0]].line, f"reply cycle: {' -> '.join(loop + [loop[0]])} "
                                  "(each comment names another in the loop as its parent)"))
        settled.update(chain)
    return problems
