"""The SPARQL targets answered by the forked dump writers (``kg.publish.render(targets=…)``): after
writing the dumps, that process loads the N-Triples dump it wrote into a store, takes the description's
triples when the validation adds them, and answers the shapes' SPARQL targets, so that the build's own
process makes no store. The focus nodes, and so the report, must be those of the store it made before;
a process that dies, a store of another size or a query not answered fall back to it."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg import publish
from kg.cli import main
from kg.config import load_config
from kg.pipeline import compile_dataset
from kg.publish.serialize import ntriples
from kg.sources import load_sources
from kg.validation import partitioned
from kg.validation.partitioned import answer_targets, oxigraph_store_of, sparql_target_queries, target_nodes

ROOT = Path(__file__).resolve().parent.parent


def _break(project: Path) -> None:
    """A dangling reference (a SPARQL target's focus node) and a cycle of broader concepts."""
    path = project / "data/essays/mini/essay.ttl"
    text = path.read_text(encoding="utf-8")
    assert "schema:author person:c-j-arthur" in text
    path.write_text(text.replace("schema:author person:c-j-arthur", "schema:author person:c-j-arthor", 1), encoding="utf-8")


def _spied(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Count the stores the build's process makes and the answers it takes."""
    seen = {"stores": 0, "answered": 0, "asked": 0}
    real_store, real_nodes = partitioned.oxigraph_store_of, partitioned.TargetAnswers.nodes

    def store(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if os.getpid() == parent:
            seen["stores"] += 1
        return real_store(*args, **kwargs)

    def nodes(self, query):  # noqa: ANN001, ANN202
        seen["asked"] += 1
        seen["answered"] += query in self.answers
        return real_nodes(self, query)
    parent = os.getpid()
    monkeypatch.setattr("kg.pipeline.oxigraph_store_of", store)
    monkeypatch.setattr(partitioned.TargetAnswers, "nodes", nodes)
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    return seen


def _build(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--root", str(project), "-q", "build"])
    return result.exit_code, result.output


def test_the_forked_writers_answer_every_target_and_the_report_is_the_same(project: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _break(project)
    seen = _spied(monkeypatch)
    code, output = _build(project)
    assert code == 1 and "c-j-arthor" in output  # the dangling reference found through the answers
    queries = sparql_target_queries(load_sources(load_config(project)).shapes)
    assert len(queries) == 5
    assert seen == {"stores": 0, "answered": 5, "asked": 5}
    monkeypatch.setattr("kg.pipeline._target_queries", lambda _shapes: None)  # as before: a store here
    assert _build(project) == (code, output)
    assert seen["stores"] == 1


@pytest.mark.parametrize("how", ["dies", "another size", "no description"])
def test_a_writer_that_cannot_answer_leaves_the_store_to_the_build(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   how: str) -> None:
    _break(project)
    seen = _spied(monkeypatch)
    code, output = _build(project)
    real = publish.answer_targets

    def broken(nt, more, queries):  # noqa: ANN001, ANN202
        if how == "dies":
            os._exit(1)
        if how == "another size":
            return real(nt, lambda: (lambda got: (got[0], got[1] + 1))(more()), queries)
        return real(nt, lambda: None, queries)
    monkeypatch.setattr(publish, "answer_targets", broken)
    seen.update(stores=0, answered=0, asked=0)
    assert _build(project) == (code, output)
    assert seen["stores"] == 1 and seen["answered"] == 0


def test_answers_are_the_store_s(tmp_path: Path) -> None:
    """``answer_targets`` on the dump's text and the added triples: the nodes a store of the whole graph
    gives for each query; None when the added triples do not come, or the store holds another number."""
    config = load_config(ROOT)
    sources = load_sources(config)
    union = compile_dataset(sources, config).union
    queries = sparql_target_queries(sources.shapes)
    extra = Graph().parse(data="""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/arthur-kg/id/concept/a> skos:broader <https://w3id.org/arthur-kg/id/concept/b> .
        <https://w3id.org/arthur-kg/id/concept/b> skos:broader <https://w3id.org/arthur-kg/id/concept/a> .
        <https://w3id.org/arthur-kg/id/x> <http://schema.org/about> <https://w3id.org/arthur-kg/id/nowhere> .
        """, format="turtle")
    added = list(extra)
    nt = ntriples(union)
    text = ntriples(extra)
    expected = len(union) + len(added)
    answers = answer_targets(nt, lambda: (text, expected), queries)
    whole = Graph()
    for t in [*union, *added]:
        whole.add(t)
    store = oxigraph_store_of(nt, whole, added)
    assert answers == {q: target_nodes(store, q) for q in queries}
    assert sum(len(v) for v in answers.values()) > 0 and any(len(v) == 2 for v in answers.values())  # the cycle
    assert answer_targets(nt, lambda: None, queries) is None
    assert answer_targets(nt, lambda: (text, expected + 1), queries) is None


def test_the_targets_store_holds_what_a_checking_parse_of_the_dump_gives() -> None:
    """The targets' store loads the union's dump without Oxigraph's checks of IRIs and language tags
    (``DUMP_CHECKED``: the build's own dump, of sources read by the checking parser): the essay's dump
    (every datatype it uses, language tags) gives the same store as a checking load, and the same
    answers to the targets' queries."""
    import pyoxigraph as ox

    config = load_config(ROOT)
    sources = load_sources(config)
    union = compile_dataset(sources, config).union
    nt = ntriples(union)
    store = oxigraph_store_of(nt, union)
    assert partitioned.DUMP_CHECKED is True
    checked = ox.Store()
    checked.load(nt, format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == len(union) == len(checked) > 20_000
    assert set(store) == set(checked)
    assert any(isinstance(q.object, ox.Literal) and q.object.language for q in checked)
    queries = sparql_target_queries(sources.shapes)
    assert [target_nodes(store, q) for q in queries] == [target_nodes(checked, q) for q in queries]
    assert sum(len(target_nodes(store, q)) for q in queries) > 0


def test_a_build_that_stops_before_asking_leaves_no_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writers wait for the description; stopped without it (the build failed in between), the
    process ends and nothing is left running."""
    from kg.pipeline import Staging
    from kg.publish.writer import Stage

    monkeypatch.setattr(publish, "_forkable", lambda: True)
    config = load_config(project)
    sources = load_sources(config)
    dataset = compile_dataset(sources, config)
    stage = Stage(project / "output")
    publish.render(dataset, config, put=Staging(stage), fork=True, targets=sparql_target_queries(sources.shapes))
    answering = dataset.target_answers
    assert answering is not None and answering.process.is_alive()
    start = time.monotonic()
    answering.stop()
    assert not answering.process.is_alive() and time.monotonic() - start < 10
    assert answering.answers() is None  # stopped: nothing to give
    stage.discard()


def _telling(project: Path, monkeypatch: pytest.MonkeyPatch, flag: Path):  # noqa: ANN202
    """The forked writers of the mini project, whose answering waits for ``flag`` to exist before it
    reads what the build tells it, then answers each query with the size of what it read."""
    from kg.pipeline import Staging
    from kg.publish.writer import Stage

    def slow(nt, more, queries):  # noqa: ANN001, ANN202
        while not flag.exists():
            time.sleep(0.02)
        text, expected = more()
        return {q: {len(text), expected} for q in queries}
    monkeypatch.setattr(publish, "answer_targets", slow)
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    config = load_config(project)
    sources = load_sources(config)
    dataset = compile_dataset(sources, config)
    publish.render(dataset, config, put=Staging(Stage(project / "output")), fork=True,
                   targets=sparql_target_queries(sources.shapes))
    return dataset.target_answers


def _many_triples(n: int) -> list:
    from rdflib import Literal, URIRef

    return [(URIRef(f"https://example.org/id/s{i}"), URIRef("https://example.org/p"), Literal("x" * 80 + str(i)))
            for i in range(n)]


def test_the_description_is_told_without_waiting_for_the_writers(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    """``tell`` hands the triples to a thread: the build goes on (to the maps) while the writers still
    load their store, although the text is far larger than a pipe holds; the answers then come from
    what was told, whole."""
    import threading

    flag = tmp_path / "read now"
    answering = _telling(project, monkeypatch, flag)
    triples = _many_triples(20_000)  # some 2.5 MB of N-Triples
    caller = threading.Thread(target=answering.tell, args=(triples, 12345))
    caller.start()
    caller.join(timeout=20)
    assert not caller.is_alive()  # returned while the writers do not read yet
    assert answering.telling is not None and answering.telling.is_alive()  # still sending
    flag.touch()
    got = answering.answers()
    assert got is not None and len(got) == 5
    assert all(v == {len(ntriples(triples)), 12345} for v in got.values())
    assert answering.telling is None and not answering.process.is_alive()


def test_a_build_that_stops_while_telling_leaves_no_process_nor_thread(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    answering = _telling(project, monkeypatch, tmp_path / "never")
    answering.tell(_many_triples(20_000), 1)
    sending = answering.telling
    assert sending is not None and sending.is_alive()
    start = time.monotonic()
    answering.stop()
    assert not sending.is_alive() and not answering.process.is_alive() and time.monotonic() - start < 10
