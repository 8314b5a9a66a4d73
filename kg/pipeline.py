"""build(config): sources -> enrich -> validate -> publish. The only module that strings the stages
together; each stage stays a function over values."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from kg.canonical import to_canonical_graph

from kg import registry
from kg.config import Config
from kg.enrich import Alignments, essay_node, rebase
from kg.errors import EvidenceError, NonConformingError
from kg.files import check_writable, output_error
from kg.gcpolicy import fewer_collections, made_to_keep, retained
from kg.incremental import EnrichedAhead, essay_parts, ontology_key, validate_units
from kg.later import Later
from kg.model import Dataset, Sources
from kg.progress import counted
from kg.publish import extras as extra_publishers
from kg.publish import finish, published_names, render, render_extra, render_extras, start_extras
from kg.publish.site import site_copy, static_copies
from kg.publish.unionmemo import UnionMemo
from kg.publish.writer import Stage, write_tree
from kg.shapes_policy import ShapesError
from kg.sources import load_sources
from kg.tripleindex import indexed_graph
from kg.validation.partitioned import TargetAnswers, oxigraph_store_of, sparql_target_queries, validate_partitioned
from kg.validation.shacl import Report

Progress = Callable[[str], None]
#: An optional hook around each stage of a build (load, enrich, render, validate, finish, write):
#: ``timer(name)`` returns a context manager entered for the stage (bench/run.py times them).
Timer = Callable[[str], AbstractContextManager]


#: Up to this many triples a build renders the extras while the validation workers work (None: any
#: size). The pages go straight to disk (``kg.publish.writer.Stage``), so the limit the extras' files
#: held in memory once set (250,000) is gone.
OVERLAP_MAX_TRIPLES: int | None = None


def _untimed(_name: str) -> AbstractContextManager:
    return nullcontext()


def _silent(_msg: str) -> None:
    pass


def compile_dataset(sources: Sources, config: Config, progress: Progress = _silent, cache=None) -> Dataset:  # noqa: ANN001
    """Enrich every essay; merge them with the ontology. Evidence problems of all essays are
    reported together. With a ``kg.cache.Cache``, an essay enriched before is read from it."""
    alignments = Alignments.from_ontology(sources.ontology)
    essays: dict[str, Graph] = {}
    problems: list[str] = []
    onto_key = ontology_key(sources) if cache is not None and cache.enabled else ""
    terms: dict = {}  # the terms of the essays read back from the cache, each made once
    made = EnrichedAhead(sources.essays, alignments, config, cache, onto_key, terms)  # half by a process of its own
    try:
        for i, essay in enumerate(counted(sources.essays, "enrich essays", len(sources.essays))):
            if len(sources.essays) == 1:  # a corpus gets a bar (kg/progress.py), not a line per essay
                progress(f"enrich {essay.id}: {len(essay.graph)} curated triples")
            try:
                essays[essay.id] = made.enriched(i)
            except EvidenceError as exc:
                problems.extend(exc.problems)
            essay.release()  # its graph, when parsed for the enrichment (load_sources(lazy=True)), is not needed again
    finally:
        made.stop()
    if problems:
        raise EvidenceError(problems)
    ontology = rebase(sources.ontology, config.base_iri)
    enrichments = _enrichments(sources, essays, config)
    union = indexed_graph()  # the corpus indexed once (kg/tripleindex.py)
    for g in [ontology, *essays.values(), *enrichments.values()]:
        union.store.add_all(g)  # RDF terms all (parsed or decoded): Graph.addN's checks skipped
    nodes = {essay_id: n for essay_id, g in essays.items() if (n := essay_node(g)) is not None}
    iris = sorted(set(nodes.values()))
    return Dataset(config, ontology, essays, iris, union, enrichments=enrichments, essay_nodes=nodes,
                   cookbook=sources.cookbook, releases=sources.releases, release_files=sources.release_files,
                   nanopub_key=sources.nanopub_key,
                   readings={e.id: e.reading for e in sources.essays if e.reading is not None})


def _enrichments(sources: Sources, essays: dict[str, Graph], config: Config) -> dict[str, Graph]:
    """The enrichment graphs, rebased, keeping only statements about resources the essays still
    describe (and the graph's own provenance)."""
    out: dict[str, Graph] = {}
    if not sources.enrichments:  # the essays' every subject (1.1 M triples read at 1 M) only for some
        return out
    described = {s for g in essays.values() for s in g.subjects()}
    for name, graph in sorted(sources.enrichments.items()):
        rebased = rebase(graph, config.base_iri)
        own = URIRef(f"{config.base_iri}graph/enrichment/{name}")
        kept = Graph()
        for s, p, o in rebased:
            if s in described or s == own:
                kept.add((s, p, o))
        out[name] = kept
    return out


@dataclass(frozen=True)
class BuildResult:
    output: Path
    report: Report
    files: tuple[str, ...]
    triples: int


#: a validation report of at least this many triples has its Turtle made by a process of its own
#: (``kg.later.Later``; at 1 M triples the report's 18,342 took 1.3 s, the essay's 98 some 15 ms)
FORK_REPORT_TRIPLES = 2_000


def report_turtle(report: Report) -> bytes:
    """The report graph as published (``validation-report.ttl``): canonical blank nodes, long Turtle."""
    return to_canonical_graph(report.graph).serialize(format="longturtle").encode("utf-8")


def validate_corpus(config: Config, progress: Progress = _silent, with_metadata: bool = False,
                    timer: Timer = _untimed, meanwhile: Callable[[Dataset], None] | None = None,
                    cache=None, stage: Stage | None = None) -> tuple[Dataset, Report, dict[str, bytes]]:  # noqa: ANN001
    """Load, enrich and validate the corpus. With ``with_metadata`` the publishable files are
    rendered first so that the dataset description is validated along with the data.
    ``meanwhile(dataset)`` runs in this process while the validation workers work (when there are
    workers), on the dataset as it is without validation (the description out of the union); not
    when it says it would only wait (an ``EarlyExtras`` whose ``only_waits()`` is true: its caller
    collects it after the validation).
    With ``stage`` (the build's unpublished folder) the rendered files are put into it at once
    (``render(put=Staging(stage))``) and the returned files are only those rendered later."""
    with made_to_keep():  # what reading and enrichment make is kept: no collection walks it (kg.gcpolicy)
        with timer("load"):
            # an essay's Turtle is parsed when it is enriched (load_essay), and only if its enrichment is
            # not in the cache; its graph is released once enriched (compile_dataset)
            sources = load_sources(config, lazy=True)
        progress(f"loaded {len(sources.essays)} essay(s), {len(sources.ontology)} ontology and "
                 f"{len(sources.shapes)} shape triples")
        with timer("enrich"):
            dataset = compile_dataset(sources, config, progress, cache)
    files: dict[str, bytes] = {}
    graph = dataset.union
    extra: list = []
    nt_source = None  # the rendered N-Triples dump: bytes, or the staged file opened
    if with_metadata:
        progress("render dumps and metadata")
        with timer("render"):
            files = render(dataset, config, put=None if stage is None else Staging(stage), fork=stage is not None,
                           cache=cache, splice=_splice(dataset, cache, stage),
                           targets=_target_queries(sources.shapes) if stage is not None else None)
            nt = next((f.file for f in registry.DUMP_FORMATS if f.name == "ntriples"), "")
            if stage is None:
                nt_source = files.get(nt)
            elif nt in stage:  # opened now: a page process that puts a file at its path later makes a new file
                nt_source = open(stage.dir / nt, "rb")
    answering = dataset.target_answers  # the forked dump writers, answering the SPARQL targets
    try:
        if meanwhile is not None and hasattr(meanwhile, "start"):
            meanwhile.start(dataset)  # the pages' processes fork now, on the dataset as published
            # the description is validated with the data: added to the union for the validation
            # and taken out again (a copy of the union would cost more than the validation of it)
            extra = [t for t in dataset.metadata if t not in graph]
        if answering is not None:  # the store they answer on must hold what the validation reads
            answering.tell(extra, len(graph) + len(extra))
        if meanwhile is not None and hasattr(meanwhile, "others"):
            # the other extras (the maps) now, while the pages' processes and the dump writers work:
            # the validation would wait for the targets' answers first (at 1 M some 8 s of a rebuild)
            meanwhile.others(dataset)
        graph.addN((s, p, o, graph) for s, p, o in extra)
        progress(f"validate {len(graph)} triples")

        def overlap() -> None:
            if hasattr(meanwhile, "only_waits") and meanwhile.only_waits():
                return  # collected by ``result`` after the validation: the parent's own share first
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

                # the triples of no essay: the union's others (compile_dataset) and the description's
                validate = partial(validate_units, cache=cache,
                                   view=essay_parts(dataset.essays, _rest(dataset, extra), cache, count=False))
            report = validate(graph, sources.shapes, list(dataset.essays.values()),
                              meanwhile=overlap if meanwhile is not None else None,
                              store_of=_target_store(nt_source, graph, extra, answering))
    finally:
        for t in extra:
            graph.remove(t)
        if hasattr(nt_source, "close"):
            nt_source.close()
        if answering is not None:
            answering.stop()
            dataset.target_answers = None
    return dataset, report, files


def _splice(dataset: Dataset, cache, stage: Stage | None) -> UnionMemo | None:  # noqa: ANN001
    """The union's dumps spliced from the last build's (``kg.publish.unionmemo``), in a build with a
    cache: the union as its essays' parts and the rest (the ontology and the enrichments)."""
    if stage is None or cache is None or not cache.enabled:
        return None
    return UnionMemo(cache, stage.output, stage.written, essay_parts(dataset.essays, _rest(dataset), cache, count=False))


def _rest(dataset: Dataset, more: Iterable = ()) -> list:
    """The triples of the union that are no essay's (the ontology, the enrichments), and ``more``."""
    return [t for g in [dataset.ontology, *dataset.enrichments.values(), more] for t in g]


def _target_queries(shapes: Graph) -> list[str] | None:
    """The SPARQL targets' queries for the forked dump writers to answer (None: a query the policy
    refuses, which the validation reports as it would without them)."""
    try:
        return sparql_target_queries(shapes)
    except ShapesError:
        return None


def _target_store(nt, graph: Graph, extra: list, answering=None) -> Callable | None:  # noqa: ANN001
    """The SPARQL targets' store made from the rendered N-Triples dump (bytes, or the staged file: the
    union as it was rendered) and the description's triples added since, when the dump was rendered;
    with ``answering`` (the forked dump writers: ``kg.publish.render(targets=…)``), their answers,
    and that store only for a query they did not answer."""
    if nt is None:
        return None

    def own():  # noqa: ANN202
        return oxigraph_store_of(nt, graph, extra)
    if answering is None:
        return own

    def answered():  # noqa: ANN202
        got = answering.answers()
        return own() if got is None else TargetAnswers(got, own)
    return answered


class Staging:
    """``render``'s ``put`` in a build: each rendered file, and the site's copy of it
    (``kg.publish.site.site_copy``, a hard link to it), goes into the build's stage as soon as it is
    made, so that the build never holds every dump at once (about 600 MB at 1 M triples) nor any of
    them through the validation and the pages; the files a build puts later keep winning
    (``write_tree``), and SHA256SUMS counts them by the stage's digests. A forked process (the
    union's writers) puts its files itself, through its copy of the stage, and this process
    ``adopt``s them."""

    def __init__(self, stage: Stage) -> None:
        self.stage = stage

    def __call__(self, name: str, data: bytes, sha256: str) -> None:
        self.stage.put(name, data, sha256=sha256)  # the digest render made for the description
        if (copy := site_copy(name)) is not None:
            self.stage.copy(copy, name, sha256)

    def adopt(self, name: str, sha256: str) -> None:
        """Count ``name`` (and its site copy) as put, by a forked process, with its SHA-256."""
        self.stage.adopt({name: sha256, **({copy: sha256} if (copy := site_copy(name)) is not None else {})})

    def distrust(self) -> None:
        """A forked process that put files here died: what it left at a path is removed before a put."""
        self.stage.distrust()


class EarlyExtras:
    """``meanwhile`` of a build: renders the extras (pages, maps) while the validation works. ``start``
    forks the pages' processes as soon as the dumps are rendered (before the validation plans its
    work); ``others`` then renders the other extras beside them, and the call (while the validation
    workers work) collects the pages (and renders the others, if ``others`` did not).
    The pages go into the build's ``stage`` (the unpublished ``.output.new-*`` folder), the others'
    files are kept in memory; all are published only if the data conform (else the stage is
    discarded); an error in them is kept and raised by ``result`` only then, too."""

    def __init__(self, config: Config, extras: tuple, stage=None, cache=None) -> None:  # noqa: ANN001
        self.config = config
        self.extras = extras
        self.stage = stage
        self.cache = cache if cache is not None and cache.enabled else None  # the pages' records
        self.files: dict[str, bytes] | None = None
        self.error: Exception | None = None
        self.started = None  # kg.publish.Started: the pages' processes, forked by start
        self.dataset: Dataset | None = None
        self.rendered: dict[str, bytes] | None = None  # the other extras' files, once ``others`` made them

    def _early(self, dataset: Dataset) -> bool:
        return OVERLAP_MAX_TRIPLES is None or len(dataset.union) <= OVERLAP_MAX_TRIPLES

    def start(self, dataset: Dataset) -> None:
        if not self._early(dataset):
            return
        try:
            started = start_extras(dataset, self.config, self.extras, stage=self.stage, cache=self.cache)
        except Exception as exc:  # noqa: BLE001 - re-raised by result() once the data are known to conform
            self.error = exc
            return
        if started.processes is not None:  # else (one core) the call or finish renders them all
            self.started, self.dataset = started, dataset

    def others(self, dataset: Dataset) -> None:
        """Render the extras but the last (the maps; the pages' processes run meanwhile), in this
        process, now; the call then only collects the pages. Nothing when the pages were not forked."""
        if self.started is None or self.error is not None or self.rendered is not None:
            return
        try:
            rendered: dict[str, bytes] = {}
            for extra in self.extras[:-1]:
                rendered.update(render_extra(extra, dataset, self.config, self.cache))
            self.rendered = rendered
        except Exception as exc:  # noqa: BLE001 - re-raised by result() once the data are known to conform
            self.error = exc

    def only_waits(self) -> bool:
        """Whether the call would only wait for the pages' processes (the other extras rendered):
        then the validation does not call it, and ``result`` collects them once the parent's own
        share of the validation is done (which it did after them, while they used both cores)."""
        return self.started is not None and self.rendered is not None and self.error is None

    def __call__(self, dataset: Dataset) -> None:
        if not self._early(dataset) or self.error is not None:
            return
        # (the pages' look-up index, ``started.prepared``, is freed when this returns: at 1 M 0.44 s
        # of the build's one-core end; kept with the build's ``retain`` instead, it raised the
        # parent's peak from 1,885 to 2,038 MB, past the 2 GB the parent alone keeps under)
        started, self.started = self.started, None
        rendered = self.rendered
        try:
            if rendered is None:
                self.files = render_extras(dataset, self.config, self.extras, fork=True,  # the validation's cores
                                           stage=self.stage, started=started, cache=self.cache)
            else:  # only the pages' processes to collect
                self.files = {**rendered, **render_extras(dataset, self.config, self.extras[-1:], fork=True,
                                                          stage=self.stage, started=started, cache=self.cache)}
        except Exception as exc:  # noqa: BLE001 - re-raised by result() once the data are known to conform
            self.error = exc

    def result(self) -> dict[str, bytes] | None:
        """The extras' files, or None when they were not rendered early (``finish`` renders them)."""
        if self.started is not None:  # started, but the validation did not call: collected now
            self(self.dataset)
        if self.error is not None:
            raise self.error
        return self.files

    def stop(self) -> None:
        """No process left behind when the build stops before ``result``."""
        if self.started is not None:
            self.started.stop()
            self.started = None


@fewer_collections
def build(config: Config, progress: Progress = _silent, output: Path | None = None,
          timer: Timer = _untimed, cache=None, retain: list | None = None) -> BuildResult:  # noqa: ANN001
    """Build, validate and publish into ``output`` (default ``config.output_dir``), all or nothing.
    With a ``kg.cache.Cache`` (``kg build`` uses ``.kg-cache/``) only what changed is enriched and
    validated again; the output is the same. ``retain``: the build's dataset is appended to it, so
    that a caller about to end its process does not free it first (``kg.cli.entry``)."""
    target = output or config.output_dir
    check_writable(target)  # a read-only output/ fails now, not after the work
    try:
        stage = Stage(target, digests=True, reuse=True)  # the new tree, published only at the end (all or nothing)
    except OSError as exc:
        raise output_error(exc, target) from None
    try:
        result = _build(config, progress, stage, timer, cache, retain)
    finally:
        stage.discard()  # nothing when it was committed; the unpublished tree otherwise
    if retain is not None:
        retained()  # before ``fewer_collections`` gives the thresholds back: no full collection on the way out
    return result


def _build(config: Config, progress: Progress, stage: Stage, timer: Timer, cache,  # noqa: ANN001
           retain: list | None = None) -> BuildResult:
    extras = extra_publishers.EXTRAS
    early = EarlyExtras(config, extras, stage, cache)
    report_ttl: Later | None = None
    try:
        dataset, report, files = validate_corpus(config, progress, with_metadata=True, timer=timer,
                                                 meanwhile=early, cache=cache, stage=stage)
        if retain is not None:
            retain.append(dataset)
        if not report.conforms:
            raise NonConformingError(
                f"the graph does not conform to the shapes: {report.count('violation')} violation(s); "
                "output/ was left untouched", report)
        # the report's canonical Turtle (at 1 M about a second) made by a process of its own while
        # this one collects the pages and makes the rest (kg.later); a small report here, at finish
        report_ttl = Later(report_turtle, report, fork=len(report.graph) >= FORK_REPORT_TRIPLES)
        with timer("pages"):  # the pages' processes collected (waited for), when the validation did not
            extra_files = early.result()
        if stage.distrusted:  # a page renderer died after the rendered files were put: it may have
            render(dataset, config, put=Staging(stage), cache=cache)  # written over them, so they are put again
    except BaseException:
        if report_ttl is not None:
            report_ttl.stop()
        raise
    finally:
        early.stop()  # no page process left behind (nothing to do once result() collected them)
    stage.find_unput()  # the files of the reused tree not put again: looked for meanwhile (kg.publish.writer)
    with timer("finish"):
        report_bytes = report_ttl.result()
        files = static_copies(files, dataset.release_files)  # the site holds what it links to
        files = finish(files, dataset, config, report.text(), report_bytes, extras,
                       extra_files=extra_files, stage=stage, cache=cache)
    if cache is not None and cache.enabled:
        cache.prune()  # the entries this build did not use (the extras' included)
    names = tuple(published_names(files, stage.digests or {}, stage))
    with timer("write"):
        try:
            target = write_tree(files, stage.output, stage=stage)
        except OSError as exc:
            raise output_error(exc, stage.output) from None
    progress(f"wrote {len(names)} files to {target}")
    return BuildResult(target, report, names, len(dataset.union))
