"""An essay's enriched triples are held once (``kg.model.EssayTriples``), not as a second rdflib graph:
the few look-ups the build makes on them answer as rdflib's would, and the build's union and output
are what they were."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef

from kg.config import load_config
from kg.model import EssayTriples
from kg.pipeline import compile_dataset
from kg.sources import load_sources

EX = "http://example.org/"
#: terms of the same text as an IRI that are not equal to it (a literal, a blank node, a typed
#: literal): a look-up by predicate compares IRIs as text, and must not match these
TWINS = [Literal(EX + "b"), BNode(EX + "b"), Literal(EX + "c", datatype=URIRef(EX + "c"))]
TERMS = [URIRef(EX + n) for n in "abcd"] + [Literal("x"), Literal("x", lang="en")] + TWINS
triples = st.lists(st.tuples(st.sampled_from(TERMS[:4]), st.sampled_from(TERMS[:3] + TWINS), st.sampled_from(TERMS)),
                   max_size=12, unique=True)
#: a pattern's terms are the held ones or equal copies of them (a look-up compares by value, not identity)
pattern = st.tuples(*(st.one_of(st.none(), st.sampled_from(TERMS),
                                st.sampled_from(TERMS[:4]).map(lambda t: URIRef(str(t)))) for _ in range(3)))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(ts=triples, pat=pattern)
def test_the_look_ups_answer_as_an_rdflib_graph_does(ts: list, pat: tuple) -> None:
    """``triples``, ``subjects`` (with and without ``unique``), ``in`` and ``len`` give what an rdflib
    graph of the same triples gives, for every pattern of wildcards."""
    held, graph = EssayTriples(ts), Graph()
    for t in ts:
        graph.add(t)
    assert len(held) == len(graph) and sorted(held) == sorted(graph)
    assert sorted(held.triples(pat)) == sorted(graph.triples(pat))
    assert sorted(held.subjects(pat[1], pat[2])) == sorted(graph.subjects(pat[1], pat[2]))
    unique = list(held.subjects(pat[1], pat[2], unique=True))
    assert len(unique) == len(set(unique)) and set(unique) == set(graph.subjects(pat[1], pat[2]))
    assert (pat in held) == (pat in graph)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(ts=triples, patterns=st.lists(pattern, min_size=1, max_size=4))
def test_the_look_ups_keep_the_essays_order_asked_again_and_again(ts: list, patterns: list) -> None:
    """A look-up yields its triples in the order the essay holds them (what the TriG graph and the
    pages show first), the first look-up by predicate (which groups the triples) and every one after."""
    held = EssayTriples(ts)

    def matches(t: tuple, pat: tuple) -> bool:
        return all(want is None or got == want for got, want in zip(t, pat))
    for pat in patterns * 2:
        assert list(held.triples(pat)) == [t for t in ts if matches(t, pat)]
        assert list(held.subjects(pat[1], pat[2])) == [t[0] for t in ts if matches(t, (None, *pat[1:]))]


def test_the_second_look_up_by_predicate_groups_the_triples_and_the_next_read_the_groups() -> None:
    """The first look-up by predicate scans the essay; the second groups its triples by predicate,
    and the look-ups after it read the groups (not the triples: emptied here, they still answer)."""
    a, b, p, q = (URIRef(EX + n) for n in ("a", "b", "p", "q"))
    held = EssayTriples([(a, p, b), (b, q, a), (b, p, Literal("x"))])
    assert list(held.subjects(p)) == [a, b]
    held._triples = ()  # a scan now finds nothing
    assert list(held.subjects(q)) == []  # the second look-up groups what is held then
    held = EssayTriples([(a, p, b), (b, q, a), (b, p, Literal("x"))])
    assert list(held.subjects(p)) == [a, b] and list(held.subjects(q)) == [b]
    held._triples = ()
    assert list(held.subjects(p)) == [a, b] and list(held.triples((None, q, a))) == [(b, q, a)]
    assert list(held.triples((None, p, Literal("x")))) == [(b, p, Literal("x"))]


def test_an_essay_is_held_as_its_triples_and_the_union_holds_them_all(project: Path) -> None:
    """The build's essays are EssayTriples, in the order the enrichment made them, and every one of
    their triples is in the union (the one indexed graph)."""
    config = load_config(project)
    dataset = compile_dataset(load_sources(config), config)
    assert dataset.essays and all(isinstance(e, EssayTriples) for e in dataset.essays.values())
    held = set().union(*(set(e) for e in dataset.essays.values()))
    others = set(dataset.ontology).union(*(set(g) for g in dataset.enrichments.values()))
    assert len(held) == 247  # the mini essay, enriched
    assert set(dataset.union) == held | others
