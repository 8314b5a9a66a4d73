"""Time the maps (``kg.maps.pages.maps``) of a corpus drawn and read from the build cache:
``python bench/bench_maps.py PROJECT CACHE_DIR``. The dataset is compiled once (through the cache's
enrichments when it holds them), then the maps are made three times in this process: with the cache
(drawn and written when it does not hold this code's drawings, else read), without it (every drawing
laid out), and with it again (read). Prints each run's time, CPU, files, the neighbourhoods' bytes and
the cache's hits."""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from kg.cache import Cache
from kg.config import load_config
from kg.maps.pages import maps
from kg.pipeline import compile_dataset
from kg.sources import load_sources


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    config = load_config(Path(sys.argv[1]))
    folder = Path(sys.argv[2])
    dataset = compile_dataset(load_sources(config), config, lambda *_a, **_k: None, Cache(folder))
    for label, cache in (("with the cache", Cache(folder)), ("drawn", None), ("with the cache", Cache(folder))):
        t, c = time.perf_counter(), cpu()
        files = maps(dataset, config, cache=cache)
        hood = sum(len(v) for k, v in files.items() if "/neighbourhood/" in k)
        print(f"{label}: {time.perf_counter() - t:.2f} s ({cpu() - c:.2f} s CPU), {len(files)} files, "
              f"neighbourhoods {hood:,} bytes, hits {cache.hits if cache else '-'}", flush=True)


if __name__ == "__main__":
    main()
