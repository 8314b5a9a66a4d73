"""Time the argument's exports (xAIF per essay, a nanopublication per claim) on a built-in-memory
corpus: ``python bench/bench_argument.py [PROJECT]`` (default: this project; a synthetic corpus from
``bench/corpus.py`` works too). Prints triples, essays, claims, seconds and milliseconds per claim."""
from __future__ import annotations

import sys
import time

from rdflib.namespace import RDF

from kg.config import load_config
from kg.namespaces import SCHEMA
from kg.pipeline import compile_dataset
from kg.publish.argument import argument_exports
from kg.sources import load_sources


def main() -> None:
    config = load_config(sys.argv[1] if len(sys.argv) > 1 else ".")
    dataset = compile_dataset(load_sources(config), config)
    claims = len(set(dataset.union.subjects(RDF.type, SCHEMA.Claim)))
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        files = argument_exports(dataset, config)
        best = min(best, time.perf_counter() - t)
    print(f"{len(dataset.union)} triples, {len(dataset.essays)} essays, {claims} claims: exports {best:.2f} s "
          f"(best of 3; {best / max(claims, 1) * 1000:.2f} ms/claim), {len(files)} files, "
          f"{sum(map(len, files.values())) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
