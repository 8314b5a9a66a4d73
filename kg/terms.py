"""Pure: how a term is shown to a reader, one rule for every page, map and description.

- ``label``: the label of a node, from the first of ``LABEL_PROPERTIES`` (then ``skos:altLabel``)
  that has a value which is not OCR debris (``is_debris``); among the values of that property an
  English or untagged literal first, then the smallest by its text. The site's
  pages, the maps, the ontology's documentation and the argument's exports all pick labels here,
  so a map and a page never name the same node differently.
- ``Curies(prefixes)``: an IRI as ``prefix:local`` with the longest namespace it starts with (and
  something after it), else the IRI itself; for what a reader sees.

What is not here, on purpose: the dump writers' prefixed names (``kg.publish.serialize.Namer``:
Turtle allows only some local names, JSON-LD others), and the linker's review files
(``kind:slug`` of the curated data).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import Node

from kg.namespaces import SCHEMA

#: Where a label comes from, in order.
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, SCHEMA.name, DCTERMS.title)
_LABEL_ORDER = (*LABEL_PROPERTIES, SKOS.altLabel)  # label_term's, made once


def _ordered(values: Iterable[Node]) -> list[Node]:
    """English or untagged literals first, then the others; each group by its text. A list of none or
    one value (most look-ups) is already in that order and is returned as it is."""
    if type(values) is list and len(values) <= 1:
        return values
    ordered = sorted(values, key=str)
    english = [v for v in ordered if isinstance(v, Literal) and v.language in ("en", None)]
    return english + [v for v in ordered if not (isinstance(v, Literal) and v.language in ("en", None))]


def pick(values: Iterable[Node]) -> Node | None:
    """The value shown of one property: an English or untagged literal first, then the smallest
    by its text; None when there is none."""
    return next(iter(_ordered(values)), None)


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


#: the rules of ``_DEBRIS`` as one pattern: one search per text (a label is checked on every page
#: that links its node)
_ANY_DEBRIS = re.compile("|".join(f"(?:{p.pattern})" for p in _DEBRIS))


def _unbalanced(text: str) -> bool:
    if "(" not in text and ")" not in text and "[" not in text and "]" not in text:
        return False
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
    return _ANY_DEBRIS.search(text) is not None or _unbalanced(text)


def clean_label(candidates: Iterable[str]) -> str | None:
    """The first candidate label that is not OCR debris, or None."""
    return next((c for c in candidates if c.strip() and not is_debris(c)), None)


def label_term(values_of: Callable[[Node], Iterable[Node]]) -> Node | None:
    """The label of a node whose values of a property are ``values_of(property)``; None without one
    that is not OCR debris."""
    for p in _LABEL_ORDER:
        for value in _ordered(values_of(p)):
            if str(value).strip() and not is_debris(str(value)):
                return value
    return None


def label(graph: Graph, node: Node) -> str | None:
    """The label of ``node`` in ``graph`` as text; None when it has none."""
    value = label_term(lambda p: graph.objects(node, p))
    return None if value is None else str(value)


class Curies:
    """``iri -> prefix:local`` for a fixed ``{prefix: namespace}``, remembered per IRI."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self._namespaces = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))
        self._known: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        known = self._known.get(iri)
        if known is None:
            known = self._known[iri] = next((f"{p}:{iri[len(ns):]}" for ns, p in self._namespaces
                                             if iri.startswith(ns) and len(iri) > len(ns)), iri)
        return known
