"""output/ontology.html documents every own class, property and controlled value of the ontology
with its label, definition, domain, range and alignments, in repeatable bytes."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.config import load_config
from kg.namespaces import KGO
from kg.pipeline import compile_dataset
from kg.publish.extras import EXTRAS
from kg.publish.ontodoc import ontodoc, ontology_html
from kg.sources import load_sources

ROOT = Path(__file__).resolve().parent.parent


class Sections(HTMLParser):
    """The text and the link targets of each <section id=…>."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict] = {}
        self.current: str | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "section" and "id" in a:
            self.current, self.depth = a["id"], 0
            self.sections[self.current] = {"text": "", "links": set()}
        elif self.current:
            if tag == "section":
                self.depth += 1
            if tag == "a":
                self.sections[self.current]["links"].add(a.get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.current:
            if self.depth == 0:
                self.current = None
            else:
                self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.current:
            self.sections[self.current]["text"] += data


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(path)
    return g


@pytest.fixture(scope="module")
def page(ontology: rdflib.Graph) -> dict[str, dict]:
    parser = Sections()
    parser.feed(ontology_html(ontology, "https://w3id.org/arthur-kg/").decode("utf-8"))
    return parser.sections


def own(g: rdflib.Graph, *types: rdflib.URIRef) -> list[rdflib.URIRef]:
    return sorted({s for t in types for s in g.subjects(RDF.type, t) if str(s).startswith(str(KGO))})


def test_every_own_term_is_documented(ontology: rdflib.Graph, page: dict[str, dict]) -> None:
    classes = own(ontology, OWL.Class, RDFS.Class)
    properties = own(ontology, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
    values = [v for c in classes for v in ontology.subjects(RDF.type, c)]
    assert classes and properties and values
    for term in [*classes, *properties, *values]:
        section = page[str(term)[len(str(KGO)):]]
        assert str(ontology.value(term, RDFS.label)) in section["text"], term
        assert str(term) in section["text"]
        definition = ontology.value(term, SKOS.definition)
        assert definition is not None and str(definition) in section["text"], term
        for p in (RDFS.domain, RDFS.range, RDFS.subClassOf, RDFS.subPropertyOf):
            for o in ontology.objects(term, p):
                assert str(o) in section["links"] or "#" + str(o)[len(str(KGO)):] in section["links"], (term, p, o)


def test_classes_show_their_values_and_alignments(page: dict[str, dict]) -> None:
    stance = page["Stance"]
    assert {"#endorses", "#rejects", "#acceptsInPart"} <= stance["links"]
    assert "https://schema.org/Enumeration" in stance["links"]
    assert "https://schema.org/CreativeWork" in page["Section"]["links"]
    supports = page["supports"]
    assert "domain" in supports["text"] and "range" in supports["text"]
    assert "https://schema.org/Claim" in supports["links"] and "http://purl.org/mp/supports" in supports["links"]
    assert "functional" in page["authorStance"]["text"]
    assert "value of" in page["endorses"]["text"] and "#Stance" in page["endorses"]["links"]


def test_the_page_is_published_with_the_dumps_in_repeatable_bytes(built_mini: Path) -> None:
    assert ontodoc in EXTRAS
    cfg = load_config(built_mini)
    dataset = compile_dataset(load_sources(cfg), cfg)
    first, second = ontodoc(dataset, cfg), ontodoc(dataset, cfg)
    assert first == second and sorted(first) == ["ontology.html", "site/ontology.html"]
    assert b'href="dumps/ontology.ttl"' in first["site/ontology.html"]
    assert (built_mini / "output" / "ontology.html").read_bytes() == first["ontology.html"]
    sums = (built_mini / "output" / "SHA256SUMS").read_text()
    assert "  ontology.html\n" in sums


def test_deprecated_term_says_so_and_links_its_replacement(page: dict[str, dict]) -> None:
    old = page["qualifies-stance"]
    assert "deprecated" in old["text"] and "replaced by" in old["text"]
    assert "#acceptsInPart" in old["links"]
    assert "replaced by" not in page["acceptsInPart"]["text"]
