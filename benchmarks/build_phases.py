"""Where one `sitegen build` spends its time and memory, stage by stage, after one edit.

The build runs in this process, as `sitegen build` runs it (its workers included), with each
stage of sitegen/build.py timed: scanning the sources, loading the articles (reading the cache's
index among them), planning (reading the plans' table, planning the parts that changed), making
and writing the pages, the output's stamp, saving the cache. Beside each stage: the largest RSS
of this process while it ran, sampled every 20 ms (Linux: /proc/self/status). The workers'
memory is not in it; build_time.py measures the largest process of a whole build.

    python benchmarks/build_phases.py /tmp/digest-10000 --edit paragraph
    python benchmarks/build_phases.py /tmp/digest-10000 --edit cold   # deletes output/ and .sitegen-cache/

Edits, as build_time.py makes them: cold, none, paragraph, title, comment. The corpus comes from
make_site.py. Not a test: its figures depend on the machine, and it times sitegen's internals
by name, so a renamed stage must be renamed here too.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import threading
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))

from build_time import clear_site, middle_article, middle_thread  # noqa: E402

from sitegen import build  # noqa: E402
from sitegen.cache import BuildCache  # noqa: E402
from sitegen.cache.plans import Planned  # noqa: E402
from sitegen.cli import main as sitegen_main  # noqa: E402

STAGES = [  # (owner, attribute, label), in the order a build runs them
    (build._Build, "scan", "scan the sources"),
    (build._Build, "load", "load the articles"),
    (BuildCache, "_read_tables", "  read the index"),
    (build._Build, "plan", "plan"),
    (Planned, "load", "  read the plans' table"),
    (build, "plan_site", "  plan the parts that changed"),
    (build._Build, "make_and_write", "make and write"),
    (build, "output_stamp", "the output's stamp"),
    (BuildCache, "save", "save the cache"),
]


def edit(site: Path, kind: str) -> None:
    mark = time.time_ns()
    if kind == "cold":
        clear_site(site)
    elif kind == "paragraph":
        article = middle_article(site)
        article.write_text(article.read_text(encoding="utf-8") + f"\nOne more paragraph, {mark}.\n", encoding="utf-8")
    elif kind == "title":
        article = middle_article(site)
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("\ntitle: ", f"\ntitle: Retitled {mark} ", 1), encoding="utf-8")
    elif kind == "comment":
        thread = middle_thread(site)
        thread.write_text(thread.read_text(encoding="utf-8") + f"- id: phases-{mark}\n  author: reader7\n"
                          f"  date: 2030-01-01 12:00\n  body: New comment {mark}.\n", encoding="utf-8")


def rss_mib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


class Phases:
    """Wall time and peak RSS of each stage, by label; the innermost running stage gets the samples."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.peak: dict[str, int] = {}
        self.running = ["start"]

    def wrap(self, owner, attribute: str, label: str) -> None:
        function = getattr(owner, attribute)

        @functools.wraps(function)
        def timed(*args, **kwargs):
            self.running.append(label)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
                self.running.pop()
        setattr(owner, attribute, timed)

    def sample(self) -> None:
        while True:
            label = self.running[-1]
            self.peak[label] = max(self.peak.get(label, 0), rss_mib())
            time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--edit", choices=["cold", "none", "paragraph", "title", "comment"], default="paragraph")
    args = parser.parse_args()
    phases = Phases()
    for owner, attribute, label in STAGES:
        phases.wrap(owner, attribute, label)
    edit(args.site, args.edit)
    os.chdir(args.site)
    threading.Thread(target=phases.sample, daemon=True).start()
    started = time.perf_counter()
    sitegen_main(["build"])
    total = time.perf_counter() - started
    time.sleep(0.05)
    print(f"\n{args.edit} build of {args.site}: {total:.2f} s, peak RSS of this process {max(phases.peak.values())} MiB")
    for _, _, label in STAGES:
        if label in phases.seconds:
            print(f"  {label:<32} {phases.seconds[label]:7.2f} s  {phases.peak.get(label, 0):6} MiB")


if __name__ == "__main__":
    main()
