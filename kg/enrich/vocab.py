"""Pure: materialise the standard-vocabulary triples of the contract from the ontology's alignments,
so that a researcher can query the dumps without a reasoner."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.namespaces import CONTRACT_NAMESPACES, KGO, SCHEMA
from kg.registry import mentionable_classes

# The kinds of resource that the essay's schema:mentions must list (CONTRACT.md, "The essay"): the
# classes of kg.registry.ENTITY_KINDS (``mentionable_classes``).
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
    a = RDF.type
    for s, p, o in triples:
        if p == a:
            for sup in al.class_supers.get(o, ()):
                yield s, a, sup
            continue
        for sup in al.property_supers.get(p, ()):
            yield s, sup, o
        if isinstance(o, URIRef):
            for inv in al.inverses.get(p, ()):
                yield o, inv, s
            if p in al.symmetric:
                yield o, p, s


def _mentions_of(triples, essay) -> list[tuple]:  # noqa: ANN001
    """The essay's schema:mentions, from any iterable of its triples."""
    if essay is None:
        return []
    mentionable, not_mentioned = mentionable_classes(), frozenset(NOT_MENTIONED)
    evidence = (KGO.mentionedAt, KGO.evidencedAt, KGO.roleInEssay)
    mentioned, excluded, evidenced = set(), set(), set()
    a = RDF.type
    for s, p, o in triples:
        if p == a:
            if o in mentionable and isinstance(s, URIRef):
                mentioned.add(s)
            if o in not_mentioned:
                excluded.add(s)
        elif p in evidence:
            evidenced.add(s)
    mentioned -= excluded
    return [(essay, SCHEMA.mentions, m) for m in sorted(mentioned & evidenced) if m != essay]


def materialise_triples(triples: dict, alignments: Alignments) -> dict:
    """``triples`` (an insertion-ordered set: a dict of triples to None) with the standard triples implied
    by the alignments, to a fixpoint, added in place."""
    add = triples.setdefault
    frontier = list(triples)
    while frontier:
        new = [t for t in _derive(None, frontier, alignments) if t not in triples]
        for t in new:
            add(t)
        frontier = new
    for t in _mentions_of(triples, _essay_of(triples)):
        add(t)
    return triples


def _essay_of(triples) -> URIRef | None:  # noqa: ANN001
    a, article = RDF.type, SCHEMA.ScholarlyArticle  # looked up once, not per triple
    nodes = sorted(s for s, p, o in triples if p == a and o == article and isinstance(s, URIRef))
    return nodes[0] if nodes else None
