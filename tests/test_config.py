"""Configuration is a checked value; a changed base IRI rewrites every published IRI."""
from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from kg.config import load_config
from kg.errors import ConfigError
from kg.pipeline import build


def test_unknown_setting_is_refused(project: Path) -> None:
    (project / "kg.toml").write_text('[kg]\nbase_irl = "https://example.org/"\n')
    with pytest.raises(ConfigError, match="unknown setting 'base_irl'"):
        load_config(project)


def test_base_iri_must_end_with_slash(project: Path) -> None:
    with pytest.raises(ConfigError, match="ending with '/'"):
        load_config(project, {"base_iri": "https://example.org/kg"})


def test_bad_toml_names_the_file(project: Path) -> None:
    (project / "kg.toml").write_text("[kg\n")
    with pytest.raises(ConfigError, match="kg.toml"):
        load_config(project)


def test_configured_base_rewrites_every_resource(project: Path, tmp_path: Path) -> None:
    config = load_config(project, {"base_iri": "https://data.example.org/arthur/"})
    build(config, output=tmp_path / "out")
    g = rdflib.Graph().parse(tmp_path / "out" / "dataset.nt", format="nt")
    iris = {str(t) for triple in g for t in triple if isinstance(t, rdflib.URIRef)}
    assert "https://data.example.org/arthur/id/person/leon-trotsky" in iris
    assert not [i for i in iris if i.startswith("https://w3id.org/arthur-kg/id/")]
    assert "https://w3id.org/arthur-kg/ontology#roleInEssay" in iris  # the ontology keeps its namespace


def test_kg_settings_lists_every_table_with_its_values(tmp_path) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    from kg.cli import main

    (tmp_path / "kg.toml").write_text('[kg]\nversion = "9.9.9"\n[link]\nrate = 0.25\noffline = true\n'
                                      '[serve]\nworkers = 3\n[publish]\nread_timeout = 60\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["--root", str(tmp_path), "settings"]).output
    kg_part, _, rest = out.partition("[link]")
    link_part, _, rest = rest.partition("[serve]")
    serve_part, _, publish_part = rest.partition("[publish]")
    assert kg_part.startswith("[kg]\n") and "version = '9.9.9'" in kg_part
    assert "rate = 0.25" in link_part and "offline = True" in link_part and "read_timeout = 20.0" in link_part
    assert link_part.count(" = ") == 13  # every [link] setting, each with its help
    assert "workers = 3\n    Query worker processes." in serve_part and serve_part.count(" = ") == 8
    assert "read_timeout = 60.0\n" in publish_part and "connect_timeout = 5.0\n" in publish_part
    assert publish_part.count(" = ") == 6


# --- one loader for every table of kg.toml ------------------------------------------------------
def _kg(root: Path, *args: str):  # noqa: ANN202
    from click.testing import CliRunner

    from kg.cli import main

    return CliRunner().invoke(main, ["--root", str(root), *args])


@pytest.mark.parametrize("toml,message", [
    ('[serve]\nworkers = "two"\n', "kg.toml: [serve] workers must be a whole number, not str 'two'"),
    ("[serve]\nworkers = 0\n", "kg.toml: [serve] workers must be between 1 and 64, not 0"),
    ("[serve]\nwrokers = 2\n", "kg.toml: [serve] unknown setting 'wrokers'"),
    ("[serve]\ntimeout = true\n", "kg.toml: [serve] timeout must be a number, not bool True"),
    ("[sevre]\nworkers = 2\n", "kg.toml: unknown table [sevre]"),
    ('serve = "fast"\n', "kg.toml: 'serve' must be a table ([serve]), not a str"),
    ("[publish]\nread_timeout = -1\n", "kg.toml: [publish] read_timeout must be between 0.01 and 3600, not -1.0"),
    ('[publish]\nmethod = "post"\n', "kg.toml: [publish] method must be one of auto, gsp, update, not 'post'"),
    ('[link]\nread_timeout = "20"\n', "kg.toml: [link] read_timeout must be a number, not str '20'"),
    ("[kg]\nversion = 2\n", "kg.toml: [kg] version must be a string, not int 2"),
])
def test_a_bad_setting_in_any_table_is_one_line_naming_file_and_key(project: Path, toml: str, message: str) -> None:
    """Every command reads kg.toml through one loader: `kg settings` shows every table, so a bad
    value anywhere stops it with exit 2 and one line naming the file and [table] key."""
    (project / "kg.toml").write_text(toml, encoding="utf-8")
    result = _kg(project, "settings")
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first == f"error: {project.resolve() / 'kg.toml'}: " + message.removeprefix("kg.toml: ")
    assert "Traceback" not in result.output


def test_serve_options_flag_over_kg_toml_over_default(project: Path) -> None:
    from kg.config import load_options
    from kg.options import ServeOptions

    assert load_options(ServeOptions, "serve", project) == ServeOptions()
    (project / "kg.toml").write_text("[serve]\nworkers = 3\ntimeout = 2\nport = 9000\n", encoding="utf-8")
    opts = load_options(ServeOptions, "serve", project, {"port": 9100, "workers": None})
    assert (opts.workers, opts.timeout, opts.port, opts.max_rows) == (3, 2.0, 9100, 10_000)


def test_the_cli_defaults_are_the_options_classes(project: Path) -> None:
    """`kg serve --help` and `kg publish --help` show the dataclasses' defaults (not copies)."""
    serve_help = " ".join(_kg(project, "serve", "--help").output.split())
    assert "[default: (5.0; [serve] timeout); 0.05<=x<=3600.0]" in serve_help
    assert "[default: (2; [serve] workers); 1<=x<=64]" in serve_help
    publish_help = " ".join(_kg(project, "publish", "--help").output.split())
    assert "[default: (300.0; [publish] read_timeout); 0.01<=x<=3600.0]" in publish_help
    assert "[default: (5000; [publish] chunk); x>=1]" in publish_help
