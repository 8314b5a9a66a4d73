"""Pure: the edition's exports, published next to the dumps and listed in VoID/DCAT.

- ``annotations.jsonld``: every anchor of the graph as a W3C Web Annotation (``oa:Annotation``,
  ``oa:hasBody`` the resource, ``oa:hasTarget`` a ``oa:SpecificResource`` on the essay's text with a
  ``TextQuoteSelector`` and a ``TextPositionSelector``), in an ``as:OrderedCollection`` of
  ``as:OrderedCollectionPage``s of ``PAGE_SIZE`` annotations, all in one file (``@graph``) with an
  inline JSON-LD context (no remote context is ever needed). One file for the whole corpus: each
  annotation's target names its essay's text.
- ``essay.tei.xml``: each essay with a reading order as TEI P5 (``teiHeader`` from the essay's
  metadata; ``div``/``head``/``p``/``note``; ``persName``, ``orgName``, ``placeName``,
  ``name type="event"``, ``title``, ``term``, ``quote``, ``seg type="claim"``, ``rs`` with ``ref``
  to the resource's IRI; OCR corrections as ``choice``/``sic``/``corr``). A corpus of several such
  essays gets ``essay-<essay id>.tei.xml`` for each instead.
"""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF

from kg.config import Config
from kg.jsontext import Written, quote
from kg.jsontext import dumps as json_text
from kg.namespaces import KGO, OA, SCHEMA
from kg.publish.edition import Anchor, anchors_by_essay, in_range, layers_for
from kg.publish.pages import Index
from kg.reading import Marker, ReadingOrder, nest
from kg.registry import kind_named
from kg.text import CONTEXT

PAGE_SIZE = 200
ANNOTATIONS = "annotations.jsonld"
AS = "http://www.w3.org/ns/activitystreams#"

CONTEXT_JSONLD = {
    "oa": str(OA), "as": AS, "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "dcterms": str(DCTERMS),
    "id": "@id", "type": "@type",
    "Annotation": "oa:Annotation", "SpecificResource": "oa:SpecificResource",
    "TextQuoteSelector": "oa:TextQuoteSelector", "TextPositionSelector": "oa:TextPositionSelector",
    "AnnotationCollection": "as:OrderedCollection", "AnnotationPage": "as:OrderedCollectionPage",
    "label": "rdfs:label",
    "body": {"@id": "oa:hasBody", "@type": "@id"},
    "target": {"@id": "oa:hasTarget", "@type": "@id"},
    "source": {"@id": "oa:hasSource", "@type": "@id"},
    "selector": {"@id": "oa:hasSelector", "@type": "@id"},
    "motivation": {"@id": "oa:motivatedBy", "@type": "@id"},
    "exact": "oa:exact", "prefix": "oa:prefix", "suffix": "oa:suffix",
    "start": {"@id": "oa:start", "@type": "xsd:nonNegativeInteger"},
    "end": {"@id": "oa:end", "@type": "xsd:nonNegativeInteger"},
    "total": {"@id": "as:totalItems", "@type": "xsd:nonNegativeInteger"},
    "startIndex": {"@id": "as:startIndex", "@type": "xsd:nonNegativeInteger"},
    "first": {"@id": "as:first", "@type": "@id"}, "last": {"@id": "as:last", "@type": "@id"},
    "next": {"@id": "as:next", "@type": "@id"}, "prev": {"@id": "as:prev", "@type": "@id"},
    "partOf": {"@id": "as:partOf", "@type": "@id"},
    "items": {"@id": "as:items", "@container": "@list"},
}


def tei_name(essay_id: str, several: bool) -> str:
    return f"essay-{essay_id}.tei.xml" if several else "essay.tei.xml"


def _index(union: Graph, config: Config):  # noqa: ANN202
    return Index([union], config.base_iri + "id/")


def _item_value(ident: str, motivation: str, body: str, anchor: str, source: str, exact: str, prefix: str,
                suffix: str, start: int, end: int) -> dict:
    """One anchor's annotation (``annotations``' item)."""
    return {
        "id": ident, "type": "Annotation", "motivation": motivation, "body": body,
        "target": {
            "id": anchor, "type": "SpecificResource", "source": source,
            "selector": [
                {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
    }


#: An item's text for each line prefix it is written at: the item's JSON (``kg.jsontext.dumps`` of
#: ``_item_value``) with a ``%s`` for each of its strings, already quoted, and a ``%d`` for each of its
#: offsets (``int``s: ``kg.publish.edition.position_of``)
_ITEM_TEXTS: dict[str, str] = {}


def _item_text(nl: str) -> str:
    text = _ITEM_TEXTS.get(nl)
    if text is None:
        i1, i2, i3, i4 = (nl + " " * n for n in (1, 2, 3, 4))
        text = _ITEM_TEXTS[nl] = "".join([
            "{", i1, '"id": %s,', i1, '"type": "Annotation",', i1, '"motivation": %s,', i1, '"body": %s,',
            i1, '"target": {', i2, '"id": %s,', i2, '"type": "SpecificResource",', i2, '"source": %s,',
            i2, '"selector": [', i3, "{", i4, '"type": "TextQuoteSelector",', i4, '"exact": %s,',
            i4, '"prefix": %s,', i4, '"suffix": %s', i3, "},", i3, "{", i4, '"type": "TextPositionSelector",',
            i4, '"start": %d,', i4, '"end": %d', i3, "}", i2, "]", i1, "}", nl, "}"])
    return text


def _items(page: list[tuple]) -> Written | list:
    """A page's items (each ``_item_value``'s fields) as ``kg.jsontext`` writes their list, from one
    template and no dictionaries: at 1 M triples 58,000 items, 0.6-0.75 s of the build's parent as
    dictionaries written by the generic writer, 0.2 s so."""
    if not page:
        return []

    def text(nl: str) -> str:
        inner = nl + " "
        item, q = _item_text(inner), quote
        return "[" + inner + ("," + inner).join([
            item % (q(ident), q(motivation), q(body), q(anchor), q(source), q(exact), q(prefix), q(suffix), start, end)
            for ident, motivation, body, anchor, source, exact, prefix, suffix, start, end in page]) + nl + "]"
    return Written(text, lambda: [_item_value(*fields) for fields in page])


def annotations(union: Graph, config: Config, ix=None, by_essay: dict | None = None) -> bytes:  # noqa: ANN001
    """The Web Annotation collection of every anchor (deterministic bytes); ``by_essay``:
    ``anchors_by_essay(ix)``, when made already."""
    ix = ix or _index(union, config)
    by_essay = by_essay if by_essay is not None else anchors_by_essay(ix)
    coll = config.dumps_url + ANNOTATIONS
    items = []
    texts = {}
    has_source, content = OA.hasSource, KGO.content
    for essay_id in sorted(by_essay):
        for a in by_essay[essay_id]:
            source = ix.first(a.anchor, has_source)
            if source not in texts:
                texts[source] = str(ix.first(source, content) or "")
            text = texts[source]
            slug = str(a.resource)[len(ix.id_base):].replace("/", "-")
            items.append((f"{coll}#{essay_id}-{a.start}-{a.end}-{a.relation}-{slug}",
                          "oa:identifying" if a.relation == "mention" else "oa:linking", str(a.resource),
                          str(a.anchor), str(source), text[a.start:a.end],
                          text[max(0, a.start - CONTEXT):a.start], text[a.end:a.end + CONTEXT], a.start, a.end))
    pages = [items[i:i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)] or [[]]
    page_ids = [f"{coll}#page-{i + 1}" for i in range(len(pages))]
    graph: list[dict] = [{
        "id": coll, "type": "AnnotationCollection",
        "label": f"Web Annotations of {config.title}: every anchor of the graph in the essays' texts",
        "total": len(items), "first": page_ids[0], "last": page_ids[-1],
    }]
    for i, page in enumerate(pages):
        entry = {"id": page_ids[i], "type": "AnnotationPage", "partOf": coll, "startIndex": i * PAGE_SIZE}
        if i > 0:
            entry["prev"] = page_ids[i - 1]
        if i + 1 < len(pages):
            entry["next"] = page_ids[i + 1]
        entry["items"] = _items(page)
        graph.append(entry)
    doc = {"@context": CONTEXT_JSONLD, "@graph": graph}
    return (json_text(doc) + "\n").encode("utf-8")


# --- TEI ---------------------------------------------------------------------------------------------

#: the TEI elements of the essay's own apparatus; those of the mentioned resources are in kg.registry
TEI_ELEMENT = {"quotation": ("quote", ""), "claim": ("seg", ' type="claim"')}


def _tei_nodes(nodes: list, text: str) -> str:
    out = []
    for node in nodes:
        if node[0] == "text":
            out.append(escape(" ".join(text[node[1]:node[2]].split("\n"))))
            continue
        ly, children = node
        body = _tei_nodes(children, text)
        p = ly.payload
        if isinstance(p, tuple) and p[0] == "fix":
            corr = escape(p[1]) if not ly.part else ""
            out.append(f"<choice><sic>{body}</sic><corr>{corr}</corr></choice>")
        elif isinstance(p, Marker):
            out.append(f'<ref type="noteAnchor" target="#note-{p.note}">{body}</ref>')
        elif isinstance(p, Anchor):
            kind = kind_named(p.kind)
            name, extra = kind.tei if kind else TEI_ELEMENT.get(p.kind, ("rs", f' type="{p.kind}"'))
            part = ' part="F"' if ly.part else ""  # a later piece of a passage split by nesting
            out.append(f"<{name}{extra} ref={quoteattr(str(p.resource))}{part}>{body}</{name}>")
        else:
            out.append(body)
    return "".join(out)


class TeiLookups:
    """What each essay's TEI looks up in the whole index, found in one pass for every essay: the
    anchors by essay id (``anchors_by_essay``), and the first ``kgo:SourceText`` and the first
    ``schema:ScholarlyArticle`` (in the index's order) whose IRI ends with ``/<essay id>``. Made per
    essay, these were three passes over every node of the corpus for each essay with a reading order:
    quadratic in an archive whose essays all have one."""

    def __init__(self, ix) -> None:  # noqa: ANN001
        self.anchors = anchors_by_essay(ix)
        self.sources: dict[str, object] = {}
        self.essays: dict[str, object] = {}
        # the terms once (a namespace's attribute is a method call each time: at 1 M, 0.25 s of this loop)
        rdf_type, source_text, article = RDF.type, KGO.SourceText, SCHEMA.ScholarlyArticle
        for s, preds in ix.out.items():
            types = preds.get(rdf_type, ())
            if not types:
                continue
            tail = str(s).rpartition("/")
            if not tail[1]:
                continue  # no "/": ends with no "/<essay id>"
            if source_text in types:
                self.sources.setdefault(tail[2], s)
            if article in types:
                self.essays.setdefault(tail[2], s)


def tei(union: Graph, config: Config, essay_id: str, order: ReadingOrder, ix=None,  # noqa: ANN001
        found: TeiLookups | None = None) -> bytes:
    """The TEI P5 edition of one essay (deterministic bytes); ``found``: the look-ups of every essay's
    TEI, made once for all of them (else made here)."""
    ix = ix or _index(union, config)
    found = found if found is not None else TeiLookups(ix)
    anchors = found.anchors.get(essay_id, [])
    source = found.sources.get(essay_id)
    text = str(ix.first(source, KGO.content) or "") if source is not None else ""
    essay = found.essays.get(essay_id)
    layers = layers_for(order, anchors)
    starts = [ly.start for ly in layers]

    def block_xml(block) -> str:  # noqa: ANN001
        return " ".join(_tei_nodes(nest(p.start, p.end, in_range(layers, starts, p.start, p.end)), text).strip()
                        for p in block.pieces)

    title = str(ix.first(essay, DCTERMS.title) or essay_id) if essay is not None else essay_id
    creators = [ix.label(c) for c in ix.values(essay, DCTERMS.creator)] if essay is not None else []
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:lang="en">',
             "<teiHeader>", "<fileDesc>", "<titleStmt>", f"<title>{escape(title)}</title>"]
    lines += [f"<author ref={quoteattr(str(c))}>{escape(ix.label(c))}</author>"
              for c in (ix.values(essay, DCTERMS.creator) if essay is not None else [])]
    lines += ["</titleStmt>", "<publicationStmt>",
              f"<publisher>{escape(config.creator)}</publisher>",
              f"<idno type=\"URI\">{escape(str(essay) if essay is not None else '')}</idno>",
              f"<date when={quoteattr(config.modified)}/>",
              f"<availability><licence target={quoteattr(config.license)}/></availability>",
              "</publicationStmt>", "<sourceDesc>",
              f"<bibl><title>{escape(title)}</title>{''.join(f'<author>{escape(c)}</author>' for c in creators)}"
              f"<ref target={quoteattr(str(source) if source is not None else '')}>OCR transcript (source.txt)</ref></bibl>",
              "</sourceDesc>", "</fileDesc>", "<encodingDesc>",
              "<editorialDecl><p>The OCR transcript's spans in reading order (reading-order.txt); OCR errors are "
              "corrected in choice/sic/corr; running heads, page furniture and column debris are left out. Every "
              "name, title, term, quotation and claim passage refers (ref) to its resource in the knowledge graph."
              "</p></editorialDecl>", "</encodingDesc>", "</teiHeader>", "<text>"]
    front = [b for b in order.blocks if b.kind in ("title", "byline")]
    if front:
        lines.append("<front><titlePage>")
        for b in front:
            lines.append(f"<docTitle><titlePart>{block_xml(b)}</titlePart></docTitle>" if b.kind == "title"
                         else f"<byline>{block_xml(b)}</byline>")
        lines.append("</titlePage></front>")
    lines.append("<body>")
    open_div: str | None = "none"
    for b in order.blocks:
        if b.kind in ("title", "byline", "note"):
            continue
        if b.kind == "heading" or (b.kind == "paragraph" and b.section != open_div):
            if open_div != "none":
                lines.append("</div>")
            open_div = b.section
            sec = f' xml:id="s-{b.section}"' if b.section else ""
            lines.append(f'<div type="section"{sec}>')
        if b.kind == "heading":
            lines.append(f"<head>{block_xml(b)}</head>")
        else:
            lines.append(f'<p xml:id="p-{b.number}" n="{b.number}">{block_xml(b)}</p>')
    if open_div != "none":
        lines.append("</div>")
    lines.append("</body>")
    notes = order.notes
    if notes:
        lines.append('<back><div type="notes">')
        for b in notes:
            n = f' n="{b.number}"' if b.number else ""
            lines.append(f'<note xml:id="note-{b.key}"{n} place="end">{block_xml(b)}</note>')
        lines.append("</div></back>")
    lines += ["</text>", "</TEI>", ""]
    return "\n".join(lines).encode("utf-8")


def exports(dataset, config: Config) -> dict[str, bytes]:  # noqa: ANN001
    """``annotations.jsonld`` and the TEI edition(s), keyed by their name in output/ (through
    ``dataset.lookups``, the union's index, when the build made it)."""
    ix = dataset.lookups if dataset.lookups is not None else _index(dataset.union, config)
    found = TeiLookups(ix)
    files = {ANNOTATIONS: annotations(dataset.union, config, ix, found.anchors)}
    several = len(dataset.readings) > 1
    for essay_id in sorted(dataset.readings):
        files[tei_name(essay_id, several)] = tei(dataset.union, config, essay_id, dataset.readings[essay_id], ix, found)
    return files
