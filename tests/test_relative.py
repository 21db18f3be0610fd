"""`sitegen build --relative`: a site whose every link, stylesheet and feed link works opened from
disk (file://) or from any folder of any server, checked in Chromium and over HTTP, and by
`sitegen check --relative`."""

from __future__ import annotations

import shutil
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from browser import static_server
from conftest import REPO


@pytest.fixture(scope="module")
def offline(tmp_path_factory) -> Path:
    """The example digest built with --relative, in a folder that has nothing to do with its base_url."""
    root = tmp_path_factory.mktemp("relative")
    site = root / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy2(REPO / "sitegen.yaml", site / "sitegen.yaml")
    out = root / "an" / "archive" / "digest-offline"
    from sitegen.cli import main
    assert main(["build", "--source", str(site), "--relative", "--output", str(out)]) == 0
    assert main(["check", "--source", str(site), "--relative"]) == 0
    return out


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link", "script", "img") and attrs.get("rel") != "canonical":
            url = attrs.get("href") or attrs.get("src")
            if url and not url.startswith(("http:", "https:", "mailto:", "#", "data:")):
                self.links.append(url)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def test_every_link_of_every_page_names_a_file_that_is_there(offline):
    pages = sorted(offline.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        if page.name == "404.html":  # served by a host at any address: its links stay rooted
            continue
        for link in links_of(page.read_text(encoding="utf-8")):
            target = (page.parent / urlsplit(link).path).resolve()
            assert target.is_file(), f"{page.relative_to(offline)}: {link}"
            assert target.is_relative_to(offline.resolve()), f"{page.relative_to(offline)}: {link} leaves the site"


def test_opened_from_disk_the_pages_are_styled_and_their_links_lead_on(browser_page, offline):
    page = browser_page
    page.goto((offline / "index.html").as_uri())
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") not in ("rgba(0, 0, 0, 0)", "")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"
    title = page.locator(".entry-title a").first
    expected = title.inner_text()
    title.click()
    page.wait_for_load_state()
    assert page.url.startswith("file://") and page.url.endswith("/index.html")
    assert page.locator("h1").first.inner_text() == expected
    page.locator(".site-nav a").nth(1).click()  # the tags
    page.wait_for_load_state()
    assert page.url.endswith("/tags/index.html") and page.locator(".tag-index li").count() > 1


def test_served_from_any_folder_every_link_answers(offline):
    with static_server(offline.parent.parent) as origin:
        start = urljoin(origin, "archive/digest-offline/index.html")
        seen, queue = set(), [start]
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200, url
                body = response.read()
            if url.endswith(".html"):
                queue += [urljoin(url, link).split("#")[0] for link in links_of(body.decode("utf-8"))]
        assert len([url for url in seen if url.endswith(".html")]) > 20


def test_a_relative_build_has_no_search(offline):
    """A page opened from disk cannot fetch an index: no field in the header, no /pagefind/."""
    assert not (offline / "pagefind").exists()
    assert 'role="search"' not in (offline / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("written,expected", [
    ('<a href="/tags/">', '<a href="../../tags/index.html">'),
    ("<a href='/tags/nato/#top'>", "<a href='../../tags/nato/index.html#top'>"),
    ('<link rel="alternate" href="https://example.org/feed.xml">', '<link rel="alternate" href="../../feed.xml">'),
    ('<a href="../other/">', '<a href="../other/index.html">'),  # an author's own link to a folder
    ('<script src="//cdn.example.com/lib.js">', '<script src="//cdn.example.com/lib.js">'),  # another host
    ('<a href="https://elsewhere.org/">', '<a href="https://elsewhere.org/">'),
    ('<link rel="canonical" href="https://example.org/2019/x/">', '<link rel="canonical" href="https://example.org/2019/x/">'),
])
def test_which_links_become_relative(written, expected):
    from sitegen.model.types import SiteConfig
    from sitegen.render.relative import relative_links
    config = SiteConfig(title="T", base_url="https://example.org/", base_path="/")
    assert relative_links(written, "2019/x/", config) == expected


def test_check_relative_finds_a_rooted_link_and_a_folder_link(offline):
    """What `sitegen check --relative` says of a page that would not work from disk."""
    from sitegen.check import inspect_output
    from sitegen.load.config import load_config
    config, _ = load_config(REPO)
    files = {path.relative_to(offline).as_posix(): path.read_bytes() for path in offline.rglob("*") if path.is_file()}
    page = files["tags/index.html"].decode()
    files["tags/index.html"] = page.replace("</main>", '<a href="/digest/archive/">a</a> <a href="../archive/">b</a></main>').encode()
    problems = [d.message for d in inspect_output(files, config, relative=True).problems]
    assert problems == ["<a href> '/digest/archive/' is rooted: opened from disk it leads away from the site "
                        "(a relative build's links are relative)",
                        "<a href> '../archive/' names a folder: opened from disk, a browser shows no page there "
                        "(name its index.html)"]
