"""A corpus's essays enriched by two processes (``kg.incremental.EnrichedAhead``): the later half of
the essays to make by a forked process, the same triples, term for term and in the same order, as
one process makes; the same evidence problems in the same order; the same error when an essay cannot
be read; the same result when the process dies."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from kg import incremental
from kg.cache import Cache
from kg.config import load_config
from kg.incremental import ontology_key
from kg.errors import EvidenceError, KgError
from kg.later import Later
from kg.pipeline import compile_dataset
from kg.sources import load_sources

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from corpus import generate, triples_for  # noqa: E402

ESSAYS = 5


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ahead") / "project"
    assert generate(root, triples_for(ESSAYS), seed=3, link=False) == ESSAYS
    return root


@pytest.fixture
def project(corpus: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(corpus, root, symlinks=True)
    return root


def exact(triples) -> list:  # noqa: ANN001
    """Each term as its type and every part of it that a dump writes (rdflib's equality ignores the
    case of a language tag)."""
    return [tuple((type(t).__name__, str(t), getattr(t, "language", None), str(getattr(t, "datatype", None)))
                  for t in triple) for triple in triples]


def enrich(root: Path, fork_min: int, monkeypatch: pytest.MonkeyPatch, cache: Cache | None = None) -> dict:
    """{essay id: its triples, exactly} of ``compile_dataset``, with ``FORK_ENRICH_MIN = fork_min``."""
    monkeypatch.setattr(incremental, "FORK_ENRICH_MIN", fork_min)
    config = load_config(root)
    dataset = compile_dataset(load_sources(config, lazy=True), config, cache=cache)
    return {essay_id: exact(g) for essay_id, g in dataset.essays.items()}


def forks(monkeypatch: pytest.MonkeyPatch) -> list:
    """The essays each ``Later`` made for the enrichment was given (spied on)."""
    given: list = []
    real = Later.__init__

    def spy(self, fn, *args, **kwargs) -> None:  # noqa: ANN001
        if fn is incremental._enrich_encoded:
            given.append([e.id for e in args[0]])
        real(self, fn, *args, **kwargs)
    monkeypatch.setattr(Later, "__init__", spy)
    return given


def test_the_later_half_is_made_by_a_process_with_the_same_triples(project: Path, monkeypatch) -> None:  # noqa: ANN001
    alone = enrich(project, 10**9, monkeypatch)
    given = forks(monkeypatch)
    both = enrich(project, 2, monkeypatch)
    assert given == [[f"essay-{i:05d}" for i in (2, 3, 4)]]  # 5 to make: the first 2 here, the last 3 there
    assert list(both) == list(alone) == [f"essay-{i:05d}" for i in range(ESSAYS)]
    assert both == alone
    assert all(len(triples) > 1000 for triples in both.values())


def test_below_the_threshold_nothing_is_forked(project: Path, monkeypatch) -> None:  # noqa: ANN001
    given = forks(monkeypatch)
    enrich(project, ESSAYS + 1, monkeypatch)
    assert given == []
    enrich(project, ESSAYS, monkeypatch)
    assert len(given) == 1 and len(given[0]) == ESSAYS - ESSAYS // 2


def test_with_the_cache_the_process_makes_only_what_the_cache_lacks(project: Path, monkeypatch) -> None:  # noqa: ANN001
    alone = enrich(project, 10**9, monkeypatch)
    cache = Cache(project / "cache")
    given = forks(monkeypatch)
    assert enrich(project, 2, monkeypatch, cache) == alone
    assert given == [[f"essay-{i:05d}" for i in (2, 3, 4)]]
    assert (cache.hits.get("enrich", 0), cache.misses["enrich"]) == (0, ESSAYS)
    assert len(list((project / "cache" / "enrich").rglob("*.marshal"))) == ESSAYS  # every entry stored here

    # one essay changed: one to make, below any threshold of 2; the others read back
    essay = project / "data" / "essays" / "essay-00003" / "essay.ttl"
    essay.write_text(essay.read_text(encoding="utf-8").replace('rdfs:label "On the ', 'rdfs:label "Revised: On the ', 1),
                     encoding="utf-8")
    again = Cache(project / "cache")
    changed = enrich(project, 2, monkeypatch, again)
    assert (again.hits["enrich"], again.misses["enrich"]) == (ESSAYS - 1, 1)
    assert len(given) == 1  # no process for one essay
    assert changed == enrich(project, 10**9, monkeypatch)
    assert any("Revised: On the " in term[1] for triple in changed["essay-00003"] for term in triple)

    # only the first essay's entry left: four to make, the later two by the process
    config = load_config(project)
    sources = load_sources(config, lazy=True)
    keys = incremental.EnrichedAhead(sources.essays, None, config, again, ontology_key(sources), {}).keys
    for key in keys[1:]:
        again._path("enrich", key).unlink()
    fourth = Cache(project / "cache")
    assert enrich(project, 2, monkeypatch, fourth) == changed
    assert given[-1] == ["essay-00003", "essay-00004"]
    assert (fourth.hits["enrich"], fourth.misses["enrich"]) == (1, ESSAYS - 1)


def break_evidence(root: Path, essay_id: str) -> None:
    """The essay's first evidence passage made one its text does not hold."""
    essay = root / "data" / "essays" / essay_id / "essay.ttl"
    text = essay.read_text(encoding="utf-8")
    assert 'kgo:evidence "' in text
    essay.write_text(text.replace('kgo:evidence "', 'kgo:evidence "Nowhere in the text: ', 1), encoding="utf-8")


def test_evidence_problems_of_both_halves_in_the_essays_order(project: Path, monkeypatch) -> None:  # noqa: ANN001
    for essay_id in ("essay-00004", "essay-00000", "essay-00003"):
        break_evidence(project, essay_id)
    errors = []
    for fork_min in (10**9, 2):
        with pytest.raises(EvidenceError) as caught:
            enrich(project, fork_min, monkeypatch)
        errors.append(caught.value.problems)
    assert errors[0] == errors[1]
    assert [next(e for e in ("essay-00000", "essay-00003", "essay-00004") if e in p) for p in errors[1]] == [
        "essay-00000", "essay-00003", "essay-00004"]


def test_an_essay_that_cannot_be_read_raises_the_same_error(project: Path, monkeypatch) -> None:  # noqa: ANN001
    works = project / "data" / "essays" / "essay-00004" / "works.ttl"
    works.write_text(works.read_text(encoding="utf-8") + "\n<broken> <turtle\n", encoding="utf-8")
    texts = []
    for fork_min in (10**9, 2):
        with pytest.raises(KgError) as caught:
            enrich(project, fork_min, monkeypatch)
        texts.append(str(caught.value))
    assert texts[0] == texts[1]
    assert "works.ttl" in texts[1]


def test_a_process_that_dies_costs_only_time(project: Path, monkeypatch) -> None:  # noqa: ANN001
    alone = enrich(project, 10**9, monkeypatch)
    parent = os.getpid()
    real = incremental._enrich_encoded
    made_here: list = []

    def dies_there(essays, *args):  # noqa: ANN001, ANN202
        if os.getpid() != parent:
            os._exit(3)
        made_here.append(len(essays))
        return real(essays, *args)
    monkeypatch.setattr(incremental, "_enrich_encoded", dies_there)
    assert enrich(project, 2, monkeypatch) == alone
    assert made_here == [3]


def _drop_capabilities() -> None:  # pragma: no cover - runs in the child, before exec
    """Root without its capabilities: file permissions then apply to it too."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in range(64):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP; past the last capability it fails: fine


def test_an_unreadable_file_in_a_corpus_is_one_line_naming_it(project: Path) -> None:
    """The essays' cache keys read every file of every essay before any is enriched: a file that
    cannot be read is the one-line error of any unreadable source, exit 2 (it was a traceback)."""
    import subprocess

    works = project / "data" / "essays" / "essay-00003" / "works.ttl"
    works.chmod(0)
    try:
        proc = subprocess.run([sys.executable, "-m", "kg", "--root", str(project), "-q", "build"],
                              capture_output=True, text=True, cwd=project.parent, timeout=120,
                              preexec_fn=_drop_capabilities if os.geteuid() == 0 else None)
    finally:
        works.chmod(0o644)
    out = (proc.stdout + proc.stderr).strip().splitlines()
    assert proc.returncode == 2
    assert out == [f"error: {works}: cannot be read (permission denied)"]
