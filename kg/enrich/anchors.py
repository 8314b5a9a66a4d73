"""Pure: turn curated evidence strings (kgo:evidence, kgo:mention) into Web Annotation anchors."""
from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class EvidenceProblem:
    """A kgo:evidence passage that is not exactly once in the essay's text (``found`` times), or a
    kgo:mention form that is not in it as a whole word; ``str()`` is the build's message."""

    subject: object
    predicate: URIRef
    literal: Literal
    essay_id: str
    found: int

    def __str__(self) -> str:
        s, o = self.subject, str(self.literal)
        if self.predicate == KGO.mention:
            return f"mention {o!r} of <{s}>: not found as a whole word in {self.essay_id}/{TEXT_NAME}"
        why = "not found" if not self.found else "occurs more than once"
        return f"evidence {_short(o, 70)!r} of <{s}>: {why} in {self.essay_id}/{TEXT_NAME}"


def anchor_triples(graph: Graph, essay: EssaySource, problems: list[EvidenceProblem] | None = None) -> dict:
    """``graph`` with every kgo:evidence / kgo:mention literal replaced by an anchor, as an
    insertion-ordered set of triples (a dict of triples to None): the build works on these and makes
    one Graph at the end (an rdflib ``Graph.add`` costs about 15 µs, a dict insertion well under one).

    Raises ``EvidenceError`` listing every passage that is missing or ambiguous; with ``problems``
    (``kg validate``) they are appended there instead, and the rest is anchored all the same."""
    out: dict = {}
    add = out.setdefault
    found: list[EvidenceProblem] = []
    text = essay.text
    for s, p, o in graph:
        if p == KGO.evidence:
            spans = find_passage(text, str(o))
            if len(spans) != 1:
                found.append(EvidenceProblem(s, p, o, essay.id, len(spans)))
                continue
            add((s, KGO.evidencedAt, _add_anchor(out, essay, spans[0])))
        elif p == KGO.mention:
            spans = find_mentions(text, str(o))
            if not spans:
                found.append(EvidenceProblem(s, p, o, essay.id, 0))
                continue
            for span in spans:
                add((s, KGO.mentionedAt, _add_anchor(out, essay, span)))
        else:
            add((s, p, o))
    if found and problems is None:
        raise EvidenceError(sorted(map(str, found)))
    if found:
        problems.extend(found)
    _describe_text(out, essay, essay_node(graph))
    if essay.reading is not None:
        reading_triples(out, graph, essay, essay_node(graph))
    return out
