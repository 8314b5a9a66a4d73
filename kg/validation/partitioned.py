"""Pure: the same validation as ``kg.validation.shacl.validate_graph`` (pySHACL is still the validator of every
constraint), made fast enough for a corpus of many essays.

What is changed, and why the report stays the same (tests/test_validate_parallel.py compares the
report graphs of both paths, as canonical graphs, on valid and broken corpora):

1. **Targets are computed once, up front.** pySHACL evaluates ``sh:SPARQLTarget`` queries with rdflib's
   SPARQL engine, a whole-graph scan with ``FILTER NOT EXISTS`` per triple: 70 % of the time of the
   essay. Here they run on pyoxigraph (the same SELECT with the shapes' declared prefixes), and the
   core targets (class with ``rdfs:subClassOf*``, subjects-of, objects-of, node) are read from
   rdflib's indexes. Each shape then gets its focus nodes as explicit ``sh:targetNode`` lists:
   pySHACL validates exactly the same (shape, focus node) pairs.
2. **Partitions in parallel processes.** The subjects are split by essay (the named graph that first
   describes them) into one chunk per core. A worker gets the triples of its subjects plus those of the
   nodes they reach in as many hops as the shapes look (one, for ours: ``sh:class`` on a value needs
   the value's types; computed from the shapes, see ``_reach``) and every ``rdfs:subClassOf`` triple;
   for a focus node that is all pySHACL reads, so its results are the same as on the whole graph.
   Shapes that can look further (``sh:sparql``, complex paths) and nodes outside every essay
   (ontology, metadata) are validated by the parent on the whole graph.
3. **No clone.** pySHACL clones the data graph in advanced mode unless ``inplace``; nothing here
   writes to it (no rules, no inference), so it runs in place.
4. **Only the pairs that may fail.** ``kg.validation.precheck`` compiles each shape it can read in
   full into a test of a node; a (shape, focus node) pair it proves free of results is not given to
   pySHACL (which would find nothing there): on the essay 6,870 pairs become 80, and pySHACL's time
   3.8 s becomes 0.07 s. Shapes it cannot read (SPARQL constraints, …) keep all their focus nodes.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.gcpolicy import in_forked_child
from kg.later import Later
from kg.pipes import pipe
from kg.namespaces import SH
from kg.progress import counted
from kg.shapes_policy import ShapesError
from kg.validation.shacl import Report, report_from
from kg.tripleindex import indexed_graph

#: Below this many triples one process is faster than forking workers.
PARALLEL_MIN_TRIPLES = 5000

#: From this many triples each worker validates its share as ``UNITS_PER_WORKER`` units, one after the
#: other: each unit's partition is a graph pySHACL reads (rdflib's objects), made and dropped in turn,
#: so a worker holds a fraction of its share at once. At 1 M triples a worker's partition of half the
#: essays was some 400 MB of its own, while the page processes ran beside it: the cold build's peak
#: of memory (docs/performance.md, fortieth round).
UNITS_MIN_TRIPLES = 200_000
UNITS_PER_WORKER = 2
_TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_LOOKS_INTO_VALUES = (SH["class"], SH.node, SH.property, SH.qualifiedValueShape, SH["or"], SH["and"],
                      SH.xone, SH["not"])
_LISTS = (SH["or"], SH["and"], SH.xone)
_UNBOUNDED = 99


def _pyshacl(data: Graph, shapes: Graph) -> Graph:
    import pyshacl  # slow to import; only this stage needs it

    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
        abort_on_first=False, meta_shacl=False, inplace=True,
    )
    return report


# ---------------------------------------------------------------- what the shapes look at

def _members(shapes: Graph, node) -> list:  # noqa: ANN001
    out = []
    for p in _LISTS:
        for lst in shapes.objects(node, p):
            out.extend(shapes.items(lst))
    out.extend(shapes.objects(node, SH.node))
    out.extend(shapes.objects(node, SH["not"]))
    return out


def _reach(shapes: Graph, shape, depth: int = 0, seen: frozenset = frozenset()) -> int:  # noqa: ANN001
    """How many hops from the focus node the shape reads triples of (``_UNBOUNDED`` when it can read
    anything: SPARQL constraints, non-IRI paths, recursion)."""
    if shape in seen or depth > 8:
        return _UNBOUNDED
    seen = seen | {shape}
    if (shape, SH.sparql, None) in shapes:
        return _UNBOUNDED
    need = depth
    for m in _members(shapes, shape):  # applied to the same node
        need = max(need, _reach(shapes, m, depth, seen))
    for prop in shapes.objects(shape, SH.property):
        need = max(need, _reach_values(shapes, prop, depth, seen))
    if (shape, SH.path, None) in shapes:  # a property shape as a top-level shape
        need = max(need, _reach_values(shapes, shape, depth, seen))
    return need


def _reach_values(shapes: Graph, prop, depth: int, seen: frozenset) -> int:  # noqa: ANN001
    if prop in seen:
        return _UNBOUNDED
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef) or (prop, SH.sparql, None) in shapes:
        return _UNBOUNDED
    need = depth
    if any((prop, p, None) in shapes for p in _LOOKS_INTO_VALUES):
        need = depth + 1
        for m in [*_members(shapes, prop), *shapes.objects(prop, SH.qualifiedValueShape), *shapes.objects(prop, SH.property)]:
            need = max(need, _reach(shapes, m, depth + 1, seen | {prop}))
    return need


# ---------------------------------------------------------------- focus nodes

def _prefixes(shapes: Graph, target) -> str:  # noqa: ANN001
    lines = []
    for onto in shapes.objects(target, SH.prefixes):
        for decl in shapes.objects(onto, SH.declare):
            prefix, ns = str(shapes.value(decl, SH.prefix)), str(shapes.value(decl, SH.namespace))
            if not (_PREFIX.fullmatch(prefix) and _IRI.fullmatch(ns)):  # a declaration cannot inject SPARQL
                raise ShapesError(f"sh:declare: {prefix!r} {ns!r} is not a prefix and a namespace IRI")
            lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(sorted(set(lines)))


_PREFIX = re.compile(r"[A-Za-z][\w.-]*|")
_IRI = re.compile(r"[^<>\"{}|^`\\\s]*")


def _to_ox(term, cache: dict):  # noqa: ANN001, ANN202
    import pyoxigraph as ox

    hit = cache.get(term)
    if hit is None:
        if isinstance(term, URIRef):
            hit = ox.NamedNode(str(term))
        elif isinstance(term, BNode):
            hit = ox.BlankNode(str(term))
        elif term.language:
            hit = ox.Literal(str(term), language=term.language)
        elif term.datatype:
            hit = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        else:
            hit = ox.Literal(str(term))
        cache[term] = hit
    return hit


def _from_ox(term):  # noqa: ANN001, ANN202
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def oxigraph_store(graph: Graph):  # noqa: ANN201
    import pyoxigraph as ox

    store, cache = ox.Store(), {}
    store.bulk_extend(ox.Quad(_to_ox(s, cache), _to_ox(p, cache), _to_ox(o, cache)) for s, p, o in graph)
    return store


#: The union's N-Triples dump is loaded into the targets' store without Oxigraph checking its IRIs
#: and language tags again (``lenient``: a quarter less time, 1.3 s of 5.4 s at 1 M): every IRI of
#: the union was checked by the same parser when the curated sources were read (``kg.sources``: a
#: bad IRI there is an error naming its file, line and column), or made by the build from the checked
#: base IRI; the dump is the build's own, written a moment before.
DUMP_CHECKED = True


def oxigraph_store_of(ntriples: bytes | BinaryIO, graph: Graph, more: Sequence[tuple] = ()):  # noqa: ANN201
    """The pyoxigraph store of ``graph`` made from its N-Triples text (the build's dump, already
    rendered, as bytes or the file it was put in, open: parsing it in Rust is three to four times
    faster than converting each rdflib term) plus the triples ``more`` (added to ``graph`` after the
    dump was made); the store ``oxigraph_store`` converts instead when the text does not hold exactly
    ``graph``'s triples in number."""
    import pyoxigraph as ox

    store, cache = ox.Store(), {}
    if not isinstance(ntriples, bytes):
        ntriples.seek(0)
    store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, lenient=DUMP_CHECKED)
    store.extend(ox.Quad(_to_ox(s, cache), _to_ox(p, cache), _to_ox(o, cache)) for s, p, o in more)
    return store if len(store) == len(graph) else oxigraph_store(graph)


def sparql_target_query(shapes: Graph, target) -> str:  # noqa: ANN001
    """The text pyoxigraph runs for a SPARQL target: the text rdflib's grammar checked (no SERVICE,
    no update), after its prefixes."""
    from kg.shapes_policy import checked

    return f"{_prefixes(shapes, target)}\n{checked(str(shapes.value(target, SH.select)))}"


def sparql_target_queries(shapes: Graph) -> list[str]:
    """The texts of every SPARQL target of the shapes ``plan`` computes focus nodes for, sorted (the
    forked dump writers answer them ahead: ``TargetAnswers``)."""
    return sorted({sparql_target_query(shapes, target) for shape in _targeted_shapes(shapes)
                   for target in shapes.objects(shape, SH.target)
                   if (target, RDF.type, SH.SPARQLTarget) in shapes and (target, SH.select, None) in shapes})


def target_nodes(store, query: str) -> set:  # noqa: ANN001
    """The ``?this`` of ``query``'s solutions on a pyoxigraph ``store``."""
    return {_from_ox(sol["this"]) for sol in store.query(query) if sol["this"] is not None}


def sparql_target_nodes(store, shapes: Graph, target) -> set:  # noqa: ANN001
    query = sparql_target_query(shapes, target)
    return store.nodes(query) if isinstance(store, TargetAnswers) else target_nodes(store, query)


class TargetAnswers:
    """What ``plan`` takes for the targets' store when another process answered the SPARQL targets'
    queries ahead, on a store of the same triples (the build's forked dump writers, which load the
    N-Triples dump they wrote while this process renders the rest: ``answer_targets``): ``nodes(query)``
    gives the answer; a query not answered is run on ``fallback()``'s store, made on first use."""

    def __init__(self, answers: dict[str, set], fallback: Callable) -> None:
        self.answers = answers
        self.fallback = fallback
        self._store = None

    def nodes(self, query: str) -> set:
        if query in self.answers:
            return set(self.answers[query])
        if self._store is None:
            self._store = self.fallback()
        return target_nodes(self._store, query)


def answer_targets(ntriples: bytes, more, queries: list[str]) -> dict[str, set] | None:  # noqa: ANN001
    """In the forked dump writers: the answers of ``queries`` on the store of the N-Triples text
    ``ntriples`` (the union's dump) plus what ``more()`` gives when it is called, after the dump is
    loaded (the description's triples, in N-Triples, and the number of triples the store must then
    hold: that of the graph the validation reads), or None when ``more()`` gives None or the store
    does not hold that number (the caller then makes its own store)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, lenient=DUMP_CHECKED)
    got = more()
    if got is None:
        return None
    text, expected = got
    store.load(text, format=ox.RdfFormat.N_TRIPLES)
    if len(store) != expected:
        return None
    return {query: target_nodes(store, query) for query in queries}


def _targets_known(shapes: Graph, shape) -> bool:  # noqa: ANN001
    """Whether ``focus_nodes`` computes the focus nodes of ``shape``: each of its ``sh:target``s is a
    SPARQL target with a query (the other target kinds are SHACL's own)."""
    return all((target, RDF.type, SH.SPARQLTarget) in shapes and (target, SH.select, None) in shapes
               for target in shapes.objects(shape, SH.target))


def focus_nodes(graph: Graph, shapes: Graph, shape, store_fn) -> set | None:  # noqa: ANN001
    """The focus nodes of ``shape`` in ``graph`` as SHACL defines them; None for a target kind this
    module does not know (the caller then leaves the shape to pySHACL whole: ``_targets_known``)."""
    if not _targets_known(shapes, shape):
        return None
    out: set = set()
    classes = list(shapes.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
        classes.append(shape)
    for cls in classes:
        for sub in graph.transitive_subjects(RDFS.subClassOf, cls):
            out.update(graph.subjects(RDF.type, sub))
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        out.update(graph.subjects(p, None))
    for p in shapes.objects(shape, SH.targetObjectsOf):
        out.update(graph.objects(None, p))
    out.update(shapes.objects(shape, SH.targetNode))
    for target in shapes.objects(shape, SH.target):
        out.update(sparql_target_nodes(store_fn(), shapes, target))
    return out


def _targeted_shapes(shapes: Graph) -> list:
    found = {s for p in _TARGETS for s in shapes.subjects(p, None)}
    found |= {s for s in shapes.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in shapes}
    return sorted(s for s in found if (s, SH.deactivated, Literal(True)) not in shapes)


def retarget(shapes: Graph, focus: dict) -> Graph:
    """A copy of ``shapes`` where each shape of ``focus`` targets exactly the given nodes."""
    out = Graph()
    for ns in shapes.namespaces():
        out.bind(*ns)
    strip = set(focus)
    for s, p, o in shapes:
        if s in strip and p in _TARGETS:
            continue
        if s in strip and p == RDF.type and o in (RDFS.Class, OWL.Class):
            continue
        out.add((s, p, o))
    for shape, nodes in focus.items():
        for n in nodes:
            out.add((shape, SH.targetNode, n))
    return out


# ---------------------------------------------------------------- partitions and workers

def _owners(graph: Graph, parts: Sequence[Collection[tuple]], chunks: int) -> dict:
    """node -> chunk index: each essay graph goes whole to the lightest chunk (biggest first); with
    fewer essays than 4 per chunk (one essay: one chunk, no parallelism) the essays' subjects are
    dealt out one by one in sorted order instead (each kind of resource, each shape's focus nodes,
    spread evenly; a partition still carries each subject's neighbours)."""
    load = [0] * chunks
    owner: dict = {}
    if len(parts) < 4 * chunks:
        subjects = sorted({s for part in parts for s, _p, _o in part}, key=lambda n: (type(n).__name__, str(n)))
        for i, s in enumerate(subjects):
            owner[s] = i % chunks
        return owner
    order = sorted(range(len(parts)), key=lambda i: (-len(parts[i]), i))
    chunk_of = {}
    for i in order:
        k = min(range(chunks), key=lambda c: (load[c], c))
        chunk_of[i] = k
        load[k] += len(parts[i])
    for i in range(len(parts)):
        k = chunk_of[i]
        for s, _p, _o in parts[i]:
            owner.setdefault(s, k)
    return owner


def _partition(graph: Graph, owned: set, hops: int) -> Graph:
    out = indexed_graph()
    add = out.add
    frontier, seen = set(owned), set(owned)
    for hop in range(hops + 1):
        nxt = set()
        for s in frontier:
            for _s, p, o in graph.triples((s, None, None)):
                add((s, p, o))
                if hop < hops and not isinstance(o, Literal) and o not in seen:
                    nxt.add(o)
        seen |= nxt
        frontier = nxt
    for t in graph.triples((None, RDFS.subClassOf, None)):
        add(t)
    return out


@dataclass(frozen=True)
class _Job:
    """What the forked workers validate: handed to each as an argument of its process (a forked
    process shares the parent's memory, copy-on-write: nothing of it is pickled). A unit is a set of
    subjects (a chunk of the corpus, or one essay) and its focus nodes by shape; the shapes are
    retargeted to them by the worker, one unit at a time (``_unit_report``): made up front, the 573
    essays' copies of the shapes held about 370 MB in the parent at 1 M triples."""

    graph: Graph
    owned: list[set]  # the subjects of each unit
    hops: int
    shapes: Graph
    focus: list[dict]  # each unit's {shape: its focus nodes} (every targeted shape: none, an empty set)


def _unit_report(job: _Job, k: int) -> list:
    """The triples of unit ``k``'s report: pySHACL on the triples its focus nodes reach, with the
    shapes retargeted to them (the unit's other subjects conform: ``kg.validation.precheck`` took them
    out), none when it has no focus node left (a report of nothing would add nothing to the merged
    one)."""
    targets = job.focus[k]
    focus = set().union(*targets.values())
    if not focus:
        return []
    return list(_pyshacl(_partition(job.graph, focus, job.hops), retarget(job.shapes, targets)))


def _worker(job: _Job, ks: list[int], conn) -> None:  # noqa: ANN001
    """In a forked process: validate the units ``ks`` of ``job`` and send their reports' triples to
    the parent through ``conn`` (or the error that stopped it)."""
    from kg.sandbox import end_with_parent

    in_forked_child()
    end_with_parent()  # no orphan if the build is killed
    try:
        reports = []
        for i, k in enumerate(ks):
            if i:  # the last unit's graphs freed before the next is made (cycles; no automatic collections here)
                gc.collect()
            reports.append(_unit_report(job, k))
        result: tuple = (True, reports)
    except Exception as exc:  # noqa: BLE001 - raised again in the parent
        result = (False, exc)
    try:
        conn.send(result)
    except Exception as exc:  # noqa: BLE001 - an error that cannot be pickled: its text
        conn.send((False, RuntimeError(f"{type(result[1]).__name__}: {result[1]}; {exc}")))
    conn.close()


def _start(job: _Job, workers: int) -> list:
    """At most ``workers`` forked processes, the units of ``job`` dealt among them in turn; each with
    the reading end of its pipe and the units it validates."""
    ctx = multiprocessing.get_context("fork")
    started = []
    for w in range(min(workers, len(job.owned))):
        ks = list(range(w, len(job.owned), workers))
        receive, send = pipe(ctx)
        process = ctx.Process(target=_worker, args=(job, ks, send), daemon=True)
        process.start()
        send.close()  # the worker holds the only writing end: its death is an EOF here
        started.append((process, receive, ks))
    return started


def _results(started: list, units: int) -> list[list]:
    """The units' reports, in unit order; a worker's error is raised here."""
    out: list = [None] * units
    try:
        for w, (process, receive, ks) in enumerate(counted(started, "validation partitions", len(started))):
            try:
                ok, value = receive.recv()
            except EOFError:
                process.join()
                raise RuntimeError(f"validation worker {w} ended without a report (exit code {process.exitcode})") from None
            if not ok:
                raise value
            for k, report in zip(ks, value):
                out[k] = report
    finally:
        _stop(started)
    return out


def _stop(started: list) -> None:
    for process, receive, _ks in started:
        receive.close()
        if process.is_alive():
            process.terminate()
        process.join()


def assign(focus: dict, reach: dict, owner: dict, units: int) -> tuple[dict, list[dict]]:
    """Each shape's focus nodes split between the parent (the nodes no unit owns, and every node of a
    shape that reads without bound, or of every shape when there are no units) and the units
    (``owner``: {subject: unit}): ``(parent's, [each unit's])``, every shape in each."""
    parent: dict = {}
    per_unit: list[dict] = [{shape: set() for shape in focus} for _ in range(units)]
    for shape, nodes in focus.items():
        if reach[shape] >= _UNBOUNDED or not units:
            parent[shape] = nodes
            continue
        mine = set()
        for n in nodes:
            k = owner.get(n)
            if k is None:
                mine.add(n)
            else:
                per_unit[k][shape].add(n)
        parent[shape] = mine
    return parent, per_unit


def run_units(job: _Job, parent_shapes: Graph, workers: int, meanwhile: Callable[[], None] | None = None,
              ) -> tuple[Graph, list[list]]:
    """``(the parent's report, each unit's report's triples)``: with ``workers`` > 1 the units are
    validated in forked processes while the parent calls ``meanwhile`` (which starts the pages'
    processes and renders the maps), then validates its own share on the whole graph; otherwise all in
    this process (and ``meanwhile`` is not called). With ``workers`` > 1 and no units (every essay's
    report from the cache) ``meanwhile`` is still called first, so that its processes run beside the
    parent's share instead of after it."""
    if workers <= 1 or not job.owned:
        if workers > 1 and meanwhile is not None:
            meanwhile()
        return _pyshacl(job.graph, parent_shapes), [_unit_report(job, k) for k in range(len(job.owned))]
    import pyshacl  # noqa: F401 - imported once, before forking: each worker would import it again

    started = _start(job, workers)
    try:
        if meanwhile is not None:
            meanwhile()
        parent = _pyshacl(job.graph, parent_shapes)
    except BaseException:
        _stop(started)  # no worker is left behind
        raise
    return parent, _results(started, len(job.owned))


def _merge(reports: list[Graph | list], shapes: Graph) -> Graph:
    """One report graph from several: one sh:ValidationReport, every result (result nodes renamed
    apart; shape nodes cloned from the shapes graph keep their ids, as pySHACL keeps them)."""
    out = indexed_graph()
    for ns in shapes.namespaces():
        out.bind(*ns)
    root = BNode()
    conforms = True
    out.add((root, RDF.type, SH.ValidationReport))
    for i, triples in enumerate(reports):
        g = triples if isinstance(triples, Graph) else None
        items = list(triples)
        rename: dict = {}
        for s, p, o in items:
            if p == RDF.type and o == SH.ValidationReport:
                rename[s] = root
            elif p == RDF.type and o == SH.ValidationResult:
                rename[s] = BNode()
        for s, p, o in items:
            if p == SH.conforms:
                conforms = conforms and bool(o.toPython())
                continue
            if s in rename and rename[s] is root and p == RDF.type:
                continue
            out.add((rename.get(s, s), p, rename.get(o, o)))
        del g
    out.add((root, SH.conforms, Literal(conforms)))
    return out


@dataclass(frozen=True)
class ShapePlan:
    """What ``plan`` reads from the shapes alone, without the data: the shapes whose focus nodes it
    computes (``known``, in order), those left to pySHACL whole with their own targets (``whole``),
    how far each known shape reads (``reach``) and the hops a partition needs (``hops``); ``queried``:
    the known shapes with a SPARQL target, whose focus nodes need the targets' store (or their
    answers). Made before the SPARQL targets are answered, what depends only on it, and the focus
    nodes of the other shapes, go on meanwhile (``kg.incremental.validate_units``)."""

    known: tuple
    whole: tuple
    reach: dict
    hops: int
    queried: tuple


def shape_plan(shapes: Graph) -> ShapePlan:
    """``plan``'s reading of ``shapes`` alone (``ShapePlan``)."""
    targeted = _targeted_shapes(shapes)
    known = tuple(s for s in targeted if _targets_known(shapes, s))
    reach = {s: _reach(shapes, s) for s in known}
    hops = max([r for r in reach.values() if r < _UNBOUNDED] or [0])
    queried = tuple(s for s in known if (s, SH.target, None) in shapes)
    return ShapePlan(known, tuple(s for s in targeted if s not in reach), reach, hops, queried)


def plan(graph: Graph, shapes: Graph, prune: bool = True, store_of: Callable | None = None,
         shaped: ShapePlan | None = None, only: Collection | None = None) -> tuple[dict, list, dict, int]:
    """``(focus, whole, reach, hops)``: each shape's focus nodes, the shapes left to pySHACL on the whole
    graph with their own targets, how far each shape reads, and the hops a partition needs. With
    ``prune`` (the default) a focus node that certainly conforms to its shape is left out: pySHACL would
    find nothing there (``kg.validation.precheck``). ``store_of()``, when given, makes the pyoxigraph
    store of ``graph``'s triples the SPARQL targets run on (``oxigraph_store_of``). ``shaped``: the
    shapes' own part (``shape_plan(shapes)``), when already made. ``only``: the focus nodes of these
    of the known shapes only (in their order among them)."""
    store_box: list = []

    def store():  # noqa: ANN202 - built on first use: only SPARQL targets need it
        if not store_box:
            store_box.append(store_of() if store_of is not None else oxigraph_store(graph))
        return store_box[0]

    shaped = shaped if shaped is not None else shape_plan(shapes)
    wanted = [shape for shape in shaped.known if only is None or shape in only]
    checker = None
    if prune:  # the pairs that certainly conform are not given to pySHACL (kg/validation/precheck.py)
        from kg.validation.precheck import Prechecker

        checker = Prechecker(graph, shapes)
    # the shapes without a SPARQL target first, pruned too, then those with one: their answers may be
    # made meanwhile by another process (``validate_partitioned``'s ``_target_answers``)
    found: dict = {}
    for batch in ([s for s in wanted if s not in shaped.queried], [s for s in wanted if s in shaped.queried]):
        nodes = {shape: focus_nodes(graph, shapes, shape, store) for shape in batch}
        found.update(checker.prune(nodes) if checker is not None else nodes)
    focus = {shape: found[shape] for shape in wanted}  # in the shapes' order
    return focus, list(shaped.whole), dict(shaped.reach), shaped.hops


#: From this many triples ``validate_partitioned``, when no one answered the SPARQL targets ahead
#: (``kg validate``), has a forked process build their store and answer them while this one finds
#: and prunes the other shapes' focus nodes: at 1 M triples some 5 s each, one after the other before
FORK_TARGETS_MIN_TRIPLES = 50_000


def _target_answers(graph: Graph, queries: list[str]) -> dict[str, set]:
    """In a forked process (``kg.later.Later``): each of ``queries``' answer on the store of ``graph``."""
    store = oxigraph_store(graph)
    return {query: target_nodes(store, query) for query in queries}


def _answered(ahead: Later, graph: Graph) -> TargetAnswers:
    """``plan``'s store: the answers ``ahead`` made (or, if its process sent none, made here)."""
    return TargetAnswers(ahead.result(), partial(oxigraph_store, graph))


def validate_partitioned(graph: Graph, shapes: Graph, parts: Sequence[Collection[tuple]] = (), workers: int | None = None,
                     min_triples: int = PARALLEL_MIN_TRIPLES, meanwhile: Callable[[], None] | None = None,
                     store_of: Callable | None = None) -> Report:
    """Validate ``graph`` (the union of ``parts``, the essays' graphs or sets of triples, plus ontology
    and metadata)
    against ``shapes``: the report of ``kg.validation.shacl.validate_graph(graph, shapes)``, faster.

    ``meanwhile``, if given, is called in the parent while the workers validate (before the parent's
    own share), only when there are workers; it must not raise, nor change ``graph`` for good.
    ``store_of``: as ``plan``'s."""
    from kg.shapes_policy import check_shapes

    check_shapes(shapes)  # shapes may only read the data graph: no SERVICE, no update
    workers = workers or min(2, os.cpu_count() or 1)
    shaped = shape_plan(shapes)
    ahead = None
    if store_of is None and shaped.queried and workers > 1 and len(graph) >= FORK_TARGETS_MIN_TRIPLES:
        ahead = Later(_target_answers, graph, sparql_target_queries(shapes))
        store_of = partial(_answered, ahead, graph)
    try:
        focus, whole, reach, hops = plan(graph, shapes, store_of=store_of, shaped=shaped)
    finally:
        if ahead is not None:
            ahead.stop()  # nothing if its answers were taken
    chunks = workers if workers > 1 and len(graph) >= min_triples and parts else 0
    if chunks and len(graph) >= UNITS_MIN_TRIPLES:
        chunks *= UNITS_PER_WORKER  # dealt to the workers in turn (``_start``), validated one after the other
    owner = _owners(graph, parts, chunks) if chunks else {}

    parent, per_chunk = assign(focus, reach, owner, chunks)
    owned: list[set] = [set() for _ in range(chunks)]
    for n, k in owner.items():
        owned[k].add(n)
    none = {w: set() for w in whole}  # left to the parent
    job = _Job(graph, owned, hops, shapes, [{**per_chunk[k], **none} for k in range(chunks)])
    parent_shapes = retarget(shapes, parent)
    _strip_whole(parent_shapes, shapes, whole)
    parent_report, unit_reports = run_units(job, parent_shapes, min(chunks, workers), meanwhile)
    reports = [parent_report, *unit_reports]
    return report_from(_merge(reports, shapes) if len(reports) > 1 else reports[0], graph)


def _strip_whole(out: Graph, shapes: Graph, whole: list) -> None:
    """Shapes with targets this module cannot compute keep their own targets (pySHACL finds them)."""
    for shape in whole:
        for p in _TARGETS:
            for o in shapes.objects(shape, p):
                out.add((shape, p, o))
