"""Every file or folder name a build makes from its input fits the file systems sitegen's users
publish from (255 bytes a name; Windows' characters and device names; macOS's and Windows'
blindness to capitals), and `build`, `check` and `serve` refuse the same names with the same
message naming the file, before anything is written."""

from __future__ import annotations

import html
import urllib.error
import urllib.request

import pytest

from conftest import article, running_preview, run_sitegen, write_site

SITE = "title: T\nbase_url: https://example.org/\nsearch: false\n"


def refusals(site, capsys) -> dict[str, list[str]]:
    """What build and check each say is wrong, and what the preview's error page shows."""
    said = {}
    for command in ("build", "check"):
        code, _, stderr = run_sitegen([command, "--source", site], capsys)
        assert code == 1, stderr
        said[command] = [line for line in stderr.splitlines() if line.startswith("content/")]
    assert not (site / "output").exists()
    with running_preview(site) as preview:
        try:
            page = urllib.request.urlopen(preview.url, timeout=10).read()
        except urllib.error.HTTPError as failed:  # the error page
            page = failed.read()
        said["serve"] = [html.unescape(page.decode("utf-8")), *preview.log]
    return said


def test_a_slug_too_long_for_a_folder_is_an_error_at_its_line(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE, "content/a.md": article(slug="s" * 300)})
    code, _, stderr = run_sitegen(["build", "--source", site], capsys)
    assert code == 1 and "Traceback" not in stderr
    assert stderr.splitlines()[0] == ("content/a.md:4: slug: 300 characters; a slug becomes a folder's name, which "
                                      "file systems keep short: at most 200")
    code, _, stderr = run_sitegen(["check", "--source", site], capsys)
    assert code == 1 and "slug: 300 characters" in stderr


@pytest.mark.parametrize("name,permalink,why", [
    ("s" * 100, "/{slug}-{slug}-{slug}/", "is 302 bytes long, and a file or folder name holds at most 255"),
    ("con", "/{slug}/", "is not a name Windows can hold"),
    ("notes.", "/{slug}/", "is not a name Windows can hold"),
])
def test_a_name_no_file_system_of_ours_holds_is_refused_by_build_check_and_serve(tmp_path, capsys, name, permalink,
                                                                                  why):
    """A file name that Linux holds but another system does not (the article's default slug), or a
    permalink that makes a name longer than any holds."""
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE + f'permalink: "{permalink}"\n',
                                          f"content/{name}.md": article()})
    said = refusals(site, capsys)
    assert said["build"] == said["check"] and len(said["build"]) == 1, said
    assert said["build"][0].startswith(f"content/{name}.md: cannot be written: ") and why in said["build"][0]
    assert why in said["serve"][0], "the preview's page says it"


def test_two_names_that_differ_in_capitals_only_are_one_on_macos_and_windows(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE, "content/a.md": article(slug="Macron"),
                                          "content/b.md": article("B", slug="macron")})
    code, _, stderr = run_sitegen(["build", "--source", site], capsys)
    assert code == 1
    assert "differ only in capitals, which macOS and Windows do not tell apart" in stderr
    assert not (site / "output").exists()


def test_a_commenter_or_tag_with_a_windows_device_name_gets_a_folder_windows_holds(tmp_path, capsys):
    """Handles come from the public: "Con" must not stop the build, as a file named so would."""
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE, "content/a.md": article(tags=["AUX", "Nul"]),
                                          "content/a.comments.yaml": "- author: Con\n  body: Hello.\n"})
    code, _, stderr = run_sitegen(["build", "--source", site], capsys)
    assert code == 0, stderr
    folders = {path.name for path in (site / "output/people").iterdir()} | \
        {path.name for path in (site / "output/tags").iterdir()}
    assert {name.split("-")[0] for name in folders if "-" in name} >= {"con", "aux", "nul"}
    assert not folders & {"con", "aux", "nul"}


def test_each_bundle_file_that_cannot_be_written_is_named(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"sitegen.yaml": SITE, "content/a/index.md": article(),
                                          "content/a/aux.png": b"x", "content/a/b:c.png": b"y"})
    code, _, stderr = run_sitegen(["build", "--source", site], capsys)
    assert code == 1
    named = sorted(line.split(":")[0] for line in stderr.splitlines() if "cannot be written" in line)
    assert named == ["content/a/aux.png", "content/a/b"], stderr
