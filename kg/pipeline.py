"""build(config): sources -> enrich -> validate -> publish. The only module that strings the stages
together; each stage stays a function over values."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from kg.config import Config
from kg.enrich import Alignments, enrich_essay, essay_node, rebase
from kg.errors import EvidenceError, NonConformingError
from kg.progress import counted
from kg.sources import Sources, load_sources
from kg.validate import Report, validate_graph
from kg.validate_parallel import validate_partitioned

Progress = Callable[[str], None]
#: An optional hook around each stage of a build (load, enrich, render, validate, finish, write):
#: ``timer(name)`` returns a context manager entered for the stage (bench/run.py times them).
Timer = Callable[[str], AbstractContextManager]


#: Up to this many triples a build renders the extras while the validation workers work.
OVERLAP_MAX_TRIPLES = 250_000


def _untimed(_name: str) -> AbstractContextManager:
    return nullcontext()


def _silent(_msg: str) -> None:
    pass


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


def compile_dataset(sources: Sources, config: Config, progress: Progress = _silent, cache=None) -> Dataset:  # noqa: ANN001
    """Enrich every essay; merge them with the ontology. Evidence problems of all essays are
    reported together. With a ``kg.cache.Cache``, an essay enriched before is read from it."""
    from kg.incremental import enrich_cached, ontology_key

    alignments = Alignments.from_ontology(sources.ontology)
    onto_key = ontology_key(sources) if cache is not None and cache.enabled else ""
    essays: dict[str, Graph] = {}
    problems: list[str] = []
    for essay in counted(sources.essays, "enrich essays", len(sources.essays)):
        if len(sources.essays) == 1:  # a corpus gets a bar (kg/progress.py), not a line per essay
            progress(f"enrich {essay.id}: {len(essay.graph)} curated triples")
        try:
            essays[essay.id] = (enrich_cached(cache, essay, alignments, config, onto_key) if onto_key
                                else enrich_essay(essay, alignments, config))
        except EvidenceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise EvidenceError(problems)
    ontology = rebase(sources.ontology, config.base_iri)
    enrichments = _enrichments(sources, essays, config)
    union = Graph()
    for g in [ontology, *essays.values(), *enrichments.values()]:
        union.addN((s, p, o, union) for s, p, o in g)
    iris = sorted({n for g in essays.values() if (n := essay_node(g)) is not None})
    return Dataset(config, ontology, essays, iris, union, enrichments=enrichments,
                   cookbook=sources.cookbook, releases_index=sources.releases_index,
                   nanopub_key=sources.nanopub_key,
                   readings={e.id: e.reading for e in sources.essays if e.reading is not None})


def _enrichments(sources: Sources, essays: dict[str, Graph], config: Config) -> dict[str, Graph]:
    """The enrichment graphs, rebased, keeping only statements about resources the essays still
    describe (and the graph's own provenance)."""
    described = {s for g in essays.values() for s in g.subjects()}
    out: dict[str, Graph] = {}
    for name, graph in sorted(sources.enrichments.items()):
        rebased = rebase(graph, config.base_iri)
        own = URIRef(f"{config.base_iri}graph/enrichment/{name}")
        kept = Graph()
        for s, p, o in rebased:
            if s in described or s == own:
                kept.add((s, p, o))
        out[name] = kept
    return out


def validate_dataset(dataset: Dataset, shapes: Graph) -> Report:
    return validate_graph(dataset.union, shapes)


@dataclass(frozen=True)
class BuildResult:
    output: Path
    report: Report
    files: tuple[str, ...]
    triples: int


def report_turtle(report: Report) -> bytes:
    from rdflib.compare import to_canonical_graph

    return to_canonical_graph(report.graph).serialize(format="longturtle").encode("utf-8")


def validate_corpus(config: Config, progress: Progress = _silent, with_metadata: bool = False,
                    timer: Timer = _untimed, meanwhile: Callable[[Dataset], None] | None = None,
                    cache=None) -> tuple[Dataset, Report, dict[str, bytes]]:  # noqa: ANN001
    """Load, enrich and validate the corpus. With ``with_metadata`` the publishable files are
    rendered first so that the dataset description is validated along with the data.
    ``meanwhile(dataset)`` runs in this process while the validation workers work (when there are
    workers), on the dataset as it is without validation (the description out of the union)."""
    from kg.publish import render

    with timer("load"):
        sources = load_sources(config)
    progress(f"loaded {len(sources.essays)} essay(s), {len(sources.ontology)} ontology and "
             f"{len(sources.shapes)} shape triples")
    with timer("enrich"):
        dataset = compile_dataset(sources, config, progress, cache)
    files: dict[str, bytes] = {}
    graph = dataset.union
    extra: list = []
    if with_metadata:
        progress("render dumps and metadata")
        with timer("render"):
            files = render(dataset, config)
            # the description is validated with the data: added to the union for the validation
            # and taken out again (a copy of the union would cost more than the validation of it)
            extra = [t for t in dataset.metadata if t not in graph]
            graph.addN((s, p, o, graph) for s, p, o in extra)
    try:
        progress(f"validate {len(graph)} triples")

        def overlap() -> None:
            for t in extra:
                graph.remove(t)
            try:
                meanwhile(dataset)
            finally:
                graph.addN((s, p, o, graph) for s, p, o in extra)

        with timer("validate"):
            validate = validate_partitioned
            if cache is not None and cache.enabled:  # by essay, each kept in the cache (kg/incremental.py)
                from functools import partial

                from kg.incremental import validate_units
                validate = partial(validate_units, cache=cache)
            report = validate(graph, sources.shapes, list(dataset.essays.values()),
                              meanwhile=overlap if meanwhile is not None else None)
    finally:
        for t in extra:
            graph.remove(t)
    return dataset, report, files


def build(config: Config, progress: Progress = _silent, output: Path | None = None,
          timer: Timer = _untimed, cache=None) -> BuildResult:  # noqa: ANN001
    """Build, validate and publish into ``output`` (default ``config.output_dir``), all or nothing.
    With a ``kg.cache.Cache`` (``kg build`` uses ``.kg-cache/``) only what changed is enriched and
    validated again; the output is the same."""
    from kg.files import check_writable, output_error
    from kg.publish import finish, render_extras
    from kg.publish.writer import write_tree

    check_writable(output or config.output_dir)  # a read-only output/ fails now, not after the work

    # the extras (pages, maps) are rendered while the validation workers work, kept in memory and
    # published only if the data conform (an error in them is raised only then, too); not for big
    # corpora, where memory is the limit: the extras' files would be held along with the workers'
    early: dict = {}

    def extras(dataset: Dataset) -> None:
        if len(dataset.union) > OVERLAP_MAX_TRIPLES:
            return
        try:
            early["files"] = render_extras(dataset, config)
        except Exception as exc:  # noqa: BLE001 - re-raised below once the data are known to conform
            early["error"] = exc

    dataset, report, files = validate_corpus(config, progress, with_metadata=True, timer=timer, meanwhile=extras,
                                             cache=cache)
    if not report.conforms:
        raise NonConformingError(
            f"the graph does not conform to the shapes: {report.count('violation')} violation(s); "
            "output/ was left untouched", report)
    if "error" in early:
        raise early["error"]
    with timer("finish"):
        files = finish(files, dataset, config, report.text(), report_turtle(report), extra_files=early.get("files"))
    with timer("write"):
        try:
            target = write_tree(files, output or config.output_dir)
        except OSError as exc:
            raise output_error(exc, output or config.output_dir) from None
    progress(f"wrote {len(files)} files to {target}")
    if cache is not None and cache.enabled:
        cache.prune()  # the entries this build did not use
    return BuildResult(target, report, tuple(sorted(files)), len(dataset.union))
