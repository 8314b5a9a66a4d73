"""Pure: one resource's description as RDF files, written like the dumps (``kg.publish.serialize``):
dump-style Turtle with only the prefixes it uses, compacted JSON-LD with the project's context, and
sorted N-Triples, one file per format of ``kg.mediatypes.STATIC_ALTERNATES``.

A description holds every triple with the resource as subject or object, plus the labels and types of
every IRI it links to (objects, subjects of incoming links, predicates), so that a client renders
the resource's page from one request. The build writes these files beside each page of the site
(``site/id/person/x.ttl`` beside ``x.html``); ``kg serve`` answers ``/id/person/x`` with the very
same bytes, so the served and the static descriptions cannot differ."""
from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF

from kg.mediatypes import STATIC_ALTERNATES
from kg.terms import LABEL_PROPERTIES
from kg.publish.serialize import (Kept, Namer, jsonld, jsonld_document, jsonld_entries, jsonld_join, nt_lines, nt_term,
                                  ntriples, prefixes_used, subject_order, turtle, turtle_document, turtle_join,
                                  turtle_lines)

#: the properties of a linked IRI copied into a description: what a page needs to show the link
LINK_PROPERTIES = (RDF.type, *LABEL_PROPERTIES)  # its types and whatever kg.terms may take its label from

#: At most twice this many link parts (and ten times as many terms' N-Triples texts) are kept by
#: ``Descriptions``, in two generations (``kg.publish.serialize.Kept``): those still in use stay, the
#: others are made again if they are asked for later. Without a bound a page process grew by hundreds
#: of megabytes at 1 M triples (18,000 link parts kept at 100k triples, in one process).
KEEP_LINKS = 10_000

#: ... and at most twice this many terms' Turtle and JSON-LD texts by its ``Namer`` (when it makes its
#: own): kept for every term written, they were some 150 MB of each page process at 1 M triples,
#: mostly the literals of one resource each. At 300 k triples a page process makes 6 % more Turtle
#: texts with this bound than with five times it, and its CPU is the same (docs/performance.md,
#: fortieth round).
KEEP_TERMS = 2 * KEEP_LINKS


def description(index, node: URIRef) -> set[tuple]:  # noqa: ANN001 - a kg.publish.pages.Index
    """The triples describing ``node``: its own (out and in) and the labels and types of its links."""
    triples: set[tuple] = set()
    linked: set = set()
    for p, objs in index.out.get(node, {}).items():
        linked.add(p)
        for o in objs:
            triples.add((node, p, o))
            if isinstance(o, URIRef):
                linked.add(o)
    for s, p in index.inc.get(node, ()):
        triples.add((s, p, node))
        linked.update((s, p))
    linked.discard(node)
    for iri in linked:
        preds = index.out.get(iri)
        if not preds:
            continue
        for p in LINK_PROPERTIES:
            for o in preds.get(p, ()):
                triples.add((iri, p, o))
    return triples


_WRITERS = {"turtle": lambda g, base, namer: turtle(g, base, namer=namer, used_only=True),
            "jsonld": lambda g, base, namer: jsonld(g, base, namer=namer),
            "ntriples": lambda g, base, namer: ntriples(g)}


def resource_files(index, node: URIRef, base_iri: str, namer: Namer | None = None) -> dict[str, bytes]:  # noqa: ANN001
    """{suffix: bytes} of ``node``'s description in every static alternate format (``.ttl``, ...)."""
    namer = namer or Namer(base_iri)
    graph = sorted(description(index, node))
    return {m.suffix: _WRITERS[m.name](graph, base_iri, namer) for m in STATIC_ALTERNATES}


class Descriptions:
    """Every resource's description files (``files(node)``, the bytes of ``resource_files``) written
    from pieces made once for the dataset instead of running the three writers on each description.
    A description is a set of subjects' parts: the resource's own triples, the incoming links, and the
    part of every linked IRI that is only its ``LINK_PROPERTIES``, the same in every description that
    links it (most of each file). Each part is kept as its Turtle block, its JSON-LD node, its
    N-Triples lines and the prefixes its Turtle uses; a file is its parts in subject order."""

    def __init__(self, index, base_iri: str, namer: Namer | None = None) -> None:  # noqa: ANN001
        self.ix = index
        self.base = base_iri
        self.namer = namer or Namer(base_iri, keep=KEEP_TERMS)
        self._nt = Kept(nt_term, 10 * KEEP_LINKS)
        #: linked IRI -> the pieces of its link-only part, or None when it has none
        self._links = Kept(self._make_link, KEEP_LINKS)

    def forget(self) -> None:
        """Drop the pieces and texts kept (``files`` makes them again if it is called after)."""
        self._nt.forget()
        self._links.forget()
        self.namer.forget()

    def _pieces(self, s, preds: dict) -> tuple:  # noqa: ANN001
        """(Turtle block, JSON-LD node, N-Triples lines, prefixes) of the part {predicate: objects} of ``s``."""
        return self._join(s, turtle_lines(preds, self.namer), jsonld_entries(preds, self.namer), preds)

    def _join(self, s, lines: dict, entries: dict, preds: dict, nt: set | None = None,  # noqa: ANN001
              prefixes: set | None = None) -> tuple:
        """The pieces of a part from its Turtle lines and JSON-LD entries; ``preds``' triples are
        added to the N-Triples lines ``nt`` and the ``prefixes`` (those of the rest of the part)."""
        triples = [(s, p, o) for p, objs in preds.items() for o in objs]
        lines_nt = nt_lines(triples, self._nt)
        used = prefixes_used(triples, self.namer)
        return (turtle_join(s, lines, self.namer), jsonld_join(s, entries, self.namer),
                lines_nt if nt is None else nt | lines_nt, used if prefixes is None else prefixes | used)

    def _link(self, iri):  # noqa: ANN001, ANN202
        """The link-only part of ``iri`` ({predicate: objects}, its Turtle lines, its JSON-LD entries,
        its pieces), or None when it has none: made once, read (recorded) on every call."""
        self.ix.preds(iri)  # recorded as read on every call (kg.publish.pagememo)
        return self._links[iri]

    def _make_link(self, iri):  # noqa: ANN001, ANN202
        preds = self.ix.out.get(iri) or {}
        part = {p: set(preds[p]) for p in LINK_PROPERTIES if preds.get(p)}
        if not part:
            return None
        lines, entries = turtle_lines(part, self.namer), jsonld_entries(part, self.namer)
        return part, lines, entries, self._join(iri, lines, entries, part)

    def _with_link(self, s, extra: dict) -> tuple:  # noqa: ANN001
        """The pieces of ``s``'s part in a description that it links to by ``extra`` ({predicate:
        {the described resource}}): its link-only part with those statements added, each piece made
        from the link part's (a subject that links to many resources has its label and types written
        once, not once per description)."""
        link = self._link(s)
        if link is None:
            return self._pieces(s, extra)
        part, lines, entries, pieces = link
        lines, entries = dict(lines), dict(entries)
        for p, objs in extra.items():
            merged = {p: objs | part[p] if p in part else objs}
            lines.update(turtle_lines(merged, self.namer))
            entries.update(jsonld_entries(merged, self.namer))
        return self._join(s, lines, entries, extra, pieces[2], pieces[3])

    def files(self, node: URIRef) -> dict[str, bytes]:
        """{suffix: bytes} of ``node``'s description, equal to ``resource_files(index, node, …)``."""
        ix = self.ix
        mine: dict = {}  # the node's own statements (and its links to itself)
        incoming: dict = {}  # {subject: {predicate: {node}}} of the other subjects linking to it
        linked: set = set()
        out = ix.preds(node)
        if out:
            mine = {p: set(objs) for p, objs in out.items()}
        for p, objs in out.items():
            linked.add(p)
            linked.update(o for o in objs if isinstance(o, URIRef))
        for s, p in ix.incoming(node):
            (mine if s == node else incoming.setdefault(s, {})).setdefault(p, set()).add(node)
            linked.add(s)
            linked.add(p)
        linked.discard(node)
        parts: dict = {}
        for iri in linked:
            if iri in incoming:  # an incoming link's subject: its links' triples and its label and types
                parts[iri] = self._with_link(iri, incoming[iri])
            elif (link := self._link(iri)) is not None:
                parts[iri] = link[3]
        if mine:
            parts[node] = self._pieces(node, mine)
        order = [parts[s] for s in subject_order(parts)]
        used = set().union(*(x[3] for x in order))
        text = {"turtle": lambda: turtle_document([x[0] for x in order], self.namer, used),
                "jsonld": lambda: jsonld_document([x[1] for x in order], self.base),
                "ntriples": lambda: "".join(sorted(line for x in order for line in x[2])).encode("utf-8")}
        return {m.suffix: text[m.name]() for m in STATIC_ALTERNATES}


__all__ = ["KEEP_LINKS", "KEEP_TERMS", "LINK_PROPERTIES", "Descriptions", "description", "resource_files"]
