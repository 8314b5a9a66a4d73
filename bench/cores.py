"""How many cores one build keeps busy, moment by moment: ``python bench/cores.py [RUNS] [--trace] [-- COMMAND …]``.

Runs COMMAND (default: this repository's essay built cold, ``python -m kg -q build --no-cache`` into
``/tmp/kg-cores-out``, the folder of the run before) RUNS times (default 3), reading the machine's
CPU time from ``/proc/stat`` every 20 ms while it runs, and prints for each run its wall time, the
CPU it and its processes used, and where the machine had fewer cores busy than it has:

- the *head*: from the start until two thirds of the cores are first busy for two readings in a row
  (a build's first steps run in one process: interpreter, imports, loading and compiling the data);
- the *tail*: from the last such reading to the end (the last steps, in one process again);
- the *middle* between them, with its mean number of busy cores and the core-seconds left idle.

With ``--trace`` each run's readings are printed too, a tenth of a second a line, as the seconds
since the start and the busy cores (``12.3 1.9``), to see where the middle leaves a core idle.

On a machine that does nothing else this is the build's own shape: a build is CPU-bound where the
middle's mean is close to the number of cores, and then its wall time is close to *head + the
middle's CPU / cores + tail*. The other processes of the machine count too, so run it on a quiet
hour and read the median. Linux only (``/proc/stat``)."""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PERIOD = 0.02  # seconds between two readings
OUT = "/tmp/kg-cores-out"


def _ticks() -> tuple[int, int]:
    """(all, idle) jiffies of every core so far."""
    with open("/proc/stat", encoding="ascii") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    return sum(values), values[3] + values[4]  # idle and iowait


def trace(command: list[str], cores: int) -> dict:
    """One run of ``command``: wall time, CPU of its processes, and [(seconds, busy cores)]."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # the compiled code kept
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    last = _ticks()
    proc = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL)
    readings = []
    while proc.poll() is None:
        time.sleep(PERIOD)
        now = _ticks()
        spent = now[0] - last[0]
        busy = cores * (1 - (now[1] - last[1]) / spent) if spent else 0.0
        readings.append((time.perf_counter() - start, busy))
        last = now
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: exit {proc.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "readings": readings}


def shape(readings: list[tuple[float, float]], wall: float, cores: int) -> dict:
    """The head, middle and tail of one run's readings (see the module's docstring)."""
    full = 2 * cores / 3
    busy = [i for i in range(len(readings) - 1) if readings[i][1] >= full and readings[i + 1][1] >= full]
    if not busy:
        return {"head": wall, "tail": 0.0, "middle": 0.0, "mean": 0.0, "idle": 0.0}
    first, last = busy[0], busy[-1] + 1
    head = readings[first - 1][0] if first else 0.0
    tail = wall - readings[last][0]
    middle = readings[first:last + 1]
    mean = statistics.fmean(b for _t, b in middle)
    span = readings[last][0] - head
    return {"head": head, "tail": tail, "middle": span, "mean": mean, "idle": span * (cores - mean)}


def main() -> None:
    args = sys.argv[1:]
    show = "--trace" in args[:args.index("--") if "--" in args else len(args)]
    if show:
        args.remove("--trace")
    command = [sys.executable, "-m", "kg", "-q", "build", "--no-cache", "--output", OUT]
    if "--" in args:
        i = args.index("--")
        command, args = args[i + 1:], args[:i]
    runs = int(args[0]) if args else 3
    cores = os.cpu_count() or 1
    print(f"{' '.join(command)}: {runs} runs, {cores} cores, a reading every {PERIOD * 1000:.0f} ms")
    rows = []
    for n in range(runs):
        run = trace(command, cores)
        s = shape(run["readings"], run["wall"], cores)
        rows.append((run, s))
        if show:
            for t0 in range(int(run["wall"] * 10) + 1):
                inside = [b for t, b in run["readings"] if t0 / 10 <= t < (t0 + 1) / 10]
                if inside:
                    print(f"{t0 / 10:6.1f} {statistics.fmean(inside):.1f}")
        print(f"run {n + 1}: wall {run['wall']:.2f} s, CPU {run['cpu']:.2f} s; head {s['head']:.2f} s, "
              f"middle {s['middle']:.2f} s at {s['mean']:.2f} cores ({s['idle']:.2f} core-s idle), "
              f"tail {s['tail']:.2f} s")
    if runs > 1:
        def med(get) -> float:  # noqa: ANN001
            return statistics.median(get(r) for r in rows)
        print(f"median: wall {med(lambda r: r[0]['wall']):.2f} s, CPU {med(lambda r: r[0]['cpu']):.2f} s, "
              f"head {med(lambda r: r[1]['head']):.2f} s, middle {med(lambda r: r[1]['middle']):.2f} s "
              f"at {med(lambda r: r[1]['mean']):.2f} cores, tail {med(lambda r: r[1]['tail']):.2f} s")


if __name__ == "__main__":
    main()
