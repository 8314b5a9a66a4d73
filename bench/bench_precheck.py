"""Time the validation's pre-check (``kg.validation.precheck``) on every (shape, focus node) pair of a
corpus: ``python bench/bench_precheck.py [PROJECT] [--against OLD_TREE] [--repeat N]``.

The corpus is compiled in memory (``compile_dataset``), its focus nodes found as a build finds them
(``plan`` without pruning), then ``Prechecker.prune`` runs on all of them, as a cold build's parent does,
with the build's garbage-collection thresholds. With ``--against`` the same pairs are pruned by the
``kg/validation/precheck.py`` of another tree (a git worktree of an older commit), interleaved, and the
pairs both leave to pySHACL must be the same. Prints the triples, the pairs, the pairs left, and each
run's seconds (the best and the microseconds per pair at the end)."""
from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

from kg.config import load_config
from kg.gcpolicy import fewer_collections
from kg.incremental import stable_shapes
from kg.pipeline import compile_dataset
from kg.sources import load_sources
from kg.validation import precheck
from kg.validation.partitioned import plan


def _module_of(tree: Path):  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("precheck_against", tree / "kg" / "validation" / "precheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@fewer_collections
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", nargs="?", default=".")
    parser.add_argument("--against", type=Path, help="another tree whose pre-check is timed beside this one")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = load_config(args.project)
    sources = load_sources(config)
    graph = compile_dataset(sources, config).union
    shapes = stable_shapes(sources.shapes)
    focus, _whole, _reach, _hops = plan(graph, shapes, prune=False)
    print(f"{len(graph):,} triples, {sum(map(len, focus.values())):,} pairs", flush=True)
    modules = [("this tree", precheck)] + ([(str(args.against), _module_of(args.against))] if args.against else [])
    best: dict[str, float] = {}
    left: dict[str, dict] = {}
    for _ in range(args.repeat):
        for name, module in modules:
            t = time.perf_counter()
            out = module.Prechecker(graph, shapes).prune(focus)
            seconds = time.perf_counter() - t
            best[name] = min(best.get(name, seconds), seconds)
            left.setdefault(name, out)
            print(f"{name}: {seconds:.2f} s, {sum(map(len, out.values())):,} pairs left", flush=True)
    pairs = max(sum(map(len, focus.values())), 1)
    for name, seconds in best.items():
        print(f"best, {name}: {seconds:.2f} s ({seconds / pairs * 1e6:.1f} µs a pair)")
    if args.against and left[str(args.against)] != left["this tree"]:
        raise SystemExit("the two pre-checks leave different pairs to pySHACL")


if __name__ == "__main__":
    main()
