"""The installed command (``kg``, ``python -m kg``) ends a build's process at once, without freeing the
build's graph, after flushing what it printed: the output and the exit code are those of ``main``."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg import cli


def test_a_build_run_as_a_program_prints_everything_and_exits_0(project: Path) -> None:
    """stdout is a pipe (block-buffered): what the build printed arrives though the process ends at
    once, and the count it prints is the published dump's."""
    done = subprocess.run([sys.executable, "-m", "kg", "--root", str(project), "-q", "build"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = project / "output"
    triples = len((out / "dataset.nt").read_bytes().splitlines())
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"Built {triples} triples (") and lines[0].endswith(f"into {out}")
    assert lines[1:] == [f"  {out / n}" for n in ("dataset.ttl", "dataset.jsonld", "dataset.nt", "dataset.trig", "void.ttl")]
    assert done.stderr == ""


def test_a_failed_build_run_as_a_program_keeps_its_exit_code(project: Path) -> None:
    """Bad input: exit 2 and one line naming the file, as from main."""
    bad = project / "data" / "essays"
    ttl = next(bad.rglob("*.ttl"))
    ttl.write_text(ttl.read_text(encoding="utf-8") + "\nthis is not turtle\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg", "--root", str(project), "-q", "build"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and ttl.name in done.stderr.splitlines()[0]
    assert "Traceback" not in done.stderr


class Ended(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


@pytest.fixture
def ending(monkeypatch: pytest.MonkeyPatch) -> list:
    """The process's end (``os._exit``) recorded instead of done; the retained list emptied before and after."""
    monkeypatch.setattr(cli, "_end", lambda code: (_ for _ in ()).throw(Ended(code)))
    monkeypatch.setattr(cli, "_RETAINED", [])
    monkeypatch.setattr(cli, "_EXIT_AT_ONCE", False)
    return cli._RETAINED


@pytest.mark.parametrize("code, expected", [(0, 0), (1, 1), (2, 2), (None, 0)])
def test_after_a_retained_build_the_process_ends_at_once_with_mains_code(
        ending: list, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, code: int | None,
        expected: int) -> None:
    flushed = []

    def main() -> None:
        assert cli._EXIT_AT_ONCE  # the build command retains its dataset only under entry
        ending.append(object())
        print("Built 3 triples")
        monkeypatch.setattr(sys.stdout, "flush", lambda: flushed.append("out"), raising=False)
        sys.exit(code)
    monkeypatch.setattr(cli, "main", main)
    with pytest.raises(Ended) as ended:
        cli.entry()
    assert ended.value.code == expected
    assert "out" in flushed


def test_a_message_exit_is_printed_and_ends_with_1(ending: list, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(cli, "main", lambda: (ending.append(object()), sys.exit("stopped"))[1])
    with pytest.raises(Ended) as ended:
        cli.entry()
    assert ended.value.code == 1 and capsys.readouterr().err == "stopped\n"


def test_without_a_retained_build_main_exits_as_usual(ending: list, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any other command (nothing retained) leaves by SystemExit: the interpreter's own ending."""
    monkeypatch.setattr(cli, "main", lambda: sys.exit(3))
    with pytest.raises(SystemExit) as exited:
        cli.entry()
    assert exited.value.code == 3


def test_only_entry_makes_the_build_retain(project: Path, ending: list) -> None:
    """Run in-process (tests, CliRunner), a build keeps nothing: its graph is freed as usual."""
    from click.testing import CliRunner

    assert CliRunner().invoke(cli.main, ["--root", str(project), "-q", "build"]).exit_code == 0
    assert ending == []
