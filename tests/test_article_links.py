"""An article links to another by its source file (`../2020/follow.md`, or a bundle's folder),
as Hugo's ref and MkDocs' relative .md links do: the link leads to that article's URL wherever
the article's HTML is shown, and a link to no article is an error at its line."""

from __future__ import annotations

import shutil

from conftest import article, run_sitegen, tree_bytes, write_site

SITE = "title: L\nbase_url: https://example.org/d/\nsearch: false\n"


def digest(root):
    return write_site(root, {
        "sitegen.yaml": SITE,
        "content/2019/macron/index.md": article("Macron", "2019-11-28", "See [the follow-up](../../2020/follow.md#comments).",
                                                slug="macron-speaks"),
        "content/2020/follow.md": article("Follow", "2020-01-02", "Back to [Macron](../2019/macron/)."),
    })


def test_a_link_to_a_source_file_leads_to_its_articles_url_everywhere(tmp_path, capsys):
    site = digest(tmp_path / "site")
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 0, err
    out = site / "output"
    macron = (out / "2019/11/macron-speaks/index.html").read_text(encoding="utf-8")
    assert '<a href="/d/2020/01/follow/#comments">the follow-up</a>' in macron
    assert '<a href="/d/2019/11/macron-speaks/">Macron</a>' in (out / "2020/01/follow/index.html").read_text()
    assert '<a href="/d/2020/01/follow/#comments">the follow-up</a>' in (out / "index.html").read_text(), "summaries"
    assert "href=&quot;https://example.org/d/2020/01/follow/#comments&quot;" in (out / "feed.xml").read_text()
    assert not any(b"sitegen-article:" in data for data in tree_bytes(out).values())
    code, stdout, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 0 and "no problems" in stdout, err


def test_a_link_to_no_article_is_an_error_at_its_line(tmp_path, capsys):
    site = digest(tmp_path / "site")
    (site / "content/2020/follow.md").write_text(
        article("Follow", "2020-01-02", "Back to [Macron](../2019/macron/).\n\nAnd [gone](gone.md), [a draft](draft.md)."))
    (site / "content/2020/draft.md").write_text(article("Draft", "2020-01-03", "x", draft=True))
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 1
    assert err.splitlines()[:2] == [
        "content/2020/follow.md:7: the link 'gone.md' leads nowhere: there is no article content/2020/gone.md",
        "content/2020/follow.md:7: the link 'draft.md' leads nowhere: content/2020/draft.md is a draft "
        "(build with --drafts to link to it)"]
    assert not (site / "output").exists()
    code, _, err = run_sitegen(["build", "--source", site, "--drafts"], capsys)
    assert code == 1 and "draft.md" not in err, "with --drafts, the draft is there to link to"


def test_a_new_slug_for_the_target_remakes_the_pages_that_link_to_it(tmp_path, capsys):
    site = digest(tmp_path / "site")
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    (site / "content/2019/macron/index.md").write_text(
        article("Macron", "2019-11-28", "See [the follow-up](../../2020/follow.md#comments).", slug="macron-answers"))
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    follow = (site / "output/2020/01/follow/index.html").read_text()
    assert '<a href="/d/2019/11/macron-answers/">Macron</a>' in follow
    cold = tmp_path / "cold"
    shutil.copytree(site, cold, ignore=shutil.ignore_patterns("output", ".sitegen-cache"))
    assert run_sitegen(["build", "--source", cold, "--no-cache"], capsys)[0] == 0
    assert tree_bytes(site / "output") == tree_bytes(cold / "output"), "as a cold build makes it"


def test_a_link_to_a_folder_that_is_no_bundle_stays_as_written(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE,
                                          "content/a.md": article(body='[tags](../tags/?x="y") and [up](../../elsewhere/)')})
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 0, err
    page = (site / "output/2020/01/a/index.html").read_text()
    assert '<a href="../tags/?x=%22y%22">tags</a>' in page and '<a href="../../elsewhere/">up</a>' in page


def test_a_bundles_own_markdown_file_is_an_ordinary_link(tmp_path, capsys):
    """A transcript.md kept in a bundle is one of its files, published as it is, not an article."""
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE,
                                          "content/talk/index.md": article(body="The [transcript](transcript.md)."),
                                          "content/talk/transcript.md": "Just text.\n"})
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 0, err
    assert '<a href="transcript.md">transcript</a>' in (site / "output/2020/01/talk/index.html").read_text()


def test_a_summary_links_too_and_each_link_keeps_its_line_and_query(tmp_path, capsys):
    site = digest(tmp_path / "site")
    (site / "content/2020/follow.md").write_text(article(
        "Follow", "2020-01-02", "First line,\nsecond line with [Macron](../2019/macron/?from=follow#comments)\nand "
        "[gone](gone.md).", summary="After [Macron](../2019/macron/)."))
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 1 and err.startswith("content/2020/follow.md:8: the link 'gone.md' leads nowhere"), err
    (site / "content/2020/follow.md").write_text(article(
        "Follow", "2020-01-02", "Second line with [Macron](../2019/macron/?from=follow#comments).",
        summary="After [Macron](../2019/macron/)."))
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 0, err
    out = site / "output"
    assert '<a href="/d/2019/11/macron-speaks/?from=follow#comments">' in (out / "2020/01/follow/index.html").read_text()
    assert 'After <a href="/d/2019/11/macron-speaks/">Macron</a>.' in (out / "index.html").read_text()
