"""Annotating where you read: notes pinned from the preview's page into the article's front matter,
and a note whose passage was corrected away named with the passage now nearest it."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import pytest

from conftest import article, run_sitegen, tree_bytes, write_site

SITE = "title: T\nbase_url: https://example.org/\nsearch: false\n"
CORRECTED = """---
title: Avangard
date: 2020-01-02
annotations:
  - quote: hypersonic missile entered service
    note: Mach 27 is the ministry's figure.
  - quote: the ministry told
    prefix: missile was shown, and
    suffix: so again
    note: The second time.
---
The first paragraph says nothing.

The Avangard hypersonic glide vehicle entered service in December, the ministry said on
Friday. Later the *Avangard* missile was shown, and the ministry said so again.
"""


def test_a_lost_quote_is_an_error_that_names_the_nearest_passage_and_its_line(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE, "content/a.md": CORRECTED})
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 1 and not (site / "output").exists()
    lost = "matches nothing in the article's text (quotes are matched exactly, whitespace folded)"
    assert err.splitlines()[:2] == [
        f"content/a.md:5: annotations[1].quote: 'hypersonic missile entered service' {lost}; the nearest "
        'passage now, on line 14, would be quote: "hypersonic glide vehicle entered service"',
        f"content/a.md:7: annotations[2].quote: 'the ministry told' {lost}; the nearest passage now, on line 15, "
        'would be quote: "the ministry said", prefix: "missile was shown, and"']


# ---- writing notes from the preview ------------------------------------------------------------

NOTED = article("Macron on the moratorium", "2019-11-28",
                "Macron said the proposal deserves careful study. Careful study is what he promised.\n\n"
                "The second paragraph is here.",
                annotations=[{"quote": "deserves careful study", "note": "The Élysée's words."}])
THREAD = "- id: c1\n  author: anna\n  body: A first comment.\n"
PAGE = "2019/11/macron/"


@pytest.fixture
def noted(tmp_path):
    return write_site(tmp_path / "site", {"sitegen.yaml": SITE, "content/2019/macron.md": NOTED,
                                          "content/2019/macron.comments.yaml": THREAD})


class Preview:
    """A page of the preview as a browser has it, and the note requests it can make."""

    def __init__(self, server, page: str = PAGE):
        self.server, self.page = server, page
        self.origin = server.url.split("/", 3)[0] + "//" + server.url.split("/", 3)[2]
        try:
            html = urllib.request.urlopen(server.url + page).read().decode()
        except urllib.error.HTTPError as missing:  # no good build yet: the preview's own page, with its errors
            html = missing.read().decode()
        found = re.search(r'id="sitegen-notes">([^<]*)', html)
        self.secret = json.loads(found.group(1))["secret"] if found else None
        self.epoch = json.loads(re.search(r'id="sitegen-live-state">([^<]*)', html).group(1))["epoch"]

    def post(self, body: dict, **headers) -> tuple[int, dict]:
        sent = {"Content-Type": "application/json", "Origin": self.origin, "X-Sitegen-Secret": self.secret or "",
                **{name.replace("_", "-"): value for name, value in headers.items()}}
        request = urllib.request.Request(self.origin + "/__sitegen/notes", method="POST", headers=sent,
                                         data=json.dumps({"page": "/" + self.page, "epoch": self.epoch, **body}).encode())
        try:
            with urllib.request.urlopen(request) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())


def test_a_note_written_from_the_preview_is_the_only_change_to_the_file(noted, start_preview):
    server = start_preview(noted)
    before = (noted / "content/2019/macron.md").read_text()
    status, answer = Preview(server).post({"action": "add", "selected": "Careful study", "before": "study.",
                                           "after": "is what", "note": "He said it *twice*.", "author": "Ed"})
    assert (status, answer) == (200, {"ok": True})
    after = (noted / "content/2019/macron.md").read_text()
    assert after == before.replace("  note: The Élysée's words.\n", "  note: The Élysée's words.\n"
                                   "- quote: Careful study\n  note: He said it *twice*.\n  author: Ed\n")


def test_a_preview_started_after_a_build_writes_notes_too(noted, start_preview, capsys):
    """Its first build finds nothing changed and reads no article: what the last build read of
    each file comes with the last build's record."""
    assert run_sitegen(["build", "--source", noted], capsys)[0] == 0
    server = start_preview(noted)
    status, answer = Preview(server).post({"action": "add", "selected": "Careful study", "before": "study.",
                                           "after": "is what", "note": "Noted after a build."})
    assert (status, answer) == (200, {"ok": True})
    assert "Noted after a build." in (noted / "content/2019/macron.md").read_text()


def test_a_page_older_than_another_process_s_build_writes_no_note(noted, start_preview, capsys):
    """Another process wrote the file and built; until this preview builds it too, its pages are
    the older ones, and a note by number would land on another note."""
    server = start_preview(noted)
    page = Preview(server)
    source = noted / "content/2019/macron.md"
    server.watcher.stop()  # the preview builds only when asked: the other process comes first
    source.write_text(source.read_text().replace("annotations:\n", "annotations:\n- quote: Careful study\n"
                                                 "  note: Pulled from a colleague.\n"))
    assert run_sitegen(["build", "--source", noted], capsys)[0] == 0
    before = source.read_bytes()
    status, answer = page.post({"action": "remove", "number": 1})
    assert status == 409 and source.read_bytes() == before, answer


@pytest.mark.parametrize("change, why", [
    ({"X_Sitegen_Secret": "guessed"}, "not one this preview served"),
    ({"Origin": "http://evil.example"}, "only from the preview's own pages"),
    ({"Content_Type": "text/plain"}, "JSON"),
])
def test_a_write_without_the_pages_secret_or_from_another_origin_is_refused(noted, start_preview, change, why):
    server = start_preview(noted)
    files = tree_bytes(noted / "content")
    status, answer = Preview(server).post({"action": "add", "comment": "c1", "note": "x"}, **change)
    assert status in (403, 415) and why in answer["error"]
    assert tree_bytes(noted / "content") == files


def test_a_path_from_the_request_is_never_written(noted, start_preview):
    server = start_preview(noted)
    files = tree_bytes(noted)
    preview = Preview(server)
    for body in ({"action": "move", "source": "sitegen.yaml", "position": 1, "quote": "x"},
                 {"action": "move", "source": ["content/2019/macron.md"], "position": 1},
                 {"action": "move", "source": "../outside.md", "position": 1, "quote": "x"},
                 {"action": "add", "comment": "c1", "note": "x", "page": "/2019/11/"},
                 {"action": "add", "comment": "c1", "note": "x", "page": "/../sitegen.yaml"}):
        assert preview.post(body)[0] == 404, body
    assert tree_bytes(noted) == files


def test_a_preview_listening_beyond_this_machine_writes_nothing_unless_asked(noted, start_preview):
    server = start_preview(noted, host="0.0.0.0")
    preview = Preview(server)
    assert preview.secret is None, "the pages carry no note writer"
    files = tree_bytes(noted / "content")
    status, answer = preview.post({"action": "add", "comment": "c1", "note": "x"})
    assert status == 403 and "--allow-remote-edits" in answer["error"]
    assert tree_bytes(noted / "content") == files
    allowed = Preview(start_preview(noted, host="0.0.0.0", allow_remote_edits=True))
    assert allowed.post({"action": "add", "comment": "c1", "note": "From the phone."})[0] == 200


def test_a_file_changed_since_the_page_was_built_is_not_written(noted, start_preview):
    server = start_preview(noted)
    preview = Preview(server)
    source = noted / "content/2019/macron.md"
    edited = source.read_text().replace("The second paragraph", "An unsaved second paragraph")
    source.write_text(edited)  # as an editor saves it; the preview has not built it yet, or just has
    status, answer = preview.post({"action": "add", "comment": "c1", "note": "x"})
    assert status == 409 and ("changed since" in answer["error"] or "older than the files" in answer["error"])
    assert source.read_text() == edited


def test_a_note_is_read_edited_and_removed_by_its_number_on_the_page(noted, start_preview):
    server = start_preview(noted)
    source = noted / "content/2019/macron.md"
    original = source.read_text()
    assert Preview(server).post({"action": "read", "number": 1}) == (200, {"annotation": {"note": "The Élysée's words."}})
    assert Preview(server).post({"action": "edit", "number": 1, "note": "Changed.", "author": ""})[0] == 200
    assert source.read_text() == original.replace("note: The Élysée's words.", "note: Changed.")
    wait_for_build(server)
    assert Preview(server).post({"action": "remove", "number": 1})[0] == 200
    assert "annotations" not in source.read_text()


def test_a_lost_passage_is_moved_to_the_nearest_one_on_request(noted, start_preview):
    server = start_preview(noted)
    source = noted / "content/2019/macron.md"
    source.write_text(source.read_text().replace("proposal deserves", "proposal merits"))
    wait_for_build(server, errors=True)
    message = server.session.state.errors[0].message
    assert 'would be quote: "merits careful study"' in message
    status, _ = Preview(server).post({"action": "move", "source": "content/2019/macron.md", "position": 1})
    assert status == 200
    assert "- quote: merits careful study\n  note: The Élysée's words.\n" in source.read_text()
    wait_for_build(server)
    assert not server.session.state.errors


def test_a_preview_that_starts_on_a_lost_passage_can_move_it(noted, start_preview):
    source = noted / "content/2019/macron.md"
    source.write_text(source.read_text().replace("proposal deserves", "proposal merits"))
    server = start_preview(noted)
    assert server.session.state.errors
    assert Preview(server).post({"action": "move", "source": "content/2019/macron.md", "position": 1})[0] == 200
    assert "- quote: merits careful study\n" in source.read_text()


def test_a_quote_written_as_a_number_is_kept_when_its_note_is_edited(tmp_path, start_preview):
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE, "content/2019/macron.md": article(
        "Orwell", "2019-11-28", "He wrote 1984 then.", annotations=[{"quote": 1984, "note": 42}])})
    server = start_preview(site)
    assert Preview(server).post({"action": "read", "number": 1}) == (200, {"annotation": {"note": "42"}})
    assert Preview(server).post({"action": "edit", "number": 1, "note": "The year."})[0] == 200
    assert "- quote: '1984'\n  note: The year.\n" in (site / "content/2019/macron.md").read_text()


def test_an_article_that_is_a_link_is_not_written_through(tmp_path, start_preview):
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE, "content/originals/macron.txt": NOTED,
                                          "content/2019/macron.comments.yaml": THREAD})
    (site / "content/2019/macron.md").symlink_to("../originals/macron.txt")
    server = start_preview(site)
    status, answer = Preview(server).post({"action": "add", "comment": "c1", "note": "x"})
    assert status == 409 and "a link" in answer["error"]
    assert (site / "content/originals/macron.txt").read_text() == NOTED
    assert (site / "content/2019/macron.md").is_symlink()


def test_the_preview_cannot_be_framed_by_another_site(noted, start_preview):
    server = start_preview(noted)
    with urllib.request.urlopen(server.url + PAGE) as page:
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def wait_for_build(server, errors: bool = False, timeout: float = 10) -> None:
    """Until the preview has built what is on disk now (with errors, or without)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = server.session.state
        if not server.session.busy and bool(state.errors) == errors and state.builds > 0:
            time.sleep(0.05)
            if not server.session.busy:
                return
        time.sleep(0.05)
    raise AssertionError("the preview did not build in time")


# ---- in Chromium ---------------------------------------------------------------------------------

SELECT = """([words, nth]) => {
  const body = document.querySelector('.article-body');
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let seen = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('aside')) continue;
    let at = node.data.indexOf(words);
    while (at >= 0) {
      if (seen++ === nth) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + words.length);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        return;
      }
      at = node.data.indexOf(words, at + 1);
    }
  }
  throw new Error('not in the text: ' + words);
}"""


def test_select_words_in_the_preview_and_pin_a_note_to_them(noted, start_preview, browser_page):
    server = start_preview(noted)
    page = browser_page
    source = noted / "content/2019/macron.md"
    original = source.read_text()
    page.goto(server.url + PAGE)
    page.wait_for_function("window.sitegenNotes !== undefined && window.sitegenLive !== undefined")

    # The second "study" of the text: its quote needs the word before it.
    page.evaluate(SELECT, ["study", 1])
    page.click("#sitegen-note-add")
    page.fill("#sitegen-note-dialog textarea", "Said *twice*, <b>as</b> [the record](https://example.org/r) shows.")
    page.fill("#sitegen-note-dialog input", "Ed")
    page.click("#sitegen-note-dialog button[type=submit]")
    page.wait_for_function("document.querySelectorAll('aside.note').length === 2")  # reloaded with it
    assert source.read_text() == original.replace(
        "  note: The Élysée's words.\n", "  note: The Élysée's words.\n- quote: study\n  prefix: Careful\n"
        "  note: Said *twice*, <b>as</b> [the record](https://example.org/r) shows.\n  author: Ed\n")
    # Rendered as any note is: its Markdown, beside the second "study".
    note = page.locator("aside#note-2")
    assert note.locator("em").inner_text() == "twice" and note.locator("a[href='https://example.org/r']").count() == 1
    assert page.locator("mark").nth(1).evaluate("m => m.nextElementSibling.className") == "note-ref"
    assert page.evaluate("document.querySelector('.article-body').textContent.includes('Careful study')")

    # A note on a comment, by the comment's own button.
    page.click("#comment-c1 .sitegen-note-control")
    page.fill("#sitegen-note-dialog textarea", "Anna was first.")
    page.click("#sitegen-note-dialog button[type=submit]")
    page.wait_for_function("document.querySelector('#comment-c1 aside.note') !== null")
    assert "- comment: c1\n  note: Anna was first.\n" in source.read_text()

    # Edited, then removed, from the note itself.
    page.click("aside#note-2 .sitegen-note-control:text('Edit')")
    page.wait_for_function("document.querySelector('#sitegen-note-dialog textarea')?.value.startsWith('Said')")
    page.fill("#sitegen-note-dialog textarea", "Said twice.")
    page.click("#sitegen-note-dialog button[type=submit]")
    page.wait_for_function("document.querySelector('aside#note-2 .note-body').innerText.trim() === 'Said twice.'")
    page.click("aside#note-2 .sitegen-note-control:text('Remove')")
    page.click("#sitegen-note-dialog button[type=submit]")
    page.wait_for_function("document.querySelectorAll('.article-body aside.note').length === 1")
    assert source.read_text() == original.replace(
        "  note: The Élysée's words.\n", "  note: The Élysée's words.\n- comment: c1\n  note: Anna was first.\n")


def test_the_built_site_carries_no_note_writer(noted, capsys):
    assert run_sitegen(["build", "--source", noted], capsys)[0] == 0
    everything = b"".join(tree_bytes(noted / "output").values())
    assert b"sitegen-notes" not in everything and b"annotate.js" not in everything and b"__sitegen" not in everything


def test_the_error_of_a_lost_passage_moves_the_note_with_one_click(noted, start_preview, browser_page):
    server = start_preview(noted)
    page = browser_page
    page.goto(server.url + PAGE)
    page.wait_for_function("window.sitegenNotes !== undefined && window.sitegenLive !== undefined")
    source = noted / "content/2019/macron.md"
    source.write_text(source.read_text().replace("proposal deserves", "proposal merits"))
    page.locator("#sitegen-live-overlay .sitegen-note-control").click()  # waits for the failed build's overlay
    page.wait_for_function("document.getElementById('sitegen-live-overlay') === null")  # rebuilt, and reloaded
    assert "- quote: merits careful study\n" in source.read_text()
    assert page.locator("mark").first.inner_text() == "merits careful study"
