"""The locked-down Markdown of comments, as a table of input and expected HTML (fixtures/comment_markdown.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.render.markdown import render_public

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "comment_markdown.md"


def read_cases(path: Path) -> list[tuple[str, str, str]]:
    """markdown-it-py's fixture format: a title line, then '.', input, '.', expected HTML, '.'."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, index = [], 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        title = lines[index]
        assert lines[index + 1] == ".", f"{path.name}: '.' expected after '{title}'"
        parts, current, index = [], [], index + 2
        while len(parts) < 2:
            if lines[index] == ".":
                parts.append("\n".join(current))
                current = []
            else:
                current.append(lines[index])
            index += 1
        cases.append((title, parts[0], parts[1]))
    return cases


CASES = read_cases(FIXTURE)


@pytest.mark.parametrize("title,source,expected", CASES, ids=[c[0] for c in CASES])
def test_comment_markdown(title, source, expected):
    assert render_public(source).strip() == expected.strip()
