"""What search costs: builds with and without it, side by side, and a reader's first query in
Chromium. On a generated digest (make_site.py; one comment of the middle thread gets the word
"zanzibarite", found nowhere else):

    cold       no output and no .sitegen-cache/, with search (the default) and with `search: false`
    one edit   a build after the middle article got one more paragraph, with search
    no change  a build right after a build: the index's files must be untouched (inode and time)
    index      its size on disk and its number of files
    first query  in a fresh Chromium profile, /search/ opened, two seconds to type a query, Enter:
               the bytes the browser fetched in all (its network log, the page itself and its
               stylesheet aside) and from Enter on, as served here (Python's http.server
               compresses nothing; Pagefind's index files are gzip already) and as GitHub Pages
               serves them (JavaScript gzipped), and the time from Enter to the first result
               drawn; and, for the same query, a reader who arrives with it in the URL (the
               header's search field): everything fetched, and the time from opening the page

Build figures are medians of --runs whole `sitegen build` processes (min-max beside them), the
two kinds of cold build taken in turn so that both see the same machine.

    python benchmarks/search.py                              # 10,000 articles, 3 runs
    python benchmarks/search.py --size 1000 --runs 5
    python benchmarks/search.py --checkout ../snapshot       # the sitegen of that checkout

Not a test: its figures depend on the machine. Compare ratios taken in one run.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))

from build_time import clear_site, middle_article, middle_thread, set_search, timed_build  # noqa: E402
from make_site import BASE_URL, make_site  # noqa: E402

RARE = "zanzibarite"
QUERIES = (RARE, "hypersonic moratorium", "the")
CHROMIUM = os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium")


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def cold(site: Path, source: Path | None) -> tuple[float, float, int]:
    clear_site(site)
    return timed_build(site, [], source)


def median(runs: list[tuple]) -> str:
    walls = [run[0] for run in runs]
    return f"{statistics.median(walls):8.2f} s  ({min(walls):.2f}-{max(walls):.2f})"


def measure_builds(site: Path, runs: int, source: Path | None) -> None:
    with_search, without = [], []
    for _ in range(runs):
        set_search(site, False)
        without.append(cold(site, source))
        set_search(site, True)
        with_search.append(cold(site, source))
    ratio = statistics.median(r[0] for r in with_search) / statistics.median(r[0] for r in without)
    print(f"  cold, search: false    {median(without)}  peak RSS {max(r[1] for r in without):.0f} MiB")
    print(f"  cold, with search      {median(with_search)}  peak RSS {max(r[1] for r in with_search):.0f} MiB"
          f"   ratio {ratio:.2f} (target 1.25)")
    index = site / "output" / "pagefind"
    before = tree(index)
    unchanged = timed_build(site, [], source)
    print(f"  no change              {unchanged[0]:8.2f} s   index files touched: "
          f"{sum(1 for name, stamp in tree(index).items() if before.get(name) != stamp)} of {len(before)}")
    edited = middle_article(site)
    original = edited.read_text(encoding="utf-8")
    edits = []
    try:
        for run in range(runs):
            edited.write_text(original + f"\nOne more paragraph, edit {run + 1}.\n", encoding="utf-8")
            edits.append(timed_build(site, [], source))
    finally:
        edited.write_text(original, encoding="utf-8")
    print(f"  one edit, with search  {median(edits)}  pages made {edits[-1][2]} (target 2 s)")
    files = [p for p in index.rglob("*") if p.is_file()]
    on_disk = sum(p.stat().st_blocks * 512 for p in files)
    print(f"  index                  {len(files):,} files in {len(list(index.iterdir()))} shards, "
          f"{sum(p.stat().st_size for p in files) / 1e6:.1f} MB ({on_disk / 1e6:.1f} MB on disk)")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


FIRST_RESULT = """() => { window.firstResult = new Promise(resolve => {
    document.querySelector('[data-search]').addEventListener('submit', () => {
        const start = performance.now();
        new MutationObserver((_, observer) => {
            if (document.querySelector('.search-hit')) { observer.disconnect(); resolve(performance.now() - start); }
        }).observe(document.querySelector('.search-results'), {childList: true, subtree: true});
    }, {once: true, capture: true}); }); }"""


def measure_queries(site: Path) -> None:
    from playwright.sync_api import sync_playwright
    root = Path(tempfile.mkdtemp(prefix="sitegen-serve-"))
    base = BASE_URL.split("/", 3)[3]  # "digest/"
    (root / base.rstrip("/")).symlink_to((site / "output").resolve(), target_is_directory=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"

    def size(request) -> int:
        sizes = request.sizes()
        return sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def as_pages_serves(request) -> int:
        if request.url.endswith(".js"):
            return len(gzip.compress(Path(root, request.url.split("/", 3)[3]).read_bytes()))
        return request.sizes()["responseBodySize"]

    print(f"  {'first query':<24} {'in all':>9} {'from Enter':>11} {'as Pages serves':>16} {'Enter to result':>16}"
          f" {'from the URL':>13}")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless=new"])
            for query in QUERIES:
                # A reader who opens /search/ and types.
                context = browser.new_context()
                page = context.new_page()
                requests = []  # the page's and its worker's
                page.on("requestfinished", lambda request: requests.append(request))
                page.goto(f"{origin}{base}search/")
                page.wait_for_timeout(2000)  # typing
                page.evaluate(FIRST_RESULT)
                page.fill("#search-q", query)
                seen = len(requests)
                page.press("#search-q", "Enter")
                took = page.evaluate("window.firstResult")
                page.wait_for_timeout(300)  # the last responses' events
                after_enter = requests[seen:]
                index = [r for r in requests if "/pagefind/" in r.url or r.url.endswith("/search.js")]
                total, from_enter = sum(map(size, index)), sum(map(size, after_enter))
                pages = sum(map(as_pages_serves, index))
                context.close()
                # A reader who arrives with the query in the URL (the header's search field).
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{origin}{base}search/?q={query}")
                page.locator(".search-hit").first.wait_for(timeout=60_000)
                arrived = page.evaluate("performance.now()")
                context.close()
                print(f"  {query!r:<24} {total / 1000:6.0f} kB {from_enter / 1000:8.0f} kB {pages / 1000:13.0f} kB"
                      f" {took:13.0f} ms {arrived:10.0f} ms")
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="where the corpus goes (default: a temporary folder)")
    parser.add_argument("--checkout", type=Path, metavar="CHECKOUT",
                        help="measure the sitegen in this checkout rather than the installed one")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    site = work / f"digest-{args.size}"
    if not (site / "sitegen.yaml").exists():
        make_site(site, args.size)
        thread = middle_thread(site)
        thread.write_text(thread.read_text(encoding="utf-8").replace("body: ", f"body: {RARE} ", 1), encoding="utf-8")
    print(f"search, {args.size:,} articles, {args.runs} runs each, on {os.cpu_count()} cores; corpus in {site}")
    measure_builds(site, args.runs, args.checkout.resolve() if args.checkout else None)
    measure_queries(site)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
