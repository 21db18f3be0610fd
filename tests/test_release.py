"""The release as a user gets it: the sdist and wheel `python -m build` makes, installed into a fresh
virtual environment, build the example digest from outside the repository, with the theme, its
catalogs and what `sitegen new` writes all inside the package; and the version agrees everywhere.

Slow (a build in an isolated environment, then an install with its dependencies from the package
index), so it runs once, for all its checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import REPO
from sitegen import DISTRIBUTION, __version__


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv with the wheel built from a copy of the repository's files."""
    root = tmp_path_factory.mktemp("release")
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    source = root / "source"
    for name in filter(None, listed.decode().split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    dist = root / "dist"
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(source)], check=True,
                   capture_output=True, timeout=600)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    [wheel] = dist.glob("*.whl")
    subprocess.run([str(venv / "bin/pip"), "install", "--quiet", str(wheel)], check=True, timeout=600)
    return venv / "bin"


def test_the_wheel_and_sdist_are_named_for_the_index_and_carry_the_theme(installed):
    dist = installed.parent.parent / "dist"
    names = sorted(path.name for path in dist.iterdir())
    assert names == [f"sitegen_digest-{__version__}-py3-none-any.whl", f"sitegen_digest-{__version__}.tar.gz"]
    assert f"sitegen_digest-{__version__}/CHANGELOG.md" in tarfile.open(dist / names[1]).getnames()
    inside = zipfile.ZipFile(dist / names[0]).namelist()
    for wanted in ("sitegen/theme/templates/article.html", "sitegen/theme/static/style.css",
                   "sitegen/theme/locales/ar/LC_MESSAGES/sitegen.po", "sitegen/scaffold/files/ru/welcome.md",
                   "sitegen/serve/client.js"):
        assert wanted in inside


def test_the_installed_sitegen_builds_the_example_digest_from_outside_the_repository(installed, tmp_path):
    site = tmp_path / "digest"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy2(REPO / "sitegen.yaml", site / "sitegen.yaml")
    built = subprocess.run([str(installed / "sitegen"), "build"], cwd=site, capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("built 2 articles")
    checked = subprocess.run([str(installed / "sitegen"), "check"], cwd=site, capture_output=True, text=True,
                             timeout=300)
    assert checked.returncode == 0 and "no problems" in checked.stdout, checked.stderr
    made = subprocess.run([str(installed / "sitegen"), "new", str(tmp_path / "ru"), "--language", "ru"],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert "Добро пожаловать" in next((tmp_path / "ru/content").rglob("index.md")).read_text(encoding="utf-8")
    # Installed from a wheel file, which GitHub's runner cannot reach: the site is told how to name it.
    assert f"#   {DISTRIBUTION} @ git+https://github.com/OWNER/sitegen@v" in (tmp_path / "ru/requirements.txt").read_text()


def test_one_version_everywhere(installed):
    said = subprocess.run([str(installed / "sitegen"), "--version"], capture_output=True, text=True, check=True)
    assert said.stdout.strip() == f"sitegen {__version__}"
    metadata = subprocess.run([str(installed / "python"), "-c",
                               f"import importlib.metadata as m; print(m.version('{DISTRIBUTION}'))"],
                              capture_output=True, text=True, check=True)
    assert metadata.stdout.strip() == __version__
    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["name"] == DISTRIBUTION
    assert f"## {__version__}" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
