"""`kg publish` against a real Virtuoso (Debian's `virtuoso-opensource`, installed by scripts/test),
started here on loopback with its own temporary database and stopped after; then every cookbook query
(queries/*.rq, and the own queries of tests/test_publish_store.py) answers on Virtuoso as on the
embedded store.

How Virtuoso takes writes (docs/publishing.md): anonymous `/sparql` may only read (an update there is
refused: HTTP 500, "SR186:SECURITY: No permission to execute procedure DB.DBA.SPARQL_INSERT_DICT_CONTENT"); an account granted the role SPARQL_UPDATE
writes with HTTP digest authentication through `/sparql-graph-crud-auth` (Graph Store Protocol) or
`/sparql-auth` (SPARQL Update): `kg publish --preset virtuoso --auth digest --user U --password P`.

Where the two stores answer differently, the comparison says so (``normalised``):
- Virtuoso's default graph is the union of *every* graph it holds, its own system graphs included
  (virtrdf:, the DAV graphs...), so the cookbook is asked with the published graphs named as the
  default graphs (``default-graph-uri``), which is also how to ask a shared Virtuoso;
- the embedded store (Oxigraph 0.5) keeps every xsd:integer-derived literal as xsd:integer: the dump's
  1,932 ``"…"^^xsd:nonNegativeInteger`` (``oa:start``, ``oa:end``, ``void:triples``…) come back as
  xsd:integer, where Virtuoso answers with the published datatype; the comparison reads every
  integer-derived datatype as xsd:integer (the value is compared as it is);
- ``GROUP_CONCAT`` over no value (a concept without a broader one) is ``""`` on Virtuoso, as SPARQL
  1.1 §18.5.1.7 says, and unbound on Oxigraph: the comparison reads ``""`` there as unbound;
- Virtuoso 7.2 answers ASK as a one-row table ``?__ASK_RETVAL`` = 1 or 0 (in JSON and XML alike), and
  a CONSTRUCT as a table of ``?s ?p ?o`` when results JSON is the first type accepted:
  ``kg.upload.RemoteStore`` asks for the one format of the query's form and reads ``__ASK_RETVAL``
  as the boolean, so the test compares what a user of ``RemoteStore`` gets;
- its JSON results mark a typed literal as ``typed-literal`` (SPARQL 1.0's name): read as a literal.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from kg.cli import main
from kg.upload import RemoteStore, make_target, split_trig
from kg.store import OxigraphStore, Result
from test_publish_store import _CONCAT, answers, cookbook, free_port

ROOT = Path(__file__).resolve().parent.parent
#: Debian's binaries (package virtuoso-opensource), at their fixed paths, not whatever is on PATH.
VIRTUOSO = Path("/usr/bin/virtuoso-t")
ISQL = Path("/usr/bin/isql-vt")
#: Where Debian puts the server's static pages (the HTTP server wants a root folder).
VSP = Path("/var/lib/virtuoso-opensource-7/vsp")
USER, PASSWORD = "kg", "kg-publish-test"

INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql}
DisableUnixSocket  = 1
CheckpointInterval = 0
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
ThreadsPerQuery    = 2
DirsAllowed        = ., {d}

[HTTPServer]
ServerPort         = 127.0.0.1:{http}
ServerRoot         = {vsp}
ServerThreads      = 4
Charset            = UTF-8

[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 120
"""


XSD = "http://www.w3.org/2001/XMLSchema#"
#: The datatypes derived from xsd:integer, which Oxigraph 0.5 stores as xsd:integer itself.
INTEGER_TYPES = {XSD + t for t in ("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                   "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
                                   "unsignedByte")}


def normalised(result: Result, query: str) -> Result:
    """``result`` with the two differences of the module's docstring read away: an integer-derived
    datatype as xsd:integer, and an empty GROUP_CONCAT as unbound."""
    concat = {var for _sep, var in _CONCAT.findall(query)}

    def term(var: str, t):  # noqa: ANN001, ANN202
        if isinstance(t, ox.Literal) and t.datatype.value in INTEGER_TYPES:
            return ox.Literal(t.value, datatype=ox.NamedNode(XSD + "integer"))
        if var in concat and isinstance(t, ox.Literal) and t.value == "":
            return None
        return t

    if result.kind == "select":
        return Result("select", variables=result.variables,
                      rows=tuple(tuple(term(v, t) for v, t in zip(result.variables, row)) for row in result.rows))
    if result.kind == "graph":
        return Result("graph", triples=tuple(ox.Triple(t.subject, t.predicate, term("", t.object))
                                             for t in result.triples))
    return result


def isql(port: int, statement: str) -> str:
    """Run one SQL statement as dba (the password of a new database is `dba`)."""
    done = subprocess.run([str(ISQL), f"127.0.0.1:{port}", "dba", "dba", f"exec={statement}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Virtuoso server on two free loopback ports (SQL, HTTP) with a new database in a temporary
    folder, and an account `kg` granted SPARQL_UPDATE; stopped (SIGTERM, then SIGKILL) after."""
    if not (VIRTUOSO.is_file() and ISQL.is_file()):
        pytest.skip("Debian's virtuoso-opensource is not installed (scripts/test installs it as root)")
    folder = tmp_path_factory.mktemp("virtuoso")
    sql, http = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(INI.format(d=folder, sql=sql, http=http, vsp=VSP), encoding="utf-8")
    log = folder / "server.out"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(VIRTUOSO), "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                                cwd=folder, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{http}/"
    try:
        deadline = time.monotonic() + 120  # a new database is created first: about 20 s on 2 busy cores
        while True:
            if proc.poll() is not None:
                pytest.fail(f"virtuoso-t exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
            try:
                requests.get(url + "sparql", params={"query": "ASK {}"}, timeout=2).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    pytest.fail(f"virtuoso-t did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.25)
        isql(sql, f"DB.DBA.USER_CREATE('{USER}', '{PASSWORD}'); GRANT SPARQL_UPDATE TO \"{USER}\";")
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)  # a quick shutdown: about 1.5 s
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def publish_cli(trig: Path, url: str, *extra: str):  # noqa: ANN202
    return CliRunner().invoke(main, ["--root", str(ROOT), "-q", "publish", "--input", str(trig),
                                     "--store", url, "--preset", "virtuoso", *extra])


def graph_counts(url: str, graphs: list[str]) -> dict[str, int]:
    store = RemoteStore(make_target(url, "virtuoso"))
    res = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", named_graphs=graphs)
    return {row["g"]: int(row["n"]) for row in res.values()}


@pytest.fixture(scope="module")
def published(virtuoso: str, real_build: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The real build published to Virtuoso by the Graph Store Protocol, as `kg publish` does."""
    trig = real_build / "dataset.trig"
    result = publish_cli(trig, virtuoso, "--auth", "digest", "--user", USER, "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    expected = {g.name: g.triples for g in split_trig(trig, tmp_path_factory.mktemp("split"))}
    assert "(Graph Store Protocol); counts verified" in result.output
    for name, n in expected.items():
        assert f"replaced  <{name}>: {n} triples, store has {n}" in result.output
    return real_build, expected


def test_publish_by_graph_store_protocol_then_by_update(virtuoso: str, published: tuple[Path, dict[str, int]]) -> None:
    out, expected = published
    assert len(expected) >= 3 and sum(expected.values()) > 10_000
    assert graph_counts(virtuoso, list(expected)) == expected
    # again by SPARQL Update at /sparql-auth, in chunks: each graph is replaced, not added to
    again = publish_cli(out / "dataset.trig", virtuoso, "--method", "update", "--chunk", "2000",
                        "--auth", "digest", "--user", USER, "--password", PASSWORD)
    assert again.exit_code == 0, again.output
    assert "(SPARQL Update); counts verified" in again.output
    assert graph_counts(virtuoso, list(expected)) == expected


def test_writes_without_the_account_are_refused(virtuoso: str, built_mini: Path) -> None:
    """Anonymous writes fail with exit 3, a 401 and the hint to use digest authentication; a wrong
    password too; nothing of the mini build reaches the store."""
    trig = built_mini / "output" / "dataset.trig"
    anonymous = publish_cli(trig, virtuoso)
    assert anonymous.exit_code == 3, anonymous.output
    assert "HTTP 401 Unauthorized" in anonymous.output and "Virtuoso needs --auth digest" in anonymous.output
    wrong = publish_cli(trig, virtuoso, "--auth", "digest", "--user", USER, "--password", "not-it")
    assert wrong.exit_code == 3 and "HTTP 401" in wrong.output
    assert graph_counts(virtuoso, ["https://w3id.org/arthur-kg/graph/essay/mini"]) == {}


def test_anonymous_sparql_update_is_refused(virtuoso: str) -> None:
    """Why the preset writes to /sparql-auth: the open /sparql endpoint refuses an update."""
    r = requests.post(virtuoso + "sparql", data=b"INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }",
                      headers={"Content-Type": "application/sparql-update"}, timeout=30)
    assert r.status_code == 500 and "SR186:SECURITY: No permission to execute procedure DB.DBA.SPARQL_INSERT" in r.text


@pytest.mark.parametrize("name", sorted(cookbook()))
def test_virtuoso_answers_like_the_embedded_store(published: tuple[Path, dict[str, int]], virtuoso: str,
                                                   name: str) -> None:
    out, expected = published
    query = cookbook()[name]
    embedded = OxigraphStore.from_output(out).query(query)
    remote = RemoteStore(make_target(virtuoso, "virtuoso")).query(
        query, default_graphs=sorted(expected), named_graphs=sorted(expected))
    assert remote.kind == embedded.kind
    assert answers(normalised(remote, query), query) == answers(normalised(embedded, query), query)
    assert embedded.kind == "ask" or embedded.rows or embedded.triples, f"{name} answers nothing: compare harder"
    if embedded.kind == "ask":
        assert remote.boolean is embedded.boolean is True  # the own ASK holds: a false would match a broken read

