"""Pure: an HTML reference of the ontology's own classes, properties and controlled values
(``output/ontology.html``). Our own small generator: pyLODE 3.4.1 fails at import and 3.3.4 skips
classes not declared ``owl:Class`` (docs/traps.md). The bytes depend only on the ontology graph:
terms are sorted and nothing is dated by the clock."""
from __future__ import annotations

from html import escape

from markupsafe import Markup
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.config import Config
from kg.iris import link_href
from kg.namespaces import KGO, ONTOLOGY_IRI
from kg.publish.pages import environment
from kg.publish.serialize import Namer
from kg.terms import Curies, label, pick

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

def _text(graph: Graph, s: URIRef, p: URIRef) -> str:
    value = pick(graph.objects(s, p))
    return str(value) if value is not None else ""


class _Doc:
    """The page's data: each term as a dict the template ``kg/templates/ontology.html`` shows."""

    def __init__(self, graph: Graph, base_iri: str) -> None:
        self.g = graph
        namer = Namer(base_iri)
        self.curie = Curies({**_EXTRA_PREFIXES, **namer.prefixes})
        self.own = str(KGO)

    def is_own(self, term: object) -> bool:
        return isinstance(term, URIRef) and str(term).startswith(self.own)

    def link(self, term: object) -> dict:
        """A term as the template's ``link``: text, where it links (None: not a link), in ``<code>``."""
        if isinstance(term, Literal):
            return {"text": str(term), "href": None, "code": False}
        iri = str(term)
        if self.is_own(term):
            return {"text": self.curie(iri), "href": "#" + iri[len(self.own):], "code": True}
        # not http(s): shown, never linked
        return {"text": self.curie(iri), "href": link_href(iri), "code": True}

    def links(self, terms) -> dict:  # noqa: ANN001
        return {"links": [self.link(t) for t in sorted(terms, key=str)]}

    def term(self, s: URIRef, kind: str, extra: list[tuple[str, dict]]) -> dict:
        g = self.g
        local = str(s)[len(self.own):]
        rows = [("IRI", {"iri": str(s)}), ("kind", {"text": kind})]
        definition = _text(g, s, SKOS.definition)
        if definition:
            rows.append(("definition", {"text": definition}))
        rows += extra
        if any(o.toPython() is True for o in g.objects(s, OWL.deprecated) if isinstance(o, Literal)):
            rows.append(("status", {"text": "deprecated"}))
        replaced = [o for o in g.objects(s, DCTERMS.isReplacedBy) if isinstance(o, URIRef)]
        if replaced:
            rows.append(("replaced by", self.links(replaced)))
        for p, heading in ALIGNMENTS:
            objs = [o for o in g.objects(s, p) if isinstance(o, URIRef)]
            if objs:
                rows.append((heading, self.links(objs)))
        comment = _text(g, s, RDFS.comment)
        if comment:
            rows.append(("note", {"text": comment}))
        return {"local": local, "label": label(g, s) or local, "curie": self.curie(str(s)), "rows": rows,
                "link": self.link(s)}


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
    classes = _own_subjects(g, CLASS_TYPES)
    properties = _own_subjects(g, PROPERTY_TYPES)
    values: dict[URIRef, list[URIRef]] = {c: sorted((s for s in g.subjects(RDF.type, c) if isinstance(s, URIRef)), key=str)
                                           for c in classes}
    head = []
    for p, h in ((OWL.versionInfo, "version"), (SKOS.definition, "description")):
        v = _text(g, onto, p)
        if v:
            head.append((h, {"text": v}))
    lic = g.value(onto, DCTERMS.license)
    if lic is not None:
        head.append(("licence", {"links": [doc.link(lic)]}))

    class_terms = []
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
        class_terms.append(doc.term(c, "class", extra))
    property_terms = []
    for p in properties:
        types = set(g.objects(p, RDF.type))
        kind = ", ".join(sorted([PROPERTY_TYPES[t] for t in types if t in PROPERTY_TYPES]
                                + [CHARACTERISTICS[t] for t in types if t in CHARACTERISTICS]))
        extra = []
        for pred, h in ((RDFS.domain, "domain"), (RDFS.range, "range")):
            objs = list(g.objects(p, pred))
            if objs:
                extra.append((h, doc.links(objs)))
        property_terms.append(doc.term(p, kind, extra))
    value_terms = [doc.term(v, f"value of {doc.curie(str(c))}", [("value of", {"links": [doc.link(c)]})])
                   for c in classes for v in values[c]]

    env = environment()
    env.filters["x"] = lambda text: Markup(escape(str(text)))  # html.escape, as the page always had
    html = env.get_template("ontology.html").render(
        title=label(g, onto) or "Ontology", iri=ONTOLOGY_IRI, namespace=str(KGO), head=head, turtle_href=turtle_href, header=Markup(header),
        sections=[("classes", "Classes", class_terms), ("properties", "Properties", property_terms),
                  ("values", "Controlled values", value_terms)])
    return html.encode("utf-8")


def ontodoc(dataset, config: Config) -> dict[str, bytes]:  # noqa: ANN001
    """The extra publisher: ``output/ontology.html``."""
    # Next to the dumps, and in the static site (whose pages link it; the site serves dumps under dumps/).
    header = environment().get_template("_header.html").render(root=".", site={"title": config.title})
    return {PATH: ontology_html(dataset.ontology, config.base_iri),
            "site/" + PATH: ontology_html(dataset.ontology, config.base_iri, "dumps/ontology.ttl", header)}
