"""Queries run in worker processes that can be killed: pyoxigraph's query call takes no timeout
(../shared/TRAPS.md), so a time limit that holds must be able to end the process doing the work.

Each worker loads ``dataset.trig`` into its own in-memory pyoxigraph store, then answers jobs sent
over a pipe: it evaluates the query, stops at the row cap, serialises the answer and sends it back
whole (or an error). The event loop waits on the pipe's file descriptor (no thread per query); when
the time limit passes, the worker is killed and a fresh one is started in the background, so the
other workers keep answering."""
from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

#: A worker's reply: ("ok", kind, format, body) or ("error", status, code, message, hint).
Reply = tuple


@dataclass(frozen=True)
class Job:
    query: str
    result_format: str          # json | xml | csv | tsv
    graph_format: str           # turtle | jsonld | ntriples | rdfxml
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10_000
    max_bytes: int = 10_000_000


def execute(store, prefixes: dict[str, str], job: Job) -> Reply:  # noqa: ANN001 - a pyoxigraph Store
    """Evaluate ``job`` on ``store``; the whole answer or an error, never a part."""
    import pyoxigraph as ox

    from kg.server.results import write_ask, write_graph, write_select

    kwargs: dict = {"prefixes": prefixes}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        res = store.query(job.query, **kwargs)
        if isinstance(res, ox.QueryBoolean):
            return ("ok", "ask", job.result_format, write_ask(bool(res), job.result_format))
        too_many = ("error", 422, "result_too_large",
                    f"the answer has more than {job.max_rows} rows: the limit of this endpoint",
                    "Add LIMIT (and ORDER BY with OFFSET to page), or aggregate with COUNT.")
        if isinstance(res, ox.QuerySolutions):
            variables = [v.value for v in res.variables]
            rows = []
            for sol in res:
                if len(rows) >= job.max_rows:
                    return too_many
                rows.append([sol[i] for i in range(len(variables))])
            body = write_select(variables, rows, job.result_format)
            kind, fmt = "select", job.result_format
        else:
            triples = []
            for t in res:
                if len(triples) >= job.max_rows:
                    return too_many
                triples.append(t)
            body = write_graph(triples, job.graph_format, prefixes)
            kind, fmt = "graph", job.graph_format
    except SyntaxError as exc:
        return ("error", 400, "malformed_query", f"malformed query: {exc}",
                "Check the query's syntax at that line and column.")
    except (OSError, ValueError, TypeError) as exc:
        return ("error", 400, "query_failed", f"the query could not be evaluated: {exc}", None)
    if len(body) > job.max_bytes:
        return ("error", 422, "result_too_large",
                f"the answer is {len(body)} bytes, more than the limit of {job.max_bytes}",
                "Add LIMIT, select fewer variables, or download the dumps.")
    return ("ok", kind, fmt, body)


def _worker_main(conn, trig: str, prefixes: dict[str, str]) -> None:  # noqa: ANN001
    import pyoxigraph as ox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us; Ctrl-C goes to it
    store = ox.Store()
    store.bulk_load(path=trig, format=ox.RdfFormat.TRIG)
    conn.send(("ready", len(store)))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = execute(store, prefixes, job)
        except Exception as exc:  # noqa: BLE001 - report, keep serving
            reply = ("error", 500, "internal_error", f"{type(exc).__name__}: {exc}", None)
        conn.send(reply)


class Worker:
    def __init__(self, ctx, trig: str, prefixes: dict[str, str]) -> None:  # noqa: ANN001
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, trig, prefixes), daemon=True,
                                name="kg-query-worker")
        self.proc.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise RuntimeError("a query worker did not start in time")
        msg = self.conn.recv()
        if msg[0] != "ready":
            raise RuntimeError(f"a query worker failed to start: {msg}")

    def kill(self) -> None:
        if self.proc.is_alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.join(5)
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
        self.ctx = mp.get_context("spawn")  # never fork a process that runs an event loop and threads
        self.idle: asyncio.Queue[Worker] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.workers: set[Worker] = set()
        self.killed = 0
        self._closed = False

    def _spawn(self) -> Worker:
        w = Worker(self.ctx, self.trig, self.prefixes)
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
            w.conn.send(job)
            await asyncio.wait_for(fut, max(0.001, deadline - loop.time()))
            reply = w.conn.recv()
        except (asyncio.TimeoutError, asyncio.CancelledError, EOFError, OSError) as exc:
            loop.remove_reader(fd)
            self._discard(w)
            if isinstance(exc, asyncio.CancelledError):
                raise
            if isinstance(exc, asyncio.TimeoutError):
                raise QueryTimeout() from None
            return ("error", 500, "worker_died", "the query worker stopped unexpectedly", None)
        loop.remove_reader(fd)
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
