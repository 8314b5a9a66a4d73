"""Small rules the resource pages apply to what they show (docs/pages.md):

- **Folding.** The build materialises the standard super-properties of the curated ones
  (``kgo:mentionedAt`` also as ``prov:wasDerivedFrom``, ``kgo:conceptOf`` also as
  ``prov:wasAttributedTo``: kg/enrich/vocab.py), so a page listing every predicate would show the
  same values twice. ``fold`` shows each value once, under the most specific property, which then
  says "also: …" for the super-properties it stands for. Which property is a super-property of
  which is read from the ontology's ``rdfs:subPropertyOf`` (the enrichment's own alignment table,
  ``Alignments.from_ontology``), never from a list kept here.
- **OCR debris.** A label with OCR artefacts is never chosen as a resource's display label:
  ``is_debris`` is the rule, ``clean_label`` the choice.
"""
from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, URIRef

from kg.enrich.vocab import Alignments
from kg.terms import clean_label, is_debris

def super_properties(graph: Graph) -> dict[URIRef, frozenset[URIRef]]:
    """{property: its super-properties (transitively)} as the ontology in ``graph`` declares them:
    those the build materialises (kg/enrich/vocab.py)."""
    return Alignments.from_ontology(graph).property_supers


def fold(rows: Mapping, supers: Mapping[URIRef, frozenset[URIRef]]) -> list[tuple]:
    """``rows`` ({property: [values]}) with every value shown once: each value of a super-property
    that one of its sub-properties (present in ``rows``) already lists is dropped from the super's
    row, and the sub-property's row records the super as "also". Returns
    ``[(property, values, [also…])]`` in the order of ``rows``; a row left empty is gone."""
    covered: dict = {}
    also: dict = {}
    for p, vals in rows.items():
        for q in supers.get(p, ()):
            if q in rows and q != p:
                covered.setdefault(q, set()).update(vals)
                also.setdefault(p, set()).add(q)
    out = []
    for p, vals in rows.items():
        kept = [v for v in vals if v not in covered.get(p, ())]
        if kept:
            out.append((p, kept, sorted(also.get(p, ()), key=str)))
    return out


__all__ = ["clean_label", "fold", "is_debris", "super_properties"]
