"""The endpoint under load: the cookbook queries' latency (p50, p99) and the requests per second of
`kg serve` under concurrent load, side by side in one run with `oxigraph serve-read-only` and
`rdflib-endpoint serve` on the same graph (output/dataset.trig), on loopback only, with bounded loops.
Also the choice of the embedded store: load time and in-process query latency of rdflib (in memory)
and pyoxigraph. One command::

    python bench/bench_server.py [--output output] [--requests 200] [--seconds 5] [--clients 8]

`oxigraph` (the server binary) comes with the `oxigraph` package of the package index; rdflib-endpoint
pulls FastAPI and its own rdflib, so it runs from its own virtual environment, made once with::

    python3 -m venv /tmp/benchvenv && /tmp/benchvenv/bin/pip install "rdflib-endpoint[cli]"

(`--rdflib-endpoint PATH` names its executable; a missing server is skipped and said so). The
figures are printed as a Markdown table and written into docs/serving.md between markers.
"""
from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg.cookbook import load_cookbook  # noqa: E402

LIGHT = "persons"  # a typical small query, for the plain requests-per-second figure
MARK_START, MARK_END = "<!-- bench_server:start -->", "<!-- bench_server:end -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int, path: str, proc: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path)
            c.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not come up")


class Server:
    def __init__(self, name: str, cmd: list[str], port: int, path: str, up: str, cwd: str | None = None) -> None:
        self.name, self.cmd, self.port, self.path, self.up, self.cwd = name, cmd, port, path, up, cwd
        self.timeout = 10.0  # seconds per request; a request past it counts as an error (and is in the p99)

    def __enter__(self) -> "Server":
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.cwd)
        wait_up(self.port, self.up, self.proc)
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:  # busy with a query it cannot be interrupted in
            self.proc.kill()
            self.proc.wait(5)


def request(conn: http.client.HTTPConnection, path: str, query: str) -> int:
    """POST one query; the status, or 0 when the request failed (e.g. timed out: the connection is
    then closed, and reopened by the next request)."""
    body = urllib.parse.urlencode({"query": query})
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                     "Accept": "application/sparql-results+json"})
        r = conn.getresponse()
        r.read()
        return r.status
    except (OSError, http.client.HTTPException):
        conn.close()
        return 0


def latencies(server: Server, query: str, n: int) -> tuple[list[float], int]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=server.timeout)
    errors = 0
    out = []
    for _ in range(n):
        t = time.perf_counter()
        if request(conn, server.path, query) != 200:
            errors += 1
        out.append((time.perf_counter() - t) * 1000)
    conn.close()
    return out, errors


def throughput(server: Server, queries: list[str], clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second of ``clients`` keep-alive clients cycling through ``queries`` for ``seconds``."""
    stop = time.monotonic() + seconds
    counts = [0] * clients
    errors = [0] * clients

    def run(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=server.timeout)
        k = i
        while time.monotonic() < stop:
            if request(conn, server.path, queries[k % len(queries)]) != 200:
                errors[i] += 1
            counts[i] += 1
            k += 1
        conn.close()
    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started), sum(errors)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


_CHILD = """
import sys, time, statistics
from rdflib import Dataset
ds = Dataset(default_union=True)
ds.parse(sys.argv[1], format="trig")
q = sys.stdin.read()
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    list(ds.query(q))
    times.append(time.perf_counter() - t)
print(statistics.median(times))
"""


def rdflib_child(trig: Path, query: str, repeat: int, limit: float) -> float | None:
    """Median seconds of rdflib answering ``query`` (in a child process that is killed after
    ``limit`` seconds: rdflib cannot be interrupted either), or None."""
    try:
        r = subprocess.run([sys.executable, "-c", _CHILD, str(trig), str(repeat)], input=query, text=True,
                           capture_output=True, timeout=limit + 1, check=True)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        return -1.0 if "Error" in (exc.stderr or "") else None
    return float(r.stdout.strip())


def store_choice(trig: Path, examples: list, repeat: int) -> list[str]:
    """Load time and median in-process latency of every cookbook query: rdflib vs pyoxigraph."""
    import pyoxigraph as ox
    from rdflib import Dataset

    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(str(trig), format="trig")
    rdflib_load = time.perf_counter() - t
    t = time.perf_counter()
    st = ox.Store()
    st.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    ox_load = time.perf_counter() - t
    lines = ["| query | rdflib (ms) | pyoxigraph (ms) | × |", "| --- | ---: | ---: | ---: |",
             f"| *load dataset.trig* | {rdflib_load * 1000:.0f} | {ox_load * 1000:.0f} | {rdflib_load / ox_load:.0f} |"]
    totals = [0.0, 0.0]
    for e in examples:
        ol = []
        r_child = rdflib_child(trig, e.query, 1, limit=10.0)
        for _ in range(repeat):
            t = time.perf_counter()
            res = st.query(e.query, use_default_graph_as_union=True)
            if not isinstance(res, ox.QueryBoolean):
                list(res)
            ol.append(time.perf_counter() - t)
        o = statistics.median(ol) * 1000
        totals[1] += o
        if r_child is None:
            lines.append(f"| `{e.name}` | > 10 000 | {o:.2f} | > {10000 / o:.0f} |")
            totals[0] += 10000
            continue
        if r_child < 0:
            lines.append(f"| `{e.name}` | error | {o:.2f} | |")
            continue
        r = r_child * 1000
        totals[0] += r
        lines.append(f"| `{e.name}` | {r:.2f} | {o:.2f} | {r / o:.0f} |")
    lines.append(f"| **all {len(examples)} queries** (a query over 10 s counted as 10 s) | {totals[0]:.1f} | "
                 f"{totals[1]:.1f} | {totals[0] / totals[1]:.0f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--output", type=Path, default=REPO / "output", help="the built folder (default output/)")
    ap.add_argument("--requests", type=int, default=200, help="sequential requests per query for latencies")
    ap.add_argument("--seconds", type=float, default=5.0, help="length of each concurrent-load run")
    ap.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients")
    ap.add_argument("--rdflib-endpoint", default="/tmp/benchvenv/bin/rdflib-endpoint")
    ap.add_argument("--rdflib-requests", type=int, default=20, help="sequential requests per query on rdflib-endpoint")
    ap.add_argument("--no-write", action="store_true", help="print only; do not update docs/serving.md")
    args = ap.parse_args()

    trig = args.output / "dataset.trig"
    examples = [e for e in load_cookbook(REPO / "queries")]
    # the cookbook queries that a plain SPARQL endpoint answers over its default graph
    queries = {e.name: e.query for e in examples}
    servers: list[Server] = []
    port = free_port()
    servers.append(Server("kg serve", [sys.executable, "-m", "kg", "-q", "serve", "--port", str(port),
                                       "--output", str(args.output)], port, "/sparql", "/health", cwd=str(REPO)))
    tmp = tempfile.mkdtemp(prefix="bench-oxigraph-")
    oxi = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")  # the venv's bin/ first
    skipped = []
    if oxi:
        subprocess.run([oxi, "load", "--location", tmp, "--file", str(trig)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        servers.append(Server("oxigraph serve-read-only", [oxi, "serve-read-only", "--location", tmp, "--bind",
                                                           f"127.0.0.1:{port}", "--union-default-graph"],
                              port, "/query", "/"))
    else:
        skipped.append("oxigraph (pip install oxigraph)")
    if Path(args.rdflib_endpoint).exists():
        port = free_port()
        servers.append(Server("rdflib-endpoint", [args.rdflib_endpoint, "serve", "--host", "127.0.0.1",
                                                  "--port", str(port), str(trig)], port, "/", "/?query=ASK%7B%7D"))
    else:
        skipped.append(f"rdflib-endpoint ({args.rdflib_endpoint} missing; see the docstring)")

    results: dict[str, dict] = {}
    for srv in servers:
        srv.__enter__()
        try:
            n = args.rdflib_requests if srv.name == "rdflib-endpoint" else args.requests
            per_query: dict[str, tuple[float, float] | None] = {}
            all_lat: list[float] = []
            errors = 0
            for name, q in queries.items():
                probe, _ = latencies(srv, q, 1)  # warm up; a server that cannot answer in time is restarted
                if probe[0] >= srv.timeout * 1000:
                    per_query[name] = None
                    print(f"  {srv.name} {name}: no answer within {srv.timeout:g} s; restarting it", file=sys.stderr)
                    srv.__exit__()
                    srv.__enter__()
                    continue
                latencies(srv, q, 2)
                lat, err = latencies(srv, q, n)
                errors += err
                per_query[name] = (statistics.median(lat), pct(lat, 99))
                all_lat += lat
                print(f"  {srv.name} {name}: p50 {statistics.median(lat):.2f} ms", file=sys.stderr, flush=True)
            answered = [q for name, q in queries.items() if per_query[name] is not None]
            rps, terr = throughput(srv, answered, args.clients, args.seconds)
            light, lerr = throughput(srv, [queries[LIGHT]], args.clients, args.seconds)
            results[srv.name] = {"per_query": per_query, "p50": statistics.median(all_lat), "p99": pct(all_lat, 99),
                                 "rps": rps, "light": light, "errors": errors + terr + lerr,
                                 "unanswered": [k for k, v in per_query.items() if v is None]}
            print(f"{srv.name}: p50 {results[srv.name]['p50']:.2f} ms, p99 {results[srv.name]['p99']:.2f} ms, "
                  f"{rps:.0f} req/s (mix), {light:.0f} req/s ({LIGHT}), {errors + terr + lerr} errors", file=sys.stderr)
        finally:
            srv.__exit__()
    shutil.rmtree(tmp, ignore_errors=True)

    names = list(results)
    cmd = ("python bench/bench_server.py " + " ".join(a for a in sys.argv[1:])).strip()
    out = [f"Command: `{cmd}` — {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
           f"Python {platform.python_version()}; {len(queries)} cookbook queries, graph of "
           f"{sum(1 for _ in open(args.output / 'dataset.nt', encoding='utf-8'))} triples; loopback, "
           f"{args.clients} concurrent keep-alive clients for the throughput (POST, form-encoded, JSON results).", ""]
    if skipped:
        out += ["Skipped: " + "; ".join(skipped), ""]
    out += [f"| server | p50 (ms) | p99 (ms) | requests/s, all queries in turn | requests/s, `{LIGHT}` | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for n in names:
        r = results[n]
        out.append(f"| {n} | {r['p50']:.2f} | {r['p99']:.2f} | {r['rps']:.0f} | {r['light']:.0f} | {r['errors']} |")
    for n in names:
        if results[n]["unanswered"]:
            out += ["", f"{n} gave no answer within 10 s (and was restarted) for: "
                    + ", ".join(f"`{q}`" for q in results[n]["unanswered"])
                    + "; its figures cover the other queries."]
    out += ["", "| query | " + " | ".join(f"{n} p50 / p99 (ms)" for n in names) + " |",
            "| --- | " + " | ".join("---:" for _ in names) + " |"]
    def cell(v: tuple[float, float] | None) -> str:
        return "> 10 s" if v is None else f"{v[0]:.2f} / {v[1]:.2f}"
    for q in queries:
        out.append(f"| `{q}` | " + " | ".join(cell(results[n]["per_query"][q]) for n in names) + " |")
    out += ["", "Embedded store, in process: load time; per query the median of 5 runs (pyoxigraph) and one run "
            "(rdflib: one cold run, so with its first-query setup of roughly 80 ms, in a child process stopped "
            "after 10 s):", ""]
    out += store_choice(trig, examples, 5)
    text = "\n".join(out)
    print(text)
    if not args.no_write:
        doc = REPO / "docs" / "serving.md"
        cur = doc.read_text(encoding="utf-8") if doc.exists() else ""
        if MARK_START in cur and MARK_END in cur:
            head, rest = cur.split(MARK_START, 1)
            tail = rest.split(MARK_END, 1)[1]
            doc.write_text(f"{head}{MARK_START}\n{text}\n{MARK_END}{tail}", encoding="utf-8")
        else:
            print(f"(no markers in {doc}; figures not written)", file=sys.stderr)


if __name__ == "__main__":
    main()
