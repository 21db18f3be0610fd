"""Commenters' pages (/people/), their feeds and /stats/, on real builds: every comment is reachable
on its article, on its commenter's page and in a feed; `people: false` and `people_exclude` do what
FORMAT.md says; and a warm build remakes exactly the pages that show a changed comment.

The fixture is tests/sites/people/ (its golden output is checked by tests/test_sites.py), always
built from a copy so that no cache lands in the repository.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urldefrag

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup, SoupStrainer

from conftest import TESTS, article, run_sitegen, tree_bytes, write_site
from sitegen.build import BuildOptions, build_site
from sitegen.cache import BuildCache
from sitegen.model.slugs import same_name_key
from test_incremental import build as build_with_cache
from test_navigation import build, crawl, generated, serve_under_project_path  # noqa: F401  (a fixture)

PEOPLE_SITE = TESTS / "sites" / "people"
SERVED_BASE = "https://example.org/digest/"
"""The fixture is built under /digest/, as test_navigation's server serves a project's site."""
FIRST = "2020/03/first/"
SECOND = "2021/06/second/"
ATOM = "{http://www.w3.org/2005/Atom}"
FAST_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The generated digest's threads hold thousands of comments."""


def copy_of_people_site(where: Path, more_config: str = "") -> Path:
    source = where / "people"
    shutil.copytree(PEOPLE_SITE, source, ignore=shutil.ignore_patterns("expected", ".sitegen-cache"))
    if more_config:
        config = source / "sitegen.yaml"
        config.write_text(config.read_text(encoding="utf-8") + more_config, encoding="utf-8")
    return source


@pytest.fixture(scope="module")
def people_site(tmp_path_factory) -> tuple[Path, Path]:
    source = copy_of_people_site(tmp_path_factory.mktemp("people"))
    return source, build(source, source.parent / "digest", "--base-url", SERVED_BASE)


def site_config(site: Path) -> dict:
    return yaml.safe_load((site / "sitegen.yaml").read_text(encoding="utf-8"))


def excluded_keys(site: Path) -> set[str]:
    return {same_name_key(str(handle)) for handle in site_config(site).get("people_exclude", [])}


def comment_threads(site: Path) -> dict[str, list[tuple[str, str | None]]]:
    """Article URL path -> its comments as (id, author), from the source files alone: every
    comment, nested replies included, with FORMAT.md's default ids (c1, c1-2, ...)."""
    threads = {}
    for path in (site / "content").rglob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        slug = front.get("slug") or (path.parent.name if path.name == "index.md" else path.stem)
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", slug)
        url_path = f"{str(front['date'])[:4]}/{str(front['date'])[5:7]}/{slug}/"
        thread_file = (path.parent / "comments.yaml" if path.name == "index.md"
                       else path.with_name(path.stem + ".comments.yaml"))
        comments: list[tuple[str, str | None]] = []

        def walk(items: list, prefix: str) -> None:
            for position, item in enumerate(items, 1):
                author = item.get("author")
                comments.append((str(item.get("id", f"{prefix}{position}")), str(author) if author else None))
                walk(item.get("replies", []), f"{prefix}{position}-")

        if thread_file.exists():
            raw = yaml.load(thread_file.read_text(encoding="utf-8"), Loader=FAST_YAML) or []
            walk(raw["comments"] if isinstance(raw, dict) else raw, "c")
        threads[url_path] = comments
    return threads


def soup_of(output: Path, relative: str) -> BeautifulSoup:
    return BeautifulSoup((output / relative).read_text(encoding="utf-8"), "html.parser")


def byline(soup: BeautifulSoup, comment_id: str):
    """The author element of a comment on its article page."""
    return soup.select_one(f'li.comment[id="comment-{comment_id}"] > article .comment-who .comment-author')


def bylines(soup: BeautifulSoup) -> dict[str, object]:
    """Every comment's author element on an article page, by the comment's anchor (find, not CSS
    selectors: a 300-article digest has thousands of comments)."""
    found = {}
    for item in soup.find_all("li", class_="comment", id=True):
        who = item.find("article", recursive=False).find(class_="comment-who")
        found[item["id"]] = who.find(class_="comment-author")
    return found


def permalinks_on(html: str) -> list[str]:
    """The comment permalinks a page lists, in order."""
    only = SoupStrainer("a", class_="comment-permalink")
    return [a["href"] for a in BeautifulSoup(html, "html.parser", parse_only=only).find_all("a")]


def person_pages(output: Path, folder: Path) -> list[str]:
    """A commenter's pages in order: people/SLUG/index.html, then page/2/, page/3/, ..."""
    numbered = sorted(int(p.parent.name) for p in folder.glob("page/*/index.html"))
    pages = [folder / "index.html"] + [folder / f"page/{n}/index.html" for n in numbered]
    assert numbered == list(range(2, len(numbered) + 2)), f"{folder}: no gaps in its pagination"
    return [p.relative_to(output).as_posix() for p in pages]


def output_file_of(output: Path, base_url: str, url: str) -> Path | None:
    """The output file a link to the site names (absolute, or a path under the base path); None
    for a link elsewhere."""
    base_path = "/" + base_url.split("://", 1)[1].split("/", 1)[1]
    path = urldefrag(url)[0]
    for prefix in (base_url, base_path):
        if path.startswith(prefix):
            path = path.removeprefix(prefix)
            return output / (path + "index.html" if path == "" or path.endswith("/") else path)
    return None


# ---- Every comment is somewhere a reader can find it --------------------------------------------

@pytest.mark.parametrize("which", ["people", "generated"])
def test_every_comment_is_on_its_article_its_commenters_page_and_a_feed(which, people_site, generated):
    site, output = people_site if which == "people" else generated
    excluded = excluded_keys(site)
    server, origin = serve_under_project_path(output)
    try:
        pages, broken = crawl(origin, "/digest/")
    finally:
        server.shutdown()
    assert broken == []
    assert {"/digest/people/" + p.relative_to(output / "people").as_posix().removesuffix("index.html")
            for p in (output / "people").rglob("index.html")} <= set(pages), "every commenter's page is reachable"

    # Comment permalinks on commenters' pages: permalink -> the pages that list it.
    listed_on: dict[str, set[str]] = {}
    for url, html in pages.items():
        if url.startswith("/digest/people/"):
            for link in permalinks_on(html):
                listed_on.setdefault(link, set()).add(url)
    assert listed_on, "the commenters' pages list comments"

    threads = comment_threads(site)
    total = sum(len(comments) for comments in threads.values())
    assert total >= (9 if which == "people" else 300)
    counted = 0
    for url_path, comments in threads.items():
        page_url = "/digest/" + url_path
        assert page_url in pages, f"the crawl reached {page_url}"
        authors = bylines(BeautifulSoup(pages[page_url], "html.parser"))
        anchors = list(authors)
        assert sorted(anchors) == sorted(f"comment-{id}" for id, _ in comments), url_path
        counted += len(anchors)
        entries = ET.parse(output / url_path / "comments.xml").getroot().iter(f"{ATOM}entry")
        in_feed = {link for entry in entries
                   for link in (entry.findtext(f"{ATOM}id"), entry.find(f"{ATOM}link").get("href"))}
        for id, author in comments:
            permalink = f"{page_url}#comment-{id}"
            assert any(link.endswith(f"/digest/{url_path}#comment-{id}") for link in in_feed), \
                f"{permalink} is in its article's comments.xml"
            author_link = authors[f"comment-{id}"]
            if author and same_name_key(author) not in excluded:
                assert author_link.name == "a" and author_link["href"].startswith("/digest/people/"), permalink
                person = author_link["href"]
                assert any(page.startswith(person) for page in listed_on.get(permalink, ())), \
                    f"{permalink} is listed on {person} or one of its pages"
            else:
                assert not author_link.get("href", "").startswith("/digest/people/"), permalink
                assert permalink not in listed_on, f"{permalink} (anonymous or excluded) is on no commenter's page"
    assert counted == total, "the article pages show as many comments as the thread files hold"


@pytest.mark.parametrize("which", ["people", "generated"])
def test_every_link_to_a_commenters_page_or_feed_leads_to_a_file(which, people_site, generated):
    site, output = people_site if which == "people" else generated
    base_url = SERVED_BASE if which == "people" else site_config(site)["base_url"]
    links = []
    for path in output.rglob("*.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser", parse_only=SoupStrainer(href=True))
        links += [(path, element["href"]) for element in soup.find_all(href=True)]
    for path in output.rglob("*.xml"):
        if path.name != "sitemap.xml":
            links += [(path, element.get("href")) for element in ET.parse(path).iter(f"{ATOM}link")]
    to_people = [(path, href, output_file_of(output, base_url, href)) for path, href in links if "/people/" in href]
    assert len(to_people) > 20
    missing = [f"{href} (in {path.relative_to(output)})" for path, href, file in to_people
               if file is None or not file.is_file()]
    assert missing == []


@pytest.mark.parametrize("which", ["people", "generated"])
def test_each_commenters_feed_holds_their_twenty_newest_comments(which, people_site, generated):
    site, output = people_site if which == "people" else generated
    base_url = SERVED_BASE if which == "people" else site_config(site)["base_url"]
    feeds = sorted((output / "people").glob("*/feed.xml"))
    assert len(feeds) == len([p for p in (output / "people").iterdir() if p.is_dir() and p.name != "page"])
    longest = 0
    for feed_path in feeds:
        feed = feedparser.parse(feed_path.read_bytes())
        assert not feed.bozo, f"{feed_path}: {feed.get('bozo_exception')}"
        assert feed.version == "atom10"
        links = [entry.link for entry in feed.entries]
        for link in links:
            comment_id = urldefrag(link)[1].removeprefix("comment-")
            page = output_file_of(output, base_url, link)
            assert page.is_file() and f'id="comment-{comment_id}"' in page.read_text(encoding="utf-8"), link
        shown = [base_url + href.removeprefix("/digest/")
                 for page in person_pages(output, feed_path.parent)
                 for href in permalinks_on((output / page).read_text(encoding="utf-8"))]
        assert links == shown[:20], f"{feed_path}: the newest 20 comments, as the pages list them"
        updated = [entry.updated_parsed for entry in feed.entries]
        assert updated == sorted(updated, reverse=True), "newest first"
        longest = max(longest, len(shown))
    if which == "generated":
        assert longest > 20, "some commenter has more comments than their feed holds"


def test_a_byline_links_to_the_commenters_page_and_their_own_url_beside_it(people_site):
    _, output = people_site
    soup = soup_of(output, FIRST + "index.html")
    assert byline(soup, "s1")["href"] == "/digest/people/steelmaker/"
    website = soup.select_one('li.comment[id="comment-s1"] > article a.comment-website')
    assert website["href"] == "https://example.org/u/steel" and "nofollow" in website["rel"]
    assert soup.select_one('li.comment[id="comment-p1"] > article a.comment-website') is None, "no url, no link"
    assert byline(soup, "anon").get_text() == "Anonymous" and byline(soup, "anon").name == "span"
    nav = [a.get_text() for a in soup.select(".site-nav a")]
    assert nav[-1] == "People"


# ---- people: false ------------------------------------------------------------------------------

def test_people_false_makes_no_pages_feeds_or_links(tmp_path, capsys):
    source = copy_of_people_site(tmp_path, "people: false\n")
    out = tmp_path / "out"
    code, _, err = run_sitegen(["build", "--source", source, "--output", out], capsys)
    assert code == 0, err
    assert not (out / "people").exists()
    for path in out.rglob("*.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert [e["href"] for e in soup.find_all(href=True) if "/people/" in e["href"]] == [], path
    assert "commenter" not in err, "no commenters, so nothing to warn about their handles"

    stats = soup_of(out, "stats/index.html")
    assert stats.select_one("#discussed-title") and stats.select_one("#chains-title")
    assert stats.select_one("#active-title") is None, "no list of the most active commenters"
    assert "commenter" not in stats.select_one(".page-intro").get_text()

    article_page = soup_of(out, FIRST + "index.html")
    steelmaker = byline(article_page, "s1")
    assert steelmaker.name == "a" and steelmaker["href"] == "https://example.org/u/steel"
    assert "nofollow" in steelmaker["rel"]
    assert article_page.select_one("a.comment-website") is None
    assert byline(article_page, "p1").name == "span", "a handle without a url is plain text"
    assert "People" not in [a.get_text() for a in article_page.select(".site-nav a")]


# ---- people_exclude -----------------------------------------------------------------------------

def test_an_excluded_commenter_stays_on_the_article_and_nowhere_else(people_site):
    site, output = people_site
    assert excluded_keys(site) == {"private person"}
    assert not (output / "people/private-person").exists()
    assert all("private" not in p.name for p in (output / "people").iterdir())
    for path in [*(output / "people").rglob("*"), output / "stats/index.html"]:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "private person" not in text.casefold(), path
            assert "#comment-priv" not in text, path

    article_page = soup_of(output, FIRST + "index.html")
    comment = article_page.select_one('li.comment[id="comment-priv"]')
    assert "Please leave me off the people pages." in comment.get_text()
    assert byline(article_page, "priv").get_text() == "private person"
    assert [a["href"] for a in comment.select("a[href]") if "/people/" in a["href"]] == []
    feed = feedparser.parse((output / FIRST / "comments.xml").read_bytes())
    assert any(entry.link.endswith("#comment-priv") for entry in feed.entries), "it stays in its article's feed"


EXCLUDED_IN_A_CHAIN = """\
- id: h1
  author: hidden one
  date: 2020-01-01 10:00
  body: The first word.
  replies:
    - id: a1
      author: alice
      date: 2020-01-01 11:00
      body: An answer.
      replies:
        - id: h2
          author: HIDDEN ONE
          date: 2020-01-01 12:00
          body: The last word.
"""


def test_an_excluded_handle_is_not_named_where_others_answer_it(tmp_path, capsys):
    """Away from its article an excluded handle is anonymous: not named as whom a comment answers on
    the replier's page or in their feed, nor at either end of a reply chain on /stats/."""
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: T\nbase_url: https://example.org/\ntimezone: UTC\npeople_exclude: [Hidden One]\n",
        "content/x.md": article("X", date="2020-01-01"),
        "content/x.comments.yaml": EXCLUDED_IN_A_CHAIN,
    })
    out = tmp_path / "out"
    code, _, err = run_sitegen(["build", "--source", site, "--output", out], capsys)
    assert code == 0, err
    assert (out / "people/alice/index.html").exists() and not (out / "people/hidden-one").exists()
    assert "hidden one" in (out / "2020/01/x/index.html").read_text(encoding="utf-8").casefold()
    named = [path.relative_to(out).as_posix()
             for path in [*(out / "people").rglob("*.*"), out / "stats/index.html"]
             if "hidden one" in path.read_text(encoding="utf-8").casefold()]
    assert named == [], f"the excluded handle is named on these commenters' pages, feeds or /stats/: {named}"


# ---- A warm build remakes what changed ----------------------------------------------------------

def cold_build(site: Path, out: Path) -> None:
    result = build_site(BuildOptions(source=site), BuildCache(), out)
    assert result.ok, [str(d) for d in result.diagnostics]


NEW_REPLY = """\
- id: p3
  parent: s1
  author: pishenkov
  date: 2020-03-03 09:00
  body: A new reply, written after the first build.
"""


def test_a_new_reply_remakes_its_article_its_commenter_and_the_lists_of_everyone(tmp_path):
    site = copy_of_people_site(tmp_path)
    out = tmp_path / "out"
    build_with_cache(site, out)
    assert (out / "people/cafe/index.html").exists() and (out / "people/etc-passwd/feed.xml").exists()
    thread = site / "content/2020-03-01-first.comments.yaml"
    thread.write_text(thread.read_text(encoding="utf-8") + NEW_REPLY, encoding="utf-8")
    stats = build_with_cache(site, out)
    made = set(stats.made)
    assert stats.articles_processed == 1
    assert {FIRST + "index.html", FIRST + "comments.xml",
            "people/pishenkov/index.html", "people/pishenkov/page/2/index.html", "people/pishenkov/feed.xml",
            "comments/index.html", "stats/index.html", "people/index.html"} <= made
    # Nothing of the other article, nor of the commenters who never commented on the edited one.
    untouched = {SECOND + "index.html", SECOND + "comments.xml"}
    for slug in ("cafe", "cafe-2", "etc-passwd"):
        untouched |= {f"people/{slug}/index.html", f"people/{slug}/feed.xml"}
    assert made & untouched == set()
    page = soup_of(out, "people/pishenkov/index.html")
    assert page.select_one("a.comment-permalink")["href"] == "/people-digest/2020/03/first/#comment-p3"
    assert page.select_one(".comment-reply-to a").get_text() == "Steelmaker"
    cold_build(site, tmp_path / "cold")
    assert tree_bytes(out) == tree_bytes(tmp_path / "cold")


def test_new_words_in_a_comment_remake_only_the_pages_that_show_that_comment(tmp_path):
    site = copy_of_people_site(tmp_path)
    out = tmp_path / "out"
    build_with_cache(site, out)
    listing_p1 = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
                  and "#comment-p1" in p.read_text(encoding="utf-8", errors="replace")}
    assert "people/steelmaker/page/2/index.html" in listing_p1, "it links p1 (s2 replies to it), not its words"
    thread = site / "content/2020-03-01-first.comments.yaml"
    text = thread.read_text(encoding="utf-8")
    thread.write_text(text.replace("Late, and over budget.", "Late, over budget, and badly built."), encoding="utf-8")
    stats = build_with_cache(site, out)
    made = set(stats.made)
    assert not stats.planned_anew, "new words keep the article's shape"
    assert {FIRST + "index.html", FIRST + "comments.xml", "people/pishenkov/index.html",
            "people/pishenkov/feed.xml", "comments/index.html"} <= made
    # Pages that show other comments of the same article, or only its counts, stay as they were.
    assert made & {"people/steelmaker/index.html", "people/steelmaker/page/2/index.html",
                   "people/steelmaker/feed.xml", "people/index.html", "stats/index.html",
                   SECOND + "index.html", "people/cafe/index.html"} == set()
    assert "badly built" in (out / "people/pishenkov/index.html").read_text(encoding="utf-8")
    assert "badly built" in (out / "people/pishenkov/feed.xml").read_text(encoding="utf-8")
    cold_build(site, tmp_path / "cold")
    assert tree_bytes(out) == tree_bytes(tmp_path / "cold")


def test_an_old_comment_is_remade_on_its_page_and_not_in_the_feed_it_left(tmp_path):
    """A commenter with 22 comments: the oldest is on their second page, not in their feed."""
    comments = "".join(f"- id: a{n}\n  author: alice\n  date: 2020-01-{n:02d} 10:00\n  body: Alice, {n}.\n"
                       for n in range(1, 23))
    comments += "- id: b1\n  author: bob\n  date: 2020-01-05 11:00\n  body: Bob, once.\n"
    site = write_site(tmp_path / "site", {
        "content/a.md": article("A", date="2020-01-01"),
        "content/a.comments.yaml": comments,
    })
    out = tmp_path / "out"
    build_with_cache(site, out)
    thread = site / "content/a.comments.yaml"
    thread.write_text(thread.read_text(encoding="utf-8").replace("Alice, 1.", "Alice, first of all."),
                      encoding="utf-8")
    made = set(build_with_cache(site, out).made)
    assert {"2020/01/a/index.html", "2020/01/a/comments.xml", "people/alice/page/2/index.html",
            "comments/index.html"} <= made
    assert made & {"people/alice/index.html", "people/alice/feed.xml",
                   "people/bob/index.html", "people/bob/feed.xml", "people/index.html"} == set()
    assert "Alice, first of all." in (out / "people/alice/page/2/index.html").read_text(encoding="utf-8")
    cold_build(site, tmp_path / "cold")
    assert tree_bytes(out) == tree_bytes(tmp_path / "cold")


def test_a_comments_new_date_shows_wherever_the_comment_is_listed(tmp_path):
    """A comment's date is read from its article when a page lists it, so a listed comment's digest
    covers its date as well as its words: a moved date that changes no order (s2 is neither
    steelmaker's first nor latest comment) still remakes the pages that list it."""
    site = copy_of_people_site(tmp_path)
    out = tmp_path / "out"
    build_with_cache(site, out)
    thread = site / "content/2020-03-01-first.comments.yaml"
    text = thread.read_text(encoding="utf-8")
    assert text.count("date: 2020-03-01 12:00") == 1
    thread.write_text(text.replace("date: 2020-03-01 12:00", "date: 2020-03-01 12:30"), encoding="utf-8")
    made = set(build_with_cache(site, out).made)
    assert {FIRST + "index.html", FIRST + "comments.xml", "people/steelmaker/feed.xml"} <= made
    cold_build(site, tmp_path / "cold")
    cold = tree_bytes(tmp_path / "cold")
    stale = sorted(path for path, data in tree_bytes(out).items() if cold[path] != data)
    assert stale == [], f"these pages still show the comment's old date: {stale}"
    assert {"people/steelmaker/page/2/index.html", "comments/index.html"} <= made
