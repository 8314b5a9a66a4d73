"""Shapes are input too (issue 12, item 1): a shape whose SPARQL uses SERVICE, or is an update, is
refused by `kg validate --shapes` and by the build with exit 2 and the file and line, before any
engine runs it. A loopback listener records whether any request reaches it: none may."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.shapes_policy import _parsed_problem, problem

HEAD = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
@prefix ex: <http://example.org/> .

"""


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections reaching it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener():  # noqa: ANN201
    server = Listener()
    yield server
    server.close()


def target_shape(select: str) -> str:
    return HEAD + ("ex:S a sh:NodeShape ;\n"
                   f"    sh:target [ a sh:SPARQLTarget ; sh:select \"\"\"{select}\"\"\" ] ;\n"
                   "    sh:property [ sh:path schema:name ; sh:minCount 1 ; sh:message \"A name.\" ] .\n")


def constraint_shape(ask: str) -> str:
    return HEAD + ("ex:S a sh:NodeShape ;\n    sh:targetClass schema:Person ;\n"
                   f"    sh:sparql [ a sh:SPARQLConstraint ; sh:message \"x\" ;\n        sh:select \"\"\"{ask}\"\"\" ] .\n")


def refused(port: int) -> dict[str, str]:
    url = f"http://127.0.0.1:{port}/sparql"
    return {
        "SERVICE in a target": target_shape(f"SELECT ?this WHERE {{ SERVICE <{url}> {{ ?this ?p ?o }} }}"),
        "service, any case, SILENT": target_shape(f"SELECT ?this WHERE {{ ?this a schema:Person . sErViCe SILENT <{url}> {{ ?this ?p ?o }} }}"),
        "SERVICE in FILTER EXISTS of a sub-select": target_shape(
            f"SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ ?this a ?c FILTER EXISTS {{ SERVICE <{url}> {{ ?a ?b ?c }} }} }} }} }}"),
        "SERVICE in a SPARQL constraint": constraint_shape(f"SELECT $this WHERE {{ SERVICE <{url}> {{ $this ?p ?o }} }}"),
        "an update": constraint_shape("DELETE WHERE { ?s ?p ?o }"),
        "LOAD": constraint_shape(f"LOAD <{url}>"),
        "a local name escape before SERVICE": target_shape(
            f"SELECT ?this WHERE {{ ?this ex:a\\\\# ?o . SERVICE <{url}> {{ ?this ?p ?o }} }}"),
        "an escape that decodes to an escape": target_shape('SELECT ?this WHERE { ?this ?p "\\\\u005Cu0022" }'),
    }


@pytest.mark.parametrize("name", sorted(refused(1)))
def test_kg_validate_refuses_shapes_that_would_run_service_or_an_update(tmp_path: Path, listener: Listener,
                                                                        name: str) -> None:
    shapes = tmp_path / "evil.ttl"
    shapes.write_text(refused(listener.port)[name], encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text(HEAD + 'ex:a a schema:Person ; schema:name "A" .\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["-q", "validate", "--shapes", str(shapes), str(data)])
    assert result.exit_code == 2, (name, result.output)
    line = next(n for n, t in enumerate(shapes.read_text().splitlines(), 1) if "sh:select" in t)
    assert f"evil.ttl:{line}:" in result.output, result.output
    assert "Traceback" not in result.output
    assert listener.hits == 0


def test_the_build_refuses_them_too(project: Path, listener: Listener) -> None:
    (project / "shapes" / "evil.ttl").write_text(refused(listener.port)["SERVICE in a target"], encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(project), "-q", "build"])
    assert result.exit_code == 2, result.output
    assert "evil.ttl:6:" in result.output and "uses SERVICE" in result.output
    assert not (project / "output").exists()
    assert listener.hits == 0


def test_a_string_that_hides_nothing_runs_and_reaches_nobody(tmp_path: Path, listener: Listener) -> None:
    """After \\u escapes are decoded (SPARQL 1.1 §19.2), ``"\\u0022" … "\\u0022"`` is one long string
    that holds the word SERVICE: no engine may read a SERVICE there, and the text that runs is the
    decoded one."""
    url = f"http://127.0.0.1:{listener.port}/x"
    shapes = tmp_path / "s.ttl"
    shapes.write_text(target_shape(f'SELECT ?this WHERE {{ ?this a schema:Person . BIND("\\\\u0022" AS ?a) '
                                   f'SERVICE <{url}> {{ ?this ?p ?o }} BIND("\\\\u0022" AS ?b) }}'), encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text(HEAD + "ex:a a schema:Person .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-q", "validate", "--shapes", str(shapes), str(data)])
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    assert listener.hits == 0


def test_the_shapes_of_the_project_pass() -> None:
    from conftest import ROOT
    from rdflib import Graph
    from rdflib.namespace import SH

    g = Graph().parse(ROOT / "shapes" / "shapes.ttl")
    queries = [str(o) for p in (SH.select, SH.ask) for o in g.objects(None, p)]
    assert len(queries) >= 5
    assert [q for q in queries if problem(q) is not None] == []
    assert [q for q in queries if _parsed_problem(q) is not None] == []  # each parses with rdflib's grammar


def test_only_texts_with_a_refusable_keyword_are_parsed() -> None:
    """The prefilter is sound: SERVICE or an update keyword spelled with escapes is decoded first."""
    assert problem("ASK { ?s ?p ?o }") is None
    assert problem("ASK { S\\u0045RVICE <http://127.0.0.1:1/> { ?s ?p ?o } }") is not None
    assert problem("ASK { ?s ?p ?o } \\u0049NSERT") is not None  # does not parse as a query
    assert problem("ASK { ?s <http://example.org/address> ?o }") is None  # parsed ("add"), and fine


def test_the_decoding_is_rdflibs_for_generated_texts() -> None:
    """``checked`` returns rdflib's own decoding of every text: with escapes in either case, with a
    backslash before another letter, and without any (the texts whose decoding skips the parser)."""
    import random

    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    from kg.shapes_policy import _decoded, checked

    rng = random.Random(7)
    pieces = ["ASK { ?s ?p ", '"a"', "\\u0041", "\\U00000042", "\\U0001F600", "\\u00e9", "\\t", "\\\\",
              "\\n", "u0041", "\\x41", "}", "é", " ", "<http://example.org/u>", "\\"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 9))) for _ in range(400)]
    for text in texts:
        assert _decoded(text) == expandUnicodeEscapes(text), text
    assert checked("ASK { ?s ?p \"\\u0041\" }") == 'ASK { ?s ?p "A" }'
    assert checked("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"


def test_a_query_without_escapes_or_keywords_is_checked_without_the_parser() -> None:
    """rdflib's SPARQL grammar (about 60 ms to build) is not imported to check the project's shapes:
    the build imports it later, in the validation, beside the page processes."""
    code = ("import sys; from kg.shapes_policy import checked, problem; "
            "assert problem('SELECT ?this WHERE { ?this a <http://schema.org/Person> }') is None; "
            "checked('ASK { ?s ?p ?o }'); print('rdflib.plugins.sparql.parser' in sys.modules); "
            "problem('ASK { S\\\\u0045RVICE <http://127.0.0.1:1/> { ?s ?p ?o } }'); "
            "print('rdflib.plugins.sparql.parser' in sys.modules)")
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
