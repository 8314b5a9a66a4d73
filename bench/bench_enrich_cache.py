"""Time reading a build's essays back from the cache (the first, one-core seconds of a rebuild):
``python bench/bench_enrich_cache.py CACHE_DIR`` (a ``.kg-cache`` folder, e.g. ``bench/run.py``'s
``output-1m.kg-cache``). For the same entries it times, best of 3: their bodies read as JSON and as
marshal, written as each, the triples made from them without and with the memo of terms the build
shares across essays (``kg.rdfmake.decode_triples``), and adding each set of triples to the union's
index (``kg.tripleindex``). Prints one line per step."""
from __future__ import annotations

import json
import marshal
import sys
import time
from pathlib import Path

from kg.cache import Cache
from kg.rdfmake import decode_triples
from kg.tripleindex import indexed_graph


def best(fn, repeat: int = 3) -> tuple[float, object]:  # noqa: ANN001
    out, times = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    folder = Path(sys.argv[1])
    cache = Cache(folder)
    keys = sorted(p.name.split(".")[0] for p in (folder / "enrich").glob("*/*.*") if not p.name.startswith("."))
    values = [v for v in (cache.get("enrich", k) for k in keys) if v is not None]
    entries = [{"key": k, "value": v} for k, v in zip(keys, values)]
    as_json = [json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for e in entries]
    as_marshal = [marshal.dumps(e) for e in entries]
    print(f"{len(entries)} entries: {sum(map(len, as_json)) / 1e6:.1f} MB as JSON, "
          f"{sum(map(len, as_marshal)) / 1e6:.1f} MB as marshal")
    for label, fn in (("read as JSON", lambda: [json.loads(b) for b in as_json]),
                      ("read as marshal", lambda: [marshal.loads(b) for b in as_marshal]),
                      ("written as JSON", lambda: [json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                                                   for e in entries]),
                      ("written as marshal", lambda: [marshal.dumps(e) for e in entries])):
        print(f"{label}: {best(fn)[0]:.2f} s")
    t_alone, alone = best(lambda: [decode_triples(v) for v in values])
    memo: dict = {}

    def decode_shared() -> list:
        memo.clear()  # each run starts as a build does, with no term made
        return [decode_triples(v, memo) for v in values]
    t_shared, shared = best(decode_shared)
    held = sum(len(v["terms"]) for v in values)
    print(f"triples made, each entry alone: {t_alone:.2f} s; with the shared memo: {t_shared:.2f} s "
          f"({len(memo):,} terms made for the {held:,} the entries hold)")
    for label, triples in (("each entry alone", alone), ("with the shared memo", shared)):
        def index(triples=triples):  # noqa: ANN001, ANN202
            union = indexed_graph()
            for part in triples:
                union.store.add_all(part)
            return union
        print(f"added to the union's index, {label}: {best(index)[0]:.2f} s")


if __name__ == "__main__":
    main()
