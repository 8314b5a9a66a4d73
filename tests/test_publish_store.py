"""`kg publish` against a real Oxigraph server (the `oxigraph` package's binary) on a free loopback
port, and against a small fake store that speaks the Graph Store Protocol and fails on purpose."""
from __future__ import annotations

import re

import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from kg.cli import main
from kg.errors import ServiceError
from kg.store import OxigraphStore
from kg.upload import RemoteStore, make_target, publish, split_trig, with_timeout
from skip_policy import tool

ROOT = Path(__file__).resolve().parent.parent
OXIGRAPH = tool("oxigraph")  # next to sys.executable: the virtual environment's bin/ need not be on PATH
needs_oxigraph = pytest.mark.skipif(OXIGRAPH is None, reason="the oxigraph server binary is not installed "
                                    "(pip install oxigraph, part of the test extra)")

#: Our own queries, asked alongside the cookbook (queries/*.rq) in the acceptance test.
OWN_QUERIES = {
    "classes": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "labels": "SELECT ?s ?label WHERE { ?s rdfs:label ?label }",
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "anchors": "SELECT ?x ?start ?exact WHERE { ?x prov:wasDerivedFrom ?a . ?a oa:hasSelector ?q, ?p . "
               "?q oa:exact ?exact . ?p oa:start ?start }",
    "ask": "ASK { ?s a schema:ScholarlyArticle }",
    "construct": "CONSTRUCT { ?s schema:name ?n } WHERE { ?s schema:name ?n }",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_oxigraph(folder: Path) -> Iterator[str]:
    """A real Oxigraph server with its data in ``folder``; the default graph is the union of the
    named graphs, like the embedded store. Its output is shown if it dies."""
    port = free_port()
    log = folder / "oxigraph.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(folder / "db"),  # type: ignore[list-item]
                                 "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"oxigraph exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
            try:
                requests.get(url + "query", params={"query": "ASK {}"}, timeout=1).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    pytest.fail(f"oxigraph did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    with running_oxigraph(tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=["mini", "real"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A build (the mini essay, or the real project) published once to its own Oxigraph server."""
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server binary is not installed")
    out = request.getfixturevalue("built_mini") / "output" if request.param == "mini" else request.getfixturevalue("real_build")
    with running_oxigraph(tmp_path_factory.mktemp(f"oxigraph-{request.param}")) as url:
        publish(out / "dataset.trig", make_target(url))
        yield out, url


def _key(term) -> tuple:  # noqa: ANN001
    """A term as comparable plain values; xsd:string and rdf:langString are implicit."""
    if term is None:
        return ("",)
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        implicit = dt.endswith(("#string", "#langString"))
        return ("literal", term.value, term.language or "", "" if implicit else dt)
    return (type(term).__name__, term.value)


_CONCAT = re.compile(r'separator\s*=\s*"([^"]*)"\s*\)\s+AS\s+\?(\w+)', re.I)


def answers(result, query: str = "") -> object:  # noqa: ANN001
    """A comparable form of a result; GROUP_CONCAT's order is unspecified in SPARQL, so its parts are sorted."""
    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return sorted((_key(t.subject), _key(t.predicate), _key(t.object)) for t in result.triples)
    concat = {var: sep for sep, var in _CONCAT.findall(query)}

    def cell(var: str, term) -> object:  # noqa: ANN001
        key = _key(term)
        if var in concat and term is not None:
            return (key[0], tuple(sorted(term.value.split(concat[var]))))
        return key

    return (result.variables, sorted(tuple(cell(v, t) for v, t in zip(result.variables, row)) for row in result.rows))


def cookbook() -> dict[str, str]:
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
    return {**queries, **{f"own-{k}": v for k, v in OWN_QUERIES.items()}}


def store_counts(url: str) -> dict[str, int]:
    store = RemoteStore(make_target(url))
    res = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]: int(row["n"]) for row in res.values()}


# ---------------------------------------------------------------- a real Oxigraph server

@needs_oxigraph
def test_publish_query_back_and_publish_again(built_mini: Path, oxigraph_server: str, tmp_path: Path) -> None:
    out = built_mini / "output"
    result = CliRunner().invoke(main, ["--root", str(built_mini), "-q", "publish", "--store", oxigraph_server,
                                       "--preset", "oxigraph"])
    assert result.exit_code == 0, result.output
    expected = {g.name: g.triples for g in split_trig(out / "dataset.trig", tmp_path)}
    assert set(expected) == {"https://w3id.org/arthur-kg/graph/ontology", "https://w3id.org/arthur-kg/graph/metadata",
                             "https://w3id.org/arthur-kg/graph/essay/mini"}
    for name, n in expected.items():
        assert f"replaced  <{name}>: {n} triples, store has {n}" in result.output
    assert store_counts(oxigraph_server) == expected

    # again, by SPARQL Update in small chunks: the graphs are replaced, not added to
    again = CliRunner().invoke(main, ["--root", str(built_mini), "-q", "publish", "--store", oxigraph_server,
                                      "--method", "update", "--chunk", "50"])
    assert again.exit_code == 0, again.output
    assert store_counts(oxigraph_server) == expected
    report = publish(out / "dataset.trig", make_target(oxigraph_server))
    assert report.ok and {g.name: g.found for g in report.graphs} == expected
    assert store_counts(oxigraph_server) == expected


@needs_oxigraph
@pytest.mark.parametrize("method", ["gsp", "update"])
def test_a_stale_triple_in_a_published_graph_is_replaced(built_mini: Path, oxigraph_server: str, method: str,
                                                        tmp_path: Path) -> None:
    """Publishing replaces each graph (by PUT, or by DROP + INSERT DATA in chunks); another graph of the store is left alone."""
    graph = "https://w3id.org/arthur-kg/graph/essay/mini"
    requests.post(oxigraph_server + "update", timeout=5,
                  data=f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x> <urn:y> <urn:z> }} GRAPH <urn:other> {{ <urn:a> <urn:b> <urn:c> }} }}",
                  headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    report = publish(built_mini / "output" / "dataset.trig", make_target(oxigraph_server, method=method, chunk=40))
    assert report.method == method and report.ok
    store = RemoteStore(make_target(oxigraph_server))
    assert not store.query("ASK { GRAPH ?g { <urn:x> ?p ?o } }").boolean
    assert store.query("ASK { GRAPH <urn:other> { <urn:a> <urn:b> <urn:c> } }").boolean
    expected = {g.name: g.triples for g in split_trig(built_mini / "output" / "dataset.trig", tmp_path)}
    assert store_counts(oxigraph_server) == {**expected, "urn:other": 1}


@needs_oxigraph
@pytest.mark.parametrize("name", sorted(cookbook()))
def test_the_store_answers_like_the_embedded_store(published: tuple[Path, str], name: str) -> None:
    out, url = published
    query = cookbook()[name]
    embedded = OxigraphStore.from_output(out).query(query)
    remote = RemoteStore(make_target(url)).query(query)
    assert remote.kind == embedded.kind
    assert answers(remote, query) == answers(embedded, query)
    if name.startswith("own-") and name != "own-ask":
        assert embedded.rows or embedded.triples, f"{name} should not be empty"


# ---------------------------------------------------------------- failures

def test_a_store_that_is_down(built_mini: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    result = CliRunner().invoke(main, ["--root", str(built_mini), "-q", "publish", "--store", url])
    assert result.exit_code == 3
    assert "cannot connect to the store" in result.output and "Connection refused" in result.output
    assert "hint: Is the store running?" in result.output
    assert "failed" not in result.output.split("graphs:")[1]  # nothing reached the store
    assert result.output.count("untouched <") == 3


class FakeStore:
    """Graph Store Protocol PUT and a COUNT query endpoint, in memory; ``fail`` maps the n-th PUT
    (1-based) to an HTTP status; ``user``/``password`` demand Basic authentication."""

    def __init__(self, fail: dict[int, int] | None = None, auth: str | None = None, drop: int = 0,
                 hang_up: frozenset[int] = frozenset(), stall: float = 0.0) -> None:
        self.fail = fail or {}
        self.hang_up = hang_up  # n-th PUTs the store applies, then closes the connection without answering
        self.stall = stall  # seconds the store waits after applying a PUT before it answers
        self.auth = auth
        self.drop = drop  # triples the store silently loses per graph
        self.graphs: dict[str, int] = {}
        self.puts = 0
        store = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

            def _send(self, status: int, body: bytes = b"", ctype: str = "text/plain") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self) -> bool:
                if store.auth is None or self.headers.get("Authorization") == store.auth:
                    return True
                self._send(401, b"Unauthorized")
                return False

            def do_PUT(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not self._authorised():
                    return
                store.puts += 1
                status = store.fail.get(store.puts)
                if status:
                    self._send(status, {413: b"Payload Too Large", 500: b"disk full"}.get(status, b"error"))
                    return
                graph = parse_qs(urlparse(self.path).query)["graph"][0]
                store.graphs[graph] = max(0, body.count(b" .\n") - store.drop)
                if store.puts in store.hang_up:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)  # written, but the answer never leaves
                    return
                time.sleep(store.stall)
                try:
                    self._send(204)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (stall)
                    pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                if not self._authorised():
                    return
                query = parse_qs(body)["query"][0]
                graph = query.split("GRAPH <", 1)[1].split(">", 1)[0]
                doc = {"head": {"vars": ["n"]}, "results": {"bindings": [
                    {"n": {"type": "literal", "value": str(store.graphs.get(graph, 0)),
                           "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}
                self._send(200, json.dumps(doc).encode(), "application/sparql-results+json")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeStore":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self.server.shutdown()
        self.server.server_close()


def _run(root: Path, url: str, *extra: str, env: dict[str, str] | None = None):  # noqa: ANN202
    return CliRunner(env=env).invoke(main, ["--root", str(root), "-q", "publish", "--store", url, *extra])


@pytest.mark.parametrize("status,message,hint", [
    (500, "HTTP 500 Internal Server Error: disk full", "see its log"),
    (413, "HTTP 413 Request Entity Too Large: Payload Too Large", "--method update with a smaller --chunk"),
])
def test_a_store_that_fails_mid_way(built_mini: Path, status: int, message: str, hint: str) -> None:
    with FakeStore(fail={2: status}) as fake:
        result = _run(built_mini, fake.url)
    assert result.exit_code == 3, result.output
    assert message in result.output and hint in result.output
    assert "failed at graph <https://w3id.org/arthur-kg/graph/essay/mini>" in result.output
    states = result.output.split("graphs:\n")[1]
    assert "replaced  <https://w3id.org/arthur-kg/graph/ontology>" in states
    assert "failed    <https://w3id.org/arthur-kg/graph/essay/mini>" in states
    assert "untouched <https://w3id.org/arthur-kg/graph/metadata>" in states
    assert list(fake.graphs) == ["https://w3id.org/arthur-kg/graph/ontology"]


def test_a_graph_written_before_the_connection_dropped_is_unknown_not_untouched(built_mini: Path) -> None:
    """The store applies the second PUT and drops the connection: that graph's fate is unknown (it was
    in fact written), never "untouched" with "is the store running?"."""
    mini = "https://w3id.org/arthur-kg/graph/essay/mini"
    with FakeStore(hang_up=frozenset({2})) as fake:
        result = _run(built_mini, fake.url)
    assert result.exit_code == 3, result.output
    assert fake.graphs[mini] > 0  # the store did write it
    assert "the connection to the store at " in result.output and "was lost after the request was sent" in result.output
    assert "Is the store running?" not in result.output
    assert "may have written the graph before the connection dropped" in result.output  # the hint
    states = result.output.split("graphs:\n")[1]
    assert "replaced  <https://w3id.org/arthur-kg/graph/ontology>" in states
    assert (f"unknown   <{mini}>: {fake.graphs[mini]} triples (sent, but no answer: the store may hold the new "
            "graph or its previous content)") in states
    assert "untouched <https://w3id.org/arthur-kg/graph/metadata>" in states


def test_a_store_that_does_not_answer_in_time_leaves_the_graph_unknown(built_mini: Path) -> None:
    with FakeStore(stall=1.5) as fake:
        with pytest.raises(ServiceError) as err:
            publish(built_mini / "output" / "dataset.trig", with_timeout(make_target(fake.url), 0.3))
    assert "sent no answer within 0.3 s (read_timeout); it may still apply the request" in str(err.value)
    assert [g.state for g in err.value.report.graphs] == ["unknown", "untouched", "untouched"]
    assert "https://w3id.org/arthur-kg/graph/ontology" in fake.graphs  # it was applied


def test_the_read_timeout_comes_from_kg_toml_and_the_flag_wins(built_mini: Path, tmp_path: Path) -> None:
    """[publish] read_timeout in kg.toml, then --read-timeout over it: the one time-out policy."""
    import shutil

    root = tmp_path / "project"
    shutil.copytree(built_mini, root)
    with open(root / "kg.toml", "a", encoding="utf-8") as fh:
        fh.write("\n[publish]\nread_timeout = 0.3\n")
    with FakeStore(stall=1.5) as fake:
        from_toml = _run(root, fake.url)
        from_flag = _run(root, fake.url, "--read-timeout", "0.2")
    assert from_toml.exit_code == 3 and "sent no answer within 0.3 s (read_timeout)" in from_toml.output
    assert from_flag.exit_code == 3 and "sent no answer within 0.2 s (read_timeout)" in from_flag.output


def test_unauthorised_then_authorised(built_mini: Path) -> None:
    secret = "Basic a2c6czNjcjN0"  # kg:s3cr3t
    with FakeStore(auth=secret) as fake:
        denied = _run(built_mini, fake.url)
        assert denied.exit_code == 3
        assert "HTTP 401" in denied.output and "KG_STORE_USER" in denied.output
        assert "failed    <https://w3id.org/arthur-kg/graph/ontology>" in denied.output
        by_env = _run(built_mini, fake.url, env={"KG_STORE_USER": "kg", "KG_STORE_PASSWORD": "s3cr3t"})
        assert by_env.exit_code == 0, by_env.output
        by_option = _run(built_mini, fake.url, "--user", "kg", "--password", "s3cr3t")
        assert by_option.exit_code == 0, by_option.output
        assert len(fake.graphs) == 3


def test_a_bearer_token_is_sent(built_mini: Path) -> None:
    with FakeStore(auth="Bearer t0ken") as fake:
        assert _run(built_mini, fake.url, env={"KG_STORE_TOKEN": "t0ken"}).exit_code == 0
        assert _run(built_mini, fake.url, "--token", "t0ken").exit_code == 0


def test_a_count_that_does_not_match_is_reported(built_mini: Path) -> None:
    with FakeStore(drop=1) as fake:
        with pytest.raises(ServiceError) as err:
            publish(built_mini / "output" / "dataset.trig", make_target(fake.url))
    assert "different number of triples" in str(err.value)
    assert all(g.state == "mismatch" and g.found == g.triples - 1 for g in err.value.report.graphs)


def test_presets_and_overrides() -> None:
    fuseki = make_target("http://h:3030/ds", "fuseki", environ={})
    assert (fuseki.query_url, fuseki.update_url, fuseki.gsp_url, fuseki.method) == (
        "http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/data", "gsp")
    graphdb = make_target("http://h:7200/repositories/kg/", "graphdb", environ={})
    assert graphdb.query_url == "http://h:7200/repositories/kg/"
    assert graphdb.gsp_url == "http://h:7200/repositories/kg/rdf-graphs/service"
    qlever = make_target("http://h:7001", "qlever", environ={"KG_STORE_TOKEN": "t"})
    assert (qlever.method, qlever.update_url, qlever.token) == ("update", "http://h:7001/", "t")
    virtuoso = make_target("http://h:8890/", "virtuoso", gsp="http://other/crud", environ={})
    assert virtuoso.gsp_url == "http://other/crud" and virtuoso.query_url == "http://h:8890/sparql"
    with pytest.raises(Exception, match="no Graph Store Protocol endpoint"):
        make_target("http://h:7001/", "qlever", method="gsp", environ={})


def test_every_named_graph_is_published_including_enrichments(built_mini: Path, tmp_path: Path) -> None:
    """A linker's graph/enrichment/* graphs go along with the others, without any configuration."""
    trig = tmp_path / "dataset.trig"
    extra = ('<https://w3id.org/arthur-kg/graph/enrichment/wikidata> {\n'
             '  <https://w3id.org/arthur-kg/id/person/leon-trotsky> '
             '<http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q33391> .\n}\n')
    trig.write_bytes((built_mini / "output" / "dataset.trig").read_bytes() + extra.encode())
    with FakeStore() as fake:
        report = publish(trig, make_target(fake.url))
    names = [g.name for g in report.graphs]
    assert names[0].endswith("/graph/ontology") and names[-1].endswith("/graph/metadata")
    assert fake.graphs["https://w3id.org/arthur-kg/graph/enrichment/wikidata"] == 1
    assert len(fake.graphs) == 4 and report.ok
