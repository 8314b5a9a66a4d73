"""A build reuses the tree the build before retired as its stage (kg/publish/writer.py
``Stage(reuse=True)``, what ``kg build`` opens): the published tree is exactly what a fresh stage
makes, whatever the kept tree held, and nothing published is ever written through."""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.publish import writer
from kg.publish.writer import Stage

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reuse needs renameat2(RENAME_EXCHANGE), Linux's")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def _needed_folders(files: dict[str, bytes]) -> set[str]:
    out = set()
    for rel in files:
        parts = rel.split("/")[:-1]
        out.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


def _publish(out: Path, files: dict[str, bytes], kept: dict[str, list] | None = None) -> tuple[Stage, dict[str, list]]:
    """One build: each file put, or kept when ``kept`` (the last build's ``written``) has it with the
    same bytes (as the pages' memo does); returns the stage and this build's records."""
    stage = Stage(out, digests=True, reuse=True)
    for rel, data in files.items():
        old = (kept or {}).get(rel)
        if old is not None and old[0] == hashlib.sha256(data).hexdigest() and stage.keep(rel, *old):
            continue
        stage.put(rel, data)
    records = {rel: stage.written(rel) for rel in files}
    stage.commit()
    return stage, records


def test_the_third_build_reuses_the_first_tree_and_publishes_exactly_its_files(tmp_path: Path) -> None:
    out = tmp_path / "output"
    first = {"a.txt": b"a", "site/x/1.html": b"1", "site/x/2.html": b"2", "site/gone/g.html": b"g"}
    second = {"a.txt": b"A", "site/x/1.html": b"1", "site/x/2.html": b"2"}
    third = {"a.txt": b"A", "site/x/1.html": b"one", "site/y/3.html": b"3"}
    s1, r1 = _publish(out, first)
    root1 = os.stat(out).st_ino
    s2, r2 = _publish(out, second, r1)
    assert not s2.reused  # nothing was kept before the second build
    back = tmp_path / ".output.back"
    assert os.stat(back).st_ino == root1 and _tree(back) == first  # the first tree, kept whole
    s3, _ = _publish(out, third, r2)
    assert s3.reused and os.stat(out).st_ino == root1  # the first tree, brought up to date
    assert _tree(out) == third
    assert _folders(out) == _needed_folders(third)  # site/gone and site/x/… emptied are gone
    assert _tree(back) == second  # the second tree is kept in turn
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.back", ".output.back.files", ".output.files", "output"]


def test_an_unchanged_file_kept_in_a_reused_tree_is_neither_linked_nor_made(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "output"
    files = {f"site/{i % 7}/{i}.html": str(i).encode() for i in range(60)}
    _, r1 = _publish(out, files)
    _, r2 = _publish(out, files, r1)
    links, made = [], []
    real_link, real_mkdir = os.link, os.mkdir

    def mkdir(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        real_mkdir(path, *args, **kwargs)
        made.append(Path(path).name)  # only a folder actually made

    monkeypatch.setattr(os, "link", lambda *a, **k: links.append(a) or real_link(*a, **k))
    monkeypatch.setattr(os, "mkdir", mkdir)
    changed = dict(files, **{"site/3/3.html": b"three"})
    stage, _ = _publish(out, changed, r2)
    assert stage.reused
    assert links == []  # 59 kept files already there, the changed one written
    assert [name for name in made if not name.startswith(".output.")] == []  # and no folder made
    assert _tree(out) == changed


def test_a_published_file_is_never_written_through_while_its_tree_is_reused(tmp_path: Path) -> None:
    out = tmp_path / "output"
    files = {"a.txt": b"same", "b.txt": b"b"}
    _, r1 = _publish(out, files)
    _, r2 = _publish(out, files, r1)  # both trees now share a.txt's inode
    assert os.stat(out / "a.txt").st_ino == os.stat(tmp_path / ".output.back" / "a.txt").st_ino
    stage = Stage(out, digests=True, reuse=True)
    assert stage.reused
    stage.put("a.txt", b"changed")
    stage.copy("b.txt", "a.txt", hashlib.sha256(b"changed").hexdigest())
    assert _tree(out) == files  # the published tree is untouched until the swap
    stage.commit()
    assert _tree(out) == {"a.txt": b"changed", "b.txt": b"changed"}


def test_a_failed_build_leaves_the_output_and_removes_the_reused_tree(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _, r1 = _publish(out, {"a.txt": b"a"})
    _publish(out, {"a.txt": b"b"}, r1)
    stage = Stage(out, digests=True, reuse=True)
    assert stage.reused
    stage.put("a.txt", b"c")
    stage.discard()
    assert _tree(out) == {"a.txt": b"b"}
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".output.rm-")) == [".output.files", "output"]


def _two_builds(tmp_path: Path) -> tuple[Path, dict[str, list]]:
    out = tmp_path / "output"
    _, r1 = _publish(out, {"a.txt": b"a", "d/b.txt": b"b"})
    _, r2 = _publish(out, {"a.txt": b"A", "d/b.txt": b"b"}, r1)
    return out, r2


@pytest.mark.parametrize("damage", ["no list", "list of another tree", "list cut short", "list garbled",
                                    "a link instead", "a file instead"])
def test_a_kept_tree_whose_list_is_not_its_own_is_not_reused(tmp_path: Path, damage: str) -> None:
    out, r2 = _two_builds(tmp_path)
    back, listing = tmp_path / ".output.back", tmp_path / ".output.back.files"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_bytes(b"mine")
    if damage == "no list":
        listing.unlink()
    elif damage == "list of another tree":
        shutil.rmtree(back)
        back.mkdir()  # another folder (another inode) at the name
        (back / "stray.txt").write_bytes(b"x")
    elif damage == "list cut short":
        listing.write_bytes(listing.read_bytes()[:-5])
    elif damage == "list garbled":
        head = listing.read_bytes().split(b"\n", 1)[0]
        listing.write_bytes(head + b"\nnot marshal")
    elif damage == "a link instead":
        shutil.rmtree(back)
        back.symlink_to(elsewhere, target_is_directory=True)
    else:
        shutil.rmtree(back)
        back.write_bytes(b"a file")
    stage, _ = _publish(out, {"a.txt": b"A", "c.txt": b"c"}, r2)
    assert not stage.reused
    assert _tree(out) == {"a.txt": b"A", "c.txt": b"c"}
    assert _tree(elsewhere) == {"keep.txt": b"mine"}  # a link is removed, never followed


@pytest.mark.parametrize("hand", ["a file added", "a folder added", "a file added deep", "a file replaced"])
def test_what_was_put_into_the_output_by_hand_is_not_published_two_builds_later(tmp_path: Path, hand: str) -> None:
    """output/ is retired by the next build and reused by the one after: a file dropped into it by
    hand (or by another tool) meanwhile must not come back."""
    out = tmp_path / "output"
    files = {"a.txt": b"a", "d/e/b.txt": b"b"}
    _, r1 = _publish(out, files)
    if hand == "a file added":
        (out / "notes.txt").write_bytes(b"mine")
    elif hand == "a folder added":
        (out / "d" / "extra").mkdir()
        (out / "d" / "extra" / "x.txt").write_bytes(b"x")
    elif hand == "a file added deep":
        (out / "d" / "e" / "c.txt").write_bytes(b"c")
    else:
        os.unlink(out / "d" / "e" / "b.txt")
        (out / "d" / "e" / "b.txt").write_bytes(b"edited")
    _, r2 = _publish(out, files, r1)
    assert _tree(out) == files
    stage, _ = _publish(out, files, r2)
    assert stage.reused == (hand != "a file added")  # output/'s own folder changed: a fresh tree
    assert _tree(out) == files and _folders(out) == _needed_folders(files)


@pytest.mark.parametrize("swap", ["file to folder", "folder to file"])
def test_a_path_that_was_a_file_becomes_a_folder_and_back(tmp_path: Path, swap: str) -> None:
    out = tmp_path / "output"
    as_file, as_folder = {"x": b"file", "y.txt": b"y"}, {"x/inner.txt": b"inner", "y.txt": b"y"}
    first, later = (as_file, as_folder) if swap == "file to folder" else (as_folder, as_file)
    _, r1 = _publish(out, first)
    _, r2 = _publish(out, later, r1)
    stage, _ = _publish(out, first, r2)
    assert stage.reused
    assert _tree(out) == first


def test_without_an_atomic_exchange_no_tree_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "_exchange", lambda a, b: False)
    out = tmp_path / "output"
    _, r1 = _publish(out, {"a.txt": b"a"})
    _, r2 = _publish(out, {"a.txt": b"b"}, r1)
    stage, _ = _publish(out, {"a.txt": b"c"}, r2)
    assert not stage.reused and _tree(out) == {"a.txt": b"c"}
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".output.rm-")) == [".output.files", "output"]


_names = st.sampled_from(["a", "b", "c.html", "d.ttl"])
_paths = st.lists(_names, min_size=1, max_size=3).map("/".join)
_trees = st.dictionaries(_paths, st.sampled_from([b"", b"1", b"2", b"22"]), max_size=8)


def _consistent(files: dict[str, bytes]) -> dict[str, bytes]:
    """No path both a file and a folder (a tree cannot hold that): the deeper one wins."""
    folders = _needed_folders(files)
    return {rel: data for rel, data in files.items() if rel not in folders}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(builds=st.lists(_trees.map(_consistent), min_size=2, max_size=5), keep_records=st.booleans())
def test_any_sequence_of_builds_publishes_exactly_each_tree(tmp_path_factory: pytest.TempPathFactory,
                                                            builds: list[dict[str, bytes]], keep_records: bool) -> None:
    root = tmp_path_factory.mktemp("reuse")
    out = root / "output"
    records = None
    for files in builds:
        published = _tree(out) if out.exists() else None
        stage = Stage(out, digests=True, reuse=True)
        for rel, data in files.items():
            old = (records or {}).get(rel)
            if keep_records and old is not None and old[0] == hashlib.sha256(data).hexdigest() \
                    and stage.keep(rel, *old):
                continue
            stage.put(rel, data)
        if published is not None:
            assert _tree(out) == published  # nothing written through before the swap
        records = {rel: stage.written(rel) for rel in files}
        stage.commit()
        assert _tree(out) == files
        assert _folders(out) == _needed_folders(files)


def test_kg_build_reuses_the_tree_before_and_publishes_what_a_clean_build_does(project: Path, tmp_path: Path) -> None:
    """Three builds of the mini project, the essay edited between them (a page, its description and
    the dumps change): the third starts from the first's tree and publishes what a build into an empty
    folder with no cache publishes, byte for byte."""
    from click.testing import CliRunner

    from kg.cli import main
    from tests.test_writer import change_the_essay

    def build(*args: str) -> None:
        result = CliRunner().invoke(main, ["--root", str(project), "-q", "build", *args])
        assert result.exit_code == 0, result.output

    build()
    first = os.stat(project / "output").st_ino
    change_the_essay(project)
    build()
    assert os.stat(project / ".output.back").st_ino == first
    essay = project / "data" / "essays" / "mini" / "essay.ttl"
    essay.write_text(essay.read_text(encoding="utf-8").replace("Leon Trotsky", "Lev Trotsky"), encoding="utf-8")
    build()
    assert os.stat(project / "output").st_ino == first  # the first tree, reused
    build("--no-cache", "--output", str(tmp_path / "clean"))
    assert _tree(project / "output") == _tree(tmp_path / "clean")
    assert _folders(project / "output") == _folders(tmp_path / "clean")


def test_kept_entries_are_copied_afresh_into_a_reused_tree(tmp_path: Path) -> None:
    """``commit(keep=...)`` copies those entries of output/ into the new tree: a reused tree's own
    copies (from two builds ago) are not what is published."""
    out = tmp_path / "output"
    (out / "releases").mkdir(parents=True)
    (out / "releases" / "latest.txt").write_bytes(b"v1")
    for n in range(2, 6):
        stage = Stage(out, digests=True, reuse=True)
        stage.put("a.txt", str(n).encode())
        stage.commit(("releases",))
        assert stage.reused == (n >= 4)  # a listed tree is kept from the second build on
        assert _tree(out) == {"a.txt": str(n).encode(), "releases/latest.txt": f"v{n - 1}".encode(),
                              **{f"releases/r{i}.txt": b"r" for i in range(2, n)}}
        (out / "releases" / "latest.txt").unlink()  # a new release, between builds
        (out / "releases" / "latest.txt").write_bytes(f"v{n}".encode())
        (out / "releases" / f"r{n}.txt").write_bytes(b"r")


@pytest.mark.parametrize("edit", ["longer", "same length"])
def test_a_published_file_edited_in_place_is_not_kept_from_the_reused_tree(tmp_path: Path, edit: str) -> None:
    """The reused tree shares an unchanged file with output/ (one inode): written through in
    output/ by hand, it is changed in both; its size or time no longer match the record, so the
    page is put again rather than kept."""
    out = tmp_path / "output"
    files = {"site/p.html": b"page", "site/q.html": b"other"}
    _, r1 = _publish(out, files)
    _, r2 = _publish(out, files, r1)
    back = tmp_path / ".output.back" / "site" / "p.html"
    assert os.stat(back).st_ino == os.stat(out / "site" / "p.html").st_ino
    with open(out / "site" / "p.html", "r+b") as fh:  # through the link: both trees see it
        fh.write(b"PAGE, edited" if edit == "longer" else b"PAGE")
    stage = Stage(out, digests=True, reuse=True)
    assert stage.reused
    assert not stage.keep("site/p.html", *r2["site/p.html"])
    assert not stage.keep_all({"site/p.html": r2["site/p.html"]})
    assert stage.keep("site/q.html", *r2["site/q.html"])
    stage.put("site/p.html", b"page")
    stage.commit()
    assert _tree(out) == files


def _reused_stage(tmp_path: Path, files: dict[str, bytes]) -> tuple[Path, dict[str, list]]:
    """``output`` after three builds of ``files`` (the third's stage the first's retired tree) and the
    third's records; the next stage reuses the second's tree, which shares every file with output/."""
    out = tmp_path / "output"
    _, records = _publish(out, files)
    for _ in range(2):
        _, records = _publish(out, files, records)
    return out, records


def test_keep_all_keeps_a_pages_files_from_the_reused_tree_in_one_call(tmp_path: Path) -> None:
    """``Stage.keep_all`` (a page's files, under a prefix, in one call) keeps each file the reused tree
    holds as the last build wrote it, with its digest, and nothing is linked or written; it stops at
    the first file it cannot keep (the ones before it are kept, the ones after it are not), and a
    file changed since in any one way (its bytes, size, time, mode, kind), put already, or a stage
    that distrusts its files is not kept."""
    files = {"site/id/p.html": b"<p>", "site/id/p.ttl": b"ttl", "site/id/p.nt": b"nt", "site/id/q.html": b"q"}
    out, rec = _reused_stage(tmp_path, files)
    page = {k.removeprefix("site/"): rec[k] for k in ("site/id/p.html", "site/id/p.ttl", "site/id/p.nt")}
    inodes = {k: os.stat(out / k).st_ino for k in files}

    stage = Stage(out, digests=True, reuse=True)
    assert stage.reused
    stage.keep = lambda *args: pytest.fail(f"the common case went through keep: {args}")  # one lstat each
    assert stage.keep_all(page, "site/") is True
    del stage.keep
    assert stage.digests == {f"site/{k}": v[0] for k, v in page.items()}
    assert {f"site/{k}" for k in page} <= set(stage._put) and "site/id/q.html" not in stage
    assert all(os.stat(stage.dir / k).st_ino == inodes[k] for k in files)  # the very files: nothing made
    assert stage.keep_all(page, "site/") is False  # put already
    assert stage.keep_all({}, "site/") is True
    # a file whose lstat fails otherwise than by its absence (here a name too long) is not kept
    assert stage.keep_all({"id/" + "n" * 300 + ".html": rec["site/id/q.html"]}, "site/") is False
    stage.discard()

    # each way a file of the page can differ from its record: only the files before it are kept
    for name, change in [("bytes", lambda r: [r[0], r[1], r[2], r[3]]),
                         ("size", lambda r: [r[0], r[1] + 1, r[2], r[3]]),
                         ("time", lambda r: [r[0], r[1], r[2] + 1, r[3]]),
                         ("inode", lambda r: [r[0], r[1], r[2], r[3] + 1])]:
        out, rec = _reused_stage(tmp_path / name, files)
        if name == "bytes":  # written through output/ (one inode with the reused tree), same size
            with open(out / "site/id/p.ttl", "r+b") as fh:
                fh.write(b"TTL")
            os.utime(out / "site/id/p.ttl", ns=(rec["site/id/p.ttl"][2] + 5, rec["site/id/p.ttl"][2] + 5))
        page = {"id/p.html": rec["site/id/p.html"], "id/p.ttl": change(rec["site/id/p.ttl"]),
                "id/p.nt": rec["site/id/p.nt"]}
        stage = Stage(out, digests=True, reuse=True)
        assert stage.keep_all(page, "site/") is False, name
        assert "site/id/p.html" in stage and "site/id/p.ttl" not in stage and "site/id/p.nt" not in stage, name
        assert set(stage.digests) == {"site/id/p.html"}, name
        stage.discard()

    out, rec = _reused_stage(tmp_path / "mode", files)
    os.chmod(out / "site/id/p.html", 0o600)  # one inode: the reused tree's file too
    stage = Stage(out, digests=True, reuse=True)
    assert stage.keep_all({"id/p.html": rec["site/id/p.html"]}, "site/") is False
    stage.distrust()
    assert stage.keep_all({"id/q.html": rec["site/id/q.html"]}, "site/") is False
    stage.discard()


def test_keep_all_links_a_file_the_reused_tree_lacks_from_output(tmp_path: Path) -> None:
    """A file the reused tree does not hold as written (gone from it, or another file there) is kept
    through ``keep``: linked from output/ when that still is the file written, else not kept."""
    files = {"site/id/p.html": b"<p>", "site/id/p.ttl": b"ttl"}
    out, rec = _reused_stage(tmp_path, files)
    stage = Stage(out, digests=True, reuse=True)
    assert stage.reused
    os.unlink(stage.dir / "site/id/p.ttl")  # the reused tree lost it; output/ still has it
    (stage.dir / "site/id/p.html").unlink()
    (stage.dir / "site/id/p.html").write_bytes(b"<p>")  # the same bytes, but another file
    page = {"id/p.html": rec["site/id/p.html"], "id/p.ttl": rec["site/id/p.ttl"]}
    assert stage.keep_all(page, "site/") is True
    assert all(os.stat(stage.dir / k).st_ino == os.stat(out / k).st_ino for k in files)
    stage.discard()
    out, rec = _reused_stage(tmp_path / "gone", files)
    stage = Stage(out, digests=True, reuse=True)
    assert stage.reused
    shutil.rmtree(stage.dir / "site")  # the folder gone too
    (out / "site/id/p.ttl").unlink()  # and output/'s file: nothing to link
    page = {"id/p.html": rec["site/id/p.html"], "id/p.ttl": rec["site/id/p.ttl"]}
    assert stage.keep_all(page, "site/") is False
    assert "site/id/p.html" in stage and "site/id/p.ttl" not in stage
    stage.discard()


@pytest.mark.parametrize("fork", [True, False])
def test_the_files_not_put_are_found_ahead_and_a_file_put_since_is_kept(tmp_path: Path, fork: bool,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """``Stage.find_unput`` (a build's last steps: a forked process at 1 M files) compares the reused
    tree's list with the files put so far; ``commit`` removes only those of its findings not put since."""
    monkeypatch.setattr(writer, "FORK_UNPUT_FILES", 0 if fork else 10**9)
    out = tmp_path / "output"
    before = {"a.txt": b"a", "late.txt": b"l", "gone.txt": b"g", "d/gone.txt": b"g", "d/e/x.txt": b"x"}
    _, r1 = _publish(out, before)
    _publish(out, before, r1)  # the next stage reuses the first tree
    stage = Stage(out, digests=True, reuse=True)
    assert stage.reused
    stage.put("a.txt", b"A")
    stage.put("d/e/x.txt", b"x")
    stage.find_unput()
    assert (stage._unput is not None) and stage._unput.forked is fork
    stage.put("late.txt", b"L")  # after the comparison began
    stage.put("new.txt", b"n")
    stage.commit()
    assert _tree(out) == {"a.txt": b"A", "d/e/x.txt": b"x", "late.txt": b"L", "new.txt": b"n"}
    assert _folders(out) == {"d", "d/e"}


def test_a_list_replaced_after_the_files_not_put_were_found_stops_the_commit(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "FORK_UNPUT_FILES", 0)
    out, _ = _two_builds(tmp_path)
    published = _tree(out)
    stage = Stage(out, digests=True, reuse=True)
    stage.put("a.txt", b"new")
    stage.find_unput()
    stage._unput._process.join(timeout=60)  # the list read (and the answer sent) before it is replaced
    assert stage._unput._process.exitcode == 0
    listing = tmp_path / ".output.back.files"
    data = listing.read_bytes()
    listing.unlink()
    listing.write_bytes(data)  # the same bytes, another file
    with pytest.raises(OSError, match="the list of the reused tree's files is gone"):
        stage.commit()
    assert _tree(out) == published


def test_a_build_whose_last_steps_fork_publishes_what_one_that_does_not_does(project: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's Turtle and the reused tree's files not put again made by forked processes
    (``kg.later``, at 1 M) or here (the essay): the same published bytes."""
    from click.testing import CliRunner

    import kg.later
    from kg import pipeline
    from kg.cli import main
    from tests.test_writer import change_the_essay

    forked: list[str] = []

    class Spy(kg.later.Later):
        def __init__(self, fn, *args, fork=True) -> None:  # noqa: ANN001
            super().__init__(fn, *args, fork=fork)
            if self.forked:
                forked.append(fn.__name__)

    monkeypatch.setattr(pipeline, "Later", Spy)
    monkeypatch.setattr(writer, "Later", Spy)

    def build(*args: str) -> None:
        result = CliRunner().invoke(main, ["--root", str(project), "-q", "build", *args])
        assert result.exit_code == 0, result.output

    monkeypatch.setattr(pipeline, "FORK_REPORT_TRIPLES", 0)
    monkeypatch.setattr(writer, "FORK_UNPUT_FILES", 0)
    build()
    change_the_essay(project)
    build()
    gone = project / ".output.back" / "site" / "stray.html"
    gone.write_bytes(b"left in the reused tree: not published")  # what the list does not name
    build()
    assert forked == ["report_turtle"] * 3 + ["_unput"]  # the third build reuses the first's tree
    monkeypatch.setattr(pipeline, "FORK_REPORT_TRIPLES", 10**9)
    monkeypatch.setattr(writer, "FORK_UNPUT_FILES", 10**9)
    build("--no-cache", "--output", str(tmp_path / "clean"))
    assert forked == ["report_turtle"] * 3 + ["_unput"]
    assert _tree(project / "output") == _tree(tmp_path / "clean")
    assert _folders(project / "output") == _folders(tmp_path / "clean")


def test_the_files_not_put_are_those_the_list_names_and_no_other(tmp_path: Path) -> None:
    out, _ = _two_builds(tmp_path)
    listing = tmp_path / ".output.back.files"
    ident = writer._file_id(listing)
    assert sorted(writer._unput(listing, ident, {"a.txt"})) == ["d/b.txt"]
    assert writer._unput(listing, ident, {"a.txt", "d/b.txt", "new.txt"}) == []
    assert writer._unput(listing, (0, 0, 0), set()) is None  # not the list it was
