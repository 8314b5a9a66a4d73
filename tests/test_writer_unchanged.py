"""A rebuild writes only the files that changed (kg/publish/writer.py ``_unchanged``): a file whose bytes
are those of the previous output/ is linked from it, not written again; the result is the same tree."""
from __future__ import annotations

import os
from pathlib import Path

from kg.publish.writer import write_tree


def test_unchanged_files_are_linked_changed_ones_written(tmp_path: Path) -> None:
    out = tmp_path / "output"
    first = {"site/a.html": b"<p>a</p>", "site/b.html": b"<p>b</p>", "dataset.nt": b"<s> <p> <o> .\n"}
    write_tree(first, out)
    before = {rel: os.stat(out / rel).st_ino for rel in first}
    (out / "dataset.nt").chmod(0o600)  # a file changed by hand (its mode) is not trusted as it is
    second = {**first, "site/b.html": b"<p>B</p>", "site/c.html": b"<p>c</p>"}
    write_tree(second, out)
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == second
    assert os.stat(out / "site/a.html").st_ino == before["site/a.html"]    # the same file, linked
    assert os.stat(out / "site/b.html").st_ino != before["site/b.html"]    # new bytes: written
    assert os.stat(out / "dataset.nt").st_ino != before["dataset.nt"]      # other mode: written again
    assert oct(os.stat(out / "dataset.nt").st_mode & 0o777) == oct(os.stat(out / "site/c.html").st_mode & 0o777)


def test_a_file_of_the_same_size_is_linked_only_when_every_byte_is_the_same(tmp_path: Path) -> None:
    """The comparison reads the whole old file: one that differs in its first or its last byte only, or
    is as long but other, is written again; the one that is the same is linked."""
    out = tmp_path / "output"
    first = {"first.txt": b"abcdef", "last.txt": b"abcdef", "same.txt": b"abcdef", "empty.txt": b""}
    write_tree(first, out)
    before = {rel: os.stat(out / rel).st_ino for rel in first}
    second = {"first.txt": b"Abcdef", "last.txt": b"abcdeF", "same.txt": b"abcdef", "empty.txt": b""}
    write_tree(second, out)
    assert {rel: (out / rel).read_bytes() for rel in second} == second
    assert [rel for rel in second if os.stat(out / rel).st_ino == before[rel]] == ["same.txt", "empty.txt"]


def test_a_page_edited_in_place_in_output_is_replaced_by_the_built_bytes(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_tree({"index.html": b"built"}, out)
    (out / "index.html").write_bytes(b"edited")
    write_tree({"index.html": b"built"}, out)
    assert (out / "index.html").read_bytes() == b"built"
