"""The dumps' gzip copies made of pieces (kg/publish/gzmemo.py): any gzip reader reads them (Python's
gzip and zlib, the system's gzip), the pieces are found from the text alone (an edit changes the
pieces around it and no others), a rebuild compresses only the pieces it has not seen, and the bytes
never depend on the memo: with, without, damaged, stale."""
from __future__ import annotations

import gzip
import random
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from buildutil import copy_project, pieces_made, same, tree

from kg.cache import Cache
from kg.publish import gzmemo
from kg.publish.gzmemo import END, HEADER, KIND, MAX_PIECE, MIN_PIECE, GzMemo, boundaries, gz, gz_pieces, memo_key

SYSTEM_GZIP = shutil.which("gzip") or "/usr/bin/gzip"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from corpus import generate  # noqa: E402


def lines(n: int, seed: int = 1, start: int = 0) -> bytes:
    """N-Triples-like text: ``n`` lines of varying length."""
    rnd = random.Random(seed)
    return b"".join(b'<https://example.org/id/s%d> <https://example.org/p> "%s" .\n'
                    % (i, b"x" * rnd.randrange(0, 120)) for i in range(start, start + n))


def texts() -> list[bytes]:
    rnd = random.Random(7)
    return [b"", b"a", b"\n", b"a\n", b"\n\n\n", rnd.randbytes(5000),
            rnd.randbytes(MAX_PIECE + 12345),                      # no lines at all: cut at MAX_PIECE
            b"y" * MIN_PIECE + b"\n" + b"z" * (MAX_PIECE * 2),    # one long line
            lines(40_000),                                         # several pieces
            lines(40_000).replace(b"\n", b"\r\n"),
            "é\u2028\n".encode() * 300_000]


@pytest.mark.parametrize("data", texts(), ids=lambda d: f"{len(d)}B")
def test_the_copy_is_one_gzip_member_that_every_reader_reads(data: bytes) -> None:
    z = gz(data)
    assert gzip.decompress(z) == data and zlib.decompress(z, 31) == data
    assert z[:10] == HEADER == gzip.compress(b"x", compresslevel=6, mtime=0)[:10]  # no name, no time
    assert z[-8:-4] == zlib.crc32(data).to_bytes(4, "little") and int.from_bytes(z[-4:], "little") == len(data)
    assert z[-10:-8] == END
    got = subprocess.run([SYSTEM_GZIP, "-dc"], input=z, capture_output=True, check=True).stdout
    assert got == data
    d = zlib.decompressobj(31)
    assert d.decompress(z) == data and d.eof and d.unused_data == b""  # one member, nothing after it


def test_the_pieces_end_at_marked_lines_between_the_least_and_the_most_bytes() -> None:
    for data in texts():
        ends = boundaries(data)
        assert ends == sorted(set(ends)) and (ends[-1] == len(data) if data else ends == [])
        starts = [0] + ends[:-1]
        for start, end in zip(starts, ends):
            assert end - start <= MAX_PIECE
            if end != len(data):
                assert end - start >= MIN_PIECE
            if end - start < MAX_PIECE and end != len(data):  # ended by a marked line
                assert data[end - 1:end] == b"\n"
                line = data[data.rfind(b"\n", 0, end - 1) + 1:end - 1]
                assert zlib.crc32(line) & 0xFF == 0
                # and no line before it past the least size was marked
                first = data.find(b"\n", start + MIN_PIECE - 1) + 1
                for earlier in data[first:end - 1 - len(line)].split(b"\n")[:-1]:
                    assert zlib.crc32(earlier) & 0xFF != 0
    text = lines(40_000)
    # 4.8 MB: half a MB a piece and then, on average, 256 lines of some 120 bytes
    assert len(text) == 4_801_108 and len(boundaries(text)) == 9


def reference_ends(data: bytes, least: int, most: int) -> list[int]:
    """The rule, written plainly: a piece ends after the first whole line that starts at least
    ``least`` bytes after the piece, ends (its newline) before ``most`` bytes after it and has a
    CRC-32 whose low 8 bits are zero; else ``most`` bytes after it (or at the end of the data)."""
    lines, at = [], 0  # (start, index of its newline) of every line of the data
    while (nl := data.find(b"\n", at)) >= 0:
        lines.append((at, nl))
        at = nl + 1
    ends, start = [], 0
    while start < len(data):
        end = min(start + most, len(data))
        for first, nl in lines:
            if first >= start + least and nl < end and zlib.crc32(data[first:nl]) & 0xFF == 0:
                end = nl + 1
                break
        ends.append(end)
        start = end
    return ends


@pytest.mark.parametrize("seed", range(30))
def test_the_pieces_are_those_of_the_rule_written_plainly(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small pieces (64 to 256 bytes) over generated texts in which marked lines (CRC-32 low byte
    zero) are frequent and fall at the edges: just at the least size, just before and across the most,
    first in the data, after a line with no newline: ``boundaries`` ends every piece where the rule
    says."""
    monkeypatch.setattr(gzmemo, "MIN_PIECE", 64)
    monkeypatch.setattr(gzmemo, "MAX_PIECE", 256)
    marked = [w for w in (b"m%d" % i for i in range(5000)) if zlib.crc32(w) & 0xFF == 0][:12]
    assert len(marked) == 12
    rnd = random.Random(seed)
    for _ in range(40):
        parts = []
        for _ in range(rnd.randrange(1, 40)):
            roll = rnd.random()
            body = (rnd.choice(marked) if roll < 0.3 else b"" if roll < 0.35 else
                    b"x" * rnd.choice([0, 1, 2, 61, 62, 63, 64, 65, 120, 190, 254, 255, 256, 300]))
            parts.append(body + b"\n")
        data = b"".join(parts)
        if rnd.random() < 0.3:
            data = data.rstrip(b"\n") + b"y" * rnd.randrange(0, 400)  # no newline at the end
        assert boundaries(data) == reference_ends(data, 64, 256), data


@pytest.mark.parametrize("seed", range(12))
def test_an_edit_changes_only_the_pieces_around_it(seed: int) -> None:
    """Generated edits (a line replaced, inserted, removed; bytes changed inside a line) anywhere in the
    text: the pieces before it are the same, and after it at most two differ from the last build's."""
    rnd = random.Random(seed)
    text = lines(60_000, seed)
    rows = text.splitlines(keepends=True)
    at = rnd.randrange(len(rows))
    kind = seed % 4
    if kind == 0:
        rows[at] = b"<https://example.org/id/new> <https://example.org/p> \"edited\" .\n"
    elif kind == 1:
        rows[at:at] = lines(rnd.randrange(1, 50), seed, start=10**6).splitlines(keepends=True)
    elif kind == 2:
        del rows[at:at + rnd.randrange(1, 50)]
    else:
        rows[at] = rows[at].replace(b"example", b"exampel")
    edited = b"".join(rows)
    before, pieces = gz_pieces(text)
    after, again = gz_pieces(edited, dict(pieces))
    old = {k for k, _ in pieces}
    changed = [i for i, (k, _) in enumerate(again) if k not in old]
    assert 1 <= len(changed) <= 2 and changed == list(range(changed[0], changed[0] + len(changed)))
    assert [k for k, _ in again[:changed[0]]] == [k for k, _ in pieces[:changed[0]]]
    assert after == gz(edited) and gzip.decompress(after) == edited and before != after


def test_a_piece_found_in_the_memo_is_not_compressed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    text = lines(40_000)
    _, pieces = gz_pieces(text)
    calls: list[int] = []
    real = gzmemo.compress_piece
    monkeypatch.setattr(gzmemo, "compress_piece", lambda piece: calls.append(len(piece)) or real(piece))
    edited = text.replace(b"/s20000>", b"/s20000-edited>")
    out, _ = gz_pieces(edited, dict(pieces))
    assert len(calls) == 1 and out == gz(edited)


def test_the_memo_in_the_cache_gives_the_same_bytes_and_takes_what_it_can(tmp_path: Path) -> None:
    text = lines(40_000)
    edited = text.replace(b"/s30000>", b"/s30000-edited>")
    first = GzMemo(Cache(tmp_path))
    assert first.gz("dataset.nt.gz", text) == gz(text) and (first.taken, first.made) == (0, 9)
    entry = tmp_path / KIND / memo_key("dataset.nt.gz")[:2] / f"{memo_key('dataset.nt.gz')}.marshal"
    assert entry.is_file()
    second = GzMemo(counted := Cache(tmp_path))
    calls: list[int] = []
    real, expected = gzmemo.compress_piece, gz(edited)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gzmemo, "compress_piece", lambda piece: calls.append(len(piece)) or real(piece))
        assert second.gz("dataset.nt.gz", edited) == expected and (second.taken, second.made) == (8, 1)
    assert len(calls) == 1  # the other eight pieces taken from the entry, not compressed
    # the look-up of the last build's pieces is not one of the build's hits or misses (its key is fixed)
    assert counted.hits == {} and counted.misses == {} and counted.used == {KIND: {memo_key("dataset.nt.gz")}}
    other = GzMemo(Cache(tmp_path))  # another file's name: another entry
    assert other.gz("dataset.ttl.gz", edited) == gz(edited) and other.made == 9
    both = GzMemo(Cache(tmp_path))  # the counts are over every copy a memo made
    both.gz("dataset.nt.gz", text), both.gz("dataset.ttl.gz", edited)
    assert (both.taken, both.made) == (9 + 8, 1)
    # damaged: a flipped bit (the checksum), then a right checksum over the wrong shape
    raw = bytearray(entry.read_bytes())
    raw[-5] ^= 1
    entry.write_bytes(bytes(raw))
    third = GzMemo(Cache(tmp_path))
    assert third.gz("dataset.nt.gz", edited) == gz(edited) and third.made == 9
    cache = Cache(tmp_path)
    cache.put(KIND, memo_key("dataset.nt.gz"), {"pieces": [b"short key", b"bytes"]})
    fourth = GzMemo(cache)
    assert fourth.gz("dataset.nt.gz", edited) == gz(edited) and fourth.made == 9
    # the right keys with something else than bytes for a piece, or a key that is no bytes (a list
    # cannot even be a key): the entry is not used at all
    right = [k for k, _ in gz_pieces(edited)[1]]
    for flat in ([x for k in right for x in (k, 5)], [x for k in right for x in (k, b"")] + [list(range(32)), b"x"],
                 [x for k in right for x in (k, b"")] + ["s" * 32, b"x"]):
        cache.put(KIND, memo_key("dataset.nt.gz"), {"pieces": flat})
        fifth = GzMemo(Cache(tmp_path))
        assert fifth.gz("dataset.nt.gz", edited) == gz(edited) and fifth.made == 9 and fifth.taken == 0
    # without a cache, or with --no-cache: the same bytes, nothing stored
    assert GzMemo(None).gz("x.gz", edited) == GzMemo(Cache(None)).gz("x.gz", edited) == gz(edited)


def test_a_stale_piece_under_a_known_key_cannot_be_taken_for_other_text(tmp_path: Path) -> None:
    """The memo's pieces are found by the SHA-256 of their text: an entry whose compressed bytes belong
    to other text (a foreign entry) is only used where the text hashes the same."""
    text = lines(40_000)
    _, pieces = gz_pieces(text)
    cache = Cache(tmp_path)
    forged = [x for key, _ in pieces for x in (key, zlib.compress(b"wrong"))]
    cache.put(KIND, memo_key("dataset.nt.gz"), {"pieces": forged})
    memo = GzMemo(Cache(tmp_path))
    other = lines(40_000, seed=2)
    assert memo.gz("dataset.nt.gz", other) == gz(other) and memo.taken == 0


def test_a_rebuild_compresses_again_only_the_pieces_an_edit_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kg build with the cache, one essay edited: each gzip copy takes all but one or two of its pieces
    from the last build's and is the very file a build without the cache writes. (Small pieces, so
    that a small corpus has many; the forked writers inherit them.)"""
    from kg.config import load_config
    from kg.pipeline import build

    monkeypatch.setattr(gzmemo, "MIN_PIECE", 16 * 1024)
    monkeypatch.setattr(gzmemo, "MAX_PIECE", 64 * 1024)
    warm = tmp_path / "warm"
    generate(warm, 5000, seed=3, link=False)
    build(load_config(warm), cache=Cache.for_project(warm))
    first = pieces_made(warm)
    assert sorted(first) == ["dataset.jsonld.gz", "dataset.nt.gz", "dataset.trig.gz", "dataset.ttl.gz"]
    assert all(taken == 0 and made >= 5 for taken, made in first.values()), first
    root = tmp_path / "project"
    copy_project(warm, root)
    essay = sorted((root / "data" / "essays").glob("*/essay.ttl"))[1]
    text = essay.read_text(encoding="utf-8")
    title = text[text.index('dcterms:title "') + 15:].split('"', 1)[0]
    essay.write_text(text.replace(title, title + ", revised", 1), encoding="utf-8")
    build(load_config(root), cache=Cache.for_project(root))
    build(load_config(root), output=tmp_path / "clean")
    again = pieces_made(root)
    for name, (taken, made) in again.items():
        # (seen: 19 of 20, 19 of 21, 12 of 14 and 23 of 24 pieces taken)
        assert 1 <= made <= 2 and abs(taken + made - sum(first[name])) <= 1 and taken >= sum(first[name]) - 3, \
            (name, first[name], taken, made)
    inc, clean = tree(root / "output"), tree(tmp_path / "clean")
    same(inc, clean)
    assert all(gzip.decompress(inc[n + ".gz"]) == inc[n] for n in ("dataset.nt", "dataset.ttl", "dataset.jsonld", "dataset.trig"))


@pytest.mark.parametrize("change", ["level", "zlib", "code", "format"])
def test_pieces_made_by_another_level_zlib_or_code_are_not_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   change: str) -> None:
    """The entry's key names what makes the compressed bytes: pieces stored at another level (or by
    another zlib, another version of the code or of the entry's layout) are never taken, and the copy
    is the one this level makes."""
    text = lines(40_000)
    values = {"level": (gzmemo, "GZ_LEVEL", 1), "zlib": (zlib, "ZLIB_RUNTIME_VERSION", "0.0.1"),
              "code": (gzmemo, "code_version", lambda: "another"), "format": (gzmemo, "FORMAT", "gzip pieces 0")}
    module, name, value = values[change]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(module, name, value)
        other_key = memo_key("dataset.nt.gz")
        GzMemo(Cache(tmp_path)).gz("dataset.nt.gz", text)
    assert other_key != memo_key("dataset.nt.gz")
    memo = GzMemo(Cache(tmp_path))
    assert memo.gz("dataset.nt.gz", text) == gz(text) and memo.taken == 0 and memo.made == 9
