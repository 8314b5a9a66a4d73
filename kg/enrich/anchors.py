"""Pure: turn curated evidence strings (kgo:evidence, kgo:mention) into Web Annotation anchors."""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.enrich.reading import reading_triples
from kg.enrich.spans import _add_anchor, _short, text_iri
from kg.errors import EvidenceError
from kg.model import TEXT_NAME, EssaySource
from kg.namespaces import KGO, SCHEMA
from kg.text import find_mentions, find_passage


def essay_node(graph: Graph) -> URIRef | None:
    """The essay of a curated graph: its one schema:ScholarlyArticle."""
    nodes = sorted(s for s in graph.subjects(RDF.type, SCHEMA.ScholarlyArticle) if isinstance(s, URIRef))
    return nodes[0] if nodes else None


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
        reading_triples(out, graph, essay, essay_node(graph))
    return out
