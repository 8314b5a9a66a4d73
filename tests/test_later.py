"""``kg.later.Later``: a value made by a forked process while the build goes on (the validation
report's Turtle, the reused tree's files not put again). Whatever happens to the process, the value
is the one ``fn(*args)`` gives in this process, or its error is raised here."""
from __future__ import annotations

import os
import threading
import time

import pytest

from kg.later import Later, forkable

# not ``forkable()`` itself: a mistake there would skip the tests that should catch it
pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork and two cores")

PARENT = os.getpid()


def _pid() -> int:
    return os.getpid()


def _dies_in_child() -> str:
    if os.getpid() != PARENT:
        os._exit(3)  # noqa: SLF001 - a process killed half-way
    return "made here"


def _raises() -> None:
    raise ValueError(f"raised in {os.getpid()}")


def _a_lock() -> object:
    return threading.Lock()  # cannot be pickled: the child sends nothing


def _slow_in_child() -> str:
    if os.getpid() != PARENT:
        time.sleep(60)
    return "made here"


def test_the_value_is_made_by_another_process() -> None:
    later = Later(_pid)
    assert later.forked
    child = later.result()
    assert isinstance(child, int) and child != os.getpid()
    assert not later.forked


def test_without_fork_the_value_is_made_here_at_result() -> None:
    calls: list[int] = []

    def fn(x: int) -> int:
        calls.append(x)
        return x * 2

    later = Later(fn, 21, fork=False)
    assert not later.forked and calls == []
    assert later.result() == 42 and calls == [21]


def test_a_process_that_dies_costs_only_time() -> None:
    later = Later(_dies_in_child)
    assert later.forked
    assert later.result() == "made here"


def test_an_error_of_fn_is_raised_here() -> None:
    later = Later(_raises)
    with pytest.raises(ValueError, match=f"raised in {os.getpid()}$"):
        later.result()


def test_a_value_that_cannot_be_sent_is_made_here() -> None:
    value = Later(_a_lock).result()
    assert hasattr(value, "acquire")


def test_stop_ends_a_process_still_working_at_once() -> None:
    later = Later(_slow_in_child)
    process = later._process
    t = time.monotonic()
    later.stop()
    assert time.monotonic() - t < 5
    assert not process.is_alive() and process.exitcode is not None
    assert later.result() == "made here"  # asked anyway: made here


def test_the_process_sees_what_was_there_when_it_forked_not_later_changes() -> None:
    seen = {"a"}
    later = Later(sorted, seen)
    seen.add("b")  # after the fork: not in the process's copy
    assert later.result() == ["a"]


def test_forkable_on_this_machine() -> None:
    assert forkable()


def _large() -> tuple[int, bytes]:
    return os.getpid(), b"x" * (8 * 2**20)  # larger than the pipe (kg.pipes.WIDTH)


def test_a_large_value_is_received_at_once_and_its_process_ends() -> None:
    """The value is taken from the pipe as soon as the process sends it, so the process ends then and
    frees its memory, not when ``result()`` is asked (at 1 M the report's process, some 600 MB, lived
    on blocked in its write through the build's peak)."""
    from kg.pipes import WIDTH
    assert 8 * 2**20 > WIDTH
    later = Later(_large)
    process = later._process
    deadline = time.monotonic() + 20
    while process.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not process.is_alive() and process.exitcode == 0  # ended before anyone asked
    pid, data = later.result()
    assert pid != os.getpid() and data == b"x" * (8 * 2**20)  # the process's value
    assert not later.forked


def test_a_process_that_dies_or_is_stopped_prints_nothing(capfd: pytest.CaptureFixture) -> None:
    """The reading thread's end (no value: the process died, or was stopped half-way) is quiet: no
    exception escapes the thread (Python would print its traceback), and the value is made here."""
    escaped: list = []
    hook, threading.excepthook = threading.excepthook, lambda args: escaped.append(args.exc_type)
    try:
        assert Later(_dies_in_child).result() == "made here"
        later = Later(_slow_in_child)
        later.stop()
        assert later.result() == "made here"
    finally:
        threading.excepthook = hook
    assert escaped == []
    out, err = capfd.readouterr()
    assert out == "" and "Traceback" not in err


def _pid_after_a_while() -> int:
    if os.getpid() != PARENT:
        time.sleep(0.5)
    return os.getpid()


def test_result_waits_for_a_value_still_being_made() -> None:
    """``result()`` asked before the process has sent its value waits for it (the reading thread),
    rather than making the value here."""
    later = Later(_pid_after_a_while)
    assert later.result() != PARENT
