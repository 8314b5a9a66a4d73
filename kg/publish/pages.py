"""The site: one HTML page per resource of the dataset, a landing page, a page per kind of resource
and the query page, rendered with the Jinja2 templates of ``kg/templates/``. The extra publisher
``pages`` writes them under ``site/``; ``kg serve`` serves the very same files, so the served and
the static pages cannot differ.

Links between pages are relative and end in ``.html`` (``../work/x.html``), so the site works on
any static host and on the server (which answers ``/id/…/x.html`` and ``/id/…/x`` alike). Passages
are highlighted here, on the server side, from the code-point offsets of the anchors (Python
indexes code points; a browser would count UTF-16 units)."""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Iterator

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

from kg.csp import POLICY as CSP
from markupsafe import Markup
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SKOS, VOID, XSD

from kg.config import Config
from kg.iris import link_href, rel
from kg.mediatypes import STATIC_ALTERNATES
from kg.namespaces import KGO, OA, PREFIXES, SCHEMA
from kg.incremental import essay_parts
from kg.publish.edition import Coverage
from kg.publish.escaping import escape_text, markup
from kg.graphparts import GraphParts
from kg.publish.pagememo import PageMemo, Previous, shared_key, unpack_files
from kg.publish.reader import reader_pages
from kg.terms import Curies, label_term, pick
from kg.publish import site as site_links
from kg.publish.resource_rdf import Descriptions
from kg.publish.runs import RunTable, run_length
from kg.publish.serialize import Kept
from kg.publish.site import dataset_jsonld
from kg.progress import counted
from kg.publish.facets import fold, super_properties
from kg.publish.search import PATH as SEARCH_PATH, search_index
from kg.publish.summary import Sections, summary

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: rdf:type, looked up once (rdflib's RDF.type is a checked class-attribute look-up each time)
TYPE = RDF.type
DESCRIPTIONS = (SKOS.definition, SCHEMA.description, DCTERMS.description, RDFS.comment)
EXTERNAL = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, SCHEMA.sameAs, SCHEMA.url)
ANCHORS = (KGO.evidencedAt, KGO.mentionedAt)
ARGUMENT = ((KGO.supports, "supports", "supported by"), (KGO.opposes, "opposes", "opposed by"),
            (KGO.qualifies, "qualifies", "qualified by"))
CONTEXT = 280          # code points of context on each side of a highlighted passage
MAX_PASSAGES = 12      # passages shown on one page
MAX_INCOMING = 200     # incoming links shown per property
#: At most twice this many nodes' parts of their terms are kept (``Renderer._node_parts``), in two
#: generations (``kg.publish.serialize.Kept``, as ``kg.publish.resource_rdf.KEEP_LINKS``): those in use
#: stay, the others are made again when they are asked for later
KEEP_NODES = 25_000
PREFETCH_AHEAD = 256   # pages whose last files are asked for ahead (``Stage.prefetch``), a window at a time
#: a page process with fewer pages does not ask: its last files (4 a page: under 40,000, about 100 MB) are
#: most likely still in memory, and asking costs some 6 µs a file (the essay's build 0.04 s more)
PREFETCH_MIN_PAGES = 10_000
#: kinds of resource that are the graph's apparatus, not listed for researchers on the landing page
#: (their pages exist and are linked from the resources they serve): the anchors into the text and
#: their selectors, the dataset's own description, the reader's text spans
INTERNAL_KINDS = ("anchor", "dataset", "span")
#: the kinds of resource whose pages embed their neighbourhood in a map (``_map.html``; the maps
#: feature, ``kg.maps``, draws one for each resource of these kinds); the page includes the partial
#: only for them (an include costs a template context: a twentieth of a page)
MAP_KINDS = ("claim", "quotation", "concept")
SOURCES = {"www.wikidata.org": "Wikidata", "viaf.org": "VIAF", "openlibrary.org": "Open Library",
           "www.marxists.org": "Marxists Internet Archive"}


class _Environment(Environment):
    """Jinja's environment, with ``x.name`` in a template looked up as the key of a dict first (the
    pages' values are dicts): Jinja tries the attribute first and takes the key after the
    ``AttributeError``, which cost a tenth of the pages' time. The templates use no dict method."""

    def getattr(self, obj, attribute: str) -> object:  # noqa: ANN001
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def make_globals(self, d) -> dict:  # noqa: ANN001
        """A template's globals as a plain dict (the environment's, then the template's own), not
        Jinja's ``ChainMap`` over them: each page's context copies its template's globals, key by key
        through a ``ChainMap`` (25 µs a page here, 7 µs from a dict). ``environment()`` sets every
        global before a template is loaded, and nothing changes them after, so the copy misses
        nothing that the ``ChainMap`` would have shown."""
        return {**self.globals, **(d or {})}


class TemplateCache(FileSystemBytecodeCache):
    """The templates' compiled code, kept beside them as Python keeps a module's: in
    ``kg/templates/__pycache__/`` (one file a template, under the hash of its name, holding the hash
    of the source it was compiled from and the Python version: an edited template, another Jinja or
    another Python compiles again). Compiling the templates took each process that renders pages
    (the two page processes, the maps, the ontology's page) 20-60 ms of every build. Like Python, it
    writes nothing when ``sys.dont_write_bytecode`` (``-B``, ``PYTHONDONTWRITEBYTECODE``) is set or
    the folder cannot be written, and a file it cannot read (missing, truncated, of another
    version) is compiled again; a template's output is the same either way."""

    def __init__(self, directory: Path | None = None) -> None:
        super().__init__(str(directory or TEMPLATES / "__pycache__"), "%s.jinja")

    def load_bytecode(self, bucket) -> None:  # noqa: ANN001
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - unreadable or broken: compiled from the source instead
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:  # noqa: ANN001
        if sys.dont_write_bytecode:
            return
        try:
            Path(self.directory).mkdir(exist_ok=True)
            super().dump_bytecode(bucket)  # a temporary file renamed: processes may write at once
        except OSError:
            pass  # a read-only installation: compiled in every process, as without the cache


def environment() -> Environment:
    env = _Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      bytecode_cache=_TEMPLATE_CACHE)
    env.filters["link_href"] = link_href  # an IRI a page may link to, or None: shown as text
    env.globals["csp"] = CSP  # every page's <meta http-equiv="Content-Security-Policy"> (kg/csp.py)
    env.globals["site_header"] = _headers(env)
    env.globals["map_kinds"] = MAP_KINDS  # the kinds whose pages show their neighbourhood (_map.html)
    return env


_TEMPLATE_CACHE = TemplateCache()


def _headers(env: Environment):  # noqa: ANN202
    """``site_header(root, site)``: the site's header (``_header.html``, which reads only ``root`` and
    ``site.title``) rendered once per pair instead of included in every page."""
    made: dict = {}

    def site_header(root: str, site: dict) -> Markup:
        key = (root, site["title"])
        html = made.get(key)
        if html is None:
            html = made[key] = Markup(env.get_template("_header.html").render(root=root, site=site))
        return html
    return site_header


class Index:
    """Lookups over the published graphs, built once for all pages."""

    def __init__(self, graphs: list[Graph], id_base: str) -> None:
        self.id_base = id_base
        self.out: dict = defaultdict(lambda: defaultdict(list))
        self.inc: dict = defaultdict(list)
        by_subject = getattr(graphs[0].store, "by_subject", None) if len(graphs) == 1 else None
        if by_subject is not None:  # one indexed graph (the union): its subject index read as it is
            self._from_index(by_subject())
        else:
            seen = set()
            for graph in graphs:
                for t in graph:
                    if t in seen:
                        continue
                    seen.add(t)
                    s, p, o = t
                    self.out[s][p].append(o)
                    if isinstance(o, URIRef):
                        self.inc[o].append((s, p))
        for preds in self.out.values():
            for objects in preds.values():
                if len(objects) > 1:
                    objects.sort(key=str)
        self.prefixes = dict(PREFIXES)
        self.prefixes["kg"] = self.id_base
        self.curie = Curies(self.prefixes)
        self._labels: dict = {}
        self._unlabelled = None  # the subjects ``label_some`` has yet to label (an iterator)

    def _from_index(self, spo: dict) -> None:
        """``out`` and ``inc`` from a ``kg.tripleindex.TripleIndex``'s ``{subject: {predicate: {object:
        None}}}``, in its order (the order iterating the graph gives): about 40 % of the time the triples
        one by one took at 1 M."""
        out, inc = self.out, self.inc
        for s, po in spo.items():
            preds = out[s]
            for p, objects in po.items():
                preds[p] = list(objects)
                for o in objects:
                    if isinstance(o, URIRef):
                        inc[o].append((s, p))

    def add(self, graph: Graph) -> None:
        """The statements of ``graph`` not here yet, as if it had been given to the constructor after
        the others (each list they change sorted again, the labels of the subjects it adds to
        forgotten)."""
        changed = set()
        for s, p, o in graph:
            objects = self.out[s][p]
            if o in objects:
                continue
            objects.append(o)
            changed.add((s, p))
            if isinstance(o, URIRef):
                self.inc[o].append((s, p))
        for s, p in changed:
            self.out[s][p].sort(key=str)
            self._labels.pop(s, None)  # a label depends only on its node's own statements

    #: while a resource's page is rendered, the set its reads are recorded in (``kg.publish.pagememo``):
    #: ("O", node) for a node's statements, ("I", node) for its incoming links, ("R", essay id) for an
    #: essay's reading order, ("S", essay id) for its sections, ("L", name) for a list of resources a page
    #: shows (``Renderer.listed``); None when not recording
    reads: set | None = None

    def values(self, s, p) -> list:  # noqa: ANN001
        if self.reads is not None:
            self.reads.add(("O", s))
        preds = self.out.get(s)
        return preds.get(p, []) if preds else []

    def preds(self, s) -> dict:  # noqa: ANN001
        """{predicate: sorted objects} of ``s`` (its statements), recorded as read."""
        if self.reads is not None:
            self.reads.add(("O", s))
        return self.out.get(s) or {}

    def incoming(self, o) -> list:  # noqa: ANN001
        """[(subject, predicate)] of the statements whose object is ``o``, recorded as read."""
        if self.reads is not None:
            self.reads.add(("I", o))
        return self.inc.get(o, [])

    def read(self, key: tuple) -> None:
        """Record a read that is not a look-up here (an essay's reading order or its sections)."""
        if self.reads is not None:
            self.reads.add(key)

    def first(self, s, *preds: URIRef) -> Literal | URIRef | None:  # noqa: ANN001
        for p in preds:
            value = pick(self.values(s, p))  # kg.terms: English or untagged first, then by text
            if value is not None:
                return value
        return None

    def label(self, node) -> str:  # noqa: ANN001
        if isinstance(node, Literal):
            return str(node)
        if self.reads is not None:
            self.reads.add(("O", node))  # read on every call: the label is kept for later pages
        if node not in self._labels:
            v = label_term(lambda p: self.values(node, p))  # one rule with the maps (kg.terms): no OCR debris
            self._labels[node] = str(v) if v is not None else self.curie(str(node))
        return self._labels[node]

    def label_some(self, count: int = 256) -> bool:
        """Work out the labels of ``count`` more subjects; False when every subject has its label. The
        build calls it while it waits for its dump writers' process: the page processes forked after
        it then find the labels made, instead of each making those its pages show (the kinds' and
        classes' lists label every resource)."""
        if self._unlabelled is None:
            self._unlabelled = iter(list(self.out))
        for done, node in enumerate(self._unlabelled, 1):
            if node not in self._labels:
                self.label(node)
            if done == count:
                return True
        return False

    def is_local(self, node) -> bool:  # noqa: ANN001
        return isinstance(node, URIRef) and str(node).startswith(self.id_base) and len(str(node)) > len(self.id_base)

    def page_of(self, node) -> str:  # noqa: ANN001
        """The site path of a local resource's page."""
        return "id/" + str(node)[len(self.id_base):] + ".html"


def _lit(term: Literal) -> dict:
    note = ""
    if term.language:
        note = "@" + term.language
    elif term.datatype and term.datatype != XSD.string:
        note = PREFIXES_REV.get(str(term.datatype), str(term.datatype))
    return {"literal": True, "text": str(term), "note": note, "long": len(str(term)) > 600}


PREFIXES_REV = {str(XSD) + n: "xsd:" + n for n in ("gYear", "date", "integer", "nonNegativeInteger", "boolean",
                                                     "decimal", "dateTime", "anyURI")}


class Renderer:
    def __init__(self, graphs: list[Graph], config: Config, cookbook: list | None = None,
                 index: Index | None = None) -> None:
        self.config = config
        self.ix = index if index is not None else Index(graphs, config.base_iri + "id/")
        self.env = environment()
        base = config.base_iri
        # the dataset's own IRIs (ontology terms, dumps, releases) link into the site, relatively
        self.env.filters["link_href"] = pass_context(lambda ctx, iri: site_links.href(iri, base, "index.html", ctx["root"]))
        self.supers = super_properties(graphs[0])  # the ontology's rdfs:subPropertyOf (facets.fold)
        self.cookbook = cookbook or []
        self.releases: tuple = ()
        essays = sorted(s for s, preds in self.ix.out.items()
                        if SCHEMA.ScholarlyArticle in preds.get(TYPE, ()) and self.ix.is_local(s))
        self.essays = essays
        self._essay_set = frozenset(essays)  # membership on every page: a list scan was pages × essays
        self._essay_by_id: dict | None = None  # ``essay_of``'s, made when first asked
        self._resource_template = None  # resource.html, looked up once (Jinja's look-up: 7 µs a page)
        #: {essay id: kg.publish.edition.Coverage} of the essays that have a reader page
        self.reading_coverage: dict = {}
        self._terms: dict = {}  # term -> self.term's dict, for the pages of the folder ``_folder``
        self._nodes = Kept(self._node_parts, KEEP_NODES)  # node -> ``_node_parts(node)``, for every folder
        self._folder: str | None = None
        self._sections: Sections | None = None
        self._lists: dict = {}  # the lists of ``listed``, by group
        self.env.auto_reload = False  # the templates do not change during a build: no stat per page

    # --- building blocks -------------------------------------------------------------------
    def term(self, node, page: str) -> dict:  # noqa: ANN001
        """A term as a dict (for templates that need its parts) with ``html``, its rendering. Made once
        per term and folder of the page (its links are relative to the folder); never changed after.
        Only the current folder's terms are kept: the pages come folder by folder (the resources in
        the order of their IRIs), and every folder's terms, kept, were a third of a page process's
        growth at 1 M triples (with the descriptions' pieces, ``kg.publish.resource_rdf.KEEP_LINKS``,
        3.5 GB became 2.5 GB), for links no later page asks for."""
        folder = page.rpartition("/")[0]
        if folder != self._folder:
            self._terms = {}
            self._folder = folder
        if self.ix.reads is not None and not isinstance(node, Literal):
            self.ix.reads.add(("O", node))  # its label: read on every call, the term is kept for later pages
        made = self._terms.get(node)
        if made is None:
            made = self._terms[node] = self._term(node, page)
        return made

    def forget_terms(self) -> None:
        """Drop the terms and nodes' parts kept for later pages (``term`` makes them again)."""
        self._terms, self._folder = {}, None
        self._nodes.forget()

    def _term(self, node, page: str, keep: bool = True) -> dict:  # noqa: ANN001
        """``term``'s dict, made for ``page``; its node's parts kept for later pages unless ``keep`` is
        False (a list of every resource of a kind, whose members would push out the parts in use)."""
        ix = self.ix
        if isinstance(node, Literal):
            d = _lit(node)
            text = escape_text(d["text"])
            if d["long"]:
                body = markup(f"<details><summary>{escape_text(d['text'][:200])}…</summary><pre class=\"long\">{text}</pre></details>")
            else:
                body = markup(f'<span class="lit">{text}</span>')
            if d["note"]:
                body += markup(f' <small class="note">{escape_text(d["note"])}</small>')
            d["html"] = body
            return d
        if ix.reads is not None:
            ix.reads.add(("O", node))  # its label: read on every call, the parts are kept for later pages
        iri, local, target, link, text, tail = self._nodes[node] if keep else self._nodes.peek(node)
        # the one part that depends on the page: a link to one of the dataset's IRIs, relative to the
        # page's folder
        href = rel(page, target) if target is not None else link
        if href is None:  # not an http(s) IRI (javascript:, data:, urn:, …): shown, never linked
            return {"literal": False, "href": "", "text": text, "iri": iri, "local": False,
                    "html": markup(f'<span class="iri"{tail}</span>')}
        cls = "" if local else ' class="ext"'
        return {"literal": False, "href": href, "text": text, "iri": iri, "local": local,
                "html": markup(f'<a href="{escape_text(href)}"{cls}{tail}</a>')}

    def _node_parts(self, node) -> tuple:  # noqa: ANN001
        """What a node's term is made of whatever the page: ``(iri, local, target, link, text,
        tail)``, its IRI, whether it is one of the dataset's resources, the site path its links point
        to when it is one of the dataset's IRIs (else None), its link when it is not (the IRI itself;
        None when a page must not link to it: ``kg.iris.link_href``), its label, and its HTML after
        the link's address (the escaped IRI as the title, the escaped label). Kept for the next
        folders' pages (the terms themselves are kept per folder: ``term``): a shared resource, a
        predicate, a class is linked from every folder, and its label and escaping were most of
        making it again; at most twice ``KEEP_NODES`` are kept (``_nodes``)."""
        ix = self.ix
        iri = str(node)
        local = ix.is_local(node)
        target = ix.page_of(node) if local else site_links.site_path(iri, self.config.base_iri)
        link = link_href(iri) if target is None else None
        text = ix.label(node)
        return iri, local, target, link, text, f' title="{escape_text(iri)}">{escape_text(text)}'

    def term_curie(self, node, page: str) -> dict:  # noqa: ANN001
        """A property's link shown by its CURIE (the "also: …" of a folded row)."""
        return {"href": self.term(node, page).get("href", ""), "curie": self.ix.curie(str(node)), "iri": str(node)}

    def passage(self, anchor, page: str) -> dict | None:  # noqa: ANN001
        ix = self.ix
        source = ix.first(anchor, OA.hasSource)
        pos = next((s for s in ix.values(anchor, OA.hasSelector) if OA.TextPositionSelector in ix.values(s, TYPE)), None)
        content = ix.first(source, KGO.content) if source is not None else None
        if pos is None or content is None:
            return None
        start, end = int(ix.first(pos, OA.start)), int(ix.first(pos, OA.end))
        text = str(content)
        a, b = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
        if a > 0:
            a = text.find(" ", a, start) + 1 or a
        if b < len(text):
            cut = text.rfind(" ", end, b)
            b = cut if cut > 0 else b
        essay_id = str(source).rsplit("/", 1)[-1]
        ix.read(("R", essay_id))
        cov = self.reading_coverage.get(essay_id)
        read = None
        if cov and cov.covers(start, end):  # the reader's id: a span's own, or an anchor's of a resource
            if KGO.TextSpan in ix.values(anchor, TYPE):
                read = rel(page, f"read/{essay_id}.html") + f"#t-{start}-{end}"
            elif any(p in ANCHORS for _s, p in ix.incoming(anchor)):
                read = rel(page, f"read/{essay_id}.html") + f"#a-{start}-{end}"
        return {"before": ("…" if a > 0 else "") + text[a:start], "mark": text[start:end],
                "after": text[end:b] + ("…" if b < len(text) else ""), "start": start, "end": end,
                "anchor": self.term(anchor, page), "source": self.term(source, page), "read": read}

    # --- pages ------------------------------------------------------------------------------
    def resource(self, node: URIRef) -> tuple[str, bytes]:
        ix = self.ix
        page = ix.page_of(node)
        types = [self.term(t, page) for t in ix.values(node, TYPE)]
        by_pred = ix.preds(node)
        # each value once: materialised super-properties folded into their curated property
        by_pred = dict(sorted(by_pred.items(), key=lambda kv: ix.curie(str(kv[0]))))
        props = [{"pred": self.term(p, page), "curie": ix.curie(str(p)), "also": [self.term_curie(q, page) for q in also],
                  "vals": [self.term(o, page) for o in vals]}
                 for p, vals, also in fold(by_pred, self.supers)]
        incoming_by: dict = defaultdict(list)
        for s, p in ix.incoming(node):
            incoming_by[p].append(s)
        incoming_by = dict(sorted(incoming_by.items(), key=lambda kv: ix.curie(str(kv[0]))))
        incoming = []
        for p, subs, also in fold(incoming_by, self.supers):
            subs = sorted(set(subs), key=lambda s: (ix.label(s), str(s)))
            incoming.append({"pred": self.term(p, page), "curie": ix.curie(str(p)), "count": len(subs),
                             "also": [self.term_curie(q, page) for q in also],
                             "vals": [self.term(s, page) for s in subs[:MAX_INCOMING]]})
        external = []
        for p in EXTERNAL:
            for o in ix.values(node, p):
                if isinstance(o, URIRef):
                    host = str(o).split("/")[2] if "://" in str(o) else ""
                    external.append({"curie": ix.curie(str(p)), "href": link_href(str(o)) or "", "iri": str(o),
                                     "source": SOURCES.get(host, host)})
        anchors = [a for p in ANCHORS for a in ix.values(node, p)]
        anchors.sort(key=lambda a: int(ix.first(next(iter(
            [s for s in ix.values(a, OA.hasSelector) if OA.TextPositionSelector in ix.values(s, TYPE)] or [a])),
            OA.start) or 0))
        passages = [p for a in anchors[:MAX_PASSAGES] if (p := self.passage(a, page))]
        # an anchor's own page shows its passage too
        if OA.SpecificResource in ix.values(node, TYPE):
            p = self.passage(node, page)
            passages = [p] if p else passages
        argument = self.argument(node, page) if SCHEMA.Claim in ix.values(node, TYPE) else None
        text = ix.first(node, SCHEMA.text)
        desc = ix.first(node, *DESCRIPTIONS)
        if self._resource_template is None:
            self._resource_template = self.env.get_template("resource.html")
        html = self._resource_template.render(
            root=rel(page, "."), iri=str(node), curie=ix.curie(str(node)), label=ix.label(node), types=types,
            description=str(desc) if desc is not None else "", text=str(text) if text is not None else "",
            properties=props, incoming=incoming, external=external, passages=passages,
            passage_count=len(anchors), argument=argument, page=page, alternates=self.alternates(node),
            properties_rows=_rows(props), incoming_rows=_rows(incoming, " of"),
            site=self.site_meta(), reader=self.reader_of(node, page),
            kind=self.kind_of(node), summary=summary(self, node, page, external))
        return page, html.encode("utf-8")

    def argument(self, node: URIRef, page: str) -> dict:
        ix = self.ix
        rels = []
        for prop, fwd, back in ARGUMENT:
            for o in ix.values(node, prop):
                rels.append({"relation": fwd, "claim": self.term(o, page), "text": str(ix.first(o, SCHEMA.text) or "")})
            for s, p in sorted(ix.incoming(node), key=lambda x: str(x[0])):
                if p == prop:
                    rels.append({"relation": back, "claim": self.term(s, page),
                                 "text": str(ix.first(s, SCHEMA.text) or "")})
        evidence = [{"quotation": self.term(s, page), "text": str(ix.first(s, SCHEMA.text) or ""),
                     "creator": [self.term(c, page) for c in ix.values(s, SCHEMA.creator)]}
                    for s, p in sorted(ix.incoming(node), key=lambda x: str(x[0])) if p == KGO.evidenceFor]
        central = [self.term(s, page) for s, p in ix.incoming(node) if p == KGO.centralThesis]
        return {"holders": [self.term(a, page) for a in ix.values(node, SCHEMA.author)],
                "stance": [self.term(s, page) for s in ix.values(node, KGO.authorStance)],
                "relations": rels, "evidence": evidence, "central": central}

    def sections(self) -> Sections:
        """Where the essays' sections start (``kg.publish.summary``), made once from every section; a
        page records the essays it looks up (``("S", essay)``), not this making."""
        if self._sections is None:
            reads, self.ix.reads = self.ix.reads, None
            try:
                self._sections = Sections(self.ix)
            finally:
                self.ix.reads = reads
        return self._sections

    def alternates(self, node: URIRef) -> dict[str, Markup]:
        """The page's alternates' HTML (``_alternate_links``)."""
        return _alternate_links(site_links.alternates(str(node).rsplit("/", 1)[-1]))

    def reader_of(self, node, page: str) -> str | None:  # noqa: ANN001
        """The link to the essay's reader page, on the essay's own page."""
        essay_id = str(node).rsplit("/", 1)[-1]
        self.ix.read(("O", node))  # whether it is an essay: its types
        self.ix.read(("R", essay_id))
        if node in self._essay_set and essay_id in self.reading_coverage:
            return rel(page, f"read/{essay_id}.html")
        return None

    def essay_of(self, essay_id: str) -> URIRef | None:
        """The first essay (in ``essays``' order) whose IRI ends in ``/essay_id``, or None (the reader
        pages ask it for each essay: a scan of the essays each time was essays × essays)."""
        if self._essay_by_id is None:
            self._essay_by_id = {}
            for e in self.essays:
                self._essay_by_id.setdefault(str(e).rsplit("/", 1)[-1], e)
        return self._essay_by_id.get(essay_id)

    def kind_of(self, node) -> str:  # noqa: ANN001
        return str(node)[len(self.ix.id_base):].split("/", 1)[0]

    def site_meta(self) -> dict:
        return {"title": self.config.title, "base": self.config.base_iri}

    def local_resources(self) -> list[URIRef]:
        ix = self.ix
        nodes = {n for n in ix.out if ix.is_local(n)} | {n for n in ix.inc if ix.is_local(n)}
        return sorted(nodes, key=str)

    def listed(self, name: str) -> list:
        """The resources a page lists, by the name of the list (what the read ``("L", name)`` of
        ``kg.publish.pagememo`` stands for): ``all`` every local resource (the search index),
        ``kind:K`` those of kind K (its kind's page), ``class:IRI`` a class's members (its page)."""
        group, _, key = name.partition(":")
        return self.lists(group).get(key, [])

    def lists(self, group: str) -> dict:
        """The lists of ``group`` (``all``, ``kind``, ``class``) by key, made once: {"": every local
        resource}, {kind: its resources} (sorted by kind), {class IRI: its members}."""
        lists = self._lists.get(group)
        if lists is None:
            if group == "all":
                lists = {"": self.local_resources()}
            elif group == "kind":
                lists = self.kinds(self.listed("all"))
            elif group == "class":
                lists = {str(c): m for c, m in self.class_members().items()}
            else:
                lists = {}
            self._lists[group] = lists
        return lists

    def kinds(self, nodes: list[URIRef]) -> dict[str, list[URIRef]]:
        kinds: dict[str, list[URIRef]] = defaultdict(list)
        for n in nodes:
            kinds[self.kind_of(n)].append(n)
        return dict(sorted(kinds.items()))

    def kind_page(self, kind: str, nodes: list[URIRef]) -> tuple[str, bytes]:
        page = f"kinds/{kind}.html"
        ix = self.ix
        # each resource's term made for this list and not kept (``_term``): a resource is on one kind's
        # page (and on each of its classes' pages), and at 1 M the lists hold every resource
        items = [_list_item(self._term(n, page, keep=False), ", ".join(ix.curie(str(t)) for t in ix.values(n, TYPE)))
                 for n in nodes]
        return page, self._list_page(page, items, kind=kind, heading=f"Resources of kind “{kind}”", iri="",
                                     iri_href="", definition="")

    def _list_page(self, page: str, items: list, **args: object) -> bytes:
        """``kind.html`` listing ``items`` (``_list_item``'s, sorted here), as bytes. At 1 M the anchors'
        page lists 130,000 resources: each item is kept as its sort key and its line's bytes (not its
        term's dict), and the lines are joined once, into the page's bytes, around the template's
        text, not through a string of the list, the template's string and its encoding (at 300 k the
        anchors' page took 120 MB while it was made, at the end of a page process, when the tree's
        memory peaked: docs/performance.md, fortieth round)."""
        items.sort(key=_list_key)
        render = partial(self.env.get_template("kind.html").render, root=rel(page, "."), count=len(items),
                         site=self.site_meta(), **args)
        head, mark, tail = render(items_html=Markup(_LIST_MARK)).partition(_LIST_MARK)
        if not mark or _LIST_MARK in tail:  # the mark in the page's own text too (a title with NULs)
            return render(items_html=Markup("".join(i[2].decode("utf-8") for i in items))).encode("utf-8")
        return b"".join([head.encode("utf-8"), *(i[2] for i in items), tail.encode("utf-8")])

    def class_members(self) -> dict:
        """{class: its members}: the data's resources and the ontology's terms of each type (in no
        particular order; the pages sort them)."""
        ix = self.ix
        members: dict = defaultdict(list)
        for s, preds in ix.out.items():
            if ix.is_local(s) or str(s).startswith(str(KGO)):  # the data's resources, the ontology's terms
                for t in preds.get(TYPE, ()):
                    members[t].append(s)
        return members

    def classes(self, meta: Graph) -> list[URIRef]:
        """The classes of the dataset's VoID class partitions: each has a page listing its members (the
        landing page's class table links these, not the remote class IRIs)."""
        return sorted({c for part in meta.objects(None, VOID.classPartition) if (c := meta.value(part, VOID["class"]))
                       is not None}, key=str)

    def one_class_page(self, cls: URIRef, members: list) -> tuple[str, bytes]:
        """The page of ``cls`` listing ``members`` (``listed("class:" + cls)``)."""
        ix = self.ix
        curie = ix.curie(str(cls))
        page = class_page(curie)
        items = [_list_item(self._term(n, page, keep=False) if ix.is_local(n) else
                            {"href": rel(page, "ontology.html") + "#" + str(n)[len(str(KGO)):], "text": ix.curie(str(n)),
                             "iri": str(n)}, "") for n in members]
        own = str(cls).startswith(str(KGO))
        return page, self._list_page(
            page, items, kind=curie, heading=f"Resources of class {curie}", iri=str(cls), iri_href=link_href(str(cls)) or "",
            definition=rel(page, "ontology.html") + "#" + str(cls)[len(str(KGO)):] if own else "")

    def landing(self, meta: Graph, kinds: dict[str, list[URIRef]]) -> bytes:
        ix = self.ix
        page = "index.html"
        ds = next(iter(sorted(meta.subjects(TYPE, VOID.Dataset))), None)

        def one(p) -> str:  # noqa: ANN001
            v = meta.value(ds, p) if ds is not None else None
            return str(v) if v is not None else ""
        dumps = []
        for dist in sorted(meta.objects(ds, DCAT.distribution)) if ds is not None else []:
            url = str(meta.value(dist, DCAT.downloadURL) or "")
            name = url.rsplit("/", 1)[-1]
            dumps.append({"name": name, "href": "dumps/" + name,
                          "media": str(meta.value(dist, DCAT.mediaType) or "").rsplit("/", 2)[-2:],
                          "size": int(meta.value(dist, DCAT.byteSize) or 0)})
        for d in dumps:
            d["media"] = "/".join(d["media"])
        classes = []
        for part in meta.objects(ds, VOID.classPartition) if ds is not None else []:
            cls = meta.value(part, VOID["class"])
            n = meta.value(part, VOID.entities)
            if cls is not None:
                classes.append({"curie": ix.curie(str(cls)), "href": class_page(ix.curie(str(cls))), "count": int(n or 0)})
        classes.sort(key=lambda c: (-c["count"], c["curie"]))
        linksets = []
        for ls in sorted(meta.subjects(TYPE, VOID.Linkset)):
            targets = [str(t) for t in meta.objects(ls, VOID.objectsTarget)]
            linksets.append({"target": targets[0] if targets else "", "href": link_href(targets[0]) or "" if targets else "",
                             "count": int(meta.value(ls, VOID.triples) or 0),
                             "predicates": ", ".join(sorted(ix.curie(str(p)) for p in meta.objects(ls, VOID.linkPredicate)))})
        html = self.env.get_template("index.html").render(
            root=".", site=self.site_meta(), title=one(DCTERMS.title) or self.config.title,
            description=one(DCTERMS.description), license=one(DCTERMS.license),
            license_href=link_href(one(DCTERMS.license)) or "", modified=one(DCTERMS.modified),
            version=one(OWL.versionInfo), triples=_count(one(VOID.triples)), creator=self._creator(meta, ds),
            served=_count(meta.value(URIRef(f"{ds}/served"), VOID.triples)) if ds is not None else "",
            dataset_jsonld=dataset_jsonld(meta, ds, self.config, self._creator(meta, ds)),
            dumps=dumps, classes=classes, linksets=linksets,
            kinds=[{"kind": k, "count": len(v), "href": f"kinds/{k}.html"} for k, v in kinds.items()
                   if k not in INTERNAL_KINDS],
            essays=[self.term(e, page) for e in self.essays], examples=len(self.cookbook), releases=self.releases,
            readers=[{"href": f"read/{e}.html", "id": e} for e in sorted(self.reading_coverage)])
        return html.encode("utf-8")

    def _creator(self, meta: Graph, ds) -> str:  # noqa: ANN001
        c = meta.value(ds, DCTERMS.creator) if ds is not None else None
        if c is None:
            return ""
        if isinstance(c, Literal):
            return str(c)
        name = meta.value(c, SCHEMA.name) or meta.value(c, RDFS.label) or meta.value(c, URIRef("http://xmlns.com/foaf/0.1/name"))
        return str(name or c)

    def query_page(self, template: str = "query.html") -> bytes:
        """The query page (plain editor) or, with ``yasgui.html``, the page of the vendored YASGUI."""
        examples = [{"name": e.name, "title": e.title, "comment": e.comment, "query": e.query} for e in self.cookbook]
        html = self.env.get_template(template).render(
            root=".", site=self.site_meta(), examples=examples, id_base=self.ix.id_base,
            examples_json=json.dumps(examples, ensure_ascii=False).replace("</", "<\\/"))
        return html.encode("utf-8")


def _alternate_links(alternates: list[dict]) -> dict[str, Markup]:
    """A page's ``alternates`` as its ``<link rel="alternate">`` lines (``head``) and its format links
    (``links``), written here rather than by two Jinja loops: a sixth of a page's escaping."""
    return {"head": markup("".join(f'<link rel="alternate" type="{escape_text(a["type"])}" href="{escape_text(a["href"])}">\n'
                                   for a in alternates)),
            "links": markup(" · ".join(f'<a href="{escape_text(a["href"])}" type="{escape_text(a["type"])}">{escape_text(a["label"])}</a>'
                                       for a in alternates))}


#: where ``Renderer._list_page`` puts a list's lines in its template's text (NULs: no page's text has them,
#: and a page whose text has is written the slower way)
_LIST_MARK = "\0kg-list\0"


def _list_item(term: dict, types: str) -> tuple[str, str, bytes]:
    """One line of a kind's or a class's page: its sort key (the label without case, then the IRI) and
    its HTML's bytes, written here rather than by a Jinja loop (at 1 M the anchors' page lists
    130,000): a local resource's link is the ``html`` its term already has."""
    link = term["html"] if term.get("local") else (
        f'<a href="{escape_text(term["href"])}" title="{escape_text(term["iri"])}">{escape_text(term["text"])}</a>')
    line = f'<li>{link} <small>{escape_text(types)}</small></li>\n' if types else f"<li>{link} </li>\n"
    return term["text"].lower(), term["iri"], line.encode("utf-8")


def _list_key(item: tuple) -> tuple:
    return item[0], item[1]


@lru_cache(maxsize=65_536)
def _row_head(href: str, iri: str, curie: str, after: str) -> str:
    """The escaped start of a property's row: the same on every page of a folder, escaped once."""
    return f'<tr><th><a href="{escape_text(href)}" title="{escape_text(iri)}">{escape_text(curie)}</a>{after}'


def _rows(rows: list[dict], after: str = "") -> Markup:
    """The rows of a property table (``properties`` or ``incoming`` of a resource page), written here
    rather than by a Jinja loop: two thirds of a page's template time went to these cells."""
    out = []
    for p in rows:
        pred = p["pred"]
        head = _row_head(pred["href"], pred["iri"], p["curie"], after)
        if p["also"]:
            head += '<br><small class="also">also: ' + ", ".join(
                f'<a href="{escape_text(q["href"])}" title="{escape_text(q["iri"])}">{escape_text(q["curie"])}</a>' if q["href"]
                else escape_text(q["curie"]) for q in p["also"]) + "</small>"
        cells = "<br>".join([v["html"] for v in p["vals"]])
        more = p.get("count", 0) - len(p["vals"])
        if more > 0:
            cells += f"<br><small>and {more} more</small>"
        out.append(f"{head}</th><td>{cells}</td></tr>\n")
    return Markup("".join(out))


def _count(value) -> str:  # noqa: ANN001
    """A triple count as the pages write it (``20,339``), or "" when there is none."""
    return f"{int(value):,}" if value is not None and str(value).isdigit() else ""


def class_page(curie: str) -> str:
    """The site path of a class's page (``classes/schema-Person.html``)."""
    return "classes/" + "".join(c if c.isalnum() or c in "-_." else "-" for c in curie) + ".html"


#: the resources' pages are dealt to the page processes in runs of this many (``share_of``)
SHARE_RUN = 256


def share_of(nodes: list, k: int, shares: int, run: int = SHARE_RUN) -> list:
    """The resources whose pages the k-th of ``shares`` processes renders: runs of ``run`` of
    ``nodes`` (in their order, the order of their IRIs) dealt in turn, the k-th, the (k + shares)-th
    and so on. Runs, not every n-th resource: the pages of a run link mostly the same resources,
    whose terms and description parts a process makes once (``Renderer.term``, ``Descriptions``);
    dealt every other resource, both processes made them (the essay's pages: 2.50-2.76 s of CPU
    every other, 2.35-2.42 s in two halves). Dealt in turn, not in halves: the kinds of resource
    take their folders' places in the order (at 1 M, 92 % of the pages are anchors, the first half
    only anchors), and halves left one process with the heavier pages. By count, not by an estimate
    of each page's cost: an edit that adds or removes no resource moves no page to another process
    (whose records, ``kg.publish.pagememo``, would be read for it). A site of fewer than ``shares``
    runs is dealt in runs of its ``shares``-th part, so that every process has pages. Without records
    to keep (no build cache) the processes take runs as they ask instead (``kg.publish.runs``).
    (Undone once:
    the first rebuild after a cold build rendered every page again; the cause was the template
    cache's files counted in the pages' shared key, ``kg.publish.pagememo.template_sources``.)"""
    run = max(1, min(run, -(-len(nodes) // shares)))
    return [n for start in range(k * run, len(nodes), shares * run) for n in nodes[start:start + run]]


def render_site(graph: Graph, meta: Graph, config: Config, cookbook: list | None = None,
                releases: tuple = (), readings: dict | None = None, into=None,  # noqa: ANN001
                share: tuple[int, int] = (0, 1), prepared: Prepared | None = None) -> dict[str, bytes]:
    """Every page of the site, keyed by path under ``site/``: ``graph`` is the data (and ontology),
    ``meta`` the dataset's VoID/DCAT description, ``releases`` those of releases/index.json,
    ``readings`` the essays' reading orders ({essay id: kg.reading.ReadingOrder}: reader pages).
    With ``into`` (what takes ``into[path] = bytes`` and ``into.update(files)``: a
    ``kg.publish.writer.Sink``) each file goes there as soon as it is made, and ``into`` is returned.
    ``share`` = (k, n): only the k-th of n shares of the resources' pages (``share_of``; and for
    k = n - 1 the kinds' pages and the search index, for k = 0 the other pages: at 1 M resources each
    of the two lists takes as long as the other), for n processes rendering the site together; the
    pages are the same as one process makes. With ``prepared.runs`` (no records to keep) the
    resources are dealt in runs as the processes ask (``kg.publish.runs``), after the listing pages.
    ``prepared``: what ``pages.prepare`` made before the processes forked (the ``Index`` of ``[graph,
    meta]``; with a build cache, the last build's records of the pages)."""
    r = Renderer([graph, meta], config, cookbook, prepared.index if prepared is not None else None)
    r.releases = tuple(releases)
    r.reading_coverage = {k: Coverage(v) for k, v in (readings or {}).items()}
    nodes = r.listed("all")
    files = into if into is not None else {}
    descriptions = Descriptions(r.ix, config.base_iri)  # pieces made once for all, its terms' texts bounded
    k, shares = share
    mine = share_of(nodes, k, shares)
    # with a build cache and a stage, the pages whose reads are unchanged are linked from the last
    # output instead of rendered again (kg.publish.pagememo)
    memo = (PageMemo(r, shared_key(config, r.supers), prepared.previous, own=k, parts=prepared.parts)
            if prepared is not None and prepared.cache is not None and hasattr(into, "keep_all") else None)
    ix = r.ix

    def through_memo(key, make, *args: object) -> None:  # noqa: ANN001
        """The files of ``make(*args)`` ({path: bytes}) put into ``files``; or, when the memo finds
        every read of the page(s) ``key`` names unchanged, the last output's files linked instead."""
        if memo is not None:
            old = memo.previous(key)
            if old is not None and into.keep_all(unpack_files(old[2])):
                memo.record_kept(key, *old)
                return
            ix.reads = set()
        try:
            made = make(*args)
        finally:
            reads, ix.reads = ix.reads, None
        for name, data in made.items():
            files[name] = data
        if memo is not None:
            memo.rendered += 1
            written = {name: into.written(name) for name in made}
            if all(written.values()):
                memo.record(key, reads, written)

    def resource_files(n) -> dict:  # noqa: ANN001
        path, data = r.resource(n)
        made = {path: data}
        stem = path.removesuffix(".html")
        for suffix, rdf in descriptions.files(n).items():
            made[stem + suffix] = rdf  # its description beside the page (kg.publish.resource_rdf)
        return made

    def through_listing(name: str, page) -> None:  # noqa: ANN001
        """The page ``page(members)`` ((path, bytes)) listing ``r.listed(name)``, through the memo under
        the name `` name`` (a space first: no IRI); the list itself is one of its reads (a member
        added or gone renders it again)."""
        def make() -> dict:
            ix.read(("L", name))
            path, data = page(r.listed(name))
            return {path: data}
        through_memo(" " + name, make)

    def listings() -> dict:
        """The pages listing the resources this share renders (the kinds' and the search index for the
        last share, the classes' for the first); the kinds, which the landing page names."""
        kinds = r.lists("kind") if k in (0, shares - 1) else {}
        if k == shares - 1:  # the pages listing every resource: a share of their own, the last
            for kind in kinds:
                through_listing(f"kind:{kind}", partial(r.kind_page, kind))
            through_listing("all", lambda members: (SEARCH_PATH, search_index(r, members, INTERNAL_KINDS)))
        if k == 0:
            for cls in r.classes(meta):
                through_listing(f"class:{cls}", partial(r.one_class_page, cls))
        return kinds

    def first_share_pages(kinds: dict) -> None:
        files.update(reader_pages(r, readings or {}))
        files["index.html"] = r.landing(meta, kinds)
        files["query.html"] = r.query_page()
        files["yasgui.html"] = r.query_page("yasgui.html")
        files["404.html"] = r.env.get_template("404.html").render(
            root="", site=r.site_meta(), message="Nothing is published at this address.", suggestions=[]).encode()
        files.update(site_links.host_rules())
        for asset in sorted((TEMPLATES / "assets").iterdir()):
            files["assets/" + asset.name] = asset.read_bytes()

    # without records to keep, the resources are dealt in runs as the processes ask (kg.publish.runs),
    # after each has made the pages only it makes: the processes then end within a run of each other
    table = prepared.runs if prepared is not None and memo is None and shares > 1 else None
    if table is not None:
        kinds = listings()
        if k == 0:
            first_share_pages(kinds)
    # no records of the last build (no cache, emptied, another code version): every page is rendered
    # and compared with the last output's file at its path, whose reading is asked for ahead when the
    # site is large enough for those files to be out of memory
    expected = len(mine) if table is None else -(-len(nodes) // shares)
    prefetch = (getattr(into, "prefetch", None) if (memo is None or memo.empty) and expected >= PREFETCH_MIN_PAGES
                else None)
    suffixes = [".html", *(m.suffix for m in STATIC_ALTERNATES)]

    def ask_for(batch: list) -> None:
        prefetch([ix.page_of(n).removesuffix(".html") + x for n in batch for x in suffixes])

    def windows() -> Iterator:
        """``mine``, the next window's last files asked for while this one is made."""
        for start in range(0, len(mine), PREFETCH_AHEAD):
            if prefetch is not None:
                if start == 0:
                    ask_for(mine[:PREFETCH_AHEAD])
                ask_for(mine[start + PREFETCH_AHEAD:start + 2 * PREFETCH_AHEAD])
            yield from mine[start:start + PREFETCH_AHEAD]

    def dealt() -> Iterator:
        """The runs this share takes as it asks, each run's last files asked for as it is taken."""
        run = run_length(len(nodes), shares, SHARE_RUN)
        for i in table.runs_of(k, -(-len(nodes) // run)):
            batch = nodes[i * run:(i + 1) * run]
            if prefetch is not None:
                ask_for(batch)
            yield from batch

    for n in counted(windows() if table is None else dealt(), "pages" if shares == 1 else f"pages {k + 1}/{shares}",
                     expected):
        through_memo(n, resource_files, n)
    if table is not None:
        return files
    # what was kept for the resources' pages is not needed by the lists and the records, made last:
    # at 1 M some 100 MB of each process, given back to them (the tree's peak is these processes' end)
    descriptions.forget()
    r.forget_terms()
    kinds = listings()
    if memo is not None:
        memo.save(prepared.cache, k, shares)
    if k == 0:
        first_share_pages(kinds)
    return files


def pages(dataset, config: Config, into=None, share: tuple[int, int] = (0, 1), prepared=None) -> dict[str, bytes]:  # noqa: ANN001
    """The extra publisher: the whole site under ``site/``; with ``into`` (an open
    ``kg.publish.writer.Stage``) put there page by page, and nothing returned; ``share`` as
    ``render_site``'s; ``prepared``: what ``pages.prepare`` made of this dataset."""
    files = render_site(dataset.union, _meta(dataset), config, list(dataset.cookbook), dataset.releases,
                        readings=dataset.readings, into=into.under("site/") if into is not None else None,
                        share=share, prepared=prepared)
    return {"site/" + k: v for k, v in files.items()} if into is None else {}


def _meta(dataset) -> Graph:  # noqa: ANN001
    return dataset.metadata if dataset.metadata is not None else Graph()


@dataclass
class Prepared:
    """What the page processes share, made once before they fork (``pages.prepare``): the look-ups
    over the dataset (copy-on-write, instead of each building its own) and, with a build cache, the
    pages' records of the last build (``kg.publish.pagememo``)."""

    index: Index
    cache: object = None
    previous: Previous | None = None
    #: the graph as the essays' parts and the rest (``kg.graphparts.GraphParts``), when every
    #: essay's triples carry their key; None: each page's reads are valued
    parts: GraphParts | None = None
    #: without records to keep (no build cache), the runs of resources the page processes take as
    #: they ask (``kg.publish.runs``) instead of each its share by count; None: by count
    runs: RunTable | None = None


def _prepare(dataset, config: Config, cache=None, shares: int = 1) -> Prepared:  # noqa: ANN001
    index, dataset.lookups = dataset.lookups, None  # the union's index that render made, handed over
    if index is None:
        index = Index([dataset.union, _meta(dataset)], config.base_iri + "id/")
    else:
        index.add(_meta(dataset))
    if cache is None or not getattr(cache, "enabled", False):
        return Prepared(index, runs=_run_table() if 1 < shares < 255 else None)
    return Prepared(index, cache, Previous(cache, shares), _parts(dataset, cache))


def _run_table() -> RunTable | None:
    try:
        return RunTable()
    except OSError:  # no temporary folder to make it in: the shares are dealt by count
        return None


def _parts(dataset, cache) -> GraphParts | None:  # noqa: ANN001
    """The pages' index (the union and the description) as the essays' triples, each under its
    enrichment key (read back from the cache for an earlier key), and the rest: the ontology, the
    enrichments and the description."""
    rest = {t for g in [dataset.ontology, *dataset.enrichments.values(), _meta(dataset)] for t in g}
    return essay_parts(dataset.essays, rest, cache)


pages.shares = True  # kg.publish.render_extras may pass ``into``, ``share`` and ``prepared``
pages.prepare = _prepare


__all__ = ["pages", "render_site"]
