"""Shared fixtures: a small project (tests/fixtures/mini + the real ontology and shapes) that
builds in well under a second, and the real project's paths."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.config import load_config
from skip_policy import pytest_collectreport, pytest_runtest_logreport, pytest_sessionfinish, pytest_terminal_summary  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_project(dest: Path, fixture: str = "mini") -> Path:
    shutil.copytree(FIXTURES / fixture, dest, dirs_exist_ok=True)
    for part in ("ontology", "shapes", "queries"):
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, dest / part, dirs_exist_ok=True)
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the mini project, to break as a test likes."""
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project, built once per session (read-only for tests)."""
    from kg.pipeline import build

    root = make_project(tmp_path_factory.mktemp("built") / "project")
    build(load_config(root))
    return root


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project built into a temporary output folder (the committed output/ is untouched)."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("real") / "output"
    build(load_config(ROOT), output=out)
    return out
