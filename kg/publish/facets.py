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

import re
from collections.abc import Iterable, Mapping

from rdflib import Graph, URIRef

from kg.enrich.vocab import Alignments

#: OCR artefacts (docs/pages.md): a character no label of ours needs (``St~lin``, ``-[.J. Arthur``
#: with its unbalanced bracket is caught by the next rules), a digit inside or at the start of a
#: word (``4arx``, ``n0tra~cd``, ``l,1arx``), a capital inside a lower-case word (``RakQvsky``) or a
#: doubled capital before lower case (``WOlfgang``), and broken hyphenation (a label that starts or
#: ends with a hyphen, or ``revolu- tion``).
_DEBRIS = (
    re.compile(r"[~|¬{}\\^_§¦]"),
    re.compile(r"[^\W\d_]\d+[^\W\d_]|\b\d[^\W\d_]{2,}"),
    re.compile(r"[a-z][A-Z][a-z]|\b[A-Z]{2}[a-z]"),
    re.compile(r"^\s*-|-\s*$|[^\W\d_]- [a-z]"),
)


def _unbalanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth < 0:
                return True
    return depth != 0


def is_debris(text: str) -> bool:
    """Whether ``text`` shows OCR artefacts (the rule is documented above and in docs/pages.md)."""
    return any(p.search(text) for p in _DEBRIS) or _unbalanced(text)


def clean_label(candidates: Iterable[str]) -> str | None:
    """The first candidate label that is not OCR debris, or None."""
    return next((c for c in candidates if c.strip() and not is_debris(c)), None)


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
