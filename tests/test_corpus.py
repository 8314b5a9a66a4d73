"""A corpus of two essays (tests/fixtures/two-essays): a person both essays describe is one resource;
its mentions are anchored in each essay's own text; each essay has its own SourceText and its own
named graph."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg.config import load_config
from kg.namespaces import KGO, OA, SCHEMA
from kg.pipeline import build

from conftest import make_project

ID = "https://w3id.org/arthur-kg/id/"
TROTSKY = URIRef(ID + "person/leon-trotsky")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("two") / "project", "two-essays")
    build(load_config(root))
    return root


def test_a_shared_person_is_one_resource(built: Path) -> None:
    g = Graph().parse(built / "output" / "dataset.nt", format="nt")
    assert list(g.objects(TROTSKY, RDFS.label)) == [g.value(TROTSKY, RDFS.label)]  # one label, not two
    assert len(set(g.subjects(SCHEMA.name, None))) == len({str(o) for o in g.objects(None, SCHEMA.name)})
    essays = {URIRef(ID + "essay/alpha"), URIRef(ID + "essay/beta")}
    assert {e for e in essays if (e, SCHEMA.mentions, TROTSKY) in g} == essays


def test_mentions_are_anchored_in_each_essays_own_text(built: Path) -> None:
    g = Graph().parse(built / "output" / "dataset.nt", format="nt")
    by_source: dict[str, list[str]] = {}
    for anchor in g.objects(TROTSKY, KGO.mentionedAt):
        source = g.value(anchor, OA.hasSource)
        assert str(anchor).startswith(ID + "anchor/" + str(source).rsplit("/", 1)[1] + "/")
        text = str(g.value(source, KGO.content))
        for sel in g.objects(anchor, OA.hasSelector):
            if (sel, RDF.type, OA.TextPositionSelector) in g:
                by_source.setdefault(str(source), []).append(text[int(g.value(sel, OA.start)):int(g.value(sel, OA.end))])
    assert by_source == {ID + "text/alpha": ["Trotsky", "Trotsky"], ID + "text/beta": ["Trotsky", "Trotsky"]}
    assert {s for s in g.subjects(RDF.type, KGO.SourceText)} == {URIRef(ID + "text/alpha"), URIRef(ID + "text/beta")}


def test_each_essay_has_its_own_named_graph(built: Path) -> None:
    ds = Dataset()
    ds.parse(built / "output" / "dataset.trig", format="trig")
    alpha = ds.graph(URIRef("https://w3id.org/arthur-kg/graph/essay/alpha"))
    beta = ds.graph(URIRef("https://w3id.org/arthur-kg/graph/essay/beta"))
    for g, mine, other in ((alpha, "alpha", "beta"), (beta, "beta", "alpha")):
        sources = set(g.objects(None, OA.hasSource))
        assert sources == {URIRef(ID + f"text/{mine}")}, f"{mine} graph anchors in {sources}"
        assert (TROTSKY, RDFS.label, None) in g  # the shared description is in both graphs
        assert (URIRef(ID + f"text/{other}"), RDF.type, KGO.SourceText) not in g


def test_each_essay_gets_its_own_argument_and_people_map(built: Path) -> None:
    """A corpus draws one argument map and one people map per essay (one map of every claim of every
    essay grows superlinearly); the index pages link them all."""
    import xml.dom.minidom

    maps = built / "output" / "maps"
    for essay in ("alpha", "beta"):
        for kind in ("argument", "people"):
            svg = maps / f"{kind}-map-{essay}.svg"
            assert svg.exists(), svg
            xml.dom.minidom.parse(str(svg))  # well-formed
            assert (built / "output" / "site" / "maps" / f"{kind}-{essay}.html").exists()
    index = (built / "output" / "site" / "maps" / "argument.html").read_text(encoding="utf-8")
    assert "argument-alpha.html" in index and "argument-beta.html" in index
