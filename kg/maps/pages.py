"""The site's map pages (pure): ``site/maps/argument.html`` and ``concept.html`` (the map inline,
zoomable by ``maps.js``, and the lists behind it, which work without JavaScript), the maps as SVG
files with links relative to the site, and one neighbourhood SVG per claim, quotation and concept
(``site/maps/neighbourhood/<kind>/<slug>.svg``) that the resource pages embed through
``kg/templates/_map.html``.

Links follow the site's convention (``kg.publish.pages``): a resource's page is
``site/id/<kind>/<slug>.html`` and every link is relative, so the pages work served and static.

``maps`` is the extra publisher (listed in ``kg.publish.extras``): the static SVGs (``maps/*.svg``)
and the site's map pages (``site/maps/…``), all deterministic.
"""
from __future__ import annotations

import posixpath
from collections import deque
from pathlib import Path

from markupsafe import Markup
from rdflib.namespace import RDF

from kg.config import Config
from kg.enrich.anchors import essay_node
from kg.iris import link_href
from kg.maps.model import (MapModel, Node, _first, _label, argument_model, concept_model, essay_argument,
                           neighbourhood_title, people_model)
from kg.maps.memo import SvgMemo
from kg.maps.svg import EDGE_STYLE
from kg.namespaces import SCHEMA
from kg.publish.pages import environment

STATIC = Path(__file__).resolve().parent.parent / "static"
RELATION_TEXT = {"supports": ("supports", "supported by"), "opposes": ("opposes", "opposed by"),
                 "qualifies": ("qualifies", "qualified by"), "evidence": ("is evidence for", "evidence")}


class Linker:
    """``iri -> relative link`` to the resource's page, seen from the site file ``from_path``;
    ``memo_key`` names what its links depend on (the base IRI and the file's folder), for
    ``kg.maps.memo``."""

    def __init__(self, config: Config, from_path: str) -> None:
        self.id_base = config.base_iri + "id/"
        self.folder = posixpath.dirname(from_path)
        self.memo_key = f"relative {len(self.id_base)}:{self.id_base} {self.folder}"
        # the way up from the folder to the site's root, when ``relpath`` would give it: a folder of
        # plain names outside ``id/`` (every folder of the maps); else (None) ``relpath`` itself
        names = self.folder.split("/")
        plain = self.folder and all(n and n not in (".", "..") for n in names) and names[0] != "id"
        self._up = "../" * len(names) if plain else None

    def __call__(self, iri: str) -> str | None:
        if not iri.startswith(self.id_base):
            return None
        local = iri[len(self.id_base):]
        if self._up is not None and "//" not in local and "/." not in local and not local.startswith((".", "/")):
            return f"{self._up}id/{local}.html"  # what relpath gives (35,815 links at 1 M: 0.9 s through it)
        return posixpath.relpath("id/" + local + ".html", self.folder)


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _depths(model: MapModel) -> dict[str, int]:
    """Distance of each claim from the central thesis, against the arrows (supporters are deeper)."""
    into: dict[str, list[str]] = {}
    for ln in model.links:
        into.setdefault(ln.target, []).append(ln.source)
    depth: dict[str, int] = {}
    queue = deque(sorted(n.iri for n in model.nodes.values() if n.central))
    for n in queue:
        depth[n] = 0
    while queue:
        cur = queue.popleft()
        for s in sorted(into.get(cur, ())):
            if s not in depth:
                depth[s] = depth[cur] + 1
                queue.append(s)
    return depth


def argument_items(model: MapModel, href) -> list[dict]:  # noqa: ANN001
    depth = _depths(model)
    claims = [n for n in model.nodes.values() if n.kind == "claim"]
    claims.sort(key=lambda n: (not n.central, depth.get(n.iri, 10 ** 6), n.label.lower(), n.iri))
    touching = model.link_index().touching
    items = []
    for c in claims:
        rels = []
        for ln in (model.links[i] for i in touching.get(c.iri, ())):
            if ln.source == c.iri and ln.kind != "evidence":
                other, text = model.nodes[ln.target], RELATION_TEXT[ln.kind][0]
            elif ln.target == c.iri:
                other, text = model.nodes[ln.source], RELATION_TEXT[ln.kind][1]
            else:
                continue
            rels.append({"relation": text, "css": text.replace(" ", "-"), "href": href(other.iri) or link_href(other.iri) or "",
                         "label": other.label})
        items.append({"slug": _slug(c.iri), "href": href(c.iri) or link_href(c.iri) or "", "label": c.label, "text": c.text,
                      "holder": model.holders.get(c.holder, ""), "stance": c.stance, "central": c.central,
                      "rels": rels})
    return items


def concept_items(model: MapModel, href) -> list[dict]:  # noqa: ANN001
    broader: dict[str, list[str]] = {}
    narrower: dict[str, list[str]] = {}
    related: dict[str, list[str]] = {}
    for ln in model.links:
        if ln.kind == "broader":
            broader.setdefault(ln.source, []).append(ln.target)
            narrower.setdefault(ln.target, []).append(ln.source)
        elif ln.kind == "related":
            related.setdefault(ln.source, []).append(ln.target)
            related.setdefault(ln.target, []).append(ln.source)

    def ref(iri: str) -> dict:
        n = model.nodes[iri]
        return {"href": href(iri) or link_href(iri) or "", "label": n.label}

    def key(iri: str) -> tuple:
        return (model.nodes[iri].label.lower(), iri)

    placed: set[str] = set()

    def item(iri: str) -> dict:
        placed.add(iri)
        parents = sorted(broader.get(iri, ()), key=key)
        kids = [k for k in sorted(narrower.get(iri, ()), key=key)
                if k not in placed and sorted(broader.get(k, ()), key=key)[0] == iri]
        n: Node = model.nodes[iri]
        return {"slug": _slug(iri), "href": href(iri) or link_href(iri) or "", "label": n.label, "count": n.count,
                "related": [ref(r) for r in sorted(set(related.get(iri, ())), key=key)],
                "also": [ref(p) for p in parents[1:]], "children": [item(k) for k in kids]}

    roots = sorted((i for i in model.nodes if not broader.get(i)), key=key)
    items = [item(r) for r in roots]
    items.extend(item(i) for i in sorted(model.nodes, key=key) if i not in placed)  # cycles
    return items


def people_items(model: MapModel, href) -> list[dict]:  # noqa: ANN001
    """Each person, organisation and work with what links it to the others."""
    order = {"person": 0, "organisation": 1, "work": 2}
    nodes = sorted(model.nodes.values(), key=lambda n: (not n.central, order.get(n.kind, 3), n.label.lower(), n.iri))
    touching = model.link_index().touching
    items = []
    for n in nodes:
        rels = []
        for ln in (model.links[i] for i in touching.get(n.iri, ())):
            if n.iri not in (ln.source, ln.target):
                continue
            other = model.nodes[ln.target if ln.source == n.iri else ln.source]
            text = EDGE_STYLE[ln.kind][4]
            if ln.target == n.iri:
                text = {"wrote": "written by", "argues-against": "has claims opposed by claims of"}.get(
                    ln.kind, f"cited by ({text})")
            rels.append({"relation": text, "css": ln.kind, "href": href(other.iri) or link_href(other.iri) or "", "label": other.label})
        items.append({"slug": _slug(n.iri), "href": href(n.iri) or link_href(n.iri) or "", "label": n.label, "text": n.text,
                      "holder": n.kind, "stance": "", "central": n.central, "rels": rels})
    return items


def _page(model: MapModel, config: Config, svg: str, items: list[dict], svg_href: str | None = None,
          others: list[dict] | None = None, env=None) -> bytes:  # noqa: ANN001
    if model.name == "argument":
        intro = ("The essay's argument: each box is a claim, coloured by who holds it and marked by the "
                 "essay author's stance; arrows lead from a claim to the claim it supports, opposes or "
                 "qualifies, so supporting claims stand below what they support. Quotations offered as "
                 "evidence hang below their claims.")
        list_title, list_intro = "The claims and their relations", "Every claim of the map, the central thesis first."
    elif model.name == "people":
        intro = ("Who talks to whom: the essay's author on top, the works the essay cites below (the colour of "
                 "each link is the tone of the essay's CiTO intents toward the work), who wrote them below the "
                 "works, and which holders of claims argue against which. Numbers count quotations.")
        list_title, list_intro = "Persons, organisations and works", "Every node of the map with its links."
    else:
        intro = ("The essay's concepts (SKOS): broader concepts stand above narrower ones, dashed curves "
                 "link related concepts, and each circle is sized by how often the essay mentions the concept.")
        list_title, list_intro = "The concept hierarchy", "Every concept of the map, narrower under broader."
    if others is None:
        others = [{"href": f"{o}.html", "label": f"The {o} map" if o != "people" else "Who talks to whom"}
                  for o in ("argument", "concept", "people") if o != model.name]
    html = (env or environment()).get_template("maps.html").render(
        root="..", site={"title": config.title, "base": config.base_iri}, title=model.title, intro=intro,
        svg=Markup(svg), kind=model.name, items=items, list_title=list_title, list_intro=list_intro,
        svg_href=svg_href or f"{model.name}-map.svg", others=others)
    return html.encode("utf-8")


def neighbourhoods(model: MapModel, config: Config, extra: list[Node], draw: SvgMemo) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    nodes = dict(model.nodes)
    for n in extra:
        nodes.setdefault(n.iri, n)
    index = model.link_index()
    for iri in sorted(nodes):
        n = nodes[iri]
        path = f"maps/neighbourhood/{n.kind}/{_slug(iri)}.svg"
        if iri in model.nodes:
            sub = model.neighbourhood(iri, index)
        else:
            sub = MapModel(model.name, neighbourhood_title(model.name, n.label), {iri: n}, [], {})
        svg = draw(sub, Linker(config, path), legend=False, focus=iri, target_top=True,
                         max_width=960, budget=880)
        files[path] = svg.encode("utf-8")
    return files


def site_files(models: list[MapModel], config: Config, extra_nodes: list[Node], draw: SvgMemo) -> dict[str, bytes]:
    """Everything the maps add under ``site/``, keyed by path below ``site/`` (``draw``: the drawings'
    memo, ``kg.maps.memo``)."""
    files: dict[str, bytes] = {}
    for model in models:
        page = f"maps/{model.name}.html"
        href = Linker(config, page)
        svg = draw(model, href)
        files[f"maps/{model.name}-map.svg"] = svg.encode("utf-8")
        items = {"argument": argument_items, "concept": concept_items, "people": people_items}[model.name](model, href)
        files[page] = _page(model, config, svg, items)
        if model.name in ("argument", "concept"):
            files.update(neighbourhoods(model, config, [n for n in extra_nodes if
                                                        (n.kind == "concept") == (model.name == "concept")], draw))
    for name in ("maps.js", "maps.css"):
        files[f"maps/{name}"] = (STATIC / name).read_bytes()
    return {"site/" + k: v for k, v in files.items()}


def corpus_site_files(argument: MapModel, concept: MapModel, essays: list[tuple[str, MapModel, MapModel]],
                      config: Config, extra_nodes: list[Node], draw: SvgMemo) -> dict[str, bytes]:
    """A corpus of several essays: ``maps/argument-<essay>.html`` and ``maps/people-<essay>.html`` per
    essay, ``maps/argument.html`` and ``maps/people.html`` list them, ``maps/concept.html`` as for one
    essay; the neighbourhoods come from ``argument`` (every claim) and ``concept``."""
    files: dict[str, bytes] = {}
    env = environment()  # one for every page: compiling the templates is most of a small page's time
    page = "maps/concept.html"
    href = Linker(config, page)
    svg = draw(concept, href)
    files["maps/concept-map.svg"] = svg.encode("utf-8")
    files[page] = _page(concept, config, svg, concept_items(concept, href), env=env)
    rows = []
    for essay_id, arg, people in essays:
        for model, items_of, other in ((arg, argument_items, "people"), (people, people_items, "argument")):
            page = f"maps/{model.name}-{essay_id}.html"
            href = Linker(config, page)
            svg = draw(model, href)
            files[f"maps/{model.name}-map-{essay_id}.svg"] = svg.encode("utf-8")
            others = [{"href": f"{other}-{essay_id}.html",
                       "label": "Who talks to whom" if other == "people" else "The argument map"},
                      {"href": "concept.html", "label": "The concept map"},
                      {"href": f"{model.name}.html", "label": "Every essay's maps"}]
            files[page] = _page(model, config, svg, items_of(model, href), f"{model.name}-map-{essay_id}.svg", others,
                                env)
        rows.append({"id": essay_id, "title": arg.title.removeprefix("Argument map of "),
                     "claims": sum(1 for n in arg.nodes.values() if n.kind == "claim"),
                     "people": sum(1 for n in people.nodes.values() if n.kind != "work"),
                     # the claims' anchors: a resource page's "in the whole map" link lands on its essay
                     "anchors": [_slug(n.iri) for n in arg.nodes.values() if n.kind == "claim"]})
    for name, title in (("argument", "Argument maps"), ("people", "Who talks to whom")):
        html = env.get_template("maps_index.html").render(
            root="..", site={"title": config.title, "base": config.base_iri}, title=f"{title}: one map per essay",
            kind=name, essays=rows)
        files[f"maps/{name}.html"] = html.encode("utf-8")
    files.update(neighbourhoods(argument, config, [n for n in extra_nodes if n.kind != "concept"], draw))
    files.update(neighbourhoods(concept, config, [n for n in extra_nodes if n.kind == "concept"], draw))
    for name in ("maps.js", "maps.css"):
        files[f"maps/{name}"] = (STATIC / name).read_bytes()
    return {"site/" + k: v for k, v in files.items()}


# ---------------------------------------------------------------- the extra publisher

def maps(dataset, config: Config, cache=None) -> dict[str, bytes]:  # noqa: ANN001
    """The extra publisher: static SVG maps in ``maps/`` and the interactive pages in ``site/maps/``.
    ``cache``: the build cache, where the drawings are kept (``kg.maps.memo``)."""
    draw = SvgMemo(cache)
    files = _corpus_maps(dataset, config, draw) if len(dataset.essays) > 1 else _essay_maps(dataset, config, draw)
    draw.save()  # this build's drawings, for the next
    return files


def _essay_maps(dataset, config: Config, draw: SvgMemo) -> dict[str, bytes]:  # noqa: ANN001
    """One essay: its argument, concept and people maps, and the neighbourhoods."""
    g = dataset.union
    argument = argument_model(g)
    models = [argument, concept_model(g), people_model(g, argument)]
    files: dict[str, bytes] = {}
    for model in models:
        files[f"maps/{model.name}-map.svg"] = draw(model, link_href).encode("utf-8")
    lonely = [Node(str(q), "quotation", _label(g, q), _first(g, q, SCHEMA.text), _first(g, q, SCHEMA.creator))
              for q in sorted(set(g.subjects(RDF.type, SCHEMA.Quotation))) if str(q) not in models[0].nodes]
    files.update(site_files(models, config, lonely, draw))
    return files


def _corpus_maps(dataset, config: Config, draw: SvgMemo) -> dict[str, bytes]:  # noqa: ANN001
    """A corpus of several essays: one argument map and one people map per essay
    (``maps/argument-map-<essay>.svg``, ``maps/people-map-<essay>.svg``; one map of every essay's
    claims and people is laid out as one graph, superlinear in the corpus), the concept map of the
    whole corpus, and the neighbourhoods as for one essay."""
    g = dataset.union
    argument = argument_model(g)  # every claim: for the neighbourhoods
    concept = concept_model(g)
    index = argument.link_index()
    per_essay: list[tuple[str, MapModel, MapModel]] = []
    for essay_id, eg in sorted(dataset.essays.items()):
        iri = essay_node(eg)
        if iri is None:
            continue
        arg = essay_argument(g, argument, iri, index)
        per_essay.append((essay_id, arg, people_model(g, arg, iri, eg)))
    files: dict[str, bytes] = {"maps/concept-map.svg": draw(concept, link_href).encode("utf-8")}
    for essay_id, arg, people in per_essay:
        for model in (arg, people):
            files[f"maps/{model.name}-map-{essay_id}.svg"] = draw(model, link_href).encode("utf-8")
    lonely = [Node(str(q), "quotation", _label(g, q), _first(g, q, SCHEMA.text), _first(g, q, SCHEMA.creator))
              for q in sorted(set(g.subjects(RDF.type, SCHEMA.Quotation))) if str(q) not in argument.nodes]
    files.update(corpus_site_files(argument, concept, per_essay, config, lonely, draw))
    return files


maps.cached = True  # kg.publish.render_extras passes the build cache (the drawings: kg.maps.memo)
