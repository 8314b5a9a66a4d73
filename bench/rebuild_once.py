"""One rebuild with the build cache, the chosen essay in a given state, timed per stage:
``python bench/rebuild_once.py PROJECT OUTPUT orig|revised``. The essay (the middle one of
``data/essays``) gets ``bench/run.py``'s edit for ``revised`` and is left as it was (``orig``) after
the run either way; the cache is ``OUTPUT``'s (``OUTPUT.kg-cache``, as ``bench/run.py``'s).

To compare two versions of ``kg/`` on one-edit rebuilds, give each its own OUTPUT (so each keeps its
cache), build each once, then run them interleaved, alternating the state, so that every run changes
one essay against its own version's last build (two runs in the same state would rebuild nothing
changed): the old version through ``PYTHONPATH`` of a worktree, e.g.

    git worktree add /tmp/old HEAD~1
    PYTHONPATH=/tmp/old python /tmp/old/bench/rebuild_once.py CORPUS /tmp/out-old orig   # warm
    python bench/rebuild_once.py CORPUS /tmp/out-new orig                                # warm
    PYTHONPATH=/tmp/old python /tmp/old/bench/rebuild_once.py CORPUS /tmp/out-old revised
    python bench/rebuild_once.py CORPUS /tmp/out-new revised
    ... (orig, revised, ... for both)

Prints one JSON line: the stages' seconds, the CPU of this process and of its children, the parent's
and the whole process tree's memory (MB), the cache's hits and misses."""
from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _cache, edited_essay, set_state, timed_rebuild


def main() -> None:
    root, out, state = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    if state not in ("orig", "revised"):
        raise SystemExit("state: orig or revised")
    essay = edited_essay(root)
    original = set_state(essay, state)
    try:
        result = timed_rebuild(root, out, _cache(out))
    finally:
        essay.write_bytes(original)
    usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    print(json.dumps({"state": state, "stages": {k: round(v["s"], 1) for k, v in result["stages"].items()},
                      "cpu_s": {"self": round(usage[0].ru_utime + usage[0].ru_stime, 1),
                                "children": round(usage[1].ru_utime + usage[1].ru_stime, 1)},
                      "parent_mb": round(result["parent_mb"]), "tree_mb": round(result["tree_mb"]),
                      "hits": result["hits"], "misses": result["misses"]}))


if __name__ == "__main__":
    main()
