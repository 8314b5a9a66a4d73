"""Progress of long work on stderr, in one of three modes:

- ``tty`` (stderr is a terminal): a bar per task with counts and time left (rich's progress bar);
- ``plain`` (stderr is a file or a pipe, e.g. CI logs): a line when a task starts, at every tenth of it,
  and when it ends, each with counts and, while it runs, the time left;
- ``quiet`` (``kg -q``): nothing.

The command line makes one ``Reporter`` and activates it (``active``); the library's long loops
(the build's essays, the validation partitions, the pages, ``kg link``'s look-ups, ``kg publish``'s
uploads) ask for ``task(label, total)`` and call its ``advance()``: without an active reporter (the
library used from Python, the tests) that is a no-op. A reporter is also the ``progress`` callable the
pipeline already takes (``reporter("message")`` prints ``kg: message``).
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO, TypeVar

T = TypeVar("T")

MODES = ("tty", "plain", "quiet")
#: the plain mode writes a line at each of these fractions of a task (and at its start and end)
STEPS = 10
#: the bar is redrawn at most this often (seconds); the last state is always drawn
REFRESH = 0.1


def clock_text(seconds: float) -> str:
    """``h:mm:ss`` as rich's time columns show it."""
    s = max(0, int(round(seconds)))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class Task:
    """One counted piece of work; ``advance(n)`` after each ``n`` items."""

    def __init__(self, reporter: Reporter, label: str, total: int) -> None:
        self.reporter, self.label, self.total, self.done = reporter, label, max(0, int(total)), 0
        self.start = reporter.clock()
        self._step = 0
        self._drawn = 0.0
        self._bar = None
        if reporter.mode == "plain":
            reporter.line(f"{label} 0/{self.total:,}")
        elif reporter.mode == "tty":
            self._bar = reporter._rich().add_task(label, total=self.total)

    def advance(self, n: int = 1) -> None:
        self.done += n
        mode = self.reporter.mode
        if mode == "plain":
            step = self.done * STEPS // self.total if self.total else STEPS
            if step > self._step and self.done < self.total:
                self._step = step
                self.reporter.line(f"{self.label} {self.done:,}/{self.total:,} ({100 * self.done // self.total}%), "
                                   f"{clock_text(self.left())} left")
        elif mode == "tty":
            now = self.reporter.clock()
            bars = self.reporter._rich()
            bars.update(self._bar, completed=self.done)
            if now - self._drawn >= REFRESH:
                self._drawn = now
                bars.refresh()

    def left(self) -> float:
        """Seconds left at the pace so far."""
        if not self.done:
            return 0.0
        return (self.reporter.clock() - self.start) / self.done * max(0, self.total - self.done)

    def close(self) -> None:
        mode = self.reporter.mode
        if mode == "plain":
            self.reporter.line(f"{self.label} {self.done:,}/{self.total:,} done in "
                               f"{clock_text(self.reporter.clock() - self.start)}")
        elif mode == "tty":
            bars = self.reporter._rich()
            bars.update(self._bar, completed=self.done)
            bars.refresh()


class Reporter:
    """Where progress goes. ``mode`` is one of ``MODES``; ``stream`` defaults to stderr."""

    def __init__(self, mode: str, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic,
                 width: int | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"progress mode {mode!r} is not one of {MODES}")
        self.mode, self.stream, self.clock, self.width = mode, stream or sys.stderr, clock, width
        self._bars = None
        self._open = 0

    @classmethod
    def for_stderr(cls, quiet: bool) -> Reporter:
        """``quiet`` under ``-q``; a bar when stderr is a terminal; plain lines otherwise."""
        if quiet:
            return cls("quiet")
        isatty = getattr(sys.stderr, "isatty", None)
        return cls("tty" if isatty is not None and isatty() else "plain")

    def __call__(self, msg: str) -> None:
        """A message line (``kg: msg``), as the pipeline's ``progress`` callable."""
        self.line(msg)

    def line(self, msg: str) -> None:
        if self.mode == "quiet":
            return
        if self._bars is not None and self._open:
            self._bars.console.print(f"kg: {msg}", markup=False, highlight=False)
            return
        self.stream.write(f"kg: {msg}\n")
        self.stream.flush()

    def _rich(self):  # noqa: ANN202
        if self._bars is None:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            console = Console(file=self.stream, force_terminal=True, width=self.width, highlight=False)
            self._bars = Progress(TextColumn("kg: {task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                  console=console, auto_refresh=False, get_time=self.clock)
        return self._bars

    @contextmanager
    def task(self, label: str, total: int) -> Iterator[Task]:
        if self.mode == "tty":
            if not self._open:
                self._rich().start()
            self._open += 1
        t = Task(self, label, total)
        try:
            yield t
        finally:
            t.close()
            if self.mode == "tty":
                self._open -= 1
                bars = self._rich()
                if not self._open:
                    bars.stop()
                    for tid in list(bars.task_ids):
                        bars.remove_task(tid)


_QUIET = Reporter("quiet")
_active: list[Reporter] = []


def current() -> Reporter:
    """The reporter the command line activated, or a quiet one."""
    return _active[-1] if _active else _QUIET


@contextmanager
def active(reporter: Reporter) -> Iterator[Reporter]:
    """Make ``reporter`` the one ``task`` reports to, for the duration."""
    _active.append(reporter)
    try:
        yield reporter
    finally:
        _active.remove(reporter)


def task(label: str, total: int):  # noqa: ANN201
    """A counted task on the active reporter: ``with task("pages", n) as t: ... t.advance()``."""
    return current().task(label, total)


def counted(items: Iterable[T], label: str, total: int) -> Iterator[T]:
    """``items``, advancing a task on the active reporter after each one."""
    with task(label, total) as bar:
        for item in items:
            yield item
            bar.advance()
