"""The data types every stage passes on: the sources as read (``EssaySource``, ``Sources``) and the
enriched dataset (``Dataset``). Values only: no stage logic, no file access."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from kg.config import Config

TEXT_NAME = "source.txt"


@dataclass(frozen=True)
class EssaySource:
    """One essay: its id (the folder name), its text and its curated graph."""

    id: str
    folder: Path
    text: str
    sha256: str
    files: tuple[Path, ...]
    graph: Graph
    #: The reading order (reading-order.txt), optional: see kg.reading and docs/curation.md.
    reading: object = None

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
    #: The cookbook (queries/*.rq) and the bytes of releases/index.json, which the site shows; read
    #: here, at the edge, so that the page renderer stays pure.
    cookbook: tuple = ()
    releases_index: bytes = b""
    #: The private key that signs the nanopublications (``nanopub_key``), base64 DER; "" unsigned.
    nanopub_key: str = field(default="", repr=False)

    @property
    def data_files(self) -> tuple[Path, ...]:
        return tuple(f for e in self.essays for f in e.files)


@dataclass
class Dataset:
    """The enriched dataset: the ontology and one graph per essay, under the configured base."""

    config: Config
    ontology: Graph
    essays: dict[str, Graph]
    essay_iris: list[URIRef]
    union: Graph
    metadata: Graph | None = field(default=None)
    #: {name: graph} from data/enrichments/<name>.ttl (written by `kg link --enrich`).
    enrichments: dict[str, Graph] = field(default_factory=dict)
    #: What the site shows besides the graph: the cookbook, and releases/index.json as bytes.
    cookbook: tuple = ()
    releases_index: bytes = b""
    #: The key that signs the nanopublications (kg.toml ``nanopub_key``); "": unsigned.
    nanopub_key: str = field(default="", repr=False)
    #: {essay id: kg.reading.ReadingOrder} of the essays that have a reading order.
    readings: dict = field(default_factory=dict)

    def graph_name(self, kind: str, name: str = "") -> str:
        return f"{self.config.base_iri}graph/{kind}" + (f"/{name}" if name else "")

    @property
    def metadata_graph_name(self) -> str:
        return self.graph_name("metadata")

    @property
    def named_graphs(self) -> dict[str, Graph]:
        graphs = {self.graph_name("ontology"): self.ontology}
        for essay_id, g in self.essays.items():
            graphs[self.graph_name("essay", essay_id)] = g
        for name, g in sorted(self.enrichments.items()):
            graphs[self.graph_name("enrichment", name)] = g
        return graphs
