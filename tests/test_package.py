"""The package as another repository gets it (issue 13): the sdist and the wheel build here, the wheel
installs by its distribution name (arthur-kg; the command stays `kg`) in a fresh virtual environment,
and `kg validate` works there with the shapes shipped in the package, without --shapes. The GitHub
Action (action.yml) and the GitLab CI job (ci/gitlab-kg-validate.yml) are run here step by step, the
same commands they run.

Nothing is fetched: pip installs from .wheelhouse/, which scripts/test fills with the dependencies'
wheels (and the build backend)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from test_validate_ci import repo9  # noqa: F401 - the fixture: the 9-file repository

WHEELHOUSE = ROOT / ".wheelhouse"
NAME = "arthur-kg"


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def offline(env: dict | None = None) -> dict:
    return {**os.environ, **(env or {}), "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, the wheel built from the sdist (as `python -m build` does)."""
    out = tmp_path_factory.mktemp("dist")
    done = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)])
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed by name, offline."""
    assert WHEELHOUSE.is_dir() and any(WHEELHOUSE.glob("rdflib-*.whl")), \
        "no .wheelhouse/ of dependencies: run `bash scripts/test` (it fills it)"
    env = tmp_path_factory.mktemp("venv") / "venv"
    done = run([sys.executable, "-m", "venv", str(env)])
    assert done.returncode == 0, done.stderr
    done = run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "--find-links", str(dist), NAME],
               env=offline())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return env


def test_the_sdist_and_the_wheel_carry_the_shapes_and_the_ontology(dist: Path) -> None:
    import tarfile
    import zipfile

    [wheel] = dist.glob("arthur_kg-*.whl")
    [sdist] = dist.glob("arthur_kg-*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"kg/_data/shapes/{p.name}" for p in (ROOT / "shapes").glob("*.ttl")} | \
              {f"kg/_data/ontology/{p.name}" for p in (ROOT / "ontology").iterdir() if p.suffix in (".ttl", ".jsonld")}
    assert shipped and shipped <= names, shipped - names
    with zipfile.ZipFile(wheel) as z:  # one copy of the truth: the repository's files, byte for byte
        for name in shipped:
            part, file = name.split("/")[2:]
            assert z.read(name) == (ROOT / part / file).read_bytes(), name
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry = z.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert f"Name: {NAME}\n" in meta
    assert re.search(r"^kg = kg\.cli:entry$", entry, re.M)
    members = tarfile.open(sdist).getnames()
    assert any(m.endswith("/shapes/shapes.ttl") for m in members) and any(m.endswith("/setup.py") for m in members)


def test_the_distribution_is_arthur_kg() -> None:
    """`kg` on the package index is another project's. arthur-kg was free when it was chosen
    (2026-11-30: absent from the index's list of names, and `pip index versions arthur-kg` found no
    version); the wheel above is built under that name, and the command is still `kg`."""
    import tomllib

    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"] == NAME


def test_the_installed_wheel_validates_with_its_own_shapes(venv: Path, tmp_path: Path) -> None:
    from importlib.metadata import version

    kg = venv / "bin" / "kg"
    done = run([str(venv / "bin" / "python"), "-c", "import importlib.metadata as m, kg.config as c; "
                f"print(m.version('{NAME}')); print(c.packaged('shapes'))"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    installed, shapes_dir = done.stdout.split()
    assert installed == version(NAME)
    assert Path(shapes_dir).is_relative_to(venv) and (Path(shapes_dir) / "shapes.ttl").read_bytes() == \
        (ROOT / "shapes" / "shapes.ttl").read_bytes()
    # another repository: no shapes/, no --shapes: kg's own shapes apply
    (tmp_path / "people.ttl").write_text(
        "@prefix schema: <https://schema.org/> .\n@prefix ex: <http://example.org/> .\n\n"
        'ex:a a schema:Person ;\n    schema:name "A" ;\n    schema:birthDate "19x6" .\n', encoding="utf-8")
    done = run([str(kg), "-q", "validate", "people.ttl", "--format", "json"], cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert any(f["line"] == 6 and "schema:birthDate is one xsd:gYear" in f["message"] for f in findings), findings
    assert any(f["line"] == 4 and "rdfs:label" in f["message"] for f in findings), findings
    assert {f["shape"] for f in findings} <= {"kgs:PersonShape", "kgs:ResourceShape", "kgs:EvidenceShape"}


# ------------------------------------------------------------------ the GitHub Action and the GitLab job

def _action_script(inputs: dict[str, str]) -> list[tuple[str, dict]]:
    """The run steps of action.yml with its expressions filled in, as GitHub fills them."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"files", "shapes", "fail-on", "format"}
    values = {k: v.get("default", "") for k, v in action["inputs"].items()} | inputs

    def fill(s: str) -> str:
        s = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], s)
        return re.sub(r"\$\{\{\s*github\.base_ref\s*\}\}", "", s)

    steps = []
    for step in action["runs"]["steps"]:
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@")  # the runner's Python: ours here
            continue
        assert step["shell"] == "bash"
        steps.append((fill(step["run"]), {k: fill(str(v)) for k, v in step.get("env", {}).items()}))
    return steps


def _run_action(venv: Path, repo: Path, inputs: dict[str, str]) -> subprocess.CompletedProcess:
    env = offline({"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "GITHUB_ACTION_PATH": str(ROOT)})
    done = None
    for script, step_env in _action_script(inputs):
        done = run(["bash", "-e", "-c", script], cwd=repo, env={**env, **step_env})
        if done.returncode != 0:
            return done
    assert done is not None
    return done


def test_the_github_action_annotates_the_true_finding(venv: Path, repo9: Path) -> None:
    done = _run_action(venv, repo9, {"files": "split/", "shapes": "shapes/knows.ttl"})
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and errors[0].startswith("::error file=split/p9.ttl,line=5,col=18,"), done.stdout
    # SARIF into a file, for code scanning
    done = _run_action(venv, repo9, {"files": "split/p1.ttl split/p9.ttl", "shapes": "shapes/knows.ttl",
                                     "format": "sarif", "output": "kg.sarif"})
    assert done.returncode == 1, done.stdout + done.stderr
    results = json.loads((repo9 / "kg.sarif").read_text())["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == ["split/p9.ttl"]


def test_the_gitlab_job_writes_a_junit_report(venv: Path, dist: Path, repo9: Path) -> None:
    job = yaml.safe_load((ROOT / "ci" / "gitlab-kg-validate.yml").read_text(encoding="utf-8"))["kg-validate"]
    assert job["artifacts"]["reports"]["junit"] == "kg-validate.xml"
    [wheel] = dist.glob("arthur_kg-*.whl")
    variables = {**{k: str(v) for k, v in job["variables"].items()},
                 "KG_PACKAGE": str(wheel), "KG_SHAPES": "shapes/knows.ttl", "KG_FILES": "split"}
    env = offline({**variables, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"})
    done = run(["bash", "-e", "-c", "\n".join(job["script"])], cwd=repo9, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "split/p9.ttl:5:18: violation" in done.stdout
    failures = [c for c in ET.parse(repo9 / "kg-validate.xml").getroot().iter("testcase") if c.find("failure") is not None]
    assert [(c.get("file"), c.get("line")) for c in failures] == [("split/p9.ttl", "5")]
