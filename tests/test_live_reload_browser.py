"""Live reload in a real browser: headless Chromium on a page served by `sitegen serve`, while the
test edits the site's files as an author would. Nothing on the page is reloaded by the test."""

from __future__ import annotations

import pytest

from conftest import article, write_site

SITE = {
    "sitegen.yaml": "title: Live test\nbase_url: https://example.org/digest/\ntimezone: UTC\n",
    "content/first.md": article("First article", body="The first body."),
    "content/first.comments.yaml": "- id: c1\n  author: reader\n  body: A first comment.\n",
    "layouts/static/style.css": "body { color: rgb(0, 0, 0); }\n",
}
FIRST = "2020/01/first/"
OVERLAY = "#sitegen-live-overlay"


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path, SITE)


@pytest.fixture
def opened(site, start_preview, browser_page):
    """The first article open in the browser, with a marker that only a navigation would lose."""
    server = start_preview(site)
    browser_page.goto(server.url + FIRST)
    browser_page.wait_for_function("window.sitegenLive !== undefined")
    browser_page.evaluate("window.sameDocument = true")
    return browser_page


def navigated(page) -> bool:
    return page.evaluate("window.sameDocument !== true")


def test_editing_the_markdown_changes_the_open_page(site, opened):
    assert "The first body." in opened.inner_text("main")
    (site / "content/first.md").write_text(article("First article", body="An *edited* body."))
    opened.wait_for_function("document.querySelector('main').innerText.includes('An edited body.')")
    assert navigated(opened)  # a content change reloads the page
    assert opened.inner_html("main em") == "edited"


def test_a_stylesheet_change_is_swapped_in_without_a_reload(site, opened):
    assert opened.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    (site / "layouts/static/style.css").write_text("body { color: rgb(1, 2, 3); }\n")
    opened.wait_for_function("getComputedStyle(document.body).color === 'rgb(1, 2, 3)'")
    assert not navigated(opened)
    assert opened.evaluate("window.sitegenLive.swaps") == 1
    hrefs = opened.eval_on_selector_all('link[rel="stylesheet"]', "links => links.map(link => link.href)")
    swapped = [href for href in hrefs if "style.css" in href]
    assert len(swapped) == 1 and "sitegen-live=" in swapped[0]  # the old one went once the new was in
    assert not any("sitegen-live=" in href for href in hrefs if href not in swapped)  # only what changed

    # The page now holds the new epoch: a content change after the swap still reloads it.
    (site / "content/first.md").write_text(article("First article", body="After the swap."))
    opened.wait_for_function("document.body.innerText.includes('After the swap.')")
    assert navigated(opened)


def test_a_broken_save_shows_the_errors_over_the_page_and_a_fix_clears_them(site, opened):
    (site / "content/first.md").write_text("---\ntitle: First: article\ndate: 2020-01-02\n---\nHalf-written.\n")
    overlay = opened.locator(OVERLAY)
    overlay.wait_for()
    text = overlay.inner_text()
    assert "content/first.md:2: YAML: a value with ': ' in it needs quotes" in text and "the last build failed" in text
    assert not navigated(opened)
    assert "The first body." in opened.inner_text("main")  # the last good build stays underneath

    opened.reload()  # a page opened while the errors are pending shows them from the start
    overlay.wait_for()
    assert "content/first.md:2" in overlay.inner_text()
    opened.evaluate("window.sameDocument = true")

    (site / "content/first.md").write_text(article("First article", body="Fixed."))
    opened.wait_for_function("document.body.innerText.includes('Fixed.')")
    assert navigated(opened) and overlay.count() == 0


def test_the_overlay_shows_what_content_says_as_text(site, opened):
    hostile = "<img src=x onerror=\"window.injected = 1\">"
    (site / "content/first.md").write_text(article("First article", date=hostile))
    overlay = opened.locator(OVERLAY)
    overlay.wait_for()
    assert hostile in overlay.inner_text()
    assert opened.locator(OVERLAY + " img").count() == 0
    assert opened.evaluate("window.injected") is None
