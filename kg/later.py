"""A value made in a forked process while this one goes on: ``Later(fn, *args).result()`` is
``fn(*args)``.

A build's last steps run on one core: at 1 M triples the validation report's canonical Turtle alone
is about a second, while the other core is idle and this process waits for the pages' processes or
walks the lists of the output's files. ``Later`` forks a process that calls ``fn(*args)`` on what
this one holds at that moment (copy-on-write) and sends the value back through a pipe; ``result()``
waits for it. Whatever goes wrong there (no ``fork``, one core, the process killed, ``fn`` raising,
a value that cannot be sent) costs only time: ``result()`` then calls ``fn(*args)`` here, so an
error is raised here, as it would have been without the process. ``fn`` must be pure: it may run in
both processes. ``fork=False`` (a value too small to be worth a process) calls it at ``result()``.

The value is received as soon as the process sends it, by a thread of this process that waits in the
pipe's ``read`` (without the GIL): the process then ends at once and frees what it holds. Received
only at ``result()``, a value larger than the pipe kept its process alive, blocked in its ``write``,
until then: at 1 M the validation report's process lived from the 85th second of the build to the
158th, through the build's peak of memory. Its PSS was some 600 MB, but mostly its share of the pages
it shares with this process; the peak fell by about 100 MB (docs/performance.md, thirty-ninth round).
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable

from kg.gcpolicy import in_forked_child
from kg.pipes import pipe


def forkable() -> bool:
    """Whether a second process can help: there is ``fork`` and more than one core."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def _child(fn: Callable, args: tuple, send) -> None:  # noqa: ANN001
    in_forked_child()
    try:
        value = fn(*args)
        send.send_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 - nothing sent: the parent calls fn itself, and raises there
        pass
    finally:
        send.close()


class Later:
    """``fn(*args)``, made by a forked process from now on (``result()`` gives it)."""

    def __init__(self, fn: Callable, *args: object, fork: bool = True) -> None:
        self.fn, self.args = fn, args
        self._process = None
        self._receive = None
        self._reader: threading.Thread | None = None
        self._got: list[bytes] = []  # what the process sent, once received
        if not (fork and forkable()):
            return
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # nothing buffered is written twice
        ctx = multiprocessing.get_context("fork")
        try:
            self._receive, send = pipe(ctx)
        except OSError:  # no pipe (too many files open): made here at result()
            return
        try:
            process = ctx.Process(target=_child, args=(fn, args, send), daemon=True)
            process.start()
        except OSError:  # no process (no memory, too many): made here at result()
            send.close()
            self._receive.close()
            self._receive = None
            return
        send.close()  # the child holds the only writing end: its death is an EOF here
        self._process = process
        self._reader = threading.Thread(target=self._receive_value, name="kg-later", daemon=True)
        self._reader.start()

    def _receive_value(self) -> None:
        """In the reading thread: the process's bytes, when it sends them (none if it ends first)."""
        try:
            self._got.append(self._receive.recv_bytes())
        except (EOFError, OSError):  # no value: the process died, or was stopped
            pass

    @property
    def forked(self) -> bool:
        """Whether a process is making the value (until ``result`` or ``stop``)."""
        return self._process is not None

    def result(self) -> object:
        """The value: the process's, or ``fn(*args)`` made here when it sent none."""
        if self._process is not None:
            try:
                self._reader.join()  # the value, or the process's end
                data = self._got.pop() if self._got else None
            finally:
                self._end(wait=True)
            if data is not None:
                try:
                    return pickle.loads(data)  # our own child's bytes, through our own pipe
                except Exception:  # noqa: BLE001 - a damaged message: made here instead
                    pass
        return self.fn(*self.args)

    def stop(self) -> None:
        """End the process (killed if it still works: the build stopped before asking) and close
        the pipe; ``result()`` then makes the value here."""
        self._end(wait=False)

    def _end(self, wait: bool) -> None:
        """Collect the process, ``wait``ing a little for it to end by itself (it has sent its value),
        else killing it at once; then the reading thread (whose ``read`` ends with the process) and
        the pipe."""
        if self._process is None:
            return
        process, self._process = self._process, None
        if wait:
            process.join(timeout=5)
        if process.is_alive():
            process.kill()
        process.join()
        self._reader.join()
        self._receive.close()
        self._receive = None


__all__ = ["Later", "forkable"]
