"""One rule for how a term is shown (kg/terms.py): a map and a page name a node alike, and every
page shortens an IRI alike."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.maps.model import concept_model
from kg.namespaces import SCHEMA
from kg.publish.ontodoc import _Doc
from kg.publish.pages import Index
from kg.terms import Curies, label, pick

ID = Namespace("https://w3id.org/arthur-kg/id/")


def _concept(*labels: tuple[URIRef, Literal]) -> tuple[Graph, URIRef]:
    g = Graph()
    c = ID["concept/bureaucracy"]
    g.add((c, RDF.type, SKOS.Concept))
    for p, o in labels:
        g.add((c, p, o))
    return g, c


@pytest.mark.parametrize(("labels", "shown"), [
    # skos:prefLabel before rdfs:label (the pages used to take rdfs:label first, the maps prefLabel)
    (((RDFS.label, Literal("the bureaucracy", lang="en")), (SKOS.prefLabel, Literal("Bureaucracy", lang="en"))),
     "Bureaucracy"),
    # of one property: English or untagged before other languages, then the smallest text
    (((SKOS.prefLabel, Literal("Bureaucratie", lang="fr")), (SKOS.prefLabel, Literal("bureaucracy")),
      (SKOS.prefLabel, Literal("Bureaucracy", lang="en"))), "Bureaucracy"),
    (((SCHEMA.name, Literal("Bürokratie", lang="de")), (DCTERMS.title, Literal("Bureaucracy"))), "Bürokratie"),
])
def test_a_map_and_a_page_show_the_same_label(labels: tuple, shown: str) -> None:
    g, c = _concept(*labels)
    on_the_map = concept_model(g).nodes[str(c)].label
    on_the_page = Index([g], str(ID)).label(c)
    assert on_the_map == on_the_page == label(g, c) == shown


def test_without_a_label_each_view_falls_back_to_its_own_name() -> None:
    g, c = _concept()
    assert label(g, c) is None
    assert concept_model(g).nodes[str(c)].label == "bureaucracy"  # a box shows the IRI's last part
    assert Index([g], str(ID)).label(c) == "kg:concept/bureaucracy"  # a page shows the CURIE


def test_iris_are_shortened_with_the_longest_namespace() -> None:
    curie = Curies({"ex": "http://example.org/", "exv": "http://example.org/vocab#"})
    assert curie("http://example.org/vocab#Term") == "exv:Term"
    assert curie("http://example.org/thing") == "ex:thing"
    assert curie("http://example.org/") == "http://example.org/"  # nothing after the namespace: whole
    assert curie("urn:x:y") == "urn:x:y"


def test_the_ontology_page_and_the_site_shorten_alike() -> None:
    g = Graph()
    doc = _Doc(g, str(ID).removesuffix("id/"))
    ix = Index([g], str(ID))
    for iri in ("http://www.w3.org/2004/02/skos/core#Concept", "https://schema.org/Claim",
                "http://www.w3.org/ns/oa#TextQuoteSelector"):
        assert doc.curie(iri) == ix.curie(iri) != iri


def test_a_finding_names_its_focus_by_the_same_label_on_every_run() -> None:
    """`kg validate` and the build's report name a focus node by a label; with two labels it is the
    one `pick` shows (English first, then by text), not whichever rdflib yields first (that order
    depends on the hash seed: the same findings once read "state", once "the state")."""
    from kg.validation.shacl import label_of

    g = Graph()
    c = ID["concept/state"]
    for text in ("the state", "state", "Staat"):
        g.add((c, RDFS.label, Literal(text, lang="de" if text == "Staat" else "en")))
    g.add((c, SKOS.prefLabel, Literal("State", lang="en")))
    assert label_of(g, c) == "state"
    assert label_of(g, ID["concept/none"]) == ""


def test_the_value_shown_is_an_english_or_untagged_literal_first_then_the_smallest_text() -> None:
    """``pick`` (the value a page, a TEI header or an annotation shows of a property): the same answer
    for a list of one value (looked up without ordering), a longer list and any other iterable."""
    german, english, iri = Literal("Zweig", lang="de"), Literal("Branch", lang="en"), URIRef("http://example.org/a")
    assert pick([]) is None and pick(iter([])) is None
    assert pick([german]) == german and pick({german}) == german and pick([iri]) == iri
    assert pick([german, english]) == english == pick(iter([german, english])) == pick((german, english))
    assert pick([Literal("b"), Literal("a", lang="fr"), Literal("c")]) == Literal("b")
    assert pick([iri, URIRef("http://example.org/0")]) == URIRef("http://example.org/0")
