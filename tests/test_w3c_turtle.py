"""The W3C RDF 1.1 Turtle test suite (vendored in tests/w3c/turtle/, W3C Test Suite / 3-clause BSD
licence: tests/w3c/turtle/LICENSE) as peers' tests of our Turtle handling:

- the position reader (kg.validation.positions) locates every statement the loader (kg.sources) parses, in every
  positive test file: the graph the reader's statements make is isomorphic to the loaded graph;
- every negative syntax test is refused with a syntax error at the line where the damage is;
- the writers (kg.publish.serialize) round-trip the expected result of every blank-node-free eval test.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from kg.errors import SourceSyntaxError
from kg.validation.positions import Anon, SourceIndex
from kg.sources import parse_turtle

SUITE = Path(__file__).resolve().parent / "w3c" / "turtle"
BASE = "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"


def _manifest() -> dict[str, list[tuple[str, str | None]]]:
    m = Graph().parse(SUITE / "manifest.ttl", publicID=BASE + "manifest.ttl")
    out: dict[str, list] = {"TestTurtleEval": [], "TestTurtlePositiveSyntax": [], "TestTurtleNegativeSyntax": [],
                            "TestTurtleNegativeEval": []}
    for test in m.subjects(URIRef(MF + "action"), None):
        kind = str(m.value(test, RDF.type)).rsplit("#", 1)[-1]
        action = str(m.value(test, URIRef(MF + "action"))).rsplit("/", 1)[-1]
        result = m.value(test, URIRef(MF + "result"))
        out[kind].append((action, str(result).rsplit("/", 1)[-1] if result is not None else None))
    return {k: sorted(v) for k, v in out.items()}


TESTS = _manifest()
POSITIVE = sorted(a for kind in ("TestTurtleEval", "TestTurtlePositiveSyntax") for a, _ in TESTS[kind])


def index_graph(path: Path, text: str) -> Graph:
    """The graph made of the position reader's statements (each [ ], _:label and list cell a blank node)."""
    index = SourceIndex()
    index.add_file(path, text)
    nodes: dict[str, BNode] = {}
    term = lambda t: nodes.setdefault(t.key, BNode()) if isinstance(t, Anon) else t  # noqa: E731
    g = Graph()
    for st in index.all_statements():
        g.add((term(st.subject), st.predicate, term(st.object)))
    return g


def test_the_suite_is_whole() -> None:
    assert len(POSITIVE) == 219
    assert len(TESTS["TestTurtleNegativeSyntax"]) == 94
    assert all((SUITE / a).is_file() for kind in TESTS.values() for a, _ in kind)


@pytest.mark.parametrize("name", POSITIVE)
def test_every_parsed_statement_is_located(name: str) -> None:
    path = SUITE / name
    text = path.read_text(encoding="utf-8")
    loaded = parse_turtle(path, text=text)
    located = index_graph(path.resolve(), text)
    assert len(located) == len(loaded), (len(located), len(loaded))
    assert isomorphic(located, loaded)


#: Negative tests whose damage is not on their last line of Turtle (checked by hand: a broken
#: directive, a statement that ends too early, a long string opened and never closed).
DAMAGE_LINE = {
    "turtle-syntax-bad-base-03.ttl": 2, "turtle-syntax-bad-struct-10.ttl": 2, "turtle-syntax-bad-n3-extras-03.ttl": 5,
    "turtle-syntax-bad-n3-extras-07.ttl": 2, "turtle-syntax-bad-n3-extras-08.ttl": 2, "turtle-syntax-bad-n3-extras-13.ttl": 2,
    "turtle-syntax-bad-string-05.ttl": 3, "turtle-syntax-bad-number-dot-in-anon.ttl": 5, "turtle-syntax-bad-ns-dot-end.ttl": 1,
    "turtle-syntax-bad-ns-dot-start.ttl": 1, "turtle-syntax-bad-missing-ns-dot-end.ttl": 2,
    "turtle-syntax-bad-missing-ns-dot-start.ttl": 1,
}


@pytest.mark.parametrize("name", sorted(a for a, _ in TESTS["TestTurtleNegativeSyntax"]))
def test_negative_syntax_is_refused_at_the_damaged_line(name: str) -> None:
    path = SUITE / name
    text = path.read_bytes().decode("utf-8", "replace")
    turtle_lines = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.lstrip().startswith("#")]
    with pytest.raises(SourceSyntaxError) as caught:
        parse_turtle(path, text=text)
    assert caught.value.position.line == DAMAGE_LINE.get(name, turtle_lines[-1]), str(caught.value)
    assert caught.value.position.column >= 1


def _eval_results() -> list[str]:
    out = []
    for _action, result in TESTS["TestTurtleEval"]:
        data = (SUITE / result).read_text(encoding="utf-8")
        if "_:" not in data:
            out.append(result)
    return out


BLANK_FREE = _eval_results()


def test_most_eval_tests_are_blank_node_free() -> None:
    assert len(BLANK_FREE) >= 80


@pytest.mark.parametrize("result", BLANK_FREE)
def test_the_writers_round_trip_the_eval_results(result: str) -> None:
    from kg.publish.serialize import jsonld, jsonld_context, ntriples, trig, turtle

    expected = Graph().parse(SUITE / result, format="nt")
    base = "https://w3id.org/arthur-kg/"
    back = {
        "turtle": Graph().parse(data=turtle(expected, base), format="turtle"),
        "ntriples": Graph().parse(data=ntriples(expected), format="nt"),
        "trig": _trig_default(trig({base + "graph/x": expected}, base)),
    }
    doc = json.loads(jsonld(expected, base))
    doc["@context"] = jsonld_context(base)["@context"] if "@context" in jsonld_context(base) else jsonld_context(base)
    back["jsonld"] = Graph().parse(data=json.dumps(doc), format="json-ld")
    for fmt, graph in back.items():
        assert isomorphic(graph, expected), fmt


def _trig_default(data: bytes) -> Graph:
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(data=data, format="trig")
    g = Graph()
    for ctx in ds.graphs():
        for t in ctx:
            g.add(t)
    return g
