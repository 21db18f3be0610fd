"""Read the `annotations:` of an article: each is a quote of the body or a comment's id, and a note.

Whether a quote matches the rendered text is decided when the article is rendered (anchoring).
"""

from __future__ import annotations

from sitegen.diagnostics import Diagnostic, error
from sitegen.load.schema import Field, check_mapping, describe, nonempty_text, text
from sitegen.load.threads import comment_id, markdown_text
from sitegen.load.yaml_lines import LineList
from sitegen.model.types import Annotation, Thread

ANNOTATION_FIELDS = {
    "quote": Field(nonempty_text),
    "prefix": Field(text),
    "suffix": Field(text),
    "comment": Field(comment_id),
    "note": Field(markdown_text, required=True),
    "author": Field(text),
}


def load_annotations(raw, path: str, line: int,
                     thread: Thread | None) -> tuple[tuple[Annotation, ...], list[Diagnostic]]:
    """`thread`: the article's, or None when its file could not be read (an error already said so):
    then a note's `comment:` is not checked against it, which would only repeat that error."""
    if not isinstance(raw, list):
        return (), [error(path, line, f"annotations: expected a list, got {describe(raw)}")]
    annotations: list[Annotation] = []
    problems: list[Diagnostic] = []
    comment_ids = {c.id for c in thread.comments} if thread is not None else None
    for position, item in enumerate(raw, 1):
        item_line = raw.line_of(position - 1) if isinstance(raw, LineList) else line
        label = f"annotations[{position}]"
        values, _, found = check_mapping(item, ANNOTATION_FIELDS, path, item_line, label + ".")
        problems.extend(found)
        if found or not values:
            continue
        quote, target = values.get("quote"), values.get("comment")
        if (quote is None) == (target is None):
            problems.append(error(path, item_line, f"{label}: give either 'quote' (a passage of the article) "
                                  "or 'comment' (a comment's id), not both or neither"))
            continue
        if target is not None and (values.get("prefix") or values.get("suffix")):
            problems.append(error(path, item_line, f"{label}: 'prefix' and 'suffix' go with 'quote', not 'comment'"))
            continue
        if target is not None and comment_ids is not None and target not in comment_ids:
            where = thread.path or "its thread"
            problems.append(error(path, item.line_of("comment"), f"{label}.comment: '{target}' names no comment "
                                  f"in {where}"))
            continue
        annotations.append(Annotation(
            note=values["note"],
            quote=quote,
            prefix=values.get("prefix"),
            suffix=values.get("suffix"),
            comment_id=target,
            author=values.get("author"),
            line=item_line,
            position=position,
        ))
    return tuple(annotations), problems
