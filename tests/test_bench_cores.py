"""bench/cores.py: a build's shape from its readings of busy cores (a one-core head, a middle, a
one-core tail), and a real command traced."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import cores


def readings(levels: list[float], period: float = 0.1) -> list[tuple[float, float]]:
    return [((i + 1) * period, b) for i, b in enumerate(levels)]


def test_head_middle_and_tail_are_where_fewer_cores_are_busy() -> None:
    # 0.4 s on one core, 0.6 s on two with one dip, 0.3 s on one again
    levels = [1.0] * 4 + [2.0, 2.0, 1.0, 2.0, 2.0, 2.0] + [1.0] * 3
    s = cores.shape(readings(levels), wall=1.3, cores=2)
    assert s["head"] == pytest.approx(0.4)
    assert s["tail"] == pytest.approx(0.3)
    assert s["middle"] == pytest.approx(0.6)
    assert s["mean"] == pytest.approx(11 / 6)  # the dip counts in the middle's mean
    assert s["idle"] == pytest.approx(0.6 * (2 - 11 / 6))


def test_a_single_busy_reading_is_not_the_middle() -> None:
    levels = [1.0, 2.0, 1.0, 1.0, 2.0, 2.0, 1.0]  # the first 2.0 alone; the middle starts at the pair
    s = cores.shape(readings(levels), wall=0.7, cores=2)
    assert s["head"] == pytest.approx(0.4)
    assert s["tail"] == pytest.approx(0.1)


def test_a_build_on_one_core_throughout_is_all_head() -> None:
    s = cores.shape(readings([1.0] * 5), wall=0.5, cores=2)
    assert s == {"head": 0.5, "tail": 0.0, "middle": 0.0, "mean": 0.0, "idle": 0.0}


def test_a_command_is_traced_with_its_cpu() -> None:
    run = cores.trace([sys.executable, "-c", "import time\nt = time.process_time()\n"
                       "while time.process_time() - t < 0.3: pass"], cores=2)
    assert run["cpu"] >= 0.3
    assert run["wall"] >= 0.3
    assert run["readings"] and all(0.0 <= b <= 2.0 for _t, b in run["readings"])
    with pytest.raises(SystemExit, match="exit 3"):
        cores.trace([sys.executable, "-c", "raise SystemExit(3)"], cores=2)
