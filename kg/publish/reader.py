"""Pure: the reader page of each essay with a reading order, ``site/read/<essay>.html``, and the
list of them, ``site/read/index.html``.

The corrected text in reading order, with section headings, paragraphs and notes; every anchor of
the graph inside the text is a link to its resource's page, with the id ``a-<start>-<end>`` (its
code-point offsets) that the resource pages' "read in context" links point to. Links cannot nest
in HTML: a claim's or a quotation's passage is a ``<mark>`` introduced by a small link (with the
claim's stance as a badge), a mention is a link, and a mention inside another link (e.g.
“revolution” inside “political revolution”) follows the outer link as a small superscript link.
Everything is in the HTML; ``assets/reader.js`` only adds the side panel (claims of the paragraph
in view) and the switch to the printed text."""
from __future__ import annotations

from markupsafe import Markup
from rdflib.namespace import RDF

from kg.enrich.reading import section_iri
from kg.iris import rel
from kg.publish.escaping import escape_text
from kg.publish.edition import (Anchor, Coverage, anchors_by_essay, block_claims, claim_text, in_range,
                                layers_for, stance_of)
from kg.namespaces import KGO, SCHEMA
from kg.reading import Layer, Marker, ReadingOrder, nest

STANCE = {"endorses": ("✓", "the author endorses it"), "rejects": ("✗", "the author rejects it"),
          "qualifies-stance": ("~", "the author qualifies it")}
ARGUMENT = (("supports", "supports", "supported by"), ("opposes", "opposes", "opposed by"),
            ("qualifies", "qualifies", "qualified by"))


def reader_path(essay_id: str) -> str:
    return f"read/{essay_id}.html"


class _Writer:
    def __init__(self, renderer, text: str, page: str) -> None:  # noqa: ANN001
        self.r = renderer
        self.ix = renderer.ix
        self.text = text
        self.page = page
        self.seen_ids: set[str] = set()

    def href(self, node) -> str:  # noqa: ANN001
        return rel(self.page, self.ix.page_of(node))

    def _id(self, a: Anchor, part: int) -> str:
        if part or a.html_id in self.seen_ids:
            return ""
        self.seen_ids.add(a.html_id)
        return f' id="{a.html_id}"'

    def link_of(self, ly: Layer) -> tuple[str, str]:
        """The opening tag of a layer rendered as a link, and the resource's label."""
        p = ly.payload
        if isinstance(p, Marker):
            attr = "" if ly.part else f' id="ref-{p.note}"'
            return (f'<a class="noteref"{attr} href="#note-{p.note}" aria-label="Note {p.note}">', "")
        a: Anchor = p  # type: ignore[assignment]
        label = self.ix.label(a.resource)
        return (f'<a class="hl hl-{a.kind}"{self._id(a, ly.part)} href="{escape_text(self.href(a.resource))}" '
                f'title="{escape_text(a.kind)}: {escape_text(label)}" data-iri="{escape_text(str(a.resource))}">', label)

    def also(self, ly: Layer) -> str:
        """A link that could not be nested in an enclosing link: a superscript after it."""
        p = ly.payload
        if isinstance(p, Marker):
            attr = "" if ly.part else f' id="ref-{p.note}"'
            return f'<sup><a class="noteref"{attr} href="#note-{p.note}">note {p.note}</a></sup>'
        a: Anchor = p  # type: ignore[assignment]
        if ly.part:
            return ""
        label = self.ix.label(a.resource)
        return (f'<sup class="also"><a class="hl hl-{a.kind}"{self._id(a, 0)} href="{escape_text(self.href(a.resource))}" '
                f'data-iri="{escape_text(str(a.resource))}" aria-label="{escape_text(a.kind)}: {escape_text(label)}">'
                f'{escape_text(a.kind)}</a></sup>')

    def tag(self, a: Anchor) -> str:
        """The link that opens a claim's or quotation's passage."""
        label = self.ix.label(a.resource)
        badge = ""
        if a.kind == "claim":
            sym, words = STANCE.get(stance_of(self.ix, a.resource), ("", ""))
            badge = f'<span class="stance stance-{escape_text(stance_of(self.ix, a.resource))}" title="{escape_text(words)}">{sym}</span>'
            words = f" ({words})" if words else ""
        else:
            words = ""
        return (f'<a class="tag tag-{escape_text(a.kind)}" href="{escape_text(self.href(a.resource))}" '
                f'data-iri="{escape_text(str(a.resource))}" aria-label="{escape_text(a.kind)}: {escape_text(label)}{escape_text(words)}">'
                f'{badge}{escape_text(a.kind)}</a>')

    def render(self, nodes: list, in_link: bool) -> tuple[str, list[str]]:
        out: list[str] = []
        deferred: list[str] = []
        for node in nodes:
            if node[0] == "text":
                out.append(escape_text(self.text[node[1]:node[2]]))
                continue
            ly, children = node
            p = ly.payload
            if isinstance(p, tuple) and p[0] == "fix":
                body, d = self.render(children, in_link)
                deferred += d
                out.append(f'<span class="fix"><span class="c">{escape_text(p[1]) if not ly.part else ""}</span>'
                           f'<span class="d">{body}</span></span>')
            elif isinstance(p, Anchor) and p.layer_kind in ("claim", "quotation"):  # a passage
                tag = ""
                if not ly.part:
                    if in_link:
                        deferred.append(self.tag(p))
                    else:
                        tag = self.tag(p)
                ident = self._id(p, ly.part)
                body, d = self.render(children, in_link)
                deferred += d
                out.append(f'<mark class="hl-{p.layer_kind}"{ident} data-iri="{escape_text(str(p.resource))}">{tag}{body}</mark>')
            else:  # a mention, a note marker or other evidence (the title, a heading): a link
                if in_link:
                    body, d = self.render(children, True)
                    out.append(body)
                    deferred.append(self.also(ly))
                    deferred += d
                else:
                    opening, _label = self.link_of(ly)
                    body, d = self.render(children, True)
                    out.append(f"{opening}{body}</a>" + "".join(d))
        return "".join(out), deferred


def _span_html(w: _Writer, piece, layers: list[Layer], starts: list[int]) -> str:  # noqa: ANN001
    tree = nest(piece.start, piece.end, in_range(layers, starts, piece.start, piece.end))
    html, deferred = w.render(tree, False)
    return f'<span class="span" id="t-{piece.start}-{piece.end}">{html}{"".join(deferred)}</span>'


def render_reader(renderer, essay_id: str, order: ReadingOrder, text: str, anchors: list[Anchor]) -> bytes:  # noqa: ANN001
    ix = renderer.ix
    page = reader_path(essay_id)
    w = _Writer(renderer, text, page)
    layers = layers_for(order, anchors)
    starts = [ly.start for ly in layers]
    essay = renderer.essay_of(essay_id)

    def html_of(block) -> Markup:  # noqa: ANN001
        return Markup(" ".join(_span_html(w, p, layers, starts) for p in block.pieces))

    title, byline, sections, notes = None, [], [], []
    current = {"slug": None, "heading": None, "paragraphs": [], "href": None}
    sections.append(current)
    panels = []
    for b in order.blocks:
        if b.kind == "title":
            title = html_of(b)
        elif b.kind == "byline":
            byline.append(html_of(b))
        elif b.kind == "heading":
            # the section's IRI, as the enrichment made it, looked up (a scan of every subject per
            # heading made an archive's reader pages quadratic, and could take another base's)
            node = section_iri(b.section) if b.section else None
            if node not in ix.out:
                node = None
            current = {"slug": b.section, "heading": html_of(b), "paragraphs": [],
                       "href": w.href(node) if node is not None else None}
            sections.append(current)
        elif b.kind == "paragraph":
            if b.section != current["slug"]:
                current = {"slug": b.section, "heading": None, "paragraphs": [], "href": None}
                sections.append(current)
            claims = block_claims(b, anchors)
            current["paragraphs"].append({"id": f"p-{b.number}", "number": b.number, "html": html_of(b),
                                          "claims": " ".join(ix.curie(str(c)) for c in claims)})
            if claims:
                panels.append({"id": f"p-{b.number}", "number": b.number,
                               "claims": [_claim(w, c) for c in claims]})
        elif b.kind == "note":
            notes.append({"number": b.number, "key": b.key, "html": html_of(b),
                          "marked": any(m.note == b.number for m in order.markers)})
    counts = {k: 0 for k in ("claim", "quotation", "mention")}
    cov = Coverage(order)
    for a in anchors:
        if cov.covers(a.start, a.end):
            counts[a.layer_kind if a.layer_kind in counts else "mention"] += 1
    html = renderer.env.get_template("reader.html").render(
        root="..", site=renderer.site_meta(), essay_id=essay_id, page=page,
        essay_label=ix.label(essay) if essay is not None else essay_id,
        essay_href=w.href(essay) if essay is not None else None,
        title=title, byline=byline, sections=[s for s in sections if s["heading"] or s["paragraphs"]],
        notes=notes, panels=panels, counts=counts, iri=str(essay) if essay is not None else "",
        skipped=len(order.skips))
    return html.encode("utf-8")


def _claim(w: _Writer, claim) -> dict:  # noqa: ANN001
    ix = w.ix
    rels = []
    for prop, word, back in ARGUMENT:
        p = KGO[prop]
        for o in ix.values(claim, p):
            rels.append({"relation": word, "href": w.href(o), "label": ix.label(o)})
        for s, pp in sorted(ix.inc.get(claim, []), key=lambda x: str(x[0])):
            if pp == p:
                rels.append({"relation": back, "href": w.href(s), "label": ix.label(s)})
    stance = stance_of(ix, claim)
    sym, words = STANCE.get(stance, ("", ""))
    return {"href": w.href(claim), "label": ix.label(claim), "text": claim_text(ix, claim),
            "stance": stance, "symbol": sym, "stance_words": words, "relations": rels,
            "holders": [ix.label(h) for h in ix.values(claim, SCHEMA.author)]}


def essay_texts(ix) -> dict[str, str]:  # noqa: ANN001
    """{essay id: its text}, from the kgo:content of the graph's source texts."""
    return {str(s).rsplit("/", 1)[-1]: str(ix.first(s, KGO.content) or "")
            for s, preds in ix.out.items() if KGO.SourceText in preds.get(RDF.type, ())}


def reader_pages(renderer, readings: dict) -> dict[str, bytes]:  # noqa: ANN001
    """``read/<essay>.html`` for each essay with a reading order, and ``read/index.html``."""
    files: dict[str, bytes] = {}
    # two passes over the whole graph, needed only for the essays with a reading order
    texts = essay_texts(renderer.ix) if readings else {}
    by_essay = anchors_by_essay(renderer.ix) if readings else {}
    items = []
    for essay_id in sorted(readings):
        files[reader_path(essay_id)] = render_reader(renderer, essay_id, readings[essay_id], texts[essay_id],
                                                     by_essay.get(essay_id, []))
        essay = renderer.essay_of(essay_id)
        items.append({"href": f"{essay_id}.html", "label": renderer.ix.label(essay) if essay is not None else essay_id})
    files["read/index.html"] = renderer.env.get_template("reader_index.html").render(
        root="..", site=renderer.site_meta(), items=items).encode("utf-8")
    return files
