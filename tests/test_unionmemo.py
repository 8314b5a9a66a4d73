"""kg.publish.unionmemo: the union's dumps of a rebuild spliced from the last build's files. A spliced
dump must be the bytes a writer makes from scratch: on generated corpora and generated changes of every
kind (a literal edited, a link added or removed, a shared node changed, an essay added or removed, the
rest changed, an earlier part's triples gone from the cache), for the three union writers, and the
blocks taken from the last file must be exactly those of the subjects no change touched."""
from __future__ import annotations

import hashlib
import os
import random
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from test_reached_reuse import EX, KINDS, cached_union, corpus, mutate, parts_of

from kg.cache import Cache
from kg.incremental import essay_parts
from kg.publish import serialize
from kg.publish.serialize import DumpInput, Namer, group
from kg.publish.unionmemo import ENTRY, KIND, UnionMemo
from kg.tripleindex import indexed_graph

BASE = "http://example.org/"
FILES = {"dump_turtle": "dataset.ttl", "dump_ntriples": "dataset.nt", "dump_jsonld": "dataset.jsonld"}


def written(output: Path):  # noqa: ANN201
    """``Stage.written`` of a stage that was committed as ``output``."""
    def of(name: str) -> list | None:
        path = output / name
        if not path.exists():
            return None
        st = path.stat()
        return [hashlib.sha256(path.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns, st.st_ino]
    return of


def build(output: Path, cache: Cache, essays: dict, rest: list) -> tuple[dict, UnionMemo]:
    """The three union dumps of the corpus, spliced through the record in ``cache`` and the files in
    ``output`` (replaced by the new ones, as a committed build leaves them): ({writer: bytes}, memo)."""
    parts, union = cached_union(essays, rest, cache)
    memo = UnionMemo(cache, output, written(output), essay_parts(parts, rest, cache, count=False))
    namer = Namer(BASE)
    memo.prepare(namer, FILES)
    given = DumpInput(union, BASE, namer, group(union), splice=memo)
    made = {w: getattr(serialize, w)(given) for w in FILES}
    memo.close()
    output.mkdir(exist_ok=True)
    for w, name in FILES.items():
        (output / name).unlink(missing_ok=True)  # a new file, as the stage's
        (output / name).write_bytes(made[w])
    memo.save()
    return made, memo


def whole(essays: dict, rest: list) -> dict:
    """The dumps written from scratch (no record)."""
    union = indexed_graph()
    for part in parts_of(essays).values():
        union.store.add_all(part)
    union.store.add_all(rest)
    given = DumpInput(union, BASE, Namer(BASE), group(union))
    return {w: getattr(serialize, w)(given) for w in FILES}


def untouched(old: tuple[dict, list], new: tuple[dict, list]) -> int:
    """By brute force: the subjects of the new union whose statements are those of the old one's (no
    triple of theirs in one essay's or the rest's triples and not the other's) and that the old union
    had: the blocks the splice must take, per writer."""
    (old_essays, old_rest), (essays, rest) = old, new
    changed = {s for s, _p, _o in set(old_rest) ^ set(rest)}
    for name in set(old_essays) | set(essays):
        changed |= {s for s, _p, _o in set(old_essays.get(name, [])) ^ set(essays.get(name, []))}
    before = {s for t in [*old_essays.values(), old_rest] for s, _p, _o in t}
    now = {s for t in [*essays.values(), rest] for s, _p, _o in t}
    return len((now & before) - changed)


@pytest.mark.parametrize("seed", range(2 * len(KINDS)))
def test_a_spliced_dump_is_the_dump_written_whole(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    essays, rest = corpus(rng, n=6)
    cache = Cache(tmp_path / "cache")
    first, memo = build(tmp_path / "out", cache, essays, rest)
    assert memo.taken == 0 and memo.made == 3 * len(group_of(essays, rest))  # no record yet
    before = ({n: list(t) for n, t in essays.items()}, list(rest))
    kind = KINDS[seed % len(KINDS)]
    mutate(rng, kind, essays, rest)
    if kind == "pruned":  # the edited essay's earlier triples gone: what changed cannot be known
        shutil.rmtree(tmp_path / "cache" / "enrich")
    spliced, memo = build(tmp_path / "out", cache, essays, rest)
    assert spliced == whole(essays, rest)
    n = len(group_of(essays, rest))
    expected = 0 if kind == "pruned" else untouched(before, (essays, rest))
    assert memo.taken == 3 * expected and memo.made == 3 * (n - expected)
    if kind != "pruned":  # most blocks taken, some made (an essay removed: its subjects gone, none made)
        assert 0 < expected < n or (kind == "remove" and expected == n)


def group_of(essays: dict, rest: list) -> dict:
    return group([t for e in essays.values() for t in e] + list(rest))


def test_an_edited_literal_writes_one_block_per_dump(tmp_path: Path) -> None:
    """The common case, exactly: one node's name edited; its block is the only one written again in each
    dump, and it is the new name's."""
    rng = random.Random(5)
    essays, rest = corpus(rng)
    cache = Cache(tmp_path / "cache")
    build(tmp_path / "out", cache, essays, rest)
    node = EX["e02-n1"]
    i = essays["e02"].index((node, EX.name, Literal("e02 1")))
    essays["e02"][i] = (node, EX.name, Literal("renamed é"))  # not ASCII: offsets are in bytes
    spliced, memo = build(tmp_path / "out", cache, essays, rest)
    assert memo.made == 3 and memo.taken == 3 * (len(group_of(essays, rest)) - 1)
    assert spliced == whole(essays, rest)
    assert '"renamed é"'.encode() in spliced["dump_ntriples"]
    # and again on top of the spliced files (their layout was recorded)
    essays["e02"][i] = (node, EX.name, Literal("renamed twice"))
    again, memo = build(tmp_path / "out", cache, essays, rest)
    assert memo.made == 3 and again == whole(essays, rest)


@pytest.mark.parametrize("damage", ["rewritten", "removed", "entry", "code", "base"])
def test_a_file_or_record_that_cannot_be_trusted_is_written_whole(damage: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The last build's file changed since (the same size, another inode and time), gone, a damaged
    record, another code version's or another base's: nothing is taken from it, and the bytes are right."""
    rng = random.Random(11)
    essays, rest = corpus(rng)
    cache = Cache(tmp_path / "cache")
    out = tmp_path / "out"
    build(out, cache, essays, rest)
    essays["e01"].append((EX["e01-n0"], EX.rank, Literal(3)))
    if damage == "rewritten":
        for name in FILES.values():
            data = (out / name).read_bytes()
            (out / name).unlink()
            (out / name).write_bytes(data.replace(b"e0", b"x0"))  # what a splice would copy: wrong
    elif damage == "removed":
        for name in FILES.values():
            (out / name).unlink()
    elif damage == "entry":
        for path in (tmp_path / "cache" / KIND).rglob(f"{ENTRY}*"):
            raw = path.read_bytes()
            path.write_bytes(raw[:-5] + b"xxxxx")
    elif damage == "code":
        monkeypatch.setattr("kg.publish.unionmemo.code_version", lambda: "another version")
    if damage == "base":
        parts = parts_of(essays)
        memo = UnionMemo(cache, out, written(out), essay_parts(parts, rest, cache, count=False))
        memo.prepare(Namer("http://example.com/"), FILES)
        assert all(memo.previous(w) is None for w in FILES)
        return
    spliced, memo = build(out, cache, essays, rest)
    assert memo.taken == 0 and spliced == whole(essays, rest)


def test_the_layout_recorded_finds_each_block(tmp_path: Path) -> None:
    """The record's offsets delimit each subject's block in the file: the Turtle block of a subject is
    its Turtle, the N-Triples block its lines."""
    rng = random.Random(2)
    essays, rest = corpus(rng)
    cache = Cache(tmp_path / "cache")
    made, _memo = build(tmp_path / "out", cache, essays, rest)
    entry = cache.get(KIND, ENTRY, count=False)
    name, size, _mtime, inode, keys, offsets = entry["files"]["dump_ntriples"]
    assert (name, size, inode) == ("dataset.nt", len(made["dump_ntriples"]), os.stat(tmp_path / "out" / name).st_ino)
    from array import array
    at = array("q")
    at.frombytes(offsets)
    data = made["dump_ntriples"]
    for i, key in enumerate(keys):
        lines = data[at[i]:at[i + 1]].decode().splitlines()
        assert lines and all(line.startswith(f"<{key}> ") for line in lines)
    assert at[-1] == len(data)
    name, _size, _m, _i, keys, offsets = entry["files"]["dump_turtle"]
    at = array("q")
    at.frombytes(offsets)
    block = made["dump_turtle"][at[0]:at[1] - 1].decode()
    assert block.startswith(Namer(BASE).turtle(URIRef(keys[0])) + "\n") and block.endswith(" .\n")
    assert entry["files"]["dump_jsonld"][4] is entry["files"]["dump_turtle"][4] or \
        entry["files"]["dump_jsonld"][4] == keys  # one order for the two
