"""The preview's pure parts as tables: request paths to output files, changed paths to kinds,
content types, and how the live-reload client goes into a page."""

from __future__ import annotations

import json
import re

import pytest

from sitegen.serve.live import inject_client
from sitegen.serve.hosts import allowed_host, preview_host_names
from sitegen.serve.server import Located, content_type, locate
from sitegen.serve.session import PreviewState
from sitegen.serve.watcher import ChangeKind, change_kind

OUTPUT = {"index.html": b"", "2019/11/macron/index.html": b"", "style.css": b"", "tags/c%2B%2B/index.html": b"",
          "2019/11/macron/photo one.jpg": b"", "404.html": b""}


@pytest.mark.parametrize("target, base, expected", [
    ("/digest/", "/digest/", Located(key="index.html")),
    ("/digest/index.html", "/digest/", Located(key="index.html")),
    ("/digest/style.css?v=2", "/digest/", Located(key="style.css")),
    ("/digest/2019/11/macron/", "/digest/", Located(key="2019/11/macron/index.html")),
    ("/digest/2019/11/macron/#comment-c1", "/digest/", Located(key="2019/11/macron/index.html")),
    ("/digest/2019/11/macron/photo%20one.jpg", "/digest/", Located(key="2019/11/macron/photo one.jpg")),
    ("/digest/tags/c%252B%252B/", "/digest/", Located(key="tags/c%2B%2B/index.html")),
    ("/", "/digest/", Located(redirect="/digest/")),
    ("/?x=1", "/digest/", Located(redirect="/digest/?x=1")),
    ("/digest", "/digest/", Located(redirect="/digest/")),
    ("/digest/2019/11/macron", "/digest/", Located(redirect="/digest/2019/11/macron/")),
    ("/digest/2019/11/macron?a=b", "/digest/", Located(redirect="/digest/2019/11/macron/?a=b")),
    ("/", "/", Located(key="index.html")),
    ("/2019/11/macron", "/", Located(redirect="/2019/11/macron/")),
    # nothing outside the output, however it is spelt
    ("/digest/missing/", "/digest/", Located()),
    ("/index.html", "/digest/", Located()),
    ("/digest/../index.html", "/digest/", Located()),
    ("/digest/2019/../index.html", "/digest/", Located()),
    ("/digest/%2e%2e/index.html", "/digest/", Located()),
    ("/digest/.%2E/index.html", "/digest/", Located()),
    ("/digest/2019%2F11%2Fmacron%2F", "/digest/", Located()),
    ("/digest/2019%2f11/macron/", "/digest/", Located()),
    ("/digest/..\\index.html", "/digest/", Located()),
    ("/digest/%5Cindex.html", "/digest/", Located()),
    ("/digest/./index.html", "/digest/", Located()),
    ("/digest//index.html", "/digest/", Located()),
    ("//digest/", "/digest/", Located()),
    ("/digest/index.html%00", "/digest/", Located()),
    ("/digest/%0aindex.html", "/digest/", Located()),
    ("/digest/%ff", "/digest/", Located()),
    ("digest/index.html", "/digest/", Located()),
    ("/digestive/", "/digest/", Located()),
    ("/digest%2F", "/digest/", Located()),
    # a base path with a space or other script, however base_url spells it
    ("/", "/my%20digest/", Located(redirect="/my%20digest/")),
    ("/my%20digest/", "/my%20digest/", Located(key="index.html")),
    ("/my%20digest/", "/my digest/", Located(key="index.html")),
    ("/", "/дайджест/", Located(redirect="/%D0%B4%D0%B0%D0%B9%D0%B4%D0%B6%D0%B5%D1%81%D1%82/")),
    ("/%D0%B4%D0%B0%D0%B9%D0%B4%D0%B6%D0%B5%D1%81%D1%82/", "/дайджест/", Located(key="index.html")),
])
def test_locate(target, base, expected):
    assert locate(target, base, OUTPUT) == expected


@pytest.mark.parametrize("path, kind", [
    ("sitegen.yaml", ChangeKind.CONFIG),
    ("content", ChangeKind.CONTENT),
    ("content/2019/macron.md", ChangeKind.CONTENT),
    ("content/2019/macron.comments.yaml", ChangeKind.CONTENT),
    ("content/2022/bundle/photo.jpg", ChangeKind.CONTENT),
    ("content/stray.txt", ChangeKind.CONTENT),  # not published, but the build warns about it
    ("layouts/article.html", ChangeKind.LAYOUTS),
    ("layouts/static/style.css", ChangeKind.LAYOUTS),
    ("content/2019/.macron.md.swp", None),
    ("content/2019/.macron.md.swx", None),
    ("content/2019/macron.md~", None),
    ("content/2019/#macron.md#", None),
    ("content/2019/.#macron.md", None),
    ("content/2019/4913", None),
    ("content/2019/macron.md.tmp", None),
    ("content/2019/macron.md___jb_tmp___", None),
    ("content/.git/index", None),
    ("layouts/.static.swp", None),
    (".sitegen.yaml.swp", None),
    ("sitegen.yaml~", None),
    ("output/index.html", None),
    ("README.md", None),
    (".git/HEAD", None),
    ("", None),
])
def test_change_kind(path, kind):
    assert change_kind(path) == kind


@pytest.mark.parametrize("path, kind", [
    ("index.html", "text/html; charset=utf-8"),
    ("style.css", "text/css; charset=utf-8"),
    ("feed.xml", "application/xml"),
    ("2019/11/x/annotations.jsonld", "application/ld+json"),
    ("robots.txt", "text/plain; charset=utf-8"),
    ("photo.JPG", "image/jpeg"),
    ("photo.png", "image/png"),
    ("diagram.svg", "image/svg+xml"),
    ("paper.pdf", "application/pdf"),
    ("CNAME", "application/octet-stream"),
    ("archive.unknown-kind", "application/octet-stream"),
])
def test_content_type(path, kind):
    assert content_type(path) == kind


STATE = PreviewState({}, "/", "n.1", 1, "reload")


def test_the_client_goes_before_the_last_body_end_tag():
    page = b"<html><body><p>a</p></BODY></html>"
    injected = inject_client(page, STATE)
    assert injected.startswith(b"<html><body><p>a</p><script") and injected.endswith(b"</BODY></html>")
    assert inject_client(b"<p>a fragment</p>", STATE).startswith(b"<p>a fragment</p><script")


def test_state_in_the_page_cannot_end_its_script_element():
    from sitegen.diagnostics import error
    message = "quote '</script><!--<script>' & more"
    state = PreviewState({}, "/", "n.1", 2, "errors", errors=(error("content/a.md", 3, message),))
    injected = inject_client(b"<body></body>", state).decode()
    data = re.search(r'id="sitegen-live-state">(.*?)</script>', injected).group(1)
    assert "<" not in data and ">" not in data and "&" not in data
    assert json.loads(data)["errors"][0]["text"] == f"content/a.md:3: {message}"


NAMES = frozenset({"localhost", "preview.test"})


@pytest.mark.parametrize("header, allowed", [
    (None, True),  # HTTP/1.0
    ("localhost", True),
    ("localhost:8000", True),
    ("LOCALHOST.:8000", True),
    ("docs.localhost:8000", True),
    ("preview.test:80", True),
    ("127.0.0.1", True),
    ("127.0.0.1:8000", True),
    ("127.45.6.7:8000", True),
    ("192.168.1.20:8000", True),
    ("[::1]:8000", True),
    ("[::1]", True),
    ("", False),
    ("evil.example", False),
    ("evil.example:8000", False),
    ("localhost.evil.example", False),
    ("127.0.0.1.nip.io", False),
    ("preview.test.evil.example", False),
    ("evil.example#localhost", False),
    ("localhost@evil.example", False),
    ("user@localhost", False),
    ("localhost:8000:9000", False),
    ("localhost:port", False),
    ("[evil.example]", False),
    ("[::1", False),
    ("::1", False),
    ("localhost/x", False),
])
def test_allowed_host(header, allowed):
    assert allowed_host(header, NAMES) is allowed


@pytest.mark.parametrize("host, base_url, expected", [
    ("127.0.0.1", None, {"localhost"}),
    ("::1", None, {"localhost"}),
    ("127.0.0.1", "http://Preview.Test:8080/digest/", {"localhost", "preview.test"}),
    ("my-laptop.lan", None, {"localhost", "my-laptop.lan"}),
    ("127.0.0.1", "https://192.168.1.20/", {"localhost"}),
])
def test_preview_host_names(host, base_url, expected):
    assert preview_host_names(host, base_url) == expected


def test_listening_everywhere_adds_the_machine_name():
    import socket

    for everywhere in ("0.0.0.0", "::"):
        assert preview_host_names(everywhere, None) == {"localhost", socket.gethostname().lower()}
