"""How long a rebuild's page processes take to find a page unchanged from its record, without
valuing its reads (``kg.publish.pagememo.PageMemo._unchanged``): ``python bench/bench_pagememo.py
CACHE [RUNS]``. CACHE is a build cache (``OUTPUT.kg-cache`` of ``bench/run.py``'s builds, or a
project's ``.kg-cache``) holding the page records of a build with two page processes; each share's
record is read, and every page in it is checked RUNS times (default 3) against a change that no page
reads (one changed subject, one changed object, neither read), as in a rebuild where one essay
changed and most pages are kept. Prints the number of pages and reads and the CPU per page of the
best run (the table's one-time sort included).

To compare two versions of ``kg/``, run each tree's copy of this script in turn (it imports the
``kg`` beside it), e.g. ``python /tmp/old/bench/bench_pagememo.py CACHE`` and
``python bench/bench_pagememo.py CACHE``."""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kg.cache import Cache
from kg.publish import pagememo


def main() -> None:
    cache = Cache(Path(sys.argv[1]))
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    memo = pagememo.PageMemo.__new__(pagememo.PageMemo)
    memo._values = {}
    for k in range(2):
        doc = cache.get(pagememo.KIND, pagememo.entry_name(k, 2), count=False)
        if not isinstance(doc, dict):
            raise SystemExit(f"{sys.argv[1]}: no page records of share {k} of 2")
        pages = [rec[0] for rec in doc["pages"].values()]
        best = None
        for _ in range(runs):
            table = pagememo._Table(doc["keys"], ({"urn:x:nothing-read"}, {"urn:x:nothing-read"}), {})
            # the other reads (lists, reading orders, sections) as recorded: valued as unchanged
            memo._value = lambda _key: None
            start = time.process_time()
            kept = sum(memo._unchanged(table, ids) is not None for ids in pages)
            spent = time.process_time() - start
            best = spent if best is None else min(best, spent)
        reads = sum(map(len, pages))
        print(f"share {k}: {len(pages)} pages ({kept} found unchanged), {reads} reads, "
              f"{best / len(pages) * 1e6:.2f} µs a page")


if __name__ == "__main__":
    main()
