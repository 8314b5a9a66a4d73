"""How long a rebuild's page processes take to read a share's page records and to find a page unchanged
from its record without valuing its reads (``kg.publish.pagememo``): ``python bench/bench_pagememo.py
CACHE [RUNS]``. CACHE is a build cache (``OUTPUT.kg-cache`` of ``bench/run.py``'s builds, or a
project's ``.kg-cache``) holding the page records of a build with two page processes. For each share:

- the entry read (``Cache.get``: the file, its checksum, ``marshal``), and ``marshal.loads`` of the
  entry as stored against the same entry with each page's reads' numbers as a list of ints (the form
  before the thirty-ninth round: ``pagememo.pack_numbers``);
- every page in it checked RUNS times (default 3) by ``PageMemo._unchanged`` against a change that no
  page reads (one changed subject, one changed object, neither read), as in a rebuild where one essay
  changed and most pages are kept: the CPU per page of the best run (the table's one-time sort
  included).

To compare two versions of ``kg/``, run each tree's copy of this script in turn (it imports the
``kg`` beside it), e.g. ``python /tmp/old/bench/bench_pagememo.py CACHE`` and
``python bench/bench_pagememo.py CACHE``."""
from __future__ import annotations

import marshal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kg.cache import Cache
from kg.publish import pagememo


def _loads(data: bytes, runs: int) -> float:
    best = None
    for _ in range(runs):
        start = time.process_time()
        marshal.loads(data)
        spent = time.process_time() - start
        best = spent if best is None else min(best, spent)
    return best


def main() -> None:
    cache = Cache(Path(sys.argv[1]))
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    memo = pagememo.PageMemo.__new__(pagememo.PageMemo)
    memo._values = {}
    for k in range(2):
        start = time.process_time()
        doc = cache.get(pagememo.KIND, pagememo.entry_name(k, 2), count=False)
        got = time.process_time() - start
        if not isinstance(doc, dict):
            raise SystemExit(f"{sys.argv[1]}: no page records of share {k} of 2")
        pages = [pagememo.numbers(rec[0]) for rec in doc["pages"].values()]
        if any(ids is None for ids in pages):
            raise SystemExit(f"{sys.argv[1]}: share {k}'s records are another version's (run this tree's build first)")
        as_lists = dict(doc, pages={n: [list(pagememo.numbers(rec[0]))] + rec[1:] for n, rec in doc["pages"].items()})
        print(f"share {k}: entry read in {got:.2f} s; marshal.loads {_loads(marshal.dumps(doc), runs):.2f} s "
              f"(the numbers as lists of ints: {_loads(marshal.dumps(as_lists), runs):.2f} s)")
        del as_lists
        best = None
        for _ in range(runs):
            # the other reads (lists, reading orders, sections) as recorded: valued as unchanged
            same = b"\x01" * pagememo.DIGEST
            table = pagememo._Table(doc["keys"], ({"urn:x:nothing-read"}, {"urn:x:nothing-read"}),
                                    same * len(doc["keys"]))
            memo._value = lambda _key: same
            start = time.process_time()
            kept = sum(memo._unchanged(table, ids) is not None for ids in pages)
            spent = time.process_time() - start
            best = spent if best is None else min(best, spent)
        reads = sum(map(len, pages))
        print(f"share {k}: {len(pages)} pages ({kept} found unchanged), {reads} reads, "
              f"{best / len(pages) * 1e6:.2f} µs a page")


if __name__ == "__main__":
    main()
