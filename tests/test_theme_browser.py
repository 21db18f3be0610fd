"""The built-in theme in a real browser: axe-core finds no accessibility violations, light and dark; the
layout does what the theme promises at phone and desktop widths; and the run saves screenshots of
an article with its thread (tests/.artifacts/, git-ignored; the current ones are copied to docs/).

axe-core comes from PyPI's axe-playwright-python, which ships axe.min.js with its MPL-2.0 notice;
we only read that file. Chromium is Debian's, driven by Playwright: the session's `chromium` fixture
of tests/browser.py, which conftest.py provides (one browser for the whole run).
"""

from __future__ import annotations

import json
import subprocess
from importlib import resources

import pytest

from browser import static_server
from conftest import REPO
from test_theme import ARTICLE, SHOWCASE_ARTICLE, example, require_tool, showcase, vnu_jar  # noqa: F401  (fixtures)

ARTIFACTS = REPO / "tests" / ".artifacts"
AXE_PAGES = {"home": "digest/", "article": "digest/" + ARTICLE, "tag": "digest/tags/nato/",
             "archive": "digest/archive/", "deep-thread": "show/" + SHOWCASE_ARTICLE,
             "people": "digest/people/", "person": "digest/people/steelmaker/", "stats": "digest/stats/",
             "search": "digest/search/?q=Macron&kind=comment", "search-empty": "digest/search/"}


@pytest.fixture(scope="module")
def origin(example, showcase):
    """Both built sites served over loopback HTTP, at their base paths (/digest/, /show/)."""
    assert example.parent != showcase.parent
    root = example.parent.parent / "served"
    root.mkdir(exist_ok=True)
    for out in (example, showcase):
        link = root / out.name
        if not link.exists():
            link.symlink_to(out, target_is_directory=True)
    with static_server(root) as origin:
        yield origin


@pytest.fixture(scope="module")
def axe_source() -> str:
    try:
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        require_tool("axe-playwright-python (which ships axe-core) is not installed: pip install -e '.[test]'")


@pytest.fixture
def open_page(chromium):
    """open_page(url, width, scheme): a page in a fresh context of that size and colour scheme."""
    contexts = []

    def open_(url: str, width: int = 1280, scheme: str = "light", height: int = 900):
        context = chromium.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(url)
        return page
    yield open_
    for context in contexts:
        context.close()


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


# ---- axe-core ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_violations(open_page, origin, axe_source, name, scheme):
    """Light at desktop width, dark at phone width: both schemes and both layouts are checked."""
    page = open_page(origin + AXE_PAGES[name], 1280 if scheme == "light" else 390, scheme)
    if name == "search":  # its results, drawn by its script, are checked too
        page.locator(".search-hit").first.wait_for()
    page.evaluate(axe_source)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    problems = [f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
                    f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"][:5])
                for v in results["violations"]]
    assert len(results["passes"]) > 20, "axe ran its rules"
    assert problems == [], "\n".join(problems)


# ---- Screenshots -------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshot_of_an_article_with_its_thread(open_page, origin, width, scheme):
    page = open_page(origin + "digest/" + ARTICLE, width, scheme)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"article-{width}-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    first_screen = ARTIFACTS / f"article-{width}-{scheme}-first-screen.png"
    page.screenshot(path=str(first_screen))
    assert shot.stat().st_size > first_screen.stat().st_size > 10_000
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(21, 23, 26)") == (scheme == "dark")


@pytest.mark.parametrize("name,path,width,scheme", [
    ("people", "people/", 1280, "light"), ("person", "people/steelmaker/", 1280, "light"),
    ("stats", "stats/", 1280, "light"), ("stats", "stats/", 390, "dark"),
    ("search", "search/?q=Macron+NATO", 1280, "light"), ("search", "search/?q=Macron+NATO", 390, "dark")])
def test_screenshot_of_the_commenters_pages_and_the_numbers(open_page, origin, name, path, width, scheme):
    page = open_page(origin + "digest/" + path, width, scheme)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{name}-{width}-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(21, 23, 26)") == (scheme == "dark")
    if name == "search":
        page.locator(".search-hit").first.wait_for()
        page.screenshot(path=str(shot), full_page=True)
    if name == "stats":
        bars = page.locator(".chart-svg rect.chart-bar")
        assert bars.count() > 0 and page.locator(".chart-svg").bounding_box()["width"] > 0.5 * min(width, 720)
        fill = bars.first.evaluate("el => getComputedStyle(el).fill")
        assert fill not in ("none", "rgb(0, 0, 0)"), "the bars take the theme's colour"


def test_the_search_page_with_its_results_passes_the_nu_html_checker(open_page, origin, tmp_path):
    """The HTML checker reads files: the search page as its script leaves it, results drawn."""
    page = open_page(origin + "digest/search/?q=Macron")
    page.locator(".search-hit").first.wait_for()
    drawn = tmp_path / "search.html"
    drawn.write_text("<!DOCTYPE html>\n" + page.evaluate("document.documentElement.outerHTML"), encoding="utf-8")
    result = subprocess.run(["java", "-jar", str(vnu_jar()), "--format", "json", "--exit-zero-always", str(drawn)],
                            capture_output=True, text=True, timeout=120)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert page.locator(".search-hit").count() > 1
    assert [m for m in messages if m["type"] in ("error", "non-document-error")] == []


# ---- Layout and behaviour ----------------------------------------------------------------------------

def test_wide_screens_put_each_note_in_the_margin_beside_its_paragraph(open_page, origin):
    page = open_page(origin + "show/" + SHOWCASE_ARTICLE, 1280)
    text = box(page, ".article-body")
    notes = [box(page, f"#note-{n}") for n in (1, 2, 3)]
    paragraphs = [box(page, f".article-body > p:has(#passage-{n})") for n in (1, 2, 3)]
    for note, paragraph in zip(notes, paragraphs):
        assert note["x"] >= text["x"] + text["width"] + 16, "the note is right of the text, not over it"
        assert note["x"] + note["width"] <= 1280
    assert abs(notes[0]["y"] - paragraphs[0]["y"]) < 12, "a note starts level with its paragraph"
    assert abs(notes[1]["y"] - paragraphs[1]["y"]) < 12
    assert notes[2]["y"] >= notes[1]["y"] + notes[1]["height"], "a note below a tall one stacks, never overlaps"
    heading = box(page, ".article-body > h2")
    assert heading["y"] < notes[2]["y"], "the text does not wait for a stack of notes to end"


def test_narrow_screens_show_a_note_when_its_number_is_followed(open_page, origin):
    page = open_page(origin + "digest/" + ARTICLE, 390, height=800)
    note = page.locator("#note-1")
    assert not note.is_visible()
    page.click('a.note-ref[href="#note-1"]')
    assert note.is_visible()
    assert note.bounding_box()["width"] > 300, "inline, the width of the text"
    page.click("#note-1 a.note-number")
    assert not note.is_visible(), "its number leads back to the passage and folds it away"
    assert page.locator("#note-4").is_visible(), "a comment's note is always shown, in its comment"


def test_reply_chains_fold_and_unfold_without_script(open_page, origin):
    page = open_page(origin + "digest/" + ARTICLE, 390)
    reply = page.locator("#comment-pishenkov")
    assert reply.is_visible()
    page.click("#comment-gorenina91 > details > summary")
    assert not reply.is_visible()
    page.click("#comment-gorenina91 > details > summary")
    assert reply.is_visible()


def test_the_comment_a_permalink_points_at_is_highlighted(open_page, origin):
    page = open_page(origin + "digest/" + ARTICLE + "#comment-pishenkov", 1280)
    style = "el => getComputedStyle(el).backgroundColor"
    target = page.locator("#comment-pishenkov > .comment-card").evaluate(style)
    other = page.locator("#comment-steelmaker > .comment-card").evaluate(style)
    assert target != other


@pytest.mark.parametrize("width", [360, 390])
def test_deep_threads_keep_a_readable_width_on_a_phone(open_page, origin, width):
    page = open_page(origin + "show/" + SHOWCASE_ARTICLE, width)
    deepest = box(page, "#comment-r10 > .comment-card > .comment-body")
    assert deepest["width"] >= 0.65 * width
    assert page.locator("#comment-r10 > .comment-card .comment-reply-to").is_visible(), "depth is still said in words"
    assert not page.locator("#comment-r2 > .comment-card .comment-reply-to").is_visible(), "shallow replies show it by indentation"


@pytest.mark.parametrize("width,path", [(360, path) for path in (
    "digest/", "digest/" + ARTICLE, "digest/tags/", "digest/archive/", "digest/comments/", "digest/notes/",
    "digest/people/", "digest/people/steelmaker/", "digest/stats/", "show/" + SHOWCASE_ARTICLE)]
    + [(1024, "digest/" + ARTICLE), (1024, "show/" + SHOWCASE_ARTICLE)])
def test_no_page_scrolls_sideways(open_page, origin, width, path):
    """Not on a small phone, nor where the sidenotes' margin first appears (64em)."""
    page = open_page(origin + path, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_print_shows_every_note_and_hides_the_navigation(open_page, origin):
    page = open_page(origin + "digest/" + ARTICLE, 390)
    page.emulate_media(media="print")
    assert page.locator("#note-1").is_visible() and page.locator("#note-2").is_visible()
    assert not page.locator(".site-nav").is_visible()
