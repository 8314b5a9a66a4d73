"""Pure (given a ``kg.cache.Cache``): the incremental build's two cached stages.

- **Enrichment**, per essay, under a hash of the essay folder's files, the ontology's files, the
  settings and the code (``enrich_cached``).
- **Validation**, per essay (``validate_units``): the same partitioned pySHACL validation as
  ``kg.validation.partitioned`` (the focus nodes of every shape computed on the whole graph, each subject
  owned by the first essay that describes it, validated on a partition holding its triples and those
  of the nodes the shapes reach from it), with one partition per essay instead of one per core, each
  keyed by a hash of exactly what pySHACL reads: the partition's triples, its focus nodes (before the
  pre-check of ``kg.validation.precheck``, which then runs only on the partitions that changed and the
  parent's share), the shapes and the code. An essay whose partition did not change is not validated again; one that reaches a
  changed shared person, or whose focus nodes changed (a dangling reference, found on the whole
  graph), is. What crosses essays is checked again on every build: the focus nodes on the whole
  graph, and the shapes that can read anything (SPARQL constraints: cycles and the like) and the
  nodes no essay owns (ontology, dataset description) by pySHACL on the whole graph. The part of a
  key that hashes the partition's triples is kept from the last build for the essays that own or
  reach no changed subject (``_LastBuild``): made again, it would be the same.

The report is the one ``validate_partitioned`` gives (the results of a focus node depend only on its
partition), so the published report's bytes are the same; ``tests/test_incremental.py`` compares
every output file of incremental builds with clean builds.
"""
from __future__ import annotations

import marshal
import os
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDFS

from kg.cache import Cache, code_version, config_key, digest, files_key
from kg.rdfmake import decode_triples, encode_triples
from kg.enrich import enrich_triples
from kg.errors import EvidenceError
from kg.files import read_bytes
from kg.graphparts import GraphParts
from kg.later import Later, forkable
from kg.model import EssayTriples
from kg.shapes_policy import check_shapes
from kg.tripleindex import TripleIndex
from kg.validation.partitioned import (
    PARALLEL_MIN_TRIPLES,
    _Job,
    _merge,
    _strip_whole,
    assign,
    plan,
    retarget,
    run_units,
    shape_plan,
)
from kg.validation.precheck import Prechecker
from kg.validation.shacl import Report, report_from


def essay_key(essay) -> str:  # noqa: ANN001
    """The essay folder's files (every file, by relative path and bytes)."""
    folder = essay.folder
    parts: list[str | bytes] = [essay.id]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        parts += [path.relative_to(folder).as_posix(), read_bytes(path)]  # unreadable: one line naming it
    return digest(*parts)


def enrich_cached(cache: Cache, essay, alignments, config, ontology_key: str,  # noqa: ANN001
                  terms: dict | None = None, key: str | None = None) -> EssayTriples:
    """``kg.enrich.enrich_triples`` through the cache (the same triples, in the same order); ``terms``:
    the memo of ``kg.rdfmake.decode_triples`` the build's essays share; ``key``: the essay's key, when
    made already (``EnrichedAhead``)."""
    if key is None:
        key = digest(code_version(), config_key(config), ontology_key, essay_key(essay))
    hit = enriched(cache, key, terms=terms)
    if hit is not None:
        return EssayTriples(hit, key)
    out = EssayTriples(enrich_triples(essay, alignments, config), key)
    cache.put("enrich", key, encode_triples(out))
    return out


#: A build with at least this many essays to enrich (not read back from the cache) has a forked
#: process enrich the later half of them while this one enriches the first (``EnrichedAhead``)
FORK_ENRICH_MIN = 8


def _enrich_encoded(essays: list, alignments, config) -> list[tuple[bool, object]]:  # noqa: ANN001
    """Each of ``essays`` enriched, as the cache keeps it: ``(True, marshal bytes of encode_triples'
    entry)``, or ``(False, its evidence problems)``. Any other error is raised (by the first essay
    that has one, as ``compile_dataset`` raises it)."""
    out: list[tuple[bool, object]] = []
    for essay in essays:
        try:
            triples = enrich_triples(essay, alignments, config)
        except EvidenceError as exc:
            out.append((False, list(exc.problems)))
        else:
            out.append((True, marshal.dumps(encode_triples(triples))))
        essay.release()
    return out


class EnrichedAhead:
    """Each essay's enriched triples, asked for in the essays' order (``compile_dataset``): read back
    from ``cache`` (a ``Cache`` and the ontology's key: ``enrich_cached``), or made.

    When at least ``FORK_ENRICH_MIN`` essays are to be made (the cache does not hold them) and there
    is a second core, a forked process (``kg.later.Later``) enriches the later half of them from the
    start, while this process makes the first half; it sends each as the cache's entry for it
    (``encode_triples``), which this process stores and reads back as a build reading it from the
    cache does: the same triples, term for term. A cold build of 573 essays spent some 7.5 s on one
    core here while the other was idle. An essay whose evidence fails gives its problems there as
    here (``EvidenceError``); if the process sends nothing (it died, or an essay raised another
    error), ``Later`` enriches its essays here, so that error is raised here, at the essay that
    has it."""

    def __init__(self, essays: Sequence, alignments, config, cache: Cache | None, ontology_key: str,  # noqa: ANN001
                 terms: dict) -> None:
        self.essays, self.alignments, self.config, self.terms = essays, alignments, config, terms
        self.cache = cache if cache is not None and ontology_key else None
        if self.cache is not None:
            common = (code_version(), config_key(config), ontology_key)
            self.keys: list[str | None] = [digest(*common, essay_key(e)) for e in essays]
            todo = [i for i, key in enumerate(self.keys) if not self.cache.holds("enrich", key)]
        else:
            self.keys = [None] * len(essays)
            todo = list(range(len(essays)))
        ahead = todo[len(todo) // 2:] if len(todo) >= FORK_ENRICH_MIN and forkable() else []
        self._ahead = {i: n for n, i in enumerate(ahead)}  # essay -> its place in the process's answer
        self._later = Later(_enrich_encoded, [essays[i] for i in ahead], alignments, config) if ahead else None
        self._sent: list | None = None

    def enriched(self, i: int) -> EssayTriples:
        """Essay ``i``'s triples; ``EvidenceError`` when its evidence fails."""
        essay, key, cache = self.essays[i], self.keys[i], self.cache
        n = self._ahead.get(i)
        if n is None:
            if cache is not None:
                return enrich_cached(cache, essay, self.alignments, self.config, "", self.terms, key=key)
            return EssayTriples(enrich_triples(essay, self.alignments, self.config))
        if cache is not None:
            hit = enriched(cache, key, terms=self.terms)  # counted as enrich_cached counts it
            if hit is not None:
                return EssayTriples(hit, key)
        if self._sent is None:
            self._sent = self._later.result()
        ok, value = self._sent[n]
        self._sent[n] = None  # its bytes not held to the end of the enrichment
        if not ok:
            raise EvidenceError(value)
        entry = marshal.loads(value)  # our own child's bytes (or made here by Later)
        if cache is not None:
            cache.put("enrich", key, entry)
        return EssayTriples(decode_triples(entry, self.terms), key)

    def stop(self) -> None:
        """End the process if it still works (the build stopped before asking for its essays)."""
        if self._later is not None:
            self._later.stop()


def enriched(cache: Cache, key: str, count: bool = True, terms: dict | None = None) -> list[tuple] | None:
    """The triples an essay was enriched into under ``key`` (``enrich_cached``'s), if the cache still
    holds them; None otherwise (absent, damaged). ``count=False``: an earlier build's (``Cache.get``).
    ``terms``: ``decode_triples``' memo."""
    hit = cache.get("enrich", key, count)
    if hit is None:
        return None
    try:
        return decode_triples(hit, terms)
    except ValueError:
        if count:
            cache.miss("enrich")
        return None


def ontology_key(sources) -> str:  # noqa: ANN001
    return files_key(sources.ontology_files)


# ---------------------------------------------------------------- validation by essay

def stable_shapes(shapes: Graph) -> Graph:
    """``shapes`` with its blank nodes named by what they are (their triples, recursively) and where they
    hang (the subject and predicate that lead to them): pySHACL copies the shape nodes a result names
    into the report under their own names, and the results kept from an earlier build must use the
    same names as new ones (a parse names blank nodes at random; the published report is canonical,
    so the names never show)."""
    import hashlib

    content: dict = {}

    def what(b, depth: int = 0) -> str:  # noqa: ANN001
        hit = content.get(b)
        if hit is None:
            if depth > 50:  # a cycle of blank nodes: named by position only
                return "cycle"
            lines = sorted(f"{p.n3()} {what(o, depth + 1) if isinstance(o, BNode) else o.n3()}"
                           for p, o in shapes.predicate_objects(b))
            hit = content[b] = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
        return hit

    names: dict = {}

    def name(b, depth: int = 0) -> str:  # noqa: ANN001
        hit = names.get(b)
        if hit is None:
            parents = sorted(f"{name(s, depth + 1) if isinstance(s, BNode) and depth < 50 else s.n3()} {p.n3()}"
                             for s, p in shapes.subject_predicates(b))
            hit = names[b] = hashlib.sha256(f"{parents[:1]} {what(b)}".encode("utf-8")).hexdigest()[:32]
        return hit

    nodes = {t for triple in shapes for t in triple if isinstance(t, BNode)}
    label: dict = {}
    taken: dict = {}
    for b in sorted(nodes, key=name):
        n = name(b)
        taken[n] = taken.get(n, -1) + 1  # twins (the same triples, the same place) are interchangeable
        label[b] = BNode(f"kgshape{n}{taken[n] or ''}")
    out = Graph()
    for ns in shapes.namespaces():
        out.bind(*ns)
    for s, p, o in shapes:
        out.add((label.get(s, s), p, label.get(o, o)))
    return out


class _ReachedKeys:
    """``keys(owned)``: a hash of the triples a unit's partition holds (``kg.validation.partitioned.
    _partition`` but for the ``rdfs:subClassOf`` ones, keyed once for all): those of the owned subjects
    and of the nodes reached from them in ``hops`` steps, made from a hash of each reached subject's
    triples, each computed once for all units (a person many essays reach is read and sorted once,
    not once per essay)."""

    def __init__(self, graph: Graph, text: Callable, hops: int) -> None:
        self.graph, self.text, self.hops = graph, text, hops
        self._subjects: dict = {}
        store = graph.store
        # {predicate: objects} of a subject: the union's own index when it has one (kg.tripleindex: 1 M
        # triples read without a tuple made per triple), else grouped from the graph's triples
        self._predicates = store.predicates_of if isinstance(store, TripleIndex) else self._grouped

    def _grouped(self, s) -> dict:  # noqa: ANN001
        out: dict = {}
        for _s, p, o in self.graph.triples((s, None, None)):
            out.setdefault(p, []).append(o)
        return out

    def _subject(self, s) -> tuple[str, list]:  # noqa: ANN001
        """(a hash of the triples of ``s``, "" when it has none; the objects a partition follows)."""
        hit = self._subjects.get(s)
        if hit is None:
            text = self.text
            lines, objects = [], []
            for p, objs in self._predicates(s).items():
                head = text(p) + " "
                for o in objs:
                    lines.append(head + text(o))
                    if not isinstance(o, Literal):
                        objects.append(o)
            hit = self._subjects[s] = (digest(text(s), "\n".join(sorted(lines))) if lines else "", tuple(objects))
        return hit

    def __call__(self, owned: set) -> str:
        hashes = []
        frontier, seen = set(owned), set(owned)
        subject = self._subject
        for hop in range(self.hops + 1):
            nxt: set = set()
            for s in frontier:
                h, objects = subject(s)
                if h:
                    hashes.append(h)
                if hop < self.hops:
                    nxt.update(objects)  # set operations in C: a unit reaches tens of thousands of nodes
            nxt -= seen
            seen |= nxt
            frontier = nxt
        return digest(*sorted(hashes))


#: The cache's kind of the last build's record of its units' reached hashes (``_LastBuild``): one entry
#: named ``LAST``, written by every build that validates by essay.
REACHED, LAST = "reached", "last"


class _LastBuild:
    """The reached hashes (``_ReachedKeys``) of the last build's units, by essay, and what changed since.
    A unit whose part has the same key (the same triples, so the same subjects), none of whose
    subjects changed, and which reaches no changed subject (``_reaching``) has the same partition, so
    the same hash: it owns the same subjects (a subject changes hands only when an earlier part gains
    or loses triples of it, which makes it a changed subject), and it reaches the same nodes, hop by
    hop, each with the same triples.

    The changed subjects are those of the triples in one graph and not the other: of each essay whose
    key changed (its triples then and now), of each essay that came or went, and of the rest
    (``kg.graphparts.GraphParts.changed_since``, an essay's earlier triples read back from the
    enrichment's cache). Nothing is reused (``changed`` None) without a record of this code and these
    hops, when the parts are not the view's essays in its order, when the essays that stayed come in
    another order (the first owns a subject), or when an earlier essay's triples are no longer in the
    cache."""

    def __init__(self, cache: Cache, parts: Sequence, view: GraphParts | None, hops: int) -> None:
        self.cache, self.hops = cache, hops
        self.names = list(view.keys) if view is not None else []
        self.view: GraphParts | None = None
        self.changed: set | None = None
        self.reached: dict = {}
        if view is None or [view.keys[n] for n in self.names] != [getattr(p, "key", None) for p in parts]:
            return
        self.view = view
        record = cache.get(REACHED, LAST)
        try:
            if (record["code"], record["hops"]) != (code_version(), hops):
                return
            order, reached = record["order"], record["reached"]
            if not isinstance(reached, dict) or not all(isinstance(n, str) for n in order):
                return
        except (KeyError, TypeError):
            return
        both = set(order) & set(self.names)
        if [n for n in order if n in both] != [n for n in self.names if n in both]:
            return
        self.changed = view.changed_since(record.get("manifest"), objects=False)
        if self.changed is not None:
            self.reached = reached

    def get(self, i: int) -> str | None:
        """Unit ``i``'s hash of the last build, when its essay's key is the same."""
        name = self.names[i]
        entry = self.reached.get(name)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == self.view.keys[name] and isinstance(entry[1], str):
            return entry[1]
        return None

    def save(self, hashes: list[str]) -> None:
        if self.view is not None:
            keys = self.view.keys
            self.cache.put(REACHED, LAST, {"code": code_version(), "hops": self.hops, "order": self.names,
                                           "manifest": self.view.manifest(),
                                           "reached": {n: [keys[n], h] for n, h in zip(self.names, hashes)}})


def essay_parts(essays: dict, rest: Iterable[tuple], cache: Cache, count: bool = True) -> GraphParts | None:
    """A graph as its essays' parts (``kg.model.EssayTriples``), each under its enrichment key (an earlier
    key's triples read back from ``cache``; ``count`` as ``enriched``'s), and ``rest``, every other
    triple of the graph; None when an essay's triples carry no key."""
    if not all(isinstance(getattr(g, "key", None), str) for g in essays.values()):
        return None
    return GraphParts({name: g.key for name, g in essays.items()}, essays.__getitem__,
                      partial(enriched, cache, count=count), list(rest))


def _reaching(graph: Graph, targets: set, hops: int) -> set:
    """The nodes from which a node of ``targets`` is reached in at most ``hops`` steps (subject to
    object, as ``_ReachedKeys`` follows them): ``targets`` and, hop by hop, the subjects of the triples
    whose object is one of the last hop's nodes."""
    store = graph.store
    incoming = store.subjects_of if isinstance(store, TripleIndex) else (lambda o: graph.subjects(None, o, unique=True))
    seen, frontier = set(targets), set(targets)
    for _ in range(hops):
        nxt: set = set()
        for o in frontier:
            nxt.update(incoming(o))
        nxt -= seen
        seen |= nxt
        frontier = nxt
    return seen


def validate_units(graph: Graph, shapes: Graph, parts: Sequence[Graph], cache: Cache, workers: int | None = None,
                   min_triples: int = PARALLEL_MIN_TRIPLES, meanwhile: Callable[[], None] | None = None,
                   store_of: Callable | None = None, view: GraphParts | None = None) -> Report:
    """``kg.validation.partitioned.validate_partitioned(graph, shapes, parts)``'s report, validating again
    only the essays whose partition changed since a build that used ``cache``. ``meanwhile`` as there
    (called only when workers validate). ``view``: the graph as the essays' parts and the rest
    (``essay_parts``; ``parts`` its essays, in its order), when known: then the hash of what each unit
    reaches is reused from the last build for the units that reach nothing changed (``_LastBuild``),
    instead of being made again from every triple they reach."""

    check_shapes(shapes)
    shapes = stable_shapes(shapes)
    workers = workers or min(2, os.cpu_count() or 1)
    # the keys name each unit's pairs before the pre-check; only the pairs of the units that miss the
    # cache (and the parent's) are pre-checked: a unit's report is the same with or without the pairs
    # that certainly conform, and at 1 M pre-checking every essay's pairs costs tens of seconds.
    # What depends on the shapes and the essays alone comes first: the SPARQL targets' focus nodes
    # (``plan``) may wait for another process to answer them (the build's dump writers), and this
    # process makes the rest meanwhile instead of after (at 1 M some 0.7 s of the build's one-core end)
    shaped = shape_plan(shapes)
    whole, reach, hops = list(shaped.whole), shaped.reach, shaped.hops
    n3: dict = {}

    def text(t) -> str:  # noqa: ANN001
        hit = n3.get(t)
        if hit is None:
            hit = n3[t] = t.n3()
        return hit

    last = _LastBuild(cache, parts, view, hops)
    changed = last.changed
    touched: set = set()  # the units a changed subject is a subject of
    owner: dict = {}
    for i, part in enumerate(parts):
        for s in part.subjects(unique=True):
            owner.setdefault(s, i)
            if changed and s in changed:
                touched.add(i)
    owned: list[set] = [set() for _ in parts]
    for n, i in owner.items():
        owned[i].add(n)

    common = digest(code_version(), "\n".join(sorted(f"{text(s)} {text(p)} {text(o)}" for s, p, o in shapes)),
                    "\n".join(sorted(f"{text(s)} {text(o)}" for s, o in graph.subject_objects(RDFS.subClassOf))),
                    str(hops), "\n".join(sorted(text(w) for w in whole)))
    reached_key = _ReachedKeys(graph, text, hops)
    reaching = _reaching(graph, changed, hops) if changed is not None else None
    hashes = []
    for i in range(len(parts)):
        reached = None
        if reaching is not None and i not in touched and owned[i].isdisjoint(reaching):
            reached = last.get(i)
        if not isinstance(reached, str):
            reached = reached_key(owned[i])
        hashes.append(reached)
    # each unit's (shape, focus node) pairs name it in its key, in two parts: those of the shapes
    # without a SPARQL target, hashed while the targets are answered (a hash a unit held, not their
    # texts: at 1 M some 350,000), and the SPARQL targets', a few a unit, after (here the build may
    # wait for its dump writers' answers)
    static = [s for s in shaped.known if s not in shaped.queried]
    parent, per_unit = assign(plan(graph, shapes, prune=False, shaped=shaped, only=static)[0], reach, owner, len(parts))
    hashed = [digest("\n".join(sorted(f"{text(shape)} {text(n)}" for shape, nodes in unit.items() for n in nodes)))
              for unit in per_unit]
    asked = plan(graph, shapes, prune=False, store_of=store_of, shaped=shaped, only=shaped.queried)[0]
    asked_parent, asked_units = assign(asked, reach, owner, len(parts))
    parent = {s: parent[s] if s in parent else asked_parent[s] for s in shaped.known}  # in plan's order
    per_unit = [{s: unit[s] if s in unit else later[s] for s in shaped.known} for unit, later in zip(per_unit, asked_units)]
    keys, reports, misses = [], [], []
    for i in range(len(parts)):
        asked_pairs = sorted(f"{text(shape)} {text(n)}" for shape, nodes in asked_units[i].items() for n in nodes)
        key = digest(common, hashed[i], "\n".join(asked_pairs), hashes[i])
        keys.append(key)
        hit = cache.get("validate", key)
        try:
            reports.append(decode_triples(hit) if hit is not None else None)
        except ValueError:
            cache.miss("validate")
            reports.append(None)
        if reports[-1] is None:
            misses.append(i)
    # the keys' texts and the subjects' hashes (every term of the graph, at 1 M hundreds of megabytes)
    # are not needed past here: dropped before the workers fork and the parent validates its share
    n3.clear()
    del reached_key, reaching
    last.save(hashes)

    checker = Prechecker(graph, shapes)
    parent = checker.prune(parent)
    for i in misses:
        per_unit[i] = checker.prune(per_unit[i])
    none = {w: set() for w in whole}  # left to the parent
    parent_shapes = retarget(shapes, parent)
    _strip_whole(parent_shapes, shapes, whole)
    job = _Job(graph, [owned[i] for i in misses], hops, shapes, [{**per_unit[i], **none} for i in misses])
    # even one changed essay goes to a worker: the parent renders the extras meanwhile (``meanwhile``)
    pooled = workers if workers > 1 and len(graph) >= min_triples else 0
    parent_report, unit_reports = run_units(job, parent_shapes, pooled, meanwhile)
    for i, report in zip(misses, unit_reports):
        reports[i] = report
    for i in misses:
        cache.put("validate", keys[i], encode_triples(reports[i]))
    return report_from(_merge([list(parent_report), *reports], shapes), graph)
