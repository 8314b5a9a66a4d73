"""``Stage.put`` of unchanged files into a reused stage, as a build into the folder of the build
before puts its site: ``python bench/bench_put.py OUTPUT [RUNS]``. OUTPUT is a built output folder
(``kg build --output OUTPUT`` run twice, so that a retired tree is kept to reuse); every file under
its ``site/`` is put again with its own bytes, RUNS times (default 3), each run committed. Prints the
CPU per put."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kg.publish.writer import Stage


def main() -> None:
    out = Path(sys.argv[1]).resolve()
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    files = {}
    for folder, _dirs, names in os.walk(out / "site"):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as fh:
                files[os.path.relpath(path, out)] = fh.read()
    rels = sorted(files)
    for _ in range(runs):
        stage = Stage(out, digests=True, reuse=True)
        others = tuple(r for r in os.listdir(out) if r != "site")
        start = time.process_time()
        for rel in rels:
            stage.put(rel, files[rel])
        cpu = time.process_time() - start
        stage.commit(keep=others)
        print(f"reused={stage.reused}: {len(rels)} files, {cpu:.3f} s of CPU, {cpu / len(rels) * 1e6:.1f} µs a put")


if __name__ == "__main__":
    main()
