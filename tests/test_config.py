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

    (tmp_path / "kg.toml").write_text('[kg]\nversion = "9.9.9"\n[link]\nrate = 0.25\noffline = true\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["--root", str(tmp_path), "settings"]).output
    kg_part, _, link_part = out.partition("[link]")
    assert kg_part.startswith("[kg]\n") and "version = '9.9.9'" in kg_part
    assert "rate = 0.25" in link_part and "offline = True" in link_part and "timeout = 20.0" in link_part
    assert link_part.count(" = ") == 12  # every [link] setting, each with its help
