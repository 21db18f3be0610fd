"""`sitegen new` makes a site that builds and passes `sitegen check` at once, and dated
article bundles in it; the GitHub Pages workflows (this repo's and every new site's) are valid."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO, run_sitegen
from sitegen.scaffold import article_bundle, create_article, create_site, pip_requirement

SCAFFOLD_FILES = REPO / "sitegen" / "scaffold" / "files"
WORKFLOWS = [REPO / ".github/workflows/pages.yml", SCAFFOLD_FILES / "pages.yml"]


@pytest.fixture
def new_site(tmp_path, capsys) -> Path:
    code, out, err = run_sitegen(["new", tmp_path / "my-digest"], capsys)
    assert code == 0, err
    assert out.startswith(f"made a site in {tmp_path / 'my-digest'}: sitegen.yaml, content/")
    return tmp_path / "my-digest"


def test_a_new_site_builds_cleanly_and_passes_check(new_site, capsys):
    code, out, err = run_sitegen(["build", "--source", new_site], capsys)
    assert (code, err) == (0, ""), "no error and no warning: the scaffold is valid per docs/format.md"
    assert out.startswith("built 1 article, 3 comments")
    code, out, err = run_sitegen(["check", "--source", new_site], capsys)
    assert (code, err) == (0, "")
    code, _, err = run_sitegen(["check", "--source", new_site, "--base-url", "https://me.github.io/my-digest"], capsys)
    assert (code, err) == (0, "")


def test_a_new_site_has_its_files(new_site):
    made = {p.relative_to(new_site).as_posix() for p in new_site.rglob("*") if p.is_file()}
    bundle = article_bundle("Welcome to your digest", datetime.now(ZoneInfo("UTC")).date())
    assert made == {"sitegen.yaml", ".gitignore", ".github/workflows/pages.yml", "requirements.txt",
                    f"{bundle}/index.md", f"{bundle}/comments.yaml"}
    config = yaml.safe_load((new_site / "sitegen.yaml").read_text())
    assert config["title"] == "My digest" and config["base_url"] == "https://example.github.io/my-digest/"
    ignored = (new_site / ".gitignore").read_text().splitlines()
    assert {"/output/", ".sitegen-cache/", "__pycache__/"} <= set(ignored)
    assert (new_site / ".github/workflows/pages.yml").read_bytes() == (SCAFFOLD_FILES / "pages.yml").read_bytes()


def test_the_first_article_shows_a_thread_and_notes(new_site, capsys):
    run_sitegen(["build", "--source", new_site], capsys)
    page = next((new_site / "output").glob("*/*/welcome-to-your-digest/index.html"))
    soup = BeautifulSoup(page.read_text(), "html.parser")
    assert [li["id"] for li in soup.select("li.comment")] == ["comment-first-reader", "comment-second-reader",
                                                              "comment-third-reader"]
    assert soup.select_one("mark#passage-1").get_text() == "a note pinned to a passage"
    assert len(soup.select("aside.note")) == 2


def test_title_and_base_url_can_be_given(tmp_path, capsys):
    code, _, err = run_sitegen(["new", tmp_path / "d", "--title", 'Our "Digest": 2', "--base-url",
                                "https://me.github.io/d"], capsys)
    assert code == 0, err
    config = yaml.safe_load((tmp_path / "d/sitegen.yaml").read_text())
    assert config["title"] == 'Our "Digest": 2' and config["base_url"] == "https://me.github.io/d/"
    code, _, err = run_sitegen(["new", tmp_path / "e", "--base-url", "ftp://x/"], capsys)
    assert code == 2 and "base_url: expected an absolute http:// or https:// URL" in err
    assert not (tmp_path / "e").exists()


def test_a_fresh_clone_gets_a_site_and_keeps_its_files(tmp_path, capsys):
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / "README.md").write_text("# My digest\n")
    (clone / ".gitignore").write_text("*.pyc\n__pycache__/\n")
    code, out, err = run_sitegen(["new", clone], capsys)
    assert code == 0, err
    assert (clone / "README.md").read_text() == "# My digest\n"
    assert (clone / ".gitignore").read_text().startswith("*.pyc\n__pycache__/\n\n# sitegen\n/output/\n")
    assert (clone / ".gitignore").read_text().count("__pycache__/") == 1


def test_a_site_is_never_overwritten(new_site, capsys):
    before = (new_site / "sitegen.yaml").read_text()
    code, out, err = run_sitegen(["new", new_site], capsys)
    assert code == 1 and out == ""
    assert err == f"sitegen: {new_site / 'sitegen.yaml'} already exists; nothing was written\n"
    assert (new_site / "sitegen.yaml").read_text() == before
    (new_site / "file").write_text("")
    assert run_sitegen(["new", new_site / "file"], capsys)[0] == 1


def test_new_article_makes_a_dated_bundle_on_the_home_page(new_site, capsys, monkeypatch):
    (new_site / "sitegen.yaml").write_text((new_site / "sitegen.yaml").read_text()
                                           .replace("timezone: UTC", "timezone: Pacific/Kiritimati"))
    monkeypatch.chdir(new_site)
    code, out, err = run_sitegen(["new", "article", "Macron answers: «Non»"], capsys)
    assert code == 0, err
    today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()  # UTC+14: often not the machine's day
    bundle = new_site / f"content/{today:%Y}/{today.isoformat()}-macron-answers-non"
    assert out == f"made {bundle.relative_to(new_site)}/index.md, with an empty thread in comments.yaml beside it\n"
    assert yaml.safe_load((bundle / "index.md").read_text().split("---")[1]) == {
        "title": "Macron answers: «Non»", "date": today, "tags": []}
    assert yaml.safe_load((bundle / "comments.yaml").read_text()) == []
    code, _, err = run_sitegen(["build"], capsys)
    assert (code, err) == (0, "")
    home = BeautifulSoup((new_site / "output/index.html").read_text(), "html.parser")
    assert "Macron answers: «Non»" in [a.get_text() for a in home.select(".entry-title a")]
    assert run_sitegen(["check"], capsys)[0] == 0


def test_new_article_with_source(new_site, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_sitegen(["new", "article", "Second", "--source", new_site], capsys)
    assert code == 0, err
    assert len(list((new_site / "content").glob("*/*-second/index.md"))) == 1


def test_new_article_refuses_to_overwrite(new_site, capsys):
    args = ["new", "article", "Twice", "--source", new_site]
    assert run_sitegen(args, capsys)[0] == 0
    index = next((new_site / "content").glob("*/*-twice/index.md"))
    index.write_text(index.read_text() + "My words.\n")
    code, out, err = run_sitegen(args, capsys)
    assert code == 1 and out == ""
    assert err.startswith("sitegen: ") and err.endswith("-twice/index.md already exists; nothing was written\n")
    assert index.read_text().endswith("My words.\n")


@pytest.mark.parametrize("args,message", [
    (["new", "article"], "give the article's title"),
    (["new", "article", "  "], "an article needs a title"),
    (["new", "article", "T", "--title", "X"], "--title, --base-url and --language are for a new site"),
    (["new", "somewhere", "T"], "sitegen new somewhere makes a site; to make an article"),
])
def test_usage_errors_exit_2(args, message, new_site, capsys):
    code, _, err = run_sitegen([*args, "--source", new_site] if args[1] == "article" else args, capsys)
    assert code == 2 and message in err


def test_new_article_outside_a_site_is_a_usage_error(tmp_path, capsys):
    code, _, err = run_sitegen(["new", "article", "T", "--source", tmp_path], capsys)
    assert code == 2 and "is not a site: it has no sitegen.yaml" in err
    assert list(tmp_path.iterdir()) == []


def test_new_article_waits_for_a_valid_sitegen_yaml(new_site, capsys):
    (new_site / "sitegen.yaml").write_text("title: T\nbase_url: https://example.org/\ntimezone: Mars/Olympus\n")
    code, _, err = run_sitegen(["new", "article", "T", "--source", new_site], capsys)
    assert code == 1 and "sitegen.yaml:3: timezone:" in err and "fix them first" in err


def test_an_article_is_dated_by_the_day_it_is_given(tmp_path):
    (tmp_path / "content").mkdir()
    bundle = create_article(tmp_path, "INF Treaty", date(2019, 11, 28))
    assert bundle == "content/2019/2019-11-28-inf-treaty"
    assert "date: 2019-11-28\n" in (tmp_path / bundle / "index.md").read_text()


def test_help_has_examples(capsys):
    code, out, _ = run_sitegen(["new", "--help"], capsys)
    assert code == 0 and "examples:" in out and "sitegen new article" in out


@pytest.mark.parametrize("direct_url,checkout,expected", [
    (None, None, "sitegen-digest==1.2.0"),  # from a package index
    ({"url": "https://github.com/o/sitegen", "vcs_info": {"vcs": "git", "commit_id": "abc"}}, None,
     "sitegen-digest @ git+https://github.com/o/sitegen@abc"),
    ({"url": "ssh://git@github.com/o/sitegen", "vcs_info": {"vcs": "git", "commit_id": "abc"}}, None,
     "sitegen-digest @ git+https://github.com/o/sitegen@abc"),  # the runner has no ssh key
    ({"url": "https://example.org/sitegen-1.2.0.tar.gz", "archive_info": {}}, None,
     "sitegen-digest @ https://example.org/sitegen-1.2.0.tar.gz"),
    ({"url": "file:///home/me/sitegen", "dir_info": {"editable": True}}, ("git@github.com:o/sitegen.git", "abc"),
     "sitegen-digest @ git+https://github.com/o/sitegen.git@abc"),
    (None, ("https://github.com/o/sitegen", "abc"), "sitegen-digest @ git+https://github.com/o/sitegen@abc"),
    (None, ("ssh://git@example.org/o/sitegen.git", None), "sitegen-digest @ git+https://example.org/o/sitegen.git"),
    ({"url": "file:///home/me/sitegen", "dir_info": {}}, (None, "abc"), None),  # a checkout with no remote
    (None, ("/srv/git/sitegen", "abc"), None),  # a remote that is a local path
    (None, ("https://me:ghp_secret@github.com/o/sitegen.git", "abc"), "sitegen-digest @ git+https://github.com/o/sitegen.git@abc"),
    ({"url": "file:///tmp/sitegen-1.2.0.tar.gz", "archive_info": {}}, None, None),
])
def test_requirements_name_a_sitegen_that_githubs_runner_can_install(direct_url, checkout, expected):
    assert pip_requirement(direct_url, checkout, "1.2.0") == expected


def test_requirements_txt_is_written(tmp_path):
    site = create_site(tmp_path / "s", date(2024, 5, 1))
    text = (tmp_path / "s/requirements.txt").read_text()
    if site.requirement is None:
        assert "Write where pip can get it" in text
    else:
        assert text.splitlines()[-1] == site.requirement


@pytest.mark.parametrize("path", WORKFLOWS, ids=["repo", "scaffold"])
def test_the_pages_workflow_is_valid_and_deploys_with_githubs_actions(path):
    workflow = yaml.safe_load(path.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = {step["uses"].split("@")[0]: step for step in build["steps"] + deploy["steps"] if "uses" in step}
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= set(uses)
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "output"
    assert uses["actions/upload-pages-artifact"]["with"]["include-hidden-files"] is True  # .nojekyll
    assert "actions/deploy-pages" in [s["uses"].split("@")[0] for s in deploy["steps"] if "uses" in s]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    assert uses["actions/deploy-pages"]["id"] == "deployment"
    runs = [step for step in build["steps"] if "run" in step]
    configure = [s.get("id") for s in build["steps"] if s.get("uses", "").startswith("actions/configure-pages")]
    for command in ("sitegen check", "sitegen build"):
        step = next(s for s in runs if s["run"].startswith(command))
        assert step["run"] == f'{command} --base-url "$BASE_URL"'
        assert step["env"]["BASE_URL"] == f"${{{{ steps.{configure[0]}.outputs.base_url }}}}"
    order = [s.get("uses", s.get("run", "")).split("@")[0].split(" --")[0] for s in build["steps"]]
    assert order.index("sitegen check") < order.index("sitegen build") < order.index("actions/upload-pages-artifact")
    # CI builds warm: the build cache is kept between runs, under a key that changes with sitegen.
    cache = uses["actions/cache"]["with"]
    assert cache["path"] == ".sitegen-cache" and cache["key"].endswith("-${{ github.sha }}")
    assert cache["key"].startswith(cache["restore-keys"]) and ("sitegen" in cache["restore-keys"])
    assert order.index("actions/cache") < order.index("sitegen check")


def test_the_repos_workflow_runs_the_tests_before_publishing():
    """With the README's test command, as .ci/run does, but with the browser GitHub's runner image
    has (its chromium is a snap): every browser and tool test must run there, none skipped."""
    steps = yaml.safe_load(WORKFLOWS[0].read_text())["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    test_command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    assert test_command in readme and test_command in (REPO / ".ci/run").read_text()
    tests = runs.index(test_command)
    assert tests < next(i for i, r in enumerate(runs) if r.startswith("sitegen build"))
    assert steps[tests]["env"] == {"SITEGEN_CHROMIUM": "/usr/bin/google-chrome", "SITEGEN_REQUIRE_BROWSER": "1",
                                   "SITEGEN_REQUIRE_TOOLS": "1"}
    assert "chromium" not in " ".join(runs)


def test_the_theme_scaffold_and_catalogs_are_package_data():
    """A wheel install must carry every file of the theme, the catalogs and what `sitegen new`
    copies: the patterns, expanded as setuptools expands them (a glob of files), hold them all."""
    package = REPO / "sitegen"
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["sitegen"]
    shipped = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    wanted = [path for folder in ("scaffold/files", "theme", "serve") for path in (package / folder).rglob("*")
              if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts]
    assert len(wanted) > 60
    assert [path.relative_to(package).as_posix() for path in wanted if path not in shipped] == []
