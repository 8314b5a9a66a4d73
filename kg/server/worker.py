"""The query worker process (``python -m kg.server.worker FD TRIG PREFIXES``): loads the published
TriG through the store interface (``kg.store.OxigraphStore``, the same store and the same merged
default graph as ``kg query`` and the server's pages) and answers jobs from its socket until the
socket closes or the server kills it (see ``kg.server.pool``). Nothing else imports this module."""
from __future__ import annotations

import json
import signal
import sys
from multiprocessing.connection import Connection

from kg.errors import QueryError
from kg.server.jobs import Job, Reply
from kg.store import OxigraphStore


def execute(store: OxigraphStore, prefixes: dict[str, str], job: Job) -> Reply:
    """Evaluate ``job`` on ``store`` with ``prefixes``; the whole answer or an error, never a part."""
    import pyoxigraph as ox

    from kg.results import write_ask, write_graph, write_select

    try:
        res = store.raw(job.query, default_graphs=list(job.default_graphs or ()),
                        named_graphs=list(job.named_graphs or ()), base_iri=job.base_iri, prefixes=prefixes)
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
    except QueryError as exc:  # the store's word for a syntax error: "malformed query: ..."
        return ("error", 400, "malformed_query", str(exc),
                "Check the query's syntax at that line and column.")
    except (OSError, ValueError, TypeError) as exc:
        return ("error", 400, "query_failed", f"the query could not be evaluated: {exc}", None)
    if len(body) > job.max_bytes:
        return ("error", 422, "result_too_large",
                f"the answer is {len(body)} bytes, more than the limit of {job.max_bytes}",
                "Add LIMIT, select fewer variables, or download the dumps.")
    return ("ok", kind, fmt, body)


def _worker_main(conn, trig: str, prefixes: dict[str, str]) -> None:  # noqa: ANN001
    import pyoxigraph  # noqa: F401 - the native module loads before the network is denied

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us; Ctrl-C goes to it
    store = OxigraphStore.from_trig(trig, prefixes)
    from kg.sandbox import deny_network

    deny_network()  # from here on this process cannot open a network socket (Linux; docs/security.md)
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



if __name__ == "__main__":
    _worker_main(Connection(int(sys.argv[1])), sys.argv[2], json.loads(sys.argv[3]))
