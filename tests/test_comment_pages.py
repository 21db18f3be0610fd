"""A long thread is cut into pages of `comments_per_page` top-level comments, each with all its
replies, and every link to a comment, wherever the site shows one, leads to the page that holds
it. The fixture site tests/sites/long-thread has three pages (its golden is in test_sites.py)."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import TESTS, article, run_sitegen, tree_bytes, write_site
from sitegen.build import BuildOptions, build_site
from sitegen.model.threads import comment_page, comment_page_starts
from sitegen.render.schema import TEXT_LIMIT, shortened

LONG = TESTS / "sites" / "long-thread"
PAGE = "2024/05/long/"


def test_a_page_holds_its_top_level_comments_with_all_their_replies():
    # Reading order: a, its reply a1, a1's reply a2, b, c, its reply c1, d.
    parents = [None, "a", "a1", None, None, "c", None]
    assert comment_page_starts(parents, 2) == (0, 4)
    assert [comment_page((0, 4), position) for position in range(7)] == [1, 1, 1, 1, 2, 2, 2]
    assert comment_page_starts(parents, 200) == (0,)
    assert comment_page_starts([], 1) == (0,), "a thread with no comments is one page"
    assert comment_page_starts([None, "x", "x", "x"], 1) == (0,), "one comment's replies are never cut off"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture site built, and checked as its own `sitegen check` checks it."""
    site = tmp_path_factory.mktemp("long") / "site"
    shutil.copytree(LONG, site, ignore=shutil.ignore_patterns("expected", ".sitegen-cache"))
    result = build_site(BuildOptions(source=site), out_dir=site / "output")
    assert result.ok, result.diagnostics
    return site / "output"


def read(out, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def ids_on(html: str) -> list[str]:
    return re.findall(r'<li class="comment" id="comment-([^"]+)"', html)


def test_each_page_holds_its_comments_and_leads_to_the_others(built):
    first, second, third = (read(built, PAGE + part + "index.html") for part in ("", "page/2/", "page/3/"))
    assert ids_on(first) == ["first", "first-reply", "first-reply-reply", "second"]
    assert ids_on(second) == ["middle", "middle-reply", "fourth"]
    assert ids_on(third) == ["late"]
    assert not (built / PAGE / "page/4").exists()
    # The article's text is on the first page only; the others lead back to it.
    assert '<div class="article-body">' in first and '<div class="article-body">' not in second
    assert '<p class="article-continued"><a href="/digest/2024/05/long/">Read the article</a></p>' in second
    assert "<title>Comments on “A thread in three pages” (page 2 of 3)" in second
    assert 'href="/digest/2024/05/long/page/3/#comments"><span class="pager-arrow"' not in second
    assert '<a rel="next" href="/digest/2024/05/long/page/3/#comments">Later comments' in second
    assert '<a rel="prev" href="/digest/2024/05/long/#comments">' in second
    assert "Page 2 of 3" in second and '<h2 id="comments-title">8 comments</h2>' in second
    assert '<link rel="canonical" href="https://example.org/digest/2024/05/long/page/2/">' in second
    sitemap = read(built, "sitemap.xml")
    assert all(f"<loc>https://example.org/digest/{PAGE}{part}</loc>" in sitemap for part in ("", "page/2/", "page/3/"))


def test_a_link_to_a_comment_by_its_fragment_leads_to_its_page(built):
    first, third = read(built, PAGE + "index.html"), read(built, PAGE + "page/3/index.html")
    # In the article's text, and in a comment on the first page, to comments on later pages.
    public = ' rel="nofollow ugc noopener"'  # a link in a comment
    assert '<a href="page/2/#comment-middle">One reader</a>' in first
    assert f'<a href="page/3/#comment-late"{public}>the last one</a>' in first
    # In a comment and a note on the third page, back to the first.
    assert f'<a href="../../#comment-first"{public}>answering anna</a>' in third
    assert '<a href="../../#comment-first">answering the first</a>' in third
    # Shown away from the article, they still lead there.
    assert '<a href="/digest/2024/05/long/page/2/#comment-middle">One reader</a>' in read(built, "index.html")
    assert '<a href="/digest/2024/05/long/#comment-first">answering the first</a>' in read(built, "notes/index.html")
    assert (f'<a href="/digest/2024/05/long/#comment-first"{public}>answering anna</a>'
            in read(built, "people/carla/index.html"))


def test_every_list_and_feed_links_to_the_page_that_holds_the_comment(built):
    late = "/digest/2024/05/long/page/3/#comment-late"
    assert f'<a class="comment-permalink" href="{late}">' in read(built, "comments/index.html")
    assert f'<a class="comment-permalink" href="{late}">' in read(built, "people/carla/index.html")
    notes = read(built, "notes/index.html")
    assert 'href="/digest/2024/05/long/page/3/#note-2"' in notes and f'href="{late}"' in notes
    assert 'href="/digest/2024/05/long/#note-1"' in notes
    feed = read(built, PAGE + "comments.xml")
    assert f'<link rel="alternate" type="text/html" href="https://example.org{late}" />' in feed
    # The entry's id stays what it is on a one-page thread: growing a page re-sends nothing.
    assert "<id>https://example.org/digest/2024/05/long/#comment-late</id>" in feed
    assert f'href="https://example.org{late}"' in read(built, "people/carla/feed.xml")
    annotations = json.loads(read(built, PAGE + "annotations.jsonld"))["first"]["items"]
    assert [item["target"] for item in annotations][1] == f"https://example.org{late}"
    assert annotations[1]["id"] == "https://example.org/digest/2024/05/long/page/3/#note-2"


def test_each_page_describes_its_own_comments_to_search_engines(built):
    def schema(path):
        found = re.search(r'<script type="application/ld\+json">(.*?)</script>', read(built, path), re.S)
        return json.loads(found.group(1))
    second = schema(PAGE + "page/2/index.html")
    assert second["@id"] == "https://example.org/digest/2024/05/long/" and second["commentCount"] == 8
    assert [c["@id"] for c in second["comment"]] == [
        "https://example.org/digest/2024/05/long/page/2/#comment-middle",
        "https://example.org/digest/2024/05/long/page/2/#comment-fourth"]
    assert second["comment"][0]["comment"][0]["@id"].endswith("/page/2/#comment-middle-reply")


def test_a_huge_comment_is_on_its_page_once(tmp_path, capsys):
    words = " ".join(f"word{n}" for n in range(200_000))  # 1.4 MB
    site = write_site(tmp_path / "site", {
        "content/huge.md": article("Huge", "2024-01-01", "Text."),
        "content/huge.comments.yaml": f"- id: big\n  author: a\n  body: {words}\n"})
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    page = (site / "output/2024/01/huge/index.html").read_bytes()
    assert len(words) < len(page) < len(words) + 20_000
    assert shortened(words).endswith("word19 word20…") and len(shortened(words)) <= TEXT_LIMIT + 1


def test_shortened_keeps_whole_words():
    assert shortened("short") == "short"
    assert shortened("a" * 500) == "a" * TEXT_LIMIT + "…", "one long word is cut where it must be"
    assert shortened("word " * 100) == ("word " * 28).strip() + "…", "a word that ends at the limit is whole"
    assert shortened("word " * 27 + "wordier " * 10) == ("word " * 27).strip() + "…"


@pytest.mark.parametrize("value, message", [
    ("0", "comments_per_page: must be at least 1, got 0"),
    ("many", "comments_per_page: expected a whole number, got 'many'"),
])
def test_a_wrong_comments_per_page_is_an_error_in_sitegen_yaml(tmp_path, capsys, value, message):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": f"title: T\nbase_url: https://example.org/\ncomments_per_page: {value}\n",
        "content/a.md": article("A", "2024-01-01", "Text.")})
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 1 and err.startswith("sitegen.yaml:3: ") and message in err, err


def thread(count: int) -> str:
    return "".join(f"- id: c{n}\n  author: reader{n % 3}\n  date: 2024-01-0{1 + n % 9} 10:00\n  body: Comment {n}, "
                   f"see [the first](#comment-c0).\n" for n in range(count))


def test_a_thread_that_grows_a_page_rebuilds_as_a_fresh_build_would(tmp_path, capsys):
    files = {"sitegen.yaml": "title: T\nbase_url: https://example.org/d/\ncomments_per_page: 3\nsearch: false\n",
             "content/a.md": article("A", "2024-01-01", "See [the last](#comment-c3)."),
             "content/a.comments.yaml": thread(3)}
    site = write_site(tmp_path / "site", files)
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    assert not (site / "output/2024/01/a/page/2").exists()
    (site / "content/a.comments.yaml").write_text(thread(4))
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 0, err
    fresh = write_site(tmp_path / "fresh", {**files, "content/a.comments.yaml": thread(4)})
    assert run_sitegen(["build", "--source", fresh], capsys)[0] == 0
    assert tree_bytes(site / "output") == tree_bytes(fresh / "output")
    assert '<a href="page/2/#comment-c3">the last</a>' in (site / "output/2024/01/a/index.html").read_text()
    assert "/d/2024/01/a/page/2/#comment-c3" in (site / "output/comments/index.html").read_text()
    code, stdout, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 0 and "no problems" in stdout, err


def test_every_relative_link_on_a_later_page_leads_where_it_was_written_for(tmp_path, capsys):
    """A comment or a note on page 2 links to the bundle's file, a passage, a note, the other page;
    another article links to a comment by the article's source file: all reach their target."""
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: T\nbase_url: https://example.org/d/\ncomments_per_page: 1\nsearch: false\n",
        "content/2024-03-01-bun/index.md": article("Bundle", "2024-03-01", "Some important words.", annotations=[
            {"quote": "important words", "note": "A passage note."},
            {"comment": "c2", "note": "On c2: [the plan](plan.txt), [note 1](#note-1)."}]),
        "content/2024-03-01-bun/plan.txt": "the plan\n",
        "content/2024-03-01-bun/comments.yaml":
            '- {id: c1, author: anna, body: "first, see [note 2](#note-2)"}\n'
            '- {id: c2, author: boris, body: "[plan](plan.txt), [passage](#passage-1), [note 1](#note-1), '
            '![pic](plan.txt), [first](#comment-c1), [all](#comments)"}\n',
        "content/2024-02-01-other.md": article("Other", "2024-02-01", "See [c2](2024-03-01-bun/index.md#comment-c2)."),
    })
    code, stdout, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 0 and "no problems" in stdout, err
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    out = site / "output"
    second = (out / "2024/03/bun/page/2/index.html").read_text()
    for link in ("../../plan.txt", "../../#passage-1", "../../#note-1", "../../#comment-c1"):
        assert f'href="{link}"' in second, link
    assert 'href="#comments"' in second and 'href="../../plan.txt">the plan</a>' in second
    assert 'href="page/2/#note-2"' in (out / "2024/03/bun/index.html").read_text()
    assert 'href="/d/2024/03/bun/page/2/#comment-c2">c2</a>' in (out / "2024/02/other/index.html").read_text()
    assert "https://example.org/d/2024/03/bun/plan.txt" in (out / "2024/03/bun/annotations.jsonld").read_text()
