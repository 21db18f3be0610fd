"""The command line as a script sees it: exit codes, help, version, messages."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import article, run_sitegen, write_site
from sitegen import __version__


def test_version(capsys):
    code, out, _ = run_sitegen(["--version"], capsys)
    assert code == 0 and out.strip() == f"sitegen {__version__}"


@pytest.mark.parametrize("command", [[], ["build"]])
def test_help_has_examples(command, capsys):
    code, out, _ = run_sitegen([*command, "--help"], capsys)
    assert code == 0 and "usage: sitegen" in out
    if command:
        assert "examples:" in out and "sitegen build --base-url" in out


@pytest.mark.parametrize("args", [[], ["bulid"], ["build", "--no-such-option"]])
def test_usage_errors_exit_2(args, capsys):
    code, _, err = run_sitegen(args, capsys)
    assert code == 2 and "usage:" in err


def test_a_folder_that_is_not_a_site_is_a_usage_error(tmp_path, capsys):
    code, _, err = run_sitegen(["build", "--source", tmp_path], capsys)
    assert code == 2
    assert "sitegen.yaml: file not found" in err and "is not a site" in err
    assert "Traceback" not in err


def test_content_errors_exit_1_with_one_line_each(tmp_path, capsys):
    site = write_site(tmp_path, {"content/a.md": article(date="soon"), "content/b.md": "no front matter\n"})
    code, out, err = run_sitegen(["build", "--source", site], capsys)
    assert code == 1 and out == ""
    assert err.splitlines()[:2] == [
        "content/a.md:3: date: 'soon' is not a date (expected YYYY-MM-DD, YYYY-MM-DD HH:MM or an ISO 8601 "
        "date-time like 2019-11-28T10:37:00+03:00)",
        "content/b.md:1: no front matter: the file must start with a '---' line, then the YAML (title:, date:, ...), "
        "then another '---' line",
    ]
    assert not (site / "output").exists()


def test_the_console_script_builds_in_the_current_folder(tmp_path):
    write_site(tmp_path, {"content/a.md": article()})
    result = subprocess.run([sys.executable, "-m", "sitegen", "build"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built 1 article, 0 comments: wrote ")
    assert (tmp_path / "output/2020/01/a/index.html").exists()
