"""A green run means the suite ran: a skip that is not on the allow-list of tests/skip_policy.py
fails the run, names the test and its reason; an allowed one does not; the store tests find the
oxigraph server next to sys.executable, whatever PATH holds."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from skip_policy import ALLOWED, tool

TESTS = Path(__file__).resolve().parent


def run_pytest(folder: Path, body: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    (folder / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n"
        "from skip_policy import pytest_collectreport, pytest_runtest_logreport, pytest_sessionfinish, "
        "pytest_terminal_summary  # noqa: F401\n", encoding="utf-8")
    (folder / "test_sample.py").write_text(body, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k != "KG_ALLOW_SKIPS"} | (env or {})
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(folder),
                           str(folder)], capture_output=True, text=True, env=environ, cwd=folder, timeout=120)


SKIPPING = ("import pytest\n\ndef test_needs_a_tool():\n    pytest.skip('the frobnicator is not installed')\n\n"
            "def test_fine():\n    assert True\n")


def test_an_unexpected_skip_fails_the_run_and_is_named(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, SKIPPING)
    assert result.returncode == 1, result.stdout
    assert "test_sample.py::test_needs_a_tool: the frobnicator is not installed" in result.stdout
    assert "1 test(s) skipped that are not allowed to skip" in result.stdout


def test_a_module_level_importorskip_fails_the_run(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, "import pytest\npytest.importorskip('no_such_module_kg')\n\ndef test_x():\n    pass\n"
                                  "\n")
    assert result.returncode != 0, result.stdout
    assert "test_sample.py: could not import 'no_such_module_kg'" in result.stdout


def test_kg_allow_skips_reports_without_failing(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, SKIPPING, env={"KG_ALLOW_SKIPS": "1"})
    assert result.returncode == 0, result.stdout
    assert "unexpected skips (tolerated: KG_ALLOW_SKIPS=1)" in result.stdout


def test_a_run_without_skips_passes(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, "def test_fine():\n    assert True\n")
    assert result.returncode == 0 and "unexpected skips" not in result.stdout


def test_every_allowed_skip_has_a_reason_and_a_test() -> None:
    for prefix, reason in ALLOWED.items():
        path, _, name = prefix.partition("::")
        assert len(reason) > 20, prefix
        assert f"def {name}(" in (TESTS.parent / path).read_text(encoding="utf-8"), prefix


def test_the_oxigraph_server_is_found_next_to_the_interpreter_not_on_path() -> None:
    found = tool("oxigraph")
    assert found is not None and found.parent == Path(sys.executable).parent
    # the suite runs the same whatever PATH holds: scripts/test does not activate the venv
    probe = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(TESTS)!r}); "
                            "from skip_policy import tool; print(tool('oxigraph'))"],
                           capture_output=True, text=True, env={"PATH": "/nonexistent"}, timeout=60)
    assert probe.stdout.strip() == str(found)
