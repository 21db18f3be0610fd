"""Split an article file into its YAML front matter and its Markdown body."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.diagnostics import Diagnostic, error


@dataclass(frozen=True, slots=True)
class SplitArticle:
    front_matter: str
    body: str
    body_line: int
    """The file line on which the body starts."""


FRONT_MATTER_LINE = 2
"""The front matter's YAML starts on the line after the opening '---'."""


def split_front_matter(content: str, path: str) -> tuple[SplitArticle | None, list[Diagnostic]]:
    lines = content.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, [error(path, 1, "no front matter: the file must start with a '---' line, "
                                     "then the YAML (title:, date:, ...), then another '---' line")]
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return SplitArticle(
                front_matter="\n".join(lines[1:index]),
                body="\n".join(lines[index + 1:]),
                body_line=index + 2,
            ), []
    return None, [error(path, 1, "front matter is not closed: add a '---' line after the YAML")]
