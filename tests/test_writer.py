"""All or nothing: output/ is replaced only by a complete new tree."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.files import write_file
from kg.publish.writer import write_tree


def test_replaces_the_whole_tree(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_tree({"a.txt": b"1", "sub/b.txt": b"2"}, out)
    write_tree({"c.txt": b"3"}, out)
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["c.txt"]
    assert not list(tmp_path.glob(".output.*"))


def test_a_failure_while_writing_leaves_the_old_tree(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_tree({"a.txt": b"good"}, out)

    with pytest.raises(TypeError):
        write_tree({"a.txt": b"new", "b.txt": object()}, out)  # type: ignore[dict-item]
    assert (out / "a.txt").read_bytes() == b"good"
    assert not list(tmp_path.glob(".output.new-*"))


def test_a_build_killed_between_the_renames_is_recovered(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_tree({"a.txt": b"good"}, out)
    out.rename(tmp_path / ".output.old-abc")  # what a kill between the two renames leaves
    write_tree({"a.txt": b"newer"}, out)
    assert (out / "a.txt").read_bytes() == b"newer"
    assert not list(tmp_path.glob(".output.old-*"))


def test_write_file_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "f.ttl"
    write_file(target, b"one")
    write_file(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["f.ttl"]


# ---------------------------------------------------------------- the swap: a complete output/ at every instant

import hashlib  # noqa: E402
import os  # noqa: E402
import fcntl  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from kg.cli import main  # noqa: E402
from kg.publish import writer  # noqa: E402
from kg.publish.writer import live_output  # noqa: E402

#: Runs in a child process: ``kg build`` (or ``write_tree``) paused at POINT of the swap, where the
#: parent kills it with SIGKILL. The pause is the test's own (a patched function), not a hook of kg.
CHILD = r'''
import os, sys, time
from pathlib import Path
import kg.publish.writer as w
root, point, marker = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
output = (root / "output").resolve()

def pause():
    marker.write_text(point)
    time.sleep(120)

real_exchange, real_replace = w._exchange, os.replace
if point == "before-exchange":
    w._exchange = lambda a, b: (pause(), real_exchange(a, b))[1]
elif point == "after-exchange":
    w._exchange = lambda a, b: (real_exchange(a, b), pause())[0]
elif point == "between-renames":  # the swap of a system without an atomic exchange
    w._exchange = lambda a, b: False
    def replace(src, dst):
        real_replace(src, dst)
        if Path(src) == output:
            pause()
    os.replace = replace
from kg.cli import main
main(["--root", str(root), "-q", "build"])
'''


def complete(folder: Path) -> dict[str, str]:
    """Checks that ``folder`` is a whole published tree: every file SHA256SUMS lists is there with
    its checksum, and nothing else. Returns {name: sha256}."""
    sums = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text().splitlines())
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert present == set(sums), (present ^ set(sums))
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    return sums


def change_the_essay(root: Path) -> None:
    """A visible change: one more person in the data (so the old and new trees differ)."""
    path = root / "data" / "essays" / "mini" / "essay.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace('rdfs:label "Leon Trotsky"@en', 'rdfs:label "Leon Trotsky"@en, "Léon Trotsky"@fr', 1),
                    encoding="utf-8")


def killed_at(root: Path, point: str) -> None:
    marker = root.parent / f"paused-{point}"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), point, str(marker)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"the build ended before {point}: {proc.stdout.read().decode()}")  # type: ignore[union-attr]
            assert time.monotonic() < deadline, f"the build never reached {point}"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]


def leftovers(root: Path) -> list[str]:
    """The names beside output/ a build left, but the tree it keeps for the next build to reuse and
    the lists of the two trees' files (``Stage(reuse=True)``)."""
    kept = {".output.back", ".output.back.files", ".output.files"}
    return sorted(p.name for p in root.glob(".output.*") if p.name not in kept)


def query_count(root: Path) -> int:
    result = CliRunner().invoke(main, ["--root", str(root), "-q", "query", "--format", "csv",
                                       "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"])
    assert result.exit_code == 0, result.output
    return int(result.output.split()[1])


@pytest.fixture
def two_builds(project: Path) -> tuple[Path, dict[str, str], int]:
    """The mini project built once (the old tree), then changed so that the next build differs."""
    assert CliRunner().invoke(main, ["--root", str(project), "-q", "build"]).exit_code == 0
    old = complete(project / "output")
    triples = query_count(project)
    change_the_essay(project)
    return project, old, triples


@pytest.mark.parametrize("point", ["before-exchange", "after-exchange"])
def test_a_build_killed_at_the_swap_leaves_a_complete_output(two_builds, point: str) -> None:  # noqa: ANN001
    root, old, triples = two_builds
    killed_at(root, point)
    now = complete(root / "output")  # a real folder, whole, at the instant of the kill
    if point == "before-exchange":
        assert now == old and query_count(root) == triples
    else:
        assert now != old and query_count(root) == triples + 1  # the new tree, whole
    assert list(root.glob(".output.new-*"))  # what the kill left behind ...
    assert CliRunner().invoke(main, ["--root", str(root), "-q", "build"]).exit_code == 0
    assert leftovers(root) == []  # ... is removed by the next build
    assert query_count(root) == triples + 1


def test_killed_between_the_two_renames_readers_use_the_kept_tree(two_builds) -> None:  # noqa: ANN001
    """The fallback swap (systems without an atomic exchange): a kill between the renames leaves no
    output/, but kg query, kg publish, kg serve and kg release read the complete kept tree."""
    root, old, triples = two_builds
    killed_at(root, "between-renames")
    assert not (root / "output").exists()
    kept = live_output(root / "output")
    assert kept.name.startswith(".output.old-") and complete(kept) == old
    assert query_count(root) == triples
    from kg.config import load_config
    from kg.server.app import App, ServeOptions
    app = App(load_config(root), root / "output", ServeOptions(workers=1))  # kg serve's state (workers start later)
    assert app.output == kept and "dataset.trig" in app.dumps
    app.pool.close()
    published = CliRunner().invoke(main, ["--root", str(root), "publish", "--store", "http://127.0.0.1:9/"])
    assert f"publish {kept}/dataset.trig to" in published.output  # it read the kept dump ...
    assert "cannot connect to the store" in published.output  # ... and got as far as the (absent) store
    version = load_config(root).version
    released = CliRunner().invoke(main, ["--root", str(root), "-q", "release", version, "--no-build"])
    assert released.exit_code == 0, released.output
    assert (root / "releases" / version / "dataset.nt.gz").read_bytes() == (kept / "dataset.nt.gz").read_bytes()
    assert CliRunner().invoke(main, ["--root", str(root), "-q", "build"]).exit_code == 0
    assert leftovers(root) == []
    assert query_count(root) == triples + 1 and complete(root / "output") != old


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2(RENAME_EXCHANGE) is Linux's")
def test_the_swap_is_one_exchange_on_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Linux output/ never disappears: no rename ever moves it away, one exchange swaps it."""
    out = tmp_path / "output"
    write_tree({"a.txt": b"old"}, out)
    exchanges: list[tuple[str, str]] = []
    real_exchange, real_replace = writer._exchange, os.replace

    def exchange(a: Path, b: Path) -> bool:
        exchanges.append((Path(a).name[:12], Path(b).name))
        assert real_exchange(a, b)
        assert (out / "a.txt").read_bytes() == b"new"
        return True

    def replace(src, dst) -> None:  # noqa: ANN001
        assert Path(src) != out, "output/ was renamed away"
        real_replace(src, dst)
        assert out.is_dir()

    monkeypatch.setattr(writer, "_exchange", exchange)
    monkeypatch.setattr(os, "replace", replace)
    write_tree({"a.txt": b"new"}, out)
    assert exchanges == [(".output.new-", "output")]
    assert (out / "a.txt").read_bytes() == b"new" and not list(tmp_path.glob(".output.*"))


def test_the_fallback_swap_without_an_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "_exchange", lambda a, b: False)
    out = tmp_path / "output"
    write_tree({"a.txt": b"old"}, out)
    write_tree({"b.txt": b"new"}, out)
    assert [p.name for p in out.iterdir()] == ["b.txt"] and not list(tmp_path.glob(".output.*"))


def test_stale_folders_of_killed_builds_are_removed_by_the_next_build(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_tree({"a.txt": b"good"}, out)
    for stale in (".output.old-k1lled", ".output.old-xyz", ".output.new-unfinished"):
        (tmp_path / stale).mkdir()
        (tmp_path / stale / "junk.txt").write_bytes(b"partial")
    assert live_output(out) == out  # output/ exists: the stale trees are never read
    write_tree({"a.txt": b"newer"}, out)
    assert (out / "a.txt").read_bytes() == b"newer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_a_large_retired_tree_is_removed_behind_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree of at least REMOVE_BEHIND_FILES files is removed by a detached process: the swap returns
    with the new tree in place before the old one is gone, and it goes without this process's help."""
    monkeypatch.setattr(writer, "REMOVE_BEHIND_FILES", 3)
    out = tmp_path / "output"
    write_tree({f"d/{i}.txt": b"old" for i in range(50)}, out)
    removed_here = []
    real = writer.shutil.rmtree
    monkeypatch.setattr(writer.shutil, "rmtree", lambda p, *a, **k: (removed_here.append(Path(p).name), real(p, *a, **k)))
    write_tree({"a.txt": b"new", "b.txt": b"new", "c.txt": b"new"}, out)
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b.txt", "c.txt"]
    assert not [n for n in removed_here if n.startswith(".output.old-")]
    deadline = time.monotonic() + 60
    while list(tmp_path.glob(".output.[or][lm]*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def _locked(tree: Path):  # noqa: ANN202
    """Hold ``tree``'s lock as a running remover does (another open file description: flock conflicts
    with it even in this process)."""
    fd = os.open(tree, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_tree_a_remover_is_still_removing_is_left_to_it(tmp_path: Path) -> None:
    """Builds run back to back: the next build neither reads nor removes a retired tree whose detached
    remover still holds its lock; once the lock is released (the remover exited or was killed), the
    build after removes what is left."""
    out = tmp_path / "output"
    write_tree({"a.txt": b"good"}, out)
    handed = tmp_path / ".output.rm-busy"
    (handed / "d").mkdir(parents=True)
    (handed / "d" / "x.txt").write_bytes(b"old")
    fd = _locked(handed)
    try:
        write_tree({"a.txt": b"newer"}, out)
        assert (handed / "d" / "x.txt").read_bytes() == b"old"  # untouched: its remover owns it
        assert sorted(p.name for p in tmp_path.iterdir()) == [".output.rm-busy", "output"]
    finally:
        os.close(fd)
    write_tree({"a.txt": b"newest"}, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    assert (out / "a.txt").read_bytes() == b"newest"


def test_a_handed_tree_is_never_taken_for_the_live_output(tmp_path: Path) -> None:
    """A tree being removed is not a complete tree: with no output/, live_output does not read it."""
    out = tmp_path / "output"
    (tmp_path / ".output.rm-half").mkdir()
    assert live_output(out) == out


def test_the_remover_holds_the_lock_until_it_has_removed_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The detached remover inherits the lock taken before it starts: while it runs (made slow here),
    the tree cannot be locked by anyone else; the lock is not held by this process."""
    monkeypatch.setattr(writer, "_RMTREE", "import shutil, sys, time; time.sleep(1.5); shutil.rmtree(sys.argv[1])")
    tree = tmp_path / ".output.old-abc"
    (tree / "d").mkdir(parents=True)
    (tree / "d" / "x.txt").write_bytes(b"old")
    writer._remove(tree, behind=True)
    handed = tmp_path / ".output.rm-abc"
    assert not tree.exists() and handed.is_dir()
    fd = os.open(handed, os.O_RDONLY)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
    deadline = time.monotonic() + 60
    while handed.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not handed.exists()


def test_a_small_retired_tree_is_removed_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below REMOVE_BEHIND_FILES no process is started: the old tree is gone when the swap returns."""
    monkeypatch.setattr(writer.subprocess, "Popen", lambda *a, **k: pytest.fail("a process was started"))
    out = tmp_path / "output"
    write_tree({"a.txt": b"old"}, out)
    write_tree({"a.txt": b"new"}, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_a_fifo_or_a_link_named_like_a_handed_tree_neither_hangs_nor_is_followed(tmp_path: Path) -> None:
    """Hostile names beside output/: a FIFO called .output.rm-* (opening it to read would wait for a
    writer for ever) and a link to another folder are left alone; the build goes on."""
    out = tmp_path / "output"
    write_tree({"a.txt": b"good"}, out)
    os.mkfifo(tmp_path / ".output.rm-fifo")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_bytes(b"mine")
    (tmp_path / ".output.rm-link").symlink_to(elsewhere)

    class Hung(Exception):  # not an OSError: nothing in the writer may swallow it
        pass

    def timeout(*_: object) -> None:
        raise Hung("the build waited on the FIFO")
    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(20)
    try:
        write_tree({"a.txt": b"newer"}, out)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert (out / "a.txt").read_bytes() == b"newer"
    assert (elsewhere / "keep.txt").read_bytes() == b"mine"
    assert (tmp_path / ".output.rm-fifo").exists() and (tmp_path / ".output.rm-link").is_symlink()
