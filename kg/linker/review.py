"""EDGE: the review files and the curated links file.

``kg link review`` writes candidates to ``data/links/review.tsv`` (the working copy: mark a row's first
column with ``x`` to accept it), ``review.md`` (the same as a readable table) and ``review.ttl``
(the proposed links as Turtle). Nothing is written into ``data/essays/`` until a human accepts:
``kg link accept`` merges the chosen rows into ``data/essays/<essay>/links.ttl`` with a
``kgo:checkedBy`` saying who reviewed what. Every file is written atomically."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, SKOS

from kg.config import CURATED_BASE, Config
from kg.errors import ConfigError, SourceError
from kg.files import write_file
from kg.linker.match import Entity, service_of
from kg.namespaces import KGO
from kg.registry import ENTITY_KINDS
from kg.sources import parse_turtle

REVIEW_DIR = Path("data") / "links"
LINKS_FILE = "links.ttl"
#: The identifiers the shapes accept (shapes/shapes.ttl, kgs:SameAsPattern).
LINK_PATTERN = re.compile(r"^(http://www\.wikidata\.org/entity/Q[1-9][0-9]*|http://viaf\.org/viaf/[1-9][0-9]*|"
                          r"https://openlibrary\.org/(authors/OL[1-9][0-9]*A|works/OL[1-9][0-9]*W))$")
PREFIXES = {"owl": str(OWL), "skos": str(SKOS), "kgo": str(KGO),
            **{k.segment: f"{CURATED_BASE}id/{k.segment}/" for k in ENTITY_KINDS}}


@dataclass(frozen=True)
class Proposal:
    """A candidate record for a curated resource, as listed in the review file."""

    accept: str
    resource: str  # <kind>/<slug>
    service: str
    candidate: str  # the record's id (Q33391, 100182920, OL9990000001A)
    iri: str
    rank: int
    score: float
    proposed: str  # "yes" when it is the best candidate of its service and scores at least PROPOSE_AT
    label: str
    description: str
    reasons: str
    essay: str

    @property
    def accepted(self) -> bool:
        return self.accept.strip().lower() in ("x", "y", "yes", "accept", "ok")


COLUMNS = [f.name for f in fields(Proposal)]


def review_paths(root: Path) -> dict[str, Path]:
    folder = root / REVIEW_DIR
    return {ext: folder / f"review.{ext}" for ext in ("tsv", "md", "ttl")}


def _cell(text: object) -> str:
    return " ".join(str(text).split())


def render_tsv(proposals: list[Proposal]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(COLUMNS)
    for p in proposals:
        w.writerow([_cell(v) for v in asdict(p).values()])
    return buf.getvalue()


def render_md(proposals: list[Proposal], failures: list[str], date: str, empty: list[str] | None = None) -> str:
    lines = [f"# Link candidates ({date})", "",
             "Written by `kg link review`. Nothing here is in the curated data yet. To accept a candidate, run",
             "`kg link accept RESOURCE` (its proposed candidates) or `kg link accept RESOURCE=ID`, or put `x`",
             "in the first column of `review.tsv` and run `kg link accept`.", "",
             "| resource | service | candidate | score | proposed | label | description | why |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    esc = lambda s: _cell(s).replace("|", "\\|")  # noqa: E731
    for p in proposals:
        lines.append(f"| {p.resource} | {p.service} | [{p.candidate}]({p.iri}) | {p.score:.2f} | {p.proposed} | "
                     f"{esc(p.label)} | {esc(p.description)} | {esc(p.reasons)} |")
    if failures:
        lines += ["", "## Look-ups that failed", ""] + [f"- {esc(f)}" for f in failures]
    if empty:
        lines += ["", "## Searched, no candidate found", "", ", ".join(empty)]
    return "\n".join(lines) + "\n"


def predicate_for(resource: str) -> URIRef:
    return SKOS.exactMatch if resource.startswith("concept/") else OWL.sameAs


def render_ttl(proposals: list[Proposal]) -> str:
    lines = [f"@prefix {k}: <{v}> ." for k, v in PREFIXES.items()]
    lines += ["", "# Proposed, NOT reviewed: `kg link accept` merges what a curator accepts into the essay's links.ttl.", ""]
    for p in proposals:
        if p.proposed != "yes":
            continue
        pred = "skos:exactMatch" if predicate_for(p.resource) == SKOS.exactMatch else "owl:sameAs"
        lines.append(f"# {p.service} {p.candidate} {p.label!r}: score {p.score:.2f} ({p.reasons})")
        lines.append(f"{_curie(p.resource)} {pred} <{p.iri}> .")
    return "\n".join(lines) + "\n"


def _curie(resource: str) -> str:
    kind, slug = resource.split("/", 1)
    return f"{kind}:{slug}" if re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) else f"<{CURATED_BASE}id/{resource}>"


def keep_marks(proposals: list[Proposal], tsv: Path) -> list[Proposal]:
    """``proposals`` with the ``accept`` marks a reviewer already wrote in ``tsv`` for the same
    (resource, service, candidate): a new look-up must not throw the review away. A review file
    that cannot be read keeps nothing (it is rewritten whole)."""
    if not tsv.exists():
        return proposals
    try:
        old = read_tsv(tsv)
    except (SourceError, OSError, UnicodeDecodeError):
        return proposals
    marks = {(p.resource, p.service, p.candidate): p.accept for p in old if p.accept.strip()}
    return [replace(p, accept=marks.get((p.resource, p.service, p.candidate), p.accept)) for p in proposals]


def write_review(root: Path, proposals: list[Proposal], failures: list[str], date: str,
                 empty: list[str] | None = None) -> dict[str, Path]:
    paths = review_paths(root)
    proposals = keep_marks(proposals, paths["tsv"])
    write_file(paths["tsv"], render_tsv(proposals).encode("utf-8"))
    write_file(paths["md"], render_md(proposals, failures, date, empty).encode("utf-8"))
    write_file(paths["ttl"], render_ttl(proposals).encode("utf-8"))
    return paths


def read_review(root: Path) -> list[Proposal]:
    path = review_paths(root)["tsv"]
    if not path.exists():
        raise SourceError(f"{path}: no review file", hint="Run `kg link review` first: it writes the candidates to review.")
    return read_tsv(path)


def read_tsv(path: Path) -> list[Proposal]:
    """The rows of a review file (``review.tsv``)."""
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines(), delimiter="\t"))
    if not rows or rows[0] != COLUMNS:
        raise SourceError(f"{path}:1: the header must be: {' '.join(COLUMNS)}")
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        if len(row) != len(COLUMNS):
            raise SourceError(f"{path}:{n}: {len(row)} columns, expected {len(COLUMNS)} (tab-separated)")
        values = dict(zip(COLUMNS, row))
        try:
            out.append(Proposal(**{**values, "rank": int(values["rank"]), "score": float(values["score"])}))
        except ValueError as exc:
            raise SourceError(f"{path}:{n}: {exc}") from None
    return out


def select(proposals: list[Proposal], ids: tuple[str, ...]) -> list[Proposal]:
    """The rows to accept: those named by ``ids`` (``RESOURCE`` = its proposed rows,
    ``RESOURCE=ID`` = that candidate), or, with no ids, those marked in the file."""
    if not ids:
        return [p for p in proposals if p.accepted]
    chosen: list[Proposal] = []
    for ident in ids:
        resource, _, cand = ident.partition("=")
        cand = cand.split(":", 1)[-1] if cand else ""
        rows = [p for p in proposals if p.resource == resource and (p.candidate == cand if cand else p.proposed == "yes")]
        if not rows:
            known = "a candidate of that resource" if any(p.resource == resource for p in proposals) else "a resource"
            raise ConfigError(f"--accept {ident}: not {known} in the review file",
                              hint="Give RESOURCE (e.g. person/leon-trotsky) for its proposed candidates, or "
                                   "RESOURCE=ID (e.g. person/leon-trotsky=Q33391); see data/links/review.md.")
        chosen.extend(rows)
    return chosen


def _n3(term: object) -> str:
    if isinstance(term, URIRef):
        for k, ns in PREFIXES.items():
            rest = str(term)[len(ns):]
            if str(term).startswith(ns) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", rest):
                return f"{k}:{rest}"
    return term.n3()  # type: ignore[attr-defined]


def render_links(graph: Graph) -> str:
    """The links file: fixed prefixes, subjects and predicates sorted (repeatable bytes)."""
    lines = [f"@prefix {k}: <{v}> ." for k, v in PREFIXES.items()]
    lines += ["", "# External links checked by a curator, merged by `kg link accept` (see README, Linking).",
              "# Each link needs a kgo:checkedBy saying how it was checked.", ""]
    for s in sorted(set(graph.subjects())):
        pairs = sorted(((p, o) for p, o in graph.predicate_objects(s)), key=lambda x: (str(x[0]), str(x[1])))
        body = " ;\n    ".join(f"{_n3(p)} {_n3(o)}" for p, o in pairs)
        lines.append(f"{_n3(s)}\n    {body} .\n")
    return "\n".join(lines)


def merge_links(config: Config, entities: dict[str, Entity], rows: list[Proposal], by: str, date: str) -> list[str]:
    """Merge the accepted ``rows`` into ``data/essays/<essay>/links.ttl``; returns what was done."""
    done: list[str] = []
    per_essay: dict[str, list[Proposal]] = {}
    for row in rows:
        entity = entities.get(row.resource)
        if entity is None:
            raise ConfigError(f"{row.resource}: not a resource of the curated data (any more)")
        if not LINK_PATTERN.match(row.iri) or service_of(row.iri) != row.service:
            raise ConfigError(f"{row.resource}: {row.iri!r} is not a {row.service} record IRI the shapes accept")
        if predicate_for(row.resource) == SKOS.exactMatch and row.service != "wikidata":
            raise ConfigError(f"{row.resource}: a concept links to Wikidata only (skos:exactMatch)")
        per_essay.setdefault(entity.essay, []).append(row)
    for essay, essay_rows in sorted(per_essay.items()):
        path = config.essays_dir / essay / LINKS_FILE
        graph = parse_turtle(path) if path.exists() else Graph()
        for row in essay_rows:
            entity = entities[row.resource]
            subject = URIRef(entity.iri)
            existing = set(entity.links_to(row.service)) | {str(o) for o in graph.objects(subject, predicate_for(row.resource))
                                                             if service_of(str(o)) == row.service}
            if row.iri in existing:
                done.append(f"{row.resource}: already linked to {row.iri}")
                continue
            if existing:
                done.append(f"{row.resource}: skipped {row.iri}: already linked to {', '.join(sorted(existing))} "
                            f"on {row.service} (remove that link first)")
                continue
            graph.add((subject, predicate_for(row.resource), URIRef(row.iri)))
            graph.add((subject, KGO.checkedBy, Literal(
                f"Reviewed by {by} on {date}: accepted {row.service} record {row.candidate} ('{row.label}') proposed by "
                f"`kg link` with score {row.score:.2f} ({row.reasons}).", lang="en")))
            done.append(f"{row.resource}: linked to {row.iri}")
        text = render_links(graph)
        parse_turtle(path, Graph(), text=text)  # never write what would not parse
        write_file(path, text.encode("utf-8"))
    return done


def write_enrichment(root: Path, name: str, graph: Graph) -> Path:
    """``data/enrichments/<name>.ttl``: published by the build in graph ``<base>graph/enrichment/<name>``."""
    path = root / "data" / "enrichments" / f"{name}.ttl"
    lines = [f"@prefix {k}: <{v}> ." for k, v in {**PREFIXES, "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                                                  "prov": "http://www.w3.org/ns/prov#",
                                                  "foaf": "http://xmlns.com/foaf/0.1/",
                                                  "xsd": "http://www.w3.org/2001/XMLSchema#"}.items()]
    lines += ["", f"# Written by `kg link enrich` from {name} records; not curated. The build publishes it in its own",
              f"# named graph <{CURATED_BASE}graph/enrichment/{name}>, described below with its provenance.", ""]
    for s in sorted(set(graph.subjects())):
        pairs = sorted(graph.predicate_objects(s), key=lambda x: (str(x[0]), getattr(x[1], "language", "") or "", str(x[1])))
        lines.append(f"{_n3(s)}\n    " + " ;\n    ".join(f"{_n3(p)} {_n3(o)}" for p, o in pairs) + " .\n")
    text = "\n".join(lines)
    Graph().parse(data=text, format="turtle")
    write_file(path, text.encode("utf-8"))
    return path
