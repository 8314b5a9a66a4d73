"""Pure enrichment stages, applied in order to each essay's curated graph::

    anchor_evidence -> materialise -> skolemise          (per essay)
    rebase                                               (whole dataset, when base_iri differs)
"""
from __future__ import annotations

from rdflib import Graph

from kg.config import Config
from kg.enrich.anchors import anchor_evidence, essay_node
from kg.enrich.iris import rebase, skolemise
from kg.enrich.vocab import Alignments, materialise
from kg.sources import EssaySource

__all__ = ["Alignments", "anchor_evidence", "enrich_essay", "essay_node", "materialise", "rebase", "skolemise"]


def enrich_essay(essay: EssaySource, alignments: Alignments, config: Config) -> Graph:
    graph = anchor_evidence(essay.graph, essay)
    graph = materialise(graph, alignments)
    graph = skolemise(graph)
    return rebase(graph, config.base_iri)
