"""The summary block at the top of the pages of persons, organisations, works, concepts, places and
events (docs/pages.md): what the resource is (its kind, dates, external identifiers), how often
and where the essay names it (mentions, by section), and the claims and quotations that involve it,
linked. Everything is read from the published graph; nothing is written here that the graph does
not say."""
from __future__ import annotations

from bisect import bisect_right

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.namespaces import KGO, OA, SCHEMA

#: the kinds of resource (the first segment of their path under id/) that get a summary
KINDS = ("person", "organisation", "work", "concept", "place", "event")
DATES = ((SCHEMA.birthDate, "born"), (SCHEMA.deathDate, "died"), (SCHEMA.startDate, "from"),
         (SCHEMA.endDate, "to"), (DCTERMS.issued, "published"), (SCHEMA.datePublished, "published"),
         (DCTERMS.created, "written"))
#: how a claim or quotation involves the resource, in words (the property's CURIE otherwise)
ROLES = {SCHEMA.author: "held by", SCHEMA.creator: "by", SCHEMA.about: "about", SCHEMA.mentions: "mentions",
         SCHEMA.isBasedOn: "from", SCHEMA.citation: "cites", KGO.conceptOf: "concept of"}


#: rdf:type, looked up once (rdflib's RDF.type is a checked class-attribute look-up each time)
TYPE = RDF.type


def anchor_start(ix, anchor) -> int | None:  # noqa: ANN001
    """The code-point offset where an anchor's passage starts (its TextPositionSelector), or None."""
    for sel in ix.values(anchor, OA.hasSelector):
        if OA.TextPositionSelector in ix.values(sel, TYPE):
            v = ix.first(sel, OA.start)
            return int(v) if v is not None else None
    return None


def _id(node) -> str:  # noqa: ANN001
    return str(node).rsplit("/", 1)[-1]


class Sections:
    """Where each section of the essays starts (the offset of its heading's anchor; an untitled
    first section starts at 0), to tell in which section a passage stands."""

    def __init__(self, ix) -> None:  # noqa: ANN001
        by_essay: dict = {}
        for s, preds in ix.out.items():
            if KGO.Section not in preds.get(TYPE, ()) or not ix.is_local(s):
                continue
            essay = ix.first(s, SCHEMA.isPartOf)
            heads = [a for a in ix.values(s, KGO.evidencedAt)]
            start = min((x for a in heads if (x := anchor_start(ix, a)) is not None), default=None)
            if start is None:
                pos = ix.first(s, SCHEMA.position)
                start = 0 if pos is not None and int(pos) == 0 else None
            if start is not None and essay is not None:
                by_essay.setdefault(_id(essay), []).append((start, str(s), s))
        self.by_essay = {e: sorted(v) for e, v in by_essay.items()}
        #: each section's place in its essay's list (a summary lists its sections in that order) and
        #: each essay's section starts, made once here: made on each summary, they cost a pass over
        #: every section of the corpus per page (at 1 M 1,719 sections for each of 4,784 summaries)
        self.order = {s: i for secs in self.by_essay.values() for i, (_x, _k, s) in enumerate(secs)}
        self._starts = {e: [x[0] for x in secs] for e, secs in self.by_essay.items()}

    def of(self, essay: str, start: int):  # noqa: ANN201
        """The section of the essay ``essay`` (its id) in which the offset ``start`` stands."""
        secs = self.by_essay.get(essay, [])
        i = bisect_right(self._starts.get(essay, ()), start) - 1
        return secs[i][2] if i >= 0 else None


def summary(r, node: URIRef, page: str, external: list[dict]) -> dict | None:  # noqa: ANN001
    """The summary of ``node`` for its page, or None for kinds without one."""
    ix = r.ix
    kind = r.kind_of(node)
    if kind not in KINDS:
        return None
    dates = [{"label": lab, "value": str(v)} for p, lab in DATES for v in ix.values(node, p)[:1]]
    mentions = ix.values(node, KGO.mentionedAt)
    counts: dict = {}
    for a in mentions:
        start = anchor_start(ix, a)
        source = ix.first(a, OA.hasSource)  # the essay's text: text/<id>, the essay essay/<id>
        if start is not None and source is not None:
            ix.read(("S", _id(source)))
        sec = r.sections().of(_id(source), start) if start is not None and source is not None else None
        if sec is not None:
            counts[sec] = counts.get(sec, 0) + 1
    order = r.sections().order
    sections = [{"term": r.term(s, page), "title": str(ix.first(s, DCTERMS.title) or ix.label(s)), "count": n}
                for s, n in sorted(counts.items(), key=lambda kv: order[kv[0]])]
    involved: dict = {"claims": {}, "quotations": {}}
    links: dict = {}
    for s, p in ix.incoming(node):
        links.setdefault(s, set()).add(p)
    for s, preds in links.items():
        types = ix.values(s, TYPE)
        bucket = "claims" if SCHEMA.Claim in types else "quotations" if SCHEMA.Quotation in types else None
        if bucket is None:
            continue
        implied = {q for p in preds for q in r.supers.get(p, ())}  # materialised: said by a sub-property
        involved[bucket][s] = {ROLES.get(p, ix.curie(str(p))) for p in preds - implied}
    lists = {b: [{"term": r.term(s, page), "roles": ", ".join(sorted(roles))}
                 for s, roles in sorted(d.items(), key=lambda kv: (ix.label(kv[0]).lower(), str(kv[0])))]
             for b, d in involved.items()}
    return {"kind": kind, "types": [ix.curie(str(t)) for t in ix.values(node, TYPE)], "dates": dates,
            "external": external, "mentions": len(mentions), "sections": sections, **lists}


__all__ = ["KINDS", "Sections", "anchor_start", "summary"]
