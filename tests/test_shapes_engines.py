"""Our shapes on a second SHACL engine (issue 13, item 8): pyrudof (rudof's native engine, SHACL
Core only) and pySHACL (SHACL Core, SHACL-SPARQL and SHACL-AF) validate the same data with
shapes/shapes.ttl, and every difference between their results is explained:

- a shape marked ``dcterms:requires`` a SHACL-AF or SHACL-SPARQL feature (its SPARQL target,
  its SPARQL constraint) is not run by an engine without them; so a pySHACL finding of such a shape is
  missing from pyrudof's results exactly when its focus node is not among the focus nodes of the
  shape's core targets (``kgs:WorkShape`` has core class targets for every typed work; its SPARQL target
  adds works typed ``schema:CreativeWork`` only);
- nothing else: same focus node, path, constraint component and severity, and pyrudof finds nothing
  pySHACL does not.

The data: every invalid case of tests/shapes/ (every constraint fires somewhere) and the real essay's
published dump."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from conftest import ROOT

SHAPES_TEXT = (ROOT / "shapes" / "shapes.ttl").read_text(encoding="utf-8")
SHAPES = Graph().parse(data=SHAPES_TEXT, format="turtle")
CASES = sorted((Path(__file__).resolve().parent / "shapes").glob("*/invalid/*.ttl"))  # where shapes fire
AF_FEATURES = {URIRef("https://www.w3.org/TR/shacl-af/#SPARQLTarget"),
               URIRef("https://www.w3.org/TR/shacl/#sparql-constraints")}


def _path(graph: Graph, path) -> str:  # noqa: ANN001
    """A result path as pyrudof writes it: an IRI, or ``^(IRI)`` for an inverse path."""
    if isinstance(path, BNode):
        inverse = graph.value(path, SH.inversePath)
        return f"^({inverse})" if inverse is not None else f"complex path {path}"
    return str(path)


def pyshacl_results(data: Graph) -> dict[tuple, URIRef]:
    """(focus, path, component, severity) -> the named node shape of each top-level pySHACL result."""
    from kg.validation.shacl import validate_graph
    from kg.validation.files import _node_shape

    rg = validate_graph(data, SHAPES).graph
    nested = set(rg.objects(None, SH.detail))
    out = {}
    for r in rg.subjects(RDF.type, SH.ValidationResult):
        if r in nested:
            continue
        key = (str(rg.value(r, SH.focusNode)), _path(rg, rg.value(r, SH.resultPath)),
               str(rg.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
               str(rg.value(r, SH.resultSeverity)).rsplit("#", 1)[-1])
        out[key] = _node_shape(SHAPES, rg.value(r, SH.sourceShape))
    return out


def pyrudof_results(data_text: str) -> set[tuple]:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data_text, pyrudof.RDFFormat.Turtle)  # inline text: nothing is fetched
    rudof.read_shacl(SHAPES_TEXT, pyrudof.ShaclFormat.Turtle)
    report = rudof.validate_shacl(pyrudof.ShaclValidationMode.Native)
    return {(str(e.focus_node), str(e.path), str(e.constraint_component).rsplit("#", 1)[-1], str(e.severity))
            for e in report}


def core_focus(data: Graph, shape: URIRef) -> set[str]:
    """The focus nodes of ``shape``'s core targets alone (its SPARQL targets left out)."""
    from kg.validation.partitioned import focus_nodes

    core = Graph()
    for t in SHAPES.triples((shape, None, None)):
        if t[1] != SH.target:
            core.add(t)
    return {str(n) for n in focus_nodes(data, core, shape, lambda: None) or ()}


def needs_af(shape: URIRef) -> bool:
    return bool(set(SHAPES.objects(shape, DCTERMS.requires)) & AF_FEATURES)


def explain(data: Graph, data_text: str) -> tuple[set, set, set]:
    """(pySHACL's results, the missing ones that are explained, the unexplained differences)."""
    ours = pyshacl_results(data)
    theirs = pyrudof_results(data_text)
    explained, unexplained = set(), set(theirs - set(ours))
    for key in set(ours) - theirs:
        shape = ours[key]
        if needs_af(shape) and key[0] not in core_focus(data, shape):
            explained.add(key)
        else:
            unexplained.add(key)
    return set(ours), explained, unexplained


def test_every_shape_that_uses_sparql_is_marked_and_no_other() -> None:
    uses = {s for s in SHAPES.subjects(SH.target, None)} | {s for s in SHAPES.subjects(SH.sparql, None)}
    marked = {s for s in SHAPES.subjects(DCTERMS.requires, None) if needs_af(s)}
    assert uses == marked
    assert {str(s).rsplit("#", 1)[-1] for s in marked} == {
        "NoBlankNodesShape", "DanglingReferenceShape", "BroaderCycleShape", "AnchorTextShape", "WorkShape"}


@pytest.mark.parametrize("case", CASES, ids=lambda p: "/".join(p.parts[-3:]))
def test_pyrudof_differs_from_pyshacl_only_where_shacl_af_is_needed(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    _ours, _explained, unexplained = explain(Graph().parse(data=text, format="turtle"), text)
    assert unexplained == set()


def test_on_the_published_dump(real_build: Path) -> None:
    text = (real_build / "dataset.ttl").read_text(encoding="utf-8")
    data = Graph().parse(data=text, format="turtle")
    ours, explained, unexplained = explain(data, text)
    assert unexplained == set()
    # pyrudof used to report 7 of pySHACL's 12 warnings here: the five works without a creator were
    # reached only by WorkShape's SPARQL target; its core class targets reach them now
    assert explained == set()
    assert {k[3] for k in ours} == {"Warning"}
    assert {k[0].rsplit("/", 1)[-1] for k in ours if k[1] == str(DCTERMS.creator)} >= {
        "new-international", "new-left-review", "peking-review"}
