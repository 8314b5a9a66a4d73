"""Pure: the reading order of an essay (kg.reading) as triples: paragraphs (``kgo:Paragraph``,
``doco:Paragraph``) and notes (``kgo:Note``, ``doco:Footnote``) that are ``schema:hasPart`` of the
essay or of its sections, each made of text spans (``kgo:TextSpan``, ``doco:TextChunk``, Web
Annotation anchors into the text with their selectors), in order (``schema:position``); OCR
corrections as ``kgo:correctedText``; the spans that are not part of the text as
``kgo:ExcludedSpan``; each note linked to the anchor of its marker (``kgo:noteMarker``)."""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.enrich.spans import ID, _add_anchor
from kg.model import EssaySource
from kg.namespaces import DOCO, KGO, SCHEMA
from kg.rdfmake import count_literal
from kg.reading import ReadingOrderError
from kg.text import Span


def span_iri(essay_id: str, start: int, end: int) -> URIRef:
    return URIRef(f"{ID}span/{essay_id}/{start}-{end}")


def paragraph_iri(essay_id: str, number: int) -> URIRef:
    return URIRef(f"{ID}paragraph/{essay_id}/{number}")


def note_iri(essay_id: str, key: str | int) -> URIRef:
    return URIRef(f"{ID}note/{essay_id}/{key}")


def section_iri(slug: str) -> URIRef:
    return URIRef(f"{ID}section/{slug}")


def _int(n: int) -> Literal:
    return count_literal(n, XSD.integer)


def reading_triples(out: dict, graph: Graph, essay: EssaySource, essay_iri: URIRef | None) -> None:
    """Add the reading order's triples to ``out`` (an insertion-ordered set of triples)."""
    order = essay.reading
    text = essay.text
    add = out.setdefault
    problems = []
    if essay_iri is None:
        raise ReadingOrderError([f"{order.path}: the essay has no schema:ScholarlyArticle to attach the reading order to"])
    for slug in order.sections:
        if (section_iri(slug), RDF.type, KGO.Section) not in graph:
            problems.append(f"{order.path}: section {slug}: no kgo:Section <{section_iri(slug)}> in the curated data")
    if problems:
        raise ReadingOrderError(problems)
    position = 0

    def span(piece, container: URIRef, *types: URIRef) -> URIRef:  # noqa: ANN001
        nonlocal position
        node = _add_anchor(out, essay, Span(piece.start, piece.end), span_iri(essay.id, piece.start, piece.end))
        position += 1
        add((node, RDF.type, KGO.TextSpan))
        for t in types:
            add((node, RDF.type, t))
        add((node, SCHEMA.position, _int(position)))
        add((node, SCHEMA.isPartOf, container))
        add((container, SCHEMA.hasPart, node))
        if piece.fixes:
            add((node, KGO.correctedText, Literal(piece.corrected(text))))
        return node

    for block in order.blocks:
        parent = section_iri(block.section) if block.section else essay_iri
        if block.kind == "title":
            for p in block.pieces:
                span(p, essay_iri, DOCO.Title)
        elif block.kind == "byline":
            for p in block.pieces:
                span(p, essay_iri)
        elif block.kind == "heading":
            for p in block.pieces:
                span(p, parent, DOCO.SectionTitle)
        else:
            if block.kind == "paragraph":
                node, cls = paragraph_iri(essay.id, block.number), KGO.Paragraph
                label = f"Paragraph {block.number} of the essay {essay.id}"
                parent_of_block = parent
            else:
                node, cls = note_iri(essay.id, block.key), KGO.Note
                label = (f"Note {block.number} of the essay {essay.id}" if block.number else
                         f"Unnumbered note {block.key[1:]} of the essay {essay.id} (its number is lost in the OCR)")
                parent_of_block = essay_iri
                if block.number:
                    add((node, KGO.noteNumber, _int(block.number)))
            add((node, RDF.type, cls))
            add((node, RDFS.label, Literal(label, lang="en")))
            if block.kind == "paragraph":  # a note's schema:position is its kgo:noteNumber (materialised)
                add((node, SCHEMA.position, _int(block.number)))
            add((node, SCHEMA.isPartOf, parent_of_block))
            add((parent_of_block, SCHEMA.hasPart, node))
            add((node, SCHEMA.text, Literal(block.text(text))))
            for p in block.pieces:
                span(p, node)
    for m in order.markers:
        anchor = _add_anchor(out, essay, Span(m.start, m.end))
        add((note_iri(essay.id, m.note), KGO.noteMarker, anchor))
    for s in order.skips:
        node = _add_anchor(out, essay, Span(s.start, s.end), span_iri(essay.id, s.start, s.end))
        add((node, RDF.type, KGO.ExcludedSpan))
        if s.reason:
            add((node, KGO.exclusionReason, Literal(s.reason)))
