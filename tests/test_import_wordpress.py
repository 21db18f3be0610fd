"""`sitegen import wordpress`: import, then build, then count: every approved comment is on its page,
nested as in the export, and nothing a reader could not see in WordPress comes in."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from conftest import article, run_sitegen, tree_bytes, write_site
from sitegen.build import BuildOptions, BuildResult, build_site
from sitegen.importers.threads import ImportedComment, arrange_thread
from sitegen.importers.writing import dump_yaml
from sitegen.load.yaml_lines import parse_yaml

FIXTURES = Path(__file__).parent / "fixtures" / "import"
# GPL and AGPL exports are read where they are, never copied into the repository.
SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
THEME_UNIT_TEST = SHARED / "wordpress" / "wordpress-importer-theme-unit-test-data.xml"
PELICAN = SHARED / "wordpress" / "pelican-wordpressexport.xml"
HAND_MADE = FIXTURES / "wordpress-threads.xml"
THREAD = "content/2021/2021-03-04-a-thread-to-keep/comments.yaml"


def import_wordpress(capsys, export: Path, site: Path, *flags: str) -> tuple[int, str, str]:
    return run_sitegen(["import", "wordpress", export, "--source", site, *flags], capsys)


def build(site: Path, drafts: bool = False) -> BuildResult:
    result = build_site(BuildOptions(source=site, drafts=drafts))
    assert result.ok, "\n".join(str(d) for d in result.diagnostics)
    return result


def page(result: BuildResult, url_path: str) -> BeautifulSoup:
    return BeautifulSoup(result.files[url_path + "index.html"], "html.parser")


def comment_tree(soup: BeautifulSoup) -> list:
    """The page's thread as [(id, [replies...]), ...], nested as the reader sees it."""
    def replies(container) -> list:
        thread = container.find("ol", class_="thread")
        if thread is None:
            return []
        return [(li["id"].removeprefix("comment-"), replies(li))
                for li in thread.find_all("li", class_="comment", recursive=False)]

    return replies(soup.select_one("section.comments"))


def read_yaml(path: Path, front_matter: bool = False):
    """As sitegen reads it (YAML 1.2: dates stay text)."""
    text = path.read_text(encoding="utf-8")
    value, problems = parse_yaml(text.split("---\n")[1] if front_matter else text, str(path))
    assert problems == []
    return value


def thread_entries(site: Path, path: str = THREAD) -> list[dict]:
    raw = read_yaml(site / path)
    entries = raw["comments"] if isinstance(raw, dict) else raw
    found = []
    stack = list(entries)
    while stack:
        entry = stack.pop()
        found.append(entry)
        stack.extend(entry.get("replies", []))
    return found


def front_matter(site: Path, path: str) -> dict:
    return read_yaml(site / path, front_matter=True)


@pytest.fixture
def hand_made(tmp_path, capsys) -> tuple[Path, str]:
    site = tmp_path / "site"
    code, out, err = import_wordpress(capsys, HAND_MADE, site)
    assert code == 0, err
    return site, out


def test_isso_export_becomes_a_site_that_builds_with_every_comment_nested(tmp_path, capsys):
    site = tmp_path / "blog"
    code, out, err = import_wordpress(capsys, FIXTURES / "isso-wordpress.xml", site)
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("imported from ") and "1 article, 7 comments kept in 1 thread" in out
    assert "not imported: 2 posts without a date" in out, "items WordPress would not publish are reported"
    assert (site / "sitegen.yaml").exists(), "a folder that is not a site yet gets a sitegen.yaml"

    result = build(site)
    assert result.stats.comments == 7
    assert comment_tree(page(result, "2014/01/test/")) == [
        ("2", []), ("6", [("7", [("8", []), ("9", [])])]), ("10", []), ("11", []),
    ]


def test_a_thread_keeps_its_nesting_its_removed_parents_and_its_orphans(hand_made):
    site, out = hand_made
    tree = comment_tree(page(build(site), "2021/03/a-thread-to-keep/"))
    deepest = ("106", [])
    for parent in ("105", "104", "103", "102", "101"):
        deepest = (parent, [deepest])
    assert tree == [
        deepest,
        ("110", [("111", [("112", [])])]),  # the spam comment stays as a placeholder: its replies keep their place
        ("140", []),                        # its parent is not in the export: top level, and reported
        ("160", []),
        ("170", []),
    ]
    entries = {e["id"]: e for e in thread_entries(site)}
    assert entries["110"] == {"id": "110", "body": "[removed]", "replies": entries["110"]["replies"]}
    assert f"{THREAD}: replies whose parent is not in the export, kept at the top level: 140" in out


def test_the_summary_says_what_was_left_out_and_why(hand_made):
    _, out = hand_made
    assert "7 articles (2 as draft: true), 12 comments kept in 2 threads; 10 files written in" in out
    left_out = next(line for line in out.splitlines() if line.startswith("comments left out: "))
    for reason in ("1 spam", "1 trashed", "1 awaiting approval", "1 pingbacks and trackbacks (use --pingbacks)",
                   "1 on pages (use --pages)", "1 on password-protected posts"):
        assert reason in left_out
    assert '1 of them shown as "[removed]"' in out
    assert "password-protected, not imported: post 15 'Members only'" in out


def test_names_in_any_script_and_their_links_are_kept(hand_made):
    site, _ = hand_made
    soup = page(build(site), "2021/03/a-thread-to-keep/")
    authors = [a.get_text() for a in soup.select("li.comment .comment-author")]
    assert {"Ирина Петрова", "Γιάννης Παπαδόπουλος", "李小龍", "Zoë", "Mallory"} <= set(authors)
    irina = soup.find(id="comment-101")
    assert irina.select_one(".comment-author")["href"] == "/people/irina-petrova/"
    assert irina.select_one(".comment-website")["href"] == "https://example.org/irina"
    assert soup.find(id="comment-103").select_one("a.comment-website") is None, "a javascript: author URL is dropped"


def test_pingbacks_and_pages_come_in_only_when_asked(tmp_path, capsys):
    site = tmp_path / "site"
    assert import_wordpress(capsys, HAND_MADE, site, "--pingbacks", "--pages")[0] == 0
    result = build(site)
    assert "130" in [c for c, _ in comment_tree(page(result, "2021/03/a-thread-to-keep/"))]
    assert comment_tree(page(result, "2021/01/about/")) == [("401", [])]


def test_drafts_closed_threads_and_posts_without_comments(hand_made):
    site, _ = hand_made
    content = site / "content" / "2021"
    assert front_matter(site, "content/2021/2021-03-07-a-draft/index.md")["draft"] is True
    assert front_matter(site, "content/2021/2021-03-08-private-thoughts/index.md")["draft"] is True
    assert "draft" not in front_matter(site, "content/2021/2021-03-05-nothing-to-say/index.md")
    assert sorted(p.name for p in (content / "2021-03-05-nothing-to-say").iterdir()) == ["index.md"]
    assert not any(p.name.endswith("members-only") for p in content.iterdir()), "password-protected: left out"
    closed = read_yaml(content / "2021-03-06-closed" / "comments.yaml")
    assert closed["closed"] is True and [c["id"] for c in closed["comments"]] == ["201"]

    result = build(site)
    assert "2021/03/a-draft/index.html" not in result.files
    assert page(result, "2021/03/closed/").select_one(".comments-closed") is not None
    assert "2021/03/a-draft/index.html" in build(site, drafts=True).files


def test_dates_keep_the_offset_wordpress_had(hand_made):
    site, _ = hand_made
    assert front_matter(site, "content/2021/2021-03-04-a-thread-to-keep/index.md")["date"] == "2021-03-04T12:00:00+05:30"
    assert {e["id"]: e for e in thread_entries(site)}["101"]["date"] == "2021-03-04T13:00:00+05:30"
    # A draft has no GMT date in WordPress: its time is read in the site's timezone.
    assert front_matter(site, "content/2021/2021-03-07-a-draft/index.md")["date"] == "2021-03-07T09:00:00"
    time = page(build(site), "2021/03/a-thread-to-keep/").select_one("#comment-101 time")
    assert time["datetime"].startswith("2021-03-04T07:30:00")  # the generated sitegen.yaml says UTC


def test_folders_follow_the_timezone_of_an_existing_site_and_its_settings_stay(tmp_path, capsys):
    site = write_site(tmp_path, {"sitegen.yaml": "title: Mine\nbase_url: https://me.example/\ntimezone: America/New_York\n",
                                 "content/2020/hello.md": article("Hello")})
    assert import_wordpress(capsys, HAND_MADE, site)[0] == 0
    assert (site / "sitegen.yaml").read_text().startswith("title: Mine")
    # 2021-03-04 12:00 in UTC+05:30 is still March 4 in New York; 2021-03-05 10:00 is March 4 there.
    assert (site / "content/2021/2021-03-04-nothing-to-say/index.md").exists()
    assert build(site).stats.articles == 6


def test_slugs_tags_and_the_featured_picture(hand_made):
    site, _ = hand_made
    assert front_matter(site, "content/2021/2021-03-10-privet-mir/index.md")["slug"] == "privet-mir"
    assert front_matter(site, "content/2021/2021-04-01-a-thread-to-keep-2/index.md")["slug"] == "a-thread-to-keep-2"
    kept = front_matter(site, "content/2021/2021-03-04-a-thread-to-keep/index.md")
    assert kept["tags"] == ["Template", "Ünïcode"], "no 'Uncategorized'; Template and template are one tag"
    assert kept["authors"] == ["The Editor"]
    assert kept["image"] == {"src": "https://blog.example.org/wp-content/uploads/harbour.jpg", "alt": "The harbour at dawn"}
    assert kept["wordpress"] == {"id": "10", "link": "https://blog.example.org/2021/03/04/a-thread-to-keep/"}


def test_shortcodes_become_plain_markdown(hand_made):
    site, _ = hand_made
    body = (site / "content/2021/2021-03-10-privet-mir/index.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert "[caption" not in body and "[gallery" not in body and "[embed" not in body
    assert ("[![The harbour](https://blog.example.org/wp-content/uploads/harbour-300x200.jpg)]"
            "(https://blog.example.org/wp-content/uploads/harbour.jpg)\n\n*The harbour at dawn*") in body
    assert "![lighthouse](https://blog.example.org/wp-content/uploads/lighthouse.jpg)" in body
    assert "<https://www.youtube.com/watch?v=abc123>" in body and "<https://vimeo.com/12345>" in body
    assert "## A first-level heading" in body, "the page's title is its only first-level heading"
    assert "<!--" not in body


def test_imported_comments_carry_no_raw_html(hand_made):
    site, _ = hand_made
    markdown = MarkdownIt("commonmark", {"html": True})
    for entry in thread_entries(site):
        tokens = markdown.parse(entry["body"])
        kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
        assert not kinds & {"html_block", "html_inline"}, entry["body"]
        assert "heading_open" not in kinds, "a comment's heading would outrank the page's own"

    body = page(build(site), "2021/03/a-thread-to-keep/").find(id="comment-160").select_one(".comment-body")
    assert body.find(["script", "iframe", "style", "form", "input", "button", "h1", "h2", "h3", "h4", "h5", "h6"]) is None
    assert not any(attribute.startswith("on") for tag in body.find_all(True) for attribute in tag.attrs)
    assert "javascript:" not in str(body) and "alert" not in str(body)
    text = body.get_text(" ", strip=True)
    assert "Shouting" in text and "Click here or there" in text and "<i>not italic</i>" in text
    assert [a["href"] for a in body.find_all("a")] == ["https://ok.example/", "https://img.example/cat.png"]


def test_existing_files_are_replaced_only_with_force(hand_made, capsys):
    site, _ = hand_made
    (site / THREAD).write_text("- body: edited by hand\n", encoding="utf-8")
    before = tree_bytes(site)
    code, out, err = import_wordpress(capsys, HAND_MADE, site)
    assert code == 1 and out == ""
    assert f"{THREAD}: exists already (use --force to replace it)" in err
    assert tree_bytes(site) == before, "nothing at all is written"

    code, out, _ = import_wordpress(capsys, HAND_MADE, site, "--force")
    assert code == 0 and "9 files written" in out, "a site's own sitegen.yaml is never rewritten"
    assert "edited by hand" not in (site / THREAD).read_text(encoding="utf-8")
    assert (site / "sitegen.yaml").read_text(encoding="utf-8") == before["sitegen.yaml"].decode()


def test_a_malformed_export_is_one_clear_line_and_writes_nothing(tmp_path, capsys):
    code, out, err = import_wordpress(capsys, FIXTURES / "wordpress-malformed.xml", tmp_path / "site")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"{FIXTURES / 'wordpress-malformed.xml'}:")
    assert "not well-formed XML" in err and "nothing was written" in err
    assert not (tmp_path / "site").exists()


def test_entity_expansion_is_refused(tmp_path, capsys):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
                    "<rss><channel><title>&b;</title></channel></rss>\n", encoding="utf-8")
    code, _, err = import_wordpress(capsys, bomb, tmp_path / "site")
    assert code == 1 and "refused: the XML uses entity declarations" in err
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("export, message", [
    (FIXTURES / "isso-disqus.xml", "is a Disqus export, not a WordPress one (use: sitegen import disqus)"),
    (FIXTURES / "no-such-export.xml", "file not found"),
])
def test_an_export_that_is_not_a_wordpress_one(tmp_path, capsys, export, message):
    code, _, err = import_wordpress(capsys, export, tmp_path / "site")
    assert code == 1 and err == f"{export}: {message}; nothing was written\n"


def test_a_site_whose_settings_are_wrong_is_not_imported_into(tmp_path, capsys):
    site = write_site(tmp_path, {"sitegen.yaml": "title: Broken\nbase_url: https://x.example/\ntimezone: Mars/Olympus\n"})
    code, _, err = import_wordpress(capsys, HAND_MADE, site)
    assert code == 1 and "sitegen.yaml:3: timezone:" in err
    assert not (site / "content").exists()


def test_help_has_examples(capsys):
    code, out, _ = run_sitegen(["import", "wordpress", "--help"], capsys)
    assert code == 0 and "examples:" in out and "--pingbacks" in out and "--pages" in out


def test_a_reply_loop_in_the_export_is_broken_at_the_top_level():
    looped = arrange_thread([
        ImportedComment("a", "b", "A"), ImportedComment("b", "a", "B"), ImportedComment("c", None, "C"),
    ])
    assert [(c.id, [r.id for r in c.replies]) for c in looped.comments] == [("a", ["b"]), ("c", [])]
    assert looped.kept == 3 and looped.moved_to_top == ("a",)


@pytest.mark.parametrize("text", ["no", "NO", "null", "~", "1e5", "0o17", "12", "2019-01-01", "# not a comment",
                                  "- not a list", "a: b", "multi\nline\n", "  indented\nfirst", "Ωμέγα"])
def test_written_yaml_reads_back_as_the_same_text(text):
    value, problems = parse_yaml(dump_yaml({"author": text, "tags": [text]}, flow_lists=True), "x.yaml")
    assert problems == [] and value["author"] == text and value["tags"] == [text]


@pytest.mark.skipif(not THEME_UNIT_TEST.exists(), reason="../shared/fixtures is not beside the repository")
def test_the_theme_unit_test_data_imports_and_builds_with_its_ten_level_thread(tmp_path, capsys):
    site = tmp_path / "site"
    code, out, err = import_wordpress(capsys, THEME_UNIT_TEST, site)
    assert code == 0, err
    assert "57 articles (2 as draft: true), 22 comments kept in 4 threads" in out
    assert "password-protected, not imported: post 1168" in out
    result = build(site)
    assert result.stats.comments == 22
    soup = page(result, "2012/01/template-comments/")
    assert len(soup.select("li.comment")) == 19  # 20 in WordPress's table, one awaiting approval
    deepest = soup.find(id="comment-915")
    assert len(deepest.find_parents("li", class_="comment")) == 9, "Comment Depth 10 is ten levels down"
    assert "Comment Depth 10" in deepest.select_one(".comment-body").get_text()
    assert page(result, "2012/01/template-pingbacks-an-trackbacks/").select_one(".comments-closed") is not None


@pytest.mark.skipif(not PELICAN.exists(), reason="../shared/fixtures is not beside the repository")
def test_pelicans_export_keeps_the_orphan_and_leaves_out_the_trashed_pingback(tmp_path, capsys):
    site = tmp_path / "site"
    code, out, _ = import_wordpress(capsys, PELICAN, site, "--pingbacks")
    assert code == 0 and "comments left out: 1 trashed" in out
    assert "content/2012/2012-04-18-with-comments/comments.yaml: replies whose parent is not in the export, " \
           "kept at the top level: 122" in out
    result = build(site)
    assert comment_tree(page(result, "2012/04/with-comments/")) == [("116", [("117", [])]), ("122", [])]
    caption = (site / "content/2012/2012-02-16-caption-on-image/index.md").read_text(encoding="utf-8")
    assert "[caption" not in caption and "*This is a pelican*" in caption
