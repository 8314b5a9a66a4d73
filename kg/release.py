"""Releases: freeze the built dumps under a version, with their metadata and a changelog of the data.

``kg release 1.1.0`` copies the gzipped dumps of ``output/`` and the argument's exports (gzipped:
``argument*.aif.json.gz``, ``nanopubs.trig.gz``) into ``releases/1.1.0/`` with

- ``void.ttl``: the release as a ``void:Dataset``/``dcat:Dataset`` (version, release date, licence,
  triples, previous version, one ``dcat:Distribution`` per dump with byte size and sha256);
- ``CHANGELOG.md``: what changed in the data since the previous release (resources added, removed
  and changed; triples added and removed per class);
- ``CITATION.cff``: how to cite this version of the dataset;
- ``SHA256SUMS``;

and adds the release to ``releases/index.json``, which ``list_releases`` reads for the pages. The
release date comes from the configuration (``modified``, or ``SOURCE_DATE_EPOCH``) or ``--date``,
never from the clock, so a release is repeatable. Everything but ``release()`` is pure.
"""
from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, VOID, XSD

from kg.config import Config
from kg.errors import ConfigError, MissingSourceError
from kg.files import read_utf8, write_file
from kg.model import Distribution, Release, parse_index, version_key
from kg.publish import gz
from kg.publish.argument import is_distribution
from kg.publish.metadata import Dump, add_creator, add_distribution, dataset_iri
from kg.publish.serialize import Namer, turtle
from kg.publish.writer import live_output, write_tree
from kg.registry import released_dumps
from kg.jsontext import dumps as json_text

RELEASES = "releases"
INDEX = "index.json"
#: the curators' notes of a release, ``releases/notes/<version>.md`` (optional): the head of its CHANGELOG.md
NOTES = "notes"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: Licence IRIs with an SPDX identifier (for CITATION.cff).
SPDX_LICENCES = {
    "https://creativecommons.org/licenses/by/4.0/": "CC-BY-4.0",
    "https://creativecommons.org/licenses/by-sa/4.0/": "CC-BY-SA-4.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0-1.0",
    "http://opendatacommons.org/licenses/odbl/1.0/": "ODbL-1.0",
}


# ---------------------------------------------------------------- the index

def previous_release(index: tuple[Release, ...] | list[Release], version: str) -> Release | None:
    """The release a new ``version`` follows: the highest listed version below it."""
    key = version_key(version)
    return max((r for r in index if version_key(r.version) < key), key=lambda r: version_key(r.version), default=None)


def index_json(releases: tuple[Release, ...] | list[Release]) -> bytes:
    ordered = sorted(releases, key=lambda r: version_key(r.version), reverse=True)
    doc = {"releases": [asdict(r) for r in ordered]}
    return (json_text(doc, sort_keys=True) + "\n").encode("utf-8")


def list_releases(root: Path) -> tuple[Release, ...]:
    """The project's releases (``releases/index.json``), newest first; none when there is no index.
    For the landing page: link each ``r.url`` and its ``r.distributions``."""
    path = Path(root) / RELEASES / INDEX
    return parse_index(path.read_bytes()) if path.exists() else ()


# ---------------------------------------------------------------- the changelog

@dataclass(frozen=True)
class Changes:
    """How the data changed from one release to the next (triples as N-Triples strings)."""

    added: tuple[str, ...]  # resources (subject IRIs) only in the new data
    removed: tuple[str, ...]
    changed: tuple[str, ...]  # in both, with a different set of triples as subject
    triples_added: int
    triples_removed: int
    per_class: tuple[tuple[str, int, int], ...]  # (class IRI or "", triples added, removed)
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    detail: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)  # changed: (+, -)


def _read(ntriples: bytes) -> tuple[set[tuple[str, str, str]], dict[str, set[str]], dict[str, str]]:
    """The triples (as N-Triples terms), the classes and the first label of every subject."""
    triples: set[tuple[str, str, str]] = set()
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        s = str(t.subject)
        triples.add((s, str(t.predicate), str(t.object)))
        if t.predicate.value == _RDF_TYPE:
            types[s].add(t.object.value)
        elif t.predicate.value == _RDFS_LABEL and isinstance(t.object, ox.Literal):
            labels[t.subject.value] = min(labels.get(t.subject.value, t.object.value), t.object.value)
    return triples, types, labels


def diff(old_nt: bytes, new_nt: bytes) -> Changes:
    """Compare two N-Triples dumps (no blank nodes: the build skolemises them)."""
    (old, types_old, labels_old), (new, types_new, labels_new) = _read(old_nt), _read(new_nt)
    plus, minus = new - old, old - new
    subjects_old = {s for s, _p, _o in old if s.startswith("<")}
    subjects_new = {s for s, _p, _o in new if s.startswith("<")}
    touched_plus = Counter(s for s, _p, _o in plus)
    touched_minus = Counter(s for s, _p, _o in minus)
    changed = sorted(s for s in subjects_old & subjects_new if touched_plus[s] or touched_minus[s])
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s, _p, _o in plus:
        for cls in types_new.get(s) or {""}:
            counts[cls][0] += 1
    for s, _p, _o in minus:
        for cls in types_old.get(s) or {""}:
            counts[cls][1] += 1
    labels = {**labels_old, **labels_new}
    return Changes(
        added=tuple(sorted(s[1:-1] for s in subjects_new - subjects_old)),
        removed=tuple(sorted(s[1:-1] for s in subjects_old - subjects_new)),
        changed=tuple(s[1:-1] for s in changed),
        triples_added=len(plus), triples_removed=len(minus),
        per_class=tuple((c, a, r) for c, (a, r) in sorted(counts.items())),
        labels=labels,
        detail={s[1:-1]: (touched_plus[s], touched_minus[s]) for s in changed},
    )


def changelog(version: str, date: str, changes: Changes | None, triples: int, base_iri: str,
              previous: Release | None = None, notes: str = "") -> str:
    """CHANGELOG.md of a release: a summary, the curators' notes (``releases/notes/<version>.md``,
    when there are any), per-class triple counts, and the resources."""
    namer = Namer(base_iri)
    name = lambda iri: f"`{namer.compact(iri)}`"  # noqa: E731
    def item(iri: str, extra: str = "") -> str:
        label = changes.labels.get(iri) if changes else None
        return f"- {name(iri)}" + (f" ({label})" if label else "") + extra
    lines = [f"# Changes to the data in release {version}", "", f"Released {date}; {triples} triples."]
    if notes.strip():
        lines += ["", "## What the curators changed", "", notes.strip(), "", "## What changed in the triples", ""]
    if changes is None or previous is None:
        lines += ["", "The first release: every resource is new.", ""]
        return "\n".join(lines)
    lines += [
        f"Compared with release {previous.version} ({previous.date}; {previous.triples} triples).", "",
        f"- {changes.triples_added} triples added, {changes.triples_removed} removed",
        f"- {len(changes.added)} resources added, {len(changes.removed)} removed, {len(changes.changed)} changed",
        "",
    ]
    if not (changes.triples_added or changes.triples_removed):
        lines += ["The data did not change.", ""]
        return "\n".join(lines)
    lines += ["## Triples added and removed per class", "",
              "A triple counts toward every class of its subject (the new data's classes for an added "
              "triple, the old data's for a removed one).", "",
              "| class | added | removed |", "| --- | ---: | ---: |"]
    for cls, a, r in sorted(changes.per_class, key=lambda x: (x[0] == "", namer.compact(x[0]))):
        lines.append(f"| {name(cls) if cls else '(no class)'} | {a} | {r} |")
    for title, items in (("Resources added", changes.added), ("Resources removed", changes.removed)):
        if items:
            lines += ["", f"## {title}", "", *[item(i) for i in items]]
    if changes.changed:
        lines += ["", "## Resources changed", "", "Triples with the resource as subject, added / removed.", ""]
        lines += [item(i, f": +{changes.detail[i][0]} / −{changes.detail[i][1]}") for i in changes.changed]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- metadata and citation

def release_url(config: Config, version: str) -> str:
    return f"{config.dumps_url}{RELEASES}/{version}/"


def release_iri(config: Config, version: str) -> str:
    return f"{dataset_iri(config)}/{version}"


def describe_release(release: Release, config: Config) -> Graph:
    """The release's VoID/DCAT description."""
    g = Graph()
    ds = URIRef(release.iri)
    add = g.add
    title = f"{config.title}, release {release.version}"
    for t in (VOID.Dataset, DCAT.Dataset):
        add((ds, RDF.type, t))
    add((ds, RDFS.label, Literal(title, lang="en")))
    add((ds, DCTERMS.title, Literal(title, lang="en")))
    add((ds, DCTERMS.description, Literal(config.description, lang="en")))
    add((ds, DCTERMS.license, URIRef(config.license)))
    add((ds, DCTERMS.issued, Literal(release.date, datatype=XSD.date)))
    add((ds, URIRef(str(DCAT) + "version"), Literal(release.version)))
    add((ds, OWL.versionInfo, Literal(release.version)))
    add((ds, DCTERMS.isVersionOf, dataset_iri(config)))
    add((ds, VOID.triples, Literal(release.triples, datatype=XSD.nonNegativeInteger)))
    add_creator(add, ds, config)
    if release.previous:
        prev = URIRef(release_iri(config, release.previous))
        add((ds, URIRef(str(DCAT) + "previousVersion"), prev))
        add((ds, PROV.wasRevisionOf, prev))
    for d in release.distributions:
        dist = URIRef(f"{ds}/distribution/{d.name}")
        if not is_distribution(d.name.removesuffix(".gz")):  # the argument's exports are not dumps
            add((ds, VOID.dataDump, URIRef(d.url)))
        add_distribution(add, ds, dist, d.name, URIRef(d.url), d.media_type, True, (d.byte_size, d.sha256))
    return g


def citation_cff(release: Release, config: Config) -> str:
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731 - a JSON string is a YAML scalar
    licence = SPDX_LICENCES.get(config.license)
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use this dataset, please cite this release of it as below."',
        "type: dataset",
        f"title: {q(config.title)}",
        f"version: {q(release.version)}",
        f"date-released: {q(release.date)}",
        f"abstract: {q(config.description)}",
        "authors:",
        f"  - name: {q(config.creator)}",
        f"url: {q(release.url)}",
        f"repository-artifact: {q(release.url)}",
        "identifiers:",
        "  - type: url",
        f"    value: {q(release.iri)}",
        f"    description: {q('The IRI of this release in its VoID/DCAT description')}",
        f"license: {q(licence)}" if licence else f"license-url: {q(config.license)}",
        "keywords:",
        *[f"  - {q(k.strip())}" for k in config.keywords.split(",") if k.strip()],
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- assembling a release

def _dump_version(void_ttl: bytes) -> str | None:
    g = Graph().parse(data=void_ttl.decode("utf-8"), format="turtle")
    versions = {str(o) for o in g.objects(None, URIRef(str(DCAT) + "version"))}
    return versions.pop() if len(versions) == 1 else None


def plan_release(version: str, date: str, output: dict[str, bytes], config: Config,
                 index: tuple[Release, ...], previous_nt: bytes | None, notes: str = ""
                 ) -> tuple[Release, dict[str, bytes], Changes | None]:
    """The release folder's files (pure): ``output`` holds the built files it freezes (at least
    the gzipped dumps), ``index`` the earlier releases, ``previous_nt`` the previous release's
    N-Triples (None for a first release)."""
    previous = previous_release(index, version)
    url = release_url(config, version)
    files = {n: output[n] for n in released_dumps()}
    # the argument's exports (xAIF, the nanopublications), gzipped like the dumps
    files.update({n + ".gz": gz(output[n]) for n in sorted(output) if is_distribution(n)})
    dists = tuple(Distribution(n, url + n, Dump(n, b"").media_type, len(files[n]),
                               hashlib.sha256(files[n]).hexdigest()) for n in files)
    nt = gzip.decompress(output["dataset.nt.gz"])
    triples = nt.count(b"\n")
    rel = Release(version, date, triples, f"{RELEASES}/{version}/", url, release_iri(config, version),
                  previous.version if previous else None, dists)
    changes = diff(previous_nt, nt) if previous is not None and previous_nt is not None else None
    files["void.ttl"] = turtle(describe_release(rel, config), config.base_iri)
    files["CHANGELOG.md"] = changelog(version, date, changes, triples, config.base_iri, previous,
                                      notes).encode("utf-8")
    files["CITATION.cff"] = citation_cff(rel, config).encode("utf-8")
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files)).encode()
    return rel, files, changes


@dataclass(frozen=True)
class ReleaseResult:
    release: Release
    folder: Path
    files: tuple[str, ...]
    changes: Changes | None


def release(config: Config, version: str, date: str | None = None) -> ReleaseResult:
    """EDGE: freeze ``output/`` as ``releases/<version>/`` and add it to ``releases/index.json``."""
    version_key(version)
    date = date or config.modified
    try:
        _dt.date.fromisoformat(date)
    except ValueError:
        raise ConfigError(f"release date {date!r} is not a YYYY-MM-DD date") from None
    out = live_output(config.output_dir)
    frozen = (*released_dumps(), "void.ttl")  # the gzipped dumps, as published in output/
    missing = [n for n in frozen if not (out / n).exists()]
    if missing:
        raise MissingSourceError(f"{out}: no {', '.join(missing)}", hint="Run `kg build` first.")
    output = {n: (out / n).read_bytes() for n in frozen}
    output.update({p.name: p.read_bytes() for p in sorted(out.iterdir()) if is_distribution(p.name)})
    built = _dump_version(output["void.ttl"])
    if built != version:
        raise ConfigError(f"the dumps in {out} are version {built!r}, not {version!r}",
                          hint=f'Set version = "{version}" in kg.toml and run `kg build`, then release.')
    folder = config.root / RELEASES / version
    if folder.exists():
        raise ConfigError(f"{folder} exists: release {version} was made already",
                          hint="Releases are frozen; choose a new version (or delete the folder to redo it).")
    index = list_releases(config.root)
    previous = previous_release(index, version)
    previous_nt = None
    if previous is not None:
        prev_path = config.root / previous.path / "dataset.nt.gz"
        if not prev_path.exists():
            raise MissingSourceError(f"{prev_path}: no such file",
                                     hint=f"Release {previous.version} is listed in {RELEASES}/{INDEX} but its dump is missing.")
        previous_nt = gzip.decompress(prev_path.read_bytes())
    notes_path = config.root / RELEASES / NOTES / f"{version}.md"
    notes = read_utf8(notes_path) if notes_path.exists() or notes_path.is_symlink() else ""
    rel, files, changes = plan_release(version, date, output, config, index, previous_nt, notes)
    write_tree(files, folder)
    write_file(config.root / RELEASES / INDEX, index_json([*index, rel]))
    return ReleaseResult(rel, folder, tuple(sorted(files)), changes)
