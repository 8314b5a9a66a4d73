"""The registries (kg/registry.py): a new dump format is one row plus one writer, and a new kind of
curated resource is one row plus its shapes and data. Each test adds a row (RDF/XML; the
organisation kind, taken out first) and checks that every module that must know of it does: the
build renders it, ``void.ttl`` describes it, the server serves it, ``kg release`` freezes it; the
essay mentions the organisation, its page is built, the TEI edition marks it, the linker asks
Wikidata for it."""
from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID
from starlette.testclient import TestClient

from conftest import make_project
from kg import registry
from kg.cli import main
from kg.config import load_config
from kg.namespaces import PREFIXES, SCHEMA
from kg.pipeline import build
from kg.publish import serialize
from kg.release import release
from kg.server.app import ServeOptions, create_app

from linker_fake import FakeServices, default_world, wd_entity
from test_reader import MINI_ORDER

IANA = "https://www.iana.org/assignments/media-types/"
RDF_XML = registry.DumpFormat("rdfxml", ".rdf", "application/rdf+xml", "dump_rdfxml")


def dump_rdfxml(d: serialize.DumpInput) -> bytes:
    """RDF/XML, deterministic: pyoxigraph writes the sorted N-Triples in their order."""
    triples = ox.parse(serialize.ntriples(d.union), format=ox.RdfFormat.N_TRIPLES)
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=dict(PREFIXES))


@pytest.fixture
def with_rdfxml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "DUMP_FORMATS", (*registry.DUMP_FORMATS, RDF_XML))
    monkeypatch.setattr(serialize, "dump_rdfxml", dump_rdfxml, raising=False)


def test_a_new_dump_format_is_rendered_described_served_and_released(project: Path, with_rdfxml: None) -> None:
    config = load_config(project)
    build(config)
    out = project / "output"
    data = (out / "dataset.rdf").read_bytes()
    assert gzip.decompress((out / "dataset.rdf.gz").read_bytes()) == data
    nt = rdflib.Graph().parse(out / "dataset.nt", format="nt")
    xml = rdflib.Graph().parse(data=data, format="xml")
    assert len(xml) == len(nt) > 100 and set(xml) == set(nt)
    assert "dataset.rdf.gz" in (out / "SHA256SUMS").read_text()

    void = rdflib.Graph().parse(out / "void.ttl", format="turtle")
    dist = URIRef(config.base_iri + "id/dataset/distribution/dataset-rdf-gz")
    assert void.value(dist, DCAT.mediaType) == URIRef(IANA + "application/rdf+xml")
    assert str(void.value(dist, DCTERMS.format)) == "application/rdf+xml"
    assert void.value(dist, DCAT.compressFormat) == URIRef(IANA + "application/gzip")
    assert (None, VOID.dataDump, URIRef(config.dumps_url + "dataset.rdf")) in void

    options = ServeOptions(timeout=5.0, max_rows=100, max_bytes=100_000, max_request=4096, workers=1)
    with TestClient(create_app(config, options=options), base_url="http://testserver") as client:
        r = client.get("/dumps/dataset.rdf")
        assert (r.status_code, r.headers["content-type"], r.content) == (200, "application/rdf+xml", data)

    result = release(config, config.version)
    assert "dataset.rdf.gz" in result.files
    assert (result.folder / "dataset.rdf.gz").read_bytes() == (out / "dataset.rdf.gz").read_bytes()
    frozen = rdflib.Graph().parse(result.folder / "void.ttl", format="turtle")
    assert {str(o) for o in frozen.objects(None, DCTERMS.format)} >= {"application/rdf+xml", "text/turtle"}


def test_every_dump_format_of_the_table_is_built_readable_and_served_with_its_media_type(built_mini: Path) -> None:
    """Without a new row, the dumps are the four formats, each plain and gzipped; each reads back in
    the format its media type names, with every triple, and the server sends that media type."""
    assert registry.described_dumps() == sorted(
        f"dataset.{e}{gz}" for e in ("jsonld", "nt", "trig", "ttl") for gz in ("", ".gz"))
    assert registry.released_dumps() == ("dataset.jsonld.gz", "dataset.nt.gz", "dataset.trig.gz", "dataset.ttl.gz")
    out = built_mini / "output"
    assert not (out / "dataset.rdf").exists()
    triples = len((out / "dataset.nt").read_bytes().splitlines())
    options = ServeOptions(timeout=5.0, max_rows=100, max_bytes=100_000, max_request=4096, workers=1)
    with TestClient(create_app(load_config(built_mini), options=options), base_url="http://testserver") as client:
        for f in registry.DUMP_FORMATS:
            data = (out / f.file).read_bytes()
            assert gzip.decompress((out / (f.file + ".gz")).read_bytes()) == data
            read = {(q.subject, q.predicate, q.object)
                    for q in ox.parse(data, format=ox.RdfFormat.from_media_type(f.media_type))}
            assert len(read) == triples if f.scope == "union" else len(read) > triples, f.name  # + the description
            r = client.get("/dumps/" + f.file)
            assert (r.status_code, r.headers["content-type"].split(";")[0], r.content) == (200, f.media_type, data)


def test_a_dump_format_must_be_gzipped_to_be_released() -> None:
    with pytest.raises(ValueError, match="a released dump is gzipped"):
        registry.DumpFormat("rdfxml", ".rdf", "application/rdf+xml", "dump_rdfxml", gzipped=False)


# ---------------------------------------------------------------- a new kind of resource

ORGANISATION = """
@prefix organisation: <https://w3id.org/arthur-kg/id/organisation/> .
@prefix schema: <https://schema.org/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix kgo: <https://w3id.org/arthur-kg/ontology#> .

organisation:trotskys-critics a schema:Organization , foaf:Group ;
    rdfs:label "Trotsky's critics"@en ;
    schema:name "Trotsky's critics" ;
    kgo:mention "Trotsky’s critics" .
"""
CRITICS = URIRef("https://w3id.org/arthur-kg/id/organisation/trotskys-critics")
ESSAY = URIRef("https://w3id.org/arthur-kg/id/essay/mini")


def _organisation_project(root: Path) -> Path:
    make_project(root)
    (root / "data/essays/mini/organisations.ttl").write_text(ORGANISATION, encoding="utf-8")
    (root / "data/essays/mini/reading-order.txt").write_text(MINI_ORDER, encoding="utf-8")  # for the TEI edition
    return root


@pytest.mark.parametrize("with_row", [False, True], ids=["without-the-row", "with-the-row"])
def test_a_new_kind_is_mentioned_paged_marked_and_linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         with_row: bool) -> None:
    if not with_row:  # the table as it was before the organisation kind was added
        monkeypatch.setattr(registry, "ENTITY_KINDS", tuple(k for k in registry.ENTITY_KINDS if k.segment != "organisation"))
    root = _organisation_project(tmp_path / "project")
    build(load_config(root))
    out = root / "output"
    nt = rdflib.Graph().parse(out / "dataset.nt", format="nt")
    # the mention vocabulary: the essay lists it among schema:mentions
    assert ((ESSAY, SCHEMA.mentions, CRITICS) in nt) is with_row
    # the TEI edition marks it with the kind's element
    tei = (out / "essay.tei.xml").read_text(encoding="utf-8")
    marked = ("<orgName" if with_row else '<rs type="organisation"') + f' ref="{CRITICS}"><persName'
    assert marked in tei and (tei.count("<orgName") == with_row), tei
    # its page and the page of its kind (pages follow the IRI's segment: no row needed)
    page = (out / "site/id/organisation/trotskys-critics.html").read_text(encoding="utf-8")
    assert "Trotsky&#39;s critics" in page or "Trotsky's critics" in page
    assert "trotskys-critics" in (out / "site/kinds/organisation.html").read_text(encoding="utf-8")

    # the linker looks it up on the services of its kind (Wikidata only), and proposes the match
    world = default_world()
    world.entities["Q9300001"] = wd_entity("Q9300001", "Trotsky's critics", ("Q43229",), description="group")
    world.search["trotsky's critics"] = ["Q9300001"]
    with FakeServices(world) as fake:
        with (root / "kg.toml").open("a", encoding="utf-8") as fh:
            fh.write(fake.link_toml())
        result = CliRunner().invoke(main, ["--root", str(root), "-q", "link"])
        asked = [r for r in fake.requests if "trotsky%27s+critics" in r.lower() or "trotsky's critics" in r.lower()]
    assert result.exit_code == 0, result.output
    review = (root / "data/links/review.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in review.splitlines() if "organisation/trotskys-critics" in line]
    if with_row:
        assert len(asked) == 1 and "wbsearchentities" in asked[0]
        assert [(r[2], r[3]) for r in rows][:1] == [("wikidata", "Q9300001")], review
    else:
        assert (asked, rows) == ([], [])
