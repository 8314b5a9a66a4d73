"""Hand-written mutants of kg/tripleindex.py, each run against tests/test_tripleindex.py (mutmut finds
no test reaching the store's methods, which rdflib calls: see docs/testing.md). Run by
``scripts/handmutants.py``; every mutant must fail the tests; prints one line per mutant and exits 1 if
one survives.

    python scripts/mutants_tripleindex.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

TESTS = ["tests/test_tripleindex.py"]

#: (old text, new text) in kg/tripleindex.py: each old text occurs there once
PAIRS = [
 ("                if len(objects) == had:\n                    continue\n", "                if len(objects) == had:\n                    pass\n"),
 ("            if osp is not None:\n                self._index_object(osp, s, p, o)\n", ""),
 ("        if not inner:\n            del middle[b]", "        if False:\n            del middle[b]"),
 ("            if not middle:\n                del index[a]", "            if False:\n                del index[a]"),
 ("            self._n -= 1\n", ""),
 ("                for o2 in tuple(objects):\n                    yield (s, p, o2), _NO_GRAPHS\n                return", "                for o2 in objects:\n                    yield (s, p, o2), _NO_GRAPHS\n                return"),
 ("        for s2, po in tuple(self._spo.items()):", "        for s2, po in self._spo.items():"),
 ("                    if o in objects:\n                        yield", "                    if o not in objects:\n                        yield"),
 ("                predicates = self._objects_index().get(o, {}).get(s)", "                predicates = self._objects_index().get(s, {}).get(o)"),
 ("            bound_prefix = self._prefix.get(bound_namespace)", "            pass"),
 ("            ns = bound_namespace if bound_namespace is not None else namespace", "            ns = namespace"),
 ("        return self._n\n", "        return len(self._spo)\n"),
 ("            for o2, subjects in tuple(os_.items()):\n                for s2 in tuple(subjects):", "            for o2, subjects in tuple(os_.items()):\n                for s2 in tuple(subjects)[:1]:"),
 ("                    self._index_object(osp, s, p, o)\n            self._osp = osp", "                    self._index_object(osp, s, p, o)\n                    break\n            self._osp = osp"),
 ("    context_aware = True\n", "    context_aware = False\n"),
 ("                for p2 in tuple(predicates):\n                    yield (s2, p2, o), _NO_GRAPHS", "                for p2 in tuple(predicates):\n                    yield (s2, p2, o), _NO_GRAPHS\n                    break"),
 ("        return {p: sum(map(len, os_.values())) for p, os_ in self._pos.items()}", "        return {p: len(os_) for p, os_ in self._pos.items()}"),
 ("        return {p: sum(map(len, os_.values())) for p, os_ in self._pos.items()}", "        return {p: sum(map(len, os_.values())) for p, os_ in list(self._pos.items())[1:]}"),
]

#: as every other script's table: (file, old text, new text, tests)
M = [("kg/tripleindex.py", old, new, TESTS) for old, new in PAIRS]


def main() -> None:
    run(M, "tripleindex", sys.argv[1:])


if __name__ == "__main__":
    main()
