"""bench/run.py keeps what it measured: the results are saved after each corpus size, so a run
stopped during the 1 M size still has the 10 k and 100 k figures."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import run  # noqa: E402


def test_results_are_saved_after_each_size_and_a_stopped_run_keeps_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stages = {"build (total)": {"s": 1.0, "mb": 10.0}}
    calls: list[tuple] = []

    def child(kind: str, *args: str) -> dict:
        calls.append((kind, *args))
        if kind == "build" and "1m" in args[0]:
            raise RuntimeError("stopped")
        if kind == "queries":
            return {}
        return {"stages": stages, "triples": 7, "workers_mb": 1.0, "parent_mb": 2.0, "hits": 1, "misses": 0}

    def corpus(work: Path, size: str, seed: int) -> Path:
        (work / f"c-{size}" / "data" / "essays" / "e1").mkdir(parents=True, exist_ok=True)
        return work / f"c-{size}"

    monkeypatch.setattr(run, "_child", child)
    monkeypatch.setattr(run, "corpus", corpus)
    monkeypatch.setattr(run, "essay_cold", lambda repeat: {"s": 0.5})
    saved: list[list[str]] = []
    with pytest.raises(RuntimeError):
        run.measure(["10k", "100k", "1m"], 1, 1, tmp_path, 1, lambda r: saved.append(list(r["sizes"])))
    assert saved == [["10k"], ["10k", "100k"]]          # the two sizes measured before the stop
    assert [c[0] for c in calls[:5]] == ["build", "incremental", "validate", "serialise", "queries"]
