"""Hostile and broken requests against a real `kg serve` on loopback (issue 12 items 1, 2, 8 and the
server half of 4; issue 20's server-limit and protocol survivors), with a loopback listener that
records every connection reaching it; and the same attack spellings through `kg query`."""
from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from click.testing import CliRunner

from kg import sandbox
from kg.cli import main
from kg.csp import POLICY
from kg.errors import QueryError
from kg.server.jobs import Job
from kg.server.pool import Worker
from kg.store import OxigraphStore
from policyutil import Listener, attack_spellings
from serverutil import running_server

BASE = "https://w3id.org/arthur-kg/"
JSON_RESULTS = "application/sparql-results+json"
MAX_REQUEST = 16384


@pytest.fixture(scope="module")
def server(built_mini: Path):
    with running_server(built_mini, None, "--max-rows", "500", "--max-request", str(MAX_REQUEST)) as url:
        yield url


def error(r: requests.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == code, body
    return body


def health(server: str) -> dict:
    return requests.get(server + "/health", timeout=10).json()


# --- SSRF: no spelling reaches the listener ------------------------------------------------------
def test_no_attack_spelling_reaches_the_listener_through_the_server(server: str) -> None:
    statuses: dict[int, int] = {}
    with Listener() as listener, requests.Session() as http:
        spellings = attack_spellings(listener.port)
        for q in spellings:
            for r in (http.get(server + "/sparql", params={"query": q}, headers={"Accept": JSON_RESULTS}, timeout=30),
                      http.post(server + "/sparql", data=q.encode(), timeout=30,
                                headers={"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS})):
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                assert r.status_code in (200, 400, 403), r.text
        time.sleep(0.5)
        assert listener.connections == 0, listener.requests[:3]
    assert len(spellings) == 630
    # refused (403 SERVICE, 400 no SPARQL token), or answered from the canonical text in which
    # the SERVICE sits inside a string ("\u0022" decodes to a quote)
    assert statuses[403] > 0 and statuses[200] > 0
    assert sum(statuses.values()) == 2 * len(spellings)


def test_no_attack_spelling_reaches_the_listener_through_kg_query(built_mini: Path) -> None:
    store = OxigraphStore.from_output(built_mini / "output", BASE)
    outcomes = {"refused": 0, "answered": 0}
    with Listener() as listener:
        for q in attack_spellings(listener.port):
            try:
                store.checked_query(q)
                outcomes["answered"] += 1
            except QueryError:
                outcomes["refused"] += 1
        # and through the command itself, in its own process
        for q in attack_spellings(listener.port)[::90]:
            res = subprocess.run([sys.executable, "-m", "kg", "--root", str(built_mini), "-q", "query", q],
                                 capture_output=True, text=True, timeout=120)
            assert res.returncode in (0, 2), res.stderr
            assert "Traceback" not in res.stderr
        time.sleep(0.5)
        assert listener.connections == 0, listener.requests[:3]
    assert outcomes["refused"] > 0 and outcomes["answered"] > 0


@pytest.mark.skipif(not sandbox.supported(), reason="the seccomp sandbox exists on Linux x86_64/aarch64 only")
def test_a_sandboxed_worker_cannot_reach_out_even_without_the_policy(built_mini: Path) -> None:
    with Listener() as listener:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
        # the control: the engine, unsandboxed, does make the request
        subprocess.run([sys.executable, "-c", "import pyoxigraph as ox, sys\n"
                        "try: list(ox.Store().query(sys.argv[1]))\nexcept Exception: pass", query], timeout=60, check=True)
        time.sleep(0.3)
        assert listener.connections == 1
        # a query worker of `kg serve`, sent the job directly (no policy in between)
        worker = Worker(str(built_mini / "output" / "dataset.trig"), {})
        try:
            worker.wait_ready(60)
            worker.conn.send(Job(query, "json", "turtle"))
            assert worker.conn.poll(30)
            reply = worker.conn.recv()
        finally:
            worker.kill()
        time.sleep(0.3)
        assert listener.connections == 1, "the sandboxed worker reached the listener"
        assert reply[0] == "error" and "not permitted" in reply[3], reply
        # `kg query`'s engine thread, also called past the policy
        store = OxigraphStore.from_output(built_mini / "output", BASE)
        with pytest.raises(OSError, match="not permitted"):
            sandbox.run_without_network(lambda: store.query(query))
        time.sleep(0.3)
        assert listener.connections == 1


# --- deep nesting --------------------------------------------------------------------------------
@pytest.mark.parametrize("opener,closer", [("{", "}"), ("(", ")")])
def test_deep_nesting_is_refused_before_the_engine(server: str, opener: str, closer: str) -> None:
    killed = health(server)["workers_killed"]
    q = "SELECT * WHERE { FILTER" + opener * 3000 + "1" + closer * 3000 + " }" if opener == "(" else \
        "SELECT * WHERE { " + "{" * 3000 + "}" * 3000 + " }"
    body = error(requests.post(server + "/sparql", data=q.encode(), timeout=30,
                               headers={"Content-Type": "application/sparql-query"}), 400, "nesting_too_deep")
    assert "more than 64 deep" in body["message"]
    assert health(server)["workers_killed"] == killed


def test_deep_nesting_in_kg_query_is_exit_2(built_mini: Path) -> None:
    res = CliRunner().invoke(main, ["--root", str(built_mini), "-q", "query", "SELECT * WHERE { " + "{" * 3000 + "}" * 3000 + " }"])
    assert res.exit_code == 2
    assert "nests brackets more than 64 deep" in res.output


# --- client input that was a 500 -----------------------------------------------------------------
@pytest.mark.parametrize("ctype", ["application/sparql-query; charset=undefined", "application/sparql-query; charset=UTF-16",
                                   "application/sparql-query; charset=latin1", "application/sparql-query;charset="])
def test_a_charset_other_than_utf8_is_400(server: str, ctype: str) -> None:
    body = error(requests.post(server + "/sparql", data="ASK {}".encode("utf-16" if "16" in ctype else "utf-8"),
                               headers={"Content-Type": ctype}, timeout=10), 400, "bad_encoding")
    assert "always UTF-8" in body["message"]


def test_a_body_that_is_not_utf8_is_400(server: str) -> None:
    for data in ("ASK { FILTER(\"é\") }".encode("latin-1"), "ASK {}".encode("utf-16")):
        error(requests.post(server + "/sparql", data=data, headers={"Content-Type": "application/sparql-query"},
                            timeout=10), 400, "bad_encoding")
    ok = requests.post(server + "/sparql", data="ASK {}".encode(), timeout=10,
                       headers={"Content-Type": "application/sparql-query; charset=UTF-8", "Accept": JSON_RESULTS})
    assert ok.status_code == 200 and ok.json()["boolean"] is True


@pytest.mark.parametrize("path", ['/id/a"b', "/id/%", "/id/<x>", "/id/a%20b", "/id/{x}", "/id/a\\b"])
def test_paths_that_are_no_iri_are_404(server: str, path: str) -> None:
    host = urlsplit(server)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.endheaders()
    r = conn.getresponse()
    body = json.loads(r.read())
    conn.close()
    assert r.status == 404, body
    assert body["error"] == "not_found"


# --- headers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/query", "/yasgui.html", "/id/person/leon-trotsky", "/sparql?query=ASK%7B%7D"])
def test_every_answer_has_a_content_security_policy(server: str, path: str) -> None:
    r = requests.get(server + path, headers={"Accept": "text/html,*/*;q=0.1"}, timeout=10)
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "object-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    if r.headers["content-type"].startswith("text/html"):  # the page carries it too, for static hosts
        assert f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">' in r.text.replace("&#39;", "'")
        assert csp == POLICY + "; frame-ancestors 'self'"


def test_put_is_405_with_allow(server: str) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        r = requests.request(method, server + "/sparql?query=ASK%20%7B%7D", timeout=10)
        error(r, 405, "method_not_allowed")
        assert r.headers["allow"] == "GET, HEAD, POST"
    assert requests.head(server + "/sparql?query=ASK%20%7B%7D", timeout=10).status_code == 200


# --- limits (issue 20) ----------------------------------------------------------------------------
def _padded(size: int) -> bytes:
    q = b"ASK {} #"
    return q + b"x" * (size - len(q))


def test_a_body_of_exactly_max_request_is_accepted_one_more_byte_is_413(server: str) -> None:
    h = {"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS}
    ok = requests.post(server + "/sparql", data=_padded(MAX_REQUEST), headers=h, timeout=10)
    assert ok.status_code == 200 and ok.json()["boolean"] is True
    body = error(requests.post(server + "/sparql", data=_padded(MAX_REQUEST + 1), headers=h, timeout=10),
                 413, "request_too_large")
    assert f"{MAX_REQUEST + 1} bytes" in body["message"]


def test_a_chunked_body_is_size_checked_while_streaming(server: str) -> None:
    h = {"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS}

    def chunks(data: bytes):  # a generator: requests sends it chunked, without Content-Length
        for i in range(0, len(data), 1000):
            yield data[i:i + 1000]
    ok = requests.post(server + "/sparql", data=chunks(_padded(MAX_REQUEST)), headers=h, timeout=10)
    assert ok.status_code == 200 and ok.json()["boolean"] is True
    error(requests.post(server + "/sparql", data=chunks(_padded(MAX_REQUEST + 1)), headers=h, timeout=10),
          413, "request_too_large")
    error(requests.post(server + "/sparql", data=chunks(_padded(10 * MAX_REQUEST)), headers=h, timeout=10),
          413, "request_too_large")


def test_max_rows_is_exact(server: str) -> None:
    q = "SELECT * WHERE { ?s ?p ?o } LIMIT "
    rows = requests.get(server + "/sparql", params={"query": q + "500"}, headers={"Accept": JSON_RESULTS}, timeout=30)
    assert len(rows.json()["results"]["bindings"]) == 500
    body = error(requests.get(server + "/sparql", params={"query": q + "501"}, headers={"Accept": JSON_RESULTS},
                              timeout=30), 422, "result_too_large")
    assert "more than 500 rows" in body["message"]


def test_a_refused_format_is_never_sent(server: str) -> None:
    q = {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"}
    r = requests.get(server + "/sparql", params=q, headers={"Accept": "text/csv;q=0, */*;q=0.1"}, timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith(JSON_RESULTS)
    error(requests.get(server + "/sparql", params=q, headers={"Accept": "text/csv;q=0"}, timeout=10), 406, "not_acceptable")
    r = requests.get(server + "/sparql", params=q, headers={"Accept": "text/csv;q=0, text/tab-separated-values"}, timeout=10)
    assert r.headers["content-type"].startswith("text/tab-separated-values")


def test_one_status_for_a_graph_the_store_does_not_hold(server: str) -> None:
    remote = "http://127.0.0.1:9/g"
    local = BASE + "graph/ontology"
    ask = "ASK { ?s ?p ?o }"
    answers = [
        requests.get(server + "/sparql", params={"query": f"ASK FROM <{remote}> {{ }}"}, timeout=10),
        requests.get(server + "/sparql", params={"query": f"ask from named <{remote}> {{ }}"}, timeout=10),
        requests.get(server + "/sparql", params={"query": f"AsK fRoM <{remote}> {{ }}"}, timeout=10),
        requests.get(server + "/sparql", params={"query": ask, "default-graph-uri": remote}, timeout=10),
        requests.get(server + "/sparql", params={"query": ask, "named-graph-uri": remote}, timeout=10),
        requests.post(server + "/sparql?named-graph-uri=" + quote(remote, safe=""), data=ask.encode(), timeout=10,
                      headers={"Content-Type": "application/sparql-query"}),
    ]
    for r in answers:
        error(r, 400, "unknown_graph")
    named_local = requests.get(server + "/sparql", headers={"Accept": JSON_RESULTS}, timeout=10, params={
        "query": f"SELECT DISTINCT ?g FROM NAMED <{local}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"})
    assert [b["g"]["value"] for b in named_local.json()["results"]["bindings"]] == [local]


def test_relative_iris_resolve_against_the_endpoint(server: str) -> None:
    r = requests.get(server + "/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
                     headers={"Accept": "application/n-triples"}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.text.strip() == f'<{server}/s> <{server}/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'


_HOSTILE = r'''
import http.client, sys
port = int(sys.argv[1])
size = 16 * 1024 - 200
bodies = [("SELECT * WHERE { ?s " + "a ?o ; " * (size // 7) + " SERVICE <http://127.0.0.1:9/> { } }").encode(),
          ("SELECT * WHERE { " + "{" * 3000 + "}" * 3000 + " }").encode()]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
i = 0
while True:
    conn.request("POST", "/sparql", body=bodies[i % 2], headers={"Content-Type": "application/sparql-query"})
    r = conn.getresponse(); r.read(); i += 1
'''


def _ask_p50(server: str, n: int) -> float:
    host = urlsplit(server)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        conn.request("GET", "/sparql?query=ASK%20%7B%7D", headers={"Accept": JSON_RESULTS})
        r = conn.getresponse()
        r.read()
        assert r.status == 200
        times.append(time.perf_counter() - started)
    conn.close()
    return sorted(times)[n // 2]


def test_a_trivial_query_stays_fast_while_hostile_clients_hammer(server: str) -> None:
    """Two clients send, back to back, queries built to cost the check the most (refused only after
    the whole text is read) and groups nested 3,000 deep. The check runs in its own processes, so
    `ASK {}` keeps its pace (bench/bench_policy.py measures it at 128 KB; here the server's 16 KB)."""
    alone = _ask_p50(server, 100)
    port = str(urlsplit(server).port)
    hostile = [subprocess.Popen([sys.executable, "-c", _HOSTILE, port], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        time.sleep(1.0)
        loaded = _ask_p50(server, 100)
    finally:
        for p in hostile:
            p.kill()
            p.wait(10)
    # a check on the event loop made this 50-100x (issue 12); the margin absorbs a busy machine
    assert loaded < 2 * alone + 0.005, (alone, loaded)
