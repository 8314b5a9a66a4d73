"""Every typed literal's lexical form is checked (kg.datatypes), because pySHACL's sh:datatype trusts
rdflib, which leaves ``ill_typed`` unknown for several XSD types and so accepts "19x6"^^xsd:gYear.
A value of each datatype, valid and ill-typed, through the checker, through ``kg validate`` (a
violation at file:line) and, for the curated data, through ``kg build`` (exit 1 naming file:line)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from conftest import ROOT
from kg.cli import main
from kg.datatypes import LEXICAL, lexical_error

#: (datatype, a valid lexical form, an ill-typed one) for every checked datatype.
CASES = [
    ("gYear", "1879", "19x6"), ("gYear", "-0044", "eighteen79"), ("gYear", "1936Z", "1936 "),
    ("gYearMonth", "1936-05", "1936-13"), ("date", "1879-11-07", "1879-02-30"), ("date", "2024-02-29", "2026-02-29"),
    ("dateTime", "1940-08-21T17:25:00+01:00", "1940-08-21 17:25"), ("dateTimeStamp", "1940-08-21T17:25:00Z", "1940-08-21T17:25:00"),
    ("time", "24:00:00", "25:00:00"), ("gMonth", "--11", "--13"), ("gDay", "---31", "---32"), ("gMonthDay", "--02-29", "--2-29"),
    ("duration", "P1Y2M3DT4H5M6.5S", "P1YT"), ("integer", "-42", "4.2"), ("integer", "+7", "seven"),
    ("nonNegativeInteger", "0", "-1"), ("positiveInteger", "1", "0"), ("nonPositiveInteger", "-3", "3"),
    ("negativeInteger", "-1", "-0"), ("long", "9223372036854775807", "9223372036854775808"), ("int", "-2147483648", "2147483648"),
    ("short", "32767", "32768"), ("byte", "-128", "128"), ("unsignedLong", "18446744073709551615", "-1"),
    ("unsignedInt", "4294967295", "4294967296"), ("unsignedShort", "65535", "65536"), ("unsignedByte", "255", "256"),
    ("boolean", "true", "yes"), ("boolean", "0", "TRUE"), ("decimal", "-1.50", "1,5"), ("decimal", ".5", "1e3"),
    ("double", "1.5E-3", "1.5E"), ("double", "INF", "Infinity"), ("float", "NaN", "nan"),
    ("anyURI", "https://example.org/a#b", "https://example.org/a b"), ("hexBinary", "0FA9", "0FA"),
    ("base64Binary", "aGVsbG8=", "aGVsbG8"), ("language", "en-GB", "en_GB"), ("token", "a b", "a  b"),
    ("normalizedString", "a b", "a\tb"),
]


@pytest.mark.parametrize("datatype,valid,bad", CASES, ids=lambda v: str(v))
def test_each_datatype_accepts_its_lexical_forms_and_names_an_ill_typed_one(datatype: str, valid: str, bad: str) -> None:
    assert lexical_error(valid, str(XSD) + datatype) is None
    reason = lexical_error(bad, str(XSD) + datatype)
    assert reason is not None and f"xsd:{datatype}" in reason and repr(bad) in reason


def test_every_checked_datatype_has_a_case() -> None:
    assert {d for d, _, _ in CASES} == set(LEXICAL)


def test_every_datatype_the_shapes_use_is_checked() -> None:
    shapes = Graph().parse(ROOT / "shapes" / "shapes.ttl")
    used = {o for o in shapes.objects(None, SH.datatype)}
    used |= {o.datatype for o in shapes.objects() if isinstance(o, Literal) and o.datatype is not None}
    free = {XSD.string, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")}  # any text is a form of these
    unchecked = sorted(str(d) for d in used - free if lexical_error("\u0000 not a value", str(d)) is None)
    assert not unchecked, unchecked
    assert {XSD.gYear, XSD.gYearMonth, XSD.date, XSD.integer, XSD.nonNegativeInteger, XSD.anyURI} <= used


def test_rdflib_alone_does_not_see_it() -> None:
    """The reason for the check: rdflib does not know "19x6" is no xsd:gYear (if it learns, fine)."""
    assert Literal("19x6", datatype=XSD.gYear).ill_typed is not True
    assert lexical_error("19x6", str(XSD.gYear)) is not None


PREFIXES = ('@prefix ex: <https://w3id.org/arthur-kg/id/test/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
            '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n')


@pytest.mark.parametrize("datatype", ["gYear", "gYearMonth", "date", "dateTime", "integer", "nonNegativeInteger",
                                      "boolean", "decimal", "double", "anyURI"])
def test_kg_validate_reports_an_ill_typed_value_at_its_line(datatype: str, tmp_path: Path) -> None:
    valid, bad = next((v, b) for d, v, b in CASES if d == datatype)
    path = tmp_path / "data.ttl"
    path.write_text(PREFIXES + f'ex:x rdfs:label "x"@en ;\n    rdfs:comment "{valid}"^^xsd:{datatype} ,\n'
                    f'        "{bad}"^^xsd:{datatype} .\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(ROOT), "-q", "validate", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    import json

    findings = [f for f in json.loads(result.stdout)["findings"] if f["shape"] == "kgs:LexicalFormCheck"]
    assert [(f["line"], f["column"], f["value"]) for f in findings] == [(6, 9, f'"{bad}"^^xsd:{datatype}')], findings
    assert findings[0]["severity"] == "violation" and f"xsd:{datatype}" in findings[0]["message"]


def _mini_with(project: Path, old: str, new: str) -> int:
    path = project / "data/essays/mini/essay.ttl"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new in line)


def test_kg_build_stops_on_an_ill_typed_birth_date_at_its_line(project: Path) -> None:
    line = _mini_with(project, '"1879"^^xsd:gYear', '"19x6"^^xsd:gYear')
    result = CliRunner().invoke(main, ["--root", str(project), "-q", "build"])
    assert result.exit_code == 1, result.output
    first = next(x for x in result.output.splitlines() if x.startswith("error:"))
    assert f"essay.ttl:{line}:22: '19x6' is not a lexical form of xsd:gYear" in first
    assert not (project / "output").exists()


def test_kg_validate_of_the_corpus_reports_it_too(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = _mini_with(project, '"1879"^^xsd:gYear', '"eighteen79"^^xsd:gYear')
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["--root", str(project), "-q", "validate"])
    assert result.exit_code == 1, result.output
    assert f"data/essays/mini/essay.ttl:{line}:22: violation: The value is ill-typed: 'eighteen79'" in result.output
