"""The real project: its committed output/ is fresh, its evidence is in the text, its counts are
what the data declares."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import rdflib

from kg.publish.serialize import jsonld_context
from kg.sources import load_sources
from kg.config import load_config
from kg.text import find_mentions, find_passage
from kg.namespaces import KGO

from conftest import ROOT


def test_committed_output_is_fresh(real_build: Path) -> None:
    committed = ROOT / "output"
    fresh = {p.relative_to(real_build): p.read_bytes() for p in real_build.rglob("*") if p.is_file()}
    old = {p.relative_to(committed): p.read_bytes() for p in committed.rglob("*") if p.is_file()}
    stale = sorted(str(k) for k in set(fresh) | set(old) if fresh.get(k) != old.get(k))
    assert not stale, f"output/ is stale, run `kg build` and commit output/: {stale[:10]}"


def test_every_evidence_string_occurs_in_the_text() -> None:
    sources = load_sources(load_config(ROOT))
    for essay in sources.essays:
        for s, o in essay.graph.subject_objects(KGO.evidence):
            assert len(find_passage(essay.text, str(o))) == 1, (s, str(o))
        for s, o in essay.graph.subject_objects(KGO.mention):
            assert find_mentions(essay.text, str(o)), (s, str(o))


def test_the_essay_text_is_the_shared_source() -> None:
    text = ROOT / "data/essays/arthur-revolution-betrayed/source.txt"
    assert hashlib.sha256(text.read_bytes()).hexdigest() == "8e9db422ad6141c69268415f0a0443e0bf2eaa00bc2c93462d9a4b7175bf6b03"


def test_context_file_matches_the_dumps() -> None:
    shipped = json.loads((ROOT / "ontology" / "context.jsonld").read_text())
    assert shipped == {"@context": jsonld_context("https://w3id.org/arthur-kg/")}


def test_ontology_has_a_version_iri() -> None:
    g = rdflib.Graph()
    for f in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(f)
    assert list(g.objects(rdflib.URIRef("https://w3id.org/arthur-kg/ontology"), rdflib.OWL.versionIRI))
