"""The foundation: a build publishes parseable, isomorphic, conforming, repeatable dumps, and a
bad source gives a clear error, a non-zero exit and an untouched output/."""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.cli import main
from kg.config import load_config
from kg.pipeline import build

FORMATS = {"dataset.ttl": "turtle", "dataset.nt": "nt", "dataset.jsonld": "json-ld"}
OX = {"dataset.ttl": ox.RdfFormat.TURTLE, "dataset.nt": ox.RdfFormat.N_TRIPLES,
      "dataset.jsonld": ox.RdfFormat.JSON_LD, "dataset.trig": ox.RdfFormat.TRIG}


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def trig_union(path: Path, skip_metadata: bool = True) -> rdflib.Graph:
    ds = rdflib.Dataset()
    ds.parse(path, format="trig")
    union = rdflib.Graph()
    for g in ds.graphs():
        if skip_metadata and str(g.identifier).endswith("graph/metadata"):
            continue
        for t in g:
            union.add(t)
    return union


def test_dumps_are_isomorphic_in_every_format(built_mini: Path) -> None:
    out = built_mini / "output"
    graphs = {name: rdflib.Graph().parse(out / name, format=fmt) for name, fmt in FORMATS.items()}
    graphs["dataset.trig"] = trig_union(out / "dataset.trig")
    reference = graphs["dataset.nt"]
    assert len(reference) > 300
    for name, g in graphs.items():
        assert isomorphic(g, reference), name
    for name, g in graphs.items():
        gzipped = rdflib.Graph().parse(data=gzip.decompress((out / (name + ".gz")).read_bytes()),
                                       format=FORMATS.get(name, "turtle")) if name != "dataset.trig" else g
        assert len(gzipped) == len(g)


def test_an_independent_parser_reads_every_dump(built_mini: Path) -> None:
    out = built_mini / "output"
    counts = {name: len(list(ox.parse(path=str(out / name), format=fmt))) for name, fmt in OX.items()}
    assert counts["dataset.ttl"] == counts["dataset.nt"] == counts["dataset.jsonld"]
    assert counts["dataset.trig"] > counts["dataset.nt"]  # plus the metadata graph


def test_jsonld_uses_our_context_and_https_schema(built_mini: Path) -> None:
    text = (built_mini / "output" / "dataset.jsonld").read_text()
    assert '"schema": "https://schema.org/"' in text
    assert "http://schema.org" not in text
    g = rdflib.Graph().parse(built_mini / "output" / "dataset.jsonld", format="json-ld")
    assert any(str(p).startswith("https://schema.org/") for p in g.predicates())


def test_ntriples_are_sorted_and_have_no_blank_nodes(built_mini: Path) -> None:
    lines = (built_mini / "output" / "dataset.nt").read_text().splitlines()
    assert lines == sorted(lines)
    assert not any(part.startswith("_:") for line in lines for part in line.split(" ")[:3])


def test_two_builds_give_identical_bytes(project: Path, tmp_path: Path) -> None:
    config = load_config(project)
    build(config, output=tmp_path / "a")
    build(config, output=tmp_path / "b")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_source_date_epoch_sets_the_modified_date(project: Path) -> None:
    config = load_config(project, environ={"SOURCE_DATE_EPOCH": "0"})
    assert config.modified == "1970-01-01"


def test_sha256sums_match_the_files(built_mini: Path) -> None:
    out = built_mini / "output"
    for line in (out / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_void_describes_each_distribution(built_mini: Path) -> None:
    out = built_mini / "output"
    void = rdflib.Graph().parse(out / "void.ttl")
    q = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX spdx: <http://spdx.org/rdf/terms#>
           SELECT ?url ?size ?sum WHERE { ?d dcat:downloadURL ?url ; dcat:byteSize ?size ; spdx:checksum/spdx:checksumValue ?sum }"""
    rows = list(void.query(q))
    assert len(rows) == 11  # 8 dumps, argument.aif.json, nanopubs.trig, annotations.jsonld (the mini essay has no reading order: no TEI)
    for url, size, digest in rows:
        data = (out / str(url).rsplit("/", 1)[1]).read_bytes()
        assert int(size) == len(data)
        assert str(digest) == hashlib.sha256(data).hexdigest()
    triples = int(next(iter(void.query(
        "PREFIX void: <http://rdfs.org/ns/void#> SELECT ?n WHERE { ?d a void:Dataset ; void:triples ?n }")))[0])
    assert triples == len((out / "dataset.nt").read_text().splitlines())


def test_every_anchor_is_true_of_the_text(built_mini: Path) -> None:
    text = (built_mini / "data/essays/mini/source.txt").read_text(encoding="utf-8")
    g = rdflib.Graph().parse(built_mini / "output" / "dataset.nt", format="nt")
    q = """PREFIX oa: <http://www.w3.org/ns/oa#>
           SELECT ?exact ?s ?e WHERE { ?a oa:hasSelector ?q , ?p . ?q oa:exact ?exact . ?p oa:start ?s ; oa:end ?e }"""
    rows = list(g.query(q))
    assert rows
    for exact, s, e in rows:
        assert text[int(s):int(e)] == str(exact)


def test_contract_triples_are_materialised(built_mini: Path) -> None:
    g = rdflib.Graph().parse(built_mini / "output" / "dataset.nt", format="nt")
    ask = lambda q: bool(g.query("PREFIX schema: <https://schema.org/> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "  # noqa: E731
                                  "PREFIX cito: <http://purl.org/spar/cito/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                                  "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX fabio: <http://purl.org/spar/fabio/> " + q).askAnswer)
    assert ask("ASK { ?p a schema:Person , foaf:Person }")
    assert ask("ASK { ?e cito:cites ?w }")  # from cito:discusses
    assert ask("ASK { ?a skos:narrower ?b }")  # inverse of skos:broader
    assert ask("ASK { ?e schema:mentions ?p . ?p a schema:Person }")
    assert ask("ASK { ?q a fabio:Quotation ; prov:wasDerivedFrom ?anchor }")
    assert not ask("ASK { ?s <https://w3id.org/arthur-kg/ontology#evidence> ?o }")


# ---------------------------------------------------------------- failures leave output/ untouched

def _break(project: Path, old: str, new: str) -> None:
    path = project / "data/essays/mini/essay.ttl"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BREAKAGES = {
    "syntax error": ('schema:name "Leon Trotsky" ;', 'schema:name "Leon Trotsky ;', 2, "essay.ttl:"),
    "missing label": ('rdfs:label "Leon Trotsky"@en ;', "", 1, "rdfs:label"),
    "wrong datatype": ('"1879"^^xsd:gYear', '"eighteen79"', 1, "schema:birthDate"),
    "evidence not in text": ('kgo:evidence "has still not been superseded"', 'kgo:evidence "has been superseded at last"', 2,
                             "has been superseded at last"),
    "dangling link": ("schema:author person:c-j-arthur", "schema:author person:c-j-arthor", 1, "c-j-arthor"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_bad_sources_fail_clearly_and_leave_output_untouched(project: Path, name: str) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["--root", str(project), "-q", "build"])
    assert first.exit_code == 0, first.output
    before = snapshot(project / "output")
    old, new, code, expected = BREAKAGES[name]
    _break(project, old, new)
    result = runner.invoke(main, ["--root", str(project), "-q", "build"])
    assert result.exit_code == code, result.output
    assert expected in result.output
    assert snapshot(project / "output") == before


def test_syntax_error_names_file_line_and_column(project: Path) -> None:
    _break(project, "kgo:noteNumber 3 ;", "kgo:noteNumber 3 ;;;; ]")
    result = CliRunner().invoke(main, ["--root", str(project), "-q", "build"])
    assert result.exit_code == 2
    line = next(n for n, text in enumerate((project / "data/essays/mini/essay.ttl").read_text().splitlines(), 1)
                if "noteNumber" in text)
    assert f"essay.ttl:{line}:" in result.output


def test_build_prints_where_the_dumps_are(project: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(project), "build"])
    assert result.exit_code == 0, result.output
    assert str(project / "output" / "dataset.ttl") in result.output
