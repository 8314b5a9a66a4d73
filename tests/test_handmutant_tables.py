"""The hand-written mutants' tables (``scripts/mutants_*.py``) still fit the code: each mutant's old
text occurs exactly once in its file, the new text differs from it, and each test it names exists as a
file. A change to the code a mutant was written for leaves its table stale, and the script then stops
at that mutant (``scripts/handmutants.py`` asserts the same) the next time someone runs it; here the
suite says so at once."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "scripts").glob("mutants_*.py"))


def _table(script: Path) -> list:
    """The script's mutants, ``(file, old text, new text, tests)``."""
    sys.path.insert(0, str(script.parent))
    try:
        return importlib.import_module(script.stem).M
    finally:
        sys.path.remove(str(script.parent))


def test_there_are_tables() -> None:
    assert len(SCRIPTS) >= 14


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_each_mutant_still_applies_once(script: Path) -> None:
    table = _table(script)
    assert table, script.name
    for i, (rel, old, new, tests) in enumerate(table):
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{script.name} mutant {i}: its old text occurs {text.count(old)} times in {rel}"
        assert new != old, f"{script.name} mutant {i}: no change"
        assert tests, f"{script.name} mutant {i}: no tests"
        for test in tests:
            assert (ROOT / test.split("::")[0]).is_file(), f"{script.name} mutant {i}: no {test}"
