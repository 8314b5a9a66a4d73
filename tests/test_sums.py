"""SHA256SUMS in parts (kg/publish/sums.py): each page process sends the lines of the files it put,
sorted by name, and the build's parent merges them with its own a run at a time. The merged file is
byte for byte the one written from all the digests at once, whatever the names and however the parts
interleave; a name in two parts, or a part that is not one, is refused; a file of a part put again by
the parent has the parent's digest."""
from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg.publish as publish
from kg.publish import _forked_result, checksums, published_names, sha256sums, sums
from kg.publish.writer import Stage

NAMES = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\0"), min_size=1,
                max_size=10)


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


def _plain(names: list[str]) -> bytes:
    return "".join(f"{_digest(n)}  {n}\n" for n in sorted(names)).encode()


def _part(names: list[str]) -> sums.Part:
    return sums.read(*sums.part({n: _digest(n) for n in names}))


@settings(max_examples=300, deadline=None)
@given(st.lists(NAMES, unique=True, max_size=60), st.integers(min_value=1, max_value=4),
       st.integers(min_value=1, max_value=7), st.randoms(use_true_random=False))
def test_the_parts_merged_are_the_sums_written_at_once(names: list[str], k: int, batch: int, rnd: random.Random) -> None:
    """Any names (any Unicode but a newline or NUL), dealt among ``k`` processes in runs of any length
    or one by one, in batches of lines of any size: the merged names are all of them sorted, and
    the merged lines are one plain line per file in that order."""
    dealt: list[list[str]] = [[] for _ in range(k)]
    for name in names:
        dealt[rnd.randrange(k)].append(name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sums, "BATCH", batch)
        parts = [_part(d) for d in dealt]
    merged, text = sums.merge(parts)
    assert merged == sorted(names)
    assert text == _plain(names)
    assert text == sha256sums(sorted(names), {n: _digest(n) for n in names}, {})


def test_runs_of_neighbouring_names_are_copied_a_run_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes that put runs of 1,000 neighbouring pages each: the merge takes one slice a run,
    not one a name."""
    every = [f"site/id/anchor/e/{i:06d}.html" for i in range(20_000)]
    shares = [[n for i, n in enumerate(every) if (i // 1000) % 2 == k] for k in range(2)]
    parts = [_part(s) for s in shares]
    taken = []
    real = sums.bisect_left
    monkeypatch.setattr(sums, "bisect_left", lambda *a: taken.append(1) or real(*a))
    merged, text = sums.merge(parts)
    assert merged == every and text == _plain(every)
    assert len(taken) == 19  # one search a run but the last


def test_a_name_in_two_parts_is_refused() -> None:
    with pytest.raises(ValueError, match="site/b.html: in two parts"):
        sums.merge([_part(["site/a.html", "site/b.html"]), _part(["site/b.html", "site/c.html"])])
    with pytest.raises(ValueError):
        sums.merge([_part(["a", "z"]), _part(["b", "c"]), _part(["m", "z"])])


def test_a_part_is_read_back_as_sent_and_anything_else_refused() -> None:
    names, text, starts = sums.part({"b": "1" * 64, "a": "0" * 64, "é": "2" * 64})
    part = sums.read(names, text, starts)
    assert part.names == ["a", "b", "é"] and list(part.starts) == [0, 68, 136, 205]  # 67 bytes and the name's UTF-8
    assert sums.digests(part) == {"a": "0" * 64, "b": "1" * 64, "é": "2" * 64}
    assert sums.read(*sums.part({})).names == [] and sums.merge([sums.read(*sums.part({}))]) == ([], b"")
    for bad in [("b\0a", text, starts),                # names not sorted
                (names, text, starts[:-8]),            # the last offset missing
                (names, text, starts[:8] + starts[16:]),  # an offset missing, the last right
                (names, text + b"x", starts),          # the lines longer than the last offset says
                (names, text, starts[:-1]),            # not whole offsets
                ("a\0a\0b", text, starts)]:            # a name twice
        with pytest.raises(ValueError):
            sums.read(*bad)
    with pytest.raises(ValueError):
        sums.lines(["a"], lambda _n: "0" * 63)  # a digest of another length: the offsets would be wrong


def test_the_build_sums_its_own_files_with_the_parts_and_its_own_put_wins(tmp_path: Path) -> None:
    """``checksums``: the parent's staged files and its files not yet written, merged with the parts
    adopted; a file of a part that the parent put again since counts once, with the parent's
    digest, and a file of ``files`` that a part holds is the part's (the stage's file wins)."""
    stage = Stage(tmp_path / "out", digests=True)
    stage.put("dataset.nt", b"triples")
    assert stage.adopt_part(_part(["site/id/a.html", "site/id/c.html"]))
    assert stage.adopt_part(_part(["site/id/b.html", "site/index.html"]))
    assert not stage.adopt_part(_part(["site/id/z.html", "site/id/a.html"]))  # one of them adopted already
    assert "site/id/z.html" not in stage
    files = {"void.ttl": b"void", "site/id/b.html": b"not written: the stage holds it"}
    expected = {"dataset.nt": hashlib.sha256(b"triples").hexdigest(), "void.ttl": hashlib.sha256(b"void").hexdigest(),
                **{n: _digest(n) for n in ("site/id/a.html", "site/id/b.html", "site/id/c.html", "site/index.html")}}
    with pytest.MonkeyPatch.context() as mp:  # merged a run at a time, never written again from digests
        mp.setattr(publish, "sha256sums", None)
        text = checksums(files, stage)
    assert text == "".join(f"{expected[n]}  {n}\n" for n in sorted(expected)).encode()
    assert published_names(files, stage.digests, stage) == sorted(expected)
    stage.put("site/id/c.html", b"again")  # the parent puts a part's file again: its bytes are on disk
    expected["site/id/c.html"] = hashlib.sha256(b"again").hexdigest()
    assert checksums(files, stage) == "".join(f"{expected[n]}  {n}\n" for n in sorted(expected)).encode()
    assert published_names(files, stage.digests, stage) == sorted(expected)
    stage.discard()


class _Ended:
    def join(self) -> None:
        pass


def _answered(answer: object, stage: Stage) -> dict:
    receive, send = multiprocessing.Pipe(duplex=False)
    send.send_bytes(marshal.dumps(answer))
    send.close()
    rendered = []

    class Pages:
        shares = True

        def __call__(self, dataset, config, into=None, share=(0, 1), prepared=None) -> dict:  # noqa: ANN001
            rendered.append(share)
            into.put("site/id/again.html", b"rendered here")
            return {}
    _forked_result((_Ended(), receive), None, None, (Pages(),), stage, (0, 2))
    return {"rendered": rendered, "parts": [p.names for p in stage.parts]}


def test_a_page_process_answers_with_its_part_which_the_stage_adopts(tmp_path: Path) -> None:
    stage = Stage(tmp_path / "out", digests=True)
    got = _answered(("part", *sums.part({"site/id/b.html": "1" * 64, "site/id/a.html": "0" * 64})), stage)
    assert got == {"rendered": [], "parts": [["site/id/a.html", "site/id/b.html"]]}
    assert "site/id/a.html" in stage and stage.digests == {}
    # a part naming a file put here already: adopted as digests (the file counts once)
    stage.put("site/id/c.html", b"c")
    got = _answered(("part", *sums.part({"site/id/c.html": "2" * 64, "site/id/d.html": "3" * 64})), stage)
    assert got["rendered"] == [] and len(got["parts"]) == 1
    assert stage.digests["site/id/d.html"] == "3" * 64 and stage.digests["site/id/c.html"] == "2" * 64
    # a part that is not one: the share rendered again here
    names, text, starts = sums.part({"site/id/e.html": "4" * 64})
    got = _answered(("part", names, text + b"x", starts), stage)
    assert got["rendered"] == [(0, 2)] and "site/id/again.html" in stage.digests
    stage.discard()


def test_a_forked_renderer_sends_only_what_it_put(tmp_path: Path) -> None:
    """``Stage.own_digests``: what a forked renderer's stage held before the fork (the parent's own
    files) is not in its part."""
    stage = Stage(tmp_path / "out", digests=True)
    stage.put("dataset.nt", b"x")
    stage.own_digests()
    stage.put("site/id/a.html", b"a")
    assert stage.digests == {"site/id/a.html": hashlib.sha256(b"a").hexdigest()}
    assert "dataset.nt" in stage  # still put here: a second put of it is no write through
    stage.discard()
