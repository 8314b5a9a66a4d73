"""A green run means the suite ran: any skipped (or xfailed) test that is not on ``ALLOWED`` fails
the run (exit 1) and is listed with its reason. Loaded by ``tests/conftest.py`` for every run, so
CI (``.ci/run`` -> ``bash scripts/test``) and a developer's ``pytest`` behave the same.

``ALLOWED`` maps a test's node id prefix to why that test may skip; a skip is only allowed where the
test cannot run on the platform at all (CI runs Linux, where none of these can happen). A missing tool
is never a reason: install it in the ``test`` extra or in ``scripts/test`` and find it next to
``sys.executable``. Setting ``KG_ALLOW_SKIPS=1`` reports skips without failing, for a local machine
that cannot install a tool (CI never sets it: ``.ci/run`` unsets it).
"""
from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

import pytest

#: node id prefix -> why it may skip (keep this short; every entry needs a reason).
ALLOWED: dict[str, str] = {
    "tests/test_writer.py::test_the_swap_is_one_exchange_on_linux":
        "renameat2(RENAME_EXCHANGE) exists only on Linux; elsewhere the fallback swap is tested",
}

_unexpected: list[tuple[str, str]] = []


def tool(name: str) -> Path | None:
    """A console script installed with the package (e.g. the ``oxigraph`` server of the test extra):
    it sits next to ``sys.executable`` in the virtual environment, which need not be on PATH."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        for candidate in (Path(folder) / name, Path(folder) / f"{name}.exe"):
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    return None


def allowed(nodeid: str) -> bool:
    return any(nodeid.startswith(prefix) for prefix in ALLOWED)


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    if hasattr(report, "wasxfail"):
        return f"xfail: {report.wasxfail}"
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _record(report: pytest.TestReport | pytest.CollectReport) -> None:
    if report.skipped and not allowed(report.nodeid):
        _unexpected.append((report.nodeid, _reason(report)))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _record(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    _record(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _unexpected and exitstatus == 0 and os.environ.get("KG_ALLOW_SKIPS") != "1":
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int) -> None:  # noqa: ANN001
    if not _unexpected:
        return
    tolerated = os.environ.get("KG_ALLOW_SKIPS") == "1"
    terminalreporter.section("unexpected skips" + (" (tolerated: KG_ALLOW_SKIPS=1)" if tolerated else ""),
                             sep="=", red=not tolerated, yellow=tolerated)
    for nodeid, reason in _unexpected:
        terminalreporter.line(f"{nodeid}: {reason}")
    if not tolerated:
        terminalreporter.line(f"{len(_unexpected)} test(s) skipped that are not allowed to skip (tests/skip_policy.py): "
                              "install what they need (bash scripts/test does, as root on Debian); "
                              "the run fails.")
