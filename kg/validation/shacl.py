"""Pure: validate a data graph with pySHACL and return a ``Report`` value; printing is elsewhere."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.namespaces import SH

SEVERITIES = ("violation", "warning", "info")
_SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass(frozen=True)
class Finding:
    severity: str
    focus: str
    focus_label: str
    path: str
    value: str
    message: str
    shape: str
    component: str

    def line(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: <{self.focus}> “{self.focus_label}”{where}: {self.message}{value}"


@dataclass(frozen=True)
class Report:
    conforms: bool
    findings: tuple[Finding, ...]
    graph: Graph = field(repr=False, compare=False)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def at_or_above(self, threshold: str) -> tuple[Finding, ...]:
        keep = SEVERITIES[: SEVERITIES.index(threshold) + 1]
        return tuple(f for f in self.findings if f.severity in keep)

    def text(self) -> str:
        """Human-readable report grouped by focus node, then by message."""
        if not self.findings:
            return "Conforms: no findings.\n"
        groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for f in self.findings:
            groups[(f.focus, f.focus_label)].append(f)
        lines = [f"{len(self.findings)} findings ({self.count('violation')} violations, "
                 f"{self.count('warning')} warnings, {self.count('info')} info)", ""]
        for (focus, label), items in sorted(groups.items()):
            lines.append(f"<{focus}> “{label}”")
            for f in sorted(items, key=lambda f: (SEVERITIES.index(f.severity), f.message, f.path, f.value, f.shape)):
                where = f" [{f.path}]" if f.path else ""
                value = f" (value: {f.value})" if f.value else ""
                lines.append(f"  {f.severity}{where}: {f.message}{value}")
            lines.append("")
        return "\n".join(lines)


def _short(graph: Graph, term) -> str:  # noqa: ANN001
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:  # noqa: BLE001 - any IRI that cannot be shortened is shown whole
            return str(term)
    if isinstance(term, BNode):
        return "(blank node)"
    return str(term)


def label_of(graph: Graph, node) -> str:  # noqa: ANN001
    for p in (RDFS.label, SKOS.prefLabel):
        for o in graph.objects(node, p):
            if isinstance(o, Literal):
                return str(o)
    return ""


def _findings(report: Graph, data: Graph) -> tuple[Finding, ...]:
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        out.append(Finding(
            severity=_SEVERITY.get(report.value(r, SH.resultSeverity), "violation"),
            focus=str(focus) if not isinstance(focus, BNode) else "(blank node)",
            focus_label=label_of(data, focus) if focus is not None else "",
            path=_short(data, report.value(r, SH.resultPath)) if isinstance(report.value(r, SH.resultPath), URIRef) else "",
            value=_short(data, report.value(r, SH.value)),
            message=str(report.value(r, SH.resultMessage) or "does not conform"),
            shape=str(report.value(r, SH.sourceShape) or ""),
            component=_short(data, report.value(r, SH.sourceConstraintComponent)),
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
    findings = _findings(report, data)
    conforms = not any(f.severity == "violation" for f in findings)
    return Report(conforms=conforms, findings=findings, graph=report)
