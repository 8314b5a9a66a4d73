"""Pure: materialise the standard-vocabulary triples of the contract from the ontology's alignments,
so that a researcher can query the dumps without a reasoner."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.enrich.anchors import essay_node
from kg.namespaces import CONTRACT_NAMESPACES, KGO, SCHEMA

#: Kinds of resource that the essay's schema:mentions must list (CONTRACT.md, "The essay").
MENTIONABLE = (SCHEMA.Person, SCHEMA.Organization, SCHEMA.Place, SCHEMA.Event, SCHEMA.CreativeWork, SKOS.Concept)
#: Resources that are part of the essay's own apparatus, never "mentioned" by it.
NOT_MENTIONED = (SCHEMA.Quotation, SCHEMA.Claim, KGO.Section, KGO.SourceText, SCHEMA.ScholarlyArticle)


def _in_contract(term: URIRef) -> bool:
    return str(term).startswith(CONTRACT_NAMESPACES)


def _closure(edges: dict[URIRef, set[URIRef]]) -> dict[URIRef, frozenset[URIRef]]:
    out: dict[URIRef, frozenset[URIRef]] = {}
    for start in edges:
        seen: set[URIRef] = set()
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if node in seen or node == start:
                continue
            seen.add(node)
            stack.extend(edges.get(node, ()))
        kept = frozenset(t for t in seen if _in_contract(t))
        if kept:
            out[start] = kept
    return out


@dataclass(frozen=True)
class Alignments:
    """What the ontology says about how its terms (and some standard ones) relate."""

    class_supers: dict[URIRef, frozenset[URIRef]]
    property_supers: dict[URIRef, frozenset[URIRef]]
    inverses: dict[URIRef, frozenset[URIRef]]
    symmetric: frozenset[URIRef]

    @classmethod
    def from_ontology(cls, ontology: Graph) -> "Alignments":
        classes: dict[URIRef, set[URIRef]] = defaultdict(set)
        props: dict[URIRef, set[URIRef]] = defaultdict(set)
        inverses: dict[URIRef, set[URIRef]] = defaultdict(set)
        for s, o in ontology.subject_objects(RDFS.subClassOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                classes[s].add(o)
        for s, o in ontology.subject_objects(OWL.equivalentClass):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                classes[s].add(o)
                classes[o].add(s)
        for s, o in ontology.subject_objects(RDFS.subPropertyOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                props[s].add(o)
        for s, o in ontology.subject_objects(OWL.equivalentProperty):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                props[s].add(o)
                props[o].add(s)
        for s, o in ontology.subject_objects(OWL.inverseOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                inverses[s].add(o)
                inverses[o].add(s)
        symmetric = frozenset(s for s in ontology.subjects(RDF.type, OWL.SymmetricProperty) if isinstance(s, URIRef))
        return cls(
            class_supers=_closure(classes),
            property_supers=_closure(props),
            inverses={k: frozenset(v) for k, v in inverses.items()},
            symmetric=symmetric,
        )


def _derive(graph: Graph, triples, al: Alignments):  # noqa: ANN001, ANN202
    for s, p, o in triples:
        if p == RDF.type:
            for sup in al.class_supers.get(o, ()):
                yield s, RDF.type, sup
            continue
        for sup in al.property_supers.get(p, ()):
            yield s, sup, o
        if isinstance(o, URIRef):
            for inv in al.inverses.get(p, ()):
                yield o, inv, s
            if p in al.symmetric:
                yield o, p, s


def _mentions(graph: Graph) -> list[tuple]:
    essay = essay_node(graph)
    if essay is None:
        return []
    mentioned = set()
    for kind in MENTIONABLE:
        mentioned.update(s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef))
    for kind in NOT_MENTIONED:
        mentioned.difference_update(graph.subjects(RDF.type, kind))
    evidenced = set(graph.subjects(KGO.mentionedAt)) | set(graph.subjects(KGO.evidencedAt)) | set(graph.subjects(KGO.roleInEssay))
    return [(essay, SCHEMA.mentions, m) for m in sorted(mentioned & evidenced) if m != essay]


def materialise(graph: Graph, alignments: Alignments) -> Graph:
    """A copy of ``graph`` with the standard triples implied by the alignments, to a fixpoint."""
    out = Graph()
    for t in graph:
        out.add(t)
    frontier = list(graph)
    while frontier:
        new = [t for t in _derive(out, frontier, alignments) if t not in out]
        for t in new:
            out.add(t)
        frontier = new
    for t in _mentions(out):
        out.add(t)
    return out
