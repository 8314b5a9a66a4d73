"""Pure: how a term is shown to a reader, one rule for every page, map and description.

- ``label``: the label of a node, from the first of ``LABEL_PROPERTIES`` it has; among the values of
  that property an English or untagged literal first, then the smallest by its text. The site's
  pages, the maps, the ontology's documentation and the argument's exports all pick labels here,
  so a map and a page never name the same node differently.
- ``Curies(prefixes)``: an IRI as ``prefix:local`` with the longest namespace it starts with (and
  something after it), else the IRI itself; for what a reader sees.

What is not here, on purpose: the dump writers' prefixed names (``kg.publish.serialize.Namer``:
Turtle allows only some local names, JSON-LD others), and the linker's review files
(``kind:slug`` of the curated data).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import Node

from kg.namespaces import SCHEMA

#: Where a label comes from, in order.
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, SCHEMA.name, DCTERMS.title)


def pick(values: Iterable[Node]) -> Node | None:
    """The value shown of one property: an English or untagged literal first, then the smallest
    by its text; None when there is none."""
    ordered = sorted(values, key=str)
    if not ordered:
        return None
    english = [v for v in ordered if isinstance(v, Literal) and v.language in ("en", None)]
    return (english or ordered)[0]


def label_term(values_of: Callable[[Node], Iterable[Node]]) -> Node | None:
    """The label of a node whose values of a property are ``values_of(property)``; None without one."""
    for p in LABEL_PROPERTIES:
        value = pick(values_of(p))
        if value is not None:
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
