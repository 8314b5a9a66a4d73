"""Hand-written mutants of the twenty-ninth round's code that mutmut does not mutate (decorated
functions and context managers: ``kg.gcpolicy.fewer_collections``, ``made_to_keep``; two-call
bodies: ``in_forked_child``), and of the pieces it touched elsewhere (``release_graph``, an essay's
``release``, the nesting check, the validation's wait for the pages). Each mutant is a copy of
``kg/`` with one change, run against the tests that cover it; every one must fail them. Prints one
line per mutant and exits 1 if one survives (docs/testing.md; the runner: ``scripts/handmutants.py``).

    python scripts/mutants_gc.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

GC_TESTS = ["tests/test_build_gc.py"]
LOCATE_TESTS = ["tests/test_mutants_locate.py", "tests/test_locate_properties.py"]
OVERLAP_TESTS = ["tests/test_build_overlap.py"]

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    # fewer_collections
    ("kg/gcpolicy.py", "        gc.set_threshold(*GC_THRESHOLDS)\n        outermost", "        outermost", GC_TESTS),
    ("kg/gcpolicy.py", "            gc.set_threshold(*old)\n    return wrapper", "    return wrapper", GC_TESTS),
    ("kg/gcpolicy.py", "        outermost = _scope[\"depth\"] == 0", "        outermost = _scope[\"depth\"] <= 1", GC_TESTS),
    ("kg/gcpolicy.py", "            _scope[\"retained\"] = False\n", "", GC_TESTS),
    ("kg/gcpolicy.py", "        _scope[\"depth\"] += 1\n", "", GC_TESTS),
    ("kg/gcpolicy.py", "            _scope[\"depth\"] -= 1\n", "", GC_TESTS),
    ("kg/gcpolicy.py", "            if outermost and not _scope[\"retained\"] and gc.get_freeze_count() > frozen:",
     "            if outermost and gc.get_freeze_count() > frozen:", GC_TESTS),
    ("kg/gcpolicy.py", "            if outermost and not _scope[\"retained\"] and gc.get_freeze_count() > frozen:",
     "            if False:", GC_TESTS),
    # made_to_keep
    ("kg/gcpolicy.py", "    if _scope[\"depth\"] == 0:\n        yield\n        return\n", "", GC_TESTS),
    ("kg/gcpolicy.py", "    if _scope[\"depth\"] == 0:\n        yield", "    if _scope[\"depth\"] >= 0:\n        yield", GC_TESTS),
    ("kg/gcpolicy.py", "    enabled = gc.isenabled()\n    gc.disable()\n", "    enabled = gc.isenabled()\n", GC_TESTS),
    ("kg/gcpolicy.py", "    except BaseException:\n        if enabled:\n            gc.enable()\n        raise",
     "    except BaseException:\n        raise", GC_TESTS),
    ("kg/gcpolicy.py", "    gc.freeze()\n    if enabled:\n        gc.enable()\n\n", "    if enabled:\n        gc.enable()\n\n", GC_TESTS),
    ("kg/gcpolicy.py", "    gc.freeze()\n    if enabled:\n        gc.enable()\n\n", "    gc.freeze()\n\n", GC_TESTS),
    # in_forked_child, retained
    ("kg/gcpolicy.py", "    gc.freeze()\n    gc.disable()\n", "    gc.disable()\n", GC_TESTS),
    ("kg/gcpolicy.py", "    gc.freeze()\n    gc.disable()\n", "    gc.freeze()\n", GC_TESTS),
    ("kg/gcpolicy.py", "    gc.freeze()\n    _scope[\"retained\"] = True", "    _scope[\"retained\"] = True", GC_TESTS),
    ("kg/gcpolicy.py", "    gc.freeze()\n    _scope[\"retained\"] = True", "    gc.freeze()", GC_TESTS),
    # the callers
    ("kg/pipeline.py", "    if retain is not None:\n        retained()", "    if retain is None:\n        retained()", GC_TESTS),
    ("kg/pipeline.py", "    with made_to_keep():  #", "    with timer(\"load and enrich\"):  #", GC_TESTS),
    ("kg/publish/__init__.py", "    in_forked_child()\n    memo = memo", "    memo = memo", GC_TESTS),
    ("kg/publish/__init__.py", "    in_forked_child()\n    try:", "    try:", GC_TESTS),
    ("kg/validation/partitioned.py", "    in_forked_child()\n    end_with_parent()", "    end_with_parent()", GC_TESTS),
    # release_graph and an essay's release
    ("kg/tripleindex.py", "    graph.namespace_manager = None  #", "    pass  #", GC_TESTS),
    ("kg/model.py", "        for graph in self._parsed:\n            release_graph(graph)\n", "", GC_TESTS),
    # the nesting check
    ("kg/validation/positions.py", "            if kind == \"bare\":\n                return _BARE\n", "", LOCATE_TESTS),
    ("kg/validation/positions.py", "    found = _deepest(text, limit, _NESTING)", "    found = _deepest(text, limit, _token())", LOCATE_TESTS),
    ("kg/validation/positions.py", "_deepest(text, limit, _token()) if found is _BARE else found", "None if found is _BARE else found", LOCATE_TESTS),
    ("kg/validation/positions.py", "_NESTING = re.compile(\" | \".join((_COMMENT, _IRI, _LONG, _STRING,",
     "_NESTING = re.compile(\" | \".join((_COMMENT, _IRI, _STRING,", LOCATE_TESTS),
    ("kg/validation/positions.py", "_NESTING = re.compile(\" | \".join((_COMMENT, _IRI, _LONG, _STRING,",
     "_NESTING = re.compile(\" | \".join((_IRI, _LONG, _STRING,", LOCATE_TESTS),
    ("kg/validation/positions.py", "_NESTING = re.compile(\" | \".join((_COMMENT, _IRI, _LONG, _STRING,",
     "_NESTING = re.compile(\" | \".join((_COMMENT, _LONG, _STRING,", LOCATE_TESTS),
    ("kg/validation/positions.py", r'r"(?P<bare>\\)"', r'r"(?P<bare>\\u)"', LOCATE_TESTS),
    ("kg/validation/positions.py", "            if depth > limit:\n                return line_of(text, at), at - text.rfind(\"\\n\", 0, at)",
     "            if depth >= limit:\n                return line_of(text, at), at - text.rfind(\"\\n\", 0, at)", LOCATE_TESTS),
    ("kg/validation/positions.py", "        elif text[at] in \"])\":\n            depth -= 1\n    return None\n\n\n# ---",
     "        elif text[at] in \"])\":\n            depth -= 2\n    return None\n\n\n# ---", LOCATE_TESTS),
    # the validation's wait for the pages
    ("kg/pipeline.py", "            if hasattr(meanwhile, \"only_waits\") and meanwhile.only_waits():\n                return  #",
     "            if False:\n                return  #", OVERLAP_TESTS),
    ("kg/pipeline.py", "        return self.started is not None and self.rendered is not None and self.error is None",
     "        return self.started is not None and self.error is None", OVERLAP_TESTS),
]


def main() -> None:
    run(M, "gc", sys.argv[1:])


if __name__ == "__main__":
    main()
