"""Every page of FORMAT.md's table exists, every link resolves when the site is served
under a project path, feeds parse and validate, the sitemap is exact, pagination has no gaps."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import unquote, urldefrag, urljoin
from urllib.request import urlopen

import feedparser
import pytest
from bs4 import BeautifulSoup

from conftest import REPO, TESTS, article, run_sitegen, write_site
from generated_site import generate_site
from sitegen.model.slugs import slugify

ATOM_SCHEMA = TESTS / "fixtures" / "atom.rnc"


def require_tool(what: str) -> None:
    """Skip without the tool, except in CI (SITEGEN_REQUIRE_TOOLS=1), where its absence fails."""
    if os.environ.get("SITEGEN_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{what} is required (SITEGEN_REQUIRE_TOOLS=1): .ci/run installs it")
    pytest.skip(f"{what} is not installed: Atom schema not checked")


def build(source: Path, out: Path, *options) -> Path:
    from sitegen.cli import main
    assert main(["build", "--source", str(source), "--output", str(out), *map(str, options)]) == 0
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    return build(REPO, tmp_path_factory.mktemp("example") / "digest")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, Path]:
    site = generate_site(tmp_path_factory.mktemp("generated") / "site", 300)
    return site, build(site, site.parent / "digest")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_under_project_path(output: Path):
    """A real HTTP server on loopback serving `output` at /digest/, as GitHub Pages serves a project."""
    root = output.parent / "served"
    root.mkdir(exist_ok=True)
    link = root / "digest"
    if not link.exists():
        link.symlink_to(output, target_is_directory=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def crawl(origin: str, start: str) -> tuple[dict[str, str], list[str]]:
    """Fetch every internal link from `start`: (url -> body of each HTML page, broken links)."""
    pages: dict[str, str] = {}
    broken: list[str] = []
    fragments: list[tuple[str, str, str]] = []
    queue, seen = [start], {start}
    while queue:
        url = queue.pop()
        try:
            with urlopen(origin + url) as response:
                body = response.read()
                kind = response.headers.get_content_type()
        except HTTPError as exc:
            broken.append(f"{url} ({exc.code})")
            continue
        if kind != "text/html":
            continue
        pages[url] = body.decode("utf-8")
        soup = BeautifulSoup(pages[url], "html.parser")
        for element in soup.find_all(["a", "link", "img", "script", "form"]):
            target = element.get("href") or element.get("src") or element.get("action")  # a form: the search field
            if not target or target.startswith(("mailto:", "#:~:")):
                continue
            absolute = urljoin(origin + url, target)
            if not absolute.startswith(origin):
                continue
            path, fragment = urldefrag(absolute[len(origin):])
            if fragment and not fragment.startswith(":~:"):
                fragments.append((url, path or url, unquote(fragment)))
            if path and path not in seen:
                seen.add(path)
                queue.append(path)
    for source, path, fragment in fragments:
        if path in pages and f'id="{fragment}"' not in pages[path]:
            broken.append(f"{path}#{fragment} (linked from {source})")
    return pages, broken


def html_files(output: Path) -> set[str]:
    return {p.relative_to(output).as_posix() for p in output.rglob("*.html")}


def url_of(relative: str) -> str:
    return "/digest/" + relative.removesuffix("index.html")


@pytest.mark.parametrize("which", ["example", "generated"])
def test_every_page_is_reachable_and_every_link_resolves_under_a_project_path(which, example, generated):
    output = example if which == "example" else generated[1]
    server, origin = serve_under_project_path(output)
    try:
        pages, broken = crawl(origin, "/digest/")
    finally:
        server.shutdown()
    assert broken == []
    assert set(pages) == {url_of(p) for p in html_files(output) if p != "404.html"}


def expected_pages(site: Path) -> set[str]:
    """FORMAT.md's table, worked out from the source files alone."""
    import yaml
    config = yaml.safe_load((site / "sitegen.yaml").read_text())
    per_page = config.get("per_page", 20)
    dates, tags, annotated, commenters = {}, {}, set(), {}

    def count_commenters(comments) -> None:
        for comment in comments:
            if comment.get("author"):
                handle = str(comment["author"]).casefold()
                commenters[handle] = commenters.get(handle, 0) + 1
            count_commenters(comment.get("replies", []))

    for path in (site / "content").rglob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        slug = front.get("slug") or (path.parent.name if path.name == "index.md" else path.stem)
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", slug)
        year, month = str(front["date"])[:4], str(front["date"])[5:7]
        dates[f"{year}/{month}/{slug}/"] = (year, month)
        if front.get("annotations"):
            annotated.add(f"{year}/{month}/{slug}/")
        for tag in front.get("tags", []):
            tags.setdefault(slugify(tag), set()).add(slug)
        thread = (path.parent / "comments.yaml" if path.name == "index.md"
                  else path.with_name(path.stem + ".comments.yaml"))
        if thread.exists():
            comments = yaml.safe_load(thread.read_text(encoding="utf-8")) or []
            count_commenters(comments["comments"] if isinstance(comments, dict) else comments)

    def paged(first: str, count: int) -> set[str]:
        return {first} | {f"{first}page/{n}/" for n in range(2, -(-count // per_page) + 1)}

    pages = {"", "tags/", "archive/", "comments/", "notes/", "stats/", "search/"} | set(dates) | paged("", len(dates))
    pages |= paged("people/", len(commenters))
    for handle, count in commenters.items():
        pages |= paged(f"people/{slugify(handle)}/", count)
    pages |= {f"{y}/" for y, _ in dates.values()} | {f"{y}/{m}/" for y, m in dates.values()}
    for slug, members in tags.items():
        pages |= paged(f"tags/{slug}/", len(members))
    files = {p + "index.html" for p in pages} | {"404.html", "feed.xml", "sitemap.xml", "robots.txt"}
    files |= {f"tags/{slug}/feed.xml" for slug in tags} | {f"people/{slugify(h)}/feed.xml" for h in commenters}
    files |= {f"{p}comments.xml" for p in dates} | {f"{p}annotations.jsonld" for p in annotated}
    return files


@pytest.mark.parametrize("which", ["example", "generated"])
def test_every_page_of_the_table_exists(which, example, generated):
    site, output = (REPO, example) if which == "example" else generated
    made = {p.relative_to(output).as_posix() for p in output.rglob("*")
            if p.is_file() and p.suffix in (".html", ".xml", ".txt", ".jsonld")}
    assert made == expected_pages(site)


@pytest.mark.parametrize("which", ["example", "generated"])
def test_sitemap_lists_exactly_the_pages_that_exist(which, example, generated):
    output = example if which == "example" else generated[1]
    root = ET.parse(output / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    base = "https://example.github.io/digest/" if which == "example" else "https://user.github.io/digest/"
    listed = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    assert len(listed) == len(set(listed))
    assert {u.removeprefix(base) for u in listed} == \
        {p.removesuffix("index.html") for p in html_files(output)} - {"404.html", "search/"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", u.findtext("s:lastmod", namespaces=ns))
               for u in root.findall("s:url", ns))
    assert (output / "robots.txt").read_text().endswith(f"Sitemap: {base}sitemap.xml\n")


@pytest.mark.parametrize("which", ["example", "generated"])
def test_feeds_parse_cleanly_and_validate_as_atom(which, example, generated):
    output = example if which == "example" else generated[1]
    feeds = sorted(output.rglob("*.xml"))
    feeds = [f for f in feeds if f.name != "sitemap.xml"]
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.version == "atom10"
        assert parsed.feed.id.startswith("https://") and parsed.feed.updated
        for entry in parsed.entries:
            assert entry.id.startswith("https://") and entry.link.startswith("https://") and entry.updated
            assert entry.get("author") or parsed.feed.get("author")
    if shutil.which("jing") is None:
        require_tool("jing (Debian package jing)")
    for start in range(0, len(feeds), 200):
        result = subprocess.run(["jing", "-c", str(ATOM_SCHEMA), *map(str, feeds[start:start + 200])],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


def test_the_atom_schema_check_can_fail(tmp_path):
    if shutil.which("jing") is None:
        require_tool("jing (Debian package jing)")
    bad = tmp_path / "bad.xml"
    bad.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><updated>yesterday</updated></feed>')
    assert subprocess.run(["jing", "-c", str(ATOM_SCHEMA), str(bad)], capture_output=True).returncode != 0


def test_site_feed_has_the_newest_articles_with_content_and_comment_count(example):
    feed = feedparser.parse((example / "feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == [
        "Macron-Putin Meeting Produces Potential Deal as Biden Continues Threats",
        "Putin's proposal to not deploy missiles: Macron is ready to go against NATO"]
    assert feed.feed.updated == "2022-02-08T00:00:00+03:00"
    content = feed.entries[0].content[0].value
    assert "Olaf Sholtz" in content and "5 comments</a> (comments are closed)" in content
    assert feed.entries[1].tags[0].term == "NATO"


def test_comment_feed_follows_one_argument(example):
    feed = feedparser.parse((example / "2019/11/macron-inf-moratorium/comments.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Pishenkov replied to gorenina91", "gorenina91 commented",
                                               "Oyo Sarkazmi commented", "steelmaker commented"]
    assert feed.entries[0].link == "https://example.github.io/digest/2019/11/macron-inf-moratorium/#comment-pishenkov"
    assert feed.entries[0].updated == "2019-11-29T11:37:00+03:00"


def test_every_page_advertises_the_feeds(example):
    for path in html_files(example):
        soup = BeautifulSoup((example / path).read_text(), "html.parser")
        feeds = [l["href"] for l in soup.select('link[rel=alternate][type="application/atom+xml"]')]
        assert "https://example.github.io/digest/feed.xml" in feeds, path
    tag_page = BeautifulSoup((example / "tags/nato/index.html").read_text(), "html.parser")
    assert tag_page.select_one('link[href="https://example.github.io/digest/tags/nato/feed.xml"]')


def test_web_annotations_load_as_w3c_text_quote_selectors(example):
    collection = json.loads((example / "2019/11/macron-inf-moratorium/annotations.jsonld").read_text())
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 4
    first = collection["first"]["items"][1]
    assert first["type"] == "Annotation" and first["body"]["type"] == "TextualBody"
    selector = first["target"]["selector"]
    assert selector == {"type": "TextQuoteSelector",
                        "exact": "capable of flying 27 times faster than the speed of sound",
                        "prefix": "hypersonic guided unit that is ", "suffix": ". Perhaps this demonstration"}
    on_comment = collection["first"]["items"][3]
    assert on_comment["target"] == "https://example.github.io/digest/2019/11/macron-inf-moratorium/#comment-pishenkov"


def test_notes_page_links_each_note_back_with_a_text_fragment(example):
    soup = BeautifulSoup((example / "notes/index.html").read_text(), "html.parser")
    passages = [a["href"] for a in soup.select(".note-passage a")]
    assert "/digest/2019/11/macron-inf-moratorium/#:~:text=capable%20of%20flying%2027%20times%20faster%20than%20the%20speed%20of%20sound" in passages
    assert "/digest/2022/02/macron-putin-meeting/#comment-c4" in passages
    assert len(soup.select(".note-entry")) == 7


def test_newest_comments_link_to_their_permalinks(example):
    soup = BeautifulSoup((example / "comments/index.html").read_text(), "html.parser")
    links = [a["href"] for a in soup.select(".recent-comment .comment-permalink")]
    assert links[0] == "/digest/2022/02/macron-putin-meeting/#comment-c1"
    assert links[5] == "/digest/2019/11/macron-inf-moratorium/#comment-pishenkov"
    assert len(links) == 9


def test_article_pages_link_to_neighbours_tags_and_month(example):
    soup = BeautifulSoup((example / "2019/11/macron-inf-moratorium/index.html").read_text(), "html.parser")
    assert soup.select_one('.article-nav a[rel=next]')["href"] == "/digest/2022/02/macron-putin-meeting/"
    assert soup.select_one('.article-nav a[rel=prev]') is None
    assert [a["href"] for a in soup.select(".article-header .tags a")][:2] == ["/digest/tags/nato/", "/digest/tags/france/"]
    assert soup.select_one(".in-month a")["href"] == "/digest/2019/11/"
    assert soup.select_one(".in-month a").get_text() == "November 2019"


@pytest.mark.parametrize("count,pages", [(0, 1), (1, 1), (3, 1), (4, 2), (6, 2), (7, 3)])
def test_pagination_has_no_empty_or_missing_pages(tmp_path, capsys, count, pages):
    files = {f"content/a{n}.md": article(f"A{n}", date=f"2020-01-{n + 1:02d}", tags=["Shared"]) for n in range(count)}
    files["sitegen.yaml"] = "title: T\nbase_url: https://example.org/\nper_page: 3\n"
    files["content/.keep"] = ""
    site = write_site(tmp_path / "site", files)
    out = build(site, tmp_path / "out")
    for first in ("", "tags/shared/") if count else ("",):
        numbered = sorted(int(p.parent.name) for p in (out / first).glob("page/*/index.html"))
        assert numbered == list(range(2, pages + 1)) and not (out / first / "page/1").exists()
        seen = []
        for number in range(1, pages + 1):
            path = out / first / ("" if number == 1 else f"page/{number}/") / "index.html"
            soup = BeautifulSoup(path.read_text(), "html.parser")
            seen += [a.get_text() for a in soup.select(".entry-title a")]
            assert bool(soup.select_one("a[rel=prev]")) == (number > 1)
            assert bool(soup.select_one("a[rel=next]")) == (number < pages)
        assert seen == [f"A{n}" for n in reversed(range(count))]


def test_tags_that_differ_in_case_merge_and_colliding_slugs_stay_apart(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "content/a.md": article("A", tags=["Ukraine", "C++", "Café"]),
        "content/b.md": article("B", date="2020-01-03", tags=["Ukraine", "C", "Cafe"]),
        "content/c.md": article("C", date="2020-01-04", tags=["ukraine", "Україна"]),
    })
    code, _, err = run_sitegen(["build", "--source", site, "--output", tmp_path / "out"], capsys)
    assert code == 0
    assert err.splitlines() == [
        "content/c.md: warning: tag 'ukraine' is shown as 'Ukraine' (tags that differ only in case are one tag; "
        "2 article(s) write 'Ukraine')",
        "content/a.md: warning: tag 'Café' has the URL /tags/cafe-2/ because 'Cafe' already has /tags/cafe/ "
        "(rename one to merge them)",
    ]
    out = tmp_path / "out"
    soup = BeautifulSoup((out / "tags/index.html").read_text(), "html.parser")
    index = {a.get_text(): (a["href"], a.find_next_sibling("span").get_text()) for a in soup.select(".tag-index a")}
    assert index == {"C": ("/tags/c/", "1"), "C++": ("/tags/c-plus-plus/", "1"), "Cafe": ("/tags/cafe/", "1"),
                     "Café": ("/tags/cafe-2/", "1"), "Ukraine": ("/tags/ukraine/", "3"),
                     "Україна": ("/tags/ukraina/", "1")}
    article_c = BeautifulSoup((out / "2020/01/c/index.html").read_text(), "html.parser")
    assert [a.get_text() for a in article_c.select(".tags a")] == ["Ukraine", "Україна"]


def test_dates_show_in_the_sites_timezone_and_language(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: Т\nbase_url: https://example.org/\nlanguage: ru\ntimezone: Asia/Vladivostok\n",
        "content/a.md": article("Поздно", date="2019-11-30T20:00:00+00:00"),
    })
    out = build(site, tmp_path / "out")
    page = BeautifulSoup((out / "2019/12/a/index.html").read_text(), "html.parser")
    assert page.select_one(".article-meta time")["datetime"] == "2019-12-01T06:00:00+10:00"
    assert page.select_one(".article-meta time").get_text() == "1 декабря 2019\u202fг., 06:00"
    archive = BeautifulSoup((out / "archive/index.html").read_text(), "html.parser")
    assert archive.select_one(".archive-months a").get_text() == "декабрь 2019"


def test_permalink_pattern_with_day(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: T\nbase_url: https://example.org/\npermalink: /articles/{year}/{month}/{day}/{slug}/\n",
        "content/a.md": article(date="2020-03-09"),
    })
    out = build(site, tmp_path / "out")
    assert (out / "articles/2020/03/09/a/index.html").exists()


@pytest.mark.parametrize("base_url,prefix", [("https://example.org/", "/"), ("https://user.github.io/digest/", "/digest/")])
def test_base_url_with_and_without_a_path(tmp_path, capsys, base_url, prefix):
    site = write_site(tmp_path / "site", {"content/a.md": article(tags=["T"])})
    out = build(site, tmp_path / "out", "--base-url", base_url)
    soup = BeautifulSoup((out / "404.html").read_text(), "html.parser")
    links = [a["href"] for a in soup.select("a")] + [l["href"] for l in soup.select("link")]
    internal = [l for l in links if not l.startswith(("https://", "#"))]
    assert internal and all(l.startswith(prefix) for l in internal), "404.html links work at any depth"
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.entries[0].link == f"{base_url}2020/01/a/"


def test_an_empty_site_dates_its_feed_from_source_date_epoch(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    site = write_site(tmp_path / "site", {"content/.keep": ""})
    out = build(site, tmp_path / "out")
    assert feedparser.parse((out / "feed.xml").read_bytes()).feed.updated == "2023-11-14T22:13:20+00:00"


def test_github_pages_files(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: T\nbase_url: https://digest.example.org/\ncname: digest.example.org\n",
        "content/a.md": article(),
    })
    out = build(site, tmp_path / "out")
    assert (out / ".nojekyll").read_bytes() == b""
    assert (out / "CNAME").read_text() == "digest.example.org\n"
    assert not (build(REPO, tmp_path / "example") / "CNAME").exists()
