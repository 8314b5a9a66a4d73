"""``kg validate`` of a corpus of at least ``ENRICH_AHEAD_MIN`` essays has them enriched by a forked
process while it indexes the files' statements (``kg.validation.files.prepare_corpus``): the graph it
validates, the anchors it traces, its findings and their order are those of the enrichment made in
the one process, also when the process dies or the essays are too few to fork for."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from rdflib import BNode

import kg.validation.files as files
from kg.config import load_config
from kg.validation.files import ENRICH_AHEAD_MIN, prepare_corpus, validate_sources

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from corpus import generate, triples_for  # noqa: E402

ESSAYS = ENRICH_AHEAD_MIN + 1


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[Path, int]]]:
    """A corpus with two passages not in their texts (in the third and the eighth essay), a blank
    node and an ill-typed literal; and the (file, line) of each passage."""
    root = tmp_path_factory.mktemp("ahead") / "project"
    assert generate(root, triples_for(ESSAYS), seed=11, link=False) == ESSAYS
    wrong = []
    for n in (7, 2):
        essay = root / "data" / "essays" / f"essay-{n:05d}" / "essay.ttl"
        lines = essay.read_text(encoding="utf-8").splitlines(keepends=True)
        at = next(i for i, line in enumerate(lines) if 'kgo:evidence "' in line)
        lines[at] = lines[at].replace('kgo:evidence "', 'kgo:evidence "Nowhere in the text: ', 1)
        lines.append('\nessay:essay-%05d dcterms:contributor [ a foaf:Person ; rdfs:label "Someone blank"@en ] ;\n'
                     '    schema:wordCount "many"^^xsd:integer .\n' % n)
        essay.write_text("".join(lines), encoding="utf-8")
        wrong.append((essay.resolve(), at + 1))
    return root, sorted(wrong)


def _unnamed(triples) -> list[tuple]:  # noqa: ANN001
    return [tuple("_:" if isinstance(t, BNode) else t for t in triple) for triple in triples]


def _enriched_here(monkeypatch) -> list:  # noqa: ANN001
    """The essays this process enriches itself (a forked process's calls are not seen here)."""
    from kg import enrich

    here = []
    real = enrich.enrich_triples

    def counted(essay, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        here.append(essay.id)
        return real(essay, *args, **kwargs)
    monkeypatch.setattr(enrich, "enrich_triples", counted)
    return here


def _forks(monkeypatch) -> list:  # noqa: ANN001
    made = []
    real = files.Later

    def later(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        made.append(args[0].__name__)
        return real(*args, **kwargs)
    monkeypatch.setattr(files, "Later", later)
    return made


def _in_one_process(monkeypatch, config) -> tuple:  # noqa: ANN001
    with monkeypatch.context() as m:
        m.setattr(files, "ENRICH_AHEAD_MIN", ESSAYS + 1)
        prepared = prepare_corpus(config)
        report = validate_sources(config, [])
    return prepared, report


def test_the_forked_enrichment_gives_the_same_graph_anchors_and_findings(corpus, monkeypatch) -> None:  # noqa: ANN001
    root, wrong = corpus
    config = load_config(root)
    one, one_report = _in_one_process(monkeypatch, config)
    made = _forks(monkeypatch)
    here = _enriched_here(monkeypatch)
    ahead = prepare_corpus(config)
    report = validate_sources(config, [])
    assert made == ["_enrich_curated", "_enrich_curated"]  # once per prepare_corpus: forked
    assert here == []  # every essay came from the process
    # each run parses the files again, and rdflib names their blank nodes anew: compared without names
    assert sorted(_unnamed(ahead.graph)) == sorted(_unnamed(one.graph)) and len(ahead.graph) > 10_000
    assert sum(isinstance(s, BNode) for s, _p, _o in ahead.graph) == 6  # two blank nodes: a type, its materialised twin, a label
    assert [_unnamed(p) for p in ahead.parts] == [_unnamed(p) for p in one.parts]
    blank = {s for part in ahead.parts for s, _p, _o in part if isinstance(s, BNode)}
    assert blank <= {s for s, _p, _o in ahead.graph}  # the very blank nodes parsed, sent and decoded
    assert ahead.anchors == one.anchors and len(ahead.anchors) > 100
    assert report.findings == one_report.findings
    evidence = [(Path(f.file).resolve(), f.line) for f in report.findings if "not in the essay's text" in f.message]
    assert evidence == wrong  # in the essays' order, at their own lines
    assert sum("many" in f.message for f in report.findings) == 2  # the ill-typed literals


def test_a_process_that_dies_costs_only_time(corpus, monkeypatch) -> None:  # noqa: ANN001
    root, wrong = corpus
    config = load_config(root)
    _one, one_report = _in_one_process(monkeypatch, config)
    parent = os.getpid()
    real = files._enrich_curated

    def dying(*args):  # noqa: ANN002, ANN202
        if os.getpid() != parent:
            os._exit(1)  # the forked process ends without a word
        return real(*args)
    monkeypatch.setattr(files, "_enrich_curated", dying)
    made = _forks(monkeypatch)
    report = validate_sources(config, [])
    assert made == ["dying"]
    assert report.findings == one_report.findings
    # the essays parsed here: each ill-typed literal found once, not once by the parser and once more
    # as the process's answer
    assert sum("ill-typed" in x[2] for x in prepare_corpus(config).extra) == 2


def test_from_enrich_ahead_min_essays_on_they_are_enriched_by_the_process(corpus, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    root, _wrong = corpus
    small = tmp_path / "small"
    shutil.copytree(root, small, symlinks=True)
    shutil.rmtree(small / "data" / "essays" / f"essay-{ESSAYS - 1:05d}")  # ENRICH_AHEAD_MIN essays left
    made = _forks(monkeypatch)
    here = _enriched_here(monkeypatch)
    assert len(prepare_corpus(load_config(small)).parts) == ENRICH_AHEAD_MIN
    assert made == ["_enrich_curated"] and here == []
    shutil.rmtree(small / "data" / "essays" / f"essay-{ESSAYS - 2:05d}")  # one fewer: all enriched here
    assert len(prepare_corpus(load_config(small)).parts) == ENRICH_AHEAD_MIN - 1
    assert made == ["_enrich_curated"] and len(here) == ENRICH_AHEAD_MIN - 1


def test_on_one_core_they_are_enriched_here(corpus, monkeypatch) -> None:  # noqa: ANN001
    root, _wrong = corpus
    monkeypatch.setattr(files, "forkable", lambda: False)  # no fork, or a single core
    made = _forks(monkeypatch)
    here = _enriched_here(monkeypatch)
    assert len(prepare_corpus(load_config(root)).parts) == ESSAYS
    assert made == [] and len(here) == ESSAYS


def test_with_the_process_this_one_parses_no_essay(corpus, monkeypatch) -> None:  # noqa: ANN001
    """The essays are parsed where they are enriched (``load_sources(lazy=True)``): in the forked
    process, so this one parses only the ontology; their ill-typed literals come back with them."""
    import kg.sources as sources

    root, _wrong = corpus
    parsed = []
    real = sources.parse_files

    def counted(paths, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        parsed.extend(Path(p).parent.name for p in paths)
        return real(paths, *args, **kwargs)
    monkeypatch.setattr(sources, "parse_files", counted)
    prepared = prepare_corpus(load_config(root))
    assert parsed and not any(name.startswith("essay-") for name in parsed)
    assert sum("many" in str(x) for x in prepared.extra) == 2  # the two ill-typed literals, from the process


def test_a_file_that_does_not_parse_is_reported_at_its_place(corpus, tmp_path) -> None:  # noqa: ANN001
    root, _wrong = corpus
    broken = tmp_path / "broken"
    shutil.copytree(root, broken, symlinks=True)
    essay = broken / "data" / "essays" / "essay-00004" / "works.ttl"
    lines = essay.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.rstrip().endswith(" ."))
    lines[at] = lines[at].rstrip()[:-1] + " ]\n"  # a bracket that closes nothing
    essay.write_text("".join(lines), encoding="utf-8")
    report = validate_sources(load_config(broken), [])
    assert [(Path(f.file).resolve(), f.line) for f in report.findings] == [(essay.resolve(), at + 1)]
