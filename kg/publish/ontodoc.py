"""Pure: an HTML reference of the ontology's own classes, properties and controlled values
(``output/ontology.html``). Our own small generator: pyLODE 3.4.1 fails at import and 3.3.4 skips
classes not declared ``owl:Class`` (docs/traps.md). The bytes depend only on the ontology graph:
terms are sorted and nothing is dated by the clock."""
from __future__ import annotations

from html import escape

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.config import Config
from kg.iris import link_href
from kg.csp import POLICY as CSP
from kg.namespaces import KGO, ONTOLOGY_IRI
from kg.publish.serialize import Namer

PATH = "ontology.html"
CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = {OWL.ObjectProperty: "object property", OWL.DatatypeProperty: "datatype property",
                  OWL.AnnotationProperty: "annotation property", RDF.Property: "property"}
CHARACTERISTICS = {OWL.FunctionalProperty: "functional", OWL.InverseFunctionalProperty: "inverse functional",
                   OWL.TransitiveProperty: "transitive", OWL.SymmetricProperty: "symmetric"}
#: (row heading, predicate) of the super-terms that align an own term to a standard one.
ALIGNMENTS = ((RDFS.subClassOf, "subclass of"), (OWL.equivalentClass, "equivalent class"),
              (RDFS.subPropertyOf, "subproperty of"), (OWL.equivalentProperty, "equivalent property"),
              (OWL.inverseOf, "inverse of"), (SKOS.exactMatch, "exact match"), (SKOS.closeMatch, "close match"))
_EXTRA_PREFIXES = {"mp": "http://purl.org/mp/", "cnt": "http://www.w3.org/2011/content#",
                   "vann": "http://purl.org/vocab/vann/"}

CSS = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{font-size:.9em}a{color:#0645ad}nav ul{columns:3}section.term{border-top:1px solid #ddd;padding:.5rem 0}
table{border-collapse:collapse}th{text-align:left;vertical-align:top;padding-right:1rem;font-weight:600;white-space:nowrap}
td,th{padding:.15rem .5rem .15rem 0}.iri{color:#555}"""


def _text(graph: Graph, s: URIRef, p: URIRef) -> str:
    values = sorted(graph.objects(s, p), key=lambda o: (getattr(o, "language", None) != "en", str(o)))
    return str(values[0]) if values else ""


class _Doc:
    def __init__(self, graph: Graph, base_iri: str) -> None:
        self.g = graph
        namer = Namer(base_iri)
        self.prefixes = {**_EXTRA_PREFIXES, **namer.prefixes}
        self.own = str(KGO)

    def is_own(self, term: object) -> bool:
        return isinstance(term, URIRef) and str(term).startswith(self.own)

    def curie(self, iri: str) -> str:
        for prefix, ns in sorted(self.prefixes.items(), key=lambda x: -len(x[1])):
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def link(self, term: object) -> str:
        if isinstance(term, Literal):
            return escape(str(term))
        iri = str(term)
        if self.is_own(term):
            local = iri[len(self.own):]
            return f'<a href="#{escape(local)}"><code>{escape(self.curie(iri))}</code></a>'
        if link_href(iri) is None:  # not http(s): shown, never linked
            return f'<code>{escape(self.curie(iri))}</code>'
        return f'<a href="{escape(iri)}"><code>{escape(self.curie(iri))}</code></a>'

    def links(self, terms) -> str:  # noqa: ANN001
        return ", ".join(self.link(t) for t in sorted(terms, key=str))

    def term(self, s: URIRef, kind: str, extra: list[tuple[str, str]]) -> str:
        g = self.g
        local = str(s)[len(self.own):]
        label = _text(g, s, RDFS.label) or local
        rows = [("IRI", f'<code class="iri">{escape(str(s))}</code>'), ("kind", escape(kind))]
        definition = _text(g, s, SKOS.definition)
        if definition:
            rows.append(("definition", escape(definition)))
        rows += extra
        if any(o.toPython() is True for o in g.objects(s, OWL.deprecated) if isinstance(o, Literal)):
            rows.append(("status", "deprecated"))
        replaced = [o for o in g.objects(s, DCTERMS.isReplacedBy) if isinstance(o, URIRef)]
        if replaced:
            rows.append(("replaced by", self.links(replaced)))
        for p, heading in ALIGNMENTS:
            objs = [o for o in g.objects(s, p) if isinstance(o, URIRef)]
            if objs:
                rows.append((heading, self.links(objs)))
        comment = _text(g, s, RDFS.comment)
        if comment:
            rows.append(("note", escape(comment)))
        body = "".join(f"<tr><th>{escape(h)}</th><td>{v}</td></tr>" for h, v in rows)
        return (f'<section class="term" id="{escape(local)}"><h3>{escape(label)} '
                f"<small><code>{escape(self.curie(str(s)))}</code></small></h3><table>{body}</table></section>\n")


def _own_subjects(graph: Graph, types) -> list[URIRef]:  # noqa: ANN001
    return sorted({s for t in types for s in graph.subjects(RDF.type, t)
                   if isinstance(s, URIRef) and str(s).startswith(str(KGO))}, key=str)


def ontology_html(ontology: Graph, base_iri: str, turtle_href: str = "ontology.ttl", header: str = "") -> bytes:
    """The reference page of ``ontology`` (the ontology as published, alignments included);
    ``turtle_href`` is where the page links the ontology's Turtle; ``header`` is the site's
    header and navigation (the site's copy), with its stylesheet and icon."""
    doc = _Doc(ontology, base_iri)
    g = ontology
    onto = URIRef(ONTOLOGY_IRI)
    title = _text(g, onto, RDFS.label) or _text(g, onto, URIRef("http://purl.org/dc/terms/title")) or "Ontology"
    classes = _own_subjects(g, CLASS_TYPES)
    properties = _own_subjects(g, PROPERTY_TYPES)
    values: dict[URIRef, list[URIRef]] = {c: sorted((s for s in g.subjects(RDF.type, c) if isinstance(s, URIRef)), key=str)
                                           for c in classes}
    parts = [f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
             f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">'
             + ('<link rel="stylesheet" href="assets/style.css"><link rel="icon" type="image/svg+xml" '
                'href="assets/favicon.svg">' if header else "")
             + f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n{header}"
             f"<main><h1>{escape(title)}</h1>\n<table>"]
    head = [("IRI", f'<code class="iri">{escape(ONTOLOGY_IRI)}</code>'),
            ("namespace", f"<code>{escape(str(KGO))}</code> (prefix <code>kgo:</code>)")]
    for p, h in ((OWL.versionInfo, "version"), (SKOS.definition, "description")):
        v = _text(g, onto, p)
        if v:
            head.append((h, escape(v)))
    lic = g.value(onto, URIRef("http://purl.org/dc/terms/license"))
    if lic is not None:
        head.append(("licence", doc.link(lic)))
    head.append(("also as", f'<a href="{turtle_href}">Turtle</a>'))
    parts.append("".join(f"<tr><th>{h}</th><td>{v}</td></tr>" for h, v in head) + "</table>\n")
    parts.append("<p>Every own term is aligned to the standard term it refines; the published data also "
                 "carries the standard triples, so no reasoner is needed to query it.</p>\n")
    toc = [("classes", "Classes", classes), ("properties", "Properties", properties),
           ("values", "Controlled values", [v for c in classes for v in values[c]])]
    parts.append("<nav><h2>Contents</h2>")
    for anchor, heading, terms in toc:
        parts.append(f'<h3><a href="#{anchor}">{heading}</a></h3><ul>'
                     + "".join(f"<li>{doc.link(t)}</li>" for t in terms) + "</ul>")
    parts.append("</nav>\n")

    parts.append('<h2 id="classes">Classes</h2>\n')
    for c in classes:
        extra = []
        if values[c]:
            extra.append(("controlled values", doc.links(values[c])))
        used = sorted({p for p in properties if (p, RDFS.range, c) in g}, key=str)
        if used:
            extra.append(("range of", doc.links(used)))
        used = sorted({p for p in properties if (p, RDFS.domain, c) in g}, key=str)
        if used:
            extra.append(("domain of", doc.links(used)))
        parts.append(doc.term(c, "class", extra))

    parts.append('<h2 id="properties">Properties</h2>\n')
    for p in properties:
        types = set(g.objects(p, RDF.type))
        kind = ", ".join(sorted([PROPERTY_TYPES[t] for t in types if t in PROPERTY_TYPES]
                                + [CHARACTERISTICS[t] for t in types if t in CHARACTERISTICS]))
        extra = []
        for pred, h in ((RDFS.domain, "domain"), (RDFS.range, "range")):
            objs = list(g.objects(p, pred))
            if objs:
                extra.append((h, doc.links(objs)))
        parts.append(doc.term(p, kind, extra))

    parts.append('<h2 id="values">Controlled values</h2>\n')
    for c in classes:
        for v in values[c]:
            parts.append(doc.term(v, f"value of {doc.curie(str(c))}", [("value of", doc.link(c))]))
    parts.append("</main></body></html>\n")
    return "".join(parts).encode("utf-8")


def ontodoc(dataset, config: Config) -> dict[str, bytes]:  # noqa: ANN001
    """The extra publisher: ``output/ontology.html``."""
    # Next to the dumps, and in the static site (whose pages link it; the site serves dumps under dumps/).
    from kg.publish.pages import environment

    header = environment().get_template("_header.html").render(root=".", site={"title": config.title})
    return {PATH: ontology_html(dataset.ontology, config.base_iri),
            "site/" + PATH: ontology_html(dataset.ontology, config.base_iri, "dumps/ontology.ttl", header)}
