"""The writers by value: what each format says is exactly the graph, read back by pyoxigraph (and
rdflib), for the literals and IRIs most likely to break a hand-written serialiser; each void:Linkset
counts only the links to its own target."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, SKOS, XSD

from kg.config import load_config
from kg.publish.metadata import describe, stats
from kg.publish.serialize import jsonld, ntriples, trig, turtle

BASE = "https://w3id.org/arthur-kg/"
ID = BASE + "id/"
HARD = 'back\\slash "quoted" new\nline\ttab \r\x00\x1f\x7f \U0001F600 𝔸 é'  # \ " newline tab, controls, non-BMP
GRAPH = BASE + "graph/essay/x"


def _key(term) -> tuple:  # noqa: ANN001
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        return ("literal", term.value, (term.language or "").lower(), "" if dt == str(XSD.string) or term.language else dt)
    return ("iri", term.value)


def _expected(graph: Graph) -> set[tuple]:
    def key(t) -> tuple:  # noqa: ANN001
        if isinstance(t, Literal):
            dt = str(t.datatype) if t.datatype and t.datatype != XSD.string else ""
            return ("literal", str(t), (t.language or "").lower(), dt)
        return ("iri", str(t))
    return {(key(s), key(p), key(o)) for s, p, o in graph}


WRITERS = {
    "turtle": (lambda g: turtle(g, BASE), ox.RdfFormat.TURTLE),
    "ntriples": (lambda g: ntriples(g), ox.RdfFormat.N_TRIPLES),
    "trig": (lambda g: trig({GRAPH: g}, BASE), ox.RdfFormat.TRIG),
    "jsonld": (lambda g: jsonld(g, BASE), ox.RdfFormat.JSON_LD),
}


def read_back(graph: Graph, fmt: str) -> set[tuple]:
    """Write ``graph`` with the writer of ``fmt`` and read it back with pyoxigraph (TriG: from its graph)."""
    write, parse_as = WRITERS[fmt]
    quads = list(ox.parse(write(graph), format=parse_as))
    if fmt == "trig":
        assert {q.graph_name.value for q in quads} == {GRAPH}
    return {(_key(q.subject), _key(q.predicate), _key(q.object)) for q in quads}


def hard_graph() -> Graph:
    g = Graph()
    s = URIRef(ID + "person/x")
    g.add((s, URIRef("https://schema.org/name"), Literal(HARD)))
    g.add((s, URIRef("https://schema.org/description"), Literal(HARD, lang="en-GB")))
    g.add((s, URIRef("https://schema.org/alternateName"), Literal(HARD, datatype=URIRef("http://example.org/dt"))))
    g.add((s, URIRef("https://schema.org/text"), Literal(HARD, datatype=XSD.string)))
    g.add((s, URIRef("https://schema.org/sameAs"), URIRef("http://example.org/é/𝔸?q=1&r=a%20b#frag")))
    # IRIs under the dataset's base that a relative <…> would change: a scheme-like first segment,
    # dot segments, a network path
    for local in ("work/marx:capital", "a:b", "../x", "./x", "x/../y", "//evil.example/x", "x/./y", "?q", "#f", ""):
        g.add((URIRef(ID + local), URIRef("https://schema.org/name"), Literal(local)))
    return g


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_hard_literals_and_iris_round_trip_through_every_writer(fmt: str) -> None:
    graph = hard_graph()
    assert read_back(graph, fmt) == _expected(graph)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "trig", "json-ld"])
def test_rdflib_reads_the_same_literal(fmt: str) -> None:
    graph = hard_graph()
    data = {"turtle": turtle(graph, BASE), "ntriples": ntriples(graph), "trig": trig({GRAPH: graph}, BASE),
            "json-ld": jsonld(graph, BASE)}[fmt]
    back = rdflib.Dataset()
    back.parse(data=data.decode("utf-8"), format={"ntriples": "nt"}.get(fmt, fmt))
    names = {q[2] for q in back.quads((URIRef(ID + "person/x"), URIRef("https://schema.org/name"), None, None))}
    assert names == {Literal(HARD)}


def test_the_escapes_written(tmp_path: Path) -> None:
    line = ntriples([(URIRef(ID + "x"), URIRef("https://schema.org/name"), Literal('\\"\n\t\U0001F600'))]).decode()
    assert line == f'<{ID}x> <https://schema.org/name> "\\\\\\"\\n\\t\U0001F600" .\n'


def test_each_linkset_counts_only_the_links_to_its_own_target(project: Path) -> None:
    g = Graph()
    people = [URIRef(f"{ID}person/p{i}") for i in range(6)]
    for i, p in enumerate(people[:3]):
        g.add((p, OWL.sameAs, URIRef(f"http://www.wikidata.org/entity/Q{100 + i}")))
    g.add((people[3], OWL.sameAs, URIRef("http://viaf.org/viaf/12345")))
    g.add((people[4], SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q7")))
    g.add((people[5], OWL.sameAs, URIRef("https://openlibrary.org/authors/OL1A")))
    g.add((people[5], OWL.sameAs, URIRef("https://openlibrary.org/works/OL2W")))
    g.add((people[5], OWL.sameAs, URIRef("https://example.org/not-a-target")))
    meta = describe(g, load_config(project), [], [], graph_stats=stats(g))
    void = "http://rdfs.org/ns/void#"
    counts = {str(ls).rsplit("/", 1)[1]: int(n) for ls, n in meta.subject_objects(URIRef(void + "triples"))
              if "/linkset/" in str(ls)}
    assert counts == {"wikidata": 4, "viaf": 1, "openlibrary": 2}
    predicates = {str(ls).rsplit("/", 1)[1]: sorted(str(p) for p in meta.objects(ls, URIRef(void + "linkPredicate")))
                  for ls in meta.subjects(URIRef(void + "objectsTarget"), None)}
    assert predicates["wikidata"] == [str(OWL.sameAs), str(SKOS.exactMatch)]
    assert predicates["viaf"] == [str(OWL.sameAs)]


_NT_IRIS = [URIRef("http://example.org/" + n) for n in ("a", "ab", "a/b", "b", "%41")]
_NT_LITERALS = [Literal("a"), Literal("a", datatype=XSD.string), Literal("a", lang="en"), Literal("a", lang="en-gb"),
                Literal("a b"), Literal("a\nb"), Literal("1", datatype=XSD.integer), Literal("01", datatype=XSD.integer),
                Literal("a", datatype=URIRef("http://example.org/a")), Literal(""), Literal("ä"), Literal('a"b')]


def test_the_grouped_ntriples_writer_gives_the_sorted_lines() -> None:
    """``ntriples_grouped`` (the dump's writer: subjects, predicates and objects sorted a level at a
    time) gives the bytes of ``ntriples`` (every line sorted whole) on generated graphs: objects that
    share a prefix ("a", "a"@en, "a"@en-gb, "a b"), IRIs that do ("a", "ab", "a/b"), and two terms
    with one text ("a" and "a"^^xsd:string) written once."""
    import random

    from kg.publish.serialize import group, ntriples_grouped

    rng = random.Random(7)
    for _ in range(300):
        g = Graph()
        for _ in range(rng.randint(0, 25)):
            g.add((rng.choice(_NT_IRIS), rng.choice(_NT_IRIS), rng.choice(_NT_IRIS + _NT_LITERALS)))
        assert ntriples_grouped(group(g)) == ntriples(g)
    both = [(_NT_IRIS[0], _NT_IRIS[0], Literal("a")), (_NT_IRIS[0], _NT_IRIS[0], Literal("a", datatype=XSD.string))]
    assert ntriples_grouped(group(both)) == b'<http://example.org/a> <http://example.org/a> "a" .\n'
