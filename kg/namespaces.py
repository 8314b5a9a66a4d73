"""Every namespace and IRI constant, in one place."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

SCHEMA = Namespace("https://schema.org/")
CITO = Namespace("http://purl.org/spar/cito/")
FABIO = Namespace("http://purl.org/spar/fabio/")
OA = Namespace("http://www.w3.org/ns/oa#")
DOCO = Namespace("http://purl.org/spar/doco/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
WD = Namespace("http://www.wikidata.org/entity/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SH = Namespace("http://www.w3.org/ns/shacl#")
KGO = Namespace("https://w3id.org/arthur-kg/ontology#")
ONTOLOGY_IRI = "https://w3id.org/arthur-kg/ontology"

#: The prefixes of every published serialisation, in the order they are written.
PREFIXES: dict[str, str] = {
    "kg": "https://w3id.org/arthur-kg/id/",  # rewritten to <base_iri>id/ when the base changes
    "kgo": str(KGO),
    "cito": str(CITO),
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "doco": str(DOCO),
    "fabio": str(FABIO),
    "foaf": str(FOAF),
    "oa": str(OA),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sd": str(SD),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "void": str(VOID),
    "wd": str(WD),
    "xsd": str(XSD),
}

#: Namespaces of the contract (docs/contract.md): alignments into them are materialised.
CONTRACT_NAMESPACES: tuple[str, ...] = (
    str(SCHEMA), str(DCTERMS), str(FOAF), str(SKOS), str(CITO), str(OA), str(PROV), str(VOID),
    str(DCAT), str(FABIO), str(SD), str(OWL), str(RDFS), str(DOCO),
)

#: External datasets we link to: name -> (IRI pattern prefix(es), linkset target IRI).
LINK_TARGETS: dict[str, tuple[tuple[str, ...], str]] = {
    "wikidata": (("http://www.wikidata.org/entity/Q",), "http://www.wikidata.org/"),
    "viaf": (("http://viaf.org/viaf/",), "http://viaf.org/"),
    "openlibrary": (("https://openlibrary.org/authors/", "https://openlibrary.org/works/"), "https://openlibrary.org/"),
}

__all__ = [
    "CITO", "CONTRACT_NAMESPACES", "DCAT", "DCTERMS", "DOCO", "FABIO", "FOAF", "KGO", "LINK_TARGETS", "OA",
    "ONTOLOGY_IRI", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SCHEMA", "SD", "SH", "SKOS", "SPDX",
    "VOID", "WD", "XSD",
]
