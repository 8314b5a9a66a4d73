"""The shapes are tested both ways: tests/shapes/<ShapeName>/{valid,invalid}/*.ttl, found and
parametrised automatically (as pySHACL runs the W3C manifest). A valid case gives no result from
its shape for its ``# focus:`` node; an invalid case gives, for its focus node, every ``# expect:`` message (a
substring of sh:message), from its shape, located at a line of the case file. A node shape without
cases fails, and so does a case folder without a shape. The shapes graph itself conforms to
SHACL-for-SHACL."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from conftest import ROOT

CASES = Path(__file__).resolve().parent / "shapes"
KGS = "https://w3id.org/arthur-kg/shapes#"


def _shapes() -> Graph:
    g = Graph()
    for f in sorted((ROOT / "shapes").glob("*.ttl")):
        g.parse(f)
    return g


SHAPES = _shapes()
NODE_SHAPES = sorted(str(s)[len(KGS):] for s in SHAPES.subjects(RDF.type, SH.NodeShape) if str(s).startswith(KGS))
CASE_FILES = sorted(CASES.glob("*/*/*.ttl"))


def _owner(shape) -> set[str]:  # noqa: ANN001
    """The named node shapes a result's source shape stands for: the node shape it belongs to and
    any shape it delegates to with sh:node."""
    out = set()
    node = shape
    for _ in range(5):
        parent = SHAPES.value(None, SH.property, node) or SHAPES.value(None, SH.sparql, node)
        if (node, RDF.type, SH.NodeShape) in SHAPES or parent is None:
            break
        node = parent
    out.add(str(node))
    out.update(str(n) for n in SHAPES.objects(shape, SH.node))
    return out


def _header(path: Path, key: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(rf"^# {key}:(.*)$", path.read_text(encoding="utf-8"), re.M)]


def _validate(path: Path):  # noqa: ANN202
    from kg.validation.files import prepare_plain, run

    prepared = prepare_plain([path])
    return prepared, run(prepared, SHAPES)


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda p: "/".join(p.parts[-3:]))
def test_shape_case(case: Path) -> None:
    shape = URIRef(KGS + case.parts[-3])
    kind = case.parts[-2]
    prepared, report = _validate(case)
    rg = report.graph
    mine = [r for r in rg.subjects(RDF.type, SH.ValidationResult) if str(shape) in _owner(rg.value(r, SH.sourceShape))]
    messages = [(rg.value(r, SH.focusNode), str(rg.value(r, SH.resultMessage))) for r in mine]
    focus = prepared.graph.namespace_manager.expand_curie(_header(case, "focus")[0])
    if kind == "valid":
        assert not [m for f, m in messages if f == focus], messages
        return
    assert kind == "invalid", case
    expects = _header(case, "expect")
    assert expects, f"{case}: an invalid case states its expected messages with '# expect: …'"
    for expected in expects:
        assert any(f == focus and expected in m for f, m in messages), (expected, messages)
        located = [f for f in report.findings if f.focus == str(focus) and expected in f.message]
        assert located and all(f.file.endswith(case.name) and f.line > 0 for f in located), (expected, located)


@pytest.mark.parametrize("name", NODE_SHAPES)
def test_every_shape_has_valid_and_invalid_cases(name: str) -> None:
    for kind in ("valid", "invalid"):
        assert list((CASES / name / kind).glob("*.ttl")), f"no {kind} case for kgs:{name} in tests/shapes/{name}/{kind}/"


def test_every_case_folder_names_a_shape() -> None:
    stray = sorted({p.name for p in CASES.iterdir() if p.is_dir()} - set(NODE_SHAPES))
    assert not stray, f"case folders without a shape: {stray}"


def test_every_shape_has_a_message_and_a_label() -> None:
    for name in NODE_SHAPES:
        node = URIRef(KGS + name)
        assert SHAPES.value(node, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) is not None, name
    for shape in set(SHAPES.objects(None, SH.property)) | set(SHAPES.objects(None, SH.sparql)):
        assert SHAPES.value(shape, SH.message) is not None, shape


def test_the_shapes_conform_to_shacl_for_shacl() -> None:
    import pyshacl

    meta = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"  # SHACL-for-SHACL ships with pySHACL
    assert meta.exists(), meta
    conforms, _graph, text = pyshacl.validate(SHAPES, shacl_graph=Graph().parse(meta), inference="none")
    assert conforms, text
