"""A build runs with fewer garbage collections (``kg.gcpolicy.GC_THRESHOLDS``) and gives the
process its own thresholds back afterwards, also when the build fails."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT

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


def test_a_retained_build_leaves_nothing_for_a_full_collection(project: Path, tmp_path: Path) -> None:
    """``retain`` (the caller ends its process at once): what the build made is set aside from
    collection before the thresholds are given back, so no full collection walks it on the way out
    (78 ms at the essay); without ``retain`` nothing is set aside."""
    config = load_config(project)
    gc.unfreeze()
    build(config, output=tmp_path / "a")
    assert gc.get_freeze_count() == 0
    kept: list = []
    try:
        build(config, output=tmp_path / "b", retain=kept)
        assert len(kept) == 1
        assert gc.get_freeze_count() > 50_000  # the dataset's terms and triples among them
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.unfreeze()


def test_every_forked_worker_sets_aside_what_it_inherited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages' processes, the dump writers and the validation workers each call
    ``in_forked_child`` first: a file per process that called it, none of them the build's own (the
    essay: the mini project is too small for validation workers)."""
    import os
    import sys

    import kg.publish as publish
    import kg.validation.partitioned as partitioned
    from kg import gcpolicy

    marks = tmp_path / "marks"
    marks.mkdir()

    def mark() -> None:
        (marks / str(os.getpid())).write_text(sys._getframe(1).f_code.co_name)
        gcpolicy.in_forked_child()

    monkeypatch.setattr(publish, "in_forked_child", mark)
    monkeypatch.setattr(partitioned, "in_forked_child", mark)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # the forks of a 2-core machine, whatever this one has
    build(load_config(ROOT), output=tmp_path / "out", cache=None)
    pids = {int(p.name) for p in marks.iterdir()}
    assert os.getpid() not in pids
    callers = sorted(p.read_text() for p in marks.iterdir())
    assert callers == ["_extras_worker", "_extras_worker", "_worker", "_worker", "_writers_worker"]
    assert gc.get_freeze_count() == 0  # the build's own process froze nothing


def test_a_forked_worker_collects_nothing_and_leaves_its_inheritance_alone() -> None:
    """In the child: everything it inherited set aside, no automatic collections; the parent keeps
    collecting as before."""
    import os

    from kg.gcpolicy import in_forked_child

    assert gc.isenabled()
    pid = os.fork()
    if pid == 0:  # the child: its verdict as its exit code
        in_forked_child()
        os._exit(0 if (not gc.isenabled() and gc.get_freeze_count() > 1_000 and gc.get_count()[0] == 0) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
