"""EDGE: load the built graph into a remote triple store, and query one.

``publish(trig, target)`` replaces every named graph of ``output/dataset.trig`` (ontology, one graph
per essay, metadata, and any ``graph/enrichment/*`` a linker adds) in a store that speaks the
SPARQL 1.1 Graph Store HTTP Protocol (one ``PUT ?graph=IRI`` per graph), or SPARQL 1.1 Update where a
store only offers that (``DROP SILENT GRAPH`` + ``INSERT DATA`` in chunks). The TriG file is split in
one streaming pass into one N-Triples file per graph in a temporary folder, and each body is
streamed from that file, so memory does not grow with the graph. Afterwards the triple count of
every graph is checked with a ``COUNT`` query on the store's query endpoint.

Failures raise ``ServiceError`` (exit 3) whose message lists each graph's state: ``replaced``,
``failed`` (the store answered with an error; it may hold part of it), ``unknown`` (the request was
sent but the connection was lost before an answer: the store may or may not have written it) or
``untouched`` (never sent: no connection could be opened). ``RemoteStore`` is the query side: it
implements ``kg.store.Store`` over the SPARQL 1.1 Protocol so that a remote store answers like the
embedded one.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox
import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from kg.errors import ConfigError, KgError, MissingSourceError, QueryError, ServiceError
from kg.namespaces import PREFIXES
from kg.options import PRESETS, Preset, PublishOptions, timeout_message  # noqa: F401 - Preset: kg.upload's callers
from kg.progress import counted
from kg.sparql import check_query
from kg.store import Result

#: (connect, read) seconds: [publish] connect_timeout and read_timeout (kg.options, the one policy).
TIMEOUT = (PublishOptions.connect_timeout, PublishOptions.read_timeout)
#: Triples per INSERT DATA request when only SPARQL Update is available.
CHUNK = PublishOptions.chunk


@dataclass(frozen=True)
class Target:
    """Where and how to write: absolute endpoint URLs and the HTTP session's credentials."""

    query_url: str
    update_url: str
    gsp_url: str | None
    method: str = "gsp"  # "gsp" or "update"
    user: str | None = None
    password: str | None = None
    token: str | None = None
    auth_scheme: str = "basic"
    chunk: int = CHUNK
    timeout: tuple[float, float] = TIMEOUT

    def session(self) -> requests.Session:
        s = requests.Session()
        if self.token:
            s.headers["Authorization"] = f"Bearer {self.token}"
        elif self.user is not None:
            if self.auth_scheme == "digest":
                s.auth = requests.auth.HTTPDigestAuth(self.user, self.password or "")
            else:
                s.auth = (self.user, self.password or "")
        s.headers["User-Agent"] = "kg-publish"
        return s


def make_target(url: str, preset: str | None = None, *, query: str | None = None, update: str | None = None,
                gsp: str | None = None, method: str = "auto", user: str | None = None,
                password: str | None = None, token: str | None = None, auth_scheme: str = "basic",
                chunk: int = CHUNK, environ: dict[str, str] | None = None,
                timeout: tuple[float, float] = TIMEOUT) -> Target:
    """Resolve a store URL, a preset and explicit endpoint overrides into a ``Target``. Credentials
    not given fall back to KG_STORE_USER, KG_STORE_PASSWORD and KG_STORE_TOKEN."""
    environ = os.environ if environ is None else environ
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"store URL {url!r} is not an http(s) URL")
    if preset is not None and preset not in PRESETS:
        raise ConfigError(f"unknown store preset {preset!r}", hint=f"Known presets: {', '.join(PRESETS)}.")
    p = PRESETS[preset or "oxigraph"]
    base = url if url.endswith("/") else url + "/"
    def resolve(explicit: str | None, path: str | None) -> str | None:
        if explicit:
            return urljoin(base, explicit)
        return None if path is None else urljoin(base, path)
    gsp_url = resolve(gsp, p.gsp)
    if method == "auto":
        method = "gsp" if gsp_url else "update"
    if method not in ("gsp", "update"):
        raise ConfigError(f"unknown publishing method {method!r}", hint="Use gsp, update or auto.")
    if method == "gsp" and not gsp_url:
        raise ConfigError(f"the {p.name} preset has no Graph Store Protocol endpoint",
                          hint="Use --method update, or give --gsp-endpoint.")
    if chunk < 1:
        raise ConfigError("--chunk must be at least 1")
    return Target(
        query_url=resolve(query, p.query) or base, update_url=resolve(update, p.update) or base,
        gsp_url=gsp_url, method=method,
        user=user if user is not None else environ.get("KG_STORE_USER"),
        password=password if password is not None else environ.get("KG_STORE_PASSWORD"),
        token=token if token is not None else environ.get("KG_STORE_TOKEN"),
        auth_scheme=auth_scheme, chunk=chunk, timeout=timeout)


# ---------------------------------------------------------------- splitting the dump

@dataclass(frozen=True)
class GraphFile:
    name: str
    path: Path
    triples: int


def split_trig(trig: Path, folder: Path) -> list[GraphFile]:
    """One streaming pass over ``trig``: one N-Triples file per named graph, in graph-name order.
    Only the open file handles are held in memory, never the triples."""
    if not trig.exists():
        raise MissingSourceError(f"{trig}: no such file", hint="Run `kg build` first.")
    handles: dict[str, object] = {}
    counts: dict[str, int] = {}
    try:
        for quad in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG):
            g = quad.graph_name
            if not isinstance(g, ox.NamedNode):
                raise ServiceError(f"{trig}: a triple outside a named graph ({quad.triple}); "
                                   "every published triple belongs to a named graph")
            name = g.value
            fh = handles.get(name)
            if fh is None:
                fh = handles[name] = open(folder / f"graph-{len(handles):04d}.nt", "w", encoding="utf-8")
                counts[name] = 0
            fh.write(f"{quad.subject} {quad.predicate} {quad.object} .\n")  # type: ignore[attr-defined]
            counts[name] += 1
    finally:
        for fh in handles.values():
            fh.close()  # type: ignore[attr-defined]
    return [GraphFile(n, Path(handles[n].name), counts[n])  # type: ignore[attr-defined]
            for n in sorted(handles, key=_graph_order)]


def _graph_order(name: str) -> tuple[int, str]:
    """Ontology first, metadata last (it describes the rest), everything else by name."""
    return (0 if name.endswith("/graph/ontology") else 2 if name.endswith("/graph/metadata") else 1, name)


def _chunks(path: Path, size: int) -> Iterator[str]:
    with open(path, encoding="utf-8") as fh:
        buf: list[str] = []
        for line in fh:
            buf.append(line)
            if len(buf) >= size:
                yield "".join(buf)
                buf = []
        if buf:
            yield "".join(buf)


# ---------------------------------------------------------------- the report

@dataclass
class GraphState:
    name: str
    triples: int
    state: str = "untouched"  # untouched | replaced | failed | unknown | mismatch (replaced, but counts differ)
    found: int | None = None
    detail: str = ""


@dataclass
class PublishReport:
    store: str
    method: str
    graphs: list[GraphState] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(g.state == "replaced" and g.found == g.triples for g in self.graphs)

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    def text(self) -> str:
        lines = []
        for g in self.graphs:
            found = "" if g.found is None else f", store has {g.found}"
            detail = f" ({g.detail})" if g.detail else ""
            lines.append(f"  {g.state:<9} <{g.name}>: {g.triples} triples{found}{detail}")
        return "\n".join(lines)


# ---------------------------------------------------------------- HTTP

def _describe_http(resp: requests.Response, what: str) -> tuple[str, str]:
    body = resp.text.strip().replace("\n", " ")[:200] if resp.content else ""
    msg = f"{what}: HTTP {resp.status_code} {resp.reason}" + (f": {body}" if body else "")
    hints = {
        401: "Give credentials with --user/--password (or KG_STORE_USER/KG_STORE_PASSWORD) or "
             "--token (KG_STORE_TOKEN); Virtuoso needs --auth digest.",
        403: "The account may not write to this store; check its permissions.",
        404: "Check the store URL and --preset (or --gsp-endpoint/--update-endpoint/--query-endpoint).",
        413: "The store refused the size of the request: raise its upload limit, or use "
             "--method update with a smaller --chunk.",
    }
    return msg, hints.get(resp.status_code, "The store reported an error; see its log. "
                          "Publishing again replaces every graph.")


def _request(session: requests.Session, method: str, url: str, what: str, timeout: tuple[float, float],
             **kwargs) -> requests.Response:  # noqa: ANN003
    try:
        resp = session.request(method, url, timeout=timeout, **kwargs)
    except requests.exceptions.ConnectionError as exc:
        if not _connected(exc):  # refused, no such host, or no connection within the connect timeout
            reason = timeout_message(exc, *timeout) or _reason(exc)
            raise _Failure(f"{what}: cannot connect to the store at {url} ({reason})",
                           "Is the store running? Check the URL and --preset.", fate=UNTOUCHED)
        raise _Failure(f"{what}: the connection to the store at {url} was lost after the request was sent "
                       f"({_reason(exc)}); the store may or may not have applied it", LOST_HINT, fate=UNKNOWN)
    except requests.exceptions.Timeout as exc:  # a read timeout: sent, no answer yet
        raise _Failure(f"{what}: the store at {url} sent {timeout_message(exc, *timeout)}; it may still apply "
                       "the request", "The store may be overloaded; check its log, then publish again, or use "
                       "--method update with a smaller --chunk.", fate=UNKNOWN)
    except requests.exceptions.RequestException as exc:
        raise _Failure(f"{what}: {exc}", "Check the store URL.")
    if resp.status_code >= 400:
        raise _Failure(*_describe_http(resp, what))
    return resp


def _connected(exc: requests.exceptions.ConnectionError) -> bool:
    """Whether a connection to the store was open (so the request may have reached it): False only
    for the failures that happen before anything is sent (refused, name resolution, connect timeout)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    cause = exc.args[0] if exc.args else None
    if isinstance(cause, MaxRetryError):
        cause = cause.reason
    return not isinstance(cause, ConnectTimeoutError)  # urllib3's NewConnectionError and NameResolutionError are ones


def _reason(exc: Exception) -> str:
    text = str(exc)
    m = re.search(r"\] ([^'\")]+)", text) or re.search(r"(Connection refused|Name or service not known|timed out)", text)
    return m.group(1).strip() if m else text[:160]


#: What a failed request did to its graph: never sent; refused by the store; sent, answer lost.
UNTOUCHED, FAILED, UNKNOWN = "untouched", "failed", "unknown"
LOST_HINT = ("The store may have written the graph before the connection dropped (a restart, a proxy's "
             "time limit, the network); check the store's log. Publishing again replaces every graph.")


class _Failure(Exception):
    """A request that failed, with its ``fate``: UNTOUCHED (nothing got to the store), FAILED (the store
    answered with an error) or UNKNOWN (sent, but no answer: the store may or may not have applied it)."""

    def __init__(self, message: str, hint: str, fate: str = FAILED) -> None:
        super().__init__(message)
        self.hint = hint
        self.fate = fate


def _put_graph(session: requests.Session, target: Target, g: GraphFile) -> None:
    assert target.gsp_url is not None
    with open(g.path, "rb") as body:  # a file body: requests streams it with its Content-Length
        _request(session, "PUT", target.gsp_url, f"PUT <{g.name}>", target.timeout,
                 params={"graph": g.name}, data=body,
                 headers={"Content-Type": "application/n-triples"})


def _update_graph(session: requests.Session, target: Target, g: GraphFile) -> None:
    headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
    first = True
    for chunk in _chunks(g.path, target.chunk):
        drop = f"DROP SILENT GRAPH <{g.name}> ;\n" if first else ""  # the first chunk replaces atomically
        update = f"{drop}INSERT DATA {{ GRAPH <{g.name}> {{\n{chunk}}} }}"
        try:
            _request(session, "POST", target.update_url, f"UPDATE <{g.name}>", target.timeout,
                     data=update.encode("utf-8"), headers=headers)
        except _Failure as exc:
            if exc.fate == UNTOUCHED and not first:  # earlier chunks of this graph are in the store
                exc.fate = FAILED
            raise
        first = False
    if first:  # an empty graph: just drop it
        _request(session, "POST", target.update_url, f"UPDATE <{g.name}>", target.timeout,
                 data=f"DROP SILENT GRAPH <{g.name}>".encode(), headers=headers)


def count_graph(session: requests.Session, target: Target, name: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
    resp = _request(session, "POST", target.query_url, f"COUNT <{name}>", target.timeout,
                    data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    try:
        return int(resp.json()["results"]["bindings"][0]["n"]["value"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise _Failure(f"COUNT <{name}>: the store's answer is not SPARQL JSON results: {resp.text[:120]!r}",
                       "Check --query-endpoint (or the preset's query path).")


def publish(trig: Path, target: Target, store_label: str | None = None) -> PublishReport:
    """Replace every named graph of ``trig`` in the store and verify each one's triple count.
    Returns the report when every graph is verified; otherwise raises ``ServiceError`` whose
    ``report`` says which graph is in which state."""
    report = PublishReport(store_label or target.gsp_url or target.update_url, target.method)
    session = target.session()
    with tempfile.TemporaryDirectory(prefix="kg-publish-") as tmp:
        files = split_trig(Path(trig), Path(tmp))
        report.graphs = [GraphState(g.name, g.triples) for g in files]
        write = _put_graph if target.method == "gsp" else _update_graph
        for g, state in counted(zip(files, report.graphs), "upload graphs", len(files)):
            try:
                write(session, target, g)
            except _Failure as exc:
                state.state = exc.fate
                if exc.fate == FAILED:
                    state.detail = ("the store may hold part of it" if target.method == "update"
                                    else "the store may still hold its previous content")
                elif exc.fate == UNKNOWN:
                    state.detail = "sent, but no answer: the store may hold the new graph or its previous content" + (
                        " or part of the new one" if target.method == "update" else "")
                _raise(report, f"publishing to {report.store} failed at graph <{g.name}>: {exc}", exc.hint)
            state.state = "replaced"
    for state in report.graphs:
        try:
            state.found = count_graph(session, target, state.name)
        except _Failure as exc:
            _raise(report, f"verifying the graphs in {report.store} failed: {exc}", exc.hint)
        if state.found != state.triples:
            state.state = "mismatch"
    if not report.ok:
        bad = [g.name for g in report.graphs if g.state != "replaced"]
        _raise(report, f"the store holds a different number of triples than published in {len(bad)} graph(s)",
               "Another writer may be using the same graph names, or the store dropped triples; see its log.")
    return report


def _raise(report: PublishReport, message: str, hint: str) -> None:
    err = ServiceError(f"{message}\ngraphs:\n{report.text()}", hint=hint)
    err.report = report  # type: ignore[attr-defined]
    raise err from None


# ---------------------------------------------------------------- querying a remote store

def _declare_prefixes(sparql: str, prefixes: dict[str, str]) -> str:
    declared = {m.lower() for m in re.findall(r"(?im)^\s*PREFIX\s+([A-Za-z0-9_\-]*):", sparql)}
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items() if p.lower() not in declared)
    return head + sparql


def _term(b: dict) -> object:
    kind = b["type"]
    if kind == "uri":
        return ox.NamedNode(b["value"])
    if kind == "bnode":
        return ox.BlankNode(b["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in b:
            return ox.Literal(b["value"], language=b["xml:lang"])
        if "datatype" in b:
            return ox.Literal(b["value"], datatype=ox.NamedNode(b["datatype"]))
        return ox.Literal(b["value"])
    raise ValueError(f"unknown SPARQL JSON term type {kind!r}")


_JSON, _NT = "application/sparql-results+json", "application/n-triples"


def _form(sparql: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read by the query policy's tokenizer; None when the
    policy would refuse the query (the store then judges it)."""
    try:
        return check_query(sparql).form
    except KgError:
        return None


class RemoteStore:
    """``kg.store.Store`` over the SPARQL 1.1 Protocol: the standard prefixes are declared for
    the query, as the embedded store does."""

    def __init__(self, target: Target, prefixes: dict[str, str] | None = None) -> None:
        self.target = target
        self.session = target.session()
        self.prefixes = dict(PREFIXES if prefixes is None else prefixes)

    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> Result:
        data: list[tuple[str, str]] = [("query", _declare_prefixes(sparql, self.prefixes))]
        data += [("default-graph-uri", g) for g in default_graphs or []]
        data += [("named-graph-uri", g) for g in named_graphs or []]
        form = _form(sparql)
        # Ask for the one format the query's form has: a store that honours the first type of a list
        # (Virtuoso) would otherwise write a CONSTRUCT as a table of ?s ?p ?o.
        accept = {"SELECT": _JSON, "ASK": _JSON, "CONSTRUCT": _NT, "DESCRIBE": _NT}.get(
            form or "", "application/sparql-results+json, application/n-triples;q=0.9")
        try:
            resp = _request(self.session, "POST", self.target.query_url, "query", self.target.timeout,
                            data=data, headers={"Accept": accept})
        except _Failure as exc:
            if "HTTP 400" in str(exc):
                raise QueryError(str(exc)) from None
            raise ServiceError(str(exc), hint=exc.hint) from None
        ctype = resp.headers.get("Content-Type", "").split(";")[0].strip()
        if ctype == "application/sparql-results+json":
            doc = resp.json()
            if "boolean" in doc:
                return Result("ask", boolean=bool(doc["boolean"]))
            variables = tuple(doc["head"]["vars"])
            rows = tuple(tuple(_term(b[v]) if v in b else None for v in variables)
                         for b in doc["results"]["bindings"])
            if form == "ASK" and variables == ("__ASK_RETVAL",) and len(rows) == 1:  # Virtuoso 7.2's ASK
                return Result("ask", boolean=getattr(rows[0][0], "value", "0") not in ("0", "false"))
            return Result("select", variables=variables, rows=rows)
        fmt = ox.RdfFormat.from_media_type(ctype)
        if fmt is None:
            raise ServiceError(f"query: the store answered with an unexpected media type {ctype!r}")
        return Result("graph", triples=tuple(q.triple for q in ox.parse(resp.content, format=fmt)))


def with_timeout(target: Target, seconds: float) -> Target:
    return replace(target, timeout=(min(TIMEOUT[0], seconds), seconds))
