"""`sitegen serve`: the last good build, served at base_url's path, with live reload.

A request path is looked up in the list of the build's files, after percent-decoding and checking
it segment by segment under the base path; it is never joined onto a folder, so no request can
reach a file the build did not put in its output. A request must name the preview in its Host
header (against DNS rebinding: a page elsewhere cannot read the preview through a name it
controls), and must arrive whole within `request_timeout`, so idle or slow sockets cannot hold
threads.
"""

from __future__ import annotations

import errno
import hmac
import html
import io
import ipaddress
import json
import mimetypes
import shutil
import signal
import socket
import socketserver
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from typing import Callable, Mapping
from urllib.parse import quote, unquote, urlsplit

from sitegen import __version__
from sitegen.build import BuildOptions
from sitegen.diagnostics import Diagnostic
from sitegen.serve.connections import RequestReader, peer_gone
from sitegen.serve.hosts import allowed_host, preview_host_names
from sitegen.load.config import load_config
from sitegen.load.sources import CONTENT_DIR
from sitegen.serve.annotating import Refused, answer_note
from sitegen.serve.live import (
    ANNOTATE_PATH,
    CLIENT_PATH,
    NOTES_PATH,
    EVENTS_PATH,
    KEEP_ALIVE,
    client_script,
    event_message,
    inject_client,
    stream_opening,
)
from sitegen.serve.session import PreviewSession, PreviewState
from sitegen.serve.watcher import SiteWatcher

KEEP_ALIVE_SECONDS = 15.0
REQUEST_TIMEOUT_SECONDS = 20.0
"""How long a connection has to send a whole request, and the longest a write may stall."""
PEER_CHECK_SECONDS = 0.5
"""How often an event stream looks whether its page has gone, between builds and keep-alives."""
NOT_FOUND_PAGE = "404.html"
MAX_NOTE_REQUEST = 1_000_000

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}
# Python's built-in table, without the machine's /etc/mime.types: the same answer everywhere.
_PYTHON_TYPES = mimetypes.MimeTypes()


class ServeError(Exception):
    """The preview cannot start (a busy port, a folder that is not a site): one line for the user."""


def content_type(path: str) -> str:
    known = CONTENT_TYPES.get(PurePosixPath(path).suffix.lower())
    return known or _PYTHON_TYPES.guess_type(path)[0] or "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Located:
    key: str | None = None
    """The output path to serve."""
    redirect: str | None = None
    """Or where to send the browser instead; neither means not found."""


def locate(target: str, base_path: str, output: Mapping[str, object]) -> Located:
    """Where a request target ("/digest/2019/11/x/?q") leads in the output.

    Each segment is percent-decoded on its own, and one that decodes to a '/', a backslash, a
    control character, '.' or '..' makes the path not found: encoded separators are not
    separators, and there is no parent to climb to.
    """
    path, _, query = target.partition("?")
    path = path.partition("#")[0]
    query = "?" + query if query else ""
    base = unquote(base_path)  # base_url's path as written may be encoded ("/my%20digest/") or not
    if path == "/" and base != "/":
        return Located(redirect=quote(base) + query)
    if not path.startswith("/"):
        return Located()
    try:
        segments = [unquote(segment, errors="strict") for segment in path[1:].split("/")]
    except UnicodeDecodeError:
        return Located()
    if any(_unsafe(segment) for segment in segments) or "" in segments[:-1]:
        return Located()
    decoded = "/" + "/".join(segments)
    if decoded + "/" == base:
        return Located(redirect=quote(base) + query)
    if not decoded.startswith(base):
        return Located()
    relative = decoded[len(base):]
    key = relative + "index.html" if relative == "" or relative.endswith("/") else relative
    if key in output:
        return Located(key=key)
    if key + "/index.html" in output:
        return Located(redirect=quote(base + relative + "/") + query)
    return Located()


def _unsafe(segment: str) -> bool:
    return segment in (".", "..") or any(ch in "/\\" or ord(ch) < 32 or ch == "\x7f" for ch in segment)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = f"sitegen-preview/{__version__}"

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # replaced by one that keeps a deadline (closed, so the socket can close)
        self.connection.settimeout(self.server.request_timeout)
        self._reader = RequestReader(self.connection)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        # The deadline counts from the moment the connection is ready for a request, so a socket
        # opened and left silent is closed after request_timeout.
        self._reader.deadline = time.monotonic() + self.server.request_timeout
        super().handle_one_request()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self._reader.deadline = None  # the request is in; the answer may take as long as it needs
        self.connection.settimeout(self.server.request_timeout)
        return parsed

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_POST(self) -> None:
        if not self._for_this_preview():
            self._refuse_host(True)
        elif urlsplit(self.path).path != NOTES_PATH:
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", b"405: the preview is read-only\n",
                       True, {"Allow": "GET, HEAD"})
        else:
            status, answer = self._note_request()
            self._send(status, "application/json", json.dumps(answer).encode("utf-8"), True)

    def _note_request(self) -> tuple[HTTPStatus, dict]:
        """A note written from the page (serve/annotating.py): refused unless it comes from a page
        this preview served (its secret, its origin), for an article of the site as built, whose
        file is still what that build read."""
        server, session = self.server, self.server.session
        if not server.writes:
            return HTTPStatus.FORBIDDEN, {"error": "writing notes is off: this preview listens beyond this machine "
                                                   "(--host); start it with --allow-remote-edits to write from there"}
        if self.headers.get("Origin") != f"http://{self.headers.get('Host')}":
            return HTTPStatus.FORBIDDEN, {"error": "a note is written only from the preview's own pages"}
        if self.headers.get_content_type() != "application/json":
            return HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "a note request is JSON"}
        length = self.headers.get("Content-Length", "")
        length = int(length) if length.isdigit() else 0
        if not 0 < length <= MAX_NOTE_REQUEST:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "a note request is at most 1 MB"}
        try:
            request = json.loads(self.rfile.read(length))
        except ValueError:
            return HTTPStatus.BAD_REQUEST, {"error": "not JSON"}
        if not isinstance(request, dict) or not hmac.compare_digest(
                str(self.headers.get("X-Sitegen-Secret") or ""), session.secret):
            return HTTPStatus.FORBIDDEN, {"error": "this page is not one this preview served: reload it"}
        with server.write_lock:
            state = session.state
            if request.get("action") == "move":  # from an error: the article's file, as the error names it
                source = request.get("source")
                known = isinstance(source, str) and source in state.article_files
            else:
                source = state.article_pages.get(locate(str(request.get("page") or ""), state.base_path,
                                                        state.output).key or "")
                known = source is not None
                if known and (request.get("epoch") != state.epoch or state.change == "errors"):
                    return HTTPStatus.CONFLICT, {"error": "this page is older than the files: it reloads now"}
            if not known:
                return HTTPStatus.NOT_FOUND, {"error": "not an article of this site"}
            if session.busy:
                return HTTPStatus.CONFLICT, {"error": "a build is under way: nothing was written; try again"}
            root = session.options.source
            config, problems = load_config(root, session.options.base_url)
            if config is None or any(d.is_error for d in problems):
                return HTTPStatus.CONFLICT, {"error": "sitegen.yaml has an error: fix it first"}
            read = state.sources.get(source.removeprefix(f"{CONTENT_DIR}/"))  # as the last build read it
            try:
                answer = answer_note(root, config, source, request, read.digest if read else None)
            except Refused as refused:
                return HTTPStatus.CONFLICT, {"error": f"nothing was written: {refused}", "paste": refused.paste}
            except OSError as exc:
                return HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"nothing was written: {exc.strerror or exc}"}
            except Exception:  # a bug in sitegen: said in the form and the terminal, and the preview goes on
                traceback.print_exc()
                return HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "nothing was written: a bug in sitegen (its "
                                                                   "traceback is in the terminal), please report it"}
        if request.get("action") != "read":
            session.request_rebuild(["content"])
        return HTTPStatus.OK, answer

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def log_message(self, format: str, *args) -> None:
        """Quiet: the terminal is for the builds' news, not for every request."""

    def _respond(self, with_body: bool) -> None:
        if not self._for_this_preview():
            self._refuse_host(with_body)
            return
        target = self.path if self.path.startswith("/") else urlsplit(self.path).path or "/"
        path = target.partition("?")[0]
        if path == EVENTS_PATH:
            self._stream_events(with_body)
            return
        if path in (CLIENT_PATH, ANNOTATE_PATH):
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", client_script(path), with_body)
            return
        state = self.server.session.state  # one read: all that follows comes from the same build
        found = locate(target, state.base_path, state.output)
        if found.redirect is not None:
            self._send(HTTPStatus.FOUND, "text/plain; charset=utf-8", b"", with_body, {"Location": found.redirect})
            return
        if found.key is not None and self._send_file(state, found.key, HTTPStatus.OK, with_body):
            return
        # As on GitHub Pages: the site's own 404.html, with the status that says what happened.
        if NOT_FOUND_PAGE in state.output and self._send_file(state, NOT_FOUND_PAGE, HTTPStatus.NOT_FOUND,
                                                              with_body):
            return
        page = (f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Not found</title></head>\n'
                f'<body>\n<h1>Not found</h1>\n<p>Nothing in this build is at <code>{html.escape(path)}</code>. '
                f'<a href="{html.escape(state.base_path)}">The home page</a></p>\n</body>\n</html>\n')
        notes = self.server.session.secret if self.server.writes else None  # a lost note can be moved from here too
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8",
                   inject_client(page.encode("utf-8"), state, None, notes), with_body)

    def _for_this_preview(self) -> bool:
        names = self.server.host_names
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1:
            return False
        absolute = urlsplit(self.path).netloc if not self.path.startswith("/") else ""
        if absolute:  # "GET http://host/path" names its host itself
            hosts.append(absolute)
        return all(allowed_host(host, names) for host in hosts)

    def _refuse_host(self, with_body: bool) -> None:
        """421, and no content: the request came through a name that is not the preview's."""
        names = ", ".join(sorted(self.server.host_names))
        message = (f"421 Misdirected Request: this sitegen preview answers only to {names}, "
                   "*.localhost and IP addresses (with any port). Open it at one of those, or name "
                   "the host with --host or --base-url.\n")
        self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8", message.encode("utf-8"), with_body)

    def _send_file(self, state: PreviewState, key: str, status: HTTPStatus, with_body: bool) -> bool:
        """Send an output file; False when it is a source file that has gone since the build."""
        path = state.output.source(key)  # a file published as it is: streamed from where it is
        kind = content_type(key)
        if kind.startswith("text/html"):
            try:
                page = state.output[key]
            except OSError:
                return False
            notes = self.server.session.secret if self.server.writes else None
            self._send(status, kind, inject_client(page, state, key, notes), with_body)
        elif path is not None:
            try:
                source = path.open("rb")
            except OSError:
                return False
            with source:
                self._send_headers(status, kind, source.seek(0, 2))
                if with_body:
                    source.seek(0)
                    shutil.copyfileobj(source, self.wfile)
        else:
            self._send(status, kind, state.output[key], with_body)
        return True

    def _send(self, status: HTTPStatus, kind: str, body: bytes, with_body: bool,
              headers: Mapping[str, str] | None = None) -> None:
        self._send_headers(status, kind, len(body), headers)
        if with_body:
            self.wfile.write(body)

    def _send_headers(self, status: HTTPStatus, kind: str, length: int | None,
                      headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if length is not None:
            self.send_header("Content-Length", str(length))
        # A preview shows the site as it is now: nothing may be kept, a stylesheet least of all.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        # No other site may frame the preview: its pages have buttons that write notes.
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", "frame-ancestors 'none'")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def _stream_events(self, with_body: bool) -> None:
        """Server-Sent Events: the current state at once, then one event after each build."""
        session = self.server.session
        self._send_headers(HTTPStatus.OK, "text/event-stream; charset=utf-8", None)
        self.close_connection = True
        if not with_body:
            return
        self.wfile.write(stream_opening())
        state = session.state
        self.wfile.write(event_message(state))
        sent, quiet_since = state.builds, time.monotonic()
        # Waiting for a build in short spells, and looking between them whether the page has
        # gone, lets a closed page's thread end at once rather than at the next write.
        while True:
            state = session.wait_for_news(sent, timeout=PEER_CHECK_SECONDS)
            if session.closed or peer_gone(self.connection):
                return
            if state.builds != sent:
                self.wfile.write(event_message(state))
                sent, quiet_since = state.builds, time.monotonic()
            elif time.monotonic() - quiet_since >= KEEP_ALIVE_SECONDS:
                self.wfile.write(KEEP_ALIVE)
                quiet_since = time.monotonic()


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server of one preview: its session, and the watcher that feeds the session."""

    daemon_threads = True
    request_queue_size = 64
    request_timeout = REQUEST_TIMEOUT_SECONDS
    """Read by each connection as it opens (a test may shorten it on a running server)."""

    def __init__(self, host: str, port: int, session: PreviewSession, allow_remote_edits: bool = False):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.session = session
        self.writes = allow_remote_edits or _loopback(host)
        """Notes are written from the pages only where no one else can reach the preview, unless asked."""
        self.write_lock = threading.Lock()
        self.watcher: SiteWatcher | None = None
        self.host_names = preview_host_names(host, session.options.base_url)
        self.connections = 0  # how many connections have a thread now, event streams included
        self.stopping = False
        self._connections_lock = threading.Lock()
        try:
            super().__init__((host, port), PreviewHandler)
        except OverflowError:
            raise ServeError(f"cannot listen on port {port}: a port is a number from 0 to 65535") from None
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(f"cannot listen on {_netloc(host, port)}: the port is in use (choose another "
                                 "with --port, or --port 0 for any free one)") from None
            raise ServeError(f"cannot listen on {_netloc(host, port)}: {exc.strerror or exc}") from None

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for the host's full name; a preview has no use for it,
        # and without a network that question can hang.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def url(self) -> str:
        host = self.server_address[0]
        if host in ("0.0.0.0", "::", ""):
            host = "localhost"
        return f"http://{_netloc(host, self.server_port)}{self.session.state.base_path}"

    def process_request_thread(self, request, client_address) -> None:
        with self._connections_lock:
            self.connections += 1
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self.connections -= 1

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the page went away mid-answer (a reload, a closed tab): nothing is wrong
        if self.stopping:
            # An answer still being written when Ctrl-C stops the preview: its connection threads
            # are daemons, and the process closes their sockets under them as it exits ("Bad file
            # descriptor"). Nothing is wrong either.
            return
        super().handle_error(request, client_address)

    def close(self) -> None:
        """Stop watching and building, and close the socket (after shutdown() if serving)."""
        self.stopping = True
        if self.watcher is not None:
            self.watcher.stop()
        self.session.close()
        self.server_close()


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def open_preview(options: BuildOptions, host: str = "127.0.0.1", port: int = 8000, *, poll: bool = False,
                 report: Callable[[list[Diagnostic]], None] | None = None,
                 log: Callable[[str], None] | None = None, allow_remote_edits: bool = False) -> PreviewServer:
    """Listen, build once, and watch: a server ready for serve_forever(). Raises ServeError."""
    root = options.source
    not_a_site = f"{root.resolve()} is not a site: it has no sitegen.yaml (use --source DIR)"
    if not root.is_dir():
        raise ServeError(not_a_site)
    session = PreviewSession(options, report=report, log=log)
    server = PreviewServer(host, port, session, allow_remote_edits)
    try:
        # Watching starts before the first build, so a save made while it runs is not missed.
        server.watcher = SiteWatcher(root, lambda kinds: session.request_rebuild(k.value for k in kinds),
                                     poll=poll)
        try:
            server.watcher.start()
        except OSError as exc:  # most often the system's limit on inotify watches
            raise ServeError(f"cannot watch {root} for changes: {exc.strerror or exc} (try --poll)") from None
        if not session.start().has_config:
            raise ServeError(not_a_site)
    except BaseException:
        server.close()
        raise
    return server


def serve(options: BuildOptions, host: str, port: int, *, poll: bool = False,
          report: Callable[[list[Diagnostic]], None] | None = None, allow_remote_edits: bool = False) -> None:
    """Run the preview until Ctrl-C (or SIGTERM), then stop cleanly."""
    server = open_preview(options, host, port, poll=poll, report=report, allow_remote_edits=allow_remote_edits)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    print(f"Serving {server.url}  (rebuilds on every save; Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print("stopped", flush=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
