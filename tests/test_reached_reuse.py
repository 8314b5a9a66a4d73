"""kg.incremental._LastBuild: a build that validates by essay reuses the last build's hash of what a unit
reaches for the units that reach nothing changed. The hash reused must be the one that would be made
again: on generated corpora and generated changes of every kind (a literal edited, a link added or
removed, a shared node changed, an essay added or removed, the rest changed, an earlier part's
entry gone from the cache), the validation keys and the report of a build with the record are those
of a build without it, and the record is used where it can be."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace

from kg import incremental
from kg.cache import Cache, digest
from kg.rdfmake import encode_triples
from kg.incremental import LAST, REACHED, essay_parts, validate_units
from kg.model import EssayTriples
from kg.tripleindex import indexed_graph
from kg.validation.partitioned import plan

EX = Namespace("http://example.org/")
SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ] ;
    sh:property [ sh:path ex:knows ; sh:node ex:NamedShape ] .
ex:NamedShape a sh:NodeShape ;
    sh:property [ sh:path ex:name ; sh:maxCount 1 ] ;
    sh:property [ sh:path ex:knows ; sh:node ex:LeafShape ] .
ex:LeafShape a sh:NodeShape ; sh:property [ sh:path ex:rank ; sh:maxCount 1 ] .
"""
SHARED = [EX[f"shared-{k}"] for k in range(4)]
KINDS = ["literal", "link", "unlink", "shared", "add", "remove", "rest", "pruned"]


def corpus(rng: random.Random, n: int = 5) -> tuple[dict, list]:
    """{essay name: its triples} and the rest (triples of no essay, some about the shared nodes)."""
    essays = {}
    for i in range(n):
        essays[f"e{i:02d}"] = essay(rng, f"e{i:02d}")
    rest = [(EX.Person, EX.label, Literal("Person")), (SHARED[0], EX.rank, Literal(1))]
    return essays, rest


def essay(rng: random.Random, name: str) -> list:
    own = [EX[f"{name}-n{j}"] for j in range(4)]
    triples = []
    for j, node in enumerate(own):
        triples += [(node, RDF.type, EX.Person), (node, EX.name, Literal(f"{name} {j}"))]
        for o in rng.sample(own + SHARED, 2):
            triples.append((node, EX.knows, o))
    shared = rng.choice(SHARED)  # an essay describes one shared node, as essays describe shared persons
    triples += [(shared, EX.name, Literal(f"shared {shared[-1]}")), (shared, EX.knows, rng.choice(SHARED))]
    return triples


def mutate(rng: random.Random, kind: str, essays: dict, rest: list) -> None:
    name = rng.choice(sorted(essays))
    triples = essays[name]
    if kind in ("literal", "pruned"):
        i = rng.choice([k for k, t in enumerate(triples) if isinstance(t[2], Literal)])
        s, p, _o = triples[i]
        triples[i] = (s, p, Literal(f"edited {rng.random()}"))
    elif kind == "link":
        triples.append((rng.choice([t[0] for t in triples]), EX.knows, rng.choice(SHARED + [EX["e00-n1"]])))
    elif kind == "unlink":
        triples.remove(rng.choice([t for t in triples if t[1] == EX.knows]))
    elif kind == "shared":  # a second name: NamedShape's maxCount fails for whoever knows it
        triples.append((rng.choice(SHARED), EX.name, Literal("another name")))
    elif kind == "add":
        new = f"{name}b"  # sorts right after it: the essays after it come one place later
        essays[new] = essay(rng, new)
    elif kind == "remove":
        del essays[name]
    elif kind == "rest":
        rest.append((rng.choice(SHARED), EX.rank, Literal(2)))


def parts_of(essays: dict) -> dict:
    """The essays as the build's parts: {name: its triples under a key of its name and triples}, in
    name order."""
    return {name: EssayTriples(t, digest(name, *sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in t)))
            for name, t in sorted(essays.items())}


def cached_union(essays: dict, rest: list, cache: Cache) -> tuple[dict, object]:
    """(the essays as parts, their union with the rest), each part's triples put in ``cache`` as
    enrichment leaves them."""
    parts = parts_of(essays)
    graph = indexed_graph()
    for part in parts.values():
        cache.put("enrich", part.key, encode_triples(part))
        graph.store.add_all(part)
    graph.store.add_all(rest)
    return parts, graph


def validate(folder: Path, essays: dict, rest: list, calls: list) -> tuple[set, object]:
    """validate_units on the corpus with the cache in ``folder`` (each part's triples put in it, as
    enrichment leaves them): (the validation keys used, the report); ``calls`` counts the hashes made."""
    cache = Cache(folder)
    parts, graph = cached_union(essays, rest, cache)
    shapes = Graph().parse(data=SHAPES, format="turtle")
    before = len(calls)
    report = validate_units(graph, shapes, list(parts.values()), cache, workers=1,
                            view=essay_parts(parts, rest, cache, count=False))
    assert len(calls) - before <= len(parts)
    return cache.used["validate"], report


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list:
    made: list = []
    original = incremental._ReachedKeys.__call__

    def counted(self, owned):  # noqa: ANN001, ANN202
        made.append(frozenset(owned))
        return original(self, owned)
    monkeypatch.setattr(incremental._ReachedKeys, "__call__", counted)
    return made


def expected(old: tuple[dict, list], new: tuple[dict, list], hops: int) -> int:
    """How many units' hashes the rule says to make again, worked out here by brute force: the
    changed subjects are those of the triples in one and not the other of an essay's (or the rest's)
    triples then and now; a unit is made again when its essay is new or changed, or one of its
    subjects is a changed one, or it reaches one (following every link ``hops`` times)."""
    (old_essays, old_rest), (essays, rest) = old, new
    changed = {s for s, _p, _o in set(old_rest) ^ set(rest)}
    for name in set(old_essays) | set(essays):
        changed |= {s for s, _p, _o in set(old_essays.get(name, [])) ^ set(essays.get(name, []))}
    links: dict = {}
    for s, _p, o in [t for e in essays.values() for t in e] + rest:
        if not isinstance(o, Literal):
            links.setdefault(s, set()).add(o)
    owner: dict = {}
    for name in sorted(essays):
        for s, _p, _o in essays[name]:
            owner.setdefault(s, name)
    made = 0
    for name in sorted(essays):
        reached = {s for s, n in owner.items() if n == name}
        for _ in range(hops):
            reached |= {o for s in reached for o in links.get(s, ())}
        subjects = {s for s, _p, _o in essays[name]}
        if old_essays.get(name) != essays[name] or subjects & changed or reached & changed:
            made += 1
    return made


@pytest.mark.parametrize("seed", range(2 * len(KINDS)))
def test_a_reused_reached_hash_is_the_one_made_again(seed: int, tmp_path: Path, calls: list) -> None:
    rng = random.Random(seed)
    essays, rest = corpus(rng)
    validate(tmp_path / "cache", essays, rest, calls)
    first = len(calls)
    assert first == len(essays)  # no record yet: every unit's hash made
    before = ({n: list(t) for n, t in essays.items()}, list(rest))
    kind = KINDS[seed % len(KINDS)]
    mutate(rng, kind, essays, rest)
    if kind == "pruned":  # the edited essay's earlier triples gone from the cache: nothing reused
        shutil.rmtree(tmp_path / "cache" / "enrich")
    shutil.copytree(tmp_path / "cache", tmp_path / "fresh")
    for entry in (tmp_path / "fresh" / REACHED).rglob(f"{LAST}*"):
        entry.unlink()
    reused_keys, reused_report = validate(tmp_path / "cache", essays, rest, calls)
    made = len(calls) - first
    fresh_keys, fresh_report = validate(tmp_path / "fresh", essays, rest, calls)
    assert reused_keys == fresh_keys and reused_report == fresh_report
    assert len(calls) - first - made == len(essays)  # without the record: every hash made again
    graph = indexed_graph()
    for t in [*essays.values(), rest]:
        graph.store.add_all(t)
    hops = plan(graph, Graph().parse(data=SHAPES, format="turtle"), prune=False)[3]
    assert hops == 2
    assert made == (len(essays) if kind == "pruned" else expected(before, (essays, rest), hops))


def test_an_edited_literal_makes_the_hash_of_its_essay_alone(tmp_path: Path, calls: list) -> None:
    """The common case, asserted exactly: when an essay's own node's name changes, that node is the
    only changed subject; no other essay reaches it, so the essay's hash is the only one made again
    (the shared node it also describes has the same triples: the others that reach it keep theirs)."""
    rng = random.Random(7)
    essays, rest = corpus(rng)
    validate(tmp_path / "cache", essays, rest, calls)
    node = EX["e03-n2"]
    assert not any(o == node for name, t in essays.items() if name != "e03" for _s, _p, o in t)
    i = essays["e03"].index((node, EX.name, Literal("e03 2")))
    essays["e03"][i] = (node, EX.name, Literal("renamed"))
    n = len(calls)
    validate(tmp_path / "cache", essays, rest, calls)
    assert len(calls) == n + 1 and node in calls[-1]


def test_a_record_of_other_code_or_hops_is_not_used(tmp_path: Path, calls: list, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    essays, rest = corpus(rng)
    validate(tmp_path / "cache", essays, rest, calls)
    n = len(calls)
    validate(tmp_path / "cache", essays, rest, calls)
    assert len(calls) == n  # nothing changed: every hash reused
    monkeypatch.setattr(incremental, "code_version", lambda: "another version")
    validate(tmp_path / "cache", essays, rest, calls)
    assert len(calls) - n == len(essays)


def test_the_nodes_reaching_a_changed_one_from_either_store() -> None:
    """kg.incremental._reaching follows links backwards hop by hop, from rdflib's store and from the
    union's (TripleIndex.subjects_of, with and without its object index made)."""
    from kg.incremental import _reaching

    a, b, c, d, e = (EX[x] for x in "abcde")
    triples = [(a, EX.knows, b), (b, EX.cites, c), (d, EX.knows, c), (e, EX.name, Literal("c")), (c, EX.knows, e)]
    expected = {0: {c}, 1: {c, b, d}, 2: {c, b, d, a}, 3: {c, b, d, a}}
    plain, indexed = Graph(), indexed_graph()
    for t in triples:
        plain.add(t)
    indexed.store.add_all(triples)
    for hops, nodes in expected.items():
        assert _reaching(plain, {c}, hops) == nodes
        assert _reaching(indexed, {c}, hops) == nodes
    assert sorted(indexed.store.subjects_of(c)) == [b, d] and indexed.store.subjects_of(a) == []
    list(indexed.subjects(None, c))  # makes the object index: read from it since
    assert indexed.store._osp is not None and sorted(indexed.store.subjects_of(c)) == [b, d]
