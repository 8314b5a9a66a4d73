"""Pure: one resource's description as RDF files, written like the dumps (``kg.publish.serialize``):
dump-style Turtle with only the prefixes it uses, compacted JSON-LD with the project's context, and
sorted N-Triples, one file per format of ``kg.mediatypes.STATIC_ALTERNATES``.

A description holds every triple with the resource as subject or object, plus the labels and types of
every IRI it links to (objects, subjects of incoming links, predicates), so that a client renders
the resource's page from one request. The build writes these files beside each page of the site
(``site/id/person/x.ttl`` beside ``x.html``); ``kg serve`` answers ``/id/person/x`` with the very
same bytes, so the served and the static descriptions cannot differ."""
from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF

from kg.mediatypes import STATIC_ALTERNATES
from kg.terms import LABEL_PROPERTIES
from kg.publish.serialize import Namer, jsonld, ntriples, turtle

#: the properties of a linked IRI copied into a description: what a page needs to show the link
LINK_PROPERTIES = (RDF.type, *LABEL_PROPERTIES)  # its types and whatever kg.terms may take its label from


def description(index, node: URIRef) -> set[tuple]:  # noqa: ANN001 - a kg.publish.pages.Index
    """The triples describing ``node``: its own (out and in) and the labels and types of its links."""
    triples: set[tuple] = set()
    linked: set = set()
    for p, objs in index.out.get(node, {}).items():
        linked.add(p)
        for o in objs:
            triples.add((node, p, o))
            if isinstance(o, URIRef):
                linked.add(o)
    for s, p in index.inc.get(node, ()):
        triples.add((s, p, node))
        linked.update((s, p))
    linked.discard(node)
    for iri in linked:
        preds = index.out.get(iri)
        if not preds:
            continue
        for p in LINK_PROPERTIES:
            for o in preds.get(p, ()):
                triples.add((iri, p, o))
    return triples


_WRITERS = {"turtle": lambda g, base, namer: turtle(g, base, namer=namer, used_only=True),
            "jsonld": lambda g, base, namer: jsonld(g, base, namer=namer),
            "ntriples": lambda g, base, namer: ntriples(g)}


def resource_files(index, node: URIRef, base_iri: str, namer: Namer | None = None) -> dict[str, bytes]:  # noqa: ANN001
    """{suffix: bytes} of ``node``'s description in every static alternate format (``.ttl``, ...)."""
    namer = namer or Namer(base_iri)
    graph = sorted(description(index, node))
    return {m.suffix: _WRITERS[m.name](graph, base_iri, namer) for m in STATIC_ALTERNATES}


__all__ = ["LINK_PROPERTIES", "description", "resource_files"]
