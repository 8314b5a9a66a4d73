"""Enrichment by value: blank nodes in the sources become the same IRIs and the same bytes on every
build (whatever the process or the labels in the file); the essay's schema:mentions lists the
persons, works, places, events, organisations and concepts it anchors, never its own quotations,
claims, sections, source text or itself."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.enrich.vocab import Alignments, materialise_triples
from kg.namespaces import KGO, SCHEMA

ESSAY = "data/essays/mini/essay.ttl"
GENID = re.compile(rb"<https://w3id\.org/arthur-kg/\.well-known/genid/[0-9a-f]{16}>")
BLANKS = ('    schema:name "Leon Trotsky" ;\n',
          '    schema:name "Leon Trotsky" ;\n    schema:birthPlace [ schema:name "Yanovka" ] ;\n'
          '    schema:deathPlace [ schema:name "Coyoacán" ; schema:containedInPlace [ schema:name "Mexico" ] ] ;\n')


def build_in_a_new_process(root: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-m", "kg", "--root", str(root), "-q", "build"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = root / "output"
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_blank_nodes_get_the_same_iris_and_bytes_on_every_build(project: Path) -> None:
    essay = project / ESSAY
    ttl = essay.read_text(encoding="utf-8")
    assert ttl.count(BLANKS[0]) == 1
    essay.write_text(ttl.replace(*BLANKS), encoding="utf-8")
    first = build_in_a_new_process(project, "1")
    iris = sorted(set(GENID.findall(first["dataset.nt"])))
    assert len(iris) == 3  # three blank nodes, three stable IRIs, none left blank
    assert b"_:" not in first["dataset.nt"]
    # the same data written with labelled blank nodes, in another order, built by another process
    # with another hash seed: the same IRIs and bytes
    labelled = ttl.replace(BLANKS[0], '    schema:name "Leon Trotsky" ;\n    schema:deathPlace _:death ;\n'
                                      '    schema:birthPlace _:birth ;\n') + (
        '\n_:mexico schema:name "Mexico" .\n_:death schema:containedInPlace _:mexico ; '
        'schema:name "Coyoacán" .\n_:birth schema:name "Yanovka" .\n')
    essay.write_text(labelled, encoding="utf-8")
    assert build_in_a_new_process(project, "2") == first


def _mentions(triples: dict, essay: URIRef) -> set:
    return {o for s, p, o in triples if s == essay and p == SCHEMA.mentions}


def test_the_essay_never_mentions_its_own_apparatus() -> None:
    """Each of the essay's own kinds of resource is a creative work with an anchor, as in the real
    data: only the exclusion keeps it out of schema:mentions."""
    ns = "https://w3id.org/arthur-kg/id/"
    essay, anchor = URIRef(ns + "essay/e"), URIRef(ns + "anchor/e/0-5")
    own = {URIRef(ns + "quotation/q"): SCHEMA.Quotation, URIRef(ns + "claim/c"): SCHEMA.Claim,
           URIRef(ns + "section/s"): KGO.Section, URIRef(ns + "text/e"): KGO.SourceText}
    mentioned = {URIRef(ns + "person/p"): SCHEMA.Person, URIRef(ns + "work/w"): SCHEMA.CreativeWork,
                 URIRef(ns + "concept/c"): SKOS.Concept, URIRef(ns + "place/x"): SCHEMA.Place,
                 URIRef(ns + "event/x"): SCHEMA.Event, URIRef(ns + "organisation/x"): SCHEMA.Organization}
    triples: dict = {(essay, RDF.type, SCHEMA.ScholarlyArticle): None, (essay, RDF.type, SCHEMA.CreativeWork): None,
                     (essay, KGO.evidencedAt, anchor): None}
    for node, cls in {**own, **mentioned}.items():
        for t in ((node, RDF.type, cls), (node, RDF.type, SCHEMA.CreativeWork), (node, KGO.mentionedAt, anchor)):
            triples[t] = None
    unanchored = URIRef(ns + "person/never-in-the-text")
    triples[(unanchored, RDF.type, SCHEMA.Person)] = None
    triples[(unanchored, SCHEMA.name, Literal("x"))] = None
    out = materialise_triples(triples, Alignments({}, {}, {}, frozenset()))
    assert _mentions(out, essay) == set(mentioned)


def test_the_real_essays_mentions_are_its_anchored_people_works_and_concepts(real_build: Path) -> None:
    store = ox.Store()
    store.load(path=str(real_build / "dataset.nt"), format=ox.RdfFormat.N_TRIPLES)
    essay = "https://w3id.org/arthur-kg/id/essay/arthur-revolution-betrayed"
    mentions = {r["m"].value for r in store.query(f"SELECT ?m WHERE {{ <{essay}> <https://schema.org/mentions> ?m }}")}
    own = ("https://schema.org/Quotation", "https://schema.org/Claim", str(KGO.Section), str(KGO.SourceText),
           "https://schema.org/ScholarlyArticle")
    values = " ".join(f"<{c}>" for c in own)
    apparatus = {r["x"].value for r in store.query(
        f"SELECT DISTINCT ?x WHERE {{ VALUES ?c {{ {values} }} ?x a ?c }}")}
    anchored_works = {r["x"].value for r in store.query(
        "SELECT DISTINCT ?x WHERE { ?x a <https://schema.org/CreativeWork> ; "
        f"<{KGO.evidencedAt}>|<{KGO.mentionedAt}> ?a }}")}
    assert len(apparatus & anchored_works) > 100  # quotations and claims are anchored creative works ...
    assert not mentions & apparatus  # ... and never mentioned
    assert essay not in mentions
    kinds = " ".join(f"<{c}>" for c in ("https://schema.org/Person", "https://schema.org/Organization",
                                         "https://schema.org/Place", "https://schema.org/Event",
                                         "https://schema.org/CreativeWork", str(SKOS.Concept)))
    expected = {r["x"].value for r in store.query(
        f"SELECT DISTINCT ?x WHERE {{ VALUES ?c {{ {kinds} }} ?x a ?c ; "
        f"<{KGO.evidencedAt}>|<{KGO.mentionedAt}>|<{KGO.roleInEssay}> ?a . "
        f"FILTER NOT EXISTS {{ VALUES ?d {{ {values} }} ?x a ?d }} }}")}
    assert mentions == expected and len(mentions) == 147
    assert "https://w3id.org/arthur-kg/id/person/leon-trotsky" in mentions
