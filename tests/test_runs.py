"""The runs of resources the page processes take as they ask (``kg.publish.runs``): every run dealt
to exactly one share, the table's lock not lost with a process killed while holding it, a share's
runs found again when another process renders them in its place, and a build whose page processes
take runs (one of them dying after taking some) publishing the same files as one that deals the
shares by count."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

import kg.pipeline as pipeline
import kg.publish as publish
import kg.publish.pages as pages
from kg.cache import Cache
from kg.config import load_config
from kg.publish.runs import RunTable, run_length

from buildutil import tree


def _in_children(table: RunTable, shares: int, runs: int) -> list[list[int]]:
    """What each of ``shares`` forked processes took, all taking from ``table`` at once."""
    pipes, pids = [], []
    for k in range(shares):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(read)
            took = list(table.runs_of(k, runs))
            os.write(write, json.dumps(took).encode())
            os._exit(0)
        os.close(write)
        pipes.append(read)
        pids.append(pid)
    took = []
    for read, pid in zip(pipes, pids):
        with os.fdopen(read, "rb") as fh:
            took.append(json.loads(fh.read()))
        assert os.waitpid(pid, 0)[1] == 0
    return took


def test_every_run_is_dealt_to_exactly_one_of_the_processes_taking_at_once() -> None:
    table = RunTable()
    took = _in_children(table, 3, 2_000)
    assert sorted(r for share in took for r in share) == list(range(2_000))
    for k, share in enumerate(took):
        assert share == sorted(share)  # each takes the next run not yet dealt
        assert table.taken(k, 2_000) == share  # and the table names it the taker
    assert table.take(0, 2_000) is None  # all dealt
    assert table.take(0, 2_001) == 2_000  # a longer list: its next run


def test_a_process_killed_holding_the_lock_does_not_stop_the_others() -> None:
    table = RunTable()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        with table._locked():
            os.kill(os.getpid(), signal.SIGKILL)
    status = os.waitpid(pid, 0)[1]
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL  # killed holding the lock

    def stuck(*_: object) -> None:
        raise TimeoutError("the lock died with its holder, not released")

    old = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(10)
    try:
        assert table.take(1, 4) == 0
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_a_share_finds_the_runs_it_took_then_takes_the_next() -> None:
    table = RunTable()
    assert [table.take(0, 6), table.take(1, 6), table.take(0, 6)] == [0, 1, 2]
    assert table.taken(0, 6) == [0, 2]
    assert table.taken(1, 6) == [1]
    # the process taking over share 0 (its process died): its runs again, then the rest
    assert list(table.runs_of(0, 6)) == [0, 2, 3, 4, 5]
    assert table.taken(1, 6) == [1]
    assert list(table.runs_of(1, 6)) == [1]


@pytest.mark.parametrize(("nodes", "expected"), [(3_289, 51), (770_000, 256), (640, 10), (64, 1), (10, 1), (0, 1)])
def test_a_run_is_a_share_s_thirty_second_part_at_most_256(nodes: int, expected: int) -> None:
    assert run_length(nodes, 2, 256) == expected


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "_forkable", lambda: True)


def test_without_a_cache_the_page_processes_take_runs_and_publish_the_same_files(
        project: Path, tmp_path: Path, forked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(project)
    with monkeypatch.context() as by_count:
        by_count.setattr(pages, "_run_table", lambda: None)  # the shares dealt by count
        pipeline.build(config, output=tmp_path / "by-count")
    parent = os.getpid()
    real = RunTable.take

    def take(self: RunTable, share: int, runs: int) -> int | None:
        if runs == 1:  # the claim of the argument's exports (kg.publish._ForkedWriters)
            return real(self, share, runs)
        if os.getpid() != parent and share == 1:  # the second share waits for the first to take two runs
            deadline = time.monotonic() + 60
            while len(self.taken(0, runs)) < 2 and time.monotonic() < deadline:
                time.sleep(0.005)
        run = real(self, share, runs)
        if os.getpid() != parent and share == 0 and len(self.taken(0, runs)) == 2:
            os._exit(3)  # dies having rendered its first run and taken its second
        return run

    monkeypatch.setattr(RunTable, "take", take)
    out = tmp_path / "dealt"
    pipeline.build(config, output=out)
    assert tree(out) == tree(tmp_path / "by-count")


def test_with_a_cache_the_shares_are_dealt_by_count(project: Path, tmp_path: Path, forked: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[RunTable | None] = []
    real = pages._run_table
    monkeypatch.setattr(pages, "_run_table", lambda: made.append(real()) or made[-1])
    config = load_config(project)
    pipeline.build(config, output=tmp_path / "cached", cache=Cache(tmp_path / "cache"))
    assert made == []  # the pages' records say where each page was: the shares stay put
    pipeline.build(config, output=tmp_path / "uncached")
    assert len(made) == 1 and isinstance(made[0], RunTable)
