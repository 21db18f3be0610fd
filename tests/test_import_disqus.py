"""`sitegen import disqus`: threads attached to the articles they were under, then built and counted."""

from __future__ import annotations

from markdown_it import MarkdownIt

from conftest import article, run_sitegen, tree_bytes, write_site
from test_import_wordpress import FIXTURES, HAND_MADE, build, comment_tree, page, read_yaml

SCHNACK_SITE = {
    "sitegen.yaml": 'title: Webkid\nbase_url: http://localhost:3000/\ntimezone: UTC\npermalink: "/{slug}/"\n',
    "content/foo.md": article("Welcome", date="2014-09-26"),  # its URL is the thread's link
    "content/bar-digest/index.md": article("Bar, digested", date="2014-09-26",
                                           source={"name": "webkid", "url": "https://localhost:3000/bar"}),
}


def import_disqus(capsys, export, site, *flags: str) -> tuple[int, str, str]:
    return run_sitegen(["import", "disqus", export, "--source", site, *flags], capsys)


def test_threads_attach_by_the_articles_url_or_its_source_url(tmp_path, capsys):
    site = write_site(tmp_path, SCHNACK_SITE)
    code, out, err = import_disqus(capsys, FIXTURES / "schnack-disqus.xml", site)
    assert code == 0 and err == ""
    assert "2 articles, 5 comments kept in 2 threads; 2 files written" in out
    assert (site / "content/foo.comments.yaml").exists() and (site / "content/bar-digest/comments.yaml").exists()

    result = build(site)
    assert result.stats.comments == 5
    assert comment_tree(page(result, "foo/")) == [
        ("1664694813", [("1664831530", [("1690922142", [("1690992879", [])])])]),
    ]
    assert comment_tree(page(result, "bar-digest/")) == [("1664694824", [])]
    link = page(result, "foo/").find(id="comment-1664694813").select_one(".comment-body a")
    assert link["href"] == "http://example.example" and link["rel"] == ["nofollow", "ugc", "noopener"]


def test_deleted_posts_orphans_and_unmatched_threads_are_accounted_for(tmp_path, capsys):
    site = write_site(tmp_path, {"content/hello.md": article("Hello", source={"name": "E", "url": "https://example.org"})})
    code, out, _ = import_disqus(capsys, FIXTURES / "isso-disqus.xml", site)
    assert code == 0
    assert "comments left out: 1 deleted, 1 on threads that match no article, 1 whose thread is not in the export" in out
    assert '1 of them shown as "[removed]"' in out
    assert ("no article for http://localhost:4000/blog/2013/02/12/redacted/index.html: 1 comment not imported "
            "(give an article this link as its URL or source.url, and import again)") in out

    result = build(site)
    assert comment_tree(page(result, "2020/01/hello/")) == [("4", [("5", [])]), ("9", [("11", [])])]
    removed = page(result, "2020/01/hello/").find(id="comment-9").select_one(".comment-body")
    assert removed.get_text(strip=True) == "[removed]"


def test_after_a_wordpress_import_threads_find_their_articles_by_the_old_permalink(tmp_path, capsys):
    site = tmp_path / "site"
    assert run_sitegen(["import", "wordpress", HAND_MADE, "--source", site], capsys)[0] == 0
    before = tree_bytes(site)
    code, _, err = import_disqus(capsys, FIXTURES / "disqus-threads.xml", site)
    assert code == 1 and "content/2021/2021-03-04-a-thread-to-keep/comments.yaml: exists already" in err
    assert tree_bytes(site) == before

    code, out, _ = import_disqus(capsys, FIXTURES / "disqus-threads.xml", site, "--force")
    assert code == 0 and "2 articles, 5 comments kept in 2 threads" in out
    assert "comments left out: 1 on threads that match no article, 1 spam" in out
    assert "no article for https://blog.example.org/a-page-that-is-gone/ ('Gone')" in out

    result = build(site)
    # Its https and http threads are one page, so they are one thread.
    assert comment_tree(page(result, "2021/03/a-thread-to-keep/")) == [
        ("1001", [("1002", [])]), ("1003", [("1004", [])]), ("1005", []),
    ]
    quiet = read_yaml(site / "content/2021/2021-03-05-nothing-to-say/comments.yaml")
    assert quiet == {"closed": True, "comments": [
        {"id": "2001", "author": "Dave", "date": "2021-03-06T09:00:00+00:00", "body": "The only comment here."},
    ]}


def test_disqus_comments_carry_no_raw_html(tmp_path, capsys):
    site = tmp_path / "site"
    run_sitegen(["import", "wordpress", HAND_MADE, "--source", site], capsys)
    (site / "content/2021/2021-03-04-a-thread-to-keep/comments.yaml").unlink()
    assert import_disqus(capsys, FIXTURES / "disqus-threads.xml", site)[0] == 0
    raw = read_yaml(site / "content/2021/2021-03-04-a-thread-to-keep/comments.yaml")
    loud = next(c for c in raw if c["id"] == "1005")
    assert loud["body"] == "**Loud**\n\nLook here\nand [there](https://ok.example/)\\\non a new line."
    tokens = MarkdownIt("commonmark", {"html": True}).parse(loud["body"])
    assert not {c.type for t in tokens for c in t.children or []} & {"html_inline"}

    body = page(build(site), "2021/03/a-thread-to-keep/").find(id="comment-1005").select_one(".comment-body")
    assert body.find(["script", "h1", "h2", "h3"]) is None and "javascript:" not in str(body)


def test_a_folder_that_is_not_a_site_is_a_usage_error(tmp_path, capsys):
    code, _, err = import_disqus(capsys, FIXTURES / "schnack-disqus.xml", tmp_path)
    assert code == 2 and "is not a site: it has no sitegen.yaml" in err
    assert list(tmp_path.iterdir()) == []


def test_exports_that_cannot_be_read_write_nothing(tmp_path, capsys):
    site = write_site(tmp_path, SCHNACK_SITE)
    before = tree_bytes(site)
    code, _, err = import_disqus(capsys, FIXTURES / "wordpress-malformed.xml", site)
    assert code == 1 and err.count("\n") == 1 and "not well-formed XML" in err
    code, _, err = import_disqus(capsys, FIXTURES / "isso-wordpress.xml", site)
    assert code == 1 and "is not a Disqus export: expected a <disqus> root element (it looks like a WordPress one" in err
    assert tree_bytes(site) == before


def test_help_has_examples(capsys):
    code, out, _ = run_sitegen(["import", "disqus", "--help"], capsys)
    assert code == 0 and "examples:" in out and "sitegen import disqus" in out
