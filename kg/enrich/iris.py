"""Pure: skolemise blank nodes to stable IRIs and rewrite the curated base to the configured one."""
from __future__ import annotations

import hashlib

from rdflib import BNode, Graph, URIRef
from kg.canonical import to_canonical_graph

from kg.config import CURATED_BASE


def skolemise(graph: Graph) -> Graph:
    """Replace every blank node by ``<base>.well-known/genid/<hash>``; the hash comes from the
    canonical labelling of the graph, so the same sources always give the same IRIs."""
    if not any(isinstance(t, BNode) for triple in graph for t in (triple[0], triple[2])):
        return graph
    canonical = to_canonical_graph(graph)
    out = Graph()

    def sk(term):  # noqa: ANN001, ANN202
        if isinstance(term, BNode):
            digest = hashlib.sha256(str(term).encode()).hexdigest()[:16]
            return URIRef(f"{CURATED_BASE}.well-known/genid/{digest}")
        return term

    for s, p, o in canonical:
        out.add((sk(s), p, sk(o)))
    return out


def skolemise_triples(triples: dict) -> dict:
    """``skolemise`` on an insertion-ordered set of triples (a dict of triples to None)."""
    if not any(isinstance(s, BNode) or isinstance(o, BNode) for s, _p, o in triples):
        return triples
    graph = Graph()
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return dict.fromkeys(skolemise(graph))


def rebase(graph: Graph, base_iri: str) -> Graph:
    """Rewrite IRIs under the curated base to ``base_iri`` (a no-op when they are the same)."""
    if base_iri == CURATED_BASE:
        return graph
    out = Graph()
    out.addN((s, p, o, out) for s, p, o in rebase_triples(graph, base_iri))
    return out


def rebase_triples(triples, base_iri: str) -> dict:  # noqa: ANN001
    """``rebase`` on any iterable of triples, as an insertion-ordered set (a dict of triples to None)."""
    if base_iri == CURATED_BASE:
        return triples if isinstance(triples, dict) else dict.fromkeys(triples)
    n = len(CURATED_BASE)
    onto = CURATED_BASE + "ontology"
    cache: dict = {}

    def rb(term):  # noqa: ANN001, ANN202
        hit = cache.get(term)
        if hit is None:
            hit = term
            if isinstance(term, URIRef) and term.startswith(CURATED_BASE) and not term.startswith(onto):
                hit = URIRef(base_iri + str(term)[n:])
            cache[term] = hit
        return hit

    return dict.fromkeys((rb(s), p, rb(o)) for s, p, o in triples)
