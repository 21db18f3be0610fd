"""The preview's note writer: an annotation added, changed or removed in the front matter, and
nothing else in the file changed; a form it cannot change safely is refused with the YAML to paste."""

from __future__ import annotations

import difflib

import pytest

from sitegen.render.anchoring import TextIndex
from sitegen.serve.annotating import Refused, annotation, edited, selector

ARTICLE = """---
# The editors' comment stays.
title: "Avangard"   # so does this one
date: 2019-12-27
annotations:
  - quote: one
    note: |
      First note,
      two lines.
  # between the notes
  - quote: two
    note: Second.
tags: [Russia, Missiles]
---
The body, one and two.
"""


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_a_new_note_is_the_only_change_to_the_file():
    after = edited(ARTICLE, None, annotation(quote="The body", note="Third: *yes*", author="Ed"))
    assert changed_lines(ARTICLE, after) == ["+  - quote: The body", "+    note: 'Third: *yes*'", "+    author: Ed"]


def test_a_note_is_added_with_the_lists_own_indentation_or_as_a_new_list():
    flush = "---\ntitle: A\ndate: 2020-01-02\nannotations:\n- quote: one\n  note: x\n---\nB\n"
    assert changed_lines(flush, edited(flush, None, annotation(quote="q", note="n"))) == ["+- quote: q", "+  note: n"]
    bare = "---\ntitle: A\ndate: 2020-01-02\n---\nB\n"
    assert edited(bare, None, annotation(quote="B", note="n")) == (
        "---\ntitle: A\ndate: 2020-01-02\nannotations:\n  - quote: B\n    note: n\n---\nB\n")


def test_a_note_is_changed_or_removed_in_place():
    assert changed_lines(ARTICLE, edited(ARTICLE, 1, annotation(quote="one", note="Changed."))) == [
        "-    note: |", "-      First note,", "-      two lines.", "+    note: Changed."]
    assert changed_lines(ARTICLE, edited(ARTICLE, 2, None)) == ["-  - quote: two", "-    note: Second."]
    # The last one takes its key with it.
    emptied = edited(edited(ARTICLE, 2, None), 1, None)
    assert "annotations" not in emptied and emptied.endswith("tags: [Russia, Missiles]\n---\nThe body, one and two.\n")


def test_windows_line_endings_are_kept():
    crlf = ARTICLE.replace("\n", "\r\n")
    after = edited(crlf, None, annotation(quote="q", note="n"))
    assert after == edited(ARTICLE, None, annotation(quote="q", note="n")).replace("\n", "\r\n")


@pytest.mark.parametrize("front, why", [
    ("annotations: [{quote: one, note: x}]\n", "flow style"),
    ("base: &b {note: x}\nannotations:\n  - <<: *b\n    quote: one\n", "anchors or aliases"),
    ("annotations: {quote: one}\n", "flow style"),
])
def test_a_form_that_cannot_be_changed_safely_is_refused_with_the_yaml_to_paste(front, why):
    text = f"---\ntitle: A\ndate: 2020-01-02\n{front}---\nB\n"
    with pytest.raises(Refused, match=why) as refused:
        edited(text, None, annotation(quote="B", note="n"))
    assert refused.value.paste == "- quote: B\n  note: n\n"


def test_a_note_that_is_not_there_any_more_is_refused():
    with pytest.raises(Refused, match=r"no annotations\[3\]"):
        edited(ARTICLE, 3, None)
    with pytest.raises(Refused, match="no front matter"):
        edited("no front matter\n", None, annotation(quote="q", note="n"))


TEXT = TextIndex("<p>The ministry said so. Later the ministry said so again, and the ministry denied it.</p>")


def test_a_selection_gets_the_fewest_words_around_it_that_tell_it_apart():
    assert selector(TEXT, "denied") == {"quote": "denied"}
    assert selector(TEXT, " ministry\nsaid ", "Later the", "so again") == {"quote": "ministry said", "prefix": "the"}
    assert selector(TEXT, "The ministry said", "", "so. Later") == {"quote": "The ministry said"}
    assert selector(TEXT, "ministry said", "The", "so.") == {"quote": "ministry said", "prefix": "The"}
    assert selector(TEXT, "ministry", "again, and the", "denied") == {"quote": "ministry", "suffix": "denied"}
    with pytest.raises(Refused, match="not in the article's text"):
        selector(TEXT, "a note's words")


@pytest.mark.parametrize("before, after", [
    # A byte-order mark stays; so do the file's own line endings, even lone CRs.
    ("\ufeff---\ntitle: A\ndate: 2020-01-02\n---\nB\n",
     "\ufeff---\ntitle: A\ndate: 2020-01-02\nannotations:\n  - quote: B\n    note: n\n---\nB\n"),
    ("---\rtitle: A\rdate: 2020-01-02\r---\rB\r",
     "---\rtitle: A\rdate: 2020-01-02\rannotations:\r  - quote: B\r    note: n\r---\rB\r"),
    # Front matter closed by "...", an empty list in flow style, a "-" alone on its line.
    ("---\ntitle: A\ndate: 2020-01-02\n...\nB\n",
     "---\ntitle: A\ndate: 2020-01-02\nannotations:\n  - quote: B\n    note: n\n...\nB\n"),
    ("---\ntitle: A\nannotations: []\ndate: 2020-01-02\n---\nB\n",
     "---\ntitle: A\nannotations:\n  - quote: B\n    note: n\ndate: 2020-01-02\n---\nB\n"),
    ("---\ntitle: A\nannotations:\n  -\n    quote: x\n    note: y\n---\nB\n",
     "---\ntitle: A\nannotations:\n  -\n    quote: x\n    note: y\n  - quote: B\n    note: n\n---\nB\n"),
])
def test_the_files_own_form_is_kept(before, after):
    assert edited(before, None, annotation(quote="B", note="n")) == after


def test_a_dash_alone_on_its_line_is_changed_or_refused_never_a_crash():
    text = "---\ntitle: A\nannotations:\n  -\n    quote: x\n    note: y\n---\nB\n"
    assert edited(text, 1, annotation(quote="x", note="z")) == "---\ntitle: A\nannotations:\n  - quote: x\n    note: z\n---\nB\n"


def test_words_that_repeat_with_the_same_words_around_them_are_refused_not_written_to_fail():
    chorus = TextIndex("<p>" + "Chorus: la la la. " * 12 + "</p>")
    with pytest.raises(Refused, match="select more"):
        selector(chorus, "la", "la la. Chorus: la", "la. Chorus: la la")
