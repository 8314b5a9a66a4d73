"""Draw a ``MapModel`` as a self-contained, accessible SVG (pure, deterministic).

Every node is a ``<g class="node node-<kind> …" data-iri="…">`` whose first child is a ``<title>``
(the hover text: a claim's or quotation's text, a concept's definition) and which links to the
resource; every edge is a ``<g class="edge edge-<kind>" data-source="…" data-target="…">`` with a
``<title>`` naming the relation. The document has a ``<title>`` and a ``<desc>``, and a legend.
Numbers are written with one decimal so that the bytes are the same on every machine.
"""
from __future__ import annotations

from collections.abc import Callable
from html import escape

from kg.maps.layout import Box, Edge, Placed, layered, text_width, wrap
from kg.maps.model import MapModel, Node

FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
#: Holder colours (fill, stroke): Okabe-Ito-like hues that stay apart from the edge colours.
PALETTE = [("#dbe9f6", "#2166ac"), ("#ece0f3", "#6a3d9a"), ("#d4efec", "#00796b"),
           ("#f8dde9", "#ad1457"), ("#eee4d8", "#795548"), ("#e2e7ec", "#455a64"),
           ("#fff3c4", "#8d6e00")]
OTHER = ("#efefef", "#757575")  # holders past the palette share one colour; hover names them
EDGE_STYLE = {  # colour, dash, marker, width, legend text
    "supports": ("#1e7b34", "", "arrow", 2.0, "supports"),
    "opposes": ("#c62828", "7 4", "tee", 2.0, "opposes"),
    "qualifies": ("#b26a00", "2 3", "diamond", 2.0, "qualifies"),
    "evidence": ("#7a7a7a", "1 3", "dot", 1.3, "quotation offered as evidence for"),
    "broader": ("#455a64", "", "arrow", 1.6, "narrower → broader"),
    "related": ("#8e6bb0", "5 4", "", 1.2, "related"),
    "critical": ("#c62828", "7 4", "arrow", 1.8, "the essay critiques or disputes"),
    "agreeing": ("#1e7b34", "", "arrow", 1.8, "the essay agrees with or relies on"),
    "mixed": ("#b26a00", "8 3 2 3", "arrow", 1.8, "both"),
    "cites": ("#8a8a8a", "", "arrow", 1.2, "cites, quotes or discusses"),
    "wrote": ("#455a64", "2 3", "dot", 1.3, "wrote"),
    "argues-against": ("#ad1457", "4 3", "tee", 1.5, "has claims opposing claims of"),
}
STANCE_STYLE = {"endorses": "#1e7b34", "rejects": "#c62828", "qualifies": "#b26a00"}
STANCE_TEXT = {"endorses": "the author endorses", "rejects": "the author rejects",
               "qualifies": "the author accepts in part"}


def n1(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _css_token(iri: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in iri.rstrip("/").rsplit("/", 1)[-1]).lower()


# ---------------------------------------------------------------- node geometry


def _claim_geometry(n: Node) -> tuple[float, float, list[str], float]:
    size = 14.0 if n.central else 12.5
    width = 236.0 if n.central else 196.0
    lines = wrap(n.label, (width - 26) / (1.12 if n.central else 1.0), size, 4)
    head = 16.0 if n.central else 0.0
    return width, 14 + head + len(lines) * size * 1.25 + 8, lines, size


def _quotation_geometry(n: Node) -> tuple[float, float, list[str], float]:
    size = 11.0
    lines = wrap(n.label.strip("“”\"'"), 132, size, 3)
    return 150.0, 12 + len(lines) * size * 1.25 + 6, lines, size


def _concept_geometry(n: Node) -> tuple[float, float, list[str], float, float]:
    r = 7.0 + 3.2 * (max(n.count, 0) ** 0.5)
    size = 11.0 + min(n.count, 40) * 0.08
    lines = wrap(n.label, 128, size, 3)
    width = max(2 * r + 8, max(text_width(line, size) for line in lines) + 10)
    return width, 2 * r + 6 + len(lines) * size * 1.2, lines, size, r


def _agent_geometry(n: Node) -> tuple[float, float, list[str], float]:
    size = 13.0 if n.central else 11.5
    lines = wrap(n.label, 150, size, 3)
    width = max(70.0, max(text_width(line, size) for line in lines) * (1.1 if n.kind == "work" else 1.0) + 30)
    return width, 12 + len(lines) * size * 1.25 + 4, lines, size


def _boxes(model: MapModel) -> list[Box]:
    out = []
    for n in model.nodes.values():
        if n.kind == "claim":
            w, h, *_ = _claim_geometry(n)
        elif n.kind == "quotation":
            w, h, *_ = _quotation_geometry(n)
        elif n.kind in ("person", "organisation", "work"):
            w, h, *_ = _agent_geometry(n)
        else:
            w, h, *_ = _concept_geometry(n)
        out.append(Box(n.iri, w, h))
    return out


# ---------------------------------------------------------------- drawing


def _path(points: list[tuple[float, float]], straight: bool) -> str:
    (x0, y0), rest = points[0], points[1:]
    d = [f"M{n1(x0)} {n1(y0)}"]
    if straight and len(points) == 2:
        (x1, y1) = points[1]
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        # a gentle bow so that parallel links stay apart
        bx, by = mx + (y1 - y0) * 0.12, my - (x1 - x0) * 0.12
        d.append(f"Q{n1(bx)} {n1(by)} {n1(x1)} {n1(y1)}")
        return " ".join(d)
    px, py = x0, y0
    for x, y in rest:
        if abs(x - px) < 0.05:
            d.append(f"L{n1(x)} {n1(y)}")
        else:
            my = (py + y) / 2
            d.append(f"C{n1(px)} {n1(my)} {n1(x)} {n1(my)} {n1(x)} {n1(y)}")
        px, py = x, y
    return " ".join(d)


def _defs(prefix: str) -> str:
    parts = []
    for kind, (colour, _dash, marker, _w, _t) in EDGE_STYLE.items():
        mid = f"{prefix}-m-{kind}"
        if marker == "arrow":
            shape = f'<path d="M0 0L10 5L0 10z" fill="{colour}"/>'
            ref = "9"
        elif marker == "tee":
            shape = f'<path d="M0 0L10 5L0 10z" fill="{colour}"/><path d="M11.5 0V10" stroke="{colour}" stroke-width="2.2"/>'
            ref = "11"
        elif marker == "diamond":
            shape = f'<path d="M0 5L5 1L10 5L5 9z" fill="#fff" stroke="{colour}" stroke-width="1.6"/>'
            ref = "9.5"
        elif marker == "dot":
            shape = f'<circle cx="5" cy="5" r="3.2" fill="{colour}"/>'
            ref = "7"
        else:
            continue
        parts.append(f'<marker id="{mid}" viewBox="-1 -1 14 12" refX="{ref}" refY="5" markerWidth="11" '
                     f'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto">{shape}</marker>')
    return "<defs>" + "".join(parts) + "</defs>"


STYLE = f"""<style>
.map text{{font-family:{FONT};fill:#1a1a1a}}
.map .edge path{{fill:none}}
.map .node .box{{stroke-width:1.6}}
.map .node-central .box{{stroke-width:3.2}}
.map .node .kicker{{font-size:9.5px;letter-spacing:.08em;font-weight:bold;fill:#333}}
.map .node-quotation text{{font-style:italic;fill:#333}}
.map .legend text{{font-size:11.5px}}
.map .legend .heading{{font-weight:bold}}
.map a:focus .box,.map .node.hl .box,.map .node.focus .box{{stroke:#000;stroke-width:3.4}}
.map .edge.hl path{{stroke-width:3.6}}
.map.dim .node:not(.hl),.map.dim .edge:not(.hl){{opacity:.25}}
</style>"""


def holder_colour(model: MapModel, holder: str) -> tuple[str, str]:
    """The (fill, stroke) of ``holder``'s claims: the palette's colour at its place among the map's
    holders, or ``OTHER`` past the palette. Only the palette's length of holders is looked at (a
    neighbourhood has its whole map's holders: at 1 M some 1,400, listed again for every node)."""
    if holder not in model.holders:
        return ("#ffffff", "#9e9e9e")
    for colour, h in zip(PALETTE, model.holders):
        if h == holder:
            return colour
    return OTHER


def _badge(stance: str, x: float, y: float) -> str:
    colour = STANCE_STYLE.get(stance)
    if not colour:
        return ""
    glyph = {"endorses": "M-3.6 0.2L-1 2.8L3.8-2.6", "rejects": "M-3 -3L3 3M3 -3L-3 3",
             "qualifies": "M-4 1C-2.5-2.2-1-2.2 0 0S2.5 2.2 4-1"}[stance]
    return (f'<g class="stance stance-{stance}" transform="translate({n1(x)} {n1(y)})">'
            f'<circle r="8" fill="{colour}" stroke="#fff" stroke-width="1.5"/>'
            f'<path d="{glyph}" fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round"/></g>')


def _text(lines: list[str], x: float, y: float, size: float, anchor: str = "middle", extra: str = "") -> str:
    spans = "".join(f'<tspan x="{n1(x)}" y="{n1(y + i * size * 1.25)}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text font-size="{n1(size)}" text-anchor="{anchor}"{extra}>{spans}</text>'


def _node(model: MapModel, n: Node, p: Placed, href: Callable[[str], str | None], target: str) -> str:
    fill, stroke = holder_colour(model, n.holder)
    classes = ["node", f"node-{n.kind}"]
    hover = n.text or n.label
    if n.kind == "claim":
        classes.append(f"stance-{n.stance or 'none'}")
        if n.holder:
            classes.append(f"holder-{_css_token(n.holder)}")
        if n.central:
            classes.append("node-central")
        who = model.holders.get(n.holder, "")
        hover = f"{n.text or n.label}" + (f" — held by {who}" if who else "") + \
            (f"; {STANCE_TEXT[n.stance]}" if n.stance in STANCE_TEXT else "") + ("; central thesis" if n.central else "")
    elif n.kind == "concept":
        hover = f"{n.label}: {n.text}" if n.text else n.label
        hover += f" ({n.count} mention{'s' if n.count != 1 else ''})"
    body = []
    if n.kind == "claim":
        _w, _h, lines, size = _claim_geometry(n)
        if n.central:
            body.append(f'<rect class="halo" x="{n1(p.x - 4)}" y="{n1(p.y - 4)}" width="{n1(p.width + 8)}" '
                        f'height="{n1(p.height + 8)}" rx="12" fill="none" stroke="{stroke}" stroke-width="1.2"/>')
        body.append(f'<rect class="box" x="{n1(p.x)}" y="{n1(p.y)}" width="{n1(p.width)}" height="{n1(p.height)}" '
                    f'rx="8" fill="{fill}" stroke="{stroke}"/>')
        top = p.y + 10 + size
        if n.central:
            body.append(f'<text class="kicker" x="{n1(p.cx)}" y="{n1(p.y + 17)}" text-anchor="middle">CENTRAL THESIS</text>')
            top += 16
        extra = ' font-weight="bold"' if n.central else ""
        body.append(_text(lines, p.cx, top, size, extra=extra))
        body.append(_badge(n.stance, p.x + 2, p.y + 2))
    elif n.kind == "quotation":
        _w, _h, lines, size = _quotation_geometry(n)
        body.append(f'<rect class="box" x="{n1(p.x)}" y="{n1(p.y)}" width="{n1(p.width)}" height="{n1(p.height)}" '
                    f'rx="3" fill="#fafafa" stroke="#9e9e9e" stroke-dasharray="3 2"/>')
        body.append(f'<text class="qmark" x="{n1(p.x + 3)}" y="{n1(p.y + 15)}" font-size="18" fill="#9e9e9e">“</text>')
        body.append(_text(lines, p.cx + 4, p.y + 8 + size, size))
    elif n.kind in ("person", "organisation", "work"):
        _w, _h, lines, size = _agent_geometry(n)
        if n.kind == "work":
            body.append(f'<rect class="box" x="{n1(p.x)}" y="{n1(p.y)}" width="{n1(p.width)}" height="{n1(p.height)}" '
                        f'rx="2" fill="#fffbe6" stroke="#8d6e00"/>')
        else:
            fill, stroke = holder_colour(model, n.iri) if n.iri in model.holders else ("#f4f4f4", "#616161")
            rx = min(p.height / 2, 14) if n.kind == "person" else 4
            body.append(f'<rect class="box" x="{n1(p.x)}" y="{n1(p.y)}" width="{n1(p.width)}" height="{n1(p.height)}" '
                        f'rx="{n1(rx)}" fill="{fill}" stroke="{stroke}"' + (' stroke-width="3"' if n.central else "") + "/>")
        style = ' font-style="italic"' if n.kind == "work" else (' font-weight="bold"' if n.central else "")
        body.append(_text(lines, p.cx, p.y + 8 + size, size, extra=style))
        if n.count:
            body.append(f'<g class="count"><circle cx="{n1(p.x + p.width)}" cy="{n1(p.y)}" r="8.5" fill="#37474f"/>'
                        f'<text x="{n1(p.x + p.width)}" y="{n1(p.y + 3.5)}" font-size="10" text-anchor="middle" '
                        f'fill="#fff">{n.count}</text></g>')
    else:
        _w, _h, lines, size, r = _concept_geometry(n)
        body.append(f'<circle class="box" cx="{n1(p.cx)}" cy="{n1(p.y + r + 1)}" r="{n1(r)}" fill="#dbe9f6" '
                    f'stroke="#2166ac"/>')
        if n.count:
            body.append(f'<text class="count" x="{n1(p.cx)}" y="{n1(p.y + r + 1 + min(r, 11) * 0.36)}" '
                        f'font-size="{n1(min(r, 11))}" text-anchor="middle" fill="#123">{n.count}</text>')
        body.append(_text(lines, p.cx, p.y + 2 * r + 4 + size, size))
    link = href(n.iri)
    inner = "".join(body)
    if link:
        inner = f'<a href="{escape(link)}"{target}>{inner}</a>'
    return (f'<g class="{" ".join(classes)}" data-iri="{escape(n.iri)}"'
            + (f' data-href="{escape(link)}"' if link else "")
            + f'><title>{escape(hover)}</title>{inner}</g>')


def _edge(model: MapModel, kind: str, source: str, target: str, d: str, prefix: str) -> str:
    colour, dash, marker, width, text = EDGE_STYLE[kind]
    s, t = model.nodes[source], model.nodes[target]
    title = f"{s.label} — {text} — {t.label}" if kind != "broader" else f"{s.label} is narrower than {t.label}"
    attrs = f'stroke="{colour}" stroke-width="{n1(width)}"'
    if dash:
        attrs += f' stroke-dasharray="{dash}"'
    if marker:
        attrs += f' marker-end="url(#{prefix}-m-{kind})"'
    return (f'<g class="edge edge-{kind}" data-source="{escape(source)}" data-target="{escape(target)}">'
            f'<title>{escape(title)}</title><path d="{d}" {attrs}/></g>')


def _legend(model: MapModel, x: float, y: float, prefix: str) -> tuple[str, float, float]:
    """The legend as SVG at (x, y); returns (svg, width, height)."""
    parts = ['<g class="legend">']
    rows: list[list[tuple[str, str]]] = []  # each row: (svg of a sample at 0,0, label)
    kinds_present = {ln.kind for ln in model.links}
    if model.name == "argument":
        holders = list(model.holders.values())
        named = [(colour, label) for colour, label in zip(PALETTE, holders)]
        if len(holders) > len(PALETTE):
            named.append((OTHER, f"{len(holders) - len(PALETTE)} others (hover a claim for its holder)"))
        rows.append([(f'<rect x="0" y="-9" width="22" height="14" rx="4" fill="{fill}" '
                      f'stroke="{stroke}" stroke-width="1.6"/>', label) for (fill, stroke), label in named])
        rows.append([(_badge(s, 11, -2), STANCE_TEXT[s]) for s in STANCE_STYLE] +
                    [('<rect x="0" y="-9" width="22" height="14" rx="4" fill="#fff" stroke="#333" stroke-width="3"/>',
                      "central thesis"),
                     ('<rect x="0" y="-9" width="22" height="14" rx="2" fill="#fafafa" stroke="#9e9e9e" '
                      'stroke-dasharray="3 2"/>', "quotation")])
        edge_kinds = ["supports", "opposes", "qualifies", "evidence"]
    elif model.name == "people":
        rows.append([('<rect x="0" y="-9" width="26" height="14" rx="7" fill="#f4f4f4" stroke="#616161" stroke-width="1.6"/>',
                      "person (coloured as in the argument map when it holds claims)"),
                     ('<rect x="0" y="-9" width="26" height="14" rx="3" fill="#f4f4f4" stroke="#616161" stroke-width="1.6"/>',
                      "organisation"),
                     ('<rect x="0" y="-9" width="26" height="14" rx="1" fill="#fffbe6" stroke="#8d6e00" stroke-width="1.6"/>',
                      "work"),
                     ('<circle cx="12" cy="-2" r="8" fill="#37474f"/><text x="12" y="1.5" font-size="10" '
                      'text-anchor="middle" fill="#fff">n</text>', "quotations in the essay")])
        edge_kinds = ["critical", "agreeing", "mixed", "cites", "wrote", "argues-against"]
    else:
        rows.append([('<circle cx="6" cy="-2" r="5" fill="#dbe9f6" stroke="#2166ac"/>'
                      '<circle cx="24" cy="-2" r="9" fill="#dbe9f6" stroke="#2166ac"/>',
                      "size: how often the essay mentions the concept")])
        edge_kinds = ["broader", "related"]
    rows.append([(f'<path d="M0 -2H34" stroke="{EDGE_STYLE[k][0]}" stroke-width="{EDGE_STYLE[k][3]}"'
                  + (f' stroke-dasharray="{EDGE_STYLE[k][1]}"' if EDGE_STYLE[k][1] else "")
                  + (f' marker-end="url(#{prefix}-m-{k})"' if EDGE_STYLE[k][2] else "") + "/>", EDGE_STYLE[k][4])
                 for k in edge_kinds if k in kinds_present or model.name == "argument"])
    headings = {"argument": ["Held by", "Stance", "Relations"], "people": ["Nodes", "Links"]}.get(
        model.name, ["Concepts", "Links"])
    cy = y + 14
    width = 0.0
    for heading, row in zip(headings, rows):
        parts.append(f'<text class="heading" x="{n1(x)}" y="{n1(cy + 2)}">{heading}</text>')
        cx = x + 72
        for sample, label in row:
            sw = 40.0 if "M0 -2H34" in sample else 40.0 if 'cx="24"' in sample else 30.0
            parts.append(f'<g transform="translate({n1(cx)} {n1(cy)})">{sample}</g>')
            parts.append(f'<text x="{n1(cx + sw)}" y="{n1(cy + 2)}">{escape(label)}</text>')
            cx += sw + text_width(label, 11.5) + 22
        width = max(width, cx - x)
        cy += 24
    parts.append("</g>")
    return "".join(parts), width, cy - y


def render_svg(model: MapModel, href: Callable[[str], str | None], *, legend: bool = True,
               focus: str | None = None, target_top: bool = False, max_width: float = 1800.0,
               budget: float | None = 1700.0) -> str:
    """The model as an SVG document. ``href`` maps a node's IRI to the link it opens; ``focus``
    marks one node (a resource page's neighbourhood)."""
    prefix = {"argument": "am", "concept": "cm", "people": "pm"}.get(model.name, "m")
    boxes = _boxes(model)
    if model.name == "argument":
        edges = [Edge(ln.source, ln.target, ln.kind) for ln in model.links]
        pinned = [n.iri for n in model.nodes.values() if n.central]
        quotes = [n.iri for n in model.nodes.values() if n.kind == "quotation"]
        lay = layered(boxes, edges, pinned, rank_gap=58, node_gap=26, max_width=max_width, budget=budget,
                      sticky=quotes)
    elif model.name == "people":
        # the essay's author on top, the works below, their authors below them: citing links are
        # laid out reversed (work -> author) and drawn the right way round
        cite = {"critical", "agreeing", "mixed", "cites"}
        edges = [Edge(ln.target, ln.source, ln.kind) if ln.kind in cite else
                 Edge(ln.source, ln.target, ln.kind, rank=ln.kind == "wrote") for ln in model.links]
        pinned = [n.iri for n in model.nodes.values() if n.central]
        lay = layered(boxes, edges, pinned, rank_gap=60, node_gap=16, max_width=max_width, budget=budget)
        for r in lay.routes:
            if r.kind in cite:
                r.source, r.target, r.points = r.target, r.source, list(reversed(r.points))
    else:
        edges = [Edge(ln.source, ln.target, ln.kind, rank=ln.kind == "broader") for ln in model.links]
        lay = layered(boxes, edges, [], rank_gap=46, node_gap=14, max_width=max_width)
    margin = 24.0
    legend_svg, lw, lh = ("", 0.0, 0.0)
    if legend:
        legend_svg, lw, lh = _legend(model, margin, margin, prefix)
        lh += 16
    dx, dy = margin, margin + lh + 8
    width = max(lay.width, lw) + 2 * margin
    height = lay.height + dy + margin + 8
    ox = dx + max(0.0, (lw - lay.width) / 2) if lw > lay.width else dx
    edges_svg = []
    for r in lay.routes:
        pts = [(x + ox, y + dy) for x, y in r.points]
        edges_svg.append(_edge(model, r.kind, r.source, r.target, _path(pts, r.straight), prefix))
    target = ' target="_top"' if target_top else ""
    nodes_svg = []
    for iri in sorted(lay.nodes, key=lambda i: (model.nodes[i].kind, i)):
        p = lay.nodes[iri]
        placed = Placed(p.id, p.x + ox, p.y + dy, p.width, p.height, p.rank)
        svg = _node(model, model.nodes[iri], placed, href, target)
        if focus == iri:
            svg = svg.replace('class="node ', 'class="node focus ', 1)
        nodes_svg.append(svg)
    title, desc = describe(model)
    empty = ""
    if not model.nodes:
        empty = (f'<text x="{n1(margin)}" y="{n1(dy + 20)}" font-size="14">Nothing to show yet: the essay has no '
                 f'{"claims" if model.name == "argument" else "concepts"} curated.</text>')
        height += 30
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="map map-{model.name}" role="group" '
            f'aria-labelledby="{prefix}-title {prefix}-desc" width="{n1(width)}" height="{n1(height)}" '
            f'viewBox="0 0 {n1(width)} {n1(height)}">'
            f'<title id="{prefix}-title">{escape(title)}</title><desc id="{prefix}-desc">{escape(desc)}</desc>'
            f'{STYLE}{_defs(prefix)}<rect class="background" width="100%" height="100%" fill="#fff"/>'
            f'{legend_svg}{empty}<g class="edges">{"".join(edges_svg)}</g><g class="nodes">{"".join(nodes_svg)}</g>'
            "</svg>\n")


def describe(model: MapModel) -> tuple[str, str]:
    """The SVG's title and a description that says in words what the map shows."""
    kinds: dict[str, int] = {}
    for ln in model.links:
        kinds[ln.kind] = kinds.get(ln.kind, 0) + 1
    title = model.title  # a neighbourhood's model is titled as one (``neighbourhood_title``)
    if model.name == "argument":
        claims = [n for n in model.nodes.values() if n.kind == "claim"]
        quotes = [n for n in model.nodes.values() if n.kind == "quotation"]
        central = [n.label for n in claims if n.central]
        rel = ", ".join(f"{kinds.get(k, 0)} {k}" for k in ("supports", "opposes", "qualifies"))
        # the holders of the claims drawn, in the legend's order (a neighbourhood keeps the whole map's
        # holders for its colours, but names only its own: at 1 M the whole list was thousands of names)
        drawn = {n.holder for n in claims}
        held_by = ", ".join(label for iri, label in model.holders.items() if iri in drawn)
        desc = (f"{len(claims)} claims, coloured by who holds them ({held_by or 'nobody'}) and "
                f"marked by the essay author's stance; relations between claims: {rel}; "
                f"{len(quotes)} quotations offered as evidence ({kinds.get('evidence', 0)} links).")
        if central:
            desc += f" Central thesis: {central[0]}."
        desc += " Supporting claims are drawn below the claims they support."
    elif model.name == "people":
        kinds_n = {k: sum(1 for n in model.nodes.values() if n.kind == k) for k in ("person", "organisation", "work")}
        desc = (f"{kinds_n['person']} persons, {kinds_n['organisation']} organisations and {kinds_n['work']} works. "
                f"Links from the essay's author to the works the essay cites, by the tone of its CiTO intents: "
                f"{kinds.get('critical', 0)} critical, {kinds.get('agreeing', 0)} agreeing, {kinds.get('mixed', 0)} "
                f"mixed, {kinds.get('cites', 0)} neutral; {kinds.get('wrote', 0)} authorship links; "
                f"{kinds.get('argues-against', 0)} links from a holder of claims to a holder whose claims they oppose.")
    else:
        desc = (f"{len(model.nodes)} concepts sized by how often the essay mentions them; "
                f"{kinds.get('broader', 0)} narrower-to-broader links drawn as a hierarchy (broader above) and "
                f"{kinds.get('related', 0)} related links drawn as dashed curves.")
    return title, desc
