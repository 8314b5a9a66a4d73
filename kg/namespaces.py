"""Every namespace and IRI constant, in one place."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD



class Terms(Namespace):
    """An rdflib ``Namespace`` that makes each term it is asked for as an attribute once: rdflib's
    makes a new ``URIRef`` (checking the IRI's characters) on every ``OA.hasSource``, and the pages'
    loops ask for a few such terms per value (5 % of a page process's time). The term is kept in the
    instance's ``__dict__``, so the next look-up finds it there; only names that are not ``str``
    methods reach ``__getattr__`` (``SCHEMA.title`` is ``str.title`` either way: write ``SCHEMA["title"]``)."""

    def __getattr__(self, name: str):  # noqa: ANN204
        term = super().__getattr__(name)  # AttributeError for "__…" names, as rdflib's
        self.__dict__[name] = term
        return term


SCHEMA = Terms("https://schema.org/")
CITO = Terms("http://purl.org/spar/cito/")
FABIO = Terms("http://purl.org/spar/fabio/")
OA = Terms("http://www.w3.org/ns/oa#")
DOCO = Terms("http://purl.org/spar/doco/")
SD = Terms("http://www.w3.org/ns/sparql-service-description#")
WD = Terms("http://www.wikidata.org/entity/")
SPDX = Terms("http://spdx.org/rdf/terms#")
SH = Terms("http://www.w3.org/ns/shacl#")
KGO = Terms("https://w3id.org/arthur-kg/ontology#")
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
    "Terms", "VOID", "WD", "XSD",
]
