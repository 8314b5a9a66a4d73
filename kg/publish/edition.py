"""Pure: what the reading edition shows of each essay with a reading order (kg.reading): the
anchors of the graph (mentions, quotations, claims and other evidence) as layers to mark up inside
the spans, and the claims of each paragraph. Shared by the reader page (kg.publish.reader), the TEI
edition and the Web Annotation export (kg.publish.exports)."""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import RDF

from kg.namespaces import KGO, OA, SCHEMA
from kg.reading import Block, Layer, ReadingOrder

#: How a layer encloses others at the same characters: the claim's passage outermost, then the
#: quotation, other evidence, mentions and note markers, and OCR corrections innermost.
RANK = {"claim": 0, "quotation": 1, "evidence": 2, "mention": 3, "marker": 4, "fix": 9}


@dataclass(frozen=True)
class Anchor:
    """An anchor of the graph: a resource, how it is tied to the text, and where."""

    resource: URIRef
    kind: str          # the resource's kind: the path segment of its IRI (person, claim, …)
    relation: str      # "mention" (kgo:mentionedAt) or "evidence" (kgo:evidencedAt)
    anchor: URIRef
    essay: str
    start: int
    end: int

    @property
    def html_id(self) -> str:
        return f"a-{self.start}-{self.end}"

    @property
    def layer_kind(self) -> str:
        if self.relation == "mention":
            return "mention"
        return self.kind if self.kind in ("claim", "quotation") else "evidence"


# the terms read for every anchor, once (a namespace's attribute is a method call each time: at 1 M
# triples a second of the Web Annotations' 6.8 s)
_HAS_SELECTOR, _POSITION, _START, _END, _HAS_SOURCE, _TYPE = (OA.hasSelector, OA.TextPositionSelector, OA.start,
                                                              OA.end, OA.hasSource, RDF.type)
_ANCHORED = ((KGO.mentionedAt, "mention"), (KGO.evidencedAt, "evidence"))


def position_of(ix, anchor) -> tuple[int, int] | None:  # noqa: ANN001
    for sel in ix.values(anchor, _HAS_SELECTOR):
        if _POSITION in ix.values(sel, _TYPE):
            s, e = ix.first(sel, _START), ix.first(sel, _END)
            if s is not None and e is not None:
                return int(s), int(e)
    return None


def anchors_by_essay(ix) -> dict[str, list[Anchor]]:  # noqa: ANN001
    """Every (resource, anchor) pair of the graph by essay id, sorted by offsets then resource."""
    out: dict[str, list[Anchor]] = defaultdict(list)
    for node, preds in ix.out.items():
        if not ix.is_local(node):
            continue
        for pred, relation in _ANCHORED:
            for anchor in preds.get(pred, ()):
                source = ix.first(anchor, _HAS_SOURCE)
                pos = position_of(ix, anchor)
                if source is None or pos is None:
                    continue
                kind = str(node)[len(ix.id_base):].split("/", 1)[0]
                out[str(source).rsplit("/", 1)[-1]].append(
                    Anchor(node, kind, relation, anchor, str(source).rsplit("/", 1)[-1], pos[0], pos[1]))
    for v in out.values():
        v.sort(key=lambda a: (a.start, a.end, a.relation, str(a.resource)))
    return dict(out)


class Coverage:
    """Which characters the reading order shows as text: an anchor starting there is rendered."""

    def __init__(self, order: ReadingOrder) -> None:
        spans = sorted((p.start, p.end) for p in order.pieces())
        self.starts = [s for s, _ in spans]
        self.spans = spans

    def covers(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start) - 1
        return i >= 0 and self.spans[i][0] <= start < self.spans[i][1]


def layers_for(order: ReadingOrder, anchors: list[Anchor]) -> list[Layer]:
    """The layers to mark up in the essay's spans: anchors, note markers and OCR corrections."""
    layers = [Layer(a.start, a.end, RANK[a.layer_kind], a) for a in anchors]
    layers += [Layer(m.start, m.end, RANK["marker"], m) for m in order.markers]
    for piece in order.pieces():
        layers += [Layer(a, b, RANK["fix"], ("fix", rep)) for a, b, rep in piece.fixes]
    layers.sort(key=lambda ly: (ly.start, -ly.end, ly.rank))
    return layers


def in_range(layers: list[Layer], starts: list[int], start: int, end: int) -> list[Layer]:
    """The layers that overlap ``start``–``end`` (``starts``: the layers' starts, sorted)."""
    hi = bisect_right(starts, end - 1)
    return [ly for ly in layers[:hi] if ly.end > start]


def block_claims(block: Block, anchors: list[Anchor]) -> list[URIRef]:
    """The claims whose passage starts in one of the block's spans, in order of the text."""
    out: list[URIRef] = []
    for a in anchors:
        if a.kind == "claim" and a.relation == "evidence" and any(p.start <= a.start < p.end for p in block.pieces):
            if a.resource not in out:
                out.append(a.resource)
    return out


def stance_of(ix, claim) -> str:  # noqa: ANN001
    s = ix.first(claim, KGO.authorStance)
    return str(s).rsplit("#", 1)[-1] if s is not None else ""


def claim_text(ix, claim) -> str:  # noqa: ANN001
    return str(ix.first(claim, SCHEMA.text) or "")
