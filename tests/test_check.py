"""`sitegen check` reports every error in the content, then everything broken in the built
site (links, assets, fragments, feeds, sitemap, the GitHub Pages files), each naming the file and
the link; it passes the example digest and writes nothing."""

from __future__ import annotations

import pytest

from conftest import REPO, article, run_sitegen, write_site
from sitegen.check import inspect_output, parse_page, text_directives
from sitegen.model.types import SiteConfig

PROJECT_SITE = "title: T\nbase_url: https://user.github.io/digest/\ntimezone: UTC\n"


def test_the_example_digest_passes(capsys):
    code, out, err = run_sitegen(["check", "--source", REPO], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("checked 28 HTML pages, ") and out.endswith("no problems\n")


def test_the_example_digest_passes_under_a_domains_root(capsys):
    code, _, err = run_sitegen(["check", "--source", REPO, "--base-url", "https://digest.example.org/"], capsys)
    assert (code, err) == (0, "")


def test_a_broken_link_a_missing_asset_and_a_missing_fragment_are_each_named(tmp_path, capsys):
    # Not in the first paragraph, which is the summary lists and feeds show (see the test below).
    body = ("The summary.\n\nSee [the next one](/digest/2020/01/nowhere/), the ![picture](missing.png) and "
            "[a comment](#comment-nobody); [the first comment](#comment-c1) is there.\n\n"
            "![Plan](plan.png)")
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": PROJECT_SITE,
        "content/a/index.md": article("A", body=body),
        "content/a/comments.yaml": "- body: First!\n",
        "content/a/plan.png": b"\x89PNG",
    })
    code, out, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 1 and out == ""
    lines = err.splitlines()
    page = "2020/01/a/index.html"
    assert any(l.startswith(f"{page}:") and "broken link <a href> '/digest/2020/01/nowhere/'" in l
               and "nothing is published at /digest/2020/01/nowhere/" in l for l in lines), err
    assert any(l.startswith(f"{page}:") and "missing asset <img src> 'missing.png'" in l
               and "nothing is published at /digest/2020/01/a/missing.png" in l for l in lines), err
    assert any(l.startswith(f"{page}:") and "broken fragment <a href> '#comment-nobody'" in l
               and "no element with id 'comment-nobody'" in l for l in lines), err
    assert not any("plan.png" in l or "comment-c1" in l for l in lines)
    assert len([l for l in lines if l.startswith("feed.xml: ")]) == 3, "the feed carries the article's links"
    assert lines[-1].startswith("check failed: 6 problems in the built site")
    assert not (site / "output").exists(), "check writes nothing"


def test_relative_links_in_the_first_paragraph_work_where_the_summary_is_shown(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a/index.md": article(body="See ![the plan](plan.png)."),
                                          "content/a/plan.png": b"\x89PNG"})
    code, _, err = run_sitegen(["check", "--source", site], capsys)
    assert (code, err) == (0, "")


def test_every_line_has_the_page_and_its_line(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article(body="[x](/nowhere/)")})
    _, _, err = run_sitegen(["check", "--source", site], capsys)
    first = err.splitlines()[0]
    path, line, message = first.split(":", 2)
    assert path == "2020/01/a/index.html" and int(line) > 1 and "'/nowhere/'" in message


def test_a_missing_image_is_a_missing_asset(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article(body="![Plan](/gone.png)")})
    code, _, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 1 and "missing asset <img src> '/gone.png': nothing is published at /gone.png" in err


def test_links_that_leave_the_base_path_and_text_fragments_not_on_the_page(tmp_path, capsys):
    body = ("[Up](../../../../elsewhere/) and [root](/other/) and "
            "[quote](/digest/2020/01/a/#:~:text=Nothing%20like%20this) and "
            "[good quote](/digest/2020/01/a/#:~:text=a%20sentence%20that,is%20here) "
            "and a sentence that is here. [Away](https://example.org/x/) [mail](mailto:a@example.org)")
    site = write_site(tmp_path / "site", {"sitegen.yaml": PROJECT_SITE, "content/a.md": article(body=body)})
    code, _, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 1
    assert "<a href> '../../../../elsewhere/' leaves the site: /elsewhere/ is outside the base path /digest/" in err
    assert "<a href> '/other/' leaves the site: /other/ is outside the base path /digest/" in err
    assert "text fragment <a href> '/digest/2020/01/a/#:~:text=Nothing%20like%20this': /digest/2020/01/a/ " \
           "has no text 'Nothing like this'" in err
    assert "good quote" not in err and "a%20sentence" not in err
    assert "example.org" not in err and "mailto" not in err
    assert len([l for l in err.splitlines() if l.startswith("2020/01/a/index.html:")]) == 3


def test_a_link_written_with_the_sites_host_but_outside_its_path_is_another_sites(tmp_path, capsys):
    """On user.github.io/digest/, https://user.github.io/blog/ is the same person's other project:
    a commenter's website, a link in a comment or an article, not a link that lost its base path."""
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": PROJECT_SITE,
        "content/a.md": article(body="See [my other project](https://user.github.io/other/)."),
        "content/a.comments.yaml": "- id: c1\n  author: x\n  url: https://user.github.io/x/\n"
                                   "  body: Mine is [here](https://user.github.io/blog/), [there](/blog/)\n"})
    code, _, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 1 and "https://user.github.io" not in err
    assert "<a href> '/blog/' leaves the site: /blog/ is outside the base path /digest/" in err


def test_a_404_page_with_relative_links_fails(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": PROJECT_SITE,
        "content/a.md": article(),
        "layouts/404.html": '{% extends "theme/404.html" %}{% block main %}<a href="tags/">Tags</a>'
                            '<a href="#main">top</a><a href="/digest/archive/">Archive</a>{% endblock %}',
    })
    code, _, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 1
    problems = [l for l in err.splitlines() if not l.startswith("check failed")]
    assert len(problems) == 1 and problems[0].startswith("404.html:")
    assert "<a href> 'tags/' is relative, but GitHub Pages serves 404.html at any missing address" in problems[0]


def test_a_cname_that_is_not_base_urls_host(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: T\nbase_url: https://user.github.io/digest/\ncname: digest.example.org\n",
        "content/a.md": article(),
    })
    code, _, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 1
    assert "CNAME:1: names digest.example.org, but base_url is on user.github.io" in err
    code, _, err = run_sitegen(["check", "--source", site, "--base-url", "https://digest.example.org/"], capsys)
    assert (code, err) == (0, "")


def test_content_errors_are_all_reported_and_the_site_is_not_checked(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article(date="soon"), "content/b.md": "no front matter\n"})
    code, out, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("content/a.md:3: date: 'soon' is not a date")
    assert lines[1].startswith("content/b.md:1: no front matter")
    assert lines[-1] == "check failed: 2 errors in the content; the site was not built"
    assert not (site / "output").exists()


def test_drafts_are_checked_only_with_drafts(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article(draft=True, body="[x](/nowhere/)")})
    assert run_sitegen(["check", "--source", site], capsys)[0] == 0
    assert run_sitegen(["check", "--source", site, "--drafts"], capsys)[0] == 1


def test_not_a_site_is_a_usage_error(tmp_path, capsys):
    code, _, err = run_sitegen(["check", "--source", tmp_path], capsys)
    assert code == 2 and "is not a site" in err


def test_help_has_examples(capsys):
    code, out, _ = run_sitegen(["check", "--help"], capsys)
    assert code == 0 and "examples:" in out and "sitegen check --base-url" in out


def test_a_problem_on_every_page_is_shown_a_few_times_then_counted(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "content/a.md": article(),
        "layouts/base.html": '{% extends "theme/base.html" %}{% block head %}<script src="/gone.js"></script>'
                             "{% endblock %}",
    })
    code, _, err = run_sitegen(["check", "--source", site], capsys)
    lines = err.splitlines()
    assert code == 1 and len([l for l in lines if "'/gone.js'" in l]) == 3
    assert "  ... and the same on " in err and "check failed:" in lines[-1]


# The output inspected directly: files as a build makes them, for what a build cannot be made to write.

CONFIG = SiteConfig(title="T", base_url="https://example.org/", base_path="/")
PAGE = ('<!DOCTYPE html><html><head><link rel="alternate" type="application/atom+xml" href="/feed.xml">'
        '</head><body><h1 id="top-title">Hi</h1></body></html>')
SITEMAP = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           "<url><loc>https://example.org/</loc></url>{}</urlset>")
FEED = ('<feed xmlns="http://www.w3.org/2005/Atom"><id>https://example.org/feed.xml</id><title>T</title>'
        "<updated>2020-01-02T00:00:00+00:00</updated><author><name>T</name></author>{}</feed>")


def pages_site(**files) -> dict[str, bytes]:
    site = {"index.html": PAGE, "404.html": PAGE, ".nojekyll": "", "feed.xml": FEED.format(""),
            "sitemap.xml": SITEMAP.format(""), "robots.txt": "Sitemap: https://example.org/sitemap.xml\n"}
    site.update(files)
    return {path: text.encode() for path, text in site.items() if text is not None}


def messages(files) -> list[str]:
    return [str(p) for p in inspect_output(files, CONFIG).problems]


def test_a_clean_output_has_no_problems():
    assert messages(pages_site()) == []


def test_feeds_must_be_well_formed_atom():
    assert messages(pages_site(**{"feed.xml": "<feed><title>oops</feed>"}))[0].startswith(
        "feed.xml:1: not well-formed XML: mismatched tag")
    assert messages(pages_site(**{"feed.xml": '<rss version="2.0"><channel/></rss>'})) == [
        "feed.xml: is linked as an Atom feed, but its root element is <rss>, not Atom's <feed>"]
    entry = ('<entry><id>https://example.org/a/</id><updated>yesterday</updated>'
             '<link href="https://example.org/a/#comment-c1"/></entry>')
    assert messages(pages_site(**{"feed.xml": FEED.format(entry)})) == [
        "feed.xml: entry 'https://example.org/a/' has no <title>, which Atom requires",
        "feed.xml: entry 'https://example.org/a/': <updated> 'yesterday' is not an RFC 3339 date-time",
        "feed.xml: broken link <link href> 'https://example.org/a/#comment-c1': nothing is published at /a/",
    ]


def test_links_in_feed_content_resolve_against_xml_base():
    content = ('<entry><id>i</id><title>t</title><updated>2020-01-02T00:00:00Z</updated>'
               '<content type="html" xml:base="https://example.org/a/">&lt;a href="#note-1"&gt;1&lt;/a&gt;'
               '&lt;a href="#note-2"&gt;2&lt;/a&gt;</content></entry>')
    files = pages_site(**{"feed.xml": FEED.format(content), "a/index.html": '<p id="note-1">x</p>'})
    assert messages(files) == ["feed.xml: broken fragment <a href> in <content> '#note-2': /a/ has no element "
                               "with id 'note-2'"]


def test_sitemap_urls_must_exist_and_be_the_sites():
    extra = "<url><loc>https://example.org/gone/</loc></url><url><loc>https://elsewhere.org/</loc></url>"
    assert messages(pages_site(**{"sitemap.xml": SITEMAP.format(extra)})) == [
        "sitemap.xml: broken link <loc> 'https://example.org/gone/': nothing is published at /gone/",
        "sitemap.xml: <loc> 'https://elsewhere.org/' is not under the site's base_url https://example.org/",
    ]
    assert messages(pages_site(**{"robots.txt": "Sitemap: https://example.org/map.xml\n"})) == [
        "robots.txt:1: broken link Sitemap: 'https://example.org/map.xml': nothing is published at /map.xml"]


def test_github_pages_files():
    assert messages(pages_site(**{".nojekyll": None, "404.html": None})) == [
        ".nojekyll: missing: without it GitHub Pages may run Jekyll over the site, which drops files and "
        "folders whose names start with '_'",
        "404.html: missing: readers would get GitHub's own not-found page",
    ]


def test_annotation_targets_in_json_ld_resolve():
    annotations = '{"items": [{"target": "https://example.org/#comment-gone"}, {"id": "https://example.org/x.jsonld#p1"}]}'
    files = pages_site(**{"x.jsonld": annotations})
    assert messages(files) == ["x.jsonld: broken fragment URL 'https://example.org/#comment-gone': / has no element "
                               "with id 'comment-gone'"]


def test_duplicate_ids_and_stylesheet_urls():
    files = pages_site(**{"index.html": '<p id="x">1</p>\n<p id="x">2</p><a href="#x">x</a>',
                          "style.css": "body {\n  background: url('/bg.png');\n}\n"})
    assert messages(files) == [
        "index.html:2: id 'x' is used twice on this page (first on line 1), so a link to #x is ambiguous",
        "style.css:2: missing asset url() '/bg.png': nothing is published at /bg.png",
    ]


def test_a_folder_without_its_slash_and_top_resolve():
    files = pages_site(**{"index.html": '<a href="/tags">t</a><a href="#top">top</a><a href="/tags/#top">t</a>',
                          "tags/index.html": "<p>tags</p>"})
    assert messages(files) == []


@pytest.mark.parametrize("directive,texts", [
    ("text=capable%20of", [["capable of"]]),
    ("text=start,end", [["start", "end"]]),
    ("text=before-,start,-after", [["start"]]),
    ("text=a%2C%20b&text=c", [["a, b"], ["c"]]),
    ("", []),
])
def test_text_directives(directive, texts):
    assert text_directives(directive) == texts


def test_page_text_folds_whitespace_and_skips_what_is_not_shown():
    page = parse_page("<head><title>Hidden title</title><style>p{}</style></head>"
                      "<body><p>One\n  <em>two</em></p><p>three</p><script>var x</script></body>")
    assert page.text == "one two three"


def test_a_url_no_browser_can_follow_is_a_problem_not_a_crash(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article(body='<a href="http://[oops/">odd</a>')})
    code, _, err = run_sitegen(["check", "--source", site], capsys)
    assert code == 1 and "not a URL" in err and "Traceback" not in err
