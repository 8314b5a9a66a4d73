"""The query policy under attack, measured (figures for docs/security.md). One command::

    python bench/bench_policy.py [--output output] [--requests 300] [--mb 50]

1. `ASK {}` latency (p50, p99) on a real `kg serve` (loopback), alone and while 2 hostile clients
   (separate processes) send, back to back, 128 KB queries built to cost the check the most CPU
   (a slow-path token every few bytes, SERVICE at the very end), 128 KB of `"\\u0022"` strings,
   and queries nested 3,000 deep.
2. The check on a 50 MB query (a VALUES block of IRIs, strings and numbers) beside pyoxigraph
   parsing and evaluating the same text: seconds (wall and CPU) and peak memory (each in its own
   process, peak RSS from getrusage). Also the slow path's worst case (50 MB of `?s a ?o ;`, on
   which pyoxigraph itself crashes).
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))


def hostile_queries() -> list[bytes]:
    size = 128 * 1024 - 200
    costly = "SELECT * WHERE { ?s " + "a ?o ; " * (size // 7) + " SERVICE <http://127.0.0.1:9/> { } }"
    quotes = "SELECT * WHERE { " + 'BIND("\\u0022" AS ?a) ' * (size // 21) + "}"
    deep = "SELECT * WHERE { " + "{" * 3000 + "}" * 3000 + " }"
    return [q.encode() for q in (costly, quotes, deep)]


def hostile_client(port: int, stop: multiprocessing.Event, counter) -> None:  # noqa: ANN001
    bodies = hostile_queries()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = 0
    while not stop.is_set():
        conn.request("POST", "/sparql", body=bodies[i % len(bodies)], headers={"Content-Type": "application/sparql-query"})
        r = conn.getresponse()
        r.read()
        assert r.status in (400, 403, 413), r.status
        with counter.get_lock():
            counter.value += 1
        i += 1


def ask_latencies(port: int, n: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    path = "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        r = conn.getresponse()
        r.read()
        out.append(time.perf_counter() - t0)
        assert r.status == 200
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] * 1000


def responsiveness(output: Path, n: int) -> dict:
    from serverutil import running_server

    with running_server(REPO, output) as base:
        port = int(base.rsplit(":", 1)[1])
        ask_latencies(port, 50)  # warm up
        alone = ask_latencies(port, n)
        stop = multiprocessing.Event()
        counter = multiprocessing.Value("i", 0)
        procs = [multiprocessing.Process(target=hostile_client, args=(port, stop, counter)) for _ in range(2)]
        for p in procs:
            p.start()
        time.sleep(1.0)
        started, before = time.monotonic(), counter.value
        loaded = ask_latencies(port, n)
        hostile_rate = (counter.value - before) / (time.monotonic() - started)
        stop.set()
        for p in procs:
            p.join(30)
    return {"alone_p50": pct(alone, 0.5), "alone_p99": pct(alone, 0.99), "loaded_p50": pct(loaded, 0.5),
            "loaded_p99": pct(loaded, 0.99), "hostile_per_s": hostile_rate}


_MEASURE = r'''
import resource, sys, time
text = open(sys.argv[2], encoding="utf-8").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0, c0 = time.perf_counter(), time.process_time()
if sys.argv[1] == "check":
    from kg.sparql import check_query
    try:
        check_query(text)
        verdict = "allowed"
    except Exception as exc:
        verdict = type(exc).__name__
else:
    import pyoxigraph as ox
    res = ox.Store().query(text)
    verdict = "parsed"
secs, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"wall {secs:.2f} s, cpu {cpu:.2f} s, peak RSS {peak / 1024:.0f} MB (+{(peak - base) / 1024:.0f} MB over reading the text): {verdict}")
'''


def big_query(path: Path, mb: int, kind: str) -> None:
    target = mb * 1_000_000
    with open(path, "w", encoding="utf-8") as f:
        if kind == "values":
            f.write("SELECT * WHERE { VALUES (?item ?label ?n) {\n")
            i, written = 0, 0
            while written < target:
                row = f'  (<http://example.org/item/{i}> "label number {i}"@en {i})\n'
                f.write(row)
                written += len(row)
                i += 1
            f.write("} }\n")
        else:
            f.write("SELECT * WHERE { ?s " + "a ?o ; " * (target // 7) + " }\n")


def check_vs_engine(mb: int) -> list[tuple[str, str, str]]:
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("values", "slow-path"):
            path = Path(tmp) / f"{kind}.rq"
            big_query(path, mb, kind)
            for what in ("check", "engine"):
                out = subprocess.run([sys.executable, "-c", _MEASURE, what, str(path)], capture_output=True, text=True,
                                     cwd=REPO, timeout=600)
                rows.append((kind, what, out.stdout.strip() or f"exit {out.returncode} {out.stderr.strip()[-200:]}"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--output", type=Path, default=REPO / "output")
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--mb", type=int, default=50)
    args = ap.parse_args()
    r = responsiveness(args.output.resolve(), args.requests)
    print(f"ASK {{}} alone: p50 {r['alone_p50']:.2f} ms, p99 {r['alone_p99']:.2f} ms")
    print(f"ASK {{}} with 2 hostile clients ({r['hostile_per_s']:.0f} hostile requests/s answered): "
          f"p50 {r['loaded_p50']:.2f} ms, p99 {r['loaded_p99']:.2f} ms  (p50 ratio {r['loaded_p50'] / r['alone_p50']:.2f})")
    print(f"{args.mb} MB query:")
    for kind, what, line in check_vs_engine(args.mb):
        print(f"  {kind:9} {what:6} {line}")


if __name__ == "__main__":
    main()
