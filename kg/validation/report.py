"""Pure: the one report model of every validation, the build's and ``kg validate``'s.

A ``Finding`` is what pySHACL reports about one focus node (severity, message, focus, path, value,
shape, component); ``kg validate`` fills in what is expected and where the finding is written
(file, line, column, the source line), and adds the severity ``error`` for a file that could not be
read at all. A ``Report`` is the findings with the SHACL validation report graph; the build prints
``Report.text()`` (validation-report.txt), ``kg.validation.formats`` renders the others.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef

from kg.namespaces import SH

SEVERITIES = ("violation", "warning", "info")
#: pySHACL's severity IRIs and ours, both ways.
SEVERITY_OF = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
SEVERITY_IRI = {v: k for k, v in SEVERITY_OF.items()}


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One finding; the place fields are "" and 0 where no source is known (the build's findings)."""

    severity: str  # violation, warning, info; error: a file that could not be read (kg validate)
    message: str
    focus: str
    focus_label: str = ""
    path: str = ""
    value: str = ""
    expected: str = ""
    shape: str = ""
    component: str = ""
    file: str = ""  # relative to the working folder when inside it
    line: int = 0
    column: int = 0
    source_line: str = ""

    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}" if self.file else "(no source)"


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    graph: Graph = field(repr=False, compare=False)  # the SHACL validation report
    files: tuple[str, ...] = ()  # kg validate: every file validated, as findings show it

    @property
    def conforms(self) -> bool:
        return not any(f.severity in ("error", "violation") for f in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """What kept the files from being validated at all (a syntax error): exit 2."""
        return tuple(f for f in self.findings if f.severity == "error")

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def at_or_above(self, threshold: str) -> tuple[Finding, ...]:
        keep = ("error",) + SEVERITIES[: SEVERITIES.index(threshold) + 1]
        return tuple(f for f in self.findings if f.severity in keep)

    def text(self) -> str:
        """The build's report (validation-report.txt): grouped by focus node, then by message."""
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


def short(graph: Graph, term, turtle: bool = False) -> str:  # noqa: ANN001
    """A term as findings show it: an IRI by its prefixed name where ``graph`` has a prefix for it, a
    blank node as "(blank node)", a literal as its text; with ``turtle`` (kg validate), a literal and
    an IRI that cannot be shortened as Turtle writes them (quotes, language, datatype; ``<…>``)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:  # noqa: BLE001 - any IRI that cannot be shortened is shown whole
            return f"<{term}>" if turtle else str(term)
    if isinstance(term, BNode):
        return "(blank node)"
    if turtle and isinstance(term, Literal):
        return term.n3(graph.namespace_manager)
    return str(term)
