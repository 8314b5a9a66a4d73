"""The W3C SPARQL 1.1 Protocol test suite (tests/w3c/sparql11-protocol/, vendored with its licence)
against a real `kg serve` holding the suite's graphs (data1-3.nt, named as the manifest says).

Every request of the manifest is sent as written (its path's `/sparql/` becomes `/sparql`). Each
test ends in one of three classes, and the counts are asserted:
- pass: the expected status class, and the expected boolean / result format;
- refused, remote graph: the test names a graph the suite never provides (data0.rdf,
  http://example/people): kg does not fetch graphs, and answers 400 `unknown_graph` (one status
  for FROM and for the protocol parameters);
- refused, read-only: an update test; kg answers 403 `update_refused`."""
from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import requests
from rdflib import Graph, Namespace, RDF
from rdflib.collection import Collection

from serverutil import running_server

SUITE = Path(__file__).parent / "w3c" / "sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")


def manifest() -> tuple[Graph, list]:
    g = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    man = next(g.subjects(RDF.type, MF.Manifest))
    return g, list(Collection(g, g.value(man, MF.entries)))


def suite_graphs(g: Graph) -> dict[str, Path]:
    """The graphs the suite provides: name (the label) -> N-Triples file."""
    out = {}
    for data in g.objects(None, UT.graphData):
        out[str(g.value(data, RDFS.label))] = SUITE / Path(urlsplit(str(g.value(data, UT.graph))).path).name
    return out


@pytest.fixture(scope="module")
def server(built_mini: Path, tmp_path_factory: pytest.TempPathFactory):
    g, _ = manifest()
    out = tmp_path_factory.mktemp("w3c-protocol")
    with open(out / "dataset.trig", "w", encoding="utf-8") as f:
        for name, path in sorted(suite_graphs(g).items()):
            f.write(f"<{name}> {{\n{path.read_text(encoding='utf-8')}}}\n")
    with running_server(built_mini, out) as url:
        yield url


def named_graphs(request_path: str, body: str | None) -> list[str]:
    params = parse_qsl(urlsplit(request_path).query)
    names = [v for k, v in params if k.endswith("graph-uri")]
    for text in [v for k, v in params if k == "query"] + ([body] if body else []):
        for word in ("FROM NAMED <", "FROM <"):
            rest = text
            while word in rest:
                rest = rest.split(word, 1)[1]
                names.append(rest.split(">", 1)[0])
    return names


def run(server: str, g: Graph, test) -> tuple[str, str]:  # noqa: ANN001
    """(class, detail) of one test."""
    provided = suite_graphs(g)
    action = g.value(test, MF.action)
    outcome = ("pass", "")
    for req in Collection(g, g.value(action, HT.requests)):
        method = str(g.value(req, HT.methodName))
        path = str(g.value(req, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
        headers = {str(g.value(h, HT.fieldName)): str(g.value(h, HT.fieldValue))
                   for h in (Collection(g, g.value(req, HT.headers)) if g.value(req, HT.headers) else [])}
        body_node = g.value(req, HT.body)
        body = data = None
        if body_node is not None:
            body = str(g.value(body_node, CNT.chars))
            data = body.encode(str(g.value(body_node, CNT.characterEncoding) or "UTF-8"))
        r = requests.request(method, server + path, data=data, headers=headers, timeout=30)
        resp = g.value(req, HT.resp)
        expected = {str(o).rsplit("#", 1)[1] for o in g.objects(resp, MF.expectedStatus)}
        got = f"StatusCode{r.status_code // 100}xx"
        remote = [n for n in named_graphs(unquote(path), body) if n not in provided]
        if got not in expected:
            err = r.json().get("error") if r.headers.get("content-type", "").startswith("application/json") else None
            if remote and r.status_code == 400 and err == "unknown_graph":
                return ("refused: remote graph", f"{remote[0]}")
            if r.status_code == 403 and err == "update_refused":
                return ("refused: read-only", "")
            return ("fail", f"{method} {path}: {r.status_code} {r.text[:200]}")
        fmt = g.value(resp, MF.expectedFormat)
        boolean = g.value(resp, MF.expectedBoolean)
        ctype = r.headers.get("content-type", "")
        if fmt is not None and str(fmt) == "boolean" and boolean is not None and json.loads(r.text)["boolean"] != boolean.toPython():
            return ("fail", f"{path}: boolean {r.text}")
        if fmt is not None and str(fmt) == "tabular" and "vars" not in json.loads(r.text)["head"]:
            return ("fail", f"{path}: not a table: {r.text[:100]}")
        if fmt is not None and str(fmt) == "RDF":
            Graph().parse(io.BytesIO(r.content), format="turtle" if "turtle" in ctype else "json-ld")
    return outcome


def test_the_w3c_sparql_protocol_suite(server: str) -> None:
    g, tests = manifest()
    results = {str(t).rsplit("#", 1)[1]: run(server, g, t) for t in tests}
    classes: dict[str, list[str]] = {}
    for name, (cls, _detail) in results.items():
        classes.setdefault(cls, []).append(name)
    assert "fail" not in classes, {n: results[n] for n in classes["fail"]}
    assert len(results) == 34
    assert sorted(classes["refused: read-only"]) == sorted(n for n in results if n.startswith("update_"))
    # every bad request of the suite gets its 4xx, bad_query_non_utf8 among them
    assert {"bad_query_non_utf8", "bad_query_method", "bad_multiple_queries", "bad_query_syntax"} <= set(classes["pass"])
    # the dataset tests whose graphs the suite provides pass; the ones naming graphs it never
    # provides are refused with the one status
    assert {"query_dataset_default_graphs_get", "query_dataset_named_graphs_post", "query_dataset_full",
            "query_multiple_dataset", "query_post_direct"} <= set(classes["pass"])
    counts = {k: len(v) for k, v in classes.items()}
    assert counts == {"pass": 21, "refused: remote graph": 6, "refused: read-only": 7}, (counts, classes)
