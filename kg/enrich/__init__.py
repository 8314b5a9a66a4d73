"""Pure enrichment stages, applied in order to each essay's curated graph::

    anchor_evidence -> materialise -> skolemise          (per essay)
    rebase                                               (whole dataset, when base_iri differs)
"""
from __future__ import annotations

from rdflib import Graph

from kg.config import Config
from kg.enrich.anchors import anchor_evidence, anchor_triples, essay_node
from kg.enrich.iris import rebase, rebase_triples, skolemise, skolemise_triples
from kg.enrich.vocab import Alignments, materialise, materialise_triples
from kg.model import EssaySource

__all__ = ["Alignments", "anchor_evidence", "enrich_essay", "essay_node", "materialise", "rebase", "skolemise"]


def enrich_essay(essay: EssaySource, alignments: Alignments, config: Config) -> Graph:
    out = Graph()
    out.addN((s, p, o, out) for s, p, o in enrich_triples(essay, alignments, config))
    return out


def enrich_triples(essay: EssaySource, alignments: Alignments, config: Config) -> dict:
    """The enriched essay as an insertion-ordered set of triples (a dict of triples to None): the
    stages work on one set in place and the caller makes one Graph of it (each rdflib Graph copy
    costs about 15 µs a triple; the same graph, triple for triple and in the same order, as
    chaining the Graph-valued stages)."""
    triples = anchor_triples(essay.graph, essay)
    triples = materialise_triples(triples, alignments)
    triples = skolemise_triples(triples)
    return rebase_triples(triples, config.base_iri)
