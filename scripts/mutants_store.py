"""Hand-written mutants of the thirtieth round's changes: the store's merged default graph and its
count (``kg.store``), and the cookbook's queries written for Oxigraph's plans on a large corpus (each
FILTER that binds a looked-up predicate, held to the query's plain form by ``tests/test_cookbook.py``).
Run by ``scripts/handmutants.py``; prints one line per mutant and exits 1 if one survives.

    python scripts/mutants_store.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

STORE_TESTS = ["tests/test_store_load.py"]
PLAIN = ["tests/test_cookbook.py::test_a_query_written_for_large_corpora_answers_as_its_plain_form",
         "tests/test_cookbook.py::test_bonapartism_related_answers_as_its_plain_form_for_each_relation"]
MERGE = 'MERGE_INTO_DEFAULT = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"'
COUNT = '"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"'

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    # the merge, and the count of what it holds
    ("kg/store.py", MERGE, 'MERGE_INTO_DEFAULT = "INSERT DATA { }"', STORE_TESTS),
    ("kg/store.py", MERGE, MERGE.replace("GRAPH ?g { ?s ?p ?o }", "GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s))"),
     STORE_TESTS),
    ("kg/store.py", MERGE, MERGE.replace("GRAPH ?g", "GRAPH <http://example.org/g1>"), STORE_TESTS),
    ("kg/store.py", "    store.update(MERGE_INTO_DEFAULT)\n", "", STORE_TESTS),
    ("kg/store.py", COUNT, COUNT.replace("{ ?s ?p ?o }", "{ GRAPH ?g { ?s ?p ?o } }"), STORE_TESTS),
    ("kg/store.py", COUNT, COUNT.replace("COUNT(*)", "COUNT(DISTINCT ?s)"), STORE_TESTS),
    # the cookbook's looked-up predicates
    ("queries/bonapartism-related.rq", "FILTER(?type = skos:Concept)", "FILTER(?type != skos:Concept)", PLAIN),
    ("queries/bonapartism-related.rq", "FILTER(?relation IN (skos:related, skos:broader, skos:narrower))",
     "FILTER(?relation IN (skos:related, skos:broader))", PLAIN),
    ("queries/most-mentioned.rq", "FILTER(?labelled = rdfs:label)", "FILTER(?labelled != rdfs:comment)", PLAIN),
    ("queries/argument-relations.rq", "FILTER(?fromLabelled = rdfs:label)", "FILTER(isIRI(?fromLabelled))", PLAIN),
    ("queries/argument-relations.rq", "FILTER(?toLabelled = rdfs:label)", "FILTER(?toLabelled != rdfs:comment)", PLAIN),
    ("queries/external-links.rq", "FILTER(?labelled = rdfs:label)", "FILTER(?labelled != rdfs:comment)", PLAIN),
    ("queries/works-named-vs-identified.rq", "FILTER(?type = schema:ScholarlyArticle)", "FILTER(isIRI(?type))", PLAIN),
]


def main() -> None:
    run(M, "store", sys.argv[1:])


if __name__ == "__main__":
    main()
