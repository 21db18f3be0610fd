"""The built-in theme in a real browser: axe-core finds no accessibility violations, light and dark; the
layout does what the theme promises at phone and desktop widths; and the run saves screenshots of
an article with its thread (tests/.artifacts/, git-ignored; the current ones are copied to docs/).

axe-core comes from PyPI's axe-playwright-python, which ships axe.min.js with its MPL-2.0 notice;
we only read that file. Chromium is Debian's, driven by Playwright: the session's `chromium` fixture
of tests/browser.py, which conftest.py provides (one browser for the whole run).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from importlib import resources
from urllib.parse import urlsplit

import pytest
import yaml

from browser import static_server
from conftest import REPO
from test_theme import ARTICLE, SHOWCASE_ARTICLE, build, example, require_tool, showcase, vnu_jar  # noqa: F401  (fixtures)

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


# ---- Other languages: Russian, and Arabic right to left ----------------------------------------------

I18N_SITES = ("ru-plurals", "ar-rtl", "mixed-language")
I18N_PAGES = {"ru-article": "ru-plurals/2023/03/sto-odinnadtsat/", "ru-home": "ru-plurals/",
              "ru-stats": "ru-plurals/stats/", "ar-article": "ar-rtl/2024/02/qahwa/", "ar-home": "ar-rtl/",
              "ar-people": "ar-rtl/people/", "ar-stats": "ar-rtl/stats/", "mixed-article": "mixed-language/2019/11/makron/"}


def base_path(site: str) -> str:
    config = yaml.safe_load((REPO / "tests/sites" / site / "sitegen.yaml").read_text(encoding="utf-8"))
    return urlsplit(config["base_url"]).path


@pytest.fixture(scope="module")
def i18n_origin(tmp_path_factory):
    """The fixture sites in Russian and Arabic, and the English one with a Russian article, each
    served by its own server at the path its base_url names."""
    root = tmp_path_factory.mktemp("i18n-served")
    with contextlib.ExitStack() as servers:
        origins = {}
        for name in I18N_SITES:
            source = root / "sources" / name
            shutil.copytree(REPO / "tests/sites" / name, source, ignore=shutil.ignore_patterns("expected*"))
            served = root / "served" / name
            build(source, served / base_path(name).strip("/"))
            origins[name] = servers.enter_context(static_server(served))
        yield origins


def i18n_url(origins: dict, page: str) -> str:
    site, _, path = I18N_PAGES[page].partition("/")
    return origins[site] + base_path(site).lstrip("/") + path


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(I18N_PAGES))
def test_axe_finds_no_violations_in_russian_and_arabic(open_page, i18n_origin, axe_source, name, scheme):
    page = open_page(i18n_url(i18n_origin, name), 1280 if scheme == "light" else 390, scheme)
    page.evaluate(axe_source)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    problems = [f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
                    f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"][:5])
                for v in results["violations"]]
    assert len(results["passes"]) > 20, "axe ran its rules"
    assert problems == [], "\n".join(problems)


def test_arabic_pages_mirror_the_layout(open_page, i18n_origin):
    """At 1280 px the note hangs in the margin left of the text; replies indent from the right, their
    rail on the right; the site's title is on the right; nothing scrolls sideways."""
    page = open_page(i18n_url(i18n_origin, "ar-article"), 1280)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    text, note = box(page, ".article-body > p"), box(page, "#note-1")
    assert note["x"] + note["width"] <= text["x"] - 16, "the note is left of the text, not over it"
    assert abs(note["y"] - text["y"]) < 12, "level with its paragraph"
    parent, reply = box(page, "#comment-samir > .comment-card"), box(page, "#comment-layla > .comment-card")
    assert reply["x"] + reply["width"] < parent["x"] + parent["width"] - 8, "a reply is indented from the right"
    rail = page.locator("#comment-samir > details > .thread").evaluate(
        "el => [getComputedStyle(el).borderRightWidth, getComputedStyle(el).borderLeftWidth]")
    assert rail == ["2px", "0px"]
    title = box(page, ".site-title")
    assert title["x"] > 640, "the site's title starts on the right"
    for width in (390, 1280):
        assert open_page(i18n_url(i18n_origin, "ar-article"), width).evaluate(
            "document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshot_of_an_arabic_article(open_page, i18n_origin, width):
    page = open_page(i18n_url(i18n_origin, "ar-article"), width)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"article-ar-{width}-light.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_an_arabic_article_on_an_english_site_keeps_its_notes_in_the_pages_margin(open_page, i18n_origin):
    page = open_page(i18n_origin["mixed-language"] + "press/2019/12/arabic/", 1280)
    text, note = box(page, ".article-body > p"), box(page, "#note-1")
    assert note["x"] >= text["x"] + text["width"] + 16, "right of the text, where the page keeps its margin"
    assert note["x"] + note["width"] <= 1280
