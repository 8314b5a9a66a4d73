"""The pages' look-up index is built once a build: ``kg.publish.render`` indexes the union for the
reading exports and the pages add the dataset's description to it (``Index.add``), which must give
the index the constructor gives for both graphs."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.publish.pages import Index

EX = "http://example.org/id/"
TERMS = [URIRef(EX + n) for n in "abc"] + [Literal("x"), Literal("x", lang="en"), Literal("y"), Literal(1)]
PREDS = [URIRef(EX + "p"), RDFS.label]
triple = st.tuples(st.sampled_from(TERMS[:3]), st.sampled_from(PREDS), st.sampled_from(TERMS))


def _graph(ts: list) -> Graph:
    g = Graph()
    for t in ts:
        g.add(t)
    return g


def _state(ix: Index) -> tuple:
    out = {s: {p: list(v) for p, v in preds.items() if v} for s, preds in ix.out.items()}
    return {s: v for s, v in out.items() if v}, {o: list(v) for o, v in ix.inc.items() if v}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(first=st.lists(triple, max_size=10), second=st.lists(triple, max_size=10))
def test_adding_a_graph_gives_the_index_of_both(first: list, second: list) -> None:
    """Statements in both graphs once, each list in the constructor's order (ties of equal text, such
    as "x" and "x"@en, in the order the graphs gave them), incoming links the same."""
    a, b = _graph(first), _graph(second)
    both = Index([a, b], EX)
    grown = Index([a], EX)
    grown.add(b)
    assert _state(grown) == _state(both)


def test_labels_worked_out_before_are_worked_out_again() -> None:
    """A label asked for before the description was added is not kept: the added statements may
    give the node its label."""
    ix = Index([_graph([(URIRef(EX + "a"), URIRef(EX + "p"), Literal("x"))])], EX)
    assert ix.label(URIRef(EX + "a")) == "kg:a"
    ix.add(_graph([(URIRef(EX + "a"), RDFS.label, Literal("The A", lang="en"))]))
    assert ix.label(URIRef(EX + "a")) == "The A"


def test_the_build_indexes_the_union_once(project) -> None:  # noqa: ANN001
    """``render`` makes the union's index for the reading exports; the pages' preparation takes that
    very index (with the description added), leaving none behind for a later render to reuse."""
    from kg.config import load_config
    from kg.pipeline import compile_dataset
    from kg.publish import render
    from kg.publish.pages import pages
    from kg.sources import load_sources

    config = load_config(project)
    dataset = compile_dataset(load_sources(config), config)
    render(dataset, config)
    made = dataset.lookups
    assert isinstance(made, Index) and dataset.metadata is not None
    prepared = pages.prepare(dataset, config)
    assert prepared.index is made and dataset.lookups is None
    assert _state(made) == _state(Index([dataset.union, dataset.metadata], config.base_iri + "id/"))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(first=st.lists(triple, max_size=10), second=st.lists(triple, max_size=10))
def test_labels_worked_out_before_adding_a_graph_are_those_of_both(first: list, second: list) -> None:
    """``label_some`` (the build works out the labels while it waits for its dump writers), then the
    description added: only the labels of the subjects it adds to are worked out again, and every
    node's label is the one the index of both graphs gives."""
    a, b = _graph(first), _graph(second)
    both = Index([a, b], EX)
    grown = Index([a], EX)
    while grown.label_some(2):
        pass
    grown.add(b)
    assert [grown.label(n) for n in TERMS[:3]] == [both.label(n) for n in TERMS[:3]]


def test_label_some_labels_so_many_subjects_a_call_until_none_is_left(monkeypatch) -> None:  # noqa: ANN001
    import kg.publish.pages as pages

    ix = Index([_graph([(URIRef(EX + n), RDFS.label, Literal(n.upper())) for n in "abcde"])], EX)
    worked: list = []
    real = pages.label_term
    monkeypatch.setattr(pages, "label_term", lambda values_of: worked.append(1) or real(values_of))
    assert ix.label(URIRef(EX + "b")) == "B" and len(worked) == 1
    assert [ix.label_some(2), ix.label_some(2), ix.label_some(2)] == [True, True, False]
    assert len(worked) == 5  # b's label was not worked out again
    assert [ix.label(URIRef(EX + n)) for n in "abcde"] == list("ABCDE") and len(worked) == 5
    assert ix.label_some(2) is False
