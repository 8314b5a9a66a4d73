"""The claims' nanopublications kept in the build cache (kg/publish/nanopubmemo.py): a rebuild reads
back the nanopublication of a claim whose quads did not change and makes the others; the bytes are
those of exports made without the cache, whatever changed (a claim's text, the signing key, the
code); a damaged entry costs the making, never a wrong file; the entry is written again only when its
texts changed, and a build keeps it from pruning whichever process made it."""
from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

import pytest
from Crypto.PublicKey import RSA
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

import kg.publish.argument as argument
import kg.publish.nanopubmemo as memo_module
from kg.cache import Cache
from kg.config import load_config
from kg.namespaces import SCHEMA
from kg.pipeline import build, compile_dataset
from kg.publish.argument import argument_exports
from kg.publish.nanopubmemo import KIND, NanopubMemo, entry_key, quads_text
from kg.sources import load_sources

from conftest import make_project


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list:
    """The namespaces of the nanopublications made (given a Trusty URI), through the memo or not."""
    calls: list = []
    real = argument.make_trusty

    def counting(quads, ns, *rest):  # noqa: ANN001, ANN002, ANN202
        calls.append(ns)
        return real(quads, ns, *rest)
    monkeypatch.setattr(argument, "make_trusty", counting)
    return calls


@pytest.fixture(scope="module")
def dataset_and_config(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    root = make_project(tmp_path_factory.mktemp("npmemo") / "p", "argument")
    config = load_config(root)
    return compile_dataset(load_sources(config), config), config


def nanopubs(files: dict) -> dict:
    return {k: v for k, v in files.items() if k.startswith("nanopubs")}


def test_a_rebuild_reads_back_every_unchanged_nanopublication(tmp_path: Path, made: list,
                                                              dataset_and_config: tuple) -> None:
    dataset, config = dataset_and_config
    fresh = argument_exports(dataset, config)
    assert len(made) == 7
    cache = Cache(tmp_path)
    assert argument_exports(dataset, config, cache=cache) == fresh and len(made) == 14
    assert cache.misses == {KIND: 7} and cache.hits == {}
    (entry,) = (tmp_path / KIND).rglob("*.marshal")
    stamp = entry.stat().st_mtime_ns
    again = Cache(tmp_path)
    assert argument_exports(dataset, config, cache=again) == fresh and len(made) == 14
    assert again.hits == {KIND: 7} and again.misses == {}
    assert entry.stat().st_mtime_ns == stamp and again.prune() == 0  # not written again, kept


def test_a_changed_claim_is_made_again_and_the_others_read_back(tmp_path: Path, made: list,
                                                                dataset_and_config: tuple) -> None:
    dataset, config = dataset_and_config
    argument_exports(dataset, config, cache=Cache(tmp_path))
    g = dataset.union
    claim = sorted(c for c in g.subjects(SCHEMA.text, None) if (c, None, SCHEMA.Claim) in g)[0]
    old = g.value(claim, SCHEMA.text)
    g.remove((claim, SCHEMA.text, old))
    g.add((claim, SCHEMA.text, Literal(str(old) + " (revised)", lang=old.language)))
    try:
        before = len(made)
        cache = Cache(tmp_path)
        got = argument_exports(dataset, config, cache=cache)
        assert cache.misses == {KIND: 1} and cache.hits == {KIND: 6} and len(made) == before + 1
        assert got == argument_exports(dataset, config)  # the bytes made without the cache
        assert b"(revised)" in got["nanopubs.trig"]
        assert len(Cache(tmp_path).get(KIND, entry_key())) == 7  # this build's texts only
    finally:
        g.remove((claim, SCHEMA.text, None))
        g.add((claim, SCHEMA.text, old))


def test_another_signing_key_makes_every_nanopublication_again(tmp_path: Path, made: list,
                                                               dataset_and_config: tuple) -> None:
    dataset, config = dataset_and_config
    argument_exports(dataset, config, cache=Cache(tmp_path))
    key = base64.b64encode(RSA.generate(1024).export_key(format="DER")).decode("ascii")
    dataset.nanopub_key = key
    try:
        cache = Cache(tmp_path)
        signed = argument_exports(dataset, config, cache=cache)
        assert cache.misses == {KIND: 7} and signed == argument_exports(dataset, config)
        assert signed["nanopubs.trig"].count(b"hasSignature ") == 7
        again = Cache(tmp_path)
        assert argument_exports(dataset, config, cache=again) == signed and again.hits == {KIND: 7}
        other = dataclasses.replace(config, nanopub_signer="https://example.org/another-signer")
        by_other = Cache(tmp_path)  # the same key, another signer named in the signature's triples
        assert argument_exports(dataset, other, cache=by_other) == argument_exports(dataset, other) != signed
        assert by_other.misses == {KIND: 7}
    finally:
        dataset.nanopub_key = ""


@pytest.mark.parametrize("change", ["code", "format"])
def test_another_code_makes_them_again(tmp_path: Path, made: list, dataset_and_config: tuple,
                                       monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    dataset, config = dataset_and_config
    fresh = argument_exports(dataset, config, cache=Cache(tmp_path))
    if change == "code":
        monkeypatch.setattr(memo_module, "code_version", lambda: "another version of kg")
    else:
        monkeypatch.setattr(memo_module, "FORMAT", memo_module.FORMAT + " and more")
    cache = Cache(tmp_path)
    assert argument_exports(dataset, config, cache=cache) == fresh and cache.misses == {KIND: 7}


@pytest.mark.parametrize("damage", ["not a dictionary", "a text that is not bytes", "another claim's text"])
def test_a_damaged_entry_costs_the_making_never_a_wrong_file(tmp_path: Path, made: list,
                                                             dataset_and_config: tuple, damage: str) -> None:
    dataset, config = dataset_and_config
    fresh = argument_exports(dataset, config, cache=Cache(tmp_path))
    stored = Cache(tmp_path).get(KIND, entry_key())
    assert len(stored) == 7 and all(isinstance(v, bytes) for v in stored.values())
    if damage == "not a dictionary":
        Cache(tmp_path).put(KIND, entry_key(), list(stored.values()))
    elif damage == "a text that is not bytes":
        Cache(tmp_path).put(KIND, entry_key(), {k: v.decode("utf-8") for k, v in stored.items()})
    else:  # each key holding the text of the next: read back as it is (the key names the quads, not the text)
        keys = sorted(stored)
        Cache(tmp_path).put(KIND, entry_key(), {k: stored[keys[(i + 1) % len(keys)]] for i, k in enumerate(keys)})
    cache = Cache(tmp_path)
    got = argument_exports(dataset, config, cache=cache)
    if damage == "another claim's text":
        # the memo trusts an entry's texts under their keys (the cache's checksum guards the file):
        # a swap written by hand is read as written; the next build without it makes them again
        assert cache.hits == {KIND: 7} and got != fresh
        Cache(tmp_path).put(KIND, entry_key(), [])
        assert argument_exports(dataset, config, cache=Cache(tmp_path)) == fresh
    else:
        assert got == fresh and cache.misses == {KIND: 7}
        assert Cache(tmp_path).get(KIND, entry_key()) == stored  # replaced by this build's


def test_the_quads_text_tells_every_term_apart() -> None:
    """Two lists of quads give the same text only when their terms are the same, kind, language and
    datatype included (an IRI and a literal of one text, a blank node, a tag, a datatype, a term cut
    in two other places)."""
    g, s, p = URIRef("https://example.org/g"), URIRef("https://example.org/s"), URIRef("https://example.org/p")
    objects = [URIRef("https://example.org/o"), Literal("https://example.org/o"), BNode("https://example.org/o"),
               Literal("o", lang="en"), Literal("o", lang="de"), Literal("o"), Literal("o", datatype=XSD.token),
               Literal("1", datatype=XSD.integer), Literal("1", datatype=XSD.string)]
    texts = {quads_text([(g, s, p, o)]) for o in objects}
    assert len(texts) == len(objects)
    a = quads_text([(g, s, URIRef("https://example.org/pq"), URIRef("https://example.org/r"))])
    b = quads_text([(g, s, URIRef("https://example.org/p"), URIRef("https://example.org/qr"))])
    assert a != b
    assert quads_text([(g, s, p, objects[0])] * 2) != quads_text([(g, s, p, objects[0])])


def test_without_a_cache_every_nanopublication_is_made(dataset_and_config: tuple, made: list) -> None:
    dataset, config = dataset_and_config
    for cache in (None, Cache(None)):
        argument_exports(dataset, config, cache=cache)
    assert len(made) == 14
    memo = NanopubMemo(Cache(None))
    assert memo([], "ns/", lambda: b"made", "", "", None) == b"made"
    memo.save()


def test_a_build_keeps_the_entry_whichever_process_made_it(tmp_path: Path) -> None:
    """``kg build`` with the cache: the dump writers' forked process (or the build's own) makes the
    exports and the entry; the build keeps it from pruning, and the next build reads every
    nanopublication back and publishes the same bytes."""
    root = make_project(tmp_path / "p", "argument")
    config = load_config(root)
    out = tmp_path / "out"
    build(config, output=out, cache=Cache(tmp_path / "cache"))
    first = {p.relative_to(out): p.read_bytes() for p in (out / "nanopubs").rglob("*.trig")}
    assert len(first) == 7 and len(Cache(tmp_path / "cache").get(KIND, entry_key())) == 7
    Cache(tmp_path / "cache").put(KIND, "0" * 64, {"an older code's": b"text"})
    cache = Cache(tmp_path / "cache")
    build(config, output=out, cache=cache)
    assert {p.relative_to(out): p.read_bytes() for p in (out / "nanopubs").rglob("*.trig")} == first
    assert len(Cache(tmp_path / "cache").get(KIND, entry_key())) == 7
    assert [p.name for p in (tmp_path / "cache" / KIND).rglob("*.marshal")] == [entry_key() + ".marshal"]
    assert (out / "nanopubs.trig").read_bytes() == b"".join(first[k] for k in sorted(first))
