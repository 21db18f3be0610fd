"""Shared fixtures: run sitegen as a user would, and compare against goldens."""

from __future__ import annotations

import signal
import threading
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from browser import browser_page, chromium  # noqa: F401  (fixtures for the tests that need a real browser)
from sitegen.build import BuildOptions
from sitegen.cli import main
from sitegen.serve.server import open_preview

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


# The tests press Ctrl-C on the commands they start. A shell starts a background job with SIGINT
# ignored, and an ignored signal stays ignored in every program started from it: handled here, it
# reaches those commands wherever pytest runs.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/sites/*/expected/ and expected-errors.txt from the current output")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture(autouse=True)
def _fixed_environment(monkeypatch):
    """Goldens never depend on the machine: no locale, no build time."""
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def run_sitegen(args: list[str], capsys) -> tuple[int, str, str]:
    """Run the command line in this process: (exit code, stdout, stderr)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Make a site from {relative path: content}; a sitegen.yaml is added when absent."""
    files = {"sitegen.yaml": "title: Test\nbase_url: https://example.org/\ntimezone: UTC\n", **files}
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def tree_stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def article(title: str = "An article", date: str = "2020-01-02", body: str = "Body text.", **front) -> str:
    """An article file's text with the given front matter (values written as YAML flow)."""
    import yaml
    front = {"title": title, "date": date, **front}
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body + "\n"


@contextmanager
def running_preview(root: Path, poll: bool = False, host: str = "127.0.0.1", allow_remote_edits: bool = False,
                    **options):
    """`sitegen serve`'s server for the site at ROOT, on a free port, in a thread of this process.

    `options` are BuildOptions'. The PreviewServer it gives has a `log` list of the lines the
    preview printed.
    """
    log: list[str] = []
    server = open_preview(BuildOptions(source=root, **options), host, 0, poll=poll,
                          report=lambda diagnostics: log.extend(map(str, diagnostics)), log=log.append,
                          allow_remote_edits=allow_remote_edits)
    server.log = log
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="preview-under-test", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.close()
        thread.join(timeout=5)


@pytest.fixture
def start_preview():
    """`start(root, poll=False, **build_options)` starts a preview (see running_preview), stopped after
    the test."""
    with ExitStack() as stack:
        yield lambda root, **options: stack.enter_context(running_preview(root, **options))
