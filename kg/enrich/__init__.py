"""Pure enrichment stages, applied in order to each essay's curated graph::

    anchor_triples -> materialise_triples -> skolemise_triples     (per essay)
    rebase                                                         (whole dataset, when base_iri differs)

``kg validate`` runs the same stages with ``curated`` (it stops before skolemisation and rebasing,
so findings can be shown where the curator wrote them) and ``problems`` (evidence not in the text
collected as findings instead of raised).
"""
from __future__ import annotations

from kg.config import Config
from kg.enrich.anchors import EvidenceProblem, anchor_triples, essay_node
from kg.enrich.iris import rebase, rebase_triples, skolemise, skolemise_triples
from kg.enrich.vocab import Alignments, materialise_triples
from kg.model import EssaySource

__all__ = ["Alignments", "EvidenceProblem", "enrich_triples", "essay_node", "rebase", "skolemise"]


def enrich_triples(essay: EssaySource, alignments: Alignments, config: Config, *,
                   problems: list[EvidenceProblem] | None = None, curated: bool = False) -> dict:
    """The enriched essay as an insertion-ordered set of triples (a dict of triples to None): the
    stages work on one set in place (each rdflib Graph copy costs about 15 µs a triple): the build
    holds it as ``kg.model.EssayTriples``, ``kg validate`` adds it to the one graph it validates.

    ``problems``: evidence not in the text is appended there instead of raised (``anchor_triples``);
    ``curated``: anchored and materialised only, blank nodes and the curated base kept."""
    triples = anchor_triples(essay.graph, essay, problems)
    triples = materialise_triples(triples, alignments)
    if curated:
        return triples
    triples = skolemise_triples(triples)
    return rebase_triples(triples, config.base_iri)
