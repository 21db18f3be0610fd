"""What a pull request can put in a site's folder must never publish a hidden file, block or crash:
symbolic links to .git/config, FIFOs, sockets and devices, loops of links, a sitegen.yaml folder.

Every build runs in its own process with a timeout, so a build that would wait on a FIFO fails
the test instead of hanging it.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import article, write_site
from sitegen.load.articles import read_article_files
from sitegen.load.config import load_config
from sitegen.load.sources import ArticleSource
from sitegen.render.templates import TemplateSet

TOKEN = "ghp_the-repositorys-own-token"
GIT_CONFIG = f'[remote "origin"]\n\turl = https://x-access-token:{TOKEN}@github.com/me/digest\n'
BUNDLE = "content/2022/post"
PROGRESS = re.compile(r"(reading and rendering articles|making pages): \d+/\d+$")


@pytest.fixture
def site(tmp_path) -> Path:
    return write_site(tmp_path / "site", {
        f"{BUNDLE}/index.md": article("A post", date="2022-03-04", body="The post's body."),
        f"{BUNDLE}/own.txt": "the bundle's own file\n",
        "layouts/static/site.css": "body { color: teal }\n",
        ".git/config": GIT_CONFIG,
    })


def build(site: Path) -> tuple[int, list[str]]:
    """`sitegen build` of SITE in a process of its own: (exit code, stderr's lines)."""
    try:
        done = subprocess.run([sys.executable, "-m", "sitegen", "build", "--source", str(site)],
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the build blocked")
    assert "Traceback" not in done.stderr, done.stderr
    # A build that takes over a second (a loaded machine) reports its progress on stderr too.
    return done.returncode, [line for line in done.stderr.splitlines() if not PROGRESS.match(line)]


def published(site: Path) -> dict[str, bytes]:
    """Every file in SITE's output/ (none when no build wrote it)."""
    out = site / "output"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def assert_token_kept(site: Path, stderr: list[str]) -> None:
    """The token in .git/config is nowhere in output/, nor in what the build said."""
    assert not any(TOKEN.encode() in content for content in published(site).values())
    assert not any(TOKEN in line for line in stderr)


def failed(site: Path, *lines: str) -> list[str]:
    """stderr of a build of SITE that failed with these lines."""
    errors = sum(1 for line in lines if ": warning: " not in line)
    return [*lines, f"build failed: {errors} error{'s' if errors != 1 else ''}; {site / 'output'} was left as it was"]


def link(site: Path, relative: str, target: str) -> None:
    path = site / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.symlink_to(target)


# ---- symbolic links: nothing hidden, nothing outside content/ (layouts/) is read or published ----

HIDDEN = "a symbolic link to a hidden file: not published"
OUT_OF_CONTENT = "a symbolic link that leads out of content/: not read"


@pytest.mark.parametrize("relative,target,message", [
    (f"{BUNDLE}/notes.txt", "../../../.git/config", HIDDEN),
    (f"{BUNDLE}/files/notes.txt", "../../../../.git/config", HIDDEN),
    (f"{BUNDLE}/outside.txt", "../../../sitegen.yaml", OUT_OF_CONTENT),
    (f"{BUNDLE}/comments.yaml", "../../../.git/config", HIDDEN),
    ("content/2022/notes.md", "../../.git/config", HIDDEN),
    ("content/2022/post.comments.yaml", "../../.git/config", HIDDEN),
    ("content/hidden.md", ".drafts/hidden.md", HIDDEN),  # a hidden folder inside content/
], ids=["bundle file", "bundle subfolder", "out of content", "bundle thread", "article", "thread", "hidden in content"])
def test_a_link_to_a_hidden_file_or_out_of_content_is_skipped_with_a_warning(site, relative, target, message):
    (site / "content/.drafts").mkdir()
    (site / "content/.drafts/hidden.md").write_text(article("Hidden", body=TOKEN))
    if relative.endswith("post.comments.yaml"):
        (site / "content/2022/post.md").write_text(article("Another post"))
    link(site, relative, target)
    link(site, f"{BUNDLE}/also-own.txt", "own.txt")  # a link inside content/ is still followed
    code, stderr = build(site)
    assert (code, stderr) == (0, [f"{relative}: warning: {message}"])
    assert_token_kept(site, stderr)
    assert published(site)["2022/03/post/also-own.txt"] == b"the bundle's own file\n"


def test_a_chain_of_links_is_judged_by_where_it_ends(site):
    link(site, "content/2022/hop.txt", "../../.git/config")
    link(site, f"{BUNDLE}/chain.txt", "../hop.txt")
    code, stderr = build(site)
    assert (code, stderr) == (0, [f"content/2022/hop.txt: warning: {HIDDEN}", f"{BUNDLE}/chain.txt: warning: {HIDDEN}"])
    assert_token_kept(site, stderr)


@pytest.mark.parametrize("relative,target", [
    ("layouts/static/config.txt", "../../.git/config"),
    ("layouts/article.html", "../.git/config"),
    ("layouts/partials", "../.git"),  # a folder link: {% include %} by name must not reach through it
])
def test_layouts_links_to_hidden_files_are_neither_published_nor_rendered(site, relative, target):
    link(site, relative, target)
    if relative == "layouts/partials":
        (site / "layouts/article.html").write_text('{% extends "theme/article.html" %}'
                                                   '{% block main %}{% include "partials/config" ignore missing %}'
                                                   '{{ super() }}{% endblock %}')
    code, stderr = build(site)
    assert code == 0, stderr
    assert_token_kept(site, stderr)
    assert "config.txt" not in published(site)


def test_static_files_behind_forbidden_links_come_with_a_warning(site):
    link(site, "layouts/static/config.txt", "../../.git/config")
    os.mkfifo(site / "layouts/static/pipe.css")
    files, problems = TemplateSet.find_static_files(site)
    assert "config.txt" not in files and "pipe.css" not in files and "site.css" in files
    assert [str(p) for p in problems] == [
        "layouts/static/config.txt: warning: a symbolic link to a hidden file: not published",
        "layouts/static/pipe.css: warning: is not a regular file (a FIFO): not published",
    ]


def test_sitegen_yaml_behind_a_link_to_a_hidden_file_is_not_read(site):
    (site / "sitegen.yaml").unlink()
    link(site, "sitegen.yaml", ".git/config")
    code, stderr = build(site)
    assert (code, stderr) == (1, failed(site, "sitegen.yaml: a symbolic link to a hidden file: not read"))
    assert_token_kept(site, stderr)


@pytest.mark.parametrize("target,message", [
    (".content", "content: a symbolic link to a hidden folder: not read"),
    ("../elsewhere", "content: a symbolic link that leads out of the site's folder: not read"),
])
def test_content_itself_must_be_the_sites_own_folder(site, target, message):
    (site / "content").rename(site / target)
    link(site, "content", target)
    code, stderr = build(site)
    assert (code, stderr) == (1, failed(site, message))


# ---- FIFOs, sockets, devices: refused, never waited on ----

FIFO = "is not a regular file (a FIFO)"


@pytest.mark.parametrize("relative,line", [
    ("content/x.md", f"content/x.md: {FIFO}"),
    ("content/2022/post.comments.yaml", f"content/2022/post.comments.yaml: {FIFO}"),
    (f"{BUNDLE}/comments.yaml", f"{BUNDLE}/comments.yaml: {FIFO}"),
    ("content/2022/other/index.md", f"content/2022/other/index.md: {FIFO}"),
    ("sitegen.yaml", f"sitegen.yaml: {FIFO}"),
], ids=["article", "thread", "bundle thread", "bundle index", "sitegen.yaml"])
def test_a_fifo_in_place_of_a_file_sitegen_reads_is_an_error(site, relative, line):
    (site / "content/2022/post.md").write_text(article("Another post"))
    (site / relative).unlink(missing_ok=True)
    (site / relative).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(site / relative)
    assert build(site) == (1, failed(site, line))


@pytest.mark.parametrize("relative", [f"{BUNDLE}/pipe.bin", f"{BUNDLE}/sub/pipe.bin", "layouts/static/pipe.css"])
def test_a_fifo_among_files_published_as_they_are_is_skipped(site, relative):
    (site / relative).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(site / relative)
    code, stderr = build(site)
    assert (code, stderr) == (0, [f"{relative}: warning: {FIFO}: not published"])
    assert not any(path.endswith("pipe.bin") or path.endswith("pipe.css") for path in published(site))
    assert published(site)["2022/03/post/own.txt"] == b"the bundle's own file\n"


def test_a_socket_in_a_bundle_is_skipped(site):
    here = os.getcwd()
    os.chdir(site / BUNDLE)  # a socket's path has a short limit: bind by a relative name
    try:
        listener = socket.socket(socket.AF_UNIX)
        listener.bind("talk.sock")
    finally:
        os.chdir(here)
    with listener:
        assert build(site) == (0, [f"{BUNDLE}/talk.sock: warning: is not a regular file (a socket): not published"])
    assert "2022/03/post/talk.sock" not in published(site)


def test_a_device_in_a_bundle_is_skipped(site):
    try:
        os.mknod(site / BUNDLE / "null", 0o600 | 0o020000, os.makedev(1, 3))  # a character device, /dev/null's
    except (PermissionError, AttributeError):
        pytest.skip("this machine does not let the tests make a device")
    assert build(site) == (0, [f"{BUNDLE}/null: warning: is not a regular file (a device): not published"])
    assert "2022/03/post/null" not in published(site)


def finishes(function, *fifos: Path, seconds: float = 10.0):
    """FUNCTION's result, run on a thread; fails the test if it waits (and then lets it go, by
    opening FIFOS for writing)."""
    result = []
    thread = threading.Thread(target=lambda: result.append(function()), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for fifo in fifos:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"{function} waited on a FIFO")
    return result[0]


def test_a_file_swapped_for_a_fifo_after_the_scan_is_refused_when_read(site):
    os.mkfifo(site / "content/x.md")
    os.mkfifo(site / "content/x.comments.yaml")
    files = finishes(lambda: read_article_files(site, ArticleSource("x.md", "x.comments.yaml")),
                     site / "content/x.md", site / "content/x.comments.yaml")
    assert files.markdown is None and files.thread is None
    assert [str(p) for p in files.problems] == [f"content/x.md: {FIFO}", f"content/x.comments.yaml: {FIFO}"]


def test_a_file_swapped_for_a_link_after_the_scan_is_refused_when_read(site):
    link(site, "content/x.md", "../.git/config")
    files = read_article_files(site, ArticleSource("x.md", None))
    assert files.markdown is None
    assert [str(p) for p in files.problems] == [f"content/x.md: {HIDDEN}"]


def test_a_fifo_as_sitegen_yaml_is_refused_when_read(site):
    (site / "sitegen.yaml").unlink()
    os.mkfifo(site / "sitegen.yaml")
    config, problems = finishes(lambda: load_config(site), site / "sitegen.yaml")
    assert config is not None and [str(p) for p in problems] == [f"sitegen.yaml: {FIFO}"]


# ---- loops of links, links to nothing ----

LOOP = "is a loop of symbolic links"


def test_a_loop_of_links_in_content_is_a_warning(site):
    link(site, "content/a", "b")
    link(site, "content/b", "a")
    assert build(site) == (0, [f"content/a: warning: {LOOP}: not published",
                               f"content/b: warning: {LOOP}: not published"])


def test_a_loop_of_links_named_as_articles_is_an_error(site):
    link(site, "content/x.md", "y.md")
    link(site, "content/y.md", "x.md")
    assert build(site) == (1, failed(site, f"content/x.md: {LOOP}", f"content/y.md: {LOOP}"))


@pytest.mark.parametrize("folder", [BUNDLE, f"{BUNDLE}/sub", "layouts/static"])
def test_a_loop_of_links_among_published_files_is_skipped(site, folder):
    link(site, f"{folder}/a", "b")
    link(site, f"{folder}/b", "a")
    code, stderr = build(site)
    assert code == 0
    if not folder.startswith("layouts/"):
        assert stderr == [f"{folder}/a: warning: {LOOP}: not published", f"{folder}/b: warning: {LOOP}: not published"]
    assert "2022/03/post/index.html" in published(site)


def test_a_link_to_nothing_in_a_bundle_is_skipped(site):
    link(site, f"{BUNDLE}/gone.txt", "deleted.txt")
    assert build(site) == (0, [f"{BUNDLE}/gone.txt: warning: is a symbolic link to nothing: not published"])


# ---- sitegen.yaml as a folder ----

def test_sitegen_yaml_as_a_folder_is_one_error(site):
    (site / "sitegen.yaml").unlink()
    (site / "sitegen.yaml").mkdir()
    assert build(site) == (1, failed(site, "sitegen.yaml: is a folder, not a file"))


# ---- the preview goes on rebuilding ----

def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_for(port: int, path: str, wanted: bytes, seconds: float = 30.0, unwanted: bytes | None = None) -> bytes:
    """The page at PATH once it holds WANTED (and not UNWANTED): the preview rebuilt after a save.

    A page asked for while a build writes may already be the new file, served with the state before
    that build (its errors): the page hears of the new state a moment later, so that is waited for.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body = get(port, path)
        if wanted in body and (unwanted is None or unwanted not in body):
            return body
        time.sleep(0.05)
    pytest.fail(f"{path} never showed {wanted!r}" + (f" without {unwanted!r}" if unwanted else "")
                + ": the preview stopped rebuilding")


def test_the_preview_goes_on_rebuilding_after_a_fifo_appears(site):
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--source", str(site), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        serving = ""
        while not serving.startswith("Serving"):
            serving = process.stdout.readline()
            assert serving, process.stderr.read()
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", serving).group(1))
        page = "/2022/03/post/"
        wait_for(port, page, b"A post")

        os.mkfifo(site / "content/x.md")
        os.mkfifo(site / BUNDLE / "pipe.bin")
        wait_for(port, page, FIFO.encode())  # the error shown over the last good build

        (site / "content/x.md").unlink()
        (site / BUNDLE / "index.md").write_text(article("A post", date="2022-03-04", body="Edited after the FIFO."))
        wait_for(port, page, b"Edited after the FIFO.", unwanted=b"content/x.md")  # and the error gone
        assert get(port, page + "pipe.bin")[0] == 404
    finally:
        process.kill()
        process.communicate(timeout=10)
