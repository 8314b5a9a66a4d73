"""bench/plot.py draws the cost curves as deterministic SVG: log-log axes, every stage, the linear line."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from plot import draw  # noqa: E402


def results(scale: float) -> dict:
    def stages(n: int) -> dict:
        return {k: {"s": v * n * scale, "mb": 50 + n / 1000} for k, v in
                (("load", 1e-5), ("enrich", 4e-5), ("render", 3e-5), ("validate", 1e-4), ("finish", 1e-6), ("write", 2e-5),
                 ("build (total)", 2e-4))}
    return {"sizes": {size: {"triples": n, "build": stages(n), "validate": {"validate (total)": {"s": n * 1e-4, "mb": 0}},
                             "incremental": {"build (total)": {"s": 0.5 + n * 1e-6, "mb": 0}}}
                      for size, n in (("10k", 10_000), ("100k", 100_000), ("1m", 1_000_000))}}


def test_the_curves_are_drawn_log_log_with_the_linear_line_and_the_same_bytes_each_time(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert draw(results(1.0), a) == ["bench-time.svg", "bench-memory.svg"]
    draw(results(1.0), b)
    for name in ("bench-time.svg", "bench-memory.svg"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    svg = (a / "bench-time.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    for label in ("build: validate", "build: whole", "one essay changed, rebuild", "kg validate", "linear growth",
                  "published triples", "seconds (wall)"):
        assert label in svg, label
    assert "10^{6}" in svg or "10^6" in svg or "$\\mathdefault{10^{6}}$" in svg or "10⁶" in svg
    draw(results(2.0), b)
    assert (a / "bench-time.svg").read_bytes() != (b / "bench-time.svg").read_bytes()
