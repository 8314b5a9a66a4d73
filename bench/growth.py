"""Which functions' time grows faster than the corpus: two py-spy profiles of the same work at two
corpus sizes compared function by function.

    py-spy record --subprocesses -r 200 -f raw -o small.txt -- python -m kg -q --root CORPUS_100K build --no-cache --output OUT
    py-spy record --subprocesses -r 50 -f raw -o large.txt -- python -m kg -q --root CORPUS_1M build --no-cache --output OUT
    python bench/growth.py small.txt 200 large.txt 50 [--min 0.5] [--ratio 15] [--top 40]

py-spy's ``raw`` format is one line a distinct stack (its frames joined by ``;``, the process first)
and the number of samples taken in it. A function's seconds are its samples over the sampling rate
(``RATE``, samples a second) counted inclusively: each stack that holds the function, once however
often it recurs there. A function is named by its name and the file and line its frame stood at
(``render_site pages.py:775``), so that two calls from one function are told apart; the processes'
own frames are left out (with ``--subprocesses`` each process's frame names its id). Printed: the
seconds at each size and their ratio, the largest ratios first, for the functions of at least
``--min`` seconds in the large profile whose ratio is at least ``--ratio``.

The corpus grows ten-fold from 100 k to 1 M triples; a function that grows 40 or 160 times does
something per item over all the items (docs/performance.md, the thirty-sixth round: a summary page
that ordered every section of the corpus). Ratios of 10 to 25 are the corpus's growth plus the cache
misses of larger dictionaries and the sharing of two cores; the two profiles are samples, so a
function with few samples at the small size has a ratio worth little."""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def frame_key(frame: str) -> str:
    """``name file:line`` of a py-spy frame ``name (path/to/file.py:line)``; a frame of another
    form (a process's line) as it is."""
    name, sep, where = frame.partition(" (")
    if not sep:
        return frame
    return f"{name} {where.rstrip(')').rsplit('/', 1)[-1]}"


def inclusive_seconds(lines, rate: float) -> Counter:  # noqa: ANN001 - an iterable of text lines
    """{function: seconds} of a raw profile's lines, each function counted once per stack."""
    seconds: Counter = Counter()
    for line in lines:
        line = line.rstrip("\n")
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        # a process's frame (``process PID:"command"``) is no function, and its id differs between runs
        for key in {frame_key(f) for f in stack.split(";") if not f.startswith("process ")}:
            seconds[key] += int(count) / rate
    return seconds


def growth(small: Counter, large: Counter, at_least: float = 0.5, ratio: float = 15.0) -> list[tuple[str, float, float, float]]:
    """``(function, small seconds, large seconds, ratio)`` of the functions of at least ``at_least``
    seconds in ``large`` growing at least ``ratio`` times (a function absent from ``small`` grows
    infinitely), the largest ratio first, then the largest time, then by name."""
    rows = []
    for key, big in large.items():
        if big < at_least:
            continue
        little = small.get(key, 0.0)
        r = big / little if little else float("inf")
        if r >= ratio:
            rows.append((key, little, big, r))
    rows.sort(key=lambda row: (-row[3], -row[2], row[0]))
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("small", type=Path)
    ap.add_argument("small_rate", type=float)
    ap.add_argument("large", type=Path)
    ap.add_argument("large_rate", type=float)
    ap.add_argument("--min", type=float, default=0.5, help="seconds in the large profile (default 0.5)")
    ap.add_argument("--ratio", type=float, default=15.0, help="growth from the small to the large (default 15)")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args(argv)
    with args.small.open(encoding="utf-8", errors="replace") as fh:
        small = inclusive_seconds(fh, args.small_rate)
    with args.large.open(encoding="utf-8", errors="replace") as fh:
        large = inclusive_seconds(fh, args.large_rate)
    print(f"{'small s':>9} {'large s':>9} {'ratio':>8}  function")
    for key, little, big, r in growth(small, large, args.min, args.ratio)[:args.top]:
        shown = "new" if r == float("inf") else f"{r:.1f}x"
        print(f"{little:9.2f} {big:9.2f} {shown:>8}  {key}")


if __name__ == "__main__":
    main()
