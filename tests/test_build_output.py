"""What `sitegen build` promises about its output: deterministic, atomic, confined, overridable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, article, run_sitegen, tree_bytes, tree_stats, write_site
from sitegen.write.output import StagedOutput


def test_two_builds_are_byte_identical(tmp_path, capsys):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run_sitegen(["build", "--source", REPO, "--output", first], capsys)[0] == 0
    assert run_sitegen(["build", "--source", REPO, "--output", second], capsys)[0] == 0
    assert tree_bytes(first) == tree_bytes(second)


def test_build_in_another_process_and_timezone_gives_the_same_bytes(tmp_path, capsys):
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    assert run_sitegen(["build", "--source", REPO, "--output", mine], capsys)[0] == 0
    env = {**os.environ, "TZ": "America/Los_Angeles", "LC_ALL": "C", "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "sitegen", "build", "--source", REPO, "--output", theirs],
                   check=True, env=env, capture_output=True)
    assert tree_bytes(mine) == tree_bytes(theirs)


def test_a_failing_build_leaves_the_previous_output_untouched(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article("Good")})
    out = tmp_path / "output"
    assert run_sitegen(["build", "--source", site, "--output", out], capsys)[0] == 0
    before_bytes, before_stats = tree_bytes(out), tree_stats(out)

    (site / "content/a.md").write_text(article("Broken", date="2020-02-30"))
    code, _, stderr = run_sitegen(["build", "--source", site, "--output", out], capsys)
    assert code == 1
    assert "content/a.md:3: date: '2020-02-30' is not a date" in stderr
    assert tree_bytes(out) == before_bytes and tree_stats(out) == before_stats
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output", "site"], "no staging folder is left behind"


def test_a_write_that_fails_midway_leaves_the_previous_output_untouched(tmp_path):
    out = tmp_path / "output"
    first = StagedOutput(out)
    first.put("index.html", "", b"old")
    first.commit(True, {})
    before = tree_stats(out)
    second = StagedOutput(out)
    second.put("a.html", "", b"new")
    with pytest.raises(FileNotFoundError):
        second.copy("b/photo.jpg", "", tmp_path / "vanished.jpg")  # what the build does on any failure:
    second.abort()
    assert tree_bytes(out) == {"index.html": b"old"} and tree_stats(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_output_may_not_be_the_site_or_inside_its_content(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article()})
    for target in (site, site / "content" / "out", tmp_path):
        code, _, stderr = run_sitegen(["build", "--source", site, "--output", target], capsys)
        assert code == 2 and "choose a folder" in stderr
    assert (site / "content/a.md").exists()


def test_nothing_is_written_outside_the_output_folder(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "content/a.md": article("Escape", tags=["../../../../etc", "..", "/abs"], slug="fine"),
        "content/b/index.md": article("Bundle", date="2020-01-03"),
        "content/b/..hidden.txt": "dots",
        "content/b/sub/file.txt": "nested asset",
    })
    out = tmp_path / "deep" / "output"
    assert run_sitegen(["build", "--source", site, "--output", out], capsys)[0] == 0
    everything = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    outside = {p for p in everything if not p.startswith(("deep/output/", "site/"))}
    assert outside == set()
    assert (out / "2020/01/b/sub/file.txt").read_text() == "nested asset"


def test_a_site_template_overrides_the_theme_one_file_at_a_time(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "content/a.md": article("Extra", colour="teal", mood="calm"),
        "layouts/article.html": ('{% extends "theme/article.html" %}\n'
                                 '{% block title %}[{{ article.extra.colour }}] {{ super() }}{% endblock %}\n'),
        "layouts/static/custom.css": "body { color: teal }\n",
        "layouts/static/style.css": "/* the site's own */\n",
    })
    out = tmp_path / "output"
    assert run_sitegen(["build", "--source", site, "--output", out], capsys)[0] == 0
    html = (out / "2020/01/a/index.html").read_text()
    assert "<title>[teal] Extra · Test</title>" in html
    assert (out / "custom.css").read_text() == "body { color: teal }\n"
    assert (out / "style.css").read_text() == "/* the site's own */\n"
    assert "<ol class=\"entries\">" in (out / "index.html").read_text(), "home.html still comes from the theme"


def test_drafts_are_built_only_when_asked(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article("Draft", draft=True),
                                          "content/b.md": article("Published")})
    out = tmp_path / "output"
    assert run_sitegen(["build", "--source", site, "--output", out], capsys)[0] == 0
    assert not (out / "2020/01/a").exists() and (out / "2020/01/b/index.html").exists()
    assert run_sitegen(["build", "--source", site, "--output", out, "--drafts"], capsys)[0] == 0
    assert (out / "2020/01/a/index.html").exists()


def test_base_url_on_the_command_line_wins(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article()})
    out = tmp_path / "output"
    code, _, _ = run_sitegen(["build", "--source", site, "--output", out,
                              "--base-url", "https://user.github.io/project"], capsys)
    assert code == 0
    html = (out / "2020/01/a/index.html").read_text()
    assert 'href="/project/style.css"' in html and 'href="https://user.github.io/project/2020/01/a/"' in html


def test_a_reply_chain_of_any_length_builds(tmp_path, capsys):
    """A thousand replies each answering the one before: listed at a capped depth, each saying whom it answers."""
    from sitegen.render.views import MAX_NESTING
    chain = "".join(f"- id: r{n}\n  body: Reply {n}\n" + (f"  parent: r{n - 1}\n" if n else "") for n in range(1000))
    site = write_site(tmp_path / "site", {"content/a.md": article(), "content/a.comments.yaml": chain})
    code, _, err = run_sitegen(["build", "--source", site, "--output", tmp_path / "out"], capsys)
    assert code == 0, err
    soup = BeautifulSoup((tmp_path / "out/2020/01/a/index.html").read_text(), "html.parser")
    comments = soup.select("li.comment")
    assert [c["id"] for c in comments] == [f"comment-r{n}" for n in range(1000)]
    deepest = max(len(c.find_parents("li", class_="comment")) for c in comments)
    assert deepest == MAX_NESTING
    assert soup.select_one("#comment-r500 .comment-reply-to a")["href"] == "#comment-r499"


def nested_thread(depth: int) -> str:
    return "".join("  " * n + f"- id: r{n}\n" + "  " * n + "  body: x\n" + "  " * n + "  replies:\n"
                   for n in range(depth)) + "  " * depth + "- body: end\n"


def test_yaml_nested_too_deeply_is_one_error_not_a_crash(tmp_path, capsys):
    """Only the error: a note on one of its comments is not said to name no comment as well."""
    site = write_site(tmp_path / "site", {
        "content/a.md": article(annotations=[{"comment": "r3", "note": "A note."}]),
        "content/a.comments.yaml": nested_thread(400)})
    code, _, err = run_sitegen(["build", "--source", site, "--output", tmp_path / "out"], capsys)
    assert code == 1 and err.splitlines()[0].startswith("content/a.comments.yaml: YAML: nested too deeply")
    assert err.splitlines()[1].startswith("build failed: 1 error")


def test_replies_nested_a_hundred_levels_deep_build(tmp_path, capsys):
    """What docs/format.md promises of the nested form."""
    site = write_site(tmp_path / "site", {"content/a.md": article(), "content/a.comments.yaml": nested_thread(100)})
    code, _, err = run_sitegen(["build", "--source", site, "--output", tmp_path / "out"], capsys)
    assert code == 0, err


@pytest.mark.parametrize("date,expected", [
    ("9999-12-31T23:59:00+00:00", "is not a date"),
    ("0001-01-01 00:00", "is not a date"),
])
def test_dates_at_the_ends_of_the_calendar_are_errors_not_crashes(tmp_path, capsys, date, expected):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: T\nbase_url: https://example.org/\ntimezone: Asia/Tokyo\n",
        "content/a.md": article(date=date),
        "content/b.md": article(date="2020-01-01"),
        "content/b.comments.yaml": f"- date: {date}\n  body: x\n",
    })
    code, _, err = run_sitegen(["build", "--source", site, "--output", tmp_path / "out"], capsys)
    assert code == 1 and "Traceback" not in err
    assert err.count(expected) == 2


@pytest.mark.parametrize("pattern", ["/{slug}/}", "/{slug}/{", "/{year}}/{slug}/"])
def test_a_stray_brace_in_the_permalink_is_an_error(tmp_path, capsys, pattern):
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": f"title: T\nbase_url: https://example.org/\npermalink: \"{pattern}\"\n",
        "content/a.md": article(),
    })
    code, _, err = run_sitegen(["build", "--source", site, "--output", tmp_path / "out"], capsys)
    assert code == 1 and "sitegen.yaml:3: permalink:" in err and "Traceback" not in err


def test_a_file_where_a_page_needs_a_folder_is_an_error(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "content/a/index.md": article(),
        "content/a/comments.xml/inside.txt": "a bundle file under a folder named like the comments feed",
    })
    code, _, err = run_sitegen(["build", "--source", site, "--output", tmp_path / "out"], capsys)
    assert code == 1 and "Traceback" not in err
    assert "would write 2020/01/a/comments.xml/inside.txt, inside 2020/01/a/comments.xml" in err


def test_an_error_found_while_scanning_fails_a_build_that_changed_nothing_else(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article()})
    out = tmp_path / "out"
    assert run_sitegen(["build", "--source", site, "--output", out], capsys)[0] == 0
    (site / "content/orphan.comments.yaml").write_text("- body: no article\n")
    code, _, err = run_sitegen(["build", "--source", site, "--output", out], capsys)
    assert code == 1 and "content/orphan.comments.yaml: comment thread without its article" in err


def test_dates_follow_a_new_timezone_in_a_long_running_preview(tmp_path):
    from sitegen.build import BuildOptions, build_site
    from sitegen.cache import BuildCache
    site = write_site(tmp_path / "site", {
        "sitegen.yaml": "title: T\nbase_url: https://example.org/\ntimezone: America/New_York\n",
        "content/a.md": article(date="2019-11-28T10:00:00+03:00"),
    })
    cache = BuildCache()
    first = build_site(BuildOptions(source=site), cache)
    assert b'datetime="2019-11-28T02:00:00-05:00"' in first.files["2019/11/a/index.html"]
    (site / "sitegen.yaml").write_text("title: T\nbase_url: https://example.org/\ntimezone: Asia/Tokyo\n")
    second = build_site(BuildOptions(source=site), cache)
    assert b'datetime="2019-11-28T16:00:00+09:00"' in second.files["2019/11/a/index.html"]


def test_symbolic_links_out_of_the_site_are_not_published(tmp_path, capsys):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.txt").write_text("do not publish")
    site = write_site(tmp_path / "site", {"content/post/index.md": article(), "content/post/own.txt": "mine",
                                          "layouts/static/x.css": "x"})
    (site / "content/post/files").symlink_to(secret, target_is_directory=True)
    (site / "content/post/k.txt").symlink_to(secret / "key.txt")
    (site / "content/post/also-own.txt").symlink_to(site / "content/post/own.txt")
    (site / "layouts/static/stolen.txt").symlink_to(secret / "key.txt")
    (site / "layouts/article.html").symlink_to(secret / "key.txt")
    out = tmp_path / "out"
    code, _, err = run_sitegen(["build", "--source", site, "--output", out], capsys)
    assert code == 0, err
    published = {p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()}
    assert not any("do not publish" in text for text in published)
    assert (out / "2020/01/post/also-own.txt").read_text() == "mine", "a link inside the site is followed"
    assert "content/post/k.txt: warning: a symbolic link that leads out of content/: not read" in err


def test_a_sitegen_yaml_that_is_not_utf8_is_the_sites_error(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"sitegen.yaml": b"title: Caf\xe9\nbase_url: https://example.org/\n",
                                          "content/a.md": article()})
    code, _, err = run_sitegen(["build", "--source", site, "--output", tmp_path / "out"], capsys)
    assert code == 1 and "sitegen.yaml:1: not valid UTF-8" in err and "not a site" not in err


def test_an_absolute_picture_url_in_capitals_stays_absolute(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"content/a.md": article(image={"src": "HTTPS://cdn.example/p.jpg", "alt": "p"})})
    out = tmp_path / "out"
    assert run_sitegen(["build", "--source", site, "--output", out], capsys)[0] == 0
    html = (out / "2020/01/a/index.html").read_text()
    assert '<meta property="og:image" content="HTTPS://cdn.example/p.jpg">' in html


def test_a_rebuild_neither_follows_nor_waits_on_odd_files_left_in_the_output(tmp_path, capsys):
    import threading
    site = write_site(tmp_path / "site", {"content/a.md": article()})
    out = tmp_path / "out"
    assert run_sitegen(["build", "--source", site, "--output", out], capsys)[0] == 0
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_bytes((out / "robots.txt").read_bytes())
    (out / "robots.txt").unlink()
    (out / "robots.txt").symlink_to(elsewhere)  # the same bytes, behind a link out of the output
    (out / ".nojekyll").unlink()
    os.mkfifo(out / ".nojekyll")  # reading it would wait for a writer forever
    result = []
    build = threading.Thread(target=lambda: result.append(
        run_sitegen(["build", "--source", site, "--output", out, "--no-cache"], capsys)[0]), daemon=True)
    build.start()
    build.join(60)
    assert not build.is_alive() and result == [0]
    for name in ("robots.txt", ".nojekyll"):
        assert (out / name).is_file() and not (out / name).is_symlink(), name


def test_a_static_file_and_a_bundle_file_at_one_url_is_an_error(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "content/a/index.md": article(), "content/a/pic.txt": "the article's",
        "layouts/static/2020/01/a/pic.txt": "the layout's",
    })
    code, _, err = run_sitegen(["build", "--source", site, "--output", tmp_path / "out"], capsys)
    assert code == 1 and "would write 2020/01/a/pic.txt, which content/a/pic.txt writes too" in err


@pytest.mark.parametrize("front_matter,expected", [
    ('title: "Unclosed\ndate: 2020-01-01\ntags: [a]\n', ":2: YAML: a quote opened on this line is not closed"),
    ("title: 'Unclosed\ndate: 2020-01-01\n\ntags: [a]\nslug: x\n", ":2: YAML: a quote opened on this line is not closed"),
    ("title: T\ntags: [a, b\ndate: 2020-01-01\nslug: q\n", ":3: YAML: a list opened with [ on this line is not closed"),
    ("title: T\nsource: {name: a\ndate: 2020-01-01\n", ":3: YAML: a mapping opened with { on this line is not closed"),
    ("title: T: the sequel\ndate: 2020-01-01\n", ":2: YAML: a value with ': ' in it needs quotes"),
])
def test_a_yaml_error_is_reported_where_its_cause_opens(tmp_path, capsys, front_matter, expected):
    """PyYAML notices an unclosed quote or bracket lines later, at the end of the text; the error
    names the line where it opened, as PyYAML's context mark gives it."""
    site = write_site(tmp_path / "site", {"content/a.md": f"---\n{front_matter}---\nBody.\n"})
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 1 and err.startswith("content/a.md" + expected), err


def test_an_empty_digest_says_so_on_its_home_page(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"sitegen.yaml": "title: T\nbase_url: https://example.org/d/\nsearch: false\n",
                                          "content/.keep": ""})
    code, _, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 0, err
    home = BeautifulSoup((site / "output/index.html").read_text(), "html.parser")
    assert "There are no articles here yet." in home.select_one("main").get_text()


def test_every_page_declares_the_sites_own_icon(tmp_path, capsys):
    """Else a browser asks the host's root for /favicon.ico: outside a site under a project path."""
    site = write_site(tmp_path / "site", {"sitegen.yaml": "title: T\nbase_url: https://example.org/d/\nsearch: false\n",
                                          "content/a.md": article()})
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    for page in (site / "output").rglob("*.html"):
        icon = BeautifulSoup(page.read_text(), "html.parser").select_one('link[rel="icon"]')
        assert icon["href"] == "/d/favicon.svg", page
    assert (site / "output/favicon.svg").read_text().startswith("<svg")


def test_a_note_on_a_comment_says_whose_on_the_notes_page(tmp_path, capsys):
    site = write_site(tmp_path / "site", {
        "content/a.md": article(annotations=[{"comment": "c1", "note": "Well put."}, {"comment": "c2", "note": "?"}]),
        "content/a.comments.yaml": "- author: ada\n  body: First.\n- body: Second, anonymous.\n"})
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    notes = BeautifulSoup((site / "output/notes/index.html").read_text(), "html.parser")
    assert [p.get_text() for p in notes.select("p.note-passage")] == ["On a comment by ada", "On a comment by Anonymous"]
