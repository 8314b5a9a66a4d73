"""The build's files go into an open stage folder as they are made (kg/publish/writer.py ``Stage``):
the pages are put there by the process that renders them, during the validation, instead of being
held in memory and sent back; the published tree, its SHA256SUMS and all-or-nothing stay the same."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

import kg.pipeline as pipeline
import kg.publish as publish
from kg.config import load_config
from kg.errors import NonConformingError
from kg.publish.writer import Stage, write_tree
from kg.sources import load_sources
from kg.validation.partitioned import TargetAnswers, sparql_target_queries, validate_partitioned


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _stages(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.new-*"))


def test_put_files_are_published_with_the_others_and_win_over_them(tmp_path: Path) -> None:
    out = tmp_path / "output"
    stage = Stage(out, digests=True)
    stage.put("site/a.html", b"a")
    stage.under("site/").update({"b.html": b"b"})
    assert (stage.dir / "site/b.html").read_bytes() == b"b"  # on disk at once, before the commit
    assert not out.exists()
    write_tree({"dataset.nt": b"nt", "site/a.html": b"older"}, out, stage=stage)
    assert _tree(out) == {"dataset.nt": b"nt", "site/a.html": b"a", "site/b.html": b"b"}
    assert stage.digests == {"site/a.html": hashlib.sha256(b"a").hexdigest(),
                             "site/b.html": hashlib.sha256(b"b").hexdigest()}
    assert _stages(out) == []


def test_a_file_put_twice_never_writes_through_a_link_to_the_old_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_tree({"site/a.html": b"same"}, out)
    old = os.stat(out / "site/a.html").st_ino
    stage = Stage(out)
    stage.put("site/a.html", b"same")  # linked to the published file
    assert os.stat(stage.dir / "site/a.html").st_ino == old
    stage.put("site/a.html", b"new")   # replaced, not written through the link
    assert (out / "site/a.html").read_bytes() == b"same"
    stage.commit()
    assert (out / "site/a.html").read_bytes() == b"new"


def test_a_distrusted_stage_replaces_what_a_dead_process_left(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_tree({"site/a.html": b"published"}, out)
    stage = Stage(out)
    os.makedirs(stage.dir / "site")
    os.link(out / "site/a.html", stage.dir / "site/a.html")  # as a forked renderer's put would have
    stage.distrust()
    stage.put("site/a.html", b"rebuilt")
    assert (out / "site/a.html").read_bytes() == b"published"
    assert (stage.dir / "site/a.html").read_bytes() == b"rebuilt"


def test_a_discarded_stage_leaves_the_output_and_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_tree({"index.html": b"old"}, out)
    stage = Stage(out)
    stage.put("index.html", b"new")
    stage.discard()
    assert _tree(out) == {"index.html": b"old"}
    assert _stages(out) == []
    adopted = Stage(out, digests=True)
    adopted.adopt({"site/x.html": "ab" * 32})
    assert adopted.digests == {"site/x.html": "ab" * 32}
    adopted.discard()


@pytest.fixture
def forced_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    def with_workers(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        return validate_partitioned(*args, min_triples=0, workers=2, **kwargs)

    monkeypatch.setattr(pipeline, "validate_partitioned", with_workers)


def test_the_pages_are_put_by_the_forked_renderer_not_sent_back(project: Path, tmp_path: Path, forced_workers: None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict] = []
    parts: list[int] = []
    real = publish._forked_result

    def spy(started, dataset, config, extras, stage=None, share=(0, 1), prepared=None):  # noqa: ANN001, ANN202
        assert prepared is not None  # the pages' look-ups, built once before the processes forked
        files = real(started, dataset, config, extras, stage, share, prepared)
        sent.append(files)
        parts.append(len(stage.parts))
        return files

    monkeypatch.setattr(publish, "_forked_result", spy)
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    out = tmp_path / "out"
    result = pipeline.build(load_config(project), output=out)
    assert sent == [{}] * publish.PAGE_PROCESSES  # nothing came back through the pipes: the children wrote the pages
    # each sent its part of SHA256SUMS, of the files it put alone, adopted as it came (kg.publish.sums)
    assert parts == list(range(1, publish.PAGE_PROCESSES + 1))
    tree = _tree(out)
    pages = [n for n in tree if n.startswith("site/id/") and n.endswith(".html")]
    assert len(pages) > 20
    sums = dict(reversed(line.split("  ")) for line in tree["SHA256SUMS"].decode().splitlines())
    assert set(sums) == set(tree) - {"SHA256SUMS"}  # every file, the staged pages too
    assert list(sums) == sorted(sums) and len(sums) == tree["SHA256SUMS"].count(b"\n")  # in order, each once
    assert all(hashlib.sha256(tree[n]).hexdigest() == d for n, d in sums.items())
    assert result.files == tuple(sorted(tree))
    monkeypatch.setattr(pipeline, "OVERLAP_MAX_TRIPLES", 0)  # after the validation, as before
    monkeypatch.setattr(publish, "_forkable", lambda: False)  # and in this process
    pipeline.build(load_config(project), output=tmp_path / "sequential")
    assert _tree(tmp_path / "sequential") == tree


def test_a_renderer_dying_half_way_changes_nothing(project: Path, tmp_path: Path, forced_workers: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(project)
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    pipeline.build(config, output=tmp_path / "clean")
    out = tmp_path / "out"
    pipeline.build(config, output=out)
    before = _tree(out)
    parent = os.getpid()
    real = publish._into

    def dies_in_the_child(extra, dataset, config, stage, share=(0, 1), prepared=None):  # noqa: ANN001, ANN202
        if os.getpid() != parent and share[0] == 0:
            for rel in sorted(before)[:40]:
                stage.put(rel, b"half-written " + rel.encode())  # some files, then death
            os._exit(3)
        return real(extra, dataset, config, stage, share, prepared)

    distrusted: list[bool] = []
    monkeypatch.setattr(publish, "_into", dies_in_the_child)
    monkeypatch.setattr(Stage, "distrust", lambda self: (distrusted.append(True), setattr(self, "_distrusted", True)))
    pipeline.build(config, output=out)
    assert distrusted == [True]  # the first share's process died, and this one put its pages again
    assert _tree(out) == _tree(tmp_path / "clean") == before
    assert _stages(out) == []


def test_a_non_conforming_build_leaves_no_stage_behind(project: Path, tmp_path: Path, forced_workers: None,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    out = tmp_path / "out"
    pipeline.build(load_config(project), output=out)
    before = _tree(out)
    essay = project / "data/essays/mini/essay.ttl"
    essay.write_text(essay.read_text(encoding="utf-8").replace('"1879"^^xsd:gYear', '"eighteen79"', 1),
                     encoding="utf-8")
    with pytest.raises(NonConformingError):
        pipeline.build(load_config(project), output=out)
    assert _tree(out) == before
    assert _stages(out) == []


class _DictStage(dict):
    """A stage that keeps what is put into it (the part of ``Stage`` the pages use)."""

    def under(self, prefix: str):  # noqa: ANN201
        stage = self

        class _Sub:
            def __setitem__(self, rel: str, data: bytes) -> None:
                assert prefix + rel not in stage  # no page is made by two shares
                stage[prefix + rel] = data

            def update(self, files: dict) -> None:
                for rel, data in files.items():
                    self[rel] = data
        return _Sub()


def test_shares_of_the_pages_together_are_the_pages_of_one_process(project: Path) -> None:
    from kg.pipeline import compile_dataset
    from kg.publish import render
    from kg.publish.pages import pages
    from kg.sources import load_sources

    config = load_config(project)
    dataset = compile_dataset(load_sources(config), config)
    render(dataset, config)  # the description the landing page shows
    whole = pages(dataset, config)
    parts = [_DictStage() for _ in range(3)]
    for k, part in enumerate(parts):
        assert pages(dataset, config, into=part, share=(k, 3)) == {}
    assert len(parts[1]) > 10 and len(parts[2]) > 10  # each share has pages of its own
    # the pages listing every resource in the last share, the others in the first (at 1 M each takes
    # as long as the other)
    assert {n for n in whole if n.startswith("site/kinds/")} | {"site/search-index.json"} <= set(parts[2])
    assert {"site/index.html", "site/query.html", "site/404.html"} <= set(parts[0])
    assert {**parts[0], **parts[1], **parts[2]} == whole
    assert sum(map(len, parts)) == len(whole)


def test_a_rebuild_from_the_cache_renders_the_pages_beside_the_validation(project: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Every essay's report from the cache leaves no worker to validate: the pages' processes still start
    before the parent's share (not after the validation, as they did), and the output is the same."""
    from kg.cache import Cache
    from kg.incremental import validate_units

    monkeypatch.setattr(pipeline, "validate_units", lambda *a, **k: validate_units(*a, min_triples=0, **k))
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    early: list = []
    real = pipeline.EarlyExtras.__call__

    def spy(self, dataset):  # noqa: ANN001, ANN202
        early.append(True)
        return real(self, dataset)

    monkeypatch.setattr(pipeline.EarlyExtras, "__call__", spy)
    config = load_config(project)
    cache = Cache(tmp_path / "cache")
    pipeline.build(config, output=tmp_path / "first", cache=cache)
    early.clear()
    pipeline.build(config, output=tmp_path / "first", cache=Cache(tmp_path / "cache"))
    assert early == [True]  # rendered beside the (cached) validation, not in finish
    pipeline.build(config, output=tmp_path / "clean")  # without the cache
    assert _tree(tmp_path / "first") == _tree(tmp_path / "clean")


def test_an_extra_failing_here_leaves_no_page_process_behind(project: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from kg.pipeline import compile_dataset
    from kg.publish.pages import pages
    from kg.sources import load_sources

    def broken(dataset, config):  # noqa: ANN001, ANN202
        raise RuntimeError("the maps broke")

    monkeypatch.setattr(publish, "_forkable", lambda: True)
    config = load_config(project)
    dataset = compile_dataset(load_sources(config), config)
    publish.render(dataset, config)
    stage = Stage(tmp_path / "out", digests=True)
    with pytest.raises(RuntimeError, match="the maps broke"):
        publish.render_extras(dataset, config, (broken, pages), fork=True, stage=stage)
    assert multiprocessing.active_children() == []
    stage.discard()
    assert _stages(tmp_path / "out") == []


def test_no_extras_into_a_stage_is_no_files(tmp_path: Path) -> None:
    stage = Stage(tmp_path / "out", digests=True)
    assert publish.render_extras(None, None, (), stage=stage) == {}
    assert "site/a.html" not in stage
    stage.put("site/a.html", b"a")
    assert "site/a.html" in stage
    stage.discard()


def test_the_page_processes_fork_before_the_validation_plans(project: Path, tmp_path: Path, forced_workers: None,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages' processes start as soon as the dumps are rendered: the validation's planning (its
    targets and the pre-check, a long step at 1 M triples) runs beside them, not before them."""
    import kg.validation.partitioned as partitioned

    order: list[str] = []
    real_start, real_plan = publish.start_extras, partitioned.plan

    def start(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started = real_start(*args, **kwargs)
        order.append(f"forked {len(started.processes or ())}")
        return started

    def plan(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        order.append("plan")
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(publish, "_forkable", lambda: True)
    monkeypatch.setattr(pipeline, "start_extras", start)
    monkeypatch.setattr(partitioned, "plan", plan)
    out = tmp_path / "out"
    pipeline.build(load_config(project), output=out)
    assert order == [f"forked {publish.PAGE_PROCESSES}", "plan"]
    monkeypatch.setattr(publish, "_forkable", lambda: False)  # the same tree when nothing forks
    pipeline.build(load_config(project), output=tmp_path / "one")
    assert _tree(out) == _tree(tmp_path / "one")


def test_a_validation_that_fails_leaves_no_page_process_behind(project: Path, tmp_path: Path, forced_workers: None,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    import kg.validation.partitioned as partitioned

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("the validation broke")

    monkeypatch.setattr(publish, "_forkable", lambda: True)
    monkeypatch.setattr(partitioned, "plan", broken)  # after the pages' processes forked
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="the validation broke"):
        pipeline.build(load_config(project), output=out)
    assert multiprocessing.active_children() == []
    assert _stages(out) == []
    assert not out.exists()


def test_the_rendered_files_are_put_into_the_stage_before_the_validation(project: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The dumps are not held in memory through the validation: they are on disk (with the site's
    copies) before it starts, and the validation's SPARQL targets are answered by the forked writers
    (``tests/test_target_answers.py``), or else read the staged N-Triples file."""
    config = load_config(project)
    _ds, held_report, held = pipeline.validate_corpus(config, with_metadata=True)
    assert "dataset.nt" in held and "void.ttl" in held
    stage = Stage(tmp_path / "out", digests=True)
    seen: dict = {}
    real = pipeline.validate_partitioned

    def validating(graph, shapes, parts, **kw):  # noqa: ANN001, ANN003, ANN202
        seen["staged"] = {n: (stage.dir / n).read_bytes() for n in ("dataset.nt", "site/dumps/dataset.nt", "void.ttl")}
        store = kw["store_of"]()
        if isinstance(store, TargetAnswers):
            seen["answered"] = sorted(store.answers)
            store = store.fallback()
        seen["store"] = len(store)
        return real(graph, shapes, parts, **kw)

    monkeypatch.setattr(pipeline, "validate_partitioned", validating)
    _ds, report, files = pipeline.validate_corpus(config, with_metadata=True, stage=stage)
    assert files == {}
    assert seen["staged"] == {"dataset.nt": held["dataset.nt"], "site/dumps/dataset.nt": held["dataset.nt"],
                              "void.ttl": held["void.ttl"]}
    assert seen["store"] == len(_ds.union)  # parsed from the staged dump (no description added without pages)
    if publish._forkable():  # the forked writers answered every SPARQL target
        assert seen["answered"] == sparql_target_queries(load_sources(config).shapes)
    assert report.text() == held_report.text()
    assert stage.digests["dataset.nt"] == hashlib.sha256(held["dataset.nt"]).hexdigest()
    stage.discard()


def test_the_targets_store_reads_the_file_opened_before_the_pages_replace_its_path(tmp_path: Path) -> None:
    from rdflib import Graph, URIRef

    from kg.validation.partitioned import oxigraph_store_of

    g = Graph()
    g.add((URIRef("http://example.org/a"), URIRef("http://example.org/p"), URIRef("http://example.org/b")))
    path = tmp_path / "dataset.nt"
    path.write_bytes(g.serialize(format="nt", encoding="utf-8"))
    with open(path, "rb") as fh:
        path.unlink()  # what Stage.put does to a file put again
        path.write_bytes(b"half-written")
        store = oxigraph_store_of(fh, g)
        assert len(store) == 1
        assert len(oxigraph_store_of(fh, g)) == 1  # read again from the start


def test_render_hands_each_file_out_as_it_is_made_with_the_same_bytes(project: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """``render(put=)``: every file handed out once, the same bytes as ``render`` returns (the
    description's sizes and checksums included), nothing returned; each dump is handed out before the
    next one is made, so the build never holds them all."""
    from kg.pipeline import compile_dataset
    from kg.sources import load_sources

    config = load_config(project)
    whole = publish.render(compile_dataset(load_sources(config), config), config)
    events: list[str] = []
    for fmt in publish.registry.DUMP_FORMATS:
        real = getattr(publish.serialize, fmt.writer)

        def logged(given, real=real, name=fmt.file):  # noqa: ANN001, ANN202
            events.append(f"make {name}")
            return real(given)
        monkeypatch.setattr(publish.serialize, fmt.writer, logged)
    given: list[tuple[str, bytes]] = []

    def put(name: str, data: bytes, sha256: str) -> None:
        assert sha256 == hashlib.sha256(data).hexdigest()
        given.append((name, data))
        events.append(f"put {name}")

    dataset = compile_dataset(load_sources(config), config)
    assert publish.render(dataset, config, put=put) == {}
    assert sorted(n for n, _ in given) == sorted(whole)
    assert dict(given) == whole
    made = [e.removeprefix("make ") for e in events if e.startswith("make ")]
    assert len(made) == len(publish.registry.DUMP_FORMATS)
    for name, following in zip(made, made[1:]):
        assert events.index(f"put {name}") < events.index(f"make {following}")


def _render_put(project: Path, **kwargs) -> dict[str, bytes]:  # noqa: ANN003
    """``render(put=)``'s files, each handed out once with its digest."""
    from kg.pipeline import compile_dataset
    from kg.sources import load_sources

    config = load_config(project)
    given: dict[str, bytes] = {}

    def put(name: str, data: bytes, sha256: str) -> None:
        assert sha256 == hashlib.sha256(data).hexdigest() and name not in given
        given[name] = data

    assert publish.render(compile_dataset(load_sources(config), config), config, put=put, **kwargs) == {}
    return given


def test_the_union_writers_forked_give_the_same_files(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``render(fork=True)``: JSON-LD, Turtle and N-Triples made in a forked process beside the rest, the
    same files (the description's sizes and checksums included) as made here."""
    whole = _render_put(project)
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    forked: list = []
    real = publish._ForkedWriters.__init__

    def spy(self, formats, given, *more, **named) -> None:  # noqa: ANN001, ANN002, ANN003
        forked.extend(f.file for f in formats)
        real(self, formats, given, *more, **named)
    monkeypatch.setattr(publish._ForkedWriters, "__init__", spy)
    assert _render_put(project, fork=True) == whole
    assert sorted(forked) == ["dataset.jsonld", "dataset.nt", "dataset.ttl"]
    assert len(whole) > 10 and "dataset.nt.gz" in whole


@pytest.mark.parametrize("sends", ["nothing", "one file", "a name only", "the dumps, not the argument's",
                                   "one of the argument's", "all but the end mark"])
def test_forked_writers_dying_half_way_change_nothing(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       sends: str) -> None:
    """The forked writers' process dies after sending some of its files (or half of one): this process
    renders what did not arrive (the argument's exports, which that process makes after the dumps,
    included), and the files are the same."""
    whole = _render_put(project)
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    made: list = []
    ran = tmp_path / "ran"

    def dies(formats, given, send, put=None, targets=None, more=None, memo=None, claim=None) -> None:  # noqa: ANN001
        ran.write_text(sends)  # (a fake that does not take the worker's arguments would never run)
        assert claim.take(1, 1) == 0  # the argument's exports are this process's to make (asked at once)
        first = formats[0]
        if sends == "one file":
            send.send_bytes(first.file.encode())
            send.send_bytes(getattr(publish.serialize, first.writer)(given))
        elif sends == "a name only":
            send.send_bytes(first.file.encode())
        else:
            for fmt in formats:
                data = getattr(publish.serialize, fmt.writer)(given)
                for name, body in [(fmt.file, data)] + ([(fmt.file + publish.GZ, publish.gz(data))] if fmt.gzipped else []):
                    send.send_bytes(name.encode())
                    send.send_bytes(body)
            arguments = list(more().items())
            if sends == "one of the argument's":
                arguments = arguments[:1]
            elif sends == "the dumps, not the argument's":
                arguments = []
            for name, body in arguments:
                send.send_bytes(name.encode())
                send.send_bytes(body)
        os._exit(1)
    monkeypatch.setattr(publish, "_writers_worker", dies)
    real = publish.argument_exports

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        made.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(publish, "argument_exports", counted)
    assert _render_put(project, fork=True) == whole
    assert ran.read_text() == sends
    assert len(made) == 1  # made here (the forked process is a fork: its calls are not counted)


@pytest.mark.parametrize("first", ["this process", "the writers' process"])
def test_the_argument_exports_are_made_once_by_the_process_that_asks_first(project: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          first: str) -> None:
    """The forked writers' process makes the argument's exports after its dumps unless this process,
    done with its own writers, asked first (and then made them while the other still wrote): once,
    by either, the same files."""
    from kg.publish.runs import RunTable

    whole = _render_put(project)
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    makers = tmp_path / "makers"
    real = publish.argument_exports

    def made(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        with open(makers, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)
    monkeypatch.setattr(publish, "argument_exports", made)
    parent = os.getpid()
    real_take = RunTable.take

    def take(self: RunTable, share: int, runs: int) -> int | None:
        later = share == 1 if first == "this process" else share == 0  # waits for the other to ask first
        if later:
            deadline = time.monotonic() + 60
            while not self.taken(1 - share, runs) and time.monotonic() < deadline:
                time.sleep(0.002)
        return real_take(self, share, runs)
    monkeypatch.setattr(RunTable, "take", take)
    assert _render_put(project, fork=True) == whole
    pids = makers.read_text().split()
    assert len(pids) == 1
    assert (int(pids[0]) == parent) == (first == "this process")


def test_the_labels_are_worked_out_while_the_writers_process_writes(project: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """While the forked writers still write, this process works out the pages' labels (the page
    processes it forks next find them made): here the writers' JSON-LD waits until this process has
    labelled every subject, which it does, and the files are the same."""
    from kg.pipeline import compile_dataset
    from kg.publish.pages import Index

    whole = _render_put(project)
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    labelled = tmp_path / "labelled"
    real_some = Index.label_some

    def label_some(self: Index, count: int = 256) -> bool:
        more = real_some(self, count)
        if not more:
            labelled.touch()
        return more
    monkeypatch.setattr(Index, "label_some", label_some)
    real = publish.serialize.dump_jsonld
    parent = os.getpid()

    def slow(given):  # noqa: ANN001, ANN202
        deadline = time.monotonic() + 60
        while os.getpid() != parent and not labelled.exists() and time.monotonic() < deadline:
            time.sleep(0.002)
        return real(given)
    monkeypatch.setattr(publish.serialize, "dump_jsonld", slow)
    config = load_config(project)
    dataset = compile_dataset(load_sources(config), config)
    given: dict[str, bytes] = {}
    publish.render(dataset, config, put=lambda name, data, sha256: given.__setitem__(name, data), fork=True)
    assert given == whole
    index = dataset.lookups
    assert index._labels.keys() >= set(index.out) and len(index.out) > 20
    assert index.label_some() is False


def _render_staged(project: Path, out: Path, **kwargs) -> dict[str, bytes]:  # noqa: ANN003
    """``render(put=Staging(stage))``'s files, as a build puts them, committed as ``out``; each file's
    digest in the stage checked against its bytes."""
    from kg.pipeline import Staging, compile_dataset
    from kg.sources import load_sources

    config = load_config(project)
    stage = Stage(out, digests=True)
    assert publish.render(compile_dataset(load_sources(config), config), config, put=Staging(stage), **kwargs) == {}
    digests = dict(stage.digests)
    stage.commit()
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert sorted(files) == sorted(digests)
    assert all(hashlib.sha256(data).hexdigest() == digests[name] for name, data in files.items())
    return files


def test_forked_writers_put_their_files_into_the_stage_themselves(project: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """In a build (``put`` a ``Staging``) the forked writers put each file into the stage and send this
    process only its size and SHA-256 (never its bytes); the files, their digests and the description
    are those of writers run here. The site's copy of a dump is a link to the dump. The argument's
    exports, which they make after the dumps, are put the same way."""
    from kg.publish.runs import RunTable

    whole = _render_staged(project, tmp_path / "here")
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    real_take = RunTable.take

    def take(self: RunTable, share: int, runs: int) -> int | None:
        # the process asks first: this one, done with its own writers, could otherwise take the exports
        # (test_the_argument_exports_are_made_once_by_the_process_that_asks_first), as it did one run in ten
        # when the forked process was slow to start
        if share == 0:
            deadline = time.monotonic() + 60
            while not self.taken(1, runs) and time.monotonic() < deadline:
                time.sleep(0.002)
        return real_take(self, share, runs)
    monkeypatch.setattr(RunTable, "take", take)
    sent: list = []
    real = publish._ForkedWriters.drain

    class Seen:
        """``out`` as ``drain`` hands it what arrived: a file put by the process is adopted (its name
        recorded with the mark it came with), a file sent as bytes is given (recorded as is). Not a
        copy of ``arrived`` taken before ``drain``: the reading thread may add to it meanwhile."""

        def __init__(self, out) -> None:  # noqa: ANN001
            self.out = out

        def adopt(self, name: str, size: int, sha: str) -> None:
            sent.append(publish._PUT + name)
            self.out.adopt(name, size, sha)

        def __call__(self, name: str, data: bytes) -> None:
            sent.append(name)
            self.out(name, data)

        def __getattr__(self, attr: str):  # noqa: ANN204
            return getattr(self.out, attr)

    def spy(self, out) -> None:  # noqa: ANN001
        real(self, Seen(out))
    monkeypatch.setattr(publish._ForkedWriters, "drain", spy)
    forked = _render_staged(project, tmp_path / "forked", fork=True)
    assert forked == whole
    files = sorted(n.removeprefix(publish._PUT) for n in sent if not n.startswith(publish._RECORD))
    # the dumps, and the argument's exports, which the process makes after them
    arguments = sorted(n for n in whole if n == "argument.aif.json" or n.split("/")[0].startswith("nanopubs"))
    assert len(arguments) >= 3 and "nanopubs.trig" in arguments
    assert files == sorted([f + e for f in ("dataset.jsonld", "dataset.nt", "dataset.ttl") for e in ("", ".gz")]
                           + arguments)
    assert all(n.startswith(publish._PUT) for n in sent if not n.startswith(publish._RECORD))
    out = tmp_path / "forked"
    assert (out / "dataset.nt").stat().st_ino == (out / "site/dumps/dataset.nt").stat().st_ino


@pytest.mark.parametrize("leaves", ["half a file", "a file put, not told", "a file put and told"])
def test_forked_writers_dying_after_putting_change_nothing(project: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch, leaves: str) -> None:
    """The forked writers' process dies after putting part of a file, or a whole file it did or did not
    tell of: this process puts what it was not told of again (removing what is at the path first:
    it may be a link to the last output's file), and the files are the same."""
    _render_staged(project, tmp_path / "out")  # a last output: a put may link its files
    whole = _render_staged(project, tmp_path / "here")
    monkeypatch.setattr(publish, "_forkable", lambda: True)

    def dies(formats, given, send, put=None, targets=None, more=None) -> None:  # noqa: ANN001
        first = formats[0]
        data = getattr(publish.serialize, first.writer)(given)
        sha = hashlib.sha256(data).hexdigest()
        if leaves == "half a file":
            put(first.file, data[: len(data) // 2], sha)
        else:
            put(first.file, data, sha)
            if leaves == "a file put and told":
                send.send_bytes((publish._PUT + first.file).encode())
                send.send_bytes(f"{len(data)} {sha}".encode())
        os._exit(1)
    monkeypatch.setattr(publish, "_writers_worker", dies)
    assert _render_staged(project, tmp_path / "out", fork=True) == whole
    assert (tmp_path / "here" / "dataset.nt").read_bytes() == whole["dataset.nt"]


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_a_put_file_has_the_mode_open_gives_and_all_its_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              umask: int) -> None:
    """Written with os.write (no buffered file object): the mode a new file gets from open() (0o666
    less the umask, never executable), and every byte even when the system writes a part at a time."""
    import kg.publish.writer as writer

    real = os.write
    monkeypatch.setattr(writer.os, "write", lambda fd, data: real(fd, bytes(data[:1000])))
    data = bytes(range(256)) * 40  # 10,240 bytes: eleven partial writes
    old = os.umask(umask)
    try:
        stage = Stage(tmp_path / "output")
        stage.put("site/a/b.html", data)
        stage.put("site/a/b.html", b"again")  # put twice: the second bytes, not appended
        stage.put("c.txt", data)
        stage.commit()
    finally:
        os.umask(old)
    out = tmp_path / "output"
    assert (out / "c.txt").read_bytes() == data and (out / "site/a/b.html").read_bytes() == b"again"
    assert (out / "c.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def _advised(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Record each file ``Stage.prefetch`` asks the system to read ahead (the path its descriptor
    names), in ``log``: forked page processes append there too."""
    import kg.publish.writer as writer

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        assert (offset, length, advice) == (0, 0, os.POSIX_FADV_WILLNEED)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(os.readlink(f"/proc/self/fd/{fd}") + "\n")
    monkeypatch.setattr(writer, "_FADVISE", advise)


def _read_log(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_prefetch_asks_for_the_last_outputs_regular_files_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A link, a FIFO (opened without blocking), a folder or a missing path is skipped; a regular file
    is asked for by its path in the last output; without a last output nothing is asked."""
    log = tmp_path / "advised.txt"
    _advised(monkeypatch, log)
    out = tmp_path / "output"
    Stage(out).prefetch(["a.html"])  # no last output yet
    assert _read_log(log) == []
    write_tree({"site/a.html": b"a", "site/d/b.ttl": b"b"}, out)
    (out / "site" / "link.html").symlink_to(out / "site" / "a.html")
    os.mkfifo(out / "site" / "fifo.html")
    (out / "site" / "folder.html").mkdir()
    stage = Stage(out)
    stage.under("site/").prefetch(["a.html", "d/b.ttl", "link.html", "fifo.html", "folder.html", "gone.nt"])
    assert _read_log(log) == [str(out / "site" / "a.html"), str(out / "site" / "d" / "b.ttl")]
    stage.discard()


def test_without_fadvise_prefetch_does_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.publish.writer as writer

    out = tmp_path / "output"
    write_tree({"a.html": b"a"}, out)
    monkeypatch.setattr(writer, "_FADVISE", None)
    monkeypatch.setattr(writer.os, "open", lambda *a, **k: pytest.fail("a file was opened"))
    Stage(out).prefetch(["a.html"])


@pytest.mark.parametrize("ahead", [256, 3])  # one window for the mini project's pages, or many
def test_pages_rendered_without_records_have_their_last_files_asked_for_ahead(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ahead: int) -> None:
    """No build cache (or none usable): every resource's page and its three descriptions in the last
    output are asked for ahead, each once, before the new ones are compared with them; with the last
    build's records (a rebuild with the cache) pages are linked without reading, and nothing is asked."""
    from kg.cache import Cache
    from kg.publish import pages

    monkeypatch.setattr(pages, "PREFETCH_AHEAD", ahead)
    config = load_config(project)
    pipeline.build(config)
    log = tmp_path / "advised.txt"
    _advised(monkeypatch, log)
    pipeline.build(config)
    assert _read_log(log) == []  # a small site's last files are left to the system
    monkeypatch.setattr(pages, "PREFETCH_MIN_PAGES", 0)  # as for a large one
    before = _tree(project / "output")
    pipeline.build(config)
    asked = _read_log(log)
    out = project / "output"
    expected = sorted(str(out / name) for name in before if name.startswith("site/id/")
                      and name.endswith((".html", ".ttl", ".jsonld", ".nt")))
    assert len(expected) > 40 and sorted(asked) == expected
    assert _tree(out) == before  # the same output
    cache = Cache.for_project(project)
    pipeline.build(config, cache=cache)  # records written (this build asks too: no records yet)
    log.unlink()
    pipeline.build(config, cache=Cache.for_project(project))
    assert _read_log(log) == []


@pytest.mark.parametrize("seed", range(8))
def test_the_published_names_are_sorted_once_each_from_any_order(seed: int) -> None:
    """kg.publish.published_names (SHA256SUMS's order and the build's list of files): the stage's names
    in the order they came (sorted runs from several processes, interleaved) and the other files, some
    of them staged too, give every name once, sorted."""
    import random

    rnd = random.Random(seed)
    every = sorted({f"site/id/{rnd.choice('abc')}/{rnd.randrange(10**6)}.{rnd.choice(['html', 'ttl'])}"
                    for _ in range(3000)})
    shares = [every[k::3] for k in range(3)]
    arrived: list[str] = []
    while any(shares):  # the processes' puts interleaved in runs of random length
        share = rnd.choice([s for s in shares if s])
        take = rnd.randrange(1, 50)
        arrived += share[:take]
        del share[:take]
    staged = {n: "d" for n in arrived}
    files = {n: b"" for n in rnd.sample(every, 40) + ["SHA256SUMS", "dataset.nt", "void.ttl"]}
    got = publish.published_names(files, staged)
    assert got == sorted(set(files) | set(staged)) and len(got) == len(set(got))
    assert publish.published_names({}, {}) == [] and publish.published_names({"b": b"", "a": b""}, {"b": "x"}) == ["a", "b"]
