"""The three jobs of ``kg link``, as functions that return values (the CLI prints):

- ``reconcile``: candidates for every resource without an identifier of a service;
- ``verify``: the record of every identifier in the data, checked against the curated facts;
- ``enrichment``: labels in other languages and Wikipedia pages from verified records.

A failing look-up is recorded (its message names the service and the identifier) and the run goes
on with the others."""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, PROV, RDFS, XSD

from kg.config import CURATED_BASE, Config
from kg.errors import ServiceError
from kg.linker import services as sv
from kg.linker.client import Client
from kg.linker.match import PROPOSE_AT, Entity, Finding, Record, check, entities, local_id, score, service_of
from kg.linker.review import Proposal
from kg.linker.settings import LinkSettings
from kg.progress import counted
from kg.registry import kind_named
from kg.sources import load_sources

Progress = Callable[[str], None]
TOP = 3  # candidates kept per resource and service


def _silent(_msg: str) -> None:
    pass


def load_entities(config: Config) -> dict[str, Entity]:
    """Every linkable resource of the curated data, by ``<kind>/<slug>``."""
    sources = load_sources(config)
    union = Graph()
    for essay in sources.essays:
        for t in essay.graph:
            union.add(t)
    out: dict[str, Entity] = {}
    for essay in sources.essays:
        typed = set(essay.graph.subjects())
        for e in entities(union, essay.id):
            if e.id not in out and URIRef(e.iri) in typed:
                out[e.id] = e
    return out


@dataclass
class ReconcileResult:
    proposals: list[Proposal]
    failures: list[str]
    looked_up: int
    requests: int = 0
    empty: list[str] = field(default_factory=list)  # "<resource> (<service>)" searched without a candidate


def _proposals(entity: Entity, service: str, records: list[Record]) -> list[Proposal]:
    scored = sorted(((score(entity, r), r) for r in records if r.status == "ok"),
                    key=lambda x: (-x[0].value, x[1].id))
    seen: set[str] = set()
    out: list[Proposal] = []
    for sc, r in scored:
        if r.id in seen:
            continue
        seen.add(r.id)
        rank = len(out) + 1
        out.append(Proposal("", entity.id, service, r.id, r.iri, rank, sc.value,
                            "yes" if rank == 1 and sc.value >= PROPOSE_AT else "no", r.label, r.description,
                            ", ".join(sc.reasons), entity.essay))
        if len(out) == TOP:
            break
    return out


def reconcile(ents: dict[str, Entity], settings: LinkSettings, client: Client, progress: Progress = _silent,
              only: tuple[str, ...] = ()) -> ReconcileResult:
    todo = [(e, s) for e in ents.values() for s in kind_named(e.kind).services if not e.links_to(s)
            and (s != "openlibrary" or e.kind == "person" or "https://schema.org/Book" in e.types)
            and (not only or e.id in only)]
    failures: list[str] = []
    found: dict[tuple[str, str], list[Record]] = {}
    wd_hits: dict[str, list[str]] = {}
    progress(f"look up {len({e.id for e, _ in todo})} resources ({len(todo)} look-ups)")
    for e, service in counted(todo, "look-ups", len(todo)):
        try:
            if service == "wikidata":
                wd_hits[e.id] = sv.wikidata_search(client, settings, e.query, e.id)
            elif service == "viaf":
                found[(e.id, service)] = sv.viaf_suggest(client, settings, e.query, e.id)
            elif e.kind == "person":
                found[(e.id, service)] = sv.ol_search_authors(client, settings, e.query, e.id)
            else:
                found[(e.id, service)] = sv.ol_search_works(client, settings, e.query,
                                                            e.creator_names[0] if e.creator_names else None, e.id)
        except ServiceError as exc:
            failures.append(str(exc))
    records, wd_failures = sv.wikidata_entities(client, settings, [q for hits in wd_hits.values() for q in hits])
    failures.extend(wd_failures)
    for ident, hits in wd_hits.items():
        found[(ident, "wikidata")] = [records[q] for q in hits if q in records]
    proposals: list[Proposal] = []
    empty: list[str] = []
    for (ident, service), recs in sorted(found.items()):
        mine = _proposals(ents[ident], service, recs)
        proposals.extend(mine)
        if not mine:
            empty.append(f"{ident} ({service})")
    return ReconcileResult(proposals, failures, len({e.id for e, _ in todo}), client.requests, empty)


@dataclass
class VerifyResult:
    checked: int
    findings: list[Finding]
    failures: list[str]
    records: dict[str, Record] = field(default_factory=dict)  # by record IRI
    pairs: list[tuple[Entity, Record]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings and not self.failures


def verify(ents: dict[str, Entity], settings: LinkSettings, client: Client, progress: Progress = _silent) -> VerifyResult:
    links = [(e, iri) for e in ents.values() for iri in e.links]
    progress(f"verify {len(links)} identifiers of {len({e.id for e, _ in links})} resources")
    failures: list[str] = []
    records: dict[str, Record] = {}
    wd = [local_id(iri) for _e, iri in links if service_of(iri) == "wikidata"]
    got, wd_failures = sv.wikidata_entities(client, settings, wd)
    failures.extend(wd_failures)
    records.update({sv.WD_ENTITY + q: r for q, r in got.items()})
    for _e, iri in links:
        service = service_of(iri)
        if service in (None, "wikidata") or iri in records:
            continue
        try:
            fetch = sv.viaf_record if service == "viaf" else sv.ol_record
            records[iri] = fetch(client, settings, local_id(iri))
        except ServiceError as exc:
            failures.append(str(exc))
    findings: list[Finding] = []
    pairs: list[tuple[Entity, Record]] = []
    checked = 0
    for e, iri in links:
        record = records.get(iri)
        if record is None:
            if service_of(iri) is None:
                findings.append(Finding(e.id, "?", iri, "mismatch", "not an identifier of Wikidata, VIAF or Open Library"))
            continue
        checked += 1
        found = check(e, record)
        if iri in e.close_links:  # a close match may differ in name, type and dates
            found = [f for f in found if f.kind == "dead"]
        if record.status == "redirect" and record.target:
            target_iri = iri[: -len(record.id)] + record.target
            found = [Finding(f.entity, f.service, f.id, f.kind, f.message, target_iri) for f in found]
        findings.extend(found)
        if not found and iri not in e.close_links:
            pairs.append((e, record))
    return VerifyResult(checked, findings, failures, records, pairs)


def enrichment(pairs: list[tuple[Entity, Record]], service: str = "wikidata") -> Graph | None:
    """Labels in other languages and the English Wikipedia article of each verified record, in a
    graph that describes itself (source records, fetch date) for its named graph."""
    g = Graph()
    name = URIRef(f"{CURATED_BASE}graph/enrichment/{service}")
    fetched: list[str] = []
    for entity, record in sorted(pairs, key=lambda x: (x[0].id, x[1].id)):
        if record.service != service or record.status != "ok":
            continue
        subject = URIRef(entity.iri)
        added = False
        for lang, label in sorted(record.labels.items()):
            if lang == "en" or lang in entity.other_labels or not label.strip():
                continue
            g.add((subject, RDFS.label, Literal(label, lang=lang)))
            added = True
        title = record.sitelinks.get("enwiki")
        if title:
            g.add((subject, FOAF.isPrimaryTopicOf, URIRef("https://en.wikipedia.org/wiki/" + title.replace(" ", "_"))))
            added = True
        if added:
            g.add((name, PROV.wasDerivedFrom, URIRef(record.iri)))
            if record.fetched:
                fetched.append(record.fetched)
    if not len(g):
        return None
    g.add((name, RDFS.label, Literal(f"Facts and labels taken from {service} records by kg link enrich", lang="en")))
    when = max(fetched) if fetched else _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    g.add((name, PROV.generatedAtTime, Literal(when.replace("Z", "+00:00"), datatype=XSD.dateTime)))
    return g
