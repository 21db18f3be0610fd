"""Two sitegen checkouts alternated build by build, each on its own copy of one digest: what one
edit costs in each, as a ratio, on a machine whose speed drifts within minutes.

    python benchmarks/make_site.py --articles 10000 --out /tmp/new
    cp -r /tmp/new /tmp/old
    git worktree add ../old 1d89915
    python benchmarks/alternate.py --new . /tmp/new --old ../old /tmp/old --cold
    python benchmarks/alternate.py --new . /tmp/new --old ../old /tmp/old --edit paragraph --runs 5

Each round makes the same edit (build_phases.py's: none, paragraph, title, comment) in both
sites, then builds the old one and the new one, each a whole `sitegen build` process of its own
checkout, timed from outside: wall time, CPU time (user and system, workers included) and the
peak RSS of the largest process. It prints every run, then the medians and the ratios new / old.

--cold builds both sites from nothing first; after that, each keeps its cache. The code's digest
(cache/code.py) is fixed for both (`benchmark-fixed-code`), so a cache stays valid while the new
checkout's code is edited between runs: valid only for a change that leaves every output byte as
it was, which is what a speed change must do anyway (the tests check it).

Not a test: its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))

from build_phases import edit  # noqa: E402
from build_time import clear_site  # noqa: E402

FIXED_DIGEST = """import sys, sitegen.cache
sitegen.cache.code_digest = lambda: "benchmark-fixed-code"
from sitegen.cli import main
sys.exit(main(sys.argv[1:]))
"""


def timed_build(checkout: Path, site: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS MiB) of one `sitegen build` of `site` by the sitegen in `checkout`."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", FIXED_DIGEST, "build", "--source", str(site)],
                               cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    errors = process.stderr.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"sitegen build failed in {site}:\n{errors}")
    process.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new", nargs=2, type=Path, required=True, metavar=("CHECKOUT", "SITE"))
    parser.add_argument("--old", nargs=2, type=Path, required=True, metavar=("CHECKOUT", "SITE"))
    parser.add_argument("--edit", choices=["none", "paragraph", "title", "comment"], default="paragraph")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="first build both sites from nothing")
    args = parser.parse_args()
    versions = {"old": [path.resolve() for path in args.old], "new": [path.resolve() for path in args.new]}
    if args.cold:
        for name, (checkout, site) in versions.items():
            clear_site(site)
            wall, cpu, rss = timed_build(checkout, site)
            print(f"{name} cold: {wall:.1f} s, CPU {cpu:.1f} s, peak {rss} MiB", flush=True)
    figures: dict[str, list[tuple[float, float, int]]] = {name: [] for name in versions}
    for _ in range(args.runs):
        for name, (checkout, site) in versions.items():
            if args.edit != "none":
                edit(site, args.edit)
            figures[name].append(timed_build(checkout, site))
            wall, cpu, rss = figures[name][-1]
            print(f"{name} {args.edit}: {wall:.2f} s, CPU {cpu:.2f} s, peak {rss} MiB", flush=True)
    medians = {name: [statistics.median(run[i] for run in runs) for i in (0, 1)] for name, runs in figures.items()}
    for name, (wall, cpu) in medians.items():
        print(f"{name}: median {wall:.2f} s, CPU {cpu:.2f} s, peak {max(run[2] for run in figures[name])} MiB "
              f"({args.runs} runs)")
    print(f"new / old: {medians['new'][0] / medians['old'][0]:.3f} (wall), "
          f"{medians['new'][1] / medians['old'][1]:.3f} (CPU)")


if __name__ == "__main__":
    main()
