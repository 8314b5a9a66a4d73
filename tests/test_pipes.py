"""kg.pipes: the build's pipes hold a mebibyte (Linux), a message of many of them passes whole while
the reading thread shares the interpreter with a busy one, and what cannot be widened is left as it
is. The pipes the build's forked processes answer through are the wide ones."""
from __future__ import annotations

import fcntl
import multiprocessing
import os
import sys
import tempfile
import threading

from pathlib import Path

import pytest

import kg.pipeline as pipeline
import kg.publish as publish
from kg import later, pipes
from kg.config import load_config
from kg.validation import partitioned

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_SETPIPE_SZ is Linux's")
CTX = multiprocessing.get_context("fork")


def capacity(end) -> int:  # noqa: ANN001
    return fcntl.fcntl(end.fileno(), fcntl.F_GETPIPE_SZ)


@linux
def test_a_pipe_holds_a_mebibyte() -> None:
    receive, send = pipes.pipe(CTX)
    try:
        assert pipes.WIDTH == 1 << 20
        assert capacity(send) == 1 << 20
        assert capacity(receive) == 1 << 20  # one pipe: both ends see it
    finally:
        receive.close()
        send.close()


@linux
def test_widen_says_the_capacity() -> None:
    r, w = os.pipe()
    try:
        assert fcntl.fcntl(w, fcntl.F_GETPIPE_SZ) == 65536  # the system's own size, before

        class End:
            def fileno(self) -> int:
                return w
        assert pipes.widen(End()) == 1 << 20
        assert fcntl.fcntl(r, fcntl.F_GETPIPE_SZ) == 1 << 20
    finally:
        os.close(r)
        os.close(w)


def test_what_is_no_pipe_is_left_alone(tmp_path: Path) -> None:
    with open(tmp_path / "f", "wb") as fh:
        assert pipes.widen(fh) is None  # a file: EBADF from fcntl, not raised
    fh = tempfile.TemporaryFile()
    fh.close()
    assert pipes.widen(fh) is None  # closed: ValueError from fileno(), not raised


def _send(send, blocks: list[bytes]) -> None:  # noqa: ANN001
    for block in blocks:
        send.send_bytes(block)
    send.send_bytes(b"")
    send.close()


def test_large_messages_pass_whole_to_a_reading_thread_while_another_works() -> None:
    """The shape of kg.publish._ForkedWriters: a forked process sends messages of several MB, a
    thread here reads them while this thread runs Python code."""
    blocks = [bytes([i]) * (3 << 20) + os.urandom(1000) for i in range(3)]
    receive, send = pipes.pipe(CTX)
    process = CTX.Process(target=_send, args=(send, blocks), daemon=True)
    process.start()
    send.close()
    got: list[bytes] = []

    def read() -> None:
        while data := receive.recv_bytes():
            got.append(data)
    reader = threading.Thread(target=read)
    reader.start()
    n = 0
    while reader.is_alive():
        n += sum(range(100))  # this thread holds the interpreter meanwhile
    reader.join()
    process.join()
    receive.close()
    assert got == blocks


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@linux
def test_the_build_answers_through_wide_pipes_and_publishes_the_same(project: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A build whose every process is forked (the dump writers, the pages' processes, the validation
    workers) makes each of their pipes through kg.pipes, a mebibyte wide; its output is the bytes of
    a build whose pipes keep the system's size."""
    made: list[tuple[str, int]] = []
    real = pipes.pipe

    def recording(ctx):  # noqa: ANN001, ANN202
        ends = real(ctx)
        made.append((sys._getframe(1).f_code.co_name, capacity(ends[1])))
        return ends
    for module in (later, publish, partitioned):
        monkeypatch.setattr(module, "pipe", recording)
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    monkeypatch.setattr(pipeline, "validate_partitioned",
                        lambda *a, **k: partitioned.validate_partitioned(*a, min_triples=0, workers=2, **k))
    pipeline.build(load_config(project), output=tmp_path / "wide")
    callers = {name for name, _size in made}
    assert {"__init__", "_fork_extras", "_start"} <= callers  # the writers, the pages, the workers
    assert {size for _name, size in made} == {1 << 20}
    assert sum(name == "_fork_extras" for name, _size in made) == publish.PAGE_PROCESSES
    assert sum(name == "__init__" for name, _size in made) == 2  # the writers' answers and the targets' question
    monkeypatch.setattr(pipes, "widen", lambda _end: None)  # the system's size
    made.clear()
    pipeline.build(load_config(project), output=tmp_path / "narrow")
    assert {size for _name, size in made} == {65536}
    assert _tree(tmp_path / "wide") == _tree(tmp_path / "narrow")


@linux
def test_later_answers_through_a_wide_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    made = []
    real = pipes.pipe

    def recording(ctx):  # noqa: ANN001, ANN202
        ends = real(ctx)
        made.append(capacity(ends[1]))
        return ends
    monkeypatch.setattr(later, "pipe", recording)
    monkeypatch.setattr(later, "forkable", lambda: True)
    assert later.Later(sum, [1, 2, 3]).result() == 6
    assert made == [1 << 20]


@linux
def test_where_the_system_has_no_such_call_a_pipe_keeps_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipes, "_SET_SIZE", None)  # as on a system without F_SETPIPE_SZ (or fcntl)
    receive, send = pipes.pipe(CTX)
    try:
        assert pipes.widen(send) is None
        assert capacity(send) == 65536
    finally:
        receive.close()
        send.close()
