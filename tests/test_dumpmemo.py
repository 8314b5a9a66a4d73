"""The essays' named graphs of the TriG dump kept in the build cache (kg/publish/dumpmemo.py): a graph's
text is read back only for the triples it was written from (the enrichment's key), the namer and the
code; a graph without a key is always written; a damaged entry is written again and replaced; a build
with the cache publishes the TriG bytes of one without it."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

import kg.publish.dumpmemo as memo_module
from kg.cache import Cache
from kg.config import load_config
from kg.model import EssayTriples
from kg.pipeline import compile_dataset
from kg.publish import render
from kg.publish.dumpmemo import KIND, TrigBodies
from kg.publish.serialize import Namer, trig_body
from kg.sources import load_sources

BASE = "https://example.org/kg/"


def triples(label: str = "An essay") -> list[tuple]:
    s = URIRef(f"{BASE}id/essay/e1")
    return [(s, RDF.type, URIRef("http://purl.org/spar/fabio/ScholarlyWork")), (s, RDFS.label, Literal(label, lang="en")),
            (URIRef(f"{BASE}id/person/p1"), RDFS.label, Literal("P One"))]


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list:
    """The graphs ``trig_body`` was asked to write, through the memo (their lengths)."""
    calls: list = []

    def counting(graph, namer):  # noqa: ANN001, ANN202
        calls.append(len(graph))
        return trig_body(graph, namer)
    monkeypatch.setattr(memo_module, "trig_body", counting)
    return calls


def entries(cache: Cache) -> int:
    return sum(1 for _ in (cache.folder / KIND).rglob("*.json"))


def test_a_graph_with_a_key_is_written_once_and_read_back_as_the_same_text(tmp_path: Path, written: list) -> None:
    namer = Namer(BASE)
    first = TrigBodies(Cache(tmp_path))(EssayTriples(triples(), "k1"), namer)
    again = Cache(tmp_path)  # another build
    second = TrigBodies(again)(EssayTriples(triples(), "k1"), Namer(BASE))
    assert written == [3] and first == second == trig_body(EssayTriples(triples()), namer)
    assert first.startswith("    <essay/e1>\n        a fabio:ScholarlyWork ;") and again.hits == {KIND: 1} and entries(again) == 1


@pytest.mark.parametrize("change", ["key", "base", "prefixes", "code"])
def test_another_key_namer_or_code_writes_it_again(tmp_path: Path, written: list, change: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    TrigBodies(Cache(tmp_path))(EssayTriples(triples(), "k1"), Namer(BASE))
    graph, namer = EssayTriples(triples(), "k1"), Namer(BASE)
    if change == "key":  # other triples: the enrichment's key differs
        graph = EssayTriples(triples("Another essay"), "k2")
    elif change == "base":
        namer = Namer("https://example.net/other/")
    elif change == "prefixes":
        namer = Namer(BASE, {"ex": "http://example.org/ns#"})
    else:
        monkeypatch.setattr(memo_module, "code_version", lambda: "another version of kg")
    cache = Cache(tmp_path)
    text = TrigBodies(cache)(graph, namer)
    assert written == [3, 3] and cache.misses == {KIND: 1} and entries(cache) == 2
    assert text == trig_body(graph, namer)


@pytest.mark.parametrize("graph", [EssayTriples(triples()), Graph()], ids=["no key", "rdflib graph"])
def test_a_graph_without_a_key_is_never_kept(tmp_path: Path, written: list, graph) -> None:  # noqa: ANN001
    for t in triples():
        if isinstance(graph, Graph):
            graph.add(t)
    cache = Cache(tmp_path)
    for _ in range(2):
        assert TrigBodies(cache)(graph, Namer(BASE)) == trig_body(graph, Namer(BASE))
    assert written == [3, 3] and cache.used == {} and not (tmp_path / KIND).exists()


def test_without_a_cache_it_writes_each_time(written: list) -> None:
    for memo in (TrigBodies(), TrigBodies(Cache(None))):
        memo(EssayTriples(triples(), "k1"), Namer(BASE))
    assert written == [3, 3]


@pytest.mark.parametrize("damage", ["not text", "bit flipped", "another entry"])
def test_a_damaged_entry_is_written_again_and_replaced(tmp_path: Path, written: list, damage: str) -> None:
    memo = TrigBodies(Cache(tmp_path))
    graph = EssayTriples(triples(), "k1")
    good = memo(graph, Namer(BASE))
    path = next((tmp_path / KIND).rglob("*.json"))
    key = path.stem
    if damage == "not text":  # a well-formed entry of this key whose value is no graph's text
        body = json.dumps({"key": key, "value": {"lines": 3}}).encode()
        path.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    elif damage == "bit flipped":
        raw = bytearray(path.read_bytes())
        raw[-10] ^= 1
        path.write_bytes(bytes(raw))
    else:  # the file of another key copied over this one
        TrigBodies(Cache(tmp_path))(EssayTriples(triples("Other"), "k2"), Namer(BASE))
        other = next(p for p in (tmp_path / KIND).rglob("*.json") if p.stem != key)
        path.write_bytes(other.read_bytes())
    before = len(written)
    cache = Cache(tmp_path)
    assert TrigBodies(cache)(graph, Namer(BASE)) == good
    assert cache.misses == {KIND: 1} and cache.hits.get(KIND, 0) == 0
    again = Cache(tmp_path)
    assert TrigBodies(again)(graph, Namer(BASE)) == good and again.hits == {KIND: 1}  # replaced
    assert len(written) == before + 1  # written again once, then read


def test_the_essays_trig_with_the_cache_is_the_bytes_without_it(built_mini: Path, tmp_path: Path) -> None:
    config = load_config(built_mini)
    sources = load_sources(config)
    plain = render(compile_dataset(sources, config), config)["dataset.trig"]
    cache = Cache(tmp_path)
    dataset = compile_dataset(sources, config, cache=cache)
    essays = len(dataset.essays)
    assert essays >= 1 and all(isinstance(g.key, str) for g in dataset.essays.values())
    assert render(dataset, config, cache=cache)["dataset.trig"] == plain
    assert cache.misses[KIND] == essays and entries(cache) == essays
    again = Cache(tmp_path)
    assert render(compile_dataset(sources, config, cache=again), config, cache=again)["dataset.trig"] == plain
    assert again.hits[KIND] == essays and KIND not in again.misses
