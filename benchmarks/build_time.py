"""Build times and peak memory of `sitegen build` on generated digests: cold, warm, one edit.

For each size the corpus comes from make_site.py (deterministic). Every figure is a whole
`sitegen build` process, as a user or CI runs it (start-up included), timed from outside:

    cold       no output and no .sitegen-cache/
    warm       a build right after a build, nothing changed
    one edit   a build after one article (the middle one) got one more paragraph
    new title  a build after that article's title changed: every list that shows it is made
               again, and the site is planned again (an edit that changes what lists show)
    new comment  a build after a new comment on the middle article that has a thread: its
               page, its commenter's pages and feed, /comments/, /stats/ and the lists whose
               counts change are made again
    new article  a build after a new article, the newest, with a tag of its own: every page of
               the lists it joins shifts by one entry
    deleted article  a build after one of those new articles is deleted again

Each is the median of --runs runs, with min-max; peak RSS is the largest single process of the
build (workers included), as ../shared/bench measures the peers. The targets of issue 7 are
printed beside the figures, and the ratio to them (below 1.0 meets it).

    python benchmarks/build_time.py                    # 1,000 and 10,000 articles, 3 runs each
    python benchmarks/build_time.py --sizes 1000 --runs 5
    python benchmarks/build_time.py --sizes 100000     # on request: takes a long while
    python benchmarks/build_time.py --baseline ../old  # beside another checkout's sitegen, with ratios
    python benchmarks/build_time.py --checkout ../snapshot --baseline ../old   # neither the installed one

Not a test: its figures depend on the machine. Compare ratios taken in one run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))

from make_site import make_site  # noqa: E402

TARGETS = {  # seconds, from issue 7
    "warm": {1000: 0.5, 10000: 2.0},
    "one edit": {1000: 0.3, 10000: 1.0},
}


def sitegen_command() -> list[str]:
    installed = Path(sys.executable).parent / "sitegen"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "sitegen"]


def timed_build(site: Path, extra: list[str], source: Path | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB of the largest process, pages made) of one `sitegen build`; with
    `source`, of the sitegen in that checkout (run with this Python and its libraries)."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "sitegen"] if source else sitegen_command()
    # `python -m` imports from the current folder first: run in the checkout, so that its sitegen
    # is the one imported, not this one (nor one in the folder the benchmark was started from).
    process = subprocess.Popen([*command, "build", "--source", str(site.resolve()), *extra], cwd=source,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    summary = process.stdout.read().decode()  # one line: the build's summary
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"sitegen build failed in {site}:\n{process.stderr.read().decode()}")
    process.stderr.close()
    process.stdout.close()
    made = re.search(r"wrote (\d+) of", summary)
    # Linux reports KiB; the largest of the process and its workers.
    return wall, usage.ru_maxrss / 1024, int(made.group(1)) if made else 0


def corpus(work: Path, size: int) -> Path:
    """The digest of `size` articles in `work`, generated the first time it is asked for."""
    site = work / f"digest-{size}"
    if not (site / "sitegen.yaml").exists():
        started = time.perf_counter()
        make_site(site, size)
        print(f"(generated {size:,} articles in {time.perf_counter() - started:.1f} s)")
    return site


def clear_site(site: Path) -> None:
    """No output/ and no .sitegen-cache/: where a cold build starts."""
    shutil.rmtree(site / "output", ignore_errors=True)
    shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
    os.sync()  # the deletion's write-back is the file system's work, not the next process's


def set_search(site: Path, on: bool) -> None:
    """Turn the site's search on or off in its sitegen.yaml."""
    config = site / "sitegen.yaml"
    lines = [line for line in config.read_text().splitlines() if not line.startswith("search:")]
    config.write_text("\n".join(lines + ([] if on else ["search: false"])) + "\n")


def middle_article(site: Path) -> Path:
    articles = sorted((site / "content").rglob("*.md"))
    return articles[len(articles) // 2]


def thread_of(article: Path) -> Path:
    return article.parent / "comments.yaml" if article.name == "index.md" else article.with_suffix(".comments.yaml")


def middle_thread(site: Path) -> Path:
    threads = sorted(thread_of(a) for a in (site / "content").rglob("*.md") if thread_of(a).exists())
    return threads[len(threads) // 2]


def measure(site: Path, runs: int, extra: list[str], source: Path | None = None) -> dict[str, list[tuple]]:
    figures: dict[str, list[tuple]] = {"cold": [], "warm": [], "one edit": [], "new title": [], "new comment": [],
                                       "new article": [], "deleted article": []}
    for _ in range(runs):
        clear_site(site)
        figures["cold"].append(timed_build(site, extra, source))
    for _ in range(runs):
        figures["warm"].append(timed_build(site, extra, source))
    edited = middle_article(site)
    original = edited.read_text(encoding="utf-8")
    try:
        for run in range(runs):
            edited.write_text(original + f"\nOne more paragraph, edit {run + 1}.\n", encoding="utf-8")
            figures["one edit"].append(timed_build(site, extra, source))
        for run in range(runs):
            edited.write_text(original.replace("\ntitle: ", f"\ntitle: Retitled {run + 1} ", 1), encoding="utf-8")
            figures["new title"].append(timed_build(site, extra, source))
    finally:
        edited.write_text(original, encoding="utf-8")
    thread = middle_thread(site)
    original = thread.read_text(encoding="utf-8")
    try:
        for run in range(runs):  # by a regular of the corpus, as its last comment
            thread.write_text(original + f"- id: bench-{run + 1}\n  author: reader7\n  date: 2030-01-01 12:0{run}\n"
                                         f"  body: New comment {run + 1}.\n", encoding="utf-8")
            figures["new comment"].append(timed_build(site, extra, source))
    finally:
        thread.write_text(original, encoding="utf-8")
    added = [site / "content" / "2030" / f"bench-new-{run + 1}.md" for run in range(runs)]
    added[0].parent.mkdir(exist_ok=True)
    try:
        for run, path in enumerate(added):
            path.write_text(f"---\ntitle: New article {run + 1}\ndate: 2030-02-0{run + 1} 10:00\n"
                            f"tags: [bench-new-{run + 1}, NATO]\n---\nIts body.\n", encoding="utf-8")
            figures["new article"].append(timed_build(site, extra, source))
        for path in added:
            path.unlink()
            figures["deleted article"].append(timed_build(site, extra, source))
    finally:
        for path in added:
            path.unlink(missing_ok=True)
        added[0].parent.rmdir()
    return figures


def report_beside(size: int, figures: dict, baseline: dict) -> None:
    print(f"\n{size:,} articles, this checkout beside the baseline")
    print(f"  {'build':<11} {'median s':>9} {'baseline s':>11} {'ratio':>6} {'peak RSS MiB':>13} {'baseline':>9} "
          f"{'pages made':>11} {'baseline':>9}")
    for kind, runs in figures.items():
        mine, theirs = (statistics.median(run[0] for run in r) for r in (runs, baseline[kind]))
        print(f"  {kind:<11} {mine:9.3f} {theirs:11.3f} {mine / theirs:6.2f} "
              f"{max(run[1] for run in runs):13.1f} {max(run[1] for run in baseline[kind]):9.1f} "
              f"{runs[-1][2]:11} {baseline[kind][-1][2]:9}")


def report(size: int, figures: dict[str, list[tuple]]) -> None:
    print(f"\n{size:,} articles")
    print(f"  {'build':<11} {'median s':>9} {'min-max s':>13} {'peak RSS MiB':>13} {'target s':>9} {'ratio':>6} "
          f"{'pages made':>11}")
    for kind, runs in figures.items():
        walls = [run[0] for run in runs]
        target = TARGETS.get(kind, {}).get(size)
        median = statistics.median(walls)
        ratio = f"{median / target:6.2f}" if target else ""
        print(f"  {kind:<11} {median:9.3f} {min(walls):6.3f}-{max(walls):<6.3f} "
              f"{max(run[1] for run in runs):13.1f} {target if target else '':>9} {ratio:>6} {runs[-1][2]:11}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, help="passed to sitegen build --jobs (default: its own)")
    parser.add_argument("--work", type=Path, help="where the corpora go (default: a temporary folder)")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="also measure the sitegen in this checkout (e.g. a `git worktree` of an older commit)")
    parser.add_argument("--checkout", type=Path, metavar="CHECKOUT",
                        help="measure the sitegen in this checkout rather than the installed one (a snapshot "
                             "of the work in progress, which may then go on changing)")
    args = parser.parse_args()
    extra = ["--jobs", str(args.jobs)] if args.jobs else []
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    print(f"sitegen build, {args.runs} runs each, on {os.cpu_count()} cores; corpora in {work}")
    for size in args.sizes:
        site = corpus(work, size)
        figures = measure(site, args.runs, extra, args.checkout.resolve() if args.checkout else None)
        report(size, figures)
        if args.baseline:
            shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
            report_beside(size, figures, measure(site, args.runs, extra, args.baseline.resolve()))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
