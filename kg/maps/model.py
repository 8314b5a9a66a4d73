"""The argument map and the concept map: what they show, read from the published graph (pure).

``argument_model`` and ``concept_model`` turn the dataset's union graph into a ``MapModel`` (nodes
and links, nothing about drawing); ``kg.maps.svg`` draws a model as SVG and
``kg.maps.pages`` wraps the SVGs in the site's pages (its ``maps`` is the extra publisher).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.namespaces import CITO, KGO, SCHEMA
from kg.registry import ENTITY_KINDS
from kg.terms import label

#: Relations between claims, in the order the legend lists them.
CLAIM_RELATIONS = {"supports": KGO.supports, "opposes": KGO.opposes, "qualifies": KGO.qualifies}
STANCES = {KGO.endorses: "endorses", KGO.rejects: "rejects", KGO.acceptsInPart: "qualifies"}


@dataclass(frozen=True)
class Node:
    iri: str
    kind: str  # claim | quotation | concept | person | organisation | work
    label: str
    text: str = ""
    holder: str = ""  # IRI of who holds the claim / is quoted
    stance: str = ""  # endorses | rejects | qualifies
    central: bool = False
    count: int = 0  # concepts: how often the essay mentions it


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    kind: str  # supports | opposes | qualifies | evidence | broader | related | critical | agreeing |
    #            mixed | cites | wrote | argues-against


@dataclass
class MapModel:
    name: str  # argument | concept | people
    title: str
    nodes: dict[str, Node] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    holders: dict[str, str] = field(default_factory=dict)  # IRI -> label, in legend order

    def link_index(self) -> "LinkIndex":
        """The links touching each node, for ``neighbourhood``."""
        return LinkIndex(self)

    def neighbourhood(self, iri: str, index: "LinkIndex | None" = None) -> "MapModel":
        """The node, its direct neighbours and the links among them (``index``: ``link_index()``,
        to look a node's links up instead of scanning them all: the same model either way)."""
        if index is None:
            index = LinkIndex(self)
        links = self.links
        keep = {iri}
        for i in index.touching.get(iri, ()):
            keep.update((links[i].source, links[i].target))
        sub = MapModel(self.name, neighbourhood_title(self.name, self.nodes[iri].label) if iri in self.nodes else self.title)
        sub.nodes = {k: self.nodes[k] for k in sorted(keep & index.position.keys(), key=index.position.__getitem__)}
        touching = sorted({i for k in keep for i in index.touching.get(k, ())})
        sub.links = [links[i] for i in touching if links[i].source in keep and links[i].target in keep]
        # the same colours as in the whole map: its very dictionary (no model's holders change once
        # it is made; the drawings' memo digests a dictionary once: ``kg.maps.memo``)
        sub.holders = self.holders
        return sub


def neighbourhood_title(name: str, label: str) -> str:
    """The title of a node's neighbourhood in the map ``name`` (its own, not the whole map's: a
    neighbourhood's drawing, ``kg.maps.memo``, does not change when the whole map is renamed)."""
    return f"Neighbourhood of {label} in the {name} map"


class LinkIndex:
    """A model's links by node (positions in ``links``) and its nodes' positions."""

    def __init__(self, model: MapModel) -> None:
        self.touching: dict[str, list[int]] = {}
        for i, link in enumerate(model.links):
            self.touching.setdefault(link.source, []).append(i)
            if link.target != link.source:
                self.touching.setdefault(link.target, []).append(i)
        self.position = {k: i for i, k in enumerate(model.nodes)}


def _label(g: Graph, node: URIRef) -> str:
    """The node's label (``kg.terms``: the same as its page shows), else the last part of its IRI."""
    text = label(g, node)
    return text if text is not None else str(node).rstrip("/").rsplit("/", 1)[-1]


def _first(g: Graph, node: URIRef, p: URIRef) -> str:
    values = sorted(str(v) for v in g.objects(node, p) if isinstance(v, (Literal, URIRef)))
    return values[0] if values else ""


def essay_title(g: Graph) -> str:
    essays = sorted(g.subjects(RDF.type, SCHEMA.ScholarlyArticle))
    return _label(g, essays[0]) if essays else "the essay"


def argument_model(g: Graph) -> MapModel:
    """Claims, their relations, the quotations offered as evidence, and who holds each claim."""
    model = MapModel("argument", f"Argument map of {essay_title(g)}")
    claims = sorted(set(g.subjects(RDF.type, SCHEMA.Claim)))
    central = {o for o in g.objects(None, KGO.centralThesis)}
    essay_authors = {str(o) for s in g.subjects(RDF.type, SCHEMA.ScholarlyArticle)
                     for o in g.objects(s, DCTERMS.creator)}
    for c in claims:
        stance = next((STANCES[s] for s in sorted(g.objects(c, KGO.authorStance)) if s in STANCES), "")
        model.nodes[str(c)] = Node(str(c), "claim", _label(g, c), _first(g, c, SCHEMA.text),
                                   _first(g, c, SCHEMA.author), stance, c in central)
    claim_set = set(claims)
    for kind, prop in CLAIM_RELATIONS.items():
        for s, o in sorted(g.subject_objects(prop)):
            if s in claim_set and o in claim_set:
                model.links.append(Link(str(s), str(o), kind))
    for q, c in sorted(g.subject_objects(KGO.evidenceFor)):
        if c in claim_set:
            if str(q) not in model.nodes:
                model.nodes[str(q)] = Node(str(q), "quotation", _label(g, q), _first(g, q, SCHEMA.text),
                                           _first(g, q, SCHEMA.creator))
            model.links.append(Link(str(q), str(c), "evidence"))
    model.holders = _holders(g, model, essay_authors)
    return model


def _holders(g: Graph, model: MapModel, essay_authors: set[str]) -> dict[str, str]:
    """Who holds the model's claims, in legend order: the essay's author(s) first, then by claims held."""
    counts: dict[str, int] = {}
    for n in model.nodes.values():
        if n.kind == "claim" and n.holder:
            counts[n.holder] = counts.get(n.holder, 0) + 1
    order = sorted(counts, key=lambda h: (h not in essay_authors, -counts[h], h))
    return {h: _label(g, URIRef(h)) for h in order}


def essay_argument(g: Graph, whole: MapModel, essay: URIRef, index: LinkIndex | None = None) -> MapModel:
    """The part of ``whole`` (``argument_model(g)``) that is one essay's argument: the claims that
    appear in it (``schema:appearance``), the relations among them and the quotations offered as
    evidence for them, in ``whole``'s order; its holders counted in this essay alone (``index``:
    ``whole.link_index()``, to look links up instead of scanning them all)."""
    if index is None:
        index = whole.link_index()
    model = MapModel("argument", f"Argument map of {_label(g, essay)}")
    claims = {str(c) for c in g.subjects(SCHEMA.appearance, essay)
              if str(c) in whole.nodes and whole.nodes[str(c)].kind == "claim"}
    links = sorted({i for c in claims for i in index.touching.get(c, ()) if whole.links[i].target in claims
                    and (whole.links[i].source in claims or whole.links[i].kind == "evidence")})
    model.links = [whole.links[i] for i in links]
    keep = claims | {ln.source for ln in model.links}
    model.nodes = {k: whole.nodes[k] for k in sorted(keep, key=index.position.__getitem__)}
    model.holders = _holders(g, model, {str(o) for o in g.objects(essay, DCTERMS.creator)})
    return model


def concept_model(g: Graph) -> MapModel:
    """The SKOS concepts, broader (narrower -> broader) and related links, and mention counts."""
    model = MapModel("concept", f"Concept map of {essay_title(g)}")
    concepts = sorted({c for k in ENTITY_KINDS if k.map == "concept" for c in g.subjects(RDF.type, k.class_iri)})
    cset = set(concepts)
    for c in concepts:
        anchors = set(g.objects(c, KGO.mentionedAt)) | set(g.objects(c, KGO.evidencedAt))
        model.nodes[str(c)] = Node(str(c), "concept", _label(g, c), _first(g, c, SKOS.definition),
                                   count=len(anchors))
    for s, o in sorted(g.subject_objects(SKOS.broader)):
        if s in cset and o in cset and s != o:
            model.links.append(Link(str(s), str(o), "broader"))
    pairs = {tuple(sorted((str(s), str(o)))) for s, o in g.subject_objects(SKOS.related)
             if s in cset and o in cset and s != o}
    model.links.extend(Link(a, b, "related") for a, b in sorted(pairs))
    return model


CRITICAL = {"critiques", "disagreesWith", "disputes", "refutes", "ridicules", "parodies"}
AGREEING = {"agreesWith", "citesAsAuthority", "obtainsSupportFrom", "citesAsEvidence", "extends", "confirms",
            "supports", "usesMethodIn", "usesConclusionsFrom", "obtainsBackgroundFrom"}


@dataclass
class _Who:
    """What the people map says of each person, organisation and work: how often the essay quotes
    them, what the essay does with each work (CiTO intents), how many claims each holds."""

    g: Graph
    author: URIRef | None
    quoted_person: dict[URIRef, int]
    quoted_work: dict[URIRef, int]
    intents: dict[URIRef, set[str]]
    holders: dict[str, int]

    @classmethod
    def read(cls, g: Graph, essays: list[URIRef], quotes: list, argument: MapModel | None) -> _Who:
        quoted_person: dict[URIRef, int] = {}
        quoted_work: dict[URIRef, int] = {}
        for q in quotes:
            for c in g.objects(q, SCHEMA.creator):
                quoted_person[c] = quoted_person.get(c, 0) + 1
            for w in g.objects(q, SCHEMA.isBasedOn):
                quoted_work[w] = quoted_work.get(w, 0) + 1
        intents: dict[URIRef, set[str]] = {}
        for e in essays:
            for p, w in g.predicate_objects(e):
                if isinstance(w, URIRef) and str(p).startswith(str(CITO)) and (w, RDF.type, SCHEMA.CreativeWork) in g:
                    intents.setdefault(w, set()).add(str(p)[len(str(CITO)):])
        for w in quoted_work:
            intents.setdefault(w, set()).add("includesQuotationFrom")
        holders: dict[str, int] = {}
        if argument is not None:
            for n in argument.nodes.values():
                if n.kind == "claim" and n.holder:
                    holders[n.holder] = holders.get(n.holder, 0) + 1
        author = next(iter(sorted(g.objects(essays[0], DCTERMS.creator))), None)
        return cls(g, author, quoted_person, quoted_work, intents, holders)

    def kind_of(self, node: URIRef) -> str:
        """The first kind of the people map (kg.registry.ENTITY_KINDS) the node is typed as."""
        kinds = [k for k in ENTITY_KINDS if k.map == "people"]  # person, work, organisation
        return next((k.segment for k in kinds if (node, RDF.type, k.class_iri) in self.g), kinds[-1].segment)

    def node(self, node: URIRef) -> Node:
        g, iri = self.g, str(node)
        kind = self.kind_of(node)
        label = _label(g, node)
        facts = []
        n_quotes = self.quoted_person.get(node, 0) if kind != "work" else self.quoted_work.get(node, 0)
        if n_quotes:
            facts.append(f"{n_quotes} quotation{'s' if n_quotes != 1 else ''} in the essay")
        if self.holders.get(iri):
            facts.append(f"holds {self.holders[iri]} claim{'s' if self.holders[iri] != 1 else ''}")
        if kind == "work":
            by = ", ".join(sorted(_label(g, c) for c in g.objects(node, DCTERMS.creator)))
            year = _first(g, node, DCTERMS.issued)
            label_full = label + (f" — {by}" if by else "") + (f" ({year})" if year else "")
            facts.insert(0, "the essay: " + ", ".join(sorted(self.intents.get(node, ()))))
        else:
            label_full = label
        return Node(iri, kind, label, f"{label_full}: " + "; ".join(facts) if facts else label_full,
                    count=n_quotes, central=node == self.author)

    def tone(self, work: URIRef) -> str:
        """The colour of the essay's link to a work it cites."""
        crit, agree = bool(self.intents[work] & CRITICAL), bool(self.intents[work] & AGREEING)
        return "mixed" if crit and agree else "critical" if crit else "agreeing" if agree else "cites"


def _argues_against(argument: MapModel) -> list[tuple[str, str]]:
    """(holder, holder) whose claims oppose each other's, two different holders, sorted."""
    against: set[tuple[str, str]] = set()
    for ln in argument.links:
        if ln.kind == "opposes":
            a, b = argument.nodes[ln.source].holder, argument.nodes[ln.target].holder
            if a and b and a != b:
                against.add((a, b))
    return sorted(against)


def people_model(g: Graph, argument: MapModel | None = None, essay: URIRef | None = None,
                 essay_graph: Graph | None = None) -> MapModel:
    """Who talks to whom: the essay's author, the works the essay cites (the link's colour is the
    tone of its CiTO intents), who wrote them, who is quoted, and whose claims argue against whose
    (``essay``: that essay's author and citations only, the quotations of its graph ``essay_graph``;
    ``argument``: its argument map)."""
    model = MapModel("people", f"Who talks to whom in {_label(g, essay) if essay is not None else essay_title(g)}")
    essays = [essay] if essay is not None else sorted(g.subjects(RDF.type, SCHEMA.ScholarlyArticle))
    if not essays:
        return model
    quotes = sorted(set((essay_graph if essay_graph is not None else g).subjects(RDF.type, SCHEMA.Quotation)))
    who = _Who.read(g, essays, quotes, argument)

    def add(node: URIRef) -> None:
        if str(node) not in model.nodes:
            model.nodes[str(node)] = who.node(node)

    if who.author is not None:
        add(who.author)
    for w in sorted(who.intents):
        add(w)
        if who.author is not None:
            model.links.append(Link(str(who.author), str(w), who.tone(w)))
        for c in sorted(g.objects(w, DCTERMS.creator)):
            if isinstance(c, URIRef):
                add(c)
                model.links.append(Link(str(c), str(w), "wrote"))
    for p in sorted(who.quoted_person):
        if isinstance(p, URIRef):
            add(p)
    if argument is not None:
        for a, b in _argues_against(argument):
            for h in (a, b):
                add(URIRef(h))
            model.links.append(Link(a, b, "argues-against"))
        model.holders = dict(argument.holders)
    return model
