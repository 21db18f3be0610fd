"""Where the CPU-seconds of a cold `sitegen build` go, and how far above the libraries' floor it is.

The build runs as a user runs it (`sitegen build`, its worker processes, search off so that
Pagefind's own binary, which no Python profiler sees, is measured apart), under py-spy, a sampling
profiler that reads the processes from outside (`pip install py-spy`; it slows them by a few per
cent at most). Each on-CPU sample is put in one row by the innermost frame that names a library or
a stage of sitegen; the CPU-seconds of a row are its share of the samples times the build's CPU
time (user + system, the workers' included), measured apart, without the profiler, as the median
of --runs builds. The floor is what the three libraries a build cannot do without cost inside it:
PyYAML's C loader, markdown-it-py and Jinja. A second figure, the same build with search, gives
what Pagefind adds.

    pip install py-spy
    python benchmarks/cpu_breakdown.py --size 1000

Not a test: its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import collections
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

from build_time import clear_site, corpus, set_search, sitegen_command  # noqa: E402

FLOOR = ("YAML (PyYAML, libyaml)", "Markdown (markdown-it-py)", "Jinja (templates)")

# (row, pattern of a frame's file, as py-spy names it: "sitegen/build.py", "yaml/parser.py",
# "<frozen importlib._bootstrap>"): the first row whose pattern the innermost frame's file matches,
# then the next frame out's, and so on. Libraries first, then sitegen by stage.
ROWS = [
    ("YAML (PyYAML, libyaml)", r"^yaml/"),
    ("Markdown (markdown-it-py)", r"^(markdown_it|mdit_py_plugins|linkify_it)/"),
    ("Jinja (templates)", r"^jinja2/|\.(html|xml|txt|js)$"),
    ("Babel (numbers, dates, plurals)", r"^babel/"),
    ("pickling for the cache and plans", r"^sitegen/cache/store\.py$|^(pickle|copyreg)\.py$"),
    ("start-up (imports)", r"^<frozen importlib|^importlib/"),
    ("hand-over between processes", r"^(multiprocessing|concurrent)/|^sitegen/workers\.py$"),
    ("writing files", r"^sitegen/write/|^(shutil|tempfile)\.py$"),
    ("load: front matter and threads checked", r"^sitegen/load/"),
    ("render an article: notes, comments, links", r"^sitegen/render/(articles|markdown|anchoring|sanitize|schema)"),
    ("model: records, site, taxonomy, people", r"^sitegen/model/"),
    ("plan every page", r"^sitegen/(render|cache)/plans\.py$"),
    ("make pages: views, feeds, sitemap", r"^sitegen/render/"),
    ("cache: digests, stamps, index", r"^sitegen/cache/|^hashlib\.py$"),
    ("build: stages and fingerprints", r"^sitegen/build\.py$"),
    ("the command line", r"^sitegen/cli\.py$|^sitegen$|^argparse\.py$"),
]
OTHER = "other (Python itself, the standard library)"
WAITING = re.compile(r"(Condition|Event)\.wait|\.select|_exit_when_orphaned|Queue\.get|_wait_for_tstate_lock|^wait")
"""Innermost frames of a thread that waits (on a worker, a pipe, a timer): py-spy cannot always tell
them from work, and they are not CPU time."""


def cpu_of_build(site: Path) -> float:
    """CPU-seconds (user + system) of one cold `sitegen build`, its workers included."""
    clear_site(site)
    process = subprocess.Popen([*sitegen_command(), "build", "--source", str(site)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"sitegen build failed:\n{process.stderr.read().decode()}")
    process.stderr.close()
    return usage.ru_utime + usage.ru_stime


def sampled_rows(site: Path, rate: int) -> collections.Counter:
    """Samples per row of one cold build under py-spy."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    clear_site(site)
    with tempfile.TemporaryDirectory() as work:
        raw = Path(work) / "samples.txt"
        subprocess.run([spy, "record", "--subprocesses", "--rate", str(rate), "--format", "raw", "--output",
                        str(raw), "--", *sitegen_command(), "build", "--source", str(site)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rows: collections.Counter = collections.Counter()
        for line in raw.read_text(encoding="utf-8").splitlines():
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            if not WAITING.search(frames[-1].partition(" (")[0]):
                rows[_row(frames)] += int(count)
    return rows


def _row(frames: list[str]) -> str:
    for frame in reversed(frames):  # innermost first; "function (file:line)", or "process N:..."
        file = frame[frame.rfind("(") + 1:frame.rfind(":")] if frame.endswith(")") else ""
        for row, pattern in ROWS:
            if re.search(pattern, file):
                return row
    return OTHER


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=int, default=250, help="py-spy's samples per second")
    parser.add_argument("--work", type=Path, help="where the corpus goes (default: a temporary folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    site = corpus(work, args.size)
    original = (site / "sitegen.yaml").read_text(encoding="utf-8")
    try:
        set_search(site, True)
        with_search = statistics.median(cpu_of_build(site) for _ in range(args.runs))
        set_search(site, False)
        started = time.perf_counter()
        total = statistics.median(cpu_of_build(site) for _ in range(args.runs))
        wall = (time.perf_counter() - started) / args.runs
        rows = sampled_rows(site, args.rate)
    finally:
        (site / "sitegen.yaml").write_text(original, encoding="utf-8")
    samples = sum(rows.values())
    print(f"cold `sitegen build` of {args.size:,} articles on {os.cpu_count()} cores, search off: "
          f"{total:.2f} CPU-s (median of {args.runs}; about {wall:.1f} s of wall time each); "
          f"{samples:,} samples")
    print(f"\n  {'where':<44} {'share':>6} {'CPU-s':>7}")
    for row, count in rows.most_common():
        print(f"  {row:<44} {count / samples:6.1%} {total * count / samples:7.2f}")
    floor = total * sum(rows[row] for row in FLOOR) / samples
    print(f"\n  the libraries' floor (YAML, Markdown, Jinja): {floor:.2f} CPU-s; the build is "
          f"{total / floor:.2f}x it (target 1.5x)")
    print(f"  with search: {with_search:.2f} CPU-s, Pagefind and its shards adding {with_search - total:.2f}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
