"""Pure: a located validation report as text for people and for CI systems. Each renderer takes
the report and the --fail-on threshold and returns a string; the CLI prints it."""
from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import quoteattr

from rdflib import Graph

from kg.canonical import to_canonical_graph
from kg.validation.report import Finding, Report
from kg.jsontext import dumps as json_text

FORMATS = ("text", "json", "junit", "github", "sarif", "turtle")


def _summary(report: Report) -> str:
    n = len(report.findings)
    files = len(report.files)
    if report.errors:
        return f"{files} file(s) read: {len(report.errors)} could not be parsed, nothing was validated."
    if not n:
        return f"{files} file(s) validated: conforms, no findings."
    return (f"{files} file(s) validated: {n} finding(s): {report.count('violation')} violation(s), "
            f"{report.count('warning')} warning(s), {report.count('info')} info.")


def _details(f: Finding) -> list[str]:
    lines = []
    focus = f"<{f.focus}>" if f.focus.startswith(("http", "file:")) else f.focus
    if f.severity == "error":
        return [f"    {f.line:>5} | {f.source_line}"] if f.source_line else []
    lines.append(f"    focus: {focus}" + (f" “{f.focus_label}”" if f.focus_label else "")
                 + (f"  path: {f.path}" if f.path else ""))
    if f.source_line:
        lines.append(f"    {f.line:>5} | {f.source_line}")
    extra = []
    if f.value:
        extra.append(f"found: {f.value}")
    if f.expected:
        extra.append(f"expected: {f.expected}")
    if extra:
        lines.append("    " + "; ".join(extra))
    return lines


def text(report: Report, fail_on: str = "violation") -> str:
    """Compiler style, grouped by file: ``file:line:col: severity: message [shape]``."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_file[f.file].append(f)
    out = []
    for name in sorted(by_file, key=lambda n: (n == "", n)):
        out.append(f"{name or '(findings without a place in the sources)'}")
        for f in by_file[name]:
            out.append(f"{f.where()}: {f.severity}: {f.message}" + (f" [{f.shape}]" if f.severity != "error" else ""))
            out.extend(_details(f))
        out.append("")
    out.append(_summary(report))
    return "\n".join(out) + "\n"


def as_json(report: Report, fail_on: str = "violation") -> str:
    doc = {
        "conforms": report.conforms,
        "fail_on": fail_on,
        "failed": bool(report.at_or_above(fail_on)),
        "counts": {s: report.count(s) for s in ("error", "violation", "warning", "info")},
        "files": list(report.files),
        "findings": [f.__dict__ for f in report.findings],  # the fields in their declared order
    }
    return json_text(doc) + "\n"


def junit(report: Report, fail_on: str = "violation") -> str:
    """JUnit XML: a test suite per file, a test case per finding (a failure at or above
    --fail-on); a file without findings is one passing test case."""
    failing = set(map(id, report.at_or_above(fail_on)))
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_file[f.file or "(no source)"].append(f)
    for name in report.files:
        by_file.setdefault(name, [])
    suites = []
    total = sum(max(1, len(v)) for v in by_file.values())
    for name in sorted(by_file):
        items = by_file[name]
        cases = []
        for f in items:
            case_name = f"{f.line}:{f.column} {f.focus_label or f.focus} {f.path}".strip()
            body = "\n".join([f"{f.where()}: {f.severity}: {f.message}", *_details(f)])
            tag = "failure" if id(f) in failing else "system-out"
            inner = (f"<failure message={quoteattr(f.message)} type={quoteattr(f.severity)}>{_esc(body)}</failure>"
                     if tag == "failure" else f"<system-out>{_esc(body)}</system-out>")
            cases.append(f'    <testcase classname={quoteattr(name)} name={quoteattr(case_name)} '
                         f'file={quoteattr(f.file)} line="{f.line}">{inner}</testcase>')
        if not items:
            cases.append(f'    <testcase classname={quoteattr(name)} name="conforms" file={quoteattr(name)}/>')
        fails = sum(1 for f in items if id(f) in failing)
        suites.append(f'  <testsuite name={quoteattr(name)} tests="{max(1, len(items))}" failures="{fails}" errors="0">\n'
                      + "\n".join(cases) + "\n  </testsuite>")
    nfail = len(failing)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="kg validate" tests="{total}" failures="{nfail}" errors="0">\n'
            + "\n".join(suites) + "\n</testsuites>\n")


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def _one_line(f: Finding) -> str:
    """A finding in one line, for an annotation: the message, who (and which path), found, expected."""
    text = f.message
    who = f.focus_label or f.focus
    if who and f.severity != "error":
        text += f" — {who}" + (f" {f.path}" if f.path else "")
    if f.value:
        text += f"; found: {f.value}"
    if f.expected:
        text += f"; expected: {f.expected}"
    return text


def github(report: Report, fail_on: str = "violation") -> str:
    """GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding."""
    level = {"error": "error", "violation": "error", "warning": "warning", "info": "notice"}
    out = []
    for f in report.findings:
        props = []
        if f.file:
            props += [f"file={_gh_prop(f.file)}", f"line={f.line}", f"col={f.column}"]
        props.append(f"title={_gh_prop(f'{f.shape} ({f.severity})')}")
        out.append(f"::{level[f.severity]} {','.join(props)}::{_gh_data(_one_line(f))}")
    out.append(_summary(report))
    return "\n".join(out) + "\n"


SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "violation": "error", "warning": "warning", "info": "note"}


def _artifact(name: str) -> dict:
    from pathlib import Path, PurePath

    path = Path(name)
    return {"uri": path.as_uri()} if path.is_absolute() else {"uri": PurePath(name).as_posix(), "uriBaseId": "%SRCROOT%"}


def sarif(report: Report, fail_on: str = "violation") -> str:
    """SARIF 2.1.0 (GitHub code scanning, other static-analysis viewers): a rule per shape (and one
    for Turtle syntax errors), a result per finding with its file, line, column and source line."""
    from kg.version import __version__

    rules: dict[str, int] = {}
    descriptions: dict[str, str] = {}
    results = []
    for f in report.findings:
        rule = "TurtleSyntax" if f.severity == "error" else (f.shape or f.component or "shape")
        if rule not in rules:
            rules[rule] = len(rules)
            descriptions[rule] = ("The file is not valid Turtle." if f.severity == "error"
                                  else f"SHACL shape {rule}")
        result: dict = {"ruleId": rule, "ruleIndex": rules[rule], "level": _SARIF_LEVEL[f.severity],
                        "message": {"text": _one_line(f)}}
        if f.file:
            region: dict = {"startLine": max(1, f.line), "startColumn": max(1, f.column)}
            if f.source_line:
                region["snippet"] = {"text": f.source_line}
            result["locations"] = [{"physicalLocation": {"artifactLocation": _artifact(f.file), "region": region}}]
        if f.focus and f.severity != "error":
            result["properties"] = {"focusNode": f.focus, "severity": f.severity, "component": f.component}
        results.append(result)
    driver = {"name": "kg validate", "version": __version__, "semanticVersion": __version__,
              "informationUri": "https://w3id.org/arthur-kg/",
              "rules": [{"id": r, "shortDescription": {"text": descriptions[r]}} for r in rules]}
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": driver}, "results": results,
                     "invocations": [{"executionSuccessful": not report.errors}],
                     "artifacts": [{"location": _artifact(name)} for name in report.files]}]}
    return json_text(doc) + "\n"


def turtle(report: Report, fail_on: str = "violation") -> str:
    """The standard SHACL validation report (sh:ValidationReport), canonical blank nodes."""
    g = Graph()
    for t in to_canonical_graph(report.graph):
        g.add(t)
    g.bind("sh", "http://www.w3.org/ns/shacl#")
    for prefix, ns in report.graph.namespaces():
        g.bind(prefix, ns, override=False)
    return g.serialize(format="turtle")


RENDER = {"text": text, "json": as_json, "junit": junit, "github": github, "sarif": sarif, "turtle": turtle}


def render(report: Report, fmt: str, fail_on: str = "violation") -> str:
    return RENDER[fmt](report, fail_on)
