"""The site's search index (docs/pages.md): ``search-index.json``, written by the build beside the
pages, read by ``assets/search.js`` in the browser, so searching works on the static site too (no
server). One entry per resource a researcher looks for (every kind but the apparatus of
``INTERNAL_KINDS`` and the paragraphs): its display label, its other labels (alternative and hidden
labels: the hidden ones are the OCR variants, searched but never shown) and, for a claim, its text.
The bytes are deterministic (sorted entries, sorted keys)."""
from __future__ import annotations

import json

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.namespaces import SCHEMA

SKIPPED_KINDS = ("paragraph",)  # their text is the essay's: the reader page is where to read it
PATH = "search-index.json"


def search_index(r, nodes: list[URIRef], internal: tuple[str, ...]) -> bytes:  # noqa: ANN001
    """The index over ``nodes`` (the site's local resources) as JSON bytes."""
    ix = r.ix
    entries = []
    for n in nodes:
        kind = r.kind_of(n)
        if kind in internal or kind in SKIPPED_KINDS or n not in ix.out:
            continue
        label = ix.label(n)
        alt = sorted({str(v) for p in (RDFS.label, SKOS.prefLabel, SCHEMA.name, SKOS.altLabel, SCHEMA.alternateName)
                      for v in ix.values(n, p) if isinstance(v, Literal) and str(v) != label})
        hidden = sorted({str(v) for v in ix.values(n, SKOS.hiddenLabel) if isinstance(v, Literal)})
        entry = {"label": label, "kind": kind, "href": ix.page_of(n)}
        if alt:
            entry["alt"] = alt
        if hidden:
            entry["hidden"] = hidden
        text = ix.first(n, SCHEMA.text) if SCHEMA.Claim in ix.values(n, RDF.type) else None
        if text is not None:
            entry["text"] = str(text)
        entries.append(entry)
    entries.sort(key=lambda e: (e["label"].lower(), e["href"]))
    return (json.dumps({"entries": entries}, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


__all__ = ["PATH", "search_index"]
