"""kg.tripleindex: the store of the build's big graphs answers every look-up as rdflib's own store
does, after any sequence of additions (one by one or ``add_all``) and removals, and pySHACL validates
a graph held in it."""
from __future__ import annotations

import itertools

import pyshacl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.stores.memory import Memory

from kg.tripleindex import TripleIndex, indexed_graph

EX = Namespace("http://example.org/")
TERMS = [EX.a, EX.b, EX.c, BNode("n1"), Literal("a"), Literal("1", datatype=XSD.integer), Literal("a", lang="en")]
SUBJECTS = TERMS[:4]
PREDICATES = [EX.p, EX.q, RDF.type]

triple = st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES), st.sampled_from(TERMS))
operation = st.one_of(
    st.tuples(st.just("add"), triple),
    st.tuples(st.just("remove"), triple),
    st.tuples(st.just("remove pattern"), st.tuples(st.sampled_from([*SUBJECTS, None]), st.sampled_from([*PREDICATES, None]),
                                                   st.sampled_from([*TERMS, None]))),
    st.tuples(st.just("look"), st.sampled_from(TERMS)),  # an object look-up: the lazy index is made mid-way
    st.tuples(st.just("add all"), st.lists(triple, max_size=6)),  # TripleIndex.add_all (the union's)
)


def patterns():
    for s, p, o in itertools.product([None, *SUBJECTS], [None, *PREDICATES], [None, *TERMS]):
        yield s, p, o


def assert_same(ours: Graph, theirs: Graph) -> None:
    assert len(ours) == len(theirs)
    for pattern in patterns():
        got = list(ours.triples(pattern))
        assert len(got) == len(set(got)), pattern  # each triple once
        assert set(got) == set(theirs.triples(pattern)), pattern


@settings(max_examples=200, deadline=None)
@given(st.lists(operation, max_size=40))
def test_every_lookup_as_rdflibs_store(ops):
    ours, theirs = indexed_graph(), Graph()
    for op, arg in ops:
        if op == "add":
            ours.add(arg)
            theirs.add(arg)
        elif op == "add all":
            ours.store.add_all(arg)
            for t in arg:
                theirs.add(t)
        elif op in ("remove", "remove pattern"):
            ours.remove(arg)
            theirs.remove(arg)
        else:
            assert set(ours.subject_predicates(arg)) == set(theirs.subject_predicates(arg))
    assert_same(ours, theirs)
    store = ours.store
    assert isinstance(store, TripleIndex)
    for s in TERMS:  # predicates_of: a subject's triples without a tuple each (kg.incremental's keys)
        assert {(s, p, o) for p, objs in store.predicates_of(s).items() for o in objs} == set(theirs.triples((s, None, None)))
        for p in PREDICATES:  # objects_with, subjects_with: a node's values (kg.validation.precheck)
            assert list(store.objects_with(s, p)) == [o for _s, _p, o in ours.triples((s, p, None))]
            assert set(store.objects_with(s, p)) == set(theirs.objects(s, p))
            assert set(store.subjects_with(p, s)) == set(theirs.subjects(p, s))
    # nothing left behind by removals: every index entry leads to a triple
    for index in (store._spo, store._pos, store._osp or {}):
        assert all(middle and all(middle.values()) for middle in index.values())


def test_lookups_in_the_order_added():
    g = indexed_graph()
    objects = [Literal(str(i)) for i in range(50)][::-1]
    for o in objects:
        g.add((EX.a, EX.p, o))
    assert list(g.objects(EX.a, EX.p)) == objects
    assert [o for _p, o in g.predicate_objects(EX.a)] == objects
    assert list(g.subjects(EX.p, objects[3])) == [EX.a]


def test_len_counts_each_triple_once():
    g = indexed_graph()
    for _ in range(3):
        g.add((EX.a, EX.p, EX.b))
    g.addN([(EX.a, EX.p, EX.b, g), (EX.a, EX.p, EX.c, g)])
    assert len(g) == 2
    g.remove((EX.a, EX.p, EX.b))
    g.remove((EX.a, EX.p, EX.b))  # gone already: nothing happens
    assert len(g) == 1
    assert list(g) == [(EX.a, EX.p, EX.c)]


def test_object_index_made_only_when_asked_and_kept_up_to_date():
    g = indexed_graph()
    g.add((EX.a, EX.p, EX.b))
    assert g.store._osp is None  # a build never asks for it
    assert list(g.subject_predicates(EX.b)) == [(EX.a, EX.p)]
    assert g.store._osp is not None
    g.add((EX.c, EX.q, EX.b))
    g.remove((EX.a, EX.p, EX.b))
    assert list(g.subject_predicates(EX.b)) == [(EX.c, EX.q)]
    assert list(g.predicates(EX.c, EX.b)) == [EX.q]


@pytest.mark.parametrize("pattern", [(EX.a, None, None), (EX.a, EX.p, None), (None, EX.p, None), (None, EX.p, EX.a),
                                     (None, None, None), (None, None, EX.a), (EX.s1, None, EX.a)])
def test_changed_while_iterated(pattern):
    g = indexed_graph()
    for i in range(20):
        g.add((EX.a, EX.p, Literal(i)))
        g.add((EX.a, EX[f"p{i}"], Literal(i)))
        g.add((EX[f"s{i}"], EX.p, EX.a))
        g.add((EX.s1, EX[f"p{i}"], EX.a))
    g.subject_predicates(EX.a)  # the object index made
    n = len(g)
    seen = []
    for t in g.triples(pattern):  # removing what is being iterated must not break the iteration
        g.remove(t)
        g.add((EX[f"z{len(seen)}"], EX[f"q{len(seen)}"], Literal(str(t))))
        seen.append(t)
    assert len(seen) > 1
    assert not list(g.triples(pattern)) or pattern == (None, None, None)
    assert len(g) == n


bindings = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from([EX.x, EX.y, EX.z]), st.booleans()),
                    max_size=12)


@given(bindings)
def test_prefixes_bound_as_rdflibs_store_binds_them(binds):
    ours, theirs = TripleIndex(), Memory()
    for prefix, namespace, override in binds:
        outcomes = []
        for store in (ours, theirs):
            try:
                store.bind(prefix, namespace, override)
                outcomes.append(None)
            except KeyError as exc:  # rdflib's store fails on some sequences: ours fails alike
                outcomes.append(repr(exc))
        assert outcomes[0] == outcomes[1]
        if outcomes[0] is not None:
            return
    assert sorted(ours.namespaces()) == sorted(theirs.namespaces())
    for namespace in (EX.x, EX.y, EX.z):
        assert ours.prefix(namespace) == theirs.prefix(namespace)
    for prefix in "abc":
        assert ours.namespace(prefix) == theirs.namespace(prefix)


def test_prefixes_bound_as_rdflib_binds_them():
    ours, theirs = indexed_graph(), Graph()
    for g in (ours, theirs):
        g.bind("ex", EX)
        g.bind("ex2", EX, override=True)
        g.bind("ex", URIRef("http://example.org/other/"), override=False)
        g.add((EX.a, EX.p, URIRef("http://example.org/other/b")))
    assert sorted(ours.namespaces()) == sorted(theirs.namespaces())
    assert ours.store.namespace("ex2") == URIRef(EX)
    assert ours.store.prefix(URIRef(EX)) == "ex2"
    assert ours.serialize(format="turtle") == theirs.serialize(format="turtle")
    assert "@prefix ex2: <http://example.org/> ." in ours.serialize(format="turtle")


SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ;
  sh:sparql [ sh:select "SELECT $this WHERE {{ $this <{EX}q> $this }}" ] .
"""


def test_pyshacl_validates_a_graph_held_in_it():
    shapes = Graph().parse(data=SHAPES, format="turtle")
    data = [(EX.a, RDF.type, EX.C), (EX.b, RDF.type, EX.C), (EX.b, EX.p, Literal(1)), (EX.c, RDF.type, EX.C),
            (EX.c, EX.p, Literal(2)), (EX.c, EX.q, EX.c)]
    results = []
    for g in (indexed_graph(), Graph()):
        for t in data:
            g.add(t)
        conforms, report, _ = pyshacl.validate(g, shacl_graph=shapes)
        focus = sorted(str(o) for o in report.objects(None, URIRef("http://www.w3.org/ns/shacl#focusNode")))
        results.append((conforms, focus))
    assert results[0] == results[1] == (False, [str(EX.a), str(EX.c)])


@settings(max_examples=100, deadline=None)
@given(st.lists(triple, min_size=1, max_size=30))
def test_the_writers_grouping_reads_the_subject_index(triples):
    """kg.publish.serialize.group: the union's own subject index (TripleIndex.by_subject, no grouping
    made), holding what grouping rdflib's graph gives; and the dumps written from either are the same
    bytes."""
    from kg.publish.serialize import group, jsonld, ntriples_grouped, turtle

    ours, theirs = indexed_graph(), Graph()
    for t in triples:
        t = tuple(EX.d if isinstance(x, BNode) else x for x in t)  # published graphs have no blank nodes
        ours.add(t)
        theirs.add(t)
    grouped, made = group(ours), group(theirs)
    assert grouped is ours.store.by_subject() and isinstance(made, dict) and made is not grouped
    assert {s: {p: set(o) for p, o in ps.items()} for s, ps in grouped.items()} == made
    assert ntriples_grouped(grouped) == ntriples_grouped(made)
    base = "http://example.org/"
    assert turtle(ours, base, grouped) == turtle(theirs, base, made)
    assert jsonld(ours, base, grouped) == jsonld(theirs, base, made)


@settings(max_examples=150, deadline=None)
@given(st.lists(operation, max_size=40))
def test_the_pages_index_and_the_statistics_read_the_indexes(ops: list) -> None:
    """``kg.publish.pages.Index`` of one indexed graph reads its subject index (``by_subject``) and VoID's
    statistics its predicate index (``predicate_counts``): the same look-ups, in the same order, and
    the same counts as made triple by triple, after any additions and removals."""
    from collections import Counter

    from kg.publish.metadata import stats
    from kg.publish.pages import Index

    ours, theirs = indexed_graph(), Graph()
    for op, arg in ops:
        if op in ("add", "add all"):
            for t in [arg] if op == "add" else arg:
                ours.add(t)
                theirs.add(t)
        elif op in ("remove", "remove pattern"):
            ours.remove(arg)
            theirs.remove(arg)
    assert ours.store.predicate_counts() == Counter(p for _s, p, _o in theirs)
    assert stats(ours) == stats(theirs)
    base = str(EX)
    read, made = Index([ours], base), Index([ours, Graph()], base)  # two graphs: triple by triple
    assert list(read.out) == list(made.out) and read.out == made.out
    assert list(read.inc) == list(made.inc) and read.inc == made.inc
    plain = Index([theirs], base)  # rdflib's store: another order, the same statements
    assert {s: {p: sorted(os_, key=repr) for p, os_ in ps.items()} for s, ps in read.out.items()} == {
        s: {p: sorted(os_, key=repr) for p, os_ in ps.items()} for s, ps in plain.out.items()}
    assert {o: sorted(sp) for o, sp in read.inc.items()} == {o: sorted(sp) for o, sp in plain.inc.items()}
    assert all(os_ == sorted(os_, key=str) for ps in read.out.values() for os_ in ps.values())
