"""How much memory and time each way of holding the corpus costs: ``python bench/bench_corpus_forms.py
DATASET.nt`` loads the published N-Triples into each form in a fresh process and prints the resident
memory it added and the time (the figures in docs/performance.md, "Holding the corpus once").

Forms: an rdflib Graph over rdflib's default store (what the build held until the tenth round); an rdflib
Graph over ``kg.tripleindex.TripleIndex`` (what it holds since); a pyoxigraph in-memory Store; interned integer triples (a dict of distinct terms to ids and three ``array('l')``
columns, the terms kept as rdflib objects so the writers could use them)."""
from __future__ import annotations

import json
import subprocess
import sys
import time


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(form: str, path: str) -> dict:
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.validation.partitioned import _from_ox
    quads = list(ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES))  # parsed before measuring
    n = len(quads)
    base, t = rss_mb(), time.perf_counter()
    if form in ("rdflib", "tripleindex"):
        from kg.tripleindex import indexed_graph
        g = Graph() if form == "rdflib" else indexed_graph()
        cache: dict = {}
        g.addN((cache.setdefault(q.subject, _from_ox(q.subject)), cache.setdefault(q.predicate, _from_ox(q.predicate)),
                cache.setdefault(q.object, _from_ox(q.object)), g) for q in quads)
        del cache
        keep = g
    elif form == "oxigraph":
        store = ox.Store()
        store.bulk_extend(quads)
        keep = store
    else:
        from array import array
        ids: dict = {}
        terms: list = []
        cols = (array("l"), array("l"), array("l"))
        for q in quads:
            for col, term in zip(cols, (q.subject, q.predicate, q.object)):
                i = ids.get(term)
                if i is None:
                    i = ids[term] = len(terms)
                    terms.append(_from_ox(term))
                col.append(i)
        del ids
        keep = (terms, cols)
    elapsed = time.perf_counter() - t
    del quads
    import gc
    gc.collect()
    return {"form": form, "triples": n, "mb": rss_mb() - base, "s": elapsed, "bytes_per_triple": (rss_mb() - base) * 2**20 / n,
            "kept": type(keep).__name__}


def main() -> None:
    if sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
        return
    for form in ("rdflib", "tripleindex", "oxigraph", "interned"):
        out = subprocess.run([sys.executable, __file__, "--child", form, sys.argv[1]], capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr[-500:])


if __name__ == "__main__":
    main()
