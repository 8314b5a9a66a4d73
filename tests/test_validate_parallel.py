"""kg.validation.partitioned gives pySHACL's report (kg.validation.shacl.validate_graph) exactly: same findings,
isomorphic report graphs, same published report bytes; on a valid synthetic corpus, on one broken in
many ways (some only visible across essays), and on every case of tests/shapes/ when there are any."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.config import load_config
from kg.pipeline import compile_dataset, report_turtle
from kg.publish import render
from kg.sources import load_sources, parse_files, turtle_files
from kg.validation.shacl import validate_graph
from kg.validation.partitioned import _reach, focus_nodes, validate_partitioned

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from corpus import generate  # noqa: E402

#: (essay, file, text appended): each breaks one shape; several only in the union of two essays.
BREAKAGES = [
    ("essay-00000", "persons.ttl", 'person:p-0 rdfs:label "A second English label"@en .\n'),   # shared: uniqueLang across essays
    ("essay-00001", "works.ttl", "work:w-1 owl:sameAs <http://example.org/not-wikidata> .\n"),
    ("essay-00001", "essay.ttl", "essay:essay-00001 cito:cites work:no-such-work .\n"),        # dangling
    ("essay-00002", "essay.ttl", 'quotation:essay-00002-0 schema:creator work:w-2 .\n'),        # sh:or of sh:class
    ("essay-00002", "concepts.ttl", "concept:c-0 skos:broader concept:c-10 .\nconcept:c-10 skos:broader concept:c-0 .\n"),
    ("essay-00000", "essay.ttl", 'claim:essay-00000-1 kgo:authorStance kgo:endorses, kgo:rejects .\n'),
    ("essay-00002", "works.ttl", 'work:w-3 dcterms:issued "not a year" .\n'),
]


def _corpus(tmp: Path, broken: bool) -> Path:
    root = tmp / ("broken" if broken else "valid")
    generate(root, 5000, seed=7)
    if broken:
        for essay, name, text in BREAKAGES:
            path = root / "data" / "essays" / essay / name
            path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return root


def _both(graph: Graph, shapes: Graph, parts: list[Graph]):  # noqa: ANN202
    ref = validate_graph(graph, shapes)
    fast = validate_partitioned(graph, shapes, parts, workers=2, min_triples=0)
    return ref, fast


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "broken"])
def test_partitioned_validation_equals_pyshacl(tmp_path: Path, broken: bool) -> None:
    config = load_config(_corpus(tmp_path, broken))
    sources = load_sources(config)
    dataset = compile_dataset(sources, config)
    render(dataset, config)
    graph = dataset.union + dataset.metadata
    ref, fast = _both(graph, sources.shapes, list(dataset.essays.values()))
    assert fast.findings == ref.findings
    assert isomorphic(fast.graph, ref.graph)
    assert report_turtle(fast) == report_turtle(ref)
    if broken:
        shapes_hit = {f.shape for f in ref.findings}
        assert len(ref.findings) >= len(BREAKAGES), ref.text()
        assert any("DanglingReference" in s for s in shapes_hit) and any("BroaderCycle" in s for s in shapes_hit)


def test_focus_nodes_equal_pyshacls_own(tmp_path: Path) -> None:
    """The up-front targets are pySHACL's focus nodes, shape by shape: core targets as pySHACL's
    Shape.focus_nodes finds them, SPARQL targets (run on pyoxigraph) as rdflib's engine answers them."""
    from pyshacl.shapes_graph import ShapesGraph

    from kg.namespaces import SH
    from kg.validation.partitioned import _prefixes, oxigraph_store

    config = load_config(_corpus(tmp_path, True))
    sources = load_sources(config)
    graph = compile_dataset(sources, config).union
    store = oxigraph_store(graph)
    shapes = sources.shapes
    checked = 0
    for shape in ShapesGraph(shapes).shapes:
        targets = list(shapes.objects(shape.node, SH.target))
        if targets:
            theirs = set()
            for t in targets:
                query = f"{_prefixes(shapes, t)}\n{shapes.value(t, SH.select)}"
                theirs |= {row[0] for row in graph.query(query)}
        else:
            theirs = set(shape.focus_nodes(graph))
        mine = focus_nodes(graph, shapes, shape.node, lambda: store)
        assert mine == theirs, shape.node
        checked += bool(theirs)
    assert checked > 10


def test_the_shapes_reach_one_hop() -> None:
    """The partitions carry one hop of neighbours; if the shapes start looking further, this fails
    (the partitioning then widens on its own, but the cost changes: measure again)."""
    shapes = parse_files(turtle_files(ROOT / "shapes"))
    from kg.validation.partitioned import _UNBOUNDED, _targeted_shapes

    reach = {s: _reach(shapes, s) for s in _targeted_shapes(shapes)}
    assert max(r for r in reach.values() if r < _UNBOUNDED) == 1


CASES = sorted((ROOT / "tests" / "shapes").glob("*/*/*.ttl")) if (ROOT / "tests" / "shapes").is_dir() else []


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(ROOT / "tests" / "shapes")) for c in CASES])
def test_shape_cases_give_the_same_report(case: Path) -> None:
    shapes = parse_files(turtle_files(ROOT / "shapes"))
    ill_typed: list = []  # an ill-typed case (reported by kg.validation.files, not by pySHACL) is validated as it is
    graph = parse_files([case], ill_typed) + parse_files(turtle_files(ROOT / "ontology"))
    ref, fast = _both(graph, shapes, [parse_files([case], ill_typed)])
    assert fast.findings == ref.findings
    assert isomorphic(fast.graph, ref.graph)


def _two_essays() -> tuple[Graph, Graph, list[Graph]]:
    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .""", format="turtle")
    parts = [Graph().parse(data=f"<https://example.org/e{k}> a <https://example.org/C> .", format="turtle")
             for k in range(2)]
    union = Graph()
    for g in parts:
        union += g
    return union, shapes, parts


@pytest.mark.parametrize("how, error", [("raise", "ValueError: a chunk broke"),
                                        ("die", "validation worker 0 ended without a report (exit code 3)")])
def test_a_workers_failure_reaches_the_parent(monkeypatch: pytest.MonkeyPatch, how: str, error: str) -> None:
    """The job goes to each forked worker as an argument; its error (or its death) is raised in the
    parent, which waits for no lost worker and leaves none running."""
    import multiprocessing
    import os

    import kg.validation.partitioned as partitioned

    def broken(*_args):  # noqa: ANN002, ANN202 - runs only in the workers
        if how == "die":
            os._exit(3)
        raise ValueError("a chunk broke")

    monkeypatch.setattr(partitioned, "_partition", broken)
    union, shapes, parts = _two_essays()
    with pytest.raises(Exception) as caught:
        validate_partitioned(union, shapes, parts, workers=2, min_triples=0)
    assert f"{type(caught.value).__name__}: {caught.value}".endswith(error)
    assert multiprocessing.active_children() == []


def test_workers_report_what_pyshacl_reports_on_a_small_graph() -> None:
    union, shapes, parts = _two_essays()
    fast = validate_partitioned(union, shapes, parts, workers=2, min_triples=0)
    assert [(f.focus, f.component) for f in fast.findings] == [
        ("https://example.org/e0", "sh:MinCountConstraintComponent"),
        ("https://example.org/e1", "sh:MinCountConstraintComponent")]
    assert fast.findings == validate_graph(union, shapes).findings


def test_kg_validate_gives_the_one_process_report_on_two_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`kg validate` hands the essays' graphs to the partitioned validator (two workers, not one
    process): on the broken corpus it finds exactly what one process finds, at the same places."""
    from kg.validation import files as F
    from kg.validation import partitioned as P

    config = load_config(_corpus(tmp_path, True))
    shapes = F.load_shapes(F.shapes_files(config, None))
    prepared = F.prepare_corpus(config)
    assert len(prepared.parts) == 3                      # one graph per essay of the corpus
    assert set().union(*(set(g) for g in prepared.parts)) <= set(prepared.graph)
    chunks: list[int] = []
    real = P.run_units
    monkeypatch.setattr(P, "run_units", lambda job, shapes, n, meanwhile=None: chunks.append(n) or real(job, shapes, n, meanwhile))
    two = F.run(prepared, shapes)
    assert chunks == [2]                                  # validated by two workers
    monkeypatch.setattr(P, "run_units", real)
    one = F.run(F.Prepared(prepared.graph, prepared.index, prepared.files, prepared.anchors, prepared.texts,
                           prepared.extra, prepared.curated), shapes)   # no parts: one process
    key = [(f.file, f.line, f.column, f.severity, f.message) for f in two.findings]
    assert key == [(f.file, f.line, f.column, f.severity, f.message) for f in one.findings]
    assert sum(f.severity == "violation" for f in two.findings) >= len(BREAKAGES) - 1


def test_meanwhile_runs_before_the_parents_share_and_without_units(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extras (``meanwhile``) start before the parent's own pySHACL share, so that the pages'
    processes run beside it; with every unit from the cache (no worker) they are still started first."""
    import kg.validation.partitioned as partitioned

    order: list[str] = []
    real = partitioned._pyshacl
    monkeypatch.setattr(partitioned, "_pyshacl", lambda data, shapes: order.append("parent share") or real(data, shapes))
    union, shapes, parts = _two_essays()
    report = validate_partitioned(union, shapes, parts, workers=2, min_triples=0,
                                  meanwhile=lambda: order.append("meanwhile"))
    assert order == ["meanwhile", "parent share"]
    assert len(report.findings) == 2
    order.clear()
    job = partitioned._Job(union, [], 1, shapes, [])  # no unit left to a worker
    partitioned.run_units(job, shapes, 2, lambda: order.append("meanwhile"))
    assert order == ["meanwhile", "parent share"]
    order.clear()
    partitioned.run_units(job, shapes, 1, lambda: order.append("meanwhile"))  # one process: no extras beside it
    assert order == ["parent share"]


def test_the_sparql_targets_store_is_made_from_the_rendered_dump(project: Path, monkeypatch) -> None:  # noqa: ANN001
    """The build gives the SPARQL targets a store parsed from its N-Triples dump plus the description's
    triples (``oxigraph_store_of``): the same quads as converting the graph, which the build then never
    does; a dump that does not hold the graph's triples in number is not trusted (converted instead)."""
    import pyoxigraph as ox

    import kg.validation.partitioned as partitioned
    from kg.pipeline import build
    from kg.publish.serialize import ntriples

    config = load_config(project)
    dataset = compile_dataset(load_sources(config), config)
    graph = dataset.union
    extra = [(URIRef("https://w3id.org/arthur-kg/id/dataset"), URIRef("http://purl.org/dc/terms/title"), Literal("X"))]
    nt = ntriples(graph)
    for t in extra:
        graph.add(t)
    made = partitioned.oxigraph_store_of(nt, graph, extra)
    assert set(made) == set(partitioned.oxigraph_store(graph)) and len(made) == len(graph)
    short = nt[:nt.rindex(b"\n", 0, len(nt) - 1) + 1]  # the last line left out
    assert set(partitioned.oxigraph_store_of(short, graph, extra)) == set(partitioned.oxigraph_store(graph))

    def converted(_graph):  # noqa: ANN001, ANN202
        raise AssertionError("the union was converted term by term")

    monkeypatch.setattr(partitioned, "oxigraph_store", converted)
    result = build(config, output=project / "out")
    assert result.report.conforms and isinstance(made, ox.Store)


def test_the_units_reach_is_hashed_before_the_sparql_targets_are_asked_for(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """validate_units reads the last build's record, hashes what each unit reaches and splits the
    focus nodes of the shapes without a SPARQL target among the units before it asks for the SPARQL
    targets' focus nodes, which in a build wait for the dump writers' process to answer them: the
    parent works meanwhile instead of after. The report is the one of validate_partitioned; a unit's
    key changes with its SPARQL targets' focus nodes."""
    from rdflib.namespace import RDF

    from kg import incremental
    from kg.cache import Cache
    from kg.validation.partitioned import oxigraph_store

    order: list[str] = []
    real_last, real_reach = incremental._LastBuild, incremental._ReachedKeys.__call__
    monkeypatch.setattr(incremental, "_LastBuild", lambda *a, **k: order.append("last build") or real_last(*a, **k))
    monkeypatch.setattr(incremental._ReachedKeys, "__call__",
                        lambda self, owned: order.append("reached") or real_reach(self, owned))
    real_assign = incremental.assign
    monkeypatch.setattr(incremental, "assign", lambda focus, *a: order.append(
        "assign " + ",".join(sorted(str(s).rsplit("/", 1)[-1] for s in focus))) or real_assign(focus, *a))
    union, _shapes, parts = _two_essays()
    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:T a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ;
            sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this a <https://example.org/C> }" ] .
        ex:U a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:q ; sh:maxCount 0 ] .""",
                           format="turtle")

    def store_of():  # noqa: ANN202
        order.append("targets")
        return oxigraph_store(union)
    cache = Cache(tmp_path / "cache")
    report = incremental.validate_units(union, shapes, parts, cache, workers=1, store_of=store_of)
    assert order == ["last build", "reached", "reached", "assign U", "targets", "assign T"]
    monkeypatch.setattr(incremental, "assign", real_assign)
    keys = set(cache.used["validate"])
    assert len(keys) == 2  # a unit each
    again = Cache(tmp_path / "again")  # the same graph: the same keys
    incremental.validate_units(union, shapes, parts, again, workers=1, store_of=lambda: oxigraph_store(union))
    assert set(again.used["validate"]) == keys
    answered = Graph()  # the SPARQL target answered on a store where e1 is no C: only e1's key changes
    for t in union:
        if t != (URIRef("https://example.org/e1"), RDF.type, URIRef("https://example.org/C")):
            answered.add(t)
    other = Cache(tmp_path / "other")
    incremental.validate_units(union, shapes, parts, other, workers=1, store_of=lambda: oxigraph_store(answered))
    assert len(set(other.used["validate"]) & keys) == 1
    whole = validate_partitioned(union, shapes, parts, workers=1)
    assert sorted(f.message for f in report.findings) == sorted(f.message for f in whole.findings)
    assert len(report.findings) == 2


def test_a_shape_with_a_target_of_an_unknown_kind_is_left_whole_without_running_its_others() -> None:
    """shape_plan reads from the shapes alone which shapes plan computes focus nodes for: a shape
    with a SHACL-AF target that is not a SPARQL query (or a SPARQL target without one) is left to
    pySHACL whole, and plan runs none of its targets (no store is asked for)."""
    from kg.validation.partitioned import focus_nodes, oxigraph_store, plan, shape_plan

    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:Known a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        ex:Sparql a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ;
            sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this a <https://example.org/C> }" ] .
        ex:Mixed a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ;
            sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this a <https://example.org/C> }" ] ,
                      [ a ex:OtherTarget ] .
        ex:NoQuery a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ] .""", format="turtle")
    ex = "https://example.org/"
    shaped = shape_plan(shapes)
    assert [str(s) for s in shaped.known] == [ex + "Known", ex + "Sparql"]
    assert sorted(str(s) for s in shaped.whole) == [ex + "Mixed", ex + "NoQuery"]
    assert shaped.hops == 0 and set(shaped.reach) == set(shaped.known)  # each reads its node's own values
    union, _shapes, _parts = _two_essays()
    asked: list[str] = []
    focus, whole, reach, hops = plan(union, shapes, prune=False,
                                     store_of=lambda: asked.append("store") or oxigraph_store(union))
    assert sorted(str(s) for s in whole) == [ex + "Mixed", ex + "NoQuery"]
    assert {str(s): len(n) for s, n in focus.items()} == {ex + "Known": 2, ex + "Sparql": 2}
    assert asked == ["store"]  # once, for ex:Sparql; ex:Mixed's query is never run
    assert (reach, hops) == (shaped.reach, shaped.hops)
    for shape in ("Mixed", "NoQuery"):  # asked directly, focus_nodes says so too, and runs nothing
        assert focus_nodes(union, shapes, URIRef(ex + shape), lambda: asked.append("again")) is None
    assert asked == ["store"]


def test_a_node_targeted_through_another_essays_link_is_validated_again(tmp_path: Path) -> None:
    """A unit's key names its (shape, focus node) pairs, not only the triples its nodes reach: an
    essay that starts linking another's node with a property a shape targets the objects of makes
    that node a focus node with nothing it reaches changed; its unit is validated again, not read
    from the cache of the build before."""
    from kg import incremental
    from kg.cache import Cache

    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:V a sh:NodeShape ; sh:targetObjectsOf ex:r ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .""",
                           format="turtle")

    def corpus(linked: bool) -> tuple[Graph, list[Graph]]:
        first = "<https://example.org/e0> a <https://example.org/C> ."
        if linked:
            first += " <https://example.org/e0> <https://example.org/r> <https://example.org/e1> ."
        parts = [Graph().parse(data=first, format="turtle"),
                 Graph().parse(data="<https://example.org/e1> a <https://example.org/C> .", format="turtle")]
        union = Graph()
        for g in parts:
            union += g
        return union, parts

    cache = Cache(tmp_path / "cache")
    union, parts = corpus(linked=False)
    assert incremental.validate_units(union, shapes, parts, cache, workers=1).conforms
    union, parts = corpus(linked=True)
    report = incremental.validate_units(union, shapes, parts, Cache(tmp_path / "cache"), workers=1)
    assert [f.focus for f in report.findings] == ["https://example.org/e1"]
    assert [f.focus for f in validate_partitioned(union, shapes, parts, workers=1).findings] == ["https://example.org/e1"]


@pytest.mark.parametrize("how", ["forked", "dies", "not forked"])
def test_the_sparql_targets_answered_by_a_process_give_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                       how: str) -> None:
    """Without answers made ahead (``kg validate``), from ``FORK_TARGETS_MIN_TRIPLES`` triples a forked
    process answers the SPARQL targets while this one finds and prunes the other shapes' focus nodes:
    on the broken corpus (a dangling reference and a ``skos:broader`` cycle are SPARQL targets' finds)
    the same findings and report bytes as pySHACL's; a process that dies costs only time."""
    import os

    from kg.later import Later
    from kg.validation import partitioned as P

    config = load_config(_corpus(tmp_path, True))
    sources = load_sources(config)
    dataset = compile_dataset(sources, config)
    render(dataset, config)
    graph = dataset.union + dataset.metadata
    ref = validate_graph(graph, sources.shapes)

    forked: list = []
    real_init = Later.__init__

    def spy(self, fn, *args, **kwargs) -> None:  # noqa: ANN001
        if fn is P._target_answers:
            forked.append(sorted(args[1]))
        real_init(self, fn, *args, **kwargs)
    monkeypatch.setattr(Later, "__init__", spy)
    monkeypatch.setattr(P, "FORK_TARGETS_MIN_TRIPLES", 10**9 if how == "not forked" else 0)
    made_here: list = []
    if how == "dies":
        parent, real = os.getpid(), P._target_answers

        def dies_there(graph, queries):  # noqa: ANN001, ANN202
            if os.getpid() != parent:
                os._exit(3)
            made_here.append(len(queries))
            return real(graph, queries)
        monkeypatch.setattr(P, "_target_answers", dies_there)  # the spy above compares with it when called
    stores_here: list = []
    real_store = P.oxigraph_store
    monkeypatch.setattr(P, "oxigraph_store", lambda g: stores_here.append(os.getpid()) or real_store(g))
    fast = validate_partitioned(graph, sources.shapes, list(dataset.essays.values()), workers=2, min_triples=0)
    assert fast.findings == ref.findings
    assert report_turtle(fast) == report_turtle(ref)
    assert stores_here == ([] if how == "forked" else [os.getpid()])  # the store made here only without the process's answers
    queries = P.sparql_target_queries(sources.shapes)
    assert len(queries) == 5
    assert forked == ([] if how == "not forked" else [sorted(queries)])
    assert made_here == ([5] if how == "dies" else [])


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "broken"])
def test_two_units_a_worker_give_pyshacls_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: bool) -> None:
    """From ``UNITS_MIN_TRIPLES`` (here 0) the two workers get two units each, validated one after the
    other, and the report is still pySHACL's, to the published bytes."""
    import kg.validation.partitioned as partitioned

    monkeypatch.setattr(partitioned, "UNITS_MIN_TRIPLES", 0)
    dealt, real = [], partitioned._start
    monkeypatch.setattr(partitioned, "_start", lambda job, workers: dealt.append((len(job.owned), workers)) or real(job, workers))
    config = load_config(_corpus(tmp_path, broken))
    sources = load_sources(config)
    dataset = compile_dataset(sources, config)
    render(dataset, config)
    graph = dataset.union + dataset.metadata
    ref, fast = _both(graph, sources.shapes, list(dataset.essays.values()))
    assert dealt == [(4, 2)]
    assert fast.findings == ref.findings and report_turtle(fast) == report_turtle(ref)
    assert any("DanglingReference" in f.shape for f in ref.findings) == broken


def test_a_worker_frees_each_units_graphs_before_it_makes_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker runs without automatic collections (``in_forked_child``), and a unit's partition graph
    and pySHACL's objects hold reference cycles: without a collection between its units a worker
    held every unit's graphs at once (at 1 M some 400 MB). Run here in this process, with collections
    off as in a worker: when the second unit's partition is made the first's graph is gone."""
    import gc
    import weakref

    import kg.sandbox
    import kg.validation.partitioned as partitioned

    monkeypatch.setattr(partitioned, "UNITS_MIN_TRIPLES", 0)
    jobs, real_start = [], partitioned._start
    monkeypatch.setattr(partitioned, "_start", lambda job, workers: jobs.append(job) or real_start(job, workers))
    config = load_config(_corpus(tmp_path, True))
    sources = load_sources(config)
    dataset = compile_dataset(sources, config)
    render(dataset, config)
    validate_partitioned(dataset.union + dataset.metadata, sources.shapes, list(dataset.essays.values()),
                         workers=2, min_triples=0)
    made: list = []
    alive: list = []
    real_partition = partitioned._partition

    def partition(*args):  # noqa: ANN002, ANN202
        alive.append([r() is not None for r in made])
        graph = real_partition(*args)
        made.append(weakref.ref(graph))
        return graph

    monkeypatch.setattr(partitioned, "_partition", partition)
    monkeypatch.setattr(partitioned, "in_forked_child", lambda: None)
    monkeypatch.setattr(kg.sandbox, "end_with_parent", lambda: None)
    sent: list = []

    class Conn:
        def send(self, value) -> None:  # noqa: ANN001
            sent.append(value)

        def close(self) -> None:
            pass

    enabled = gc.isenabled()
    gc.disable()
    try:
        partitioned._worker(jobs[0], [0, 2], Conn())
    finally:
        if enabled:
            gc.enable()
    assert sent[0][0] is True and len(sent[0][1]) == 2
    assert alive == [[], [False]]


def test_units_a_worker_from_exactly_units_min_triples(monkeypatch: pytest.MonkeyPatch) -> None:
    """A graph of ``UNITS_MIN_TRIPLES`` triples gets two units a worker; one triple fewer, one."""
    import kg.validation.partitioned as partitioned

    union, shapes, parts = _two_essays()
    dealt, real = [], partitioned._start
    monkeypatch.setattr(partitioned, "_start", lambda job, workers: dealt.append((len(job.owned), workers)) or real(job, workers))
    for bound in (len(union), len(union) + 1):
        monkeypatch.setattr(partitioned, "UNITS_MIN_TRIPLES", bound)
        fast = validate_partitioned(union, shapes, parts, workers=2, min_triples=0)
        assert fast.findings == validate_graph(union, shapes).findings
    assert dealt == [(4, 2), (2, 2)]
