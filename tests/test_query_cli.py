"""`kg query`: the standard prefixes are predeclared, FROM names only the store's own graphs,
updates and SERVICE are refused before evaluation."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main


def run(root: Path, *args: str):  # noqa: ANN201
    return CliRunner().invoke(main, ["--root", str(root), "-q", "query", *args])


def test_predeclared_prefixes_and_json(built_mini: Path) -> None:
    res = run(built_mini, "SELECT ?n WHERE { ?p a schema:Person ; schema:name ?n } ORDER BY ?n", "--format", "json")
    assert res.exit_code == 0, res.output
    names = [b["n"]["value"] for b in json.loads(res.output)["results"]["bindings"]]
    assert names == ["C. J. Arthur", "Leon Trotsky"]


def test_from_a_local_graph_restricts_the_default_graph(built_mini: Path) -> None:
    count = lambda out: int(out.strip().splitlines()[-1].split(",")[0])  # noqa: E731
    whole = run(built_mini, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv")
    onto = run(built_mini, "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/arthur-kg/graph/ontology> WHERE { ?s ?p ?o }",
               "--format", "csv")
    assert whole.exit_code == onto.exit_code == 0
    assert 0 < count(onto.output) < count(whole.output)


def test_remote_from_updates_and_service_are_refused(built_mini: Path) -> None:
    for q in ("SELECT * FROM <http://example.org/remote> WHERE { ?s ?p ?o }",
              "INSERT DATA { <http://a> <http://b> <http://c> }",
              "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"):
        res = run(built_mini, q)
        assert res.exit_code == 2, q
        assert "not allowed" in res.output


def test_unknown_example_lists_the_known_ones(built_mini: Path) -> None:
    res = run(built_mini, "--example", "no-such-query")
    assert res.exit_code == 2
    assert "no cookbook query named 'no-such-query'" in res.output


def test_quiet_is_accepted_after_the_command_too(built_mini: Path) -> None:
    from kg.cli import main as cli

    for args in (["-q", "settings"], ["settings", "-q"], ["settings", "--quiet"]):
        res = CliRunner().invoke(cli, ["--root", str(built_mini), *args])
        assert res.exit_code == 0, (args, res.output)
        assert "base_iri" in res.output


def test_no_command_has_a_q_option_of_its_own() -> None:
    import click

    from kg.cli import main as cli

    for name, cmd in cli.commands.items():
        for p in cmd.params:
            if isinstance(p, click.Option):
                assert not set(p.opts) & {"-q", "--quiet"}, name


def test_a_query_file_that_cannot_be_read_is_exit_2_naming_it(built_mini: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.rq"
    folder = tmp_path / "folder.rq"
    folder.mkdir()
    latin1 = tmp_path / "latin1.rq"
    latin1.write_bytes("SELECT * WHERE {\n ?s ?p \"caf\xe9\" }".encode("latin-1"))
    for path, message in ((missing, f"error: {missing}: no such query file"),
                          (folder, f"error: {folder}: is a folder, not a query file"),
                          (tmp_path, f"error: {tmp_path}: is a folder, not a query file"),
                          (latin1, f"error: {latin1}:2: not UTF-8 text (byte 28: invalid continuation byte)")):
        res = run(built_mini, str(path))
        assert res.exit_code == 2, res.output
        assert res.output.strip().splitlines() == [message]


def test_kg_query_runs_the_canonical_text(built_mini: Path) -> None:
    # "\u0022" is a quote (SPARQL 1.1 §19.2): the SERVICE below sits inside one long string
    q = ('SELECT ?b WHERE { BIND("\\u0022" AS ?a) SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } '
         'BIND("\\u0022" AS ?b) }')
    res = run(built_mini, q, "--format", "json")
    assert res.exit_code == 0, res.output
    value = json.loads(res.output)["results"]["bindings"][0]["b"]["value"]
    assert value == " AS ?a) SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } BIND("
