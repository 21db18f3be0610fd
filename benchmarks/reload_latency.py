"""Save-to-reload latency of `sitegen serve`: from writing a file to the browser's new page load.

For each site, `sitegen serve` runs as a user runs it (its own process, port 0), headless
Chromium (Debian's, through Playwright) has an article open, and the benchmark saves an edit to
that article N times. The latency of one edit is the new page's load event, read in the browser
(performance.timeOrigin + loadEventStart), minus the moment just before the write; it splits
into "save -> navigation" (settling, rebuild, event) and "page load". Prints medians and the ratio
to the targets of issue 5: 150 ms on the example digest, 500 ms at 1,000 articles.

    python benchmarks/reload_latency.py                       # both sites, 10 edits each
    python benchmarks/reload_latency.py --articles 0          # the example digest only
    python benchmarks/reload_latency.py --profile             # and where one rebuild's time goes

Not a test: it takes a minute, and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path[:0] = [str(BENCHMARKS), str(REPO / "tests")]

from browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the tests' browser set-up, reused)
from make_site import make_site  # noqa: E402

EXAMPLE_ARTICLE = "content/2019/2019-11-28-macron-inf-moratorium.md"
EXAMPLE_NOTE = "Mach 27 is the Russian defence ministry's own figure"
TARGETS_MS = {"example digest": 150, "1,000 articles": 500}


@dataclass
class Edit:
    to_navigation: float
    page_load: float
    build: float | None
    """What the server said the rebuild took ("built in X s"), in ms."""

    @property
    def total(self) -> float:
        return self.to_navigation + self.page_load


class RunningServe:
    """`sitegen serve --port 0` in its own process, its output lines kept with their times."""

    def __init__(self, site: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "--source", str(site), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO)
        self.lines: list[tuple[float, str]] = []
        self.url: str | None = None
        started = threading.Event()

        def read():
            for line in self.process.stdout:
                self.lines.append((time.time(), line.rstrip("\n")))
                found = re.match(r"Serving (\S+)", line)
                if found:
                    self.url = found.group(1)
                    started.set()
            started.set()

        threading.Thread(target=read, daemon=True).start()
        if not started.wait(600) or self.url is None:
            raise SystemExit("sitegen serve did not start:\n" + "\n".join(line for _, line in self.lines))

    def build_ms_after(self, moment: float) -> float | None:
        for when, line in self.lines:
            found = re.search(r"built in ([\d.]+) s", line)
            if when >= moment and found:
                return float(found.group(1)) * 1000
        return None

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def measure(site: Path, article: Path, url_path: str, edit, count: int, browser) -> list[Edit]:
    original = article.read_text(encoding="utf-8")
    serve = RunningServe(site)
    page = browser.new_page()
    edits = []
    try:
        page.goto(serve.url + url_path)
        page.wait_for_function("window.sitegenLive !== undefined")
        for number in range(count):
            marker = f"benchmark edit {number} {time.time_ns()}"
            changed = edit(original, marker)
            time.sleep(0.5)  # let the page settle, so edits do not overlap
            written = time.time()
            article.write_text(changed, encoding="utf-8")
            page.wait_for_function(f"document.body && document.body.innerText.includes({marker!r})",
                                   timeout=120_000)
            page.wait_for_load_state("load")
            timing = page.evaluate("""() => {
                const entry = performance.getEntriesByType('navigation')[0];
                return {origin: performance.timeOrigin, load: entry.loadEventStart};
            }""")
            edits.append(Edit(timing["origin"] - written * 1000, timing["load"], serve.build_ms_after(written)))
    finally:
        article.write_text(original, encoding="utf-8")
        page.close()
        serve.stop()
    return edits


def example_digest(workdir: Path) -> tuple[Path, Path, str]:
    site = workdir / "example"
    site.mkdir()
    shutil.copy(REPO / "sitegen.yaml", site)
    for folder in ("content", "layouts"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, site / folder)
    return site, site / EXAMPLE_ARTICLE, "2019/11/macron-inf-moratorium/"


def generated_digest(workdir: Path, articles: int) -> tuple[Path, Path, str]:
    site = make_site(workdir / f"generated-{articles}", articles)
    article = sorted((site / "content").rglob("*.md"))[articles // 2]
    front = yaml.safe_load(article.read_text(encoding="utf-8").split("---\n")[1])
    date = str(front["date"])
    return site, article, f"{date[:4]}/{date[5:7]}/{front['slug']}/"


def edit_annotation(text: str, marker: str) -> str:
    """The issue's scenario: an editor changes an annotation's note."""
    return text.replace(EXAMPLE_NOTE, f"{EXAMPLE_NOTE} ({marker})", 1)


def edit_body(text: str, marker: str) -> str:
    return text.rstrip("\n") + f"\n\nAn added paragraph: {marker}.\n"


def report(name: str, edits: list[Edit]) -> None:
    def median(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else float("nan")

    total = median(e.total for e in edits)
    target = TARGETS_MS[name]
    print(f"{name:16} median {total:7.0f} ms save->load  (target {target} ms: {total / target:.2f}x)   "
          f"save->navigation {median(e.to_navigation for e in edits):6.0f} ms, "
          f"of which rebuild {median(e.build for e in edits):6.0f} ms; page load {median(e.page_load for e in edits):5.0f} ms"
          f"   [{len(edits)} edits: {', '.join(f'{e.total:.0f}' for e in edits)}]")


def profile_rebuild(site: Path, article: Path) -> None:
    """One rebuild after one edit, as the preview does it (a warm BuildCache), under cProfile."""
    from sitegen.build import BuildCache, BuildOptions, build_site

    options, cache = BuildOptions(source=site), BuildCache()
    build_site(options, cache)
    original = article.read_text(encoding="utf-8")
    article.write_text(edit_body(original, "profiled edit"), encoding="utf-8")
    started = time.perf_counter()
    build_site(options, cache)
    plain = time.perf_counter() - started
    article.write_text(edit_body(original, "profiled edit 2"), encoding="utf-8")
    profiler = cProfile.Profile()
    profiler.enable()
    result = build_site(options, cache)
    profiler.disable()
    article.write_text(original, encoding="utf-8")
    print(f"\none rebuild after one edit: {plain * 1000:.0f} ms without the profiler; {result.stats}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"sitegen|jinja2/environment.py.*\(render\)|ElementTree.py.*\(tostring\)", 30)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--articles", type=int, default=1000, help="the generated site's size; 0 skips it")
    parser.add_argument("--profile", action="store_true", help="also profile one rebuild of the generated site")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as workdir, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        site, article, url_path = example_digest(Path(workdir))
        report("example digest", measure(site, article, url_path, edit_annotation, args.edits, browser))
        if args.articles:
            site, article, url_path = generated_digest(Path(workdir), args.articles)
            name = "1,000 articles" if args.articles == 1000 else f"{args.articles:,} articles"
            TARGETS_MS.setdefault(name, TARGETS_MS["1,000 articles"])
            report(name, measure(site, article, url_path, edit_body, args.edits, browser))
            if args.profile:
                profile_rebuild(site, article)
        browser.close()


if __name__ == "__main__":
    main()
