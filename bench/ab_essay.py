"""The essay's cold build, two trees interleaved: ``python bench/ab_essay.py OLD NEW [RUNS] [--again]``.

OLD and NEW are checkouts of this repository (e.g. ``git worktree add /tmp/old HEAD~1``); each run
builds this repository's project with ``kg -q build --no-cache`` into a new folder, the tree put
first on the path (``python -P``, so that the working folder does not shadow it), alternating which
tree goes first. Prints, per tree, the minimum and median of the wall time and of the CPU (the build
and every process it started) over RUNS runs (default 10). The machine's speed drifts from one
minute to the next, so a comparison is only worth its interleaving.

With ``--again`` each tree builds into one folder of its own, built once before the measured runs:
the case of ``kg build --no-cache`` run again where ``output/`` is (each page compared with the last
build's file and linked, not created). Without it, into a new folder each run, whose 13,600 files
are created; on ext4 creating them costs several times more for some time after many files were
removed anywhere on the file system (the kernel's inode allocator skips the recently freed ones:
``recently_deleted`` in ``perf``), so that figure moves with what the machine did before."""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def one(tree: Path, out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one cold build with ``tree``'s code into ``out`` (a new folder: the
    folders are removed after the last run, not between runs, because this machine's file system
    creates files up to ten times slower for some seconds after many were removed, which would put
    one run's removal into the next run's time)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # keep the compiled code
    env["PYTHONPATH"] = str(tree)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-P", "-c", "from kg.cli import entry; entry()", "-q", "build",
                           "--no-cache", "--output", str(out)], env=env, cwd=PROJECT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: the build exited with {done.returncode}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--again"]
    again = len(args) < len(sys.argv) - 1
    if len(args) not in (2, 3):
        raise SystemExit(__doc__.splitlines()[0])
    trees = {"old": Path(args[0]).resolve(), "new": Path(args[1]).resolve()}
    runs = int(args[2]) if len(args) == 3 else 10
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="kg-ab-") as tmp:
        if again:
            for name in trees:
                one(trees[name], Path(tmp) / name)
        for i in range(runs):
            for name in (("old", "new") if i % 2 == 0 else ("new", "old")):
                results[name].append(one(trees[name], Path(tmp) / (name if again else f"{name}-{i}")))
    for name, rows in results.items():
        walls, cpus = [r[0] for r in rows], [r[1] for r in rows]
        print(f"{name} {trees[name]}: wall min {min(walls):.2f} s, median {statistics.median(walls):.2f} s; "
              f"CPU min {min(cpus):.2f} s, median {statistics.median(cpus):.2f} s ({runs} runs"
              f"{', into the same folder' if again else ''})")


if __name__ == "__main__":
    main()
