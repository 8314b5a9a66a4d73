"""The data types every stage passes on: the sources as read (``EssaySource``, ``Sources``), the
enriched dataset (``Dataset``) and the releases of ``releases/index.json`` (``Release``, parsed from
bytes by ``parse_index``). Values only: no stage logic, no file access."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from kg.config import Config
from kg.errors import ConfigError
from kg.tripleindex import release_graph

TEXT_NAME = "source.txt"


@dataclass(frozen=True)
class EssaySource:
    """One essay: its id (the folder name), its text and its curated graph."""

    id: str
    folder: Path
    text: str
    sha256: str
    files: tuple[Path, ...]
    #: The curated graph, or what parses it on first use (``graph``): ``kg.sources.load_sources(lazy=
    #: True)``, for a build whose enrichment of the essay may come from its cache without the graph.
    source: Graph | Callable[[], Graph]
    #: The reading order (reading-order.txt), optional: see kg.reading and docs/curation.md.
    reading: object = None
    _parsed: list = field(default_factory=list, repr=False, compare=False)

    @property
    def graph(self) -> Graph:
        if isinstance(self.source, Graph):
            return self.source
        if not self._parsed:
            self._parsed.append(self.source())
        return self._parsed[0]

    def release(self) -> None:
        """Forget the graph parsed on first use (a lazy essay's; it is parsed again if asked for): a
        build needs it only to enrich the essay, and at 1 M triples the essays' graphs held to the end
        were 156 MB of a cold build's peak (2,273 → 2,117 MB). Its cycle is broken first
        (``kg.tripleindex.release_graph``): freed at once, not by a collection."""
        for graph in self._parsed:
            release_graph(graph)
        self._parsed.clear()

    @property
    def text_path(self) -> Path:
        return self.folder / TEXT_NAME


@dataclass(frozen=True)
class Sources:
    ontology: Graph
    shapes: Graph
    essays: tuple[EssaySource, ...]
    ontology_files: tuple[Path, ...]
    shapes_files: tuple[Path, ...]
    #: {name: graph} from data/enrichments/<name>.ttl (written by `kg link --enrich`), each
    #: published in its own named graph.
    enrichments: dict[str, Graph] = field(default_factory=dict)
    #: The cookbook (queries/*.rq) and the releases of releases/index.json, newest first, which the
    #: site shows; read here, at the edge, so that the page renderer stays pure.
    cookbook: tuple = ()
    releases: tuple = ()
    #: The files of the releases (``releases/<version>/<name>``) as {"<version>/<name>": bytes}: the
    #: static site holds a copy of each, since its landing page links them.
    release_files: dict[str, bytes] = field(default_factory=dict)
    #: The private key that signs the nanopublications (``nanopub_key``), base64 DER; "" unsigned.
    nanopub_key: str = field(default="", repr=False)

    @property
    def data_files(self) -> tuple[Path, ...]:
        """Every curated file of every essay (what ``kg validate`` places its findings in)."""
        return tuple(f for e in self.essays for f in e.files)


class EssayTriples:
    """One essay's enriched triples, held as a tuple of the terms the union graph also holds.

    The corpus is indexed once, in ``Dataset.union`` (an rdflib graph: three nested dictionaries and
    two sets per triple, about 1 KB a triple); an essay only needs to be iterated (its named graph in
    the TriG dump, its partition of the validation, its cache entry) and asked for the few subjects of
    a type (its essay node, its quotations), so it keeps its triples as they are: 8 bytes a triple
    for the tuple's slot, the terms and triples being shared. The look-ups scan (each is asked a
    constant number of times per essay). Look-ups by an IRI predicate: the first scans (the build's
    first is the essay's node, where grouping would cost more than it saves); the second groups the
    triples by predicate in one pass, and it and every later one read the groups (the maps make seven
    per essay, each a scan of some 1,900 triples at 1 M: 1 s of their 4). Other look-ups scan."""

    __slots__ = ("_triples", "key", "_by_predicate")

    def __init__(self, triples: Iterable[tuple], key: str | None = None) -> None:
        self._triples = tuple(triples)
        #: the digest its triples were made from (``kg.incremental.enrich_cached``: the same key, the
        #: same triples), which the TriG writer's memo keeps its named graph's text under; None: unknown
        self.key = key
        #: {predicate: [its triples, in order]}, made at the second look-up by predicate (None: none
        #: yet; False: one, which scanned)
        self._by_predicate: dict | bool | None = None

    def _with_predicate(self, p: URIRef) -> Iterable[tuple]:
        """The triples whose predicate is ``p`` (the same term: rdflib's equality, as a scan compares),
        in the essay's order."""
        grouped = self._by_predicate
        if grouped is None:
            # an IRI is equal to a term of its own type and text only: compared as text, with no
            # rdflib ``__eq__`` (a Python call) per triple
            self._by_predicate = False
            text = str(p)
            return [t for t in self._triples if t[1] is p or (type(t[1]) is URIRef and str.__eq__(t[1], text))]
        if grouped is False:
            grouped = {}
            for t in self._triples:
                found = grouped.get(t[1])
                if found is None:
                    grouped[t[1]] = [t]
                else:
                    found.append(t)
            self._by_predicate = grouped
        return grouped.get(p, ())

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def __contains__(self, triple: tuple) -> bool:
        return any(self.triples(triple))  # None a wildcard, as in rdflib

    def triples(self, pattern: tuple) -> Iterator[tuple]:
        """The triples matching ``(s, p, o)``, None a wildcard, in the essay's order."""
        s, p, o = pattern
        if s is None and p is None and o is None:
            return iter(self._triples)
        if s is None and type(p) is URIRef:
            # the common look-ups (a type's subjects, a property's values), from the triples grouped by
            # predicate: an IRI is equal to a term of its own type and text only (the dictionary's
            # look-up: the same hash, then the same object or rdflib's ``__eq__``)
            found = self._with_predicate(p)
            return iter(found) if o is None else (t for t in found if t[2] == o)
        return (t for t in self._triples
                if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o))

    def subjects(self, predicate=None, object=None, unique: bool = False) -> Iterator:  # noqa: ANN001
        """The subjects of the triples with ``predicate`` and ``object`` (None: any), as rdflib's
        ``Graph.subjects``; once each with ``unique``."""
        found = (t[0] for t in self.triples((None, predicate, object)))
        return iter(dict.fromkeys(found)) if unique else found


@dataclass
class Dataset:
    """The enriched dataset: the ontology and each essay's triples, under the configured base; the
    union of them all (with the enrichments) is the one indexed graph."""

    config: Config
    ontology: Graph
    essays: dict[str, EssayTriples]
    essay_iris: list[URIRef]
    union: Graph
    metadata: Graph | None = field(default=None)
    #: The look-up index of the union (``kg.publish.pages.Index``), made by ``kg.publish.render`` for the
    #: reading exports and handed to the pages, which add the description to it: built once a build.
    lookups: object = field(default=None, repr=False, compare=False)
    #: The forked dump writers answering the SPARQL targets' queries (``kg.publish.render(targets=…)``),
    #: handed to the validation's plan: ``tell`` them the description, then take their ``answers``.
    target_answers: object = field(default=None, repr=False, compare=False)
    #: {name: graph} from data/enrichments/<name>.ttl (written by `kg link --enrich`).
    enrichments: dict[str, Graph] = field(default_factory=dict)
    #: What the site shows besides the graph: the cookbook, and the releases (``Release``, newest first).
    cookbook: tuple = ()
    releases: tuple = ()
    #: {"<version>/<name>": bytes} of the releases' files (``Sources.release_files``).
    release_files: dict[str, bytes] = field(default_factory=dict)
    #: The key that signs the nanopublications (kg.toml ``nanopub_key``); "": unsigned.
    nanopub_key: str = field(default="", repr=False)
    #: {essay id: kg.reading.ReadingOrder} of the essays that have a reading order.
    readings: dict = field(default_factory=dict)
    #: {essay id: its schema:ScholarlyArticle} of the essays that have one (``essay_node``), found once
    #: by ``compile_dataset``; None: not known (``kg.publish.argument.essay_nodes`` finds them).
    essay_nodes: dict | None = field(default=None, repr=False, compare=False)

    def graph_name(self, kind: str, name: str = "") -> str:
        return f"{self.config.base_iri}graph/{kind}" + (f"/{name}" if name else "")

    @property
    def metadata_graph_name(self) -> str:
        return self.graph_name("metadata")

    @property
    def named_graphs(self) -> dict[str, Graph | EssayTriples]:
        graphs = {self.graph_name("ontology"): self.ontology}
        for essay_id, g in self.essays.items():
            graphs[self.graph_name("essay", essay_id)] = g
        for name, g in sorted(self.enrichments.items()):
            graphs[self.graph_name("enrichment", name)] = g
        return graphs


#: An extra publisher, adding files (pages, maps) to the rendered output:
#: ``(dataset, config) -> {relative path: bytes}`` (the list is ``kg.publish.extras.EXTRAS``).
Extra = Callable[[Dataset, Config], dict[str, bytes]]


# ---------------------------------------------------------------- the releases index (releases/index.json)

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")


@dataclass(frozen=True)
class Distribution:
    name: str
    url: str
    media_type: str
    byte_size: int
    sha256: str


@dataclass(frozen=True)
class Release:
    """One entry of releases/index.json: what the landing page lists."""

    version: str
    date: str
    triples: int
    path: str  # relative to the project root, e.g. "releases/1.0.0/"
    url: str  # where the release folder is published
    iri: str  # the release as a dataset: <base>id/dataset/<version>
    previous: str | None = None
    distributions: tuple[Distribution, ...] = field(default_factory=tuple)


def version_key(version: str) -> tuple:
    """Semantic Versioning 2.0.0 precedence (§11): a pre-release sorts below its release
    (``1.0.0-rc.1`` < ``1.0.0``); pre-release identifiers compare one by one, numbers numerically
    (``rc.2`` < ``rc.10``) and below words, and a longer list above its prefix (``alpha`` < ``alpha.1``)."""
    m = _VERSION.match(version)
    pre = m.group(4).split(".") if m and m.group(4) else []
    if not m or any(p == "" or (p.isdigit() and len(p) > 1 and p[0] == "0") for p in pre) \
            or any(len(n) > 1 and n[0] == "0" for n in m.groups()[:3]):
        raise ConfigError(f"release version {version!r} is not MAJOR.MINOR.PATCH[-PRERELEASE]",
                          hint="Use semantic versioning, e.g. 1.0.0 or 1.1.0-rc.1 (no empty parts, no leading zeros).")
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), 0 if pre else 1, ids)


def parse_index(data: bytes) -> tuple[Release, ...]:
    """The releases of an index.json, newest version first."""
    doc = json.loads(data.decode("utf-8")) if data else {"releases": []}
    releases = [Release(**{**r, "distributions": tuple(Distribution(**d) for d in r.get("distributions", ()))})
                for r in doc.get("releases", [])]
    return tuple(sorted(releases, key=lambda r: version_key(r.version), reverse=True))
