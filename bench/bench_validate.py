"""How long a whole `kg validate` process takes, cold, as CI runs it (hyperfine-like: repeated
subprocess runs, wall time, interpreter start and imports included).

    python3 bench/bench_validate.py [--runs 10] [--root .] [-- extra kg validate arguments]

Prints per command: wall time mean ± standard deviation, min, median, max over the runs, the median
CPU time (user+sys: less sensitive to other load on the machine) and the exit codes seen. The aim (issue 7) is under 2 s for the essay on the reference machine; the figures
are recorded in docs/validation.md. Speed is measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(cmd: list[str], runs: int, warmup: int = 1) -> tuple[list[float], list[float], set[int]]:
    codes: set[int] = set()
    for _ in range(warmup):  # fills the OS file cache, as hyperfine's --warmup
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        codes.add(done.returncode)
    return times, cpu, codes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--root", type=Path, default=ROOT)
    ap.add_argument("extra", nargs="*", help="extra arguments for kg validate (after --)")
    args = ap.parse_args()
    root = args.root.resolve()
    essay = sorted((root / "data" / "essays").iterdir())[0]
    one_file = sorted(essay.glob("*.ttl"))[0]
    commands = {
        "python -c pass (interpreter start)": [sys.executable, "-c", "pass"],
        "python -c 'import kg.cli' (imports)": [sys.executable, "-c", "import kg.cli"],
        "kg validate (the corpus)": [sys.executable, "-m", "kg", "--root", str(root), "-q", "validate", *args.extra],
        f"kg validate {one_file.relative_to(root)} (one changed file)":
            [sys.executable, "-m", "kg", "--root", str(root), "-q", "validate", str(one_file), *args.extra],
    }
    print(f"{args.runs} runs each, 1 warm-up; root {root}")
    for name, cmd in commands.items():
        times, cpu, codes = measure(cmd, args.runs)
        mean, sd = statistics.mean(times), statistics.stdev(times) if len(times) > 1 else 0.0
        print(f"{name}\n    {mean:.3f} s ± {sd:.3f}  (min {min(times):.3f}, median {statistics.median(times):.3f}, "
              f"max {max(times):.3f}); CPU (user+sys) median {statistics.median(cpu):.3f} s; exit codes {sorted(codes)}")


if __name__ == "__main__":
    main()
