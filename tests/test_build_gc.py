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


def test_reading_and_enrichment_leave_no_cyclic_garbage(project: Path, tmp_path: Path) -> None:
    """What ``made_to_keep`` relies on: the sources read lazily and enriched (with and without the
    build cache, which reads enrichments back) leave nothing for a cyclic collection to free, the
    essays' parsed graphs included (released with their cycle broken)."""
    from kg.cache import Cache
    from kg.pipeline import compile_dataset
    from kg.sources import load_sources

    for root in (project, ROOT):
        config = load_config(root)
        cache = Cache(tmp_path / f"cache-{root.name}")
        for c in (None, cache, cache):  # no cache; filled; read back
            gc.collect()
            gc.disable()
            try:
                sources = load_sources(config, lazy=True)
                dataset = compile_dataset(sources, config, cache=c)
                assert len(dataset.union) > 100
                assert gc.collect() == 0, (root, c)  # what they made still held: no garbage beside it
                del sources, dataset
            finally:
                gc.enable()


def test_a_released_graph_is_freed_without_a_collection_and_stays_whole() -> None:
    from rdflib import Graph

    from kg.tripleindex import indexed_graph, release_graph

    text = "@prefix ex: <https://example.org/> .\nex:a ex:p ex:b .\n"
    gc.collect()
    graph = indexed_graph()
    graph.parse(data=text, format="turtle")
    before = graph.serialize(format="turtle")
    release_graph(graph)
    assert graph.serialize(format="turtle") == before  # the prefix still bound: a new manager made
    release_graph(graph)
    del graph
    assert gc.collect() == 0
    plain = Graph()
    plain.parse(data=text, format="turtle")
    del plain
    assert gc.collect() > 0  # rdflib's own cycle, which release_graph breaks


def test_what_reading_makes_is_set_aside_inside_a_build_only() -> None:
    """``made_to_keep``: inside ``fewer_collections`` no collection runs in the block, and what it made
    is set aside until the outer call ends (then given back, unless ``retained``); outside one it
    does nothing; a block that raises sets nothing aside and turns collections back on."""
    from kg.gcpolicy import fewer_collections, made_to_keep, retained

    seen: list = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    def make() -> list:
        return [[i] for i in range(200_000)]  # four collections' worth of young objects

    @fewer_collections
    def work(retain: bool = False) -> tuple[int, int]:
        with made_to_keep():
            kept = make()
            inside = len(seen)
        frozen = gc.get_freeze_count()
        assert gc.isenabled() and len(kept) == 200_000
        if retain:
            retained()
        return inside, frozen

    gc.callbacks.append(record)
    try:
        gc.unfreeze()
        inside, frozen = work()
        assert inside == 0 and frozen > 200_000
        assert gc.get_freeze_count() == 0  # given back at the end
        work(retain=True)
        assert gc.get_freeze_count() > 10_000  # the process ends at once: left set aside
        gc.unfreeze()
        seen.clear()
        with made_to_keep():  # not inside fewer_collections: collections as usual
            make()
        assert seen and gc.get_freeze_count() == 0

        @fewer_collections
        def inner() -> None:
            with made_to_keep():
                make()

        @fewer_collections
        def outer() -> tuple[int, int]:
            with made_to_keep():
                kept = make()
            inner()  # a call within the work: what the work set aside stays so until it ends
            return gc.get_freeze_count(), len(kept)
        assert outer()[0] > 200_000 and gc.get_freeze_count() == 0

        @fewer_collections
        def failing() -> None:
            with made_to_keep():
                make()
                raise RuntimeError("stop")
        with pytest.raises(RuntimeError):
            failing()
        assert gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.callbacks.remove(record)
        gc.unfreeze()


def test_a_build_reads_and_enriches_without_collections_and_keeps_what_it_made_to_the_end(
        project: Path, tmp_path: Path) -> None:
    """Inside ``build``: no collection while the sources are read and enriched, what they made set
    aside from then on (so the render finds it frozen), given back when the build ends; with
    ``retain`` what the rest of the build made (its report, its files) is set aside too."""
    seen: list = []
    frozen_at: dict = {}

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    @contextmanager
    def timer(name: str):  # noqa: ANN202
        if name == "load":
            seen.clear()
        if name == "render":
            frozen_at["render"] = (gc.get_freeze_count(), len(seen))
        yield

    config = load_config(ROOT)  # the essay: enough objects for collections, were they on
    gc.unfreeze()
    gc.callbacks.append(record)
    try:
        build(config, output=tmp_path / "a", timer=timer)
        frozen, collections = frozen_at["render"]
        assert collections == 0 and frozen > 100_000
        assert gc.get_freeze_count() == 0
        kept: list = []
        build(config, output=tmp_path / "b", timer=timer, retain=kept)
        assert gc.get_freeze_count() > frozen_at["render"][0]  # the report and the rest, set aside as well
    finally:
        gc.callbacks.remove(record)
        gc.unfreeze()
