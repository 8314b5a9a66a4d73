"""The essay's knowledge (issue 3): every kind is present in the numbers curated, every entity,
quotation and claim is anchored in the text, and the researchers' key questions are answerable."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.store import OxigraphStore

PREFIXES = """PREFIX schema: <https://schema.org/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kgo: <https://w3id.org/arthur-kg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX cito: <http://purl.org/spar/cito/> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX kg: <https://w3id.org/arthur-kg/id/>
"""

#: What the curated data declares (docs/knowledge.md lists them); a change to the data updates both.
EXPECTED = {
    "schema:Person": 19, "schema:Organization": 19, "schema:Place": 13, "schema:Event": 12,
    "skos:Concept": 73, "schema:Quotation": 35, "schema:Claim": 106, "kgo:Section": 4,
}


@pytest.fixture(scope="module")
def store(real_build: Path) -> OxigraphStore:
    return OxigraphStore.from_output(real_build)


def rows(store: OxigraphStore, q: str) -> list[dict[str, str]]:
    return store.query(PREFIXES + q).values()


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_counts_per_kind(store: OxigraphStore, kind: str) -> None:
    n = rows(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {kind} }}")[0]["n"]
    assert int(n) == EXPECTED[kind]


def test_works_are_many(store: OxigraphStore) -> None:
    n = rows(store, """SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?e a schema:ScholarlyArticle ; cito:cites ?w }""")[0]["n"]
    assert int(n) >= 20


def test_no_entity_without_evidence(store: OxigraphStore) -> None:
    missing = rows(store, """SELECT ?s WHERE {
        VALUES ?k { schema:Person schema:Organization schema:Place schema:Event skos:Concept schema:Quotation schema:Claim }
        ?s a ?k FILTER NOT EXISTS { ?s prov:wasDerivedFrom ?a } }""")
    assert missing == []


def test_no_quotation_without_speaker_and_no_claim_without_holder(store: OxigraphStore) -> None:
    assert rows(store, "SELECT ?q WHERE { ?q a schema:Quotation FILTER NOT EXISTS { ?q schema:creator ?c } }") == []
    assert rows(store, "SELECT ?c WHERE { ?c a schema:Claim FILTER NOT EXISTS { ?c schema:author ?h } }") == []
    assert rows(store, "SELECT ?c WHERE { ?c a schema:Claim FILTER NOT EXISTS { ?c kgo:authorStance ?s } }") == []


def test_one_central_thesis_endorsed_by_the_author(store: OxigraphStore) -> None:
    theses = rows(store, "SELECT ?t ?stance WHERE { ?e kgo:centralThesis ?t . ?t kgo:authorStance ?stance }")
    assert len(theses) == 1
    assert theses[0]["stance"].endswith("#endorses")


def test_which_works_by_marx_the_essay_quotes(store: OxigraphStore) -> None:
    titles = {r["t"] for r in rows(store, """SELECT ?t WHERE { ?e cito:includesQuotationFrom ?w .
        ?w dcterms:creator <https://w3id.org/arthur-kg/id/person/karl-marx> ; dcterms:title ?t }""")}
    assert {"The Eighteenth Brumaire of Louis Bonaparte", "The German Ideology"} <= titles


def test_which_trotsky_positions_the_author_rejects_with_evidence(store: OxigraphStore) -> None:
    found = rows(store, """SELECT ?c ?exact WHERE { ?c schema:author <https://w3id.org/arthur-kg/id/person/leon-trotsky> ; kgo:authorStance kgo:rejects ;
        prov:wasDerivedFrom/oa:hasSelector/oa:exact ?exact }""")
    assert found and all(r["exact"] for r in found)


def test_concepts_related_to_bonapartism(store: OxigraphStore) -> None:
    related = {r["l"] for r in rows(store, """SELECT ?l WHERE { ?b skos:prefLabel "Bonapartism"@en ; skos:related ?c .
        ?c skos:prefLabel ?l }""")}
    assert "bureaucracy" in related


def test_who_appears_in_the_berlin_anecdote(store: OxigraphStore) -> None:
    people = {r["n"] for r in rows(store, """SELECT DISTINCT ?n WHERE { ?ev a schema:Event ; schema:location/schema:containedInPlace* ?place .
        ?place schema:name "Berlin" . ?ev (schema:attendee|schema:actor|schema:organizer|schema:performer) ?p .
        ?p schema:name ?n }""")}
    assert "Wolfgang Leonhard" in people
    assert len(people) >= 2
