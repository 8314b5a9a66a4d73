"""The server's code driven in the test process: the Starlette app through starlette's TestClient
(request parsing, limits, negotiation, policy verdicts, error bodies, the service description, the
linked-data routes; the query workers are still child processes), and direct calls of the query
worker's ``execute``, of content negotiation and of the policy check. tests/test_server.py checks
the same behaviour over real HTTP; this file exists so that mutation testing (scripts/mutation,
docs/testing.md) sees the tests reach this code."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from starlette.testclient import TestClient

from kg.config import load_config
from kg.namespaces import PREFIXES
from kg.server import checker, negotiate as neg
from kg.server.app import ServeOptions, create_app
from kg.server.jobs import Job
from kg.server.worker import execute
from kg.store import OxigraphStore, load_published

BASE = "https://w3id.org/arthur-kg/"
TROTSKY = BASE + "id/person/leon-trotsky"
LABELS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = f"CONSTRUCT {{ <{TROTSKY}> ?p ?o }} WHERE {{ <{TROTSKY}> ?p ?o }}"
JSON_RESULTS = "application/sparql-results+json"
SD = "http://www.w3.org/ns/sparql-service-description#"
GRAPHS = [BASE + "graph/essay/mini", BASE + "graph/metadata", BASE + "graph/ontology"]
OPTIONS = ServeOptions(timeout=5.0, max_rows=500, max_bytes=200_000, max_request=4096, workers=1)


@pytest.fixture(scope="module")
def client(built_mini: Path):
    app = create_app(load_config(built_mini), options=OPTIONS)
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture(scope="module")
def store(built_mini: Path) -> ox.Store:
    """The published TriG as the query workers load it (the default graph is the merge)."""
    return load_published(built_mini / "output" / "dataset.trig")


def merged_triples(store: ox.Store) -> int:
    """The triples of the merged default graph: what a query's default graph holds."""
    return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def err(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"error", "message", "hint"} and body["error"] == code, body
    return body


def get(client: TestClient, query: str, accept: str = JSON_RESULTS, **params):
    return client.get("/sparql", params={"query": query, **params}, headers={"Accept": accept})


def n_of(r) -> int:
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# --- queries through the app ------------------------------------------------------------------
def test_first_requests_post_body_and_headers(client: TestClient) -> None:
    """The first test to use ``client`` builds the app (create_app, the middleware): mutation testing
    runs only this test for mutants there, so it covers a POST body read through the middleware."""
    r = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "application/sparql-query",
                                                           "Accept": JSON_RESULTS})
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"].count("default-src") == 1
    err(client.post("/query", content=b"x"), 405, "method_not_allowed")
    err(client.post("/", content=b"x"), 405, "method_not_allowed")
    assert client.get("/query").status_code == 200


def test_select_json_with_headers(client: TestClient) -> None:
    r = get(client, LABELS)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    assert r.headers["vary"].split(", ")[0] == "Accept"
    assert "default-src" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    rows = {b["s"]["value"]: b["l"]["value"] for b in r.json()["results"]["bindings"]}
    assert rows[TROTSKY] == "Leon Trotsky"


def test_post_form_and_direct_body_answer_like_get(client: TestClient) -> None:
    g = get(client, LABELS).json()
    form = client.post("/sparql", data={"query": LABELS}, headers={"Accept": JSON_RESULTS})
    direct = client.post("/sparql", content=LABELS.encode(), headers={
        "Accept": JSON_RESULTS, "Content-Type": "application/sparql-query; charset=UTF-8"})
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json() == g


def test_construct_as_turtle(client: TestClient) -> None:
    r = get(client, CONSTRUCT, "text/turtle")
    assert r.status_code == 200 and r.headers["content-type"] == "text/turtle; charset=utf-8"
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(TROTSKY), URIRef("https://schema.org/name"), None) in g


def test_ask_as_csv(client: TestClient) -> None:
    r = get(client, f"ASK {{ <{TROTSKY}> ?p ?o }}", "text/csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "true" in r.text


def test_default_and_named_graph_parameters(client: TestClient) -> None:
    q = f"ASK {{ <{TROTSKY}> ?p ?o }}"
    assert get(client, q, **{"default-graph-uri": BASE + "graph/ontology"}).json()["boolean"] is False
    assert get(client, q, **{"default-graph-uri": BASE + "graph/essay/mini"}).json()["boolean"] is True
    r = get(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": BASE + "graph/ontology"})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [BASE + "graph/ontology"]
    body = err(get(client, COUNT, **{"named-graph-uri": "http://example.org/g"}), 400, "unknown_graph")
    assert "<http://example.org/g>" in body["message"]


def test_from_a_local_graph_counts_fewer_triples(client: TestClient) -> None:
    total = n_of(get(client, COUNT))
    local = n_of(get(client, f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/ontology> WHERE {{ ?s ?p ?o }}"))
    assert 0 < local < total
    err(get(client, "SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }"), 400, "unknown_graph")


def test_relative_iri_resolves_against_the_endpoint(client: TestClient) -> None:
    r = get(client, "SELECT ?x WHERE { BIND(<rel> AS ?x) }")
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "http://testserver/rel"


def test_row_limit_gives_422(client: TestClient) -> None:
    body = err(get(client, "SELECT * WHERE { ?s ?p ?o }"), 422, "result_too_large")
    assert "500 rows" in body["message"]


# --- refusals and errors ------------------------------------------------------------------------
def test_policy_refusals_have_their_status(client: TestClient) -> None:
    err(get(client, "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"), 403, "update_refused")
    body = err(get(client, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), 403, "service_refused")
    assert body["message"] == ("federated queries (SERVICE) are not allowed: this endpoint never makes outbound "
                               "requests")
    assert body["hint"] == "Query the other endpoint yourself and combine the results."
    err(get(client, "SELEKT * WHERE { ?s ?p ?o }"), 400, "malformed_query")


@pytest.mark.parametrize("name", ["update", "using-graph-uri", "using-named-graph-uri"])
def test_update_parameters_are_refused(client: TestClient, name: str) -> None:
    err(client.post("/sparql", data={name: "x", "query": COUNT}), 403, "update_refused")


def test_sparql_update_media_type_refused(client: TestClient) -> None:
    err(client.post("/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}),
        403, "update_refused")


def test_unknown_post_media_type(client: TestClient) -> None:
    body = err(client.post("/sparql", content=COUNT.encode(), headers={"Content-Type": "text/plain"}),
               415, "unsupported_media_type")
    assert "not text/plain" in body["message"]
    body = err(client.post("/sparql", content=COUNT.encode(), headers={"Content-Type": ""}), 415, "unsupported_media_type")
    assert "without a Content-Type" in body["message"]


def test_query_in_body_and_parameter(client: TestClient) -> None:
    r = client.post("/sparql?query=ASK%7B%7D", content=COUNT.encode(), headers={"Content-Type": "application/sparql-query"})
    assert "both in the body" in err(r, 400, "bad_request")["message"]


def test_two_query_parameters(client: TestClient) -> None:
    r = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    body = err(r, 400, "bad_request")
    assert (body["message"], body["hint"]) == ("more than one query parameter", "Send exactly one query.")


def test_method_not_allowed_names_the_methods(client: TestClient) -> None:
    r = client.put("/sparql", content=b"x")
    body = err(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET, HEAD, POST"
    assert "PUT" in body["message"]


def test_request_size_limits(client: TestClient) -> None:
    big = "ASK {} #" + "x" * 5000
    body = err(get(client, big), 413, "request_too_large")
    assert "limit of 4096" in body["message"]
    body = err(client.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"}),
               413, "request_too_large")
    assert f"{len(big)} bytes" in body["message"]
    # exactly the limit is allowed: a body of 4096 bytes is read (and here is a valid query)
    ok = ("ASK {} #" + "x" * 4096)[:4096]
    assert client.post("/sparql", content=ok.encode(), headers={"Content-Type": "application/sparql-query",
                                                                "Accept": JSON_RESULTS}).status_code == 200
    body = err(client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "application/sparql-query",
                                                                   "Content-Length": "abc"}), 400, "bad_request")
    assert body["message"] == "Content-Length is not a number"


def test_streamed_body_over_the_limit(client: TestClient) -> None:
    def chunks():
        for _ in range(5):
            yield b"#" + b"x" * 999
    r = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert "5000 bytes" in err(r, 413, "request_too_large")["message"] or r.status_code == 413


def test_bad_encodings(client: TestClient) -> None:
    body = err(client.post("/sparql", content="ASK {}".encode("utf-16"),
                           headers={"Content-Type": "application/sparql-query"}), 400, "bad_encoding")
    assert "not valid UTF-8" in body["message"] and body["hint"] == "Send the query as UTF-8."
    body = err(client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "application/sparql-query; charset=latin-1"}),
               400, "bad_encoding")
    assert "charset='latin-1'" in body["message"]
    assert client.post("/sparql", content=b"ASK {}", headers={"Content-Type": 'application/sparql-query; charset="utf8"',
                                                              "Accept": JSON_RESULTS}).json()["boolean"] is True
    body = err(client.get("/sparql?query=ASK%FF"), 400, "bad_encoding")
    assert "query string" in body["message"]
    body = err(client.post("/sparql", content=b"query=ASK%FF", headers={"Content-Type": "application/x-www-form-urlencoded"}),
               400, "bad_encoding")
    assert "form body" in body["message"]


def test_not_acceptable(client: TestClient) -> None:
    body = err(get(client, LABELS, "image/png"), 406, "not_acceptable")
    assert "SELECT" in body["message"] and JSON_RESULTS in body["hint"]
    body = err(get(client, CONSTRUCT, "text/csv"), 406, "not_acceptable")
    assert "text/turtle" in body["hint"]
    body = err(client.get("/sparql", headers={"Accept": "image/png"}), 406, "not_acceptable")
    assert body["hint"] == "Accept one of: text/turtle, application/ld+json, application/n-triples, application/rdf+xml"


# --- the service description ---------------------------------------------------------------------
def test_service_description(client: TestClient, store: ox.Store) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert r.headers["vary"].split(", ")[0] == "Accept"
    g = Graph().parse(data=r.text, format="turtle")
    svc = URIRef("http://testserver/sparql#service")
    assert (svc, URIRef(SD + "endpoint"), URIRef("http://testserver/sparql")) in g
    names = sorted(str(o) for o in g.objects(None, URIRef(SD + "name")))
    assert names == GRAPHS
    ng0 = URIRef("http://testserver/sparql#named-graph-0")
    assert (ng0, URIRef(SD + "name"), URIRef(GRAPHS[0])) in g
    void = "http://rdfs.org/ns/void#"
    triples = g.value(URIRef("http://testserver/sparql#default-graph"), URIRef(void + "triples"))
    assert int(triples) == merged_triples(store)
    ds = URIRef("http://testserver/sparql#dataset")
    assert (ds, URIRef("http://purl.org/dc/terms/source"), URIRef(BASE + "id/dataset")) in g  # the dataset IRI that exists
    desc = str(g.value(svc, URIRef("http://purl.org/dc/terms/description")))
    assert "timeout 5.0, max_rows 500, max_bytes 200000, max_request 4096, workers 1" in desc
    assert "host" not in desc and "port" not in desc
    formats = {str(o).rsplit("/", 1)[1] for o in g.objects(svc, URIRef(SD + "resultFormat"))}
    assert formats == {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                       "Turtle", "JSON-LD", "N-Triples", "RDF_XML"}
    assert (svc, URIRef(SD + "feature"), URIRef(SD + "UnionDefaultGraph")) in g


# --- linked data, dumps, pages --------------------------------------------------------------------
def test_resource_negotiated(client: TestClient) -> None:
    r = client.get("/id/person/leon-trotsky", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert r.headers["vary"].split(", ")[0] == "Accept"
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(TROTSKY), URIRef("https://schema.org/name"), None) in g
    html = client.get("/id/person/leon-trotsky", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.headers["content-type"] == "text/html; charset=utf-8"
    assert "Leon Trotsky" in html.text
    err(client.get("/id/person/leon-trotsky", headers={"Accept": "image/png"}), 406, "not_acceptable")


def test_resource_suffix_and_missing(client: TestClient) -> None:
    r = client.get("/id/person/leon-trotsky.nt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-triples")
    assert f"<{TROTSKY}> <https://schema.org/name>" in r.text
    body = err(client.get("/id/person/nobody"), 404, "not_found")
    assert body["message"] == f"<{BASE}id/person/nobody> is not a resource of this dataset"
    assert body["hint"] == "The landing page (/) lists the kinds of resources; /sparql finds them."
    err(client.get("/id/person/nobody.ttl"), 404, "not_found")
    err(client.get("/id/person/leon-trotsky.png"), 404, "not_found")
    err(client.get("/id/a%20b"), 404, "not_found")


def test_dumps(client: TestClient, built_mini: Path) -> None:
    r = client.get("/dumps/dataset.trig")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/trig")
    assert r.content == (built_mini / "output" / "dataset.trig").read_bytes()
    ttl = client.get("/dumps/dataset.ttl")
    assert ttl.headers["content-type"].startswith("text/turtle")
    assert client.get("/dumps/dataset.ttl.gz").headers["content-type"] == "application/gzip"
    err(client.get("/dumps/nothing.ttl"), 404, "not_found")


@pytest.fixture(scope="module")
def built_with_reading_order(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project with a reading order, so that the build also publishes the TEI edition
    (``essay.tei.xml``, a dump of its own media type) and ``annotations.jsonld``."""
    from conftest import make_project
    from kg.pipeline import build
    from test_reader import MINI_ORDER

    root = make_project(tmp_path_factory.mktemp("tei") / "project")
    (root / "data" / "essays" / "mini" / "reading-order.txt").write_text(MINI_ORDER, encoding="utf-8")
    build(load_config(root))
    return root


def test_every_dump_has_its_media_type(built_with_reading_order: Path) -> None:
    out = built_with_reading_order / "output"
    c = TestClient(create_app(load_config(built_with_reading_order), options=OPTIONS))  # no lifespan: no workers
    expected = {"dataset.ttl": "text/turtle", "dataset.nt": "application/n-triples", "dataset.trig": "application/trig",
                "dataset.jsonld": "application/ld+json", "annotations.jsonld": "application/ld+json",
                "dataset.ttl.gz": "application/gzip", "essay.tei.xml": "application/tei+xml"}
    for name, media in expected.items():
        r = c.get(f"/dumps/{name}")
        assert r.status_code == 200, name
        assert r.headers["content-type"].split(";")[0] == media, name
        assert r.content == (out / name).read_bytes()
    assert r.text.startswith("<?xml") and "http://www.tei-c.org/ns/1.0" in r.text


def test_pages_and_health(client: TestClient, store: ox.Store) -> None:
    for path in ("/", "/query"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    h = client.get("/health").json()
    note = h.pop("triples_note")
    assert h == {"status": "ok", "triples": merged_triples(store), "data_triples": h["data_triples"], "workers": 1,
                 "workers_killed": 0}
    assert 0 < h["data_triples"] < h["triples"] and "COUNT(*)" in note
    body = err(client.get("/no/such/file.css"), 404, "not_found")
    assert body["hint"] == "The landing page (/) links everything this server offers."
    err(client.get("/read/.hidden"), 404, "not_found")
    err(client.get("/read/nothing"), 404, "not_found")


def test_cors(client: TestClient) -> None:
    r = client.get("/health", headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    # (header names ignore case, in these lists too)
    assert {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")} == {
        "content-type", "content-length"}
    assert "access-control-allow-credentials" not in r.headers  # no cookies: any origin may read
    # a browser's preflight for a POST of a query from another origin
    pre = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "Content-Type"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "*"
    assert pre.headers["access-control-allow-methods"] == "GET, POST, OPTIONS"
    assert {h.strip().lower() for h in pre.headers["access-control-allow-headers"].split(",")} >= {"accept", "content-type"}
    refused = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "PUT"})
    assert refused.status_code == 400 and "method" in refused.text.lower()


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_every_other_method_on_sparql_gets_our_405(client: TestClient, method: str) -> None:
    """The route takes every method so that the answer is ours: 405 in the one error shape, with the
    methods the endpoint does allow (not the router's list, which would name PUT and the others)."""
    r = client.request(method, "/sparql", content=b"ASK {}")
    body = err(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET, HEAD, POST"
    assert body["message"] == f"{method} is not allowed on /sparql"


def test_an_unexpected_error_is_a_500_in_the_one_shape(built_mini: Path) -> None:
    app = create_app(load_config(built_mini), options=OPTIONS)
    app.state.kg.pool = None  # /health reads the pool: AttributeError, a bug as far as the client knows
    r = TestClient(app, raise_server_exceptions=False).get("/health")
    body = err(r, 500, "internal_error")
    assert body["message"] == "AttributeError: 'NoneType' object has no attribute 'workers'"
    assert body["hint"] == "This is a bug; please report it."


# --- the worker's execute, in-process -------------------------------------------------------------
def job(query: str, **kw) -> Job:
    return Job(query, kw.pop("result_format", "json"), kw.pop("graph_format", "turtle"), **kw)


def test_execute_select_ask_construct(store: ox.Store) -> None:
    prefixes = dict(PREFIXES)
    ok, kind, fmt, body = execute(OxigraphStore(store), prefixes, job(LABELS))
    assert (ok, kind, fmt) == ("ok", "select", "json")
    assert json.loads(body)["head"]["vars"] == ["s", "l"]
    assert execute(OxigraphStore(store), prefixes, job("ASK {}", result_format="csv"))[:3] == ("ok", "ask", "csv")
    ok, kind, fmt, body = execute(OxigraphStore(store), prefixes, job(CONSTRUCT, graph_format="ntriples"))
    assert (ok, kind, fmt) == ("ok", "graph", "ntriples")
    assert len(Graph().parse(data=body, format="nt")) > 3


def test_execute_limits(store: ox.Store) -> None:
    # exactly max_rows rows are allowed; one more is refused
    n = len(list(store.query(f"SELECT ?o WHERE {{ <{TROTSKY}> ?p ?o }}")))
    q = f"SELECT ?o WHERE {{ <{TROTSKY}> ?p ?o }}"
    assert execute(OxigraphStore(store), {}, job(q, max_rows=n))[0] == "ok"
    r = execute(OxigraphStore(store), {}, job(q, max_rows=n - 1))
    assert r[:3] == ("error", 422, "result_too_large") and f"more than {n - 1} rows" in r[3]
    assert r[4] == "Add LIMIT (and ORDER BY with OFFSET to page), or aggregate with COUNT."
    c = f"CONSTRUCT {{ <{TROTSKY}> ?p ?o }} WHERE {{ <{TROTSKY}> ?p ?o }}"
    assert execute(OxigraphStore(store), {}, job(c, max_rows=n))[0] == "ok"
    assert execute(OxigraphStore(store), {}, job(c, max_rows=n - 1))[:3] == ("error", 422, "result_too_large")
    body = execute(OxigraphStore(store), {}, job(q))[3]
    assert execute(OxigraphStore(store), {}, job(q, max_bytes=len(body)))[0] == "ok"
    r = execute(OxigraphStore(store), {}, job(q, max_bytes=len(body) - 1))
    assert r[:3] == ("error", 422, "result_too_large") and f"the answer is {len(body)} bytes" in r[3]
    assert r[4] == "Add LIMIT, select fewer variables, or download the dumps."


def test_execute_graphs_prefixes_base_and_errors(store: ox.Store) -> None:
    q = f"ASK {{ <{TROTSKY}> ?p ?o }}"
    assert json.loads(execute(OxigraphStore(store), {}, job(q, default_graphs=(GRAPHS[2],)))[3])["boolean"] is False
    assert json.loads(execute(OxigraphStore(store), {}, job(q, default_graphs=(GRAPHS[0],)))[3])["boolean"] is True
    r = execute(OxigraphStore(store), {}, job("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=(GRAPHS[2],)))
    assert [b["g"]["value"] for b in json.loads(r[3])["results"]["bindings"]] == [GRAPHS[2]]
    r = execute(OxigraphStore(store), {"kgp": BASE + "id/"}, job("ASK { kgp:person\\/leon-trotsky ?p ?o }"))
    assert r[0] == "ok" and json.loads(r[3])["boolean"] is True
    r = execute(OxigraphStore(store), {}, job("SELECT ?x WHERE { BIND(<y> AS ?x) }", base_iri="http://h/sparql"))
    assert json.loads(r[3])["results"]["bindings"][0]["x"]["value"] == "http://h/y"
    bad = execute(OxigraphStore(store), {}, job("SELEKT"))
    assert bad[:3] == ("error", 400, "malformed_query") and bad[3].startswith("malformed query: ")


# --- negotiation ----------------------------------------------------------------------------------
@pytest.mark.parametrize("header,expected", [
    (None, "json"), ("", "json"), ("*/*", "json"), ("text/csv", "csv"),
    ("text/csv;q=0.5, application/sparql-results+xml", "xml"),
    ("text/*", "xml"), ("text/csv;q=0, text/xml;q=0, text/*", "tsv"), ("image/png", None),
    ("text/csv; q=abc, text/tab-separated-values;q=0.1", "tsv"),
    ("TEXT/CSV", "csv"), (" , ", "json"), ("text/csv;q=2, application/json;q=0.9", "csv"),
    ("application/sparql-results+xml, text/csv", "xml"),
])
def test_result_format(header: str | None, expected: str | None) -> None:
    assert neg.result_format(header) == expected


def test_negotiation_details() -> None:
    assert neg.parse_accept("text/csv;q=0.5;x=1, text/html") == [("text/csv", 0.5, 0), ("text/html", 1.0, 1)]
    assert neg.parse_accept("a/b;Q=0.3") == [("a/b", 0.3, 0)]
    assert neg.graph_format("application/ld+json") == "jsonld"
    assert neg.graph_format("*/*") == "turtle"
    assert neg.negotiate("text/html;q=0.9, */*;q=0.1", neg.RESOURCE_TYPES) == "html"
    assert neg.negotiate("*/*;q=0.1, text/turtle", neg.RESOURCE_TYPES) == "turtle"
    assert neg.negotiate("text/*;q=0.2, text/turtle;q=0.9", neg.RESOURCE_TYPES) == "turtle"
    assert neg.media_type("json") == "application/sparql-results+json; charset=utf-8"
    assert neg.media_type("rdfxml") == "application/rdf+xml"
    assert neg.media_type("html") == "text/html; charset=utf-8"
    with pytest.raises(KeyError):
        neg.media_type("png")


# --- the policy check the checker processes run ---------------------------------------------------
def test_checker_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(checker._STATE, "graphs", frozenset(GRAPHS))
    monkeypatch.setitem(checker._STATE, "prefixes", {"kgp": BASE + "id/", "g": BASE + "graph/"})
    assert checker.check("SELECT * FROM g:ontology WHERE { ?s ?p ?o }", None)[0] == "ok"  # the prefixes are used
    ok = checker.check(f"SELECT * FROM <{GRAPHS[0]}> WHERE {{ kgp:x ?p ?o }}", None)
    assert ok[0] == "ok" and ok[1].form == "SELECT"
    refused = checker.check("SELECT * FROM <http://e/g> WHERE { ?s ?p ?o }", None)
    assert refused[:3] == ("refused", "policy", "unknown_graph") and refused[4]
    bad = checker.check("ASK {}\x00", None)
    assert bad[:3] == ("refused", "malformed", "malformed_query") and bad[3]


# --- the time limit and the pool ------------------------------------------------------------------
CUBED = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_timeout_kills_the_worker_and_a_new_one_answers(built_mini: Path) -> None:
    import time

    opts = ServeOptions(timeout=1.0, workers=1)
    with TestClient(create_app(load_config(built_mini), options=opts)) as c:
        started = time.monotonic()
        body = err(get(c, CUBED), 503, "query_timeout")
        assert body["message"] == "the query ran longer than the limit of 1 s and was stopped"
        assert body["hint"] == "Make it more selective (bind variables, add LIMIT) or raise `kg serve --timeout`."
        assert time.monotonic() - started < 8
        assert c.get("/health").json()["workers_killed"] == 1
        deadline = time.monotonic() + 60
        r = get(c, COUNT)
        while r.status_code == 503 and r.json()["error"] == "busy":  # until the replacement is ready
            assert time.monotonic() < deadline
            r = get(c, COUNT)
        assert n_of(r) > 0
        health = c.get("/health").json()
        assert (health["workers"], health["workers_killed"]) == (1, 1)


# --- one store: /health, the service description and the default graph agree -------------------
def test_health_service_description_and_the_default_graph_count_the_same_triples(tmp_path: Path) -> None:
    """Two essays share resources, so their named graphs hold more quads (1,017 when written) than
    their merge, the default graph every query sees, holds triples (1,001): the server counts
    through the store interface (kg.store.OxigraphStore) like its query workers, so /health, the
    service description, COUNT(*) and `kg query`'s store all give the merge's count. The expected
    count is the set of the dump's (s, p, o), read by rdflib: not by the code under test."""
    from conftest import make_project
    from kg.pipeline import build
    from rdflib import Dataset

    root = make_project(tmp_path / "two", "two-essays")
    build(load_config(root))
    ds = Dataset()
    ds.parse(root / "output" / "dataset.trig", format="trig")
    quads = list(ds.quads((None, None, None, None)))
    distinct = len({(s, p, o) for s, p, o, _ in quads})
    assert len(quads) > distinct > 500  # a shared triple is held once per graph
    with TestClient(create_app(load_config(root), options=OPTIONS), base_url="http://testserver") as c:
        assert c.get("/health").json()["triples"] == distinct
        assert n_of(get(c, COUNT)) == distinct
        g = Graph().parse(data=c.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
        void = URIRef("http://rdfs.org/ns/void#triples")
        assert int(g.value(URIRef("http://testserver/sparql#default-graph"), void)) == distinct
        # the pages read the same merged graph: a resource's description holds each triple once
        trotsky = c.get("/id/person/leon-trotsky", headers={"Accept": "application/n-triples"}).text.splitlines()
        assert len(trotsky) == len(set(trotsky)) > 3
    assert len(OxigraphStore.from_output(root / "output")) == distinct  # what `kg query` counts
# --- the parts that run in other processes, called here with their edges replaced ------------------
def test_serve_runs_uvicorn_with_h11_and_a_large_enough_buffer(built_mini: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """``kg serve``'s last step, without binding a socket: the app serves the output folder asked
    for, with h11 and a request buffer large enough for the app to answer an oversized GET with 413
    (docs/serving.md), quietly (warnings only, no access log)."""
    import shutil

    import uvicorn

    from kg.server.app import serve

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    other = tmp_path / "elsewhere"
    shutil.copytree(built_mini / "output", other)
    serve(load_config(built_mini), other, ServeOptions(host="127.0.0.2", port=8123, max_request=2 * 1024 * 1024))
    [(app, kw)] = calls
    assert app.state.kg.output == other
    assert app.state.kg.options.max_request == 2 * 1024 * 1024  # the app enforces the limits asked for
    assert kw == {"host": "127.0.0.2", "port": 8123, "log_level": "warning", "access_log": False, "http": "h11",
                  "h11_max_incomplete_event_size": 8 * 1024 * 1024, "timeout_graceful_shutdown": 2}
    serve(load_config(built_mini))  # the defaults: the configured output, 127.0.0.1:8000, a 4 MB buffer
    app, kw = calls[1]
    assert app.state.kg.output == built_mini / "output"
    assert (kw["host"], kw["port"], kw["h11_max_incomplete_event_size"]) == ("127.0.0.1", 8000, 4 * 1024 * 1024)
    assert app.state.kg.options == ServeOptions()


def test_checker_process_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a checker process does first: it ends with the server, gives up the network, then holds
    the graphs and prefixes the policy checks against."""
    import kg.sandbox

    done = []
    monkeypatch.setattr(kg.sandbox, "end_with_parent", lambda: done.append("end_with_parent"))
    monkeypatch.setattr(kg.sandbox, "deny_network", lambda *a, **k: done.append("deny_network"))
    monkeypatch.setattr(checker, "_STATE", {})
    checker._init([GRAPHS[1], GRAPHS[0]], {"g": BASE + "graph/"})
    assert done == ["end_with_parent", "deny_network"]
    assert checker._STATE == {"graphs": frozenset(GRAPHS[:2]), "prefixes": {"g": BASE + "graph/"}}
    assert checker.check("SELECT * FROM g:metadata WHERE { ?s ?p ?o }", None)[0] == "ok"
    assert checker.check("SELECT * FROM g:ontology WHERE { ?s ?p ?o }", None)[:3] == ("refused", "policy", "unknown_graph")


def test_worker_main_loop(built_mini: Path, store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A query worker's life, in this process: it loads the dump, gives up the network, says it is
    ready with its number of quads, answers each job in order (an exception as a 500 reply, not a
    crash) and returns when the server's end closes."""
    import os
    import signal
    import socket
    from multiprocessing.connection import Connection

    import kg.sandbox
    from kg.server import worker

    done = []
    monkeypatch.setattr(kg.sandbox, "deny_network", lambda *a, **k: done.append("deny_network"))
    monkeypatch.setattr(signal, "signal", lambda sig, handler: done.append((sig, handler)))
    ours, theirs = socket.socketpair()
    with Connection(os.dup(ours.fileno()), readable=False) as send:
        send.send(job("ASK {}"))
        send.send(job("ASK {}", default_graphs=("not an IRI",)))  # refused by the store: a 400 reply, not a crash
        send.send(job(COUNT))
        send.send("not a job")  # what execute cannot read: a 500 reply, and the worker keeps serving
    ours.shutdown(socket.SHUT_WR)  # the server closes its end: the worker returns after the jobs
    conn = Connection(theirs.detach())
    worker._worker_main(conn, str(built_mini / "output" / "dataset.trig"), {})
    conn.close()
    assert done == [(signal.SIGINT, signal.SIG_IGN), "deny_network"]
    recv = Connection(ours.detach(), writable=False)
    assert recv.recv() == ("ready", merged_triples(store))  # the merged default graph, as /health counts
    assert recv.recv() == ("ok", "ask", "json", execute(OxigraphStore(store), {}, job("ASK {}"))[3])
    broken = recv.recv()
    assert broken[:3] == ("error", 400, "query_failed") and "Invalid IRI" in broken[3]
    assert recv.recv() == execute(OxigraphStore(store), {}, job(COUNT))
    crashed = recv.recv()
    assert crashed[:3] == ("error", 500, "internal_error") and crashed[3].startswith("AttributeError: ")
    assert crashed[4] is None
    with pytest.raises(EOFError):  # nothing more than one reply per job
        recv.recv()
    recv.close()


def test_missing_site_pages_are_404_saying_to_build(built_mini: Path, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "output"
    shutil.copytree(built_mini / "output", out)
    (out / "site" / "index.html").unlink()
    (out / "site" / "query.html").unlink()
    c = TestClient(create_app(load_config(built_mini), out, OPTIONS))
    for path, name in (("/", "index.html"), ("/query", "query.html")):
        body = err(c.get(path), 404, "not_found")
        assert body["message"] == f"no {name} in {out / 'site'}"
        assert body["hint"] == "Run `kg build`: it writes the site."


def test_an_unreadable_site_file_is_401_in_the_one_shape(built_mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Starlette's static files answer a file they may not read with its own HTTPException (401):
    the app still answers in its error shape, with a code for a status it has no name for."""
    from starlette.staticfiles import StaticFiles

    def refuse(self, path):  # noqa: ANN001, ANN202
        raise PermissionError(path)
    monkeypatch.setattr(StaticFiles, "lookup_path", refuse)
    c = TestClient(create_app(load_config(built_mini), options=OPTIONS))
    body = err(c.get("/style.css"), 401, "http_error")
    assert body["message"] == "Unauthorized"
    assert body["hint"] == "The landing page (/) links everything this server offers."


def test_every_worker_busy_is_503_with_retry_after(built_mini: Path) -> None:
    """With its one worker killed at the time limit and no replacement coming, the next query
    waits the time limit for a worker, then gets 503 ``busy`` and when to retry."""
    with TestClient(create_app(load_config(built_mini), options=ServeOptions(timeout=1.0, workers=1))) as c:
        c.app.state.kg.pool._replace = lambda: None  # the replacement never comes
        err(get(c, CUBED), 503, "query_timeout")
        r = get(c, COUNT)
        body = err(r, 503, "busy")
        assert body["message"] == "every query worker stayed busy past the time limit"
        assert body["hint"] == "Retry in a few seconds."
        assert r.headers["retry-after"] == "2"


def test_a_short_query_is_checked_while_a_long_check_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy check has a lane for short queries and one for long ones: a short query's answer
    does not wait for a long query's check (here the long lane is held until the short one is done)."""
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setitem(checker._STATE, "graphs", frozenset(GRAPHS))
    monkeypatch.setitem(checker._STATE, "prefixes", {})
    pool = checker.CheckPool(GRAPHS, {})
    pool.lanes = [ThreadPoolExecutor(1), ThreadPoolExecutor(1)]  # threads in this process, not sandboxed children
    held = threading.Event()
    pool.lanes[1].submit(held.wait, 30)  # a long query's check, still running
    long_query = "ASK {} #" + "x" * checker.SMALL

    async def scenario() -> tuple:
        long_check = asyncio.ensure_future(pool.check(long_query, None))
        short = await asyncio.wait_for(pool.check("ASK {}", None), 10)
        waiting = long_check.done()
        held.set()
        return short, waiting, await asyncio.wait_for(long_check, 10)
    try:
        short, waiting, long_verdict = asyncio.run(scenario())
    finally:
        held.set()
        for lane in pool.lanes:
            lane.shutdown(wait=True)
    assert short[0] == "ok" and short[1].form == "ASK"
    assert waiting is False  # the long one was still queued behind the held check
    assert long_verdict[0] == "ok" and long_verdict[1].query == long_query
    assert len("ASK {}") <= checker.SMALL < len(long_query)


# --- routes of their own: the HTML 404 and its suggestions, /graph/..., --base-url ---------------
# Each test builds its own app (no lifespan: no query workers) so that mutation testing sees it call
# create_app and App.__init__: a module fixture's set-up is counted for its first test only.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what browsers send


@pytest.fixture
def fresh(built_mini: Path) -> TestClient:
    return TestClient(create_app(load_config(built_mini), options=OPTIONS), base_url="http://testserver")


@pytest.fixture
def local(built_mini: Path) -> TestClient:
    """The app of ``kg serve --base-url http://testserver/``: the dataset's IRIs answered as local ones."""
    opts = ServeOptions(timeout=5.0, workers=1, base_url="http://testserver/")
    return TestClient(create_app(load_config(built_mini), options=opts), base_url="http://testserver")


def test_a_browser_gets_an_html_404_with_suggestions(fresh: TestClient) -> None:
    r = fresh.get("/id/person/leon-trotksy", headers={"Accept": BROWSER})  # a typo
    assert r.status_code == 404
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["vary"].split(", ")[0] == "Accept"
    assert "<title>Not found — C. J. Arthur, &#39;The Revolution Betrayed&#39;: a knowledge graph</title>" in r.text
    assert ('<p class="message">&lt;https://w3id.org/arthur-kg/id/person/leon-trotksy&gt; is not a resource of '
            "this dataset</p>") in r.text
    assert ('<li><a href="/id/person/leon-trotsky">Leon Trotsky</a> <code>id/person/leon-trotsky</code></li>'
            in r.text)
    assert r.text.count("<li><a href=") == 1
    # a path outside /id/ (the router's 404) with nothing close to it: the page without suggestions
    other = fresh.get("/maps/nothing.html", headers={"Accept": BROWSER})
    assert other.status_code == 404 and other.headers["content-type"] == "text/html; charset=utf-8"
    assert '<p class="message">nothing at /maps/nothing.html</p>' in other.text
    assert "Did you mean" not in other.text
    # programs get the JSON 404, also saying that the answer depends on Accept
    for path in ("/id/person/leon-trotksy", "/maps/nothing.html"):
        r = fresh.get(path, headers={"Accept": "application/json"})
        assert err(r, 404, "not_found") and r.headers["vary"].split(", ")[0] == "Accept"


def test_suggestions_by_path_label_and_word(fresh: TestClient) -> None:
    """Suggestions come from the search index the build wrote: a path close to the one asked for,
    a label close to its last segment, a label containing it (a word of more than three letters)."""
    state = fresh.app.state.kg
    trotsky = {"href": "/id/person/leon-trotsky", "label": "Leon Trotsky", "path": "id/person/leon-trotsky"}
    assert state.names["person/leon-trotsky"] == "Leon Trotsky" and len(state.names) == 11
    assert state.suggestions("/id/person/leon-trotksy") == [trotsky]  # by path
    assert state.suggestions("/id/people/trotsky.html") == [trotsky]  # by word; ".html" is dropped
    assert state.suggestions("/id/x/leon_trotsky/") == [trotsky]  # by label, "_" read as a space
    assert state.suggestions("/id/nothing") == [] and state.suggestions("/id/x/tro") == []  # too short a word
    # the close paths first, then the close labels ("the revolution betrayd"), each once
    assert [s["path"] for s in state.suggestions("/id/work/the-revolution-betrayd")] == [
        "id/work/the-revolution-betrayed", "id/essay/mini", "id/claim/still-not-superseded"]
    assert [s["path"] for s in state.suggestions("/id/concept/workers-stat")] == ["id/concept/workers-state",
                                                                                "id/concept/state"]
    assert [s["path"] for s in state.suggestions("/id/concept/workers-stat", limit=1)] == ["id/concept/workers-state"]


def test_no_search_index_no_suggestions(built_mini: Path, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "output"
    shutil.copytree(built_mini / "output", out)
    (out / "site" / "search-index.json").unlink()
    c = TestClient(create_app(load_config(built_mini), out, OPTIONS))
    assert c.app.state.kg.names == {}
    r = c.get("/id/person/leon-trotksy", headers={"Accept": BROWSER})
    assert r.status_code == 404 and "Did you mean" not in r.text


def test_a_named_graph_in_every_format(fresh: TestClient, store: ox.Store) -> None:
    onto = BASE + "graph/ontology"
    expected = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(onto)))
    r = fresh.get("/graph/ontology", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/n-triples; charset=utf-8"
    assert r.headers["vary"].split(", ")[0] == "Accept"
    lines = r.text.splitlines()
    assert len(lines) == expected > 100 and lines == sorted(lines)  # every triple of the graph, in order
    assert ("<https://w3id.org/arthur-kg/ontology#Section> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<http://www.w3.org/2002/07/owl#Class> .") in lines
    ttl = fresh.get("/graph/ontology", headers={"Accept": "text/turtle"})
    assert ttl.headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(Graph().parse(data=ttl.text, format="turtle")) == expected
    # ?format= (and ?_mediatype=) beat Accept
    over = fresh.get("/graph/ontology?format=ntriples", headers={"Accept": "text/turtle"})
    assert over.headers["content-type"] == "application/n-triples; charset=utf-8" and over.text == r.text
    assert fresh.get("/graph/ontology?_mediatype=application/ld%2Bjson", headers={"Accept": BROWSER}
                     ).headers["content-type"].startswith("application/ld+json")
    body = err(fresh.get("/graph/ontology?format=csv"), 406, "not_acceptable")
    assert body["hint"] == "Accept one of: text/turtle, application/ld+json, application/n-triples, application/rdf+xml"
    body = err(fresh.get("/graph/ontology", headers={"Accept": "image/png"}), 406, "not_acceptable")
    assert body["message"] == "cannot send the graph in the accepted formats"
    body = err(fresh.get("/graph/nothing"), 404, "not_found")
    assert body["message"] == f"<{BASE}graph/nothing> is not a named graph of this dataset"
    assert body["hint"] == "GET /sparql (the service description) lists the named graphs."


def test_a_browser_asking_for_a_named_graph_is_sent_to_the_query_page(fresh: TestClient) -> None:
    from urllib.parse import unquote

    r = fresh.get("/graph/essay/mini", headers={"Accept": BROWSER}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["vary"].split(", ")[0] == "Accept"
    assert r.headers["location"] == ("/query?query=SELECT%20%3Fs%20%3Fp%20%3Fo%20WHERE%20%7B%20GRAPH%20%3Chttps%3A//"
                                     "w3id.org/arthur-kg/graph/essay/mini%3E%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D%20LIMIT%20500")
    assert unquote(r.headers["location"]) == (
        f"/query?query=SELECT ?s ?p ?o WHERE {{ GRAPH <{BASE}graph/essay/mini> {{ ?s ?p ?o }} }} LIMIT 500")


def test_base_url_makes_the_iris_local(local: TestClient, built_mini: Path) -> None:
    r = local.get("/id/person/leon-trotsky", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.text.startswith("@base <http://testserver/id/> .\n")
    assert BASE not in r.text and "<http://testserver/ontology#>" in r.text
    assert r.headers.get_list("content-length") == [str(len(r.content))]  # one length, of the rewritten body
    page = local.get("/id/person/leon-trotsky", headers={"Accept": "text/html"})
    assert "<code>http://testserver/id/person/leon-trotsky</code>" in page.text and BASE not in page.text
    head = local.head("/id/person/leon-trotsky", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"].startswith("text/turtle")
    # a compressed dump is sent as it is (its bytes hold the IRIs compressed)
    gz = local.get("/dumps/dataset.ttl.gz")
    assert gz.status_code == 200 and gz.content == (built_mini / "output" / "dataset.ttl.gz").read_bytes()
    assert gz.headers.get_list("content-length") == [str(len(gz.content))]
    # a named graph: its triples with local IRIs, and a browser's query names the local graph IRI
    g = local.get("/graph/ontology", headers={"Accept": "application/n-triples"})
    assert "<http://testserver/ontology#Section> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" in g.text
    assert BASE not in g.text
    redirect = local.get("/graph/ontology", headers={"Accept": BROWSER}, follow_redirects=False)
    assert redirect.status_code == 303
    assert "GRAPH%20%3Chttp%3A//testserver/graph/ontology%3E" in redirect.headers["location"]
    # the 404 page names the local IRI
    nf = local.get("/id/person/nobody", headers={"Accept": BROWSER})
    assert nf.status_code == 404 and "&lt;http://testserver/id/person/nobody&gt; is not a resource" in nf.text
    body = err(local.get("/id/person/nobody"), 404, "not_found")
    assert body["message"] == "<http://testserver/id/person/nobody> is not a resource of this dataset"


def test_base_url_queries_take_and_give_local_iris(built_mini: Path) -> None:
    opts = ServeOptions(timeout=30.0, workers=1, base_url="http://testserver/")
    with TestClient(create_app(load_config(built_mini), options=opts), base_url="http://testserver") as c:
        q = "SELECT ?l WHERE { <http://testserver/id/person/leon-trotsky> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        assert [b["l"]["value"] for b in get(c, q).json()["results"]["bindings"]] == ["Leon Trotsky"]
        r = get(c, "SELECT ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> } ORDER BY ?p LIMIT 1")
        assert r.json()["results"]["bindings"][0]["p"]["value"] == "http://testserver/id/person/c-j-arthur"
        assert r.headers.get_list("content-length") == [str(len(r.content))]
        assert c.get("/health").json()["status"] == "ok"


def test_an_output_without_a_dump_is_refused_saying_to_build(built_mini: Path, tmp_path: Path) -> None:
    from kg.errors import MissingSourceError

    (tmp_path / "output").mkdir()
    with pytest.raises(MissingSourceError) as exc:
        create_app(load_config(built_mini), tmp_path / "output", OPTIONS)
    assert str(exc.value) == f"{tmp_path / 'output' / 'dataset.trig'}: no such file"
    assert exc.value.hint == "Run `kg build` first."


def test_cors_preflight_of_a_get(fresh: TestClient) -> None:
    pre = fresh.options("/graph/ontology", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-methods"] == "GET, POST, OPTIONS"
    r = fresh.get("/graph/ontology", headers={"Origin": "https://example.org", "Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"


# --- exact values the earlier tests left open (survivors of the mutation runs, docs/testing.md) -----
def test_blank_parameters_are_parameters(client: TestClient) -> None:
    """``update=`` with no value is still an update request, and ``query=`` an empty query (not
    the service description)."""
    err(client.post("/sparql", data={"update": "", "query": COUNT}), 403, "update_refused")
    err(client.get("/sparql?query=", headers={"Accept": JSON_RESULTS}), 400, "malformed_query")


def test_a_form_post_keeps_the_query_string_parameters(client: TestClient) -> None:
    r = client.post("/sparql?format=csv&download=counted", data={"query": COUNT})
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.text.startswith("n\r\n")
    assert r.headers["content-disposition"] == 'attachment; filename="counted.csv"'


def test_download_names(client: TestClient) -> None:
    def name(download: str) -> str:
        r = get(client, COUNT, format="csv", download=download)
        assert r.status_code == 200
        return r.headers["content-disposition"]
    assert name("my results") == 'attachment; filename="my-results.csv"'
    assert name("...") == 'attachment; filename="results.csv"'  # nothing left of the name
    assert "content-disposition" not in get(client, COUNT, format="csv").headers


def test_html_is_only_for_clients_preferring_it(client: TestClient, built_mini: Path) -> None:
    """/sparql sends the query page only to a client that prefers HTML to every result and graph
    format: one preferring Turtle to HTML gets the service description, and its results."""
    r = client.get("/sparql", headers={"Accept": "text/turtle, text/html;q=0.5"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/turtle; charset=utf-8"
    r = get(client, COUNT, "application/sparql-results+json, text/html;q=0.5")
    assert r.headers["content-type"] == "application/sparql-results+json; charset=utf-8"
    page = client.get("/sparql", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.content == (built_mini / "output" / "site" / "query.html").read_bytes()
    assert page.headers["vary"].split(", ")[0] == "Accept"  # the same URL answers Turtle to a program


def test_refusal_messages_in_full(client: TestClient) -> None:
    body = err(get(client, COUNT, **{"default-graph-uri": "http://example.org/g"}), 400, "unknown_graph")
    assert body["message"] == ("no graph named <http://example.org/g> in this store: only the graphs this store "
                               "holds can be named (no remote graph is fetched)")
    assert body["hint"] == "The service description (GET /sparql without a query) lists the named graphs."
    body = err(get(client, LABELS, "image/png"), 406, "not_acceptable")
    assert body["message"] == "cannot answer a SELECT query as image/png"
    assert body["hint"] == ("Accept one of: application/sparql-results+json, application/sparql-results+xml, "
                            "text/csv, text/tab-separated-values")
    body = err(get(client, LABELS, format="turtle"), 406, "not_acceptable")
    assert body["message"] == "cannot answer a SELECT query as 'turtle'"
    assert body["hint"] == "Name one of: json, xml, csv, tsv (with ?format= or ?_mediatype=)"


def test_service_description_formats_and_text(client: TestClient) -> None:
    r = client.get("/sparql?format=ntriples", headers={"Accept": "text/turtle"})  # the override wins
    assert r.status_code == 200 and r.headers["content-type"] == "application/n-triples; charset=utf-8"
    assert "<http://testserver/sparql#service> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
           "<http://www.w3.org/ns/sparql-service-description#Service> ." in r.text.splitlines()
    ttl = client.get("/sparql", headers={"Accept": "text/turtle"}).text
    assert ttl.startswith("@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n")
    assert "<http://testserver/sparql#service> a sd:Service ;" in ttl
    g = Graph().parse(data=ttl, format="turtle")
    desc = g.value(URIRef("http://testserver/sparql#service"), URIRef("http://purl.org/dc/terms/description"))
    assert desc.language == "en"
    assert str(desc) == ("Read-only SPARQL 1.1 endpoint: no updates, no SERVICE, FROM only for the graphs listed here; "
                         "timeout 5.0, max_rows 500, max_bytes 200000, max_request 4096, workers 1, base_url ")
    body = err(client.get("/sparql?format=csv"), 406, "not_acceptable")
    assert body["message"] == "cannot describe the service as 'csv'"           # the format asked for
    assert body["hint"] == "Name one of: turtle, jsonld, ntriples, rdfxml (with ?format= or ?_mediatype=)"
    body = err(client.get("/sparql", headers={"Accept": "text/csv"}), 406, "not_acceptable")
    assert body["hint"] == "Accept one of: text/turtle, application/ld+json, application/n-triples, application/rdf+xml"


def test_health_explains_its_counts(client: TestClient) -> None:
    assert client.get("/health").json()["triples_note"] == (
        "triples: every triple /sparql serves, the dataset description included (what COUNT(*) counts); "
        "data_triples: the data alone (void:triples of the dataset)")


def test_resource_overrides_and_a_bad_query_string(client: TestClient) -> None:
    r = client.get("/id/person/leon-trotsky?format=ntriples", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"] == "application/n-triples; charset=utf-8"
    assert f"<{TROTSKY}> <https://schema.org/name>" in r.text
    body = err(client.get("/id/person/leon-trotsky?format=%FF"), 400, "bad_encoding")
    assert body["message"] == "the query string is not valid percent-encoded UTF-8"
    body = err(client.get("/id/person/leon-trotsky?format=csv"), 406, "not_acceptable")
    assert body["message"] == "cannot describe the resource as 'csv'"
    assert body["hint"] == "Name one of: html, turtle, jsonld, ntriples, rdfxml (with ?format= or ?_mediatype=)"


def test_a_worker_that_dies_is_a_500_and_is_replaced(built_mini: Path) -> None:
    with TestClient(create_app(load_config(built_mini), options=ServeOptions(timeout=60.0, workers=1))) as c:
        pool = c.app.state.kg.pool
        [worker] = pool.workers
        worker.proc.kill()
        worker.proc.wait()
        body = err(get(c, COUNT), 500, "worker_died")
        assert body["message"].startswith("the query worker stopped unexpectedly (")
        assert pool.killed == 1
        assert n_of(get(c, COUNT)) > 0  # a new worker answers
