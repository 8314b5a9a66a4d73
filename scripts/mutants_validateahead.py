"""Hand-written mutants of ``kg validate``'s enrichment by a forked process
(``kg.validation.files.prepare_corpus``, ``_enrich_curated``) and of the source index's faster
tokens (``kg.validation.positions``): each must fail the tests that cover it (docs/testing.md; the
runner: ``scripts/handmutants.py``). Left out as equivalent: the essays' problems put before the
earlier essays' instead of after them (``_evidence_findings`` keys them by essay, predicate and
literal; the report is sorted by place).

    python scripts/mutants_validateahead.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

AHEAD = ["tests/test_validate_ahead.py"]
LOCATE = ["tests/test_mutants_locate.py", "tests/test_locate_properties.py"]
F = "kg/validation/files.py"
P = "kg/validation/positions.py"
V = "kg/validation/partitioned.py"
UNITS = ["tests/test_validate_parallel.py::test_units_a_worker_from_exactly_units_min_triples",
         "tests/test_validate_parallel.py::test_two_units_a_worker_give_pyshacls_report",
         "tests/test_validate_parallel.py::test_a_worker_frees_each_units_graphs_before_it_makes_the_next"]

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    (F, "if len(essays) >= ENRICH_AHEAD_MIN and forkable()", "if len(essays) > ENRICH_AHEAD_MIN and forkable()", AHEAD),
    (F, "if len(essays) >= ENRICH_AHEAD_MIN and forkable()", "if len(essays) >= ENRICH_AHEAD_MIN", AHEAD),
    (F, "    sent = ahead.result() if ahead is not None else None", "    sent = None", AHEAD),
    (F, "            problems.extend(found)\n", "", AHEAD),
    (F, "        problems: list[EvidenceProblem] = []\n        triples = enrich_triples(essay, alignments, config, problems=problems, curated=True)",
     "        problems: list[EvidenceProblem] = []\n        triples = enrich_triples(essay, alignments, config, problems=problems)", AHEAD),
    (F, "            entry, found, typed, curated_count = sent[i]\n", "            entry, found, typed, curated_count = sent[i - 1]\n", AHEAD),
    (F, "        _trace_anchors(essay, enriched, prepared, evidence[essay.id])", "        pass", AHEAD),
    (F, "            ill_typed.extend(typed)\n", "", AHEAD),
    (F, "        del ill_typed[before:]\n", "", AHEAD),
    (F, "    _add_ill_typed(prepared, ill_typed)  # the ontology's", "    pass  # the ontology's", AHEAD),
    ("kg/sources.py", "graph if lazy else graph(),", "graph(),", AHEAD),
    (P, '    if "\\\\" not in body:  # most', '    if "\\\\" in body:  # most', LOCATE),
    (P, '            if "\\\\" in local:\n', '            if "\\\\" not in local:\n', LOCATE),
    (P, '        if "\\n" in value:\n', '        if "\\n" not in value:\n', LOCATE),
    (P, '        if kind != "ws" and kind != "comment":', '        if kind != "ws":', LOCATE),
    # the workers' units validated one after the other (fortieth round of issue 18)
    (V, "            if i:  # the last unit's graphs freed", "            if False:  # the last unit's graphs freed", UNITS),
    (V, "        chunks *= UNITS_PER_WORKER", "        chunks *= 1", UNITS),
    (V, "run_units(job, parent_shapes, min(chunks, workers), meanwhile)", "run_units(job, parent_shapes, chunks, meanwhile)", UNITS),
    (V, "    if chunks and len(graph) >= UNITS_MIN_TRIPLES:", "    if chunks and len(graph) > UNITS_MIN_TRIPLES:", UNITS),
]

if __name__ == "__main__":
    run(M, "validateahead", sys.argv[1:], timeout=600)
