"""Draw the benchmark's cost curves: each stage's time and peak memory against the corpus size, on
log-log axes, with a line of linear growth through the first size's total for reference. Writes
``bench-time.svg`` and ``bench-memory.svg``; the SVG is deterministic (fixed hash salt, no date), so
the same figures give the same bytes."""
from __future__ import annotations

from pathlib import Path

STAGES = ("load", "enrich", "render", "validate", "finish", "write")


def _setup():  # noqa: ANN202
    import matplotlib

    matplotlib.use("svg")
    matplotlib.rcParams["svg.hashsalt"] = "kg-bench"
    matplotlib.rcParams["font.family"] = "DejaVu Sans"
    import matplotlib.pyplot as plt

    return plt


def series(results: dict, section: str, key: str) -> tuple[list[int], dict[str, list[float]]]:
    sizes = list(results["sizes"])
    xs = [results["sizes"][s]["triples"] for s in sizes]
    out: dict[str, list[float]] = {}
    names = [n for n in results["sizes"][sizes[0]].get(section, {})]
    for n in names:
        ys = [results["sizes"][s][section].get(n, {}).get(key) for s in sizes]
        if all(y for y in ys):
            out[n] = ys
    return xs, out


def _figure(plt, xs, lines: dict[str, list[float]], ylabel: str, title: str, reference: list[float] | None, path: Path) -> None:  # noqa: ANN001
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, ys in lines.items():
        ax.plot(xs, ys, marker="o", label=name)
    if reference:
        ax.plot(xs, reference, linestyle="--", color="grey", label="linear growth")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("published triples")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def draw(results: dict, folder: Path) -> list[str]:
    """The two SVG files in ``folder``; returns their names."""
    plt = _setup()
    xs, times = series(results, "build", "s")
    total = times.pop("build (total)", None)
    lines = {f"build: {n}": ys for n, ys in times.items() if n in STAGES}
    if total:
        lines["build: whole"] = total
    xi, inc = series(results, "incremental", "s")
    if inc.get("build (total)"):
        lines["one essay changed, rebuild"] = inc["build (total)"]
    _, val = series(results, "validate", "s")
    if val.get("validate (total)"):
        lines["kg validate"] = val["validate (total)"]
    ref = [total[0] * x / xs[0] for x in xs] if total else None
    _figure(plt, xs, lines, "seconds (wall)", "kg build: time of each stage", ref, folder / "bench-time.svg")
    _, mem = series(results, "build", "mb")
    lines = {f"build: {n}": ys for n, ys in mem.items() if n in STAGES}
    peak = [max(ys[i] for ys in lines.values()) for i in range(len(xs))] if lines else None
    ref = [peak[0] * x / xs[0] for x in xs] if peak else None
    _figure(plt, xs, lines, "peak resident memory (MB)", "kg build: peak memory during each stage", ref,
            folder / "bench-memory.svg")
    return ["bench-time.svg", "bench-memory.svg"]
