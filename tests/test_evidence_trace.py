"""``kg validate`` of a corpus traces each anchor to the evidence statement it anchors, with the
statements of every essay found in one pass over the index (``kg.validation.files._evidence_by_essay``)
instead of one pass per essay: the same statements, the same anchors traced, the same findings."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from kg.config import load_config
from kg.namespaces import KGO
from kg.sources import load_sources
from kg.validation.files import _evidence_by_essay, _norm, prepare_corpus, validate_sources

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from corpus import generate, triples_for  # noqa: E402

ESSAYS = 4


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("trace") / "project"
    assert generate(root, triples_for(ESSAYS), seed=5, link=False) == ESSAYS
    return root


def traced_one_pass_per_essay(prepared, essays, enriched: dict) -> dict:  # noqa: ANN001
    """The anchors traced as the code before did it: for each essay, a pass over every statement."""
    from kg.namespaces import OA

    out: dict = {}
    for essay in essays:
        by_subject: dict = {}
        for st in prepared.index.all_statements():
            if st.predicate in (KGO.evidence, KGO.mention) and st.at.path in essay.files:
                by_subject.setdefault(st.subject, []).append(st)
        anchors, exact = [], {}
        for s, p, o in enriched[essay.id]:
            if p in (KGO.evidencedAt, KGO.mentionedAt):
                anchors.append((s, o))
            elif p == OA.exact:
                exact.setdefault(s, o)
        for s, anchor in anchors:
            quote = exact.get(type(anchor)(f"{anchor}/quote"))
            for st in by_subject.get(s, ()):
                if quote is not None and _norm(str(st.object)) == _norm(str(quote)):
                    out.setdefault(anchor, st)
                    break
    return out


def test_each_essays_evidence_is_its_own_files_in_the_index_order(corpus: Path) -> None:
    config = load_config(corpus)
    sources = load_sources(config, data_only=True)
    prepared = prepare_corpus(config)
    found = _evidence_by_essay(prepared, sources.essays)
    every = [st for st in prepared.index.all_statements() if st.predicate in (KGO.evidence, KGO.mention)]
    assert list(found) == [f"essay-{i:05d}" for i in range(ESSAYS)]
    for essay in sources.essays:
        assert found[essay.id] == [st for st in every if st.at.path in essay.files]
        assert len(found[essay.id]) > 20
    assert sum(map(len, found.values())) == len(every)


def test_the_anchors_traced_are_those_of_a_pass_per_essay(corpus: Path, monkeypatch) -> None:  # noqa: ANN001
    from kg import enrich as enrich_module  # prepare_corpus imports enrich_triples from it when it runs

    enriched: dict = {}
    real_enrich = enrich_module.enrich_triples

    def keep(essay, *args, **kwargs):  # noqa: ANN001, ANN202
        out = real_enrich(essay, *args, **kwargs)
        enriched[essay.id] = list(out)
        return out
    monkeypatch.setattr(enrich_module, "enrich_triples", keep)
    config = load_config(corpus)
    prepared = prepare_corpus(config)
    sources = load_sources(config, data_only=True)
    expected = traced_one_pass_per_essay(prepared, sources.essays, enriched)
    assert len(expected) > 100
    assert prepared.anchors == expected
    for anchor, st in prepared.anchors.items():  # each anchor's statement is in its own essay's files
        essay = next(e for e in sources.essays if f"/{e.id}/" in str(anchor) or str(anchor).endswith(f"/{e.id}"))
        assert st.at.path in essay.files


def test_a_passage_not_in_the_text_is_reported_at_its_own_essays_line(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(corpus, root, symlinks=True)
    essay = root / "data" / "essays" / "essay-00002" / "essay.ttl"
    lines = essay.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if 'kgo:evidence "' in line)
    lines[at] = lines[at].replace('kgo:evidence "', 'kgo:evidence "Nowhere in the text: ', 1)
    essay.write_text("".join(lines), encoding="utf-8")
    report = validate_sources(load_config(root), [])
    evidence = [f for f in report.findings if "not in the essay's text" in f.message]
    assert [(Path(f.file).resolve(), f.line) for f in evidence] == [(essay.resolve(), at + 1)]
