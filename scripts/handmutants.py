"""The runner of the hand-written mutants (``scripts/mutants_*.py``): each mutant is ``(file, old
text, new text, tests)``, one change to one file (its old text occurs there once), run against the
tests that cover it; every one must fail them. A file of ``kg/`` is changed in a copy of ``kg/``
put first on the path; any other file (a cookbook query, which the tests read from the repository)
is changed in place for the mutant's run and put back after it, whatever happens. Prints one line
per mutant and exits 1 if one survives (docs/testing.md)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pytest(tests: list[str], cwd: Path, env: dict, timeout: float) -> tuple[int, str]:
    """(exit status, the last line of pytest's output); a run past ``timeout`` seconds is stopped and
    counts as failed (a mutant that makes a test hang, or grow without end, is caught)."""
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                            *[str(ROOT / t) for t in tests]], cwd=cwd, capture_output=True, text=True,
                           env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, f"timed out after {timeout:g} s"
    return r.returncode, (r.stdout.strip().splitlines() or [""])[-1][:100]


def run(mutants: list[tuple[str, str, str, list[str]]], name: str, argv: list[str], timeout: float = 1200) -> None:
    """Run the mutants whose indexes ``argv`` names (all when none), then exit. A mutant's tests that
    run past ``timeout`` seconds count as failed: give a script's tests a few times their usual time."""
    chosen = [int(a) for a in argv] or range(len(mutants))
    work = Path(tempfile.mkdtemp(prefix=f"kg-mutants-{name}-"))
    survivors = 0
    try:
        for i in chosen:
            rel, old, new, tests = mutants[i]
            path = ROOT / rel
            src = path.read_text(encoding="utf-8")
            assert src.count(old) == 1, (i, rel, old)
            d = work / f"m{i}"
            shutil.copytree(ROOT / "kg", d / "kg", ignore=shutil.ignore_patterns("__pycache__"))
            env = {**os.environ, "PYTHONPATH": str(d)}
            if rel.startswith("kg/"):
                (d / rel).write_text(src.replace(old, new), encoding="utf-8")
                status, last = _pytest(tests, d, env, timeout)  # the copy first on the path (the working folder)
            else:
                path.write_text(src.replace(old, new), encoding="utf-8")
                try:
                    status, last = _pytest(tests, d, env, timeout)
                finally:
                    path.write_text(src, encoding="utf-8")
            survivors += status == 0
            print(i, rel, "KILLED" if status else "SURVIVED", last, flush=True)
            shutil.rmtree(d, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(chosen) - survivors}/{len(chosen)} killed")
    sys.exit(1 if survivors else 0)
