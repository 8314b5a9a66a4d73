"""Pure: what we know of a curated resource (``Entity``), what an external record says
(``Record``), how well a candidate record fits a resource (``score``) and where a linked record
contradicts the curated facts (``check``). No I/O here."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.config import CURATED_BASE
from kg.namespaces import SCHEMA
from kg.registry import kind_named

# The kinds of curated resource the linker looks after (the ``<kind>`` of ``<base>id/<kind>/<slug>``),
# the services asked for each and the properties holding its names: kg.registry.ENTITY_KINDS.
#: IRI prefixes of each service's records.
SERVICE_PREFIXES = {
    "wikidata": ("http://www.wikidata.org/entity/",),
    "viaf": ("http://viaf.org/viaf/",),
    "openlibrary": ("https://openlibrary.org/authors/", "https://openlibrary.org/works/"),
}
LINK_PREDICATES = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)

HUMAN = "Q5"
#: P31 values that make a Wikidata item a written work (written work, literary work, book, …).
WORK_TYPES = frozenset({
    "Q47461344", "Q7725634", "Q571", "Q13442814", "Q191067", "Q1002697", "Q5633421", "Q41298",
    "Q737498", "Q1980247", "Q133492", "Q820655", "Q7210356", "Q49848", "Q3331189", "Q17537576",
    "Q1371849", "Q11032", "Q2217301", "Q732577",
})
DISAMBIGUATION = "Q4167410"
#: Below this a candidate is listed but not proposed.
PROPOSE_AT = 0.75
#: Below this a linked record's label is reported as not matching the curated names.
LABEL_MATCH_AT = 0.75


def service_of(iri: str) -> str | None:
    for service, prefixes in SERVICE_PREFIXES.items():
        if iri.startswith(prefixes):
            return service
    return None


def local_id(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Entity:
    """A curated resource as the linker sees it."""

    iri: str
    kind: str
    essay: str
    label: str
    names: tuple[str, ...]
    types: frozenset[str] = frozenset()
    birth: int | None = None
    death: int | None = None
    issued: int | None = None
    creators: tuple[str, ...] = ()
    creator_names: tuple[str, ...] = ()
    creator_links: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    other_labels: frozenset[str] = frozenset()  # languages of existing rdfs:labels
    close_links: tuple[str, ...] = ()  # skos:closeMatch: not the same thing, so only checked for being alive

    @property
    def id(self) -> str:
        """``<kind>/<slug>``: how the review file and ``--accept`` name the resource."""
        return self.iri.split("/id/", 1)[-1]

    @property
    def query(self) -> str:
        """The name to search for (the title of a work, the name of a person …)."""
        return self.names[0] if self.names else self.label

    def links_to(self, service: str) -> tuple[str, ...]:
        return tuple(link for link in self.links if service_of(link) == service)


@dataclass(frozen=True)
class Record:
    """An external record, normalised: what the verify and score steps compare."""

    service: str
    id: str
    iri: str
    status: str = "ok"  # ok | missing | deleted | redirect
    target: str | None = None  # id of the redirect target
    label: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    types: tuple[str, ...] = ()  # Wikidata P31 QIDs, or 'person'/'work' for other services
    births: tuple[int, ...] = ()
    deaths: tuple[int, ...] = ()
    published: tuple[int, ...] = ()
    creators: tuple[str, ...] = ()  # record IRIs of the creators (P50, Open Library author keys)
    creator_names: tuple[str, ...] = ()
    sitelinks: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    source: str = ""  # the URL the record came from
    fetched: str = ""  # ISO date-time of the fetch

    @property
    def is_person(self) -> bool | None:
        if not self.types:
            return None
        return HUMAN in self.types or "person" in self.types

    @property
    def is_work(self) -> bool | None:
        if not self.types:
            return None
        return bool(WORK_TYPES.intersection(self.types)) or "work" in self.types

    @property
    def all_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.label, *self.aliases, *self.labels.values()]))


# ------------------------------------------------------------------ names

def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"\([^)]*\)", " ", text)  # "Political Parties (Michels)"
    text = re.sub(r"[^\w]+", " ", text.casefold().replace("’", "'").replace("'", ""))
    return " ".join(text.split())


def similarity(a: str, b: str) -> float:
    """0..1: how alike two names or titles are, ignoring case, accents, punctuation and word order."""
    x, y = normalise(a), normalise(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    ratio = difflib.SequenceMatcher(None, x, y).ratio()
    sx, sy = sorted(x.split()), sorted(y.split())
    ratio = max(ratio, difflib.SequenceMatcher(None, " ".join(sx), " ".join(sy)).ratio())
    short, long_ = (set(sx), set(sy)) if len(sx) <= len(sy) else (set(sy), set(sx))
    if len(short) >= 2 and short <= long_:
        ratio = max(ratio, 0.9)
    return round(ratio, 3)


def best_similarity(names: tuple[str, ...] | list[str], others: tuple[str, ...] | list[str]) -> tuple[float, str]:
    best, which = 0.0, ""
    for a in names:
        for b in others:
            s = similarity(a, b)
            if s > best:
                best, which = s, b
    return best, which


def year_of(text: str | None) -> int | None:
    """The year in a Wikidata time (``+1879-11-07T00:00:00Z``), a date or free text ("7 November 1879")."""
    if not text:
        return None
    m = re.match(r"^([+-])0*(\d{1,4})-\d\d-\d\dT", text)
    if m:
        return int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
    m = re.search(r"(?<!\d)(\d{3,4})(?!\d)", text)
    return int(m.group(1)) if m else None


# ------------------------------------------------------------------ scoring

@dataclass(frozen=True)
class Score:
    value: float
    reasons: tuple[str, ...]


def _near(a: int, values: tuple[int, ...], slack: int) -> bool:
    return any(abs(a - v) <= slack for v in values)


def score(entity: Entity, record: Record) -> Score:
    """How well ``record`` fits ``entity``: name or title similarity, type, dates, creator."""
    sim, _ = best_similarity(entity.names or (entity.label,), record.all_names or (record.label,))
    value = 0.6 * sim
    reasons = [f"name {sim:.2f}"]
    if DISAMBIGUATION in record.types:
        return Score(0.0, ("a disambiguation page",))
    if entity.kind == "person":
        if record.is_person:
            value += 0.2
            reasons.append("human")
        elif record.is_person is False:
            value -= 0.3
            reasons.append("not a human")
    elif entity.kind == "work":
        if record.is_work:
            value += 0.2
            reasons.append("written work")
        elif record.is_work is False:
            value -= 0.2
            reasons.append("not a written work")
    elif record.is_person:
        value -= 0.3
        reasons.append(f"a human, not a {entity.kind}")
    elif record.is_work:
        value -= 0.2
        reasons.append(f"a written work, not a {entity.kind}")
    elif record.types:
        value += 0.2
        reasons.append("neither a human nor a work")
    for what, mine, theirs, slack in (("born", entity.birth, record.births, 0), ("died", entity.death, record.deaths, 0),
                                      ("published", entity.issued, record.published, 1)):
        if mine is None or not theirs:
            continue
        if _near(mine, theirs, slack):
            value += 0.1
            reasons.append(f"{what} {mine}")
        else:
            value -= 0.2
            reasons.append(f"{what} {min(theirs)} not {mine}")
    if entity.kind == "work" and (record.creators or record.creator_names):
        if set(entity.creator_links) & set(record.creators):
            value += 0.15
            reasons.append("same creator")
        elif entity.creator_names and record.creator_names:
            csim, _ = best_similarity(entity.creator_names, record.creator_names)
            if csim >= LABEL_MATCH_AT:
                value += 0.15
                reasons.append("same creator")
            else:
                value -= 0.15
                reasons.append("other creator")
        elif entity.creator_links and record.creators:
            value -= 0.15
            reasons.append("other creator")
    return Score(round(max(0.0, min(1.0, value)), 3), tuple(reasons))


# ------------------------------------------------------------------ verification

@dataclass(frozen=True)
class Finding:
    entity: str  # <kind>/<slug>
    service: str
    id: str
    kind: str  # mismatch | dead
    message: str
    proposal: str | None = None  # e.g. the IRI a redirect points to

    def line(self) -> str:
        tail = f" -> propose {self.proposal}" if self.proposal else ""
        return f"{self.entity}: {self.service} {self.id}: {self.kind}: {self.message}{tail}"


def check(entity: Entity, record: Record) -> list[Finding]:
    """Where ``record`` (linked from ``entity``) contradicts the curated facts, or is dead."""
    out: list[Finding] = []

    def add(kind: str, message: str, proposal: str | None = None) -> None:
        out.append(Finding(entity.id, record.service, record.id, kind, message, proposal))

    if record.status == "missing":
        add("dead", "the record does not exist (missing)")
        return out
    if record.status == "deleted":
        add("dead", "the record was deleted")
        return out
    if record.status == "redirect":
        add("dead", f"the record is a redirect to {record.target}", record.target)
        return out
    if record.all_names:
        sim, _ = best_similarity(entity.names or (entity.label,), record.all_names)
        if sim < LABEL_MATCH_AT:
            add("mismatch", f"label {record.label!r} does not match {entity.label!r} (similarity {sim:.2f})")
    if entity.kind == "person" and record.is_person is False:
        add("mismatch", f"not a human (instance of {', '.join(record.types)})")
    if entity.kind == "work" and record.is_work is False:
        add("mismatch", f"not a written work (instance of {', '.join(record.types)})")
    for what, mine, theirs, slack in (("birth year", entity.birth, record.births, 0),
                                      ("death year", entity.death, record.deaths, 0),
                                      ("publication year", entity.issued, record.published, 1)):
        if mine is not None and theirs and not _near(mine, theirs, slack):
            shown = "/".join(str(y) for y in sorted(set(theirs)))
            add("mismatch", f"{what} is {mine} here but {shown} in the record")
    if entity.kind == "work" and record.creators:
        mine = {c for c in entity.creator_links if service_of(c) == record.service}
        if mine and not mine & set(record.creators):
            add("mismatch", f"creator {', '.join(sorted(mine))} here but {', '.join(record.creators)} in the record")
    return out


# ------------------------------------------------------------------ entities from the curated graph

def _year(graph: Graph, node: URIRef, prop: URIRef) -> int | None:
    for o in graph.objects(node, prop):
        y = year_of(str(o))
        if y is not None:
            return y
    return None


def _first(graph: Graph, node: URIRef, *props: URIRef) -> list[str]:
    out: list[str] = []
    for prop in props:
        values = sorted(graph.objects(node, prop), key=lambda o: (getattr(o, "language", None) not in (None, "en"), str(o)))
        for o in values:
            if isinstance(o, Literal) and str(o) not in out:
                out.append(str(o))
    return out


def entities(graph: Graph, essay: str) -> list[Entity]:
    """Every person, work, organisation, place, event and concept described in ``graph``."""
    prefix = CURATED_BASE + "id/"
    out: list[Entity] = []
    for node in sorted({s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}):
        tail = str(node)[len(prefix):] if str(node).startswith(prefix) else ""
        kind = kind_named(tail.split("/", 1)[0])
        if kind is None or "/" not in tail:
            continue
        labels = _first(graph, node, RDFS.label)
        names = list(dict.fromkeys(_first(graph, node, *kind.names) + labels))
        creators = tuple(sorted(str(c) for c in graph.objects(node, DCTERMS.creator)))
        creator_names = tuple(n for c in creators for n in _first(graph, URIRef(c), SCHEMA.name, RDFS.label)[:1])
        creator_links = tuple(sorted(str(o) for c in creators for p in LINK_PREDICATES for o in graph.objects(URIRef(c), p)))
        out.append(Entity(
            iri=str(node), kind=kind.segment, essay=essay, label=labels[0] if labels else tail, names=tuple(names),
            types=frozenset(str(t) for t in graph.objects(node, RDF.type)),
            birth=_year(graph, node, SCHEMA.birthDate), death=_year(graph, node, SCHEMA.deathDate),
            issued=_year(graph, node, DCTERMS.issued),
            creators=creators, creator_names=creator_names, creator_links=creator_links,
            links=tuple(sorted(str(o) for p in LINK_PREDICATES for o in graph.objects(node, p))),
            other_labels=frozenset(o.language or "" for o in graph.objects(node, RDFS.label) if isinstance(o, Literal)),
            close_links=tuple(sorted(str(o) for o in graph.objects(node, SKOS.closeMatch))),
        ))
    return out
