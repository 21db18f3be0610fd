"""How long `sitegen serve` takes to show its first page, and its peak memory.

For each size the corpus comes from make_site.py (deterministic). Each figure is a whole
`sitegen serve --port 0` process, as a user starts it, timed from its start to the first answer of
the site's home page (the preview answers once its first build is done), then stopped with Ctrl-C:

    cold          no output/ and no .sitegen-cache/
    after build   right after a `sitegen build` of the same site
    after serve   right after a preview of the same site was stopped
    after edit    a preview stopped, one article edited (a paragraph more), the preview started again

Each is the median of --runs runs, with min-max; peak RSS is the largest single process of the
preview (its build workers included). Beside them, `sitegen build`'s cold time on the same corpus.

    python benchmarks/preview_start.py --sizes 1000 10000 --runs 3
    python benchmarks/preview_start.py --sizes 10000 --no-cold          # the starts from a cache only
    python benchmarks/preview_start.py --checkout ../snapshot --baseline ../old   # two checkouts, ratios

Not a test: its figures depend on the machine. Compare ratios taken in one run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))

from build_time import clear_site, corpus, middle_article, sitegen_command, timed_build  # noqa: E402

KINDS = ("cold", "after build", "after serve", "after edit")


def timed_preview(site: Path, source: Path | None) -> tuple[float, float]:
    """(seconds from start to the home page's first answer, peak RSS MiB) of one `sitegen serve`."""
    command = [sys.executable, "-m", "sitegen"] if source else sitegen_command()
    started = time.perf_counter()
    process = subprocess.Popen([*command, "serve", "--source", str(site.resolve()), "--port", "0"], cwd=source,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    for line in process.stdout:
        if found := re.search(r"Serving (\S+)", line):
            url = found.group(1)
            break
    if url is None:
        raise SystemExit(f"sitegen serve did not start in {site}:\n{process.stderr.read()}")
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    wall = time.perf_counter() - started
    process.send_signal(signal.SIGINT)
    _, _, usage = os.wait4(process.pid, 0)
    process.stdout.close()
    process.stderr.close()
    return wall, usage.ru_maxrss / 1024


def measure(site: Path, runs: int, source: Path | None, cold: bool = True) -> dict[str, list[tuple[float, float]]]:
    figures: dict[str, list[tuple[float, float]]] = {kind: [] for kind in KINDS if cold or kind != "cold"}
    if cold:
        figures["build, cold"] = []
    for _ in range(runs):
        if cold:
            clear_site(site)
            figures["cold"].append(timed_preview(site, source))
            clear_site(site)
            figures["build, cold"].append(timed_build(site, [], source)[:2])
        else:
            timed_build(site, [], source)
        figures["after build"].append(timed_preview(site, source))
        figures["after serve"].append(timed_preview(site, source))
    edited = middle_article(site)
    original = edited.read_text(encoding="utf-8")
    try:
        for run in range(runs):
            edited.write_text(original + f"\nOne more paragraph, edit {run + 1}.\n", encoding="utf-8")
            figures["after edit"].append(timed_preview(site, source))
    finally:
        edited.write_text(original, encoding="utf-8")
    return figures


def report(size: int, figures: dict, baseline: dict | None) -> None:
    print(f"\n{size:,} articles" + (", this checkout beside the baseline" if baseline else ""))
    print(f"  {'start':<12} {'median s':>9} {'min-max s':>13} {'peak RSS MiB':>13}"
          + (f" {'baseline s':>11} {'ratio':>6} {'RSS MiB':>8}" if baseline else ""))
    for kind, runs in figures.items():
        walls = [run[0] for run in runs]
        line = (f"  {kind:<12} {statistics.median(walls):9.3f} {min(walls):6.3f}-{max(walls):<6.3f} "
                f"{max(run[1] for run in runs):13.1f}")
        if baseline:
            theirs = statistics.median(run[0] for run in baseline[kind])
            line += (f" {theirs:11.3f} {statistics.median(walls) / theirs:6.2f}"
                     f" {max(run[1] for run in baseline[kind]):8.1f}")
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-cold", action="store_true",
                        help="only the starts from a cache (the cold ones take minutes at 10,000 articles)")
    parser.add_argument("--work", type=Path, help="where the corpora go (default: a temporary folder)")
    parser.add_argument("--checkout", type=Path, metavar="CHECKOUT",
                        help="measure the sitegen in this checkout rather than the installed one")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="also measure the sitegen in this checkout, and print the ratios")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    print(f"sitegen serve, {args.runs} runs each, on {os.cpu_count()} cores; corpora in {work}")
    for size in args.sizes:
        site = corpus(work, size)
        cold = not args.no_cold
        figures = measure(site, args.runs, args.checkout.resolve() if args.checkout else None, cold)
        baseline = measure(site, args.runs, args.baseline.resolve(), cold) if args.baseline else None
        report(size, figures, baseline)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
