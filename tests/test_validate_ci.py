"""`kg validate` adopted by another repository (issue 13): a repository of 9 Turtle files
(``ex:pN schema:knows ex:p(N+1)``) and a shape requiring ``schema:knows`` to point to a
``schema:Person``, so that exactly one finding is true: ``ex:p9`` knows ``ex:p10``, which is described
nowhere. The real ``pre-commit`` runs our hook definition (.pre-commit-hooks.yaml) on it; a syntax error
reaches every CI format with file and line; ``--changed-since`` validates a pull request's files with the
repository as context; SARIF output conforms to the SARIF 2.1.0 schema (vendored in
tests/fixtures/sarif/ with its licence)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT

BIN = Path(sys.executable).parent
KG = BIN / "kg"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1"}
SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
@prefix ex: <http://example.org/> .

ex:KnowsShape a sh:NodeShape ;
    sh:targetSubjectsOf schema:knows ;
    sh:property [ sh:path schema:knows ; sh:class schema:Person ;
                  sh:message "schema:knows must point to a schema:Person." ] .
"""
BROKEN = ('@prefix ex: <http://example.org/> .\n@prefix schema: <https://schema.org/> .\n\n'
          'ex:p3 a schema:Person ;\n    schema:name "unclosed ;\n    schema:knows ex:p4 .\n')
BROKEN_AT = (5, 17)  # the opening quote of the string that is never closed


def person(n: int, knows: str | None = None) -> str:
    return ("@prefix ex: <http://example.org/> .\n@prefix schema: <https://schema.org/> .\n\n"
            f"ex:p{n} a schema:Person ;\n    schema:knows {knows or f'ex:p{n + 1}'} .\n")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def repo9(tmp_path: Path) -> Path:
    repo = tmp_path / "repo9"
    (repo / "split").mkdir(parents=True)
    (repo / "shapes").mkdir()
    for n in range(1, 10):
        (repo / "split" / f"p{n}.ttl").write_text(person(n), encoding="utf-8")
    (repo / "shapes" / "knows.ttl").write_text(SHAPES, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "nine persons")
    return repo


def kg(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KG), "-q", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def violations(text: str) -> list[str]:
    return [line for line in text.splitlines() if ": violation: " in line]


# ------------------------------------------------------------------ pre-commit, for real

def _install_hook(repo: Path, args: list[str]) -> dict:
    """Our hook as .pre-commit-hooks.yaml defines it, run from this virtual environment's kg (a
    `repo: local` hook: pre-commit then installs nothing and needs no network)."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = dict(next(h for h in hooks if h["id"] == "kg-validate"))
    command, *rest = hook["entry"].split()
    assert command == "kg"
    hook.update(entry=" ".join([str(KG), *rest]), language="unsupported", args=args)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}))
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "pre-commit")
    env = _precommit_env(repo)
    done = subprocess.run([str(BIN / "pre-commit"), "install"], cwd=repo, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return env


def _precommit_env(repo: Path) -> dict:
    return {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PIP_NO_INDEX": "1"}


def precommit(repo: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "pre-commit"), "run", "--verbose", *args], cwd=repo, capture_output=True,
                          text=True, env=env, timeout=300)


def test_the_hook_is_serial_and_validates_with_the_repository_as_context() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "kg-validate")
    assert hook["require_serial"] is True  # one process sees every file
    assert "--context git" in hook["entry"]


def test_precommit_reports_only_true_findings_and_skips_the_shapes_file(repo9: Path) -> None:
    env = _install_hook(repo9, ["--shapes", "shapes/knows.ttl"])
    every = precommit(repo9, env, "--all-files")
    out = every.stdout + every.stderr
    assert every.returncode == 1, out
    # the one true finding: ex:p9 knows ex:p10, described nowhere; no false violation in p1..p8
    assert violations(out) == ["split/p9.ttl:5:18: violation: schema:knows must point to a schema:Person. [ex:KnowsShape]"], out
    assert "skip shapes/knows.ttl: a shapes file" in out and "shapes/knows.ttl:" not in out.replace("skip shapes/knows.ttl:", "")

    one = precommit(repo9, env, "--files", "split/p1.ttl")
    assert one.returncode == 0, one.stdout + one.stderr  # p2 is a person, in another file
    assert "validate 1 file(s) with 8 other file(s) as context" in one.stdout + one.stderr

    shapes_only = precommit(repo9, env, "--files", "shapes/knows.ttl")
    assert shapes_only.returncode == 0, shapes_only.stdout + shapes_only.stderr
    assert "every file given is a shapes file" in shapes_only.stdout + shapes_only.stderr


def test_a_commit_is_blocked_only_by_a_true_finding(repo9: Path) -> None:
    env = _install_hook(repo9, ["--shapes", "shapes/knows.ttl"])
    (repo9 / "split" / "p1.ttl").write_text(person(1, "ex:p2 , ex:ghost"), encoding="utf-8")
    git(repo9, "add", "split/p1.ttl")
    blocked = subprocess.run(["git", "commit", "-m", "p1 knows a ghost"], cwd=repo9, capture_output=True, text=True, env=env)
    assert blocked.returncode != 0
    assert "split/p1.ttl:5:26: violation" in blocked.stdout + blocked.stderr, blocked.stdout + blocked.stderr
    (repo9 / "split" / "p1.ttl").write_text(person(1, "ex:p2 , ex:p5"), encoding="utf-8")
    git(repo9, "add", "split/p1.ttl")
    done = subprocess.run(["git", "commit", "-m", "p1 knows p5"], cwd=repo9, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_syntax_error_fails_the_hook_at_its_line(repo9: Path) -> None:
    env = _install_hook(repo9, ["--shapes", "shapes/knows.ttl"])
    (repo9 / "split" / "p3.ttl").write_text(BROKEN, encoding="utf-8")
    done = precommit(repo9, env, "--files", "split/p3.ttl")
    assert done.returncode == 2 or "exit code: 2" in done.stdout, done.stdout + done.stderr
    assert "split/p3.ttl:5:17: error: Turtle syntax error" in done.stdout + done.stderr


# ------------------------------------------------------------------ a syntax error in every format

def test_a_syntax_error_is_a_finding_in_every_format(repo9: Path) -> None:
    import jsonschema

    (repo9 / "split" / "p3.ttl").write_text(BROKEN, encoding="utf-8")
    line, col = BROKEN_AT
    base = ["validate", "--shapes", "shapes/knows.ttl", "--context", "git", "split/p3.ttl"]

    text = kg(repo9, *base)
    assert text.returncode == 2
    assert f"split/p3.ttl:{line}:{col}: error: Turtle syntax error: " in text.stdout and "Unexpected end of file" in text.stdout

    github = kg(repo9, *base, "--format", "github")
    assert github.returncode == 2
    assert github.stdout.startswith(f"::error file=split/p3.ttl,line={line},col={col},"), github.stdout
    assert f"error: split/p3.ttl:{line}:{col}:" in github.stderr  # one line for the log as well

    junit = kg(repo9, *base, "--format", "junit", "--output", "v.xml")
    assert junit.returncode == 2
    cases = [c for c in ET.parse(repo9 / "v.xml").getroot().iter("testcase") if c.find("failure") is not None]
    assert [(c.get("file"), c.get("line")) for c in cases] == [("split/p3.ttl", str(line))]
    assert "Unexpected end of file" in cases[0].find("failure").get("message")

    doc = json.loads(kg(repo9, *base, "--format", "json").stdout)
    assert doc["conforms"] is False and doc["counts"]["error"] == 1
    assert [(f["severity"], f["file"], f["line"], f["column"]) for f in doc["findings"]] == [("error", "split/p3.ttl", line, col)]

    report = kg(repo9, *base, "--format", "turtle")
    assert report.returncode == 2
    import rdflib

    g = rdflib.Graph().parse(data=report.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert g.value(next(g.subjects(rdflib.RDF.type, sh.ValidationReport)), sh.conforms).toPython() is False
    assert [str(m) for m in g.objects(None, sh.resultMessage)] == [
        f"split/p3.ttl:{line}:{col}: Turtle syntax error: Parser error between line 5 column 17 and line 7 column 1: Unexpected end of file"]

    sarif = kg(repo9, *base, "--format", "sarif")
    assert sarif.returncode == 2
    log = json.loads(sarif.stdout)
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    [result] = log["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (result["level"], result["ruleId"]) == ("error", "TurtleSyntax")
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "split/p3.ttl"
    assert (region["startLine"], region["startColumn"]) == (line, col)


def test_bytes_that_are_not_utf8_are_named_where_the_build_names_them(repo9: Path) -> None:
    """The column counts characters, as every other position does (kg.files.not_utf8, which the
    build's reader uses too): "café " is five characters but six bytes."""
    from kg.files import read_utf8
    from kg.errors import SourceError

    bad = repo9 / "split" / "p3.ttl"
    bad.write_bytes(b'@prefix ex: <http://example.org/> .\n# caf\xc3\xa9 \xff\n')
    done = kg(repo9, "validate", "--shapes", "shapes/knows.ttl", "split/p3.ttl")
    assert done.returncode == 2
    assert "split/p3.ttl:2:8: error: Turtle syntax error: not UTF-8 (byte 0xff at offset 44)" in done.stdout
    with pytest.raises(SourceError, match=r"p3.ttl:2:8: not UTF-8 \(byte 0xff at offset 44\)"):
        read_utf8(bad)


def _sarif_schema() -> dict:
    return json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_of_findings_conforms_to_the_schema(project: Path) -> None:
    import jsonschema

    essay = project / "data/essays/mini/essay.ttl"
    essay.write_text(essay.read_text(encoding="utf-8").replace('"1879"^^xsd:gYear', '"eighteen79"'), encoding="utf-8")
    line = next(n for n, t in enumerate(essay.read_text(encoding="utf-8").splitlines(), 1) if "eighteen79" in t)
    done = kg(project, "validate", "--format", "sarif")
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    run = log["runs"][0]
    hits = [r for r in run["results"] if r["level"] == "error"
            and r["locations"][0]["physicalLocation"]["region"]["startLine"] == line]
    assert hits and hits[0]["ruleId"] == "kgs:PersonShape", run["results"]
    assert "schema:birthDate is one xsd:gYear" in hits[0]["message"]["text"]
    assert hits[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "data/essays/mini/essay.ttl"
    assert run["tool"]["driver"]["rules"][hits[0]["ruleIndex"]]["id"] == "kgs:PersonShape"


# ------------------------------------------------------------------ folders, changed files

def test_folders_stand_for_their_turtle_files(repo9: Path) -> None:
    done = kg(repo9, "validate", "--shapes", "shapes/", "split/")
    assert done.returncode == 1, done.stderr
    assert violations(done.stdout) == ["split/p9.ttl:5:18: violation: schema:knows must point to a schema:Person. [ex:KnowsShape]"]
    assert "9 file(s) validated" in done.stdout
    # the shapes folder given as FILES as well is not validated as data
    both = kg(repo9, "validate", "--shapes", "shapes/", ".")
    assert both.returncode == 1 and "9 file(s) validated" in both.stdout, both.stdout


def test_context_from_a_folder_and_without_git(repo9: Path, tmp_path: Path) -> None:
    alone = kg(repo9, "validate", "--shapes", "shapes/knows.ttl", "split/p1.ttl")
    assert alone.returncode == 1  # without context, ex:p2 is described nowhere
    assert violations(alone.stdout) == ["split/p1.ttl:5:18: violation: schema:knows must point to a schema:Person. [ex:KnowsShape]"]
    folder = kg(repo9, "validate", "--shapes", "shapes/knows.ttl", "--context", "split", "split/p1.ttl", "split/p9.ttl")
    assert folder.returncode == 1 and violations(folder.stdout) == [
        "split/p9.ttl:5:18: violation: schema:knows must point to a schema:Person. [ex:KnowsShape]"], folder.stdout
    # the repository is the one holding the files, wherever kg runs
    elsewhere = kg(tmp_path, "validate", "--shapes", str(repo9 / "shapes/knows.ttl"), "--context", "git",
                   str(repo9 / "split/p1.ttl"))
    assert elsewhere.returncode == 0 and "conforms" in elsewhere.stdout, elsewhere.stdout + elsewhere.stderr
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "a.ttl").write_text(person(1), encoding="utf-8")
    no_git = kg(tmp_path / "plain", "validate", "--shapes", str(repo9 / "shapes/knows.ttl"), "--context", "git", "a.ttl")
    assert no_git.returncode == 2 and "Traceback" not in no_git.stderr
    assert len([x for x in no_git.stderr.splitlines() if x.startswith("error: ")]) == 1, no_git.stderr


def test_changed_since_validates_a_pull_request_with_the_repository_as_context(repo9: Path) -> None:
    git(repo9, "checkout", "-q", "-b", "feature")
    (repo9 / "split" / "p4.ttl").write_text(person(4, "ex:p5 , ex:ghost"), encoding="utf-8")
    (repo9 / "split" / "p6.ttl").write_text(person(6, "ex:p7 , ex:p1"), encoding="utf-8")
    git(repo9, "commit", "-q", "-am", "p4 knows a ghost; p6 knows p1")
    done = kg(repo9, "validate", "--shapes", "shapes/knows.ttl", "--changed-since", "main", "--format", "json")
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert doc["files"] == ["split/p4.ttl", "split/p6.ttl"]
    # p6 -> p1 is fine (p1 is in the repository), p9 -> p10 is not in a changed file
    assert [(f["file"], f["line"], f["value"]) for f in doc["findings"]] == [("split/p4.ttl", 5, "ex:ghost")]
    nothing = kg(repo9, "validate", "--shapes", "shapes/knows.ttl", "--changed-since", "HEAD")
    assert nothing.returncode == 0 and "conforms" in nothing.stdout
    bad = kg(repo9, "validate", "--changed-since", "no-such-ref")
    assert bad.returncode == 2 and "no-such-ref" in bad.stderr and "Traceback" not in bad.stderr


# ------------------------------------------------------------------ what cannot be validated (issue 12)

def test_what_cannot_be_validated_is_exit_2_with_one_line(repo9: Path, project: Path) -> None:
    (repo9 / "empty").mkdir()
    cases = {
        "an empty folder as FILES": (repo9, ["validate", "empty"], "empty: no Turtle files"),
        "an empty shapes folder": (repo9, ["validate", "--shapes", "empty", "split/"], "empty: no Turtle files"),
        "shapes without a shape": (repo9, ["validate", "--shapes", "split/p1.ttl", "split/p2.ttl"], "no shapes here"),
        "--output in a missing folder": (repo9, ["validate", "split/", "--format", "junit", "--output", "no/v.xml"],
                                         "no/v.xml: cannot write the report"),
    }
    for name, (cwd, args, message) in cases.items():
        done = kg(cwd, *args)
        assert done.returncode == 2, (name, done.stdout, done.stderr)
        errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and message in errors[0], (name, done.stderr)
        assert "Traceback" not in done.stderr, name
    assert not (repo9 / "no").exists()
    # an empty data/essays/ does not "conform": there is nothing to validate
    import shutil

    shutil.rmtree(project / "data/essays/mini")
    done = kg(project, "validate")
    assert done.returncode == 2 and "no essay folders" in done.stderr, done.stderr
