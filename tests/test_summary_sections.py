"""The summary's sections (``kg.publish.summary``): in which section of its essay an offset stands
(``Sections.of``), and a resource's mentions counted by section in the order the sections take in
their essay, whatever the order of its anchors; the maps' holder colours (``kg.maps.svg``) by a
holder's place among the map's holders, however many holders there are. Small graphs made here,
with the look-ups the pages use (``kg.publish.pages.Index``)."""
from __future__ import annotations

from types import SimpleNamespace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.maps.model import MapModel
from kg.maps.svg import OTHER, PALETTE, holder_colour
from kg.namespaces import KGO, OA, SCHEMA
from kg.publish.pages import Index
from kg.publish.summary import Sections, summary

BASE = "https://example.org/id/"


def iri(path: str) -> URIRef:
    return URIRef(BASE + path)


def anchor(g: Graph, name: str, start: int, source: str | None = None) -> URIRef:
    """An anchor at ``start`` (its TextPositionSelector), in the text ``source`` if given."""
    a, sel = iri(f"anchor/{name}"), iri(f"anchor/{name}-pos")
    g.add((a, OA.hasSelector, sel))
    g.add((sel, RDF.type, OA.TextPositionSelector))
    g.add((sel, OA.start, Literal(start, datatype=XSD.integer)))
    g.add((sel, OA.end, Literal(start + 5, datatype=XSD.integer)))
    if source is not None:
        g.add((a, OA.hasSource, iri(f"text/{source}")))
    return a


def corpus() -> Graph:
    """Two essays: ``e1`` with sections at 0 (an untitled first one: position 0), 100 and 250 (their
    names not in that order), ``e2`` with one at 40; a person mentioned in both, her anchors named
    so that their order is not the sections' order."""
    g = Graph()
    for essay, sections in {"e1": [("zeta", None, 0), ("alpha", 250, 2), ("mid", 100, 1)],
                            "e2": [("only", 40, 0)]}.items():
        for name, start, position in sections:
            s = iri(f"section/{essay}-{name}")
            g.add((s, RDF.type, KGO.Section))
            g.add((s, SCHEMA.isPartOf, iri(f"essay/{essay}")))
            g.add((s, SCHEMA.position, Literal(position, datatype=XSD.integer)))
            if start is not None:
                g.add((s, KGO.evidencedAt, anchor(g, f"head-{essay}-{name}", start)))
    person = iri("person/someone")
    for name, essay, start in [("a", "e1", 300), ("b", "e1", 120), ("c", "e1", 10), ("d", "e1", 260),
                               ("e", "e2", 50), ("f", "e1", 99)]:
        g.add((person, KGO.mentionedAt, anchor(g, f"m-{name}", start, essay)))
    return g


def test_sections_of_an_offset() -> None:
    secs = Sections(Index([corpus()], BASE))
    assert [name for _s, name, _n in secs.by_essay["e1"]] == [
        BASE + "section/e1-zeta", BASE + "section/e1-mid", BASE + "section/e1-alpha"]
    of = {x: secs.of("e1", x) for x in (0, 99, 100, 101, 249, 250, 10_000)}
    assert of == {0: iri("section/e1-zeta"), 99: iri("section/e1-zeta"), 100: iri("section/e1-mid"),
                  101: iri("section/e1-mid"), 249: iri("section/e1-mid"), 250: iri("section/e1-alpha"),
                  10_000: iri("section/e1-alpha")}
    assert secs.of("e2", 39) is None and secs.of("e2", 40) == iri("section/e2-only")
    assert secs.of("no-such-essay", 5) is None
    # each section's place in its own essay
    assert secs.order[iri("section/e1-alpha")] == 2 and secs.order[iri("section/e2-only")] == 0


def test_summary_counts_mentions_by_section_in_the_essays_order() -> None:
    ix = Index([corpus()], BASE)
    secs = Sections(ix)
    r = SimpleNamespace(ix=ix, supers={}, sections=lambda: secs, kind_of=lambda n: "person",
                        term=lambda n, page: str(n))
    got = summary(r, iri("person/someone"), "id/person/someone.html", [])
    assert got["mentions"] == 6
    # e1's sections by their place in e1 (not by name, not by the anchors' order), e2's at its place
    # there (0: before e1's second); each count the mentions at or after its start
    assert [(s["term"].rsplit("/", 1)[1], s["count"]) for s in got["sections"]] == [
        ("e1-zeta", 2), ("e2-only", 1), ("e1-mid", 1), ("e1-alpha", 2)]


def test_holder_colours_by_place_past_any_number_of_holders() -> None:
    holders = {f"h{i}": f"Holder {i}" for i in range(1500)}
    model = MapModel("argument", "t", holders=holders)
    assert [holder_colour(model, f"h{i}") for i in range(len(PALETTE))] == PALETTE
    assert holder_colour(model, f"h{len(PALETTE)}") == OTHER
    assert holder_colour(model, "h1499") == OTHER
    assert holder_colour(model, "nobody") == ("#ffffff", "#9e9e9e")
    few = MapModel("argument", "t", holders={"b": "B", "a": "A"})
    assert holder_colour(few, "a") == PALETTE[1] and holder_colour(few, "b") == PALETTE[0]
