"""The in-memory store of the build's big graphs (the corpus's union, the validation's partitions and
report, the parsed sources): an rdflib ``Store`` that holds one graph and nothing about contexts.

rdflib's default ``Memory`` store keeps, beside its three indexes, which graphs each triple is in (a
dictionary per triple once a triple is in a graph of its own, a set of every triple per graph) and
hands every triple it yields a generator of those graphs, which ``Graph.triples`` throws away. A plain
``Graph`` never asks for them. ``TripleIndex`` keeps the subject → predicate → objects and the
predicate → object → subjects indexes (each innermost level an insertion-ordered dictionary) and a
count, so a look-up yields its triples with nothing made per triple, ``len`` is the count, and adding
a triple fills two dictionaries. The third index (object → subject → predicates) is made on the first
look-up with an object and no predicate, and kept from then on: a build never makes one (every
look-up of the build binds the subject or the predicate), which halves the memory of a graph. rdflib's
own ``SimpleMemory`` is close, but counts by iterating every triple, keeps all three indexes, lets a
caller that changes the graph while iterating it break the iteration, and keeps emptied
dictionaries after a removal.

A look-up yields the triples matching its pattern in the order they were added (as ``Memory`` does
for a pattern with a bound term); a scan of every triple yields them subject by subject. What a
look-up iterates is copied first, so the graph can be changed while it is iterated (as with
``Memory``). ``docs/performance.md`` ("Tenth round") has the figures.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Graph
from rdflib.store import Store

_NO_GRAPHS: tuple = ()  # what each triple is yielded with: a Graph ignores it
_NO_PREDICATES: dict = {}  # predicates_of a subject that has none (never changed)


class TripleIndex(Store):
    """A context-free, counted, three-index in-memory store (see the module's docstring)."""

    # It holds one graph. pySHACL wraps the graph it validates in an rdflib Dataset over the graph's
    # store, which asserts these two flags, and then reads through the graph itself.
    context_aware = True
    graph_aware = True
    formula_aware = False
    transaction_aware = False

    def __init__(self, configuration: str | None = None, identifier=None) -> None:  # noqa: ANN001
        super().__init__(configuration)
        self.identifier = identifier
        self._spo: dict = {}
        self._pos: dict = {}
        self._osp: dict | None = None  # made when first needed (_objects_index)
        self._n = 0
        self._namespace: dict = {}
        self._prefix: dict = {}

    # ------------------------------------------------------------ changes

    def add(self, triple, context=None, quoted: bool = False) -> None:  # noqa: ANN001
        self.add_all((triple,))

    @staticmethod
    def _index_object(osp: dict, s, p, o) -> None:  # noqa: ANN001
        sp = osp.get(o)
        if sp is None:
            sp = osp[o] = {}
        predicates = sp.get(s)
        if predicates is None:
            predicates = sp[s] = {}
        predicates[p] = None

    def _objects_index(self) -> dict:
        """The object → subject → predicates index, made on the first look-up that needs it."""
        if self._osp is None:
            osp: dict = {}
            for s, po in self._spo.items():
                for p, objects in po.items():
                    for o in objects:
                        self._index_object(osp, s, p, o)
            self._osp = osp
        return self._osp

    def add_all(self, triples: Iterable[tuple]) -> None:
        """``add`` each of ``triples`` (``add``'s body inlined: the union of a corpus is made of a million
        triples at 1 M, and ``Graph.addN``'s checks and generator cost 3.3 s of the 5.9 s it took)."""
        spo, pos, osp = self._spo, self._pos, self._osp
        n = 0
        for s, p, o in triples:
            po = spo.get(s)
            if po is None:
                po = spo[s] = {}
            objects = po.get(p)
            if objects is None:
                po[p] = {o: None}
            else:
                # ``o`` hashed once here and once below (a literal's hash is a Python call: at 1 M
                # some 330,000 literals, hashed four times each before)
                had = len(objects)
                objects[o] = None  # an object already there keeps its place (and its term)
                if len(objects) == had:
                    continue
            os_ = pos.get(p)
            if os_ is None:
                os_ = pos[p] = {}
            os_.setdefault(o, {})[s] = None
            if osp is not None:
                self._index_object(osp, s, p, o)
            n += 1
        self._n += n

    def addN(self, quads: Iterable[tuple]) -> None:  # noqa: N802 - rdflib's name
        self.add_all((s, p, o) for s, p, o, _graph in quads)

    def remove(self, triple_pattern, context=None) -> None:  # noqa: ANN001
        for (s, p, o), _ in list(self.triples(triple_pattern)):
            self._unlink(self._spo, s, p, o)
            self._unlink(self._pos, p, o, s)
            if self._osp is not None:
                self._unlink(self._osp, o, s, p)
            self._n -= 1

    @staticmethod
    def _unlink(index: dict, a, b, c) -> None:  # noqa: ANN001
        middle = index[a]
        inner = middle[b]
        del inner[c]
        if not inner:
            del middle[b]
            if not middle:
                del index[a]

    # ------------------------------------------------------------ look-ups

    def triples(self, triple_pattern, context=None) -> Iterator:  # noqa: ANN001
        s, p, o = triple_pattern
        if s is not None:
            po = self._spo.get(s)
            if po is None:
                return
            if p is not None:
                objects = po.get(p)
                if objects is None:
                    return
                if o is not None:
                    if o in objects:
                        yield (s, p, o), _NO_GRAPHS
                    return
                for o2 in tuple(objects):
                    yield (s, p, o2), _NO_GRAPHS
                return
            if o is not None:
                predicates = self._objects_index().get(o, {}).get(s)
                if predicates is None:
                    return
                for p2 in tuple(predicates):
                    yield (s, p2, o), _NO_GRAPHS
                return
            for p2, objects in tuple(po.items()):
                for o2 in tuple(objects):
                    yield (s, p2, o2), _NO_GRAPHS
            return
        if p is not None:
            os_ = self._pos.get(p)
            if os_ is None:
                return
            if o is not None:
                subjects = os_.get(o)
                if subjects is None:
                    return
                for s2 in tuple(subjects):
                    yield (s2, p, o), _NO_GRAPHS
                return
            for o2, subjects in tuple(os_.items()):
                for s2 in tuple(subjects):
                    yield (s2, p, o2), _NO_GRAPHS
            return
        if o is not None:
            sp = self._objects_index().get(o)
            if sp is None:
                return
            for s2, predicates in tuple(sp.items()):
                for p2 in tuple(predicates):
                    yield (s2, p2, o), _NO_GRAPHS
            return
        for s2, po in tuple(self._spo.items()):
            for p2, objects in tuple(po.items()):
                for o2 in tuple(objects):
                    yield (s2, p2, o2), _NO_GRAPHS

    def __len__(self, context=None) -> int:  # noqa: ANN001
        return self._n

    def predicates_of(self, s) -> dict:  # noqa: ANN001
        """``{predicate: {object: None}}`` of the subject ``s`` ({} when it has none): the index itself,
        to read and not to change, nor to hold while the graph changes (what ``triples((s, None,
        None))`` yields, without a tuple made per triple)."""
        return self._spo.get(s, _NO_PREDICATES)

    def objects_with(self, s, p) -> dict:  # noqa: ANN001
        """``{object: None}`` of the triples ``(s, p, ?)`` ({} when none): the index itself, to read
        and not to change, nor to hold while the graph changes (``graph.objects(s, p)`` without a
        generator and a tuple per value: ``kg.validation.precheck``)."""
        return self._spo.get(s, _NO_PREDICATES).get(p, _NO_PREDICATES)

    def subjects_with(self, p, o) -> dict:  # noqa: ANN001
        """``{subject: None}`` of the triples ``(?, p, o)`` ({} when none), as ``objects_with``."""
        return self._pos.get(p, _NO_PREDICATES).get(o, _NO_PREDICATES)

    def predicate_counts(self) -> dict:
        """``{predicate: how many triples have it}``, from the predicate index (no triple made)."""
        return {p: sum(map(len, os_.values())) for p, os_ in self._pos.items()}

    def by_subject(self) -> dict:
        """``{subject: {predicate: {object: None}}}``: the subject index itself, to read and not to
        change, nor to hold while the graph changes (``kg.publish.serialize.group``)."""
        return self._spo

    def subjects_of(self, o) -> list:  # noqa: ANN001
        """The subjects of the triples whose object is ``o`` (``graph.subjects(None, o)``, each once),
        read from the predicate index when the object index was never made: a look-up per predicate
        (tens of them) instead of an index of every triple made for a few look-ups."""
        if self._osp is not None:
            return list(self._osp.get(o, ()))
        out: dict = {}
        for os_ in self._pos.values():
            subjects = os_.get(o)
            if subjects:
                out.update(subjects)
        return list(out)

    def contexts(self, triple=None) -> Iterator:  # noqa: ANN001
        return iter(())

    # ------------------------------------------------------------ prefixes (as rdflib's Memory store)

    def bind(self, prefix: str, namespace, override: bool = True) -> None:  # noqa: ANN001
        bound_namespace = self._namespace.get(prefix)
        bound_prefix = self._prefix.get(namespace)
        if bound_prefix is None and bound_namespace is not None:
            bound_prefix = self._prefix.get(bound_namespace)
        if override:
            if bound_prefix is not None:
                del self._namespace[bound_prefix]
            if bound_namespace is not None:
                del self._prefix[bound_namespace]
            self._prefix[namespace] = prefix
            self._namespace[prefix] = namespace
        else:
            ns = bound_namespace if bound_namespace is not None else namespace
            pf = bound_prefix if bound_prefix is not None else prefix
            self._prefix[ns] = pf
            self._namespace[pf] = ns

    def namespace(self, prefix: str):  # noqa: ANN201
        return self._namespace.get(prefix)

    def prefix(self, namespace):  # noqa: ANN001, ANN201
        return self._prefix.get(namespace)

    def namespaces(self) -> Iterator[tuple]:
        yield from tuple(self._namespace.items())


def release_graph(graph: Graph) -> None:
    """Break an rdflib ``Graph``'s one reference cycle (the graph and its namespace manager refer to
    each other), so that reference counting frees it, and its store's every table, as soon as the last
    reference to it goes, instead of a cyclic collection some time later (at 1 M triples the essays'
    parsed graphs were 500,000 such objects, the only cyclic garbage of a build's reading and
    enrichment). The graph stays whole: its next use of a namespace manager makes a new one from the
    prefixes its store keeps."""
    graph.namespace_manager = None  # type: ignore[assignment] - rdflib makes one again when asked


def indexed_graph(identifier=None) -> Graph:  # noqa: ANN001
    """An empty rdflib ``Graph`` over a ``TripleIndex``."""
    return Graph(store=TripleIndex(), identifier=identifier)
