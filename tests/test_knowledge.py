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


# --- issue 14: what claims are about, where they stand, and the reviewer's corrections ------------
ID = "https://w3id.org/arthur-kg/id/"


def test_every_claim_is_about_a_concept_and_in_one_section(store: OxigraphStore) -> None:
    assert rows(store, """SELECT ?c WHERE { ?c a schema:Claim
        FILTER NOT EXISTS { ?c schema:about ?k . ?k a skos:Concept } }""") == []
    assert rows(store, """SELECT ?q WHERE { ?q a schema:Quotation
        FILTER NOT EXISTS { ?q schema:about ?k . ?k a skos:Concept } }""") == []
    per_section = rows(store, """SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE {
        VALUES ?k { schema:Claim schema:Quotation } ?x a ?k .
        OPTIONAL { ?x schema:isPartOf ?s . ?s a kgo:Section ; schema:hasPart ?x } } GROUP BY ?x""")
    assert len(per_section) == EXPECTED["schema:Claim"] + EXPECTED["schema:Quotation"]
    assert {r["n"] for r in per_section} == {"1"}  # each in exactly one section, both directions present


def test_sections_in_order_with_the_untitled_introduction_first(store: OxigraphStore) -> None:
    found = [(r["p"], r["t"], r["n"]) for r in rows(store, """SELECT ?p ?t (COUNT(?x) AS ?n) WHERE {
        ?s a kgo:Section ; schema:position ?p ; dcterms:title ?t ; schema:hasPart ?x .
        ?x a ?k FILTER (?k IN (schema:Claim, schema:Quotation)) } GROUP BY ?p ?t ORDER BY ?p""")]
    assert [(p, t) for p, t, _ in found] == [("0", "[Introduction]"), ("1", "The Basis of the degeneration"),
                                              ("2", "The Nature of Bureaucracy"), ("3", "The Ultra-Left View")]
    assert sum(int(n) for _, _, n in found) == EXPECTED["schema:Claim"] + EXPECTED["schema:Quotation"]


def test_claims_mention_what_they_concern(store: OxigraphStore) -> None:
    mentioned = {r["m"] for r in rows(store, f"""SELECT ?m WHERE {{
        <{ID}claim/trotsky-revolution-political-not-social> schema:mentions ?m }}""")}
    assert {ID + "event/october-revolution", ID + "event/february-revolution", ID + "place/france",
            ID + "work/the-revolution-betrayed"} <= mentioned


def test_the_two_camps_passage_is_from_the_1935_article_and_bonapartism_from_the_book(store: OxigraphStore) -> None:
    def source(q: str) -> set[str]:
        return {r["w"] for r in rows(store, f"SELECT ?w WHERE {{ <{ID}quotation/{q}> schema:isBasedOn ?w }}")}
    assert source("trotsky-two-camps") == {ID + "work/workers-state-thermidor-bonapartism"}
    assert source("trotsky-bonapartism-new-type") == {ID + "work/the-revolution-betrayed"}
    assert source("trotsky-no-other-regime") == {ID + "work/the-revolution-betrayed-chapter-9"}
    intents = {r["p"].rsplit("/", 1)[-1] for r in rows(store, f"""SELECT ?p WHERE {{
        ?e a schema:ScholarlyArticle ; ?p <{ID}work/workers-state-thermidor-bonapartism> }}""")}
    assert {"agreesWith", "includesQuotationFrom"} <= intents
    assert not intents & {"critiques", "disagreesWith", "discusses"}


def test_corrected_holders_and_links(store: OxigraphStore) -> None:
    def holders(c: str) -> set[str]:
        return {r["h"].rsplit("/", 1)[-1] for r in rows(store, f"SELECT ?h WHERE {{ <{ID}claim/{c}> schema:author ?h }}")}
    assert holders("state-property-historical-necessity") == {"c-j-arthur", "leon-trotsky"}
    assert holders("liu-communism-without-contradiction") == {"utopian-strain-in-marxism"}
    assert holders("bureaucratic-formations-servants-of-capital") == {"crude-approach-adherents"}
    assert holders("crude-approach-whitewash") == {"apologists-of-the-bureaucracy"}
    assert holders("trotsky-bureaucracy-like-fascist-apparatus") == {"leon-trotsky"}
    assert holders("state-property-more-than-juridical-mediation") == {"c-j-arthur"}

    def links(c: str) -> set[tuple[str, str]]:
        return {(r["p"].rsplit("#", 1)[-1], r["o"].rsplit("/", 1)[-1]) for r in rows(store, f"""SELECT ?p ?o WHERE {{
            <{ID}claim/{c}> ?p ?o VALUES ?p {{ kgo:supports kgo:opposes kgo:qualifies }} }}""")}
    assert links("deutscher-state-alienated") == set()
    assert links("trotsky-administrative-bent") == set()
    assert ("qualifies", "deutscher-state-alienated") in links("workshop-rationality-not-enough")
    assert ("opposes", "trotsky-gigantic-parasitism") in links("parasitism-too-passive")
    stance = rows(store, f"SELECT ?s WHERE {{ <{ID}claim/trotsky-gigantic-parasitism> kgo:authorStance ?s }}")
    assert [r["s"].rsplit("#", 1)[-1] for r in stance] == ["rejects"]


def test_quotation_readings_and_notes(store: OxigraphStore) -> None:
    text = rows(store, f"SELECT ?t WHERE {{ <{ID}quotation/german-ideology-germany-impotence> schema:text ?t }}")[0]["t"]
    assert "responsible for the work of administration of public interests" in text
    note = rows(store, f"SELECT ?n WHERE {{ <{ID}quotation/krasso-demagogic-title> kgo:noteNumber ?n }}")
    assert [r["n"] for r in note] == ["1"]


def test_stance_renamed_and_old_value_deprecated(store: OxigraphStore) -> None:
    assert rows(store, """SELECT ?c WHERE { ?c kgo:authorStance <https://w3id.org/arthur-kg/ontology#qualifies-stance> }""") == []
    assert len(rows(store, "SELECT ?c WHERE { ?c kgo:authorStance kgo:acceptsInPart }")) >= 5
    old = rows(store, """PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?d ?r WHERE {
        <https://w3id.org/arthur-kg/ontology#qualifies-stance> owl:deprecated ?d ; dcterms:isReplacedBy ?r }""")
    assert old == [{"d": "true", "r": "https://w3id.org/arthur-kg/ontology#acceptsInPart"}]


def test_new_wikidata_links_say_how_they_were_checked(store: OxigraphStore) -> None:
    found = {r["p"].rsplit("/", 1)[-1]: (r["q"], r["how"]) for r in rows(store, """PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?p ?q ?how WHERE { VALUES ?p { kg:person\\/c-j-arthur kg:person\\/herbert-marcuse kg:person\\/robert-michels }
        ?p owl:sameAs ?q ; kgo:checkedBy ?how }""")}
    assert {k: v[0] for k, v in found.items()} == {
        "c-j-arthur": "http://www.wikidata.org/entity/Q1086765",
        "herbert-marcuse": "http://www.wikidata.org/entity/Q60030",
        "robert-michels": "http://www.wikidata.org/entity/Q57314"}
    assert all("One source" in how for _, how in found.values())
