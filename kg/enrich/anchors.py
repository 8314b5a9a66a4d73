"""Pure: turn curated evidence strings (kgo:evidence, kgo:mention) into Web Annotation anchors."""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.config import CURATED_BASE
from kg.errors import EvidenceError
from kg.model import TEXT_NAME, EssaySource
from kg.namespaces import KGO, OA, SCHEMA
from kg.text import Span, find_mentions, find_passage

ID = CURATED_BASE + "id/"


def text_iri(essay_id: str) -> URIRef:
    return URIRef(f"{ID}text/{essay_id}")


def anchor_iri(essay_id: str, span: Span) -> URIRef:
    return URIRef(f"{ID}anchor/{essay_id}/{span.start}-{span.end}")


def essay_node(graph: Graph) -> URIRef | None:
    """The essay of a curated graph: its one schema:ScholarlyArticle."""
    nodes = sorted(s for s in graph.subjects(RDF.type, SCHEMA.ScholarlyArticle) if isinstance(s, URIRef))
    return nodes[0] if nodes else None


def _short(text: str, n: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _add_anchor(out: dict, essay: EssaySource, span: Span, iri: URIRef | None = None) -> URIRef:
    anchor = anchor_iri(essay.id, span) if iri is None else iri
    if (anchor, RDF.type, OA.SpecificResource) in out:
        return anchor
    text = essay.text
    exact = span.exact(text)
    quote, position = URIRef(f"{anchor}/quote"), URIRef(f"{anchor}/position")
    label = f"“{_short(exact)}” ({essay.id}, characters {span.start}–{span.end})"
    add = out.setdefault
    add((anchor, RDF.type, OA.SpecificResource))
    add((anchor, RDFS.label, Literal(label, lang="en")))
    add((anchor, OA.hasSource, text_iri(essay.id)))
    add((anchor, OA.hasSelector, quote))
    add((anchor, OA.hasSelector, position))
    add((quote, RDF.type, OA.TextQuoteSelector))
    add((quote, RDFS.label, Literal(f"quote selector of {label}", lang="en")))
    add((quote, OA.exact, Literal(exact)))
    add((quote, OA.prefix, Literal(span.prefix(text))))
    add((quote, OA.suffix, Literal(span.suffix(text))))
    add((position, RDF.type, OA.TextPositionSelector))
    add((position, RDFS.label, Literal(f"position selector of {label}", lang="en")))
    add((position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
    add((position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))
    return anchor


def _describe_text(out: dict, essay: EssaySource, essay_iri: URIRef | None) -> None:
    node = text_iri(essay.id)
    add = out.setdefault
    add((node, RDF.type, KGO.SourceText))
    add((node, RDFS.label, Literal(f"Text of the essay {essay.id} ({TEXT_NAME})", lang="en")))
    add((node, SCHEMA.name, Literal(f"data/essays/{essay.id}/{TEXT_NAME}")))
    add((node, SCHEMA.encodingFormat, Literal("text/plain; charset=utf-8")))
    add((node, SCHEMA.sha256, Literal(essay.sha256)))
    add((node, SCHEMA.contentSize, Literal(len(essay.text.encode("utf-8")), datatype=XSD.nonNegativeInteger)))
    add((node, KGO.content, Literal(essay.text)))
    if essay_iri is not None:
        add((node, SCHEMA.encodesCreativeWork, essay_iri))


def anchor_evidence(graph: Graph, essay: EssaySource) -> Graph:
    """A copy of ``graph`` where every kgo:evidence / kgo:mention literal is replaced by an anchor.

    Raises ``EvidenceError`` listing every passage that is missing or ambiguous.
    """
    out = Graph()
    out.addN((s, p, o, out) for s, p, o in anchor_triples(graph, essay))
    return out


def anchor_triples(graph: Graph, essay: EssaySource) -> dict:
    """The triples of ``anchor_evidence`` as an insertion-ordered set (a dict of triples to None):
    the build works on these and makes one Graph at the end (an rdflib ``Graph.add`` costs about
    15 µs, a dict insertion well under one)."""
    out: dict = {}
    add = out.setdefault
    problems: list[str] = []
    text = essay.text
    for s, p, o in graph:
        if p == KGO.evidence:
            spans = find_passage(text, str(o))
            if len(spans) != 1:
                why = "not found" if not spans else "occurs more than once"
                problems.append(f"evidence {_short(str(o), 70)!r} of <{s}>: {why} in {essay.id}/{TEXT_NAME}")
                continue
            add((s, KGO.evidencedAt, _add_anchor(out, essay, spans[0])))
        elif p == KGO.mention:
            spans = find_mentions(text, str(o))
            if not spans:
                problems.append(f"mention {str(o)!r} of <{s}>: not found as a whole word in {essay.id}/{TEXT_NAME}")
                continue
            for span in spans:
                add((s, KGO.mentionedAt, _add_anchor(out, essay, span)))
        else:
            add((s, p, o))
    if problems:
        raise EvidenceError(sorted(problems))
    _describe_text(out, essay, essay_node(graph))
    if essay.reading is not None:
        from kg.enrich.reading import reading_triples

        reading_triples(out, graph, essay, essay_node(graph))
    return out
