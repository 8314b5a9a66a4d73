"""Our writers against the libraries' (docs/developing.md, "What stays hand-written and why"): where
pyoxigraph writes the same bytes, these tests prove it; where it does not, they pin the difference.

- N-Triples: pyoxigraph's output, sorted, is byte for byte ours on the essay's data and on any
  triples of the writers' strategies, except that pyoxigraph lower-cases language tags (``en-GB`` ->
  ``en-gb``) where our Turtle, TriG and JSON-LD keep them as written: ours stays, so that the four
  dumps spell each literal alike.
- SPARQL results: pyoxigraph writes only the live answer of ``Store.query``, not rows we hold (the
  worker counts rows against the endpoint's cap before writing; ``kg query`` keeps a ``Result``).
  JSON is its bytes; so is CSV, but where an IRI holds a comma, a quote or a line break, which
  pyoxigraph 0.5 leaves unquoted (a broken CSV row) and ours quotes (RFC 4180); XML and TSV differ in
  spelling only and read back as the same solutions (a carriage return too: ours writes ``&#13;``
  in XML, pyoxigraph a raw one, which an XML parser reads back as a line feed).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
from hypothesis import example, given
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef

from kg.publish.serialize import ntriples
from kg.results import write_select
from test_properties import BOUNDED, TRIPLES
from test_serialize import ID


def to_ox(term):  # noqa: ANN001, ANN201
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def library_ntriples(graph: Graph) -> bytes:
    """pyoxigraph's N-Triples of ``graph``, its lines sorted and without repeats (as ours are)."""
    out = ox.serialize([ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph], format=ox.RdfFormat.N_TRIPLES)
    return b"".join(sorted({line + b"\n" for line in out.split(b"\n")[:-1]}))


def test_the_essays_n_triples_are_pyoxigraphs_bytes(real_build: Path) -> None:
    published = (real_build / "dataset.nt").read_bytes()
    graph = Graph().parse(data=published.decode("utf-8"), format="nt")
    assert len(graph) > 10_000
    assert ntriples(graph) == library_ntriples(graph) == published


@BOUNDED
@given(triples=TRIPLES)
@example(triples=[(URIRef(ID + "a"), URIRef(ID + "p"), Literal("colour", lang="en-GB"))])
def test_n_triples_are_pyoxigraphs_bytes_but_for_the_case_of_language_tags(triples: list[tuple]) -> None:
    graph, lowered = Graph(), Graph()
    for s, p, o in triples:
        graph.add((s, p, o))
        lowered.add((s, p, Literal(str(o), lang=o.language.lower()) if getattr(o, "language", None) else o))
    assert ntriples(lowered) == library_ntriples(graph)
    mixed_case = any(getattr(o, "language", None) and o.language != o.language.lower() for _s, _p, o in triples)
    assert (ntriples(graph) == library_ntriples(graph)) is not mixed_case


QUERY = "SELECT ?s ?p ?o ?unbound WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
SAME_SOLUTIONS = {"xml": ox.QueryResultsFormat.XML, "tsv": ox.QueryResultsFormat.TSV}


@BOUNDED
@given(triples=TRIPLES, blank=st.booleans())
@example(triples=[(URIRef(ID + "a"), URIRef(ID + "p"), Literal("line\r\nend,\"x\"", lang="en"))], blank=True)
@example(triples=[(URIRef(ID), URIRef(ID), Literal("\n")), (URIRef(ID + "a"), URIRef(ID), Literal(" two ends\t"))],
         blank=False)  # white space at the ends of a literal: pyoxigraph's XML parser trims raw white space
def test_select_results_are_pyoxigraphs_bytes_in_json_and_csv_and_its_solutions_in_xml_and_tsv(
        triples: list[tuple], blank: bool) -> None:
    store = ox.Store()
    for s, p, o in triples:
        store.add(ox.Quad(to_ox(s), to_ox(p), to_ox(o)))
    if blank:
        store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode(ID + "p"), ox.BlankNode("b2")))
    answer = store.query(QUERY)
    variables = [v.value for v in answer.variables]
    rows = [[solution[v] for v in variables] for solution in answer]
    assert write_select(variables, rows, "json") == store.query(QUERY).serialize(format=ox.QueryResultsFormat.JSON)
    ours = write_select(variables, rows, "csv")
    fields = [[str(t) if isinstance(t, ox.BlankNode) else t.value if t is not None else "" for t in row] for row in rows]
    assert list(csv.reader(io.StringIO(ours.decode("utf-8"), newline=""))) == [variables, *fields]
    needs_quotes = any(isinstance(t, ox.NamedNode) and any(c in t.value for c in ',"\r\n') for row in rows for t in row)
    assert (ours == store.query(QUERY).serialize(format=ox.QueryResultsFormat.CSV)) is not needs_quotes
    for fmt, library in SAME_SOLUTIONS.items():
        back = ox.parse_query_results(write_select(variables, rows, fmt), format=library)
        assert [[solution[v] for v in variables] for solution in back] == rows, fmt
