"""kg.canonical gives exactly rdflib's canonical blank-node labels (the published validation report and
the skolem IRIs are made from them), on generated graphs and on report-shaped ones."""
from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph as rdflib_canonical
from rdflib.namespace import RDF

from kg.canonical import to_canonical_graph

SH = "http://www.w3.org/ns/shacl#"


def _same(g: Graph) -> None:
    assert set(to_canonical_graph(g)) == set(rdflib_canonical(g))


def _graph(edges: list[tuple[int, int, int]], blanks: int) -> Graph:
    """Nodes 0..blanks-1 are blank nodes, the others IRIs; the objects past the nodes are literals."""
    bnodes = [BNode() for _ in range(blanks)]
    g = Graph()

    def node(i: int):  # noqa: ANN202
        return bnodes[i] if i < blanks else URIRef(f"http://example.org/n{i}")
    for s, p, o in edges:
        obj = Literal(o - 10) if o >= 10 else node(o)
        g.add((node(s), URIRef(f"http://example.org/p{p}"), obj))
    return g


edges = st.lists(st.tuples(st.integers(0, 9), st.integers(0, 2), st.integers(0, 12)), min_size=1, max_size=24)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edges=edges, blanks=st.integers(1, 10))
@example(edges=[(0, 0, 1), (1, 0, 2), (2, 0, 0)], blanks=3)            # a ring: no node is told apart
@example(edges=[(0, 0, 5), (1, 0, 5), (0, 1, 2), (1, 1, 3)], blanks=4)  # twins and their children
@example(edges=[(0, 0, 0)], blanks=1)                                 # a loop
@example(edges=[(5, 0, 6)], blanks=1)                                 # no blank node used
def test_the_labels_are_rdflibs(edges: list, blanks: int) -> None:
    _same(_graph(edges, blanks))


def _report(results: int, shapes: int, repeat: int = 1) -> Graph:
    """A validation report as pySHACL makes it: a report node, result nodes, shape nodes they share."""
    g = Graph()
    report = BNode()
    g.add((report, RDF.type, URIRef(SH + "ValidationReport")))
    g.add((report, URIRef(SH + "conforms"), Literal(True)))
    shape_nodes = [BNode() for _ in range(shapes)]
    for i, shape in enumerate(shape_nodes):
        g.add((shape, URIRef(SH + "path"), URIRef(f"http://example.org/p{i}")))
        g.add((shape, URIRef(SH + "minCount"), Literal(1)))
    for i in range(results):
        for _ in range(repeat):  # repeat > 1: results alike but for their blank node
            r = BNode()
            g.add((report, URIRef(SH + "result"), r))
            g.add((r, RDF.type, URIRef(SH + "ValidationResult")))
            g.add((r, URIRef(SH + "focusNode"), URIRef(f"http://example.org/focus{i % 37}")))
            g.add((r, URIRef(SH + "resultMessage"), Literal(f"message {i % 3}", lang="en")))
            g.add((r, URIRef(SH + "sourceShape"), shape_nodes[i % shapes]))
    return g


def test_a_report_of_many_results_gets_rdflibs_labels() -> None:
    _same(_report(300, 7))


def test_results_alike_but_for_their_blank_node_get_rdflibs_labels() -> None:
    _same(_report(12, 2, repeat=2))
