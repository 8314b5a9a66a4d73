"""Pure: the IRIs of an essay's text and of the anchors into it, and the triples of one anchor (a Web
Annotation ``oa:SpecificResource`` with its quote and position selectors). Used by the evidence
anchors (``kg.enrich.anchors``) and the reading order (``kg.enrich.reading``)."""
from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.config import CURATED_BASE
from kg.model import EssaySource
from kg.namespaces import OA
from kg.rdfmake import count_literal, plain_literal
from kg.text import Span

ID = CURATED_BASE + "id/"
# the terms of an anchor, looked up once (an rdflib namespace's attribute is a function call)
_A, _LABEL, _COUNT = RDF.type, RDFS.label, XSD.nonNegativeInteger
_SPECIFIC, _SOURCE, _SELECTOR = OA.SpecificResource, OA.hasSource, OA.hasSelector
_QUOTE, _EXACT, _PREFIX, _SUFFIX = OA.TextQuoteSelector, OA.exact, OA.prefix, OA.suffix
_POSITION, _START, _END = OA.TextPositionSelector, OA.start, OA.end


def text_iri(essay_id: str) -> URIRef:
    return URIRef(f"{ID}text/{essay_id}")


def anchor_iri(essay_id: str, span: Span) -> URIRef:
    return URIRef(f"{ID}anchor/{essay_id}/{span.start}-{span.end}")


def _short(text: str, n: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _add_anchor(out: dict, essay: EssaySource, span: Span, iri: URIRef | None = None) -> URIRef:
    anchor = anchor_iri(essay.id, span) if iri is None else iri
    if (anchor, _A, _SPECIFIC) in out:
        return anchor
    text = essay.text
    exact = span.exact(text)
    quote, position = URIRef(f"{anchor}/quote"), URIRef(f"{anchor}/position")
    label = f"“{_short(exact)}” ({essay.id}, characters {span.start}–{span.end})"
    add = out.setdefault
    add((anchor, _A, _SPECIFIC))
    add((anchor, _LABEL, plain_literal(label, "en")))
    add((anchor, _SOURCE, text_iri(essay.id)))
    add((anchor, _SELECTOR, quote))
    add((anchor, _SELECTOR, position))
    add((quote, _A, _QUOTE))
    add((quote, _LABEL, plain_literal(f"quote selector of {label}", "en")))
    add((quote, _EXACT, plain_literal(exact)))
    add((quote, _PREFIX, plain_literal(span.prefix(text))))
    add((quote, _SUFFIX, plain_literal(span.suffix(text))))
    add((position, _A, _POSITION))
    add((position, _LABEL, plain_literal(f"position selector of {label}", "en")))
    add((position, _START, count_literal(span.start, _COUNT)))
    add((position, _END, count_literal(span.end, _COUNT)))
    return anchor
