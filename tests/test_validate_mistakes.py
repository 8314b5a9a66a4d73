"""Acceptance of `kg validate` (issue 7): ten kinds of mistake, each reported at the right file and
line, in every output format, with the right exit code; plus the exit codes of what cannot be
validated at all."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import main

ESSAY = "data/essays/mini/essay.ttl"


class Mistake:
    def __init__(self, old: str, new: str, line_has: str, message: str, severity: str = "violation") -> None:
        self.old, self.new, self.line_has, self.message, self.severity = old, new, line_has, message, severity


MISTAKES = {
    "wrong datatype": Mistake('"1879"^^xsd:gYear', '"eighteen79"', 'schema:birthDate "eighteen79"',
                              "schema:birthDate is one xsd:gYear"),
    "missing label": Mistake('    rdfs:label "Leon Trotsky"@en ;\n', "", "person:leon-trotsky a schema:Person",
                             "Every resource needs an rdfs:label"),
    "two English labels": Mistake('rdfs:label "state"@en ;', 'rdfs:label "state"@en , "the state"@en ;',
                                  'rdfs:label "state"@en , "the state"@en', "exactly one English (@en) rdfs:label"),
    "broken Wikidata IRI": Mistake("<http://www.wikidata.org/entity/Q33391>", "<https://www.wikidata.org/wiki/Q33391>",
                                   "owl:sameAs <https://www.wikidata.org/wiki/Q33391>",
                                   "owl:sameAs must be a Wikidata entity IRI"),
    "evidence not in the text": Mistake('kgo:evidence "has still not been superseded"',
                                        'kgo:evidence "has been superseded at last"',
                                        'kgo:evidence "has been superseded at last"', "is not in the essay's text"),
    "quotation without speaker": Mistake("    schema:creator person:leon-trotsky ;\n    schema:isBasedOn", "    schema:isBasedOn",
                                         "quotation:pupa a schema:Quotation", "A quotation needs its speaker"),
    "claim without holder": Mistake("    schema:author person:c-j-arthur ;\n", "", "claim:still-not-superseded a schema:Claim",
                                    "A claim needs its holder"),
    "claim about nothing": Mistake("    schema:appearance essay:mini ;\n    schema:about concept:workers-state ;\n",
                                   "    schema:appearance essay:mini ;\n", "claim:still-not-superseded a schema:Claim",
                                   "A claim needs schema:about"),
    "skos:broader cycle": Mistake('skos:definition "The complex of coercive institutions."@en ;',
                                  'skos:definition "The complex of coercive institutions."@en ;\n'
                                  "    skos:broader concept:workers-state ;",
                                  "skos:broader concept:workers-state", "the hierarchy has a cycle"),
    "dangling reference": Mistake("kgo:conceptOf person:leon-trotsky", "kgo:conceptOf person:leon-trotzky",
                                  "kgo:conceptOf person:leon-trotzky", "is not described anywhere in the graph"),
    "blank node": Mistake('    schema:name "Leon Trotsky" ;\n',
                          '    schema:name "Leon Trotsky" ;\n    schema:deathPlace [ schema:name "Coyoacán" ] ;\n',
                          'schema:deathPlace [ schema:name "Coyoacán" ]', "Links to a blank node", "warning"),
}
FORMATS = ("text", "json", "junit", "github", "turtle")


def _break(project: Path, m: Mistake) -> int:
    """Make the mistake; return the line it is expected at."""
    path = project / ESSAY
    text = path.read_text(encoding="utf-8")
    assert text.count(m.old) == 1, m.old
    text = text.replace(m.old, m.new)
    path.write_text(text, encoding="utf-8")
    lines = [n for n, line in enumerate(text.splitlines(), 1) if m.line_has in line]
    assert len(lines) == 1, m.line_has
    return lines[0]


def _run(project: Path, *args: str):  # noqa: ANN202
    return CliRunner().invoke(main, ["--root", str(project), "-q", "validate", *args])


def test_the_mini_project_conforms(project: Path) -> None:
    result = _run(project)
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_mistake_is_reported_at_its_line(project: Path, name: str, fmt: str) -> None:
    m = MISTAKES[name]
    line = _break(project, m)
    result = _run(project, "--format", fmt)
    out = result.output
    # violations fail by default; a blank node in curated data is a warning (the build skolemises it)
    assert result.exit_code == (1 if m.severity == "violation" else 0), out
    if fmt == "text":
        hits = [x for x in out.splitlines() if f"essay.ttl:{line}:" in x and m.message in x]
        assert hits and all(f": {m.severity}: " in h for h in hits), out
    elif fmt == "json":
        doc = json.loads(out)
        hits = [f for f in doc["findings"] if f["line"] == line and m.message in f["message"]]
        assert hits and hits[0]["file"].endswith(ESSAY) and hits[0]["severity"] == m.severity, out
        assert m.line_has in hits[0]["source_line"]
        assert doc["conforms"] is (m.severity != "violation")
    elif fmt == "junit":
        root = ET.fromstring(out)
        cases = [c for c in root.iter("testcase") if c.get("line") == str(line) and c.get("file", "").endswith(ESSAY)
                 and m.message in ET.tostring(c, encoding="unicode")]
        assert cases, out
        assert (cases[0].find("failure") is not None) is (m.severity == "violation")
    elif fmt == "github":
        level = "error" if m.severity == "violation" else "warning"
        hits = [x for x in out.splitlines() if x.startswith(f"::{level} ") and f"essay.ttl,line={line}," in x
                and m.message.replace(",", "%2C") in x.split("::", 2)[2]]
        assert hits, out
    else:
        g = rdflib.Graph().parse(data=out, format="turtle")
        sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
        assert any(m.message in str(msg) for msg in g.objects(None, sh.resultMessage)), out
        conforms = g.value(next(g.subjects(rdflib.RDF.type, sh.ValidationReport)), sh.conforms)
        assert conforms.toPython() is (m.severity != "violation")


def test_fail_on_sets_the_threshold(project: Path) -> None:
    _break(project, MISTAKES["blank node"])
    assert _run(project).exit_code == 0
    assert _run(project, "--fail-on", "warning").exit_code == 1
    assert _run(project, "--fail-on", "info").exit_code == 1


def test_what_cannot_be_validated_exits_2(project: Path) -> None:
    path = project / ESSAY
    path.write_text(path.read_text().replace('schema:name "Leon Trotsky" ;', 'schema:name "Leon Trotsky ;'))
    result = _run(project)
    assert result.exit_code == 2 and "essay.ttl:" in result.output
    assert _run(project, str(project / "no-such.ttl")).exit_code == 2
    assert _run(project, "--shapes", str(project / "no-shapes.ttl")).exit_code == 2


def test_changed_files_of_an_essay_report_only_their_findings(project: Path) -> None:
    extra = project / "data/essays/mini/extra.ttl"
    extra.write_text("@prefix person: <https://w3id.org/arthur-kg/id/person/> .\n"
                     "@prefix schema: <https://schema.org/> .\n@prefix kgo: <https://w3id.org/arthur-kg/ontology#> .\n"
                     "\nperson:nobody a schema:Person ;\n    kgo:mention \"Trotsky\" .\n", encoding="utf-8")
    _break(project, MISTAKES["dangling reference"])
    only_extra = json.loads(_run(project, str(extra), "--format", "json").output)
    assert only_extra["findings"] and {f["file"] for f in only_extra["findings"]} == {str(extra)}
    assert any(f["line"] == 5 and "rdfs:label" in f["message"] for f in only_extra["findings"])
    only_essay = json.loads(_run(project, str(project / ESSAY), "--format", "json").output)
    assert {f["file"] for f in only_essay["findings"]} == {str(project / ESSAY)}
    assert any("not described anywhere" in f["message"] for f in only_essay["findings"])


def test_other_turtle_files_are_validated_as_they_are_with_their_own_shapes(tmp_path: Path, project: Path) -> None:
    shapes = tmp_path / "my-shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
                      "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;\n"
                      "  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message \"A thing needs a name.\" ] .\n")
    data = tmp_path / "data.ttl"
    data.write_text("@prefix ex: <http://example.org/> .\n\nex:a a ex:Thing ;\n  ex:name \"A\" .\n\nex:b a ex:Thing .\n")
    result = _run(project, str(data), "--shapes", str(shapes), "--format", "github")
    assert result.exit_code == 1
    assert f"::error file={data},line=6,col=1" in result.output and "A thing needs a name." in result.output


def test_kg_validate_finds_what_the_build_finds(project: Path) -> None:
    """One path: `kg validate` loads, enriches and validates with the build's own functions, so on
    mistakes that skolemisation and anchoring do not touch it reports exactly the build's findings
    (the same report model: kg.validation.report), each with its place in the file."""
    from kg.config import load_config
    from kg.pipeline import validate_corpus
    from kg.validation.files import validate_sources
    from kg.validation.report import Report

    lines = {_break(project, MISTAKES[name]): name for name in ("missing label", "claim without holder",
                                                                "dangling reference")}
    config = load_config(project)
    _dataset, built, _files = validate_corpus(config)
    checked = validate_sources(config, [])
    assert type(built) is type(checked) is Report
    assert built.findings and not built.conforms and not checked.conforms

    def what(report: Report) -> list[tuple]:
        return sorted({(f.severity, f.message[:60], f.focus) for f in report.findings})

    assert what(checked) == what(built)
    assert set(lines) <= {f.line for f in checked.findings}  # and the mini project's own warning
    assert {f.file for f in checked.findings} == {str((project / ESSAY).resolve())} and not {f.file for f in built.findings} - {""}
