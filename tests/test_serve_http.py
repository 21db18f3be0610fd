"""`sitegen serve` over real HTTP: a running server on a free port, a real client, real saves.

Saves are real file writes seen by the real watcher; tests wait for the Server-Sent Event that a
build sends, never for a fixed time.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sitegen

from conftest import article, run_sitegen, running_preview, tree_bytes, tree_stats, write_site
from generated_site import generate_site
from sitegen.build import BuildOptions
from sitegen.serve.session import PreviewSession
from sitegen.write.output import folder_files

BASE = "/digest/"
SITE = {
    "sitegen.yaml": "title: Preview test\nbase_url: https://example.org/digest/\ntimezone: UTC\n",
    "content/first.md": article("First article", body="The first body."),
    "content/first.comments.yaml": "- id: c1\n  author: reader\n  body: A first comment.\n",
    "content/pics/index.md": article("With a picture", date="2020-02-03", body="See the picture."),
    "content/pics/diagram.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
    "layouts/static/style.css": "body { color: black; }\n",
}
FIRST = BASE + "2020/01/first/"


def request(server, target: str, method: str = "GET",
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request with the target sent exactly as written (no client-side '..' clean-up)."""
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    try:
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def page_state(body: bytes) -> dict:
    """The live-reload state the preview put into an HTML page."""
    found = re.search(rb'<script type="application/json" id="sitegen-live-state">(.*?)</script>', body)
    assert found, "no live-reload state in the page"
    return json.loads(found.group(1))


class EventStream:
    """A reader of /__sitegen/events, as a page's EventSource would read it."""

    def __init__(self, server):
        self.connection = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
        self.connection.request("GET", "/__sitegen/events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next(self) -> tuple[str, dict]:
        name, data = "message", []
        while True:
            line = self.response.fp.readline().decode("utf-8")
            if not line:
                raise EOFError("the event stream ended")
            line = line.rstrip("\n")
            if not line:
                if data:
                    return name, json.loads("\n".join(data))
                name = "message"
            elif not line.startswith(":"):
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "event":
                    name = value
                elif field == "data":
                    data.append(value)

    def until(self, accept, seconds: float = 10.0) -> tuple[str, dict]:
        """The first event that `accept(name, news)` takes; builds with nothing new may come first."""
        deadline = time.monotonic() + seconds
        seen = []
        while time.monotonic() < deadline:
            name, news = self.next()
            if accept(name, news):
                return name, news
            seen.append(name)
        raise AssertionError(f"no such event within {seconds} s; saw {seen}")

    def close(self) -> None:
        self.response.close()  # the response holds the socket: the connection gave it up
        self.connection.close()


@pytest.fixture
def events():
    streams = []

    def open_stream(server) -> EventStream:
        stream = EventStream(server)
        streams.append(stream)
        name, news = stream.next()  # the current state comes first, at once
        stream.epoch = news["epoch"]
        return stream

    yield open_stream
    for stream in streams:
        stream.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One preview of SITE for the tests that only read."""
    site = write_site(tmp_path_factory.mktemp("served"), SITE)
    with running_preview(site) as server:
        yield server


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path, SITE)


# ---- serving what the build made ----------------------------------------------------------------

def test_root_redirects_to_the_base_path_and_pages_are_served_under_it(served):
    assert request(served, "/")[0:2] == (302, {**request(served, "/")[1], "location": BASE})
    assert request(served, "/digest")[1]["location"] == BASE
    status, headers, _ = request(served, FIRST.rstrip("/"))
    assert status == 302 and headers["location"] == FIRST
    status, _, body = request(served, FIRST)
    assert status == 200
    assert b"The first body." in body and b"A first comment." in body
    status, _, body = request(served, FIRST + "?utm=x")
    assert status == 200 and b"The first body." in body
    assert request(served, BASE)[0] == 200


def test_content_types_and_no_caching(served):
    expected = {
        BASE: "text/html; charset=utf-8",
        FIRST: "text/html; charset=utf-8",
        BASE + "style.css": "text/css; charset=utf-8",
        BASE + "2020/02/pics/diagram.svg": "image/svg+xml",
        "/__sitegen/client.js": "text/javascript; charset=utf-8",
    }
    for target, kind in expected.items():
        status, headers, body = request(served, target)
        assert (target, status, headers["content-type"]) == (target, 200, kind)
        assert headers["cache-control"] == "no-store"
        assert int(headers["content-length"]) == len(body)
    status, headers, body = request(served, BASE + "style.css", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_only_pages_served_by_the_preview_carry_the_client(served):
    _, _, page = request(served, FIRST)
    assert page.count(b'<script src="/__sitegen/client.js"></script>') == 1
    assert page.index(b"sitegen-live-state") < page.rindex(b"</body>")
    assert page_state(page)["errors"] == []
    _, _, stylesheet = request(served, BASE + "style.css")
    assert b"sitegen" not in stylesheet
    built = served.session.state.output["2020/01/first/index.html"]
    assert b"__sitegen" not in built  # the build itself never has it


@pytest.mark.parametrize("target", [
    BASE + "no-such-page/",
    BASE + "2020/01/first/nothing.html",
    BASE + "../sitegen.yaml",
    "/../sitegen.yaml",
    "/digest/../../etc/passwd",
    BASE + "%2e%2e/sitegen.yaml",
    BASE + "%2E%2E/%2E%2E/etc/passwd",
    BASE + "..%2fsitegen.yaml",
    BASE + "..%2Fcontent%2Ffirst.md",
    BASE + "2020%2F01%2Ffirst%2F",
    BASE + "..\\sitegen.yaml",
    BASE + "%5c..%5csitegen.yaml",
    BASE + "./index.html",
    BASE + "2020/01/first/index.html/..",
    "//etc/passwd",
    BASE + "/2020/01/first/",
    BASE + "%00",
    BASE + "%ff",
    "/sitegen.yaml",
    "/content/first.md",
    BASE + "content/first.md",
    "/etc/passwd",
    "http://127.0.0.1/../sitegen.yaml",
])
def test_what_the_build_did_not_make_is_not_found(served, target):
    status, headers, body = request(served, target)
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8" and headers["cache-control"] == "no-store"
    assert b"base_url" not in body and b"root:" not in body and b"The first body" not in body


def test_not_found_is_the_site_404_page_when_it_has_one(served):
    status, _, body = request(served, BASE + "missing/")
    assert status == 404
    own = served.session.state.output.get("404.html")
    if own is not None:
        assert body.startswith(own[: own.lower().rindex(b"</body")])
    else:
        assert b"Not found" in body
    assert b"/__sitegen/client.js" in body  # so it turns into the page once that exists


def test_drafts_are_served_with_drafts(tmp_path, start_preview):
    site = write_site(tmp_path, {**SITE, "content/wip.md": article("Work in progress", draft=True)})
    assert request(start_preview(site), BASE + "2020/01/wip/")[0] == 404
    assert request(start_preview(site, drafts=True), BASE + "2020/01/wip/")[0] == 200


def test_base_url_option_moves_the_site(tmp_path, start_preview):
    server = start_preview(write_site(tmp_path, SITE), base_url="http://localhost:8000/")
    assert server.url.endswith(":%d/" % server.server_port)
    assert request(server, "/2020/01/first/")[0] == 200
    assert request(server, FIRST)[0] == 404


# ---- who may ask, and for how long ----------------------------------------------------------------

def closed_by_server(connection: socket.socket, seconds: float, drip: bytes = b"") -> bool:
    """Whether the server closes CONNECTION within SECONDS, while this side sends DRIP a byte at a time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if drip:
            try:
                connection.send(drip[:1])
            except OSError:
                return True
            drip = drip[1:]
        if select.select([connection], [], [], 0.1)[0]:
            try:
                return connection.recv(4096) == b""
            except ConnectionResetError:
                return True
    return False


def settled(count, expected: int, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while count() != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return count() == expected


def test_silent_and_slow_connections_are_closed_at_the_request_timeout(served, monkeypatch):
    monkeypatch.setattr(served, "request_timeout", 0.5)
    address = served.server_address[:2]
    silent = [socket.create_connection(address) for _ in range(20)]
    try:
        assert all(closed_by_server(connection, 2.0) for connection in silent)
    finally:
        for connection in silent:
            connection.close()
    with socket.create_connection(address) as slow:
        # Each byte comes well within the timeout; the whole request never does.
        assert closed_by_server(slow, 2.0, drip=b"GET /digest/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 100)
    assert settled(lambda: served.connections, 0)
    assert request(served, FIRST)[0] == 200  # a prompt request is not hurried


def test_the_event_stream_outlives_the_request_timeout(site, start_preview, events):
    server = start_preview(site)
    server.request_timeout = 0.3
    stream = events(server)
    time.sleep(1.0)
    server.session.request_rebuild()
    assert stream.next()[0] == "unchanged"


def test_a_closed_event_stream_lets_its_thread_go_at_once(served, events):
    stream = events(served)
    with socket.create_connection(served.server_address[:2]) as reset:
        reset.sendall(b"GET /__sitegen/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        while b"\ndata: " not in reset.recv(4096):
            pass
        assert settled(lambda: served.connections, 2)
        stream.close()
        assert settled(lambda: served.connections, 1)  # not at the next keep-alive, seconds away
        reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
    assert settled(lambda: served.connections, 0)


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "localhost", "127.0.0.1",
                                  "[::1]:{port}", "127.1.2.3:{port}", "LocalHost.:{port}", "app.localhost:{port}"])
def test_the_hosts_of_this_machine_are_served(served, host):
    status, _, body = request(served, FIRST, headers={"Host": host.format(port=served.server_port)})
    assert status == 200 and b"The first body." in body


@pytest.mark.parametrize("host, target", [
    ("evil.example", FIRST),
    ("evil.example:{port}", FIRST),
    ("localhost.evil.example:{port}", FIRST),
    ("127.0.0.1.nip.io:{port}", FIRST),
    ("localhost@evil.example", FIRST),
    ("", FIRST),
    ("evil.example:{port}", "/"),
    ("evil.example:{port}", BASE + "style.css"),
    ("evil.example:{port}", BASE + "missing/"),
    ("evil.example:{port}", "/__sitegen/events"),
    ("evil.example:{port}", "/__sitegen/client.js"),
    ("localhost:{port}", "http://evil.example/digest/2020/01/first/"),
])
def test_a_request_for_another_host_is_refused_with_nothing_of_the_site(served, host, target):
    status, headers, body = request(served, target, headers={"Host": host.format(port=served.server_port)})
    assert status == 421 and headers["content-type"] == "text/plain; charset=utf-8"
    assert b"localhost" in body and b"--base-url" in body
    assert b"first" not in body.lower() and b"sitegen-live" not in body and b"color" not in body
    assert request(served, target, method="HEAD", headers={"Host": host.format(port=served.server_port)})[::2] \
        == (421, b"")


def test_host_headers_on_the_wire(served):
    def status_line(head: bytes) -> bytes:
        with socket.create_connection(served.server_address[:2], timeout=10) as connection:
            connection.sendall(head + b"\r\n")
            return connection.makefile("rb").readline()

    assert b" 200 " in status_line(b"GET /digest/ HTTP/1.0\r\n")  # HTTP/1.0 may leave it out
    assert b" 421 " in status_line(b"GET /digest/ HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n")


def test_the_base_url_host_is_served(tmp_path, start_preview):
    server = start_preview(write_site(tmp_path, SITE), base_url="http://Preview.Test:8080/")
    assert request(server, "/2020/01/first/", headers={"Host": "preview.test:8080"})[0] == 200
    assert request(server, "/2020/01/first/", headers={"Host": "preview.test"})[0] == 200
    status, _, body = request(server, "/2020/01/first/", headers={"Host": "other.test:8080"})
    assert status == 421 and b"localhost, preview.test," in body


# ---- where the preview writes ----------------------------------------------------------------------

def test_the_preview_starts_from_the_last_build_and_keeps_output_as_build_would(site, start_preview, events,
                                                                               capsys, tmp_path):
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    built = tree_stats(site / "output")
    server = start_preview(site)
    assert tree_stats(site / "output") == built, "a preview of an unchanged site makes nothing and touches nothing"
    status, _, body = request(server, FIRST)
    page = (site / "output/2020/01/first/index.html").read_bytes()
    assert status == 200 and body.startswith(page[:page.rindex(b"</body")])

    stream = events(server)
    (site / "content/first.md").write_text(article("First article", body="An edited body."))
    stream.until(lambda name, news: news["epoch"] != stream.epoch)
    assert run_sitegen(["build", "--source", site, "--no-cache", "--output", tmp_path / "cold"], capsys)[0] == 0
    assert tree_bytes(site / "output") == tree_bytes(tmp_path / "cold"), "output/ is what `sitegen build` writes"


def test_a_build_by_another_process_between_two_preview_builds_reloads_the_open_pages(site, capsys):
    session = PreviewSession(BuildOptions(source=site), log=lambda line: None)
    first = session.start()
    (site / "content/first.md").write_text(article("First article", body="Edited, then built elsewhere."))
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0  # `git pull && sitegen build`
    session.request_rebuild(["content"])
    after = session.wait_for_news(first.builds, timeout=30)
    session.close()
    assert after.change == "reload" and after.epoch != first.epoch, "the pages show the other build's files"
    assert b"Edited, then built elsewhere." in after.output["2020/01/first/index.html"]


def test_a_preview_sharing_its_cache_with_builds_of_other_settings_reads_it_again(tmp_path, capsys):
    """`serve --drafts` and `sitegen build` keep different works in one cache, and each build
    forgets the other's: the preview notices the cache changed under it, rather than finding its
    works gone (more articles than it holds in memory) and clearing the cache and the folder it serves."""
    site = generate_site(tmp_path / "site", 300)
    lines: list[str] = []
    session = PreviewSession(BuildOptions(source=site, drafts=True, jobs=2), log=lines.append)
    first = session.start()
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    source = next((site / "content").rglob("article-0007*.md"))
    source.write_text(source.read_text() + "\nA paragraph added in the preview.\n")
    session.request_rebuild(["content"])
    after = session.wait_for_news(first.builds, timeout=120)
    session.close()
    assert after.change == "reload" and not any("could not be read" in line for line in lines), lines
    changed = int(re.search(r"(\d+) files? changed", lines[-1]).group(1))
    assert changed < 100, f"one article's pages, not the whole site again: {lines[-1]}"
    page = next((site / ".sitegen-cache/preview").rglob("article-0007/index.html"))
    assert b"A paragraph added in the preview." in page.read_bytes()
    assert len(list((site / ".sitegen-cache/preview").rglob("index.html"))) > 300

    # Every page made again, in a fresh tree, with the same bytes: no news for the open pages.
    theme = Path(sitegen.__file__).parent / "theme/templates/base.html"
    (site / "layouts").mkdir()
    (site / "layouts/base.html").write_text(theme.read_text() + "{# the site's own copy #}\n")
    session = PreviewSession(BuildOptions(source=site, drafts=True, jobs=2), log=lines.append)
    first = session.start()
    (site / "layouts/base.html").write_text(theme.read_text() + "{# edited, still a comment #}\n")
    session.request_rebuild(["layouts"])
    after = session.wait_for_news(first.builds, timeout=120)
    session.close()
    assert after.change == "unchanged" and lines[-1].endswith("nothing changed"), lines[-1]


def test_a_stylesheet_saved_after_another_process_s_build_reloads_the_pages(site, capsys):
    """The pages hear of the other build's pages too, not of the stylesheet alone (which they would
    swap, keeping pages older than the files)."""
    session = PreviewSession(BuildOptions(source=site), log=lambda line: None)
    first = session.start()
    (site / "content/first.md").write_text(article("First article", body="Edited, then built elsewhere."))
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    (site / "layouts/static/style.css").write_text("body { color: navy; }\n")
    session.request_rebuild(["layouts"])
    after = session.wait_for_news(first.builds, timeout=30)
    session.close()
    assert after.change == "reload"


def test_asking_whether_the_output_has_a_file_reads_none(tmp_path):
    files = folder_files(tmp_path, ["gone.html"])  # listed by the build, deleted since
    assert "gone.html" in files and "other.html" not in files


def test_a_large_preview_builds_in_worker_processes_and_rebuilds_one_article(tmp_path, start_preview, events):
    site = generate_site(tmp_path / "site", 40)
    server = start_preview(site, jobs=2)
    source = next((site / "content").rglob("article-0007*.md"))
    stream = events(server)
    source.write_text(source.read_text() + "\nA paragraph added in the preview.\n")
    stream.until(lambda name, news: news["epoch"] != stream.epoch)
    page = next((site / "output").rglob("article-0007/index.html"))
    status, _, body = request(server, "/digest/" + page.relative_to(site / "output").parent.as_posix() + "/")
    assert status == 200 and b"A paragraph added in the preview." in body


def test_a_preview_with_drafts_writes_in_the_cache_never_into_output(site, start_preview, capsys):
    (site / "content/wip.md").write_text(article("Work in progress", draft=True))
    assert run_sitegen(["build", "--source", site], capsys)[0] == 0
    built = tree_bytes(site / "output")
    assert request(start_preview(site, drafts=True), BASE + "2020/01/wip/")[0] == 200
    assert (site / ".sitegen-cache/preview/2020/01/wip/index.html").is_file()
    assert tree_bytes(site / "output") == built


# ---- rebuilding on save -------------------------------------------------------------------------

def test_a_save_rebuilds_and_open_pages_are_told_to_reload(site, start_preview, events):
    server = start_preview(site)
    stream = events(server)
    (site / "content/first.md").write_text(article("First article", body="An edited body."))
    name, news = stream.until(lambda name, news: news["epoch"] != stream.epoch)
    assert name == "reload" and news["errors"] == []
    _, _, body = request(server, FIRST)
    assert b"An edited body." in body and page_state(body)["epoch"] == news["epoch"]


def test_a_broken_save_shows_its_errors_over_the_last_good_build_and_a_fix_clears_them(site, start_preview,
                                                                                        events):
    server = start_preview(site)
    stream = events(server)
    (site / "content/first.md").write_text("---\ntitle: [First article\ndate: 2020-01-02\n---\nHalf-written.\n")
    name, news = stream.until(lambda name, news: name == "errors")
    assert news["epoch"] == stream.epoch  # the last good build is still what is served
    [problem] = news["errors"]
    assert problem["path"] == "content/first.md" and isinstance(problem["line"], int) and problem["message"]
    assert problem["text"] == f"{problem['path']}:{problem['line']}: {problem['message']}"

    status, _, body = request(server, FIRST)
    assert status == 200 and b"The first body." in body
    assert page_state(body)["errors"] == news["errors"]  # pages loaded now show the overlay too
    assert any(line.startswith("content/first.md:") for line in server.log)

    (site / "content/first.md").write_text(article("First article", body="Fixed and edited."))
    name, news = stream.until(lambda name, news: name != "errors")
    assert name == "reload" and news["errors"] == []
    _, _, body = request(server, FIRST)
    assert b"Fixed and edited." in body and page_state(body)["errors"] == []


def test_reverting_a_broken_save_clears_the_errors_without_a_reload(site, start_preview, events):
    server = start_preview(site)
    stream = events(server)
    original = (site / "content/first.md").read_text()
    (site / "content/first.md").write_text("---\ntitle: [\n---\n")
    stream.until(lambda name, news: name == "errors")
    (site / "content/first.md").write_text(original)
    name, news = stream.until(lambda name, news: name != "errors")
    assert name == "unchanged" and news["epoch"] == stream.epoch and news["errors"] == []


def test_a_deleted_article_disappears_and_comes_back_when_recreated(site, start_preview, events):
    server = start_preview(site)
    stream = events(server)
    text = (site / "content/first.md").read_text()
    thread = (site / "content/first.comments.yaml").read_text()
    (site / "content/first.comments.yaml").unlink()
    (site / "content/first.md").unlink()
    stream.until(lambda name, news: name == "reload" and request(server, FIRST)[0] == 404)
    assert b"First article" not in request(server, BASE)[2]

    (site / "content/first.md").write_text(text)
    (site / "content/first.comments.yaml").write_text(thread)
    stream.until(lambda name, news: name == "reload" and request(server, FIRST)[0] == 200)
    assert b"A first comment." in request(server, FIRST)[2]


def test_a_created_article_and_a_moved_bundle_appear(site, start_preview, events):
    server = start_preview(site)
    stream = events(server)
    (site / "content/2021").mkdir()
    (site / "content/2021/second.md").write_text(article("Second article", date="2021-03-04", body="Brand new."))
    stream.until(lambda name, news: request(server, BASE + "2021/03/second/")[0] == 200)
    assert b"Second article" in request(server, BASE)[2]

    (site / "content/pics").rename(site / "content/renamed-pics")
    stream.until(lambda name, news: request(server, BASE + "2020/02/renamed-pics/")[0] == 200)
    assert request(server, BASE + "2020/02/pics/diagram.svg")[0] == 404
    assert request(server, BASE + "2020/02/renamed-pics/diagram.svg")[0] == 200


def test_editor_temporary_files_are_ignored_and_atomic_saves_work(site, start_preview, events):
    server = start_preview(site)
    stream = events(server)
    builds = server.session.state.builds
    for name in (".first.md.swp", "first.md~", "#first.md#", ".#first.md", "4913", "first.md.tmp"):
        (site / "content" / name).write_text("scratch")
    time.sleep(0.3)  # six times the quiet spell the watcher waits for
    assert server.session.state.builds == builds

    # How vim (backupcopy=no), VS Code and many others save: write a temporary file, rename it over.
    scratch = site / "content/.first.md.tmp-1234"
    scratch.write_text(article("First article", body="Saved by rename."))
    os.replace(scratch, site / "content/first.md")
    stream.until(lambda name, news: name == "reload")
    assert b"Saved by rename." in request(server, FIRST)[2]
    assert server.session.state.builds == builds + 1  # one save, one build


def test_a_stylesheet_change_is_a_css_event(site, start_preview, events):
    server = start_preview(site)
    stream = events(server)
    (site / "layouts/static/style.css").write_text("body { color: rgb(1, 2, 3); }\n")
    name, news = stream.until(lambda name, news: news["epoch"] != stream.epoch)
    assert name == "css" and news["css_from"] == stream.epoch and news["css"] == [BASE + "style.css"]
    assert b"rgb(1, 2, 3)" in request(server, BASE + "style.css")[2]


def test_layouts_made_after_the_start_are_watched(tmp_path, start_preview, events):
    site = write_site(tmp_path, {key: value for key, value in SITE.items() if not key.startswith("layouts/")})
    server = start_preview(site)
    stream = events(server)
    (site / "layouts").mkdir()
    (site / "layouts/article.html").write_text(
        '{% extends "theme/article.html" %}\n{% block title %}Overridden {{ article.title }}{% endblock %}\n')
    stream.until(lambda name, news: b"Overridden First article" in request(server, FIRST)[2])

    (site / "layouts/article.html").write_text('{% extends "theme/article.html" %}\n{% block title %}{{ nope(\n')
    name, news = stream.until(lambda name, news: name == "errors")
    assert news["errors"][0]["path"] == "layouts/article.html" and news["errors"][0]["line"] == 2


def test_the_content_folder_deleted_and_made_again_is_watched_again(site, start_preview, events):
    server = start_preview(site)
    stream = events(server)
    (site / "content").rename(site / "content-aside")
    name, news = stream.until(lambda name, news: name == "errors")
    assert [e["path"] for e in news["errors"]] == ["content"]
    assert request(server, FIRST)[0] == 200  # still the last good build

    (site / "content").mkdir()
    (site / "content/first.md").write_text(article("First article", body="In a new folder."))
    stream.until(lambda name, news: name == "reload" and b"In a new folder." in request(server, FIRST)[2])
    (site / "content/first.md").write_text(article("First article", body="Edited in the new folder."))
    stream.until(lambda name, news: b"Edited in the new folder." in request(server, FIRST)[2])


def test_polling_finds_changes_too(site, start_preview, events):
    server = start_preview(site, poll=True)
    stream = events(server)
    (site / "content/first.md").write_text(article("First article", body="Found by polling."))
    stream.until(lambda name, news: name == "reload")
    assert b"Found by polling." in request(server, FIRST)[2]


def test_a_config_change_moves_the_site_and_a_broken_config_keeps_it(site, start_preview, events):
    server = start_preview(site)
    stream = events(server)
    (site / "sitegen.yaml").write_text("title: Preview test\nbase_url: https://example.org/moved/\ntimezone: UTC\n")
    stream.until(lambda name, news: name == "reload")
    assert request(server, "/")[1]["location"] == "/moved/"
    assert request(server, "/moved/2020/01/first/")[0] == 200 and request(server, FIRST)[0] == 404
    assert server.url.endswith("/moved/")

    (site / "sitegen.yaml").write_text("title: Preview test\nbase_url: https://example.org/moved/\ntitel: x\n")
    name, news = stream.until(lambda name, news: name == "errors")
    assert [(e["path"], e["line"]) for e in news["errors"]] == [("sitegen.yaml", 3)]
    assert request(server, "/moved/2020/01/first/")[0] == 200


def test_a_site_whose_first_build_fails_serves_a_plain_not_found_with_the_errors(tmp_path, start_preview):
    site = write_site(tmp_path, {"content/bad.md": article(date="soon")})
    server = start_preview(site)
    status, headers, body = request(server, "/")
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    [problem] = page_state(body)["errors"]
    assert problem["path"] == "content/bad.md" and "'soon' is not a date" in problem["message"]


def test_error_messages_cannot_break_out_of_the_page_state(tmp_path, start_preview):
    hostile = "</script><script>alert(1)</script><!--"
    site = write_site(tmp_path, {"content/bad.md": article(date=hostile)})
    _, _, body = request(start_preview(site), "/")
    assert b"<script>alert(1)" not in body
    assert hostile in page_state(body)["errors"][0]["message"]


# ---- the command ---------------------------------------------------------------------------------

def _sitegen(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sitegen", "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def test_help_has_examples():
    help_text = subprocess.run([sys.executable, "-m", "sitegen", "serve", "--help"], capture_output=True,
                               text=True, check=True).stdout
    assert "examples:" in help_text and "sitegen serve --source my-digest --port 0" in help_text
    for option in ("--host", "--port", "--drafts", "--base-url", "--source", "--poll"):
        assert option in help_text


def test_serve_prints_the_url_serves_it_and_stops_cleanly_on_ctrl_c(site):
    process = _sitegen("--source", str(site), "--port", "0")
    try:
        lines = [process.stdout.readline() for _ in range(2)]  # "built in ... s", then "Serving URL ..."
        url = re.search(r"^Serving http://127\.0\.0\.1:(\d+)(/\S*)", lines[1])
        assert url and url.group(2) == BASE, lines
        connection = http.client.HTTPConnection("127.0.0.1", int(url.group(1)), timeout=10)
        connection.request("GET", FIRST)
        assert connection.getresponse().status == 200
        connection.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "stopped" in out and "Traceback" not in err


def test_a_busy_port_is_one_line_and_exit_2(site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _sitegen("--source", str(site), "--port", str(port))
        out, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert err.splitlines() == [f"sitegen: cannot listen on 127.0.0.1:{port}: the port is in use "
                                "(choose another with --port, or --port 0 for any free one)"]


def test_a_folder_that_is_not_a_site_is_a_usage_error(tmp_path):
    out, err = _sitegen("--source", str(tmp_path), "--port", "0").communicate(timeout=20)
    assert "is not a site" in err and "Traceback" not in err
