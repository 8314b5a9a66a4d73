"""The extras (pages, maps) rendered while the validation workers work: all or nothing still holds.
The mini project is below the parallel threshold, so validate_partitioned is called here with
min_triples=0 (workers, hence the overlap) as it is for a real corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

import kg.pipeline as pipeline
from kg.config import load_config
from kg.errors import NonConformingError
from kg.validation.partitioned import validate_partitioned


@pytest.fixture
def forced_workers(monkeypatch: pytest.MonkeyPatch) -> list:
    calls: list = []

    def with_workers(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(kwargs.get("meanwhile"))
        return validate_partitioned(*args, min_triples=0, workers=2, **kwargs)

    monkeypatch.setattr(pipeline, "validate_partitioned", with_workers)
    return calls


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_overlapped_build_gives_the_same_bytes(project: Path, tmp_path: Path, forced_workers: list,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(project)
    pipeline.build(config, output=tmp_path / "overlapped")
    assert forced_workers and forced_workers[0] is not None
    monkeypatch.setattr(pipeline, "OVERLAP_MAX_TRIPLES", 0)  # extras after the validation, as before
    pipeline.build(config, output=tmp_path / "sequential")
    assert _tree(tmp_path / "overlapped") == _tree(tmp_path / "sequential")


def _failing_extra(dataset, config):  # noqa: ANN001, ANN202
    raise RuntimeError("an extra failed")


def test_a_failing_extra_is_raised_only_for_conforming_data(project: Path, tmp_path: Path, forced_workers: list,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.publish.extras as extras

    monkeypatch.setattr(extras, "EXTRAS", (_failing_extra,))
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="an extra failed"):
        pipeline.build(load_config(project), output=out)
    assert not out.exists()
    essay = project / "data/essays/mini/essay.ttl"
    essay.write_text(essay.read_text(encoding="utf-8").replace('"1879"^^xsd:gYear', '"eighteen79"', 1),
                     encoding="utf-8")
    with pytest.raises(NonConformingError):  # the report, not the extra's error
        pipeline.build(load_config(project), output=out)
    assert not out.exists()


def test_the_maps_are_drawn_beside_the_pages_before_the_validation_waits(project: Path, tmp_path: Path,
                                                                         forced_workers: list,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pages forked, the other extras (the maps, the ontology's reference) are rendered right
    after the pages' processes start, before the validation plans (which waits for the SPARQL targets'
    answers), and from the union without the description's triples, as before; the bytes are those of
    a build that renders every extra after the validation."""
    import kg.publish as publish
    import kg.publish.extras as extras

    events: list[str] = []
    sizes: list[int] = []

    def logged(extra, name):  # noqa: ANN001, ANN202
        def run(dataset, config, **kw):  # noqa: ANN001, ANN003, ANN202
            events.append(name)
            sizes.append(len(dataset.union))
            return extra(dataset, config, **kw)
        run.cached = getattr(extra, "cached", False)
        return run
    maps, ontodoc, pages = extras.EXTRAS
    monkeypatch.setattr(extras, "EXTRAS", (logged(maps, "maps"), logged(ontodoc, "ontodoc"), pages))
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    validating = pipeline.validate_partitioned

    def validate(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        events.append("validate")
        return validating(*args, **kwargs)
    monkeypatch.setattr(pipeline, "validate_partitioned", validate)
    pipeline.build(load_config(project), output=tmp_path / "early")
    assert events == ["maps", "ontodoc", "validate"]
    monkeypatch.setattr(pipeline, "OVERLAP_MAX_TRIPLES", 0)  # every extra after the validation
    events.clear()
    pipeline.build(load_config(project), output=tmp_path / "late")
    assert events == ["validate", "maps", "ontodoc"] and sizes[0] == sizes[2]  # the same union both times
    assert _tree(tmp_path / "early") == _tree(tmp_path / "late")


def test_a_failing_map_is_raised_only_for_conforming_data_and_leaves_no_page_process(
        project: Path, tmp_path: Path, forced_workers: list, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    import kg.publish as publish
    import kg.publish.extras as extras

    monkeypatch.setattr(publish, "_forkable", lambda: True)
    monkeypatch.setattr(extras, "EXTRAS", (_failing_extra, extras.EXTRAS[-1]))
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="an extra failed"):
        pipeline.build(load_config(project), output=out)
    assert not out.exists() and not multiprocessing.active_children()
    essay = project / "data/essays/mini/essay.ttl"
    essay.write_text(essay.read_text(encoding="utf-8").replace('"1879"^^xsd:gYear', '"eighteen79"', 1),
                     encoding="utf-8")
    with pytest.raises(NonConformingError):
        pipeline.build(load_config(project), output=out)
    assert not out.exists() and not multiprocessing.active_children()


def test_the_parent_validates_its_share_before_it_waits_for_the_pages(project: Path, tmp_path: Path,
                                                                      forced_workers: list,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages' processes forked and the maps drawn, the validation does not stop to wait for the
    pages: the parent validates its own share while they work, and the build collects them after
    (the tail of the essay's build, when one core is idle, is shorter by that share). The bytes are
    those of a build that renders every extra after the validation."""
    import kg.publish as publish
    import kg.validation.partitioned as partitioned

    events: list[str] = []
    monkeypatch.setattr(publish, "_forkable", lambda: True)
    own = partitioned._pyshacl

    def validated(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        events.append("own share")  # the workers' calls are in their own processes: not seen here
        return own(*args, **kwargs)
    collect = pipeline.render_extras

    def collected(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        events.append("pages collected")
        return collect(*args, **kwargs)
    monkeypatch.setattr(partitioned, "_pyshacl", validated)
    monkeypatch.setattr(pipeline, "render_extras", collected)
    pipeline.build(load_config(project), output=tmp_path / "early")
    assert events == ["own share", "pages collected"]
    monkeypatch.setattr(pipeline, "OVERLAP_MAX_TRIPLES", 0)  # every extra after the validation
    pipeline.build(load_config(project), output=tmp_path / "late")
    assert _tree(tmp_path / "early") == _tree(tmp_path / "late")


def test_the_validation_skips_the_call_only_when_it_would_only_wait(project: Path) -> None:
    """``only_waits``: the pages' processes started and the other extras rendered (nothing left but
    to wait); not when the other extras are still to render (the call renders them, beside the
    validation workers), nor when nothing was started, nor after an error."""
    early = pipeline.EarlyExtras(load_config(project), ())
    assert not early.only_waits()  # nothing started
    early.started = object()
    assert not early.only_waits()  # the maps not rendered yet: the call renders them
    early.rendered = {}
    assert early.only_waits()
    early.error = RuntimeError("an extra failed")
    assert not early.only_waits()
