"""The query policy (kg/sparql.py) cross-checked against rdflib's SPARQL parser: whatever rdflib's
algebra says reaches the network or writes must be refused by the token check, and the cookbook
and ordinary queries must pass."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.plugins.sparql import parser
from rdflib.plugins.sparql.algebra import translateQuery

from kg.errors import QueryError
from kg.sparql import PolicyError, check_query, tokens

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ["https://w3id.org/arthur-kg/graph/ontology"]

HOSTILE = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE SILENT <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . OPTIONAL { SERVICE <http://x/> { ?s ?q ?r } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://x/> { ?s ?p ?o } } } }",
    "SELECT * WHERE { FILTER EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }",
    "SELECT * WHERE {#comment\nSERVICE<http://x/>{?s ?p ?o}}",
    "SELECT * FROM <http://127.0.0.1:1/remote.ttl> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://127.0.0.1:1/remote.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX r: <http://127.0.0.1:1/> SELECT * FROM r:remote WHERE { ?s ?p ?o }",
]
UPDATES = [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE DATA { <http://a> <http://b> <http://c> }",
    "LOAD <http://127.0.0.1:1/x.ttl>",
    "CLEAR DEFAULT", "DROP GRAPH <http://g>", "CREATE GRAPH <http://g>",
    "ADD <http://a> TO <http://b>", "MOVE DEFAULT TO <http://g>", "COPY DEFAULT TO <http://g>",
    "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX : <http://x/> INSERT { :a :b ?o } WHERE { ?s ?p ?o }",
]
HARMLESS = [
    "SELECT ?service ?from ?insert WHERE { ?service ?from ?insert }",
    'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "PREFIX svc: <http://example.org/> SELECT * WHERE { ?s svc:from ?o }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }",
    "SELECT * FROM <https://w3id.org/arthur-kg/graph/ontology> WHERE { ?s ?p ?o }",
    "PREFIX g: <https://w3id.org/arthur-kg/graph/> SELECT * FROM g:ontology WHERE { ?s ?p ?o }",
    "SELECT * WHERE { _:create ?p ?o }",
    "ASK { ?s ?p 'it\\'s SERVICE' }",
]


def _rdflib_says_dangerous(q: str) -> bool:
    """Does rdflib's algebra hold a SERVICE or a dataset clause (FROM / FROM NAMED)?"""
    parsed = parser.parseQuery(q)
    algebra = translateQuery(parsed)
    found = []

    def visit(node) -> None:  # noqa: ANN001
        if getattr(node, "name", None) == "ServiceGraphPattern":
            found.append(node)
        return None
    from rdflib.plugins.sparql.algebra import traverse
    traverse(algebra.algebra, visit)
    dataset = getattr(parsed[1], "datasetClause", None)
    remote = [d for d in (dataset or []) if str(d.get("default") or d.get("named")) not in LOCAL]
    return bool(found or remote)


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_refused(query: str) -> None:
    if "\\u" not in query and "r:remote" not in query:
        assert _rdflib_says_dangerous(query), "the test case should be dangerous according to rdflib"
    with pytest.raises(PolicyError):
        check_query(query, LOCAL)


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(PolicyError) as info:
        check_query(update, LOCAL)
    assert info.value.code == "update_refused"


@pytest.mark.parametrize("query", HARMLESS)
def test_harmless_queries_pass(query: str) -> None:
    assert not _rdflib_says_dangerous(query)
    check_query(query, LOCAL)


@pytest.mark.parametrize("path", sorted((ROOT / "queries").glob("*.rq")), ids=lambda p: p.stem)
def test_cookbook_agrees_with_rdflib(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not _rdflib_says_dangerous(text)
    check_query(text, LOCAL)


def test_escapes_are_decoded_before_the_check() -> None:
    assert [t.text for t in tokens("\\u0053ERVICE") if t.kind == "word"] == ["SERVICE"]
    with pytest.raises(QueryError):
        check_query("SELECT * WHERE { ?s ?p '\\uD800' }")


def test_form_is_reported() -> None:
    assert check_query("PREFIX a: <http://a/> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").form == "CONSTRUCT"
    assert check_query("ask {}").form == "ASK"
    assert check_query("SELECT * FROM <https://w3id.org/arthur-kg/graph/ontology> {}", LOCAL).has_from
