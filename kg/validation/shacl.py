"""Pure: validate a data graph with pySHACL and return a ``Report`` value (``kg.validation.report``);
printing is elsewhere."""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.namespaces import SH
from kg.terms import pick
from kg.validation.report import SEVERITIES, SEVERITY_OF, Finding, Report, short


def label_of(graph: Graph, node) -> str:  # noqa: ANN001
    """The label a finding names its focus node by: its ``rdfs:label``, else its ``skos:prefLabel``,
    the value ``kg.terms.pick`` shows of several (English first, then by text: the same on every
    run, where the first value rdflib yields depended on the hash seed); "" without one."""
    for p in (RDFS.label, SKOS.prefLabel):
        value = pick(o for o in graph.objects(node, p) if isinstance(o, Literal))
        if value is not None:
            return str(value)
    return ""


def _findings(report: Graph, data: Graph) -> tuple[Finding, ...]:
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        out.append(Finding(
            severity=SEVERITY_OF.get(report.value(r, SH.resultSeverity), "violation"),
            focus=str(focus) if not isinstance(focus, BNode) else "(blank node)",
            focus_label=label_of(data, focus) if focus is not None else "",
            path=short(data, report.value(r, SH.resultPath)) if isinstance(report.value(r, SH.resultPath), URIRef) else "",
            value=short(data, report.value(r, SH.value)),
            message=str(report.value(r, SH.resultMessage) or "does not conform"),
            shape=str(report.value(r, SH.sourceShape) or ""),
            component=short(data, report.value(r, SH.sourceConstraintComponent)),
        ))
    return tuple(sorted(out, key=lambda f: (SEVERITIES.index(f.severity), f.focus, f.path, f.message, f.value, f.shape, f.component)))


def validate_graph(data: Graph, shapes: Graph) -> Report:
    """Validate ``data`` (already enriched: no inference is done) against ``shapes``."""
    import pyshacl  # imported here: it is slow to import and only this stage needs it

    from kg.shapes_policy import check_shapes

    check_shapes(shapes)  # shapes may only read the data graph: no SERVICE, no update
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
        abort_on_first=False, meta_shacl=False,
    )
    return report_from(report, data)


def report_from(report: Graph, data: Graph) -> Report:
    """The ``Report`` of a pySHACL results graph (also used by kg.validation.partitioned)."""
    return Report(_findings(report, data), report)
