"""The store interface the CLI, the server and the cookbook use, and its embedded implementation
(pyoxigraph, chosen by measurement: see README "Why pyoxigraph"). The store reads only what the
build published (output/dataset.trig): ontology, one graph per essay, and metadata."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.errors import MissingSourceError, QueryError
from kg.namespaces import PREFIXES

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}


@dataclass(frozen=True)
class Result:
    """A query's answer: ``kind`` is 'select', 'ask' or 'graph'."""

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[object, ...], ...] = ()
    boolean: bool = False
    triples: tuple[object, ...] = ()

    def values(self) -> list[dict[str, str]]:
        """Rows as plain strings (IRIs and literal values), for tests and tables."""
        return [{v: (term.value if term is not None else "") for v, term in zip(self.variables, row)} for row in self.rows]


class Store(Protocol):
    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> Result: ...


#: The named graphs' merge written into the default graph by the store itself: at 1 M triples 5.7 s
#: and a peak of 1.1 GB, against 12.0 s and 1.6 GB when every quad went through a Python object and
#: back (``store.bulk_extend(Quad(…, DefaultGraph()) for q in list(store))``). A variable bound to a
#: blank node inserts that very node (only a template's own blank nodes would be new ones), so a node
#: shared by two graphs is one node in the merge, as in the graphs (``tests/test_store_load.py``).
MERGE_INTO_DEFAULT = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def load_published(trig: Path | str) -> ox.Store:
    """A store holding the published TriG: its named graphs, and as the default graph their RDF
    merge (with whatever the file's own default graph holds). pyoxigraph's
    ``use_default_graph_as_union`` repeats a triple once per graph that holds it (a person shared by
    many essays), which multiplies every join; the merged default graph holds each triple once."""
    store = ox.Store()
    store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    store.update(MERGE_INTO_DEFAULT)
    return store


class OxigraphStore:
    """An in-memory pyoxigraph store; the default graph is the union of the named graphs."""

    def __init__(self, store: ox.Store, prefixes: dict[str, str] | None = None) -> None:
        self.store = store
        self._triples: int | None = None
        self.prefixes = dict(PREFIXES if prefixes is None else prefixes)

    @classmethod
    def from_output(cls, output: Path, base_iri: str | None = None) -> "OxigraphStore":
        """The store of a build's ``output/`` (the live tree); ``kg:`` names ``<base_iri>id/``."""
        from kg.publish.writer import live_output  # a build killed mid-swap keeps the old tree readable

        path = live_output(Path(output)) / "dataset.trig"
        if not path.exists():
            raise MissingSourceError(f"{path}: no such file", hint="Run `kg build` first.")
        prefixes = dict(PREFIXES)
        if base_iri:
            prefixes["kg"] = base_iri + "id/"
        return cls.from_trig(path, prefixes)

    @classmethod
    def from_trig(cls, trig: Path | str, prefixes: dict[str, str] | None = None) -> "OxigraphStore":
        """The store of one published TriG file (what the server's query workers load)."""
        return cls(load_published(trig), prefixes)

    def __len__(self) -> int:
        """Distinct triples: those of the merged default graph, which is what a query's default
        graph holds (``SELECT (COUNT(*) AS ?n) { ?s ?p ?o }``), not the quads of the named graphs
        (a triple held by two essays' graphs is one triple)."""
        if self._triples is None:  # counted by the store (at 1 M 0.2 s, against 0.8 s through Python's quads)
            answer = next(iter(self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))
            self._triples = int(answer["n"].value)
        return self._triples

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def mentions(self, iri: str) -> bool:
        """Whether ``iri`` is the subject or object of a triple here (False for a string that is
        not an IRI: a space, a quote, a lone %)."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        return (next(self.store.quads_for_pattern(node, None, None, ox.DefaultGraph()), None) is not None
                or next(self.store.quads_for_pattern(None, None, node, ox.DefaultGraph()), None) is not None)

    def about(self, iri: str) -> list[ox.Triple]:
        """The triples (of the merged default graph) whose subject or object is ``iri``, sorted."""
        node = ox.NamedNode(iri)
        triples = {q.triple for q in self.store.quads_for_pattern(node, None, None, ox.DefaultGraph())}
        triples |= {q.triple for q in self.store.quads_for_pattern(None, None, node, ox.DefaultGraph())}
        return sorted(triples, key=str)

    def raw(self, sparql: str, *, default_graphs: list[str] | None = None,  # noqa: ANN201 - pyoxigraph's result types
            named_graphs: list[str] | None = None, base_iri: str | None = None,
            prefixes: dict[str, str] | None = None):
        """Evaluate ``sparql``; the default graph is the merge of the named graphs (written by
        ``load_published``) unless ``default_graphs`` are given; a query's own FROM picks its
        dataset itself. ``base_iri`` resolves relative IRIs; ``prefixes`` replace the store's own."""
        kwargs: dict = {"prefixes": self.prefixes if prefixes is None else prefixes}
        if base_iri:
            kwargs["base_iri"] = base_iri
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self.store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QueryError(f"malformed query: {exc}") from None

    def checked_query(self, text: str, timeout: float | None = None) -> Result:
        """``text`` as ``kg query`` runs it: the query policy (``kg.sparql``) checks its canonical
        form, and that form (never ``text``) is evaluated in a child process that cannot open a
        network socket (Linux), is stopped after ``timeout`` seconds, and whose crash is an error
        here, not the end of the caller (``kg.sandbox.run_isolated``)."""
        from kg.sandbox import run_isolated
        from kg.sparql import check_query

        info = check_query(text, local_graphs=self.graph_names(), prefixes=self.prefixes)
        return run_isolated(lambda: self.query(info.query), timeout)

    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> Result:
        res = self.raw(sparql, default_graphs=default_graphs, named_graphs=named_graphs)
        if isinstance(res, ox.QueryBoolean):
            return Result("ask", boolean=bool(res))
        if isinstance(res, ox.QuerySolutions):
            variables = tuple(v.value for v in res.variables)
            rows = tuple(tuple(sol[v] for v in variables) for sol in res)
            return Result("select", variables=variables, rows=rows)
        return Result("graph", triples=tuple(res))


def serialize_result(result: Result, fmt: str) -> bytes:
    """SPARQL results (json, xml, csv, tsv) or a graph (turtle, ntriples, jsonld, rdfxml), written
    by the same code as the endpoint's answers (``kg.results``)."""
    from kg.results import GRAPH_FORMATS as WRITABLE_GRAPHS
    from kg.results import write_ask, write_graph, write_select

    if result.kind == "graph":
        if fmt not in WRITABLE_GRAPHS:
            raise QueryError(f"a graph result cannot be written as {fmt}; use one of {', '.join(WRITABLE_GRAPHS)}")
        return write_graph(list(result.triples), fmt, dict(PREFIXES))
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"a {result.kind.upper()} result cannot be written as {fmt}; use one of {', '.join(RESULT_FORMATS)}")
    if result.kind == "ask":
        return write_ask(result.boolean, fmt)
    return write_select(list(result.variables), [list(r) for r in result.rows], fmt)
