"""Queries run in worker processes that can be killed: pyoxigraph's query call takes no timeout
(docs/traps.md), so a time limit that holds must be able to end the process doing the work.

Each worker loads ``dataset.trig`` into its own in-memory pyoxigraph store, then answers jobs sent
over a pipe: it evaluates the query, stops at the row cap, serialises the answer and sends it back
whole (or an error). The event loop waits on the pipe's file descriptor (no thread per query); when
the time limit passes, the worker is killed and a fresh one is started in the background, so the
other workers keep answering."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from kg.server.jobs import Job, Reply


class Worker:
    """A child process (``python -m kg.server.worker FD TRIG``) and our end of its socket pair. A plain
    child process, not multiprocessing's spawn: that would re-import the parent's ``__main__``."""

    def __init__(self, trig: str, prefixes: dict[str, str]) -> None:
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.server.worker", str(theirs.fileno()), trig, json.dumps(prefixes)],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(ours.detach())

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise RuntimeError("a query worker did not start in time")
        msg = self.conn.recv()
        if msg[0] != "ready":
            raise RuntimeError(f"a query worker failed to start: {msg}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()


class QueryTimeout(Exception):
    pass


class PoolBusy(Exception):
    pass


class WorkerPool:
    """``size`` workers; ``await run(job, timeout)`` gives a reply or raises ``QueryTimeout``."""

    def __init__(self, trig: Path, prefixes: dict[str, str], size: int = 2) -> None:
        self.trig = str(trig)
        self.prefixes = dict(prefixes)
        self.size = size
        self.idle: asyncio.Queue[Worker] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.workers: set[Worker] = set()
        self.killed = 0
        self._closed = False

    def _spawn(self) -> Worker:
        w = Worker(self.trig, self.prefixes)
        self.workers.add(w)
        try:
            w.wait_ready(120)
        except Exception:
            self.workers.discard(w)
            raise
        return w

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.idle = asyncio.Queue()
        workers = await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self.size)))
        for w in workers:
            self.idle.put_nowait(w)

    def _replace(self) -> None:
        """Start a worker in a thread and hand it to the idle queue when it is ready."""
        def run() -> None:
            if self._closed:
                return
            w = self._spawn()
            assert self.loop is not None and self.idle is not None
            self.loop.call_soon_threadsafe(self.idle.put_nowait, w)
        threading.Thread(target=run, daemon=True, name="kg-worker-respawn").start()

    async def run(self, job: Job, timeout: float) -> Reply:
        assert self.idle is not None and self.loop is not None
        loop = self.loop
        deadline = loop.time() + timeout
        try:
            w = await asyncio.wait_for(self.idle.get(), timeout)
        except asyncio.TimeoutError:
            raise PoolBusy() from None
        fut: asyncio.Future = loop.create_future()
        fd = w.conn.fileno()
        loop.add_reader(fd, lambda: fut.done() or fut.set_result(None))
        try:
            os.set_blocking(fd, True)
            w.conn.send(job)
            await asyncio.wait_for(fut, max(0.001, deadline - loop.time()))
            # uvloop makes a watched descriptor non-blocking: read the whole reply in blocking mode
            loop.remove_reader(fd)
            os.set_blocking(fd, True)
            reply = w.conn.recv()
        except (asyncio.TimeoutError, asyncio.CancelledError, EOFError, OSError) as exc:
            loop.remove_reader(fd)
            self._discard(w)
            if isinstance(exc, asyncio.CancelledError):
                raise
            if isinstance(exc, asyncio.TimeoutError):
                raise QueryTimeout() from None
            return ("error", 500, "worker_died", f"the query worker stopped unexpectedly ({exc!r})", None)
        self.idle.put_nowait(w)
        return reply

    def _discard(self, w: Worker) -> None:
        self.killed += 1
        self.workers.discard(w)
        w.kill()
        self._replace()

    def close(self) -> None:
        self._closed = True
        for w in list(self.workers):
            w.kill()
        self.workers.clear()

