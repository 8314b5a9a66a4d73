"""Hand-written mutants of the thirty-seventh round's change: a corpus's essays enriched by two
processes (``kg.incremental.EnrichedAhead``, ``_enrich_encoded``; ``kg.cache.Cache.holds``; its use
in ``kg.pipeline.compile_dataset``) and ``kg validate``'s evidence statements found in one pass
(``kg.validation.files._evidence_by_essay``, ``_trace_anchors``) and its SPARQL targets answered by a
forked process (``kg.validation.partitioned._target_answers``, ``_answered``). Run by ``scripts/handmutants.py``; prints one line per mutant
and exits 1 if one survives.

    python scripts/mutants_enrichahead.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

T = ["tests/test_enrich_ahead.py"]
E = ["tests/test_evidence_trace.py"]
V = ["tests/test_validate_parallel.py::test_the_sparql_targets_answered_by_a_process_give_the_same_report"]
I = "kg/incremental.py"
F = "kg/validation/files.py"

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    # which essays the process makes: the first half, all of them, one fewer, from the threshold on
    (I, "ahead = todo[len(todo) // 2:] if", "ahead = todo[:len(todo) // 2] if", T),
    (I, "ahead = todo[len(todo) // 2:] if", "ahead = todo[:] if", T),
    (I, "ahead = todo[len(todo) // 2:] if", "ahead = todo[len(todo) // 2 + 1:] if", T),
    (I, "if len(todo) >= FORK_ENRICH_MIN and forkable()", "if len(todo) > FORK_ENRICH_MIN and forkable()", T),
    # what the cache lacks: every essay, or none
    (I, 'todo = [i for i, key in enumerate(self.keys) if not self.cache.holds("enrich", key)]',
     "todo = list(range(len(essays)))", T),
    ("kg/cache.py", 'return self.folder is not None and self._path(kind, key).is_file()', "return False", T),
    # an essay's answer: another's, the problems dropped, the entry not stored, the cache not asked first
    (I, "self._ahead = {i: n for n, i in enumerate(ahead)}", "self._ahead = {i: len(ahead) - 1 - n for n, i in enumerate(ahead)}", T),
    (I, "        if not ok:\n            raise EvidenceError(value)\n", "        if not ok:\n            return EssayTriples(())\n", T),
    (I, '            cache.put("enrich", key, entry)\n', "            pass\n", T),
    (I, "            hit = enriched(cache, key, terms=self.terms)  # counted as enrich_cached counts it\n",
     "            hit = None\n", T),
    # the process's essays: the problems of one essay kept, the others' lost
    (I, "            out.append((False, list(exc.problems)))\n", "            out.append((False, list(exc.problems)))\n            break\n", T),
    # the key: made again from another ontology's key
    (I, "return enrich_cached(cache, essay, self.alignments, self.config, \"\", self.terms, key=key)",
     "return enrich_cached(cache, essay, self.alignments, self.config, \"\", self.terms)", T),
    # kg validate's evidence statements: every statement taken, all given to the first essay, the
    # first essay's given to each
    (F, "        if st.predicate in _EVIDENCE:\n            essay_id", "        if True:\n            essay_id", E),
    (F, "essay_of = {path: essay.id for essay in essays for path in essay.files}",
     "essay_of = {path: essays[0].id for essay in essays for path in essay.files}", E),
    (F, "_trace_anchors(essay, enriched, prepared, evidence[essay.id])",
     "_trace_anchors(essay, enriched, prepared, evidence[sources.essays[0].id])", E),
    # kg validate's SPARQL targets answered by a process: its answers not taken, no process, the
    # process given the graph's first essay's queries only
    ("kg/validation/partitioned.py", "    return TargetAnswers(ahead.result(), partial(oxigraph_store, graph))",
     "    return TargetAnswers({}, partial(oxigraph_store, graph))", V),
    ("kg/validation/partitioned.py", "if store_of is None and shaped.queried and workers > 1 and",
     "if store_of is None and shaped.queried and workers > 2 and", V),
    ("kg/validation/partitioned.py", "ahead = Later(_target_answers, graph, sparql_target_queries(shapes))",
     "ahead = Later(_target_answers, graph, sparql_target_queries(shapes)[:1])", V),
]


def main() -> None:
    run(M, "enrichahead", sys.argv[1:], timeout=600)


if __name__ == "__main__":
    main()
