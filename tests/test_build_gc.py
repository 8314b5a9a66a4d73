"""A build runs with fewer garbage collections (``kg.gcpolicy.GC_THRESHOLDS``) and gives the
process its own thresholds back afterwards, also when the build fails."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.config import load_config
from kg.errors import KgError
from kg.gcpolicy import GC_THRESHOLDS
from kg.pipeline import build


def test_a_build_collects_less_often_and_restores_the_thresholds(project: Path, tmp_path: Path) -> None:
    seen = {}

    @contextmanager
    def timer(name: str):  # noqa: ANN202
        seen[name] = gc.get_threshold()
        yield

    gc.set_threshold(700, 10, 10)
    build(load_config(project), output=tmp_path / "out", timer=timer)
    assert seen["load"] == seen["write"] == GC_THRESHOLDS == (50_000, 20, 20)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_failed_build_restores_the_thresholds(project: Path, tmp_path: Path) -> None:
    config = load_config(project)
    essay = next((project / "data" / "essays").glob("*/essay.ttl"))
    essay.write_text("this is not Turtle <\n")
    gc.set_threshold(900, 11, 12)
    with pytest.raises(KgError, match="essay.ttl"):
        build(config, output=tmp_path / "out")
    assert gc.get_threshold() == (900, 11, 12)
    gc.set_threshold(700, 10, 10)
