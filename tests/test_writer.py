"""All or nothing: output/ is replaced only by a complete new tree."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.publish.writer import write_file, write_tree


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
