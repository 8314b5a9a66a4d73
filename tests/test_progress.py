"""Long work shows progress on stderr (kg/progress.py): a bar with counts and time left on a terminal,
plain lines with counts and time left otherwise, nothing under -q."""
from __future__ import annotations

import io
import re
import sys

from click.testing import CliRunner
from conftest import make_project

from kg.cli import main
from kg.progress import Reporter, active, counted


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def run(mode: str, total: int = 20, step: float = 1.0) -> str:
    out, clock = io.StringIO(), Clock()
    reporter = Reporter(mode, out, clock, width=100)
    with active(reporter):
        reporter("loaded 2 essay(s)")
        for _ in counted(range(total), "pages", total):
            clock.now += step
    return out.getvalue()


def test_plain_lines_give_counts_time_left_and_the_total_time() -> None:
    assert run("plain").splitlines() == [
        "kg: loaded 2 essay(s)",
        "kg: pages 0/20",
        *[f"kg: pages {2 * i}/20 ({10 * i}%), 0:00:{20 - 2 * i:02d} left" for i in range(1, 10)],
        "kg: pages 20/20 done in 0:00:20",
    ]


def test_plain_lines_are_few_for_a_big_task() -> None:
    lines = run("plain", total=150_000, step=0.001).splitlines()
    assert len(lines) == 12  # the message, the start, nine tenths, the end: not one line per page
    assert lines[1] == "kg: pages 0/150,000"
    assert lines[6] == "kg: pages 75,000/150,000 (50%), 0:01:15 left"
    assert lines[-1] == "kg: pages 150,000/150,000 done in 0:02:30"


def test_a_terminal_gets_a_redrawn_bar_with_counts_and_time_left() -> None:
    text = run("tty")
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # without the colours and cursor codes
    frames = [f.strip() for f in plain.split("\r") if f.strip()]
    assert "kg: loaded 2 essay(s)" in plain
    assert "\r" in text and "\x1b[" in text  # redrawn in place, in colour
    last = frames[-1]
    assert last.startswith("kg: pages ━") and re.search(r" 20/20 0:00:20 left 0:00:00$", last), last
    middle = next(f for f in frames if " 10/20 " in f)
    assert middle.endswith(" 10/20 0:00:10 left 0:00:10"), middle


def test_quiet_prints_nothing() -> None:
    assert run("quiet") == ""


def test_the_mode_follows_stderr(monkeypatch) -> None:  # noqa: ANN001
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    assert Reporter.for_stderr(quiet=False).mode == "tty"
    assert Reporter.for_stderr(quiet=True).mode == "quiet"
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert Reporter.for_stderr(quiet=False).mode == "plain"


def test_kg_build_reports_the_essays_and_pages_in_a_log(tmp_path) -> None:  # noqa: ANN001
    root = make_project(tmp_path / "project", "two-essays")
    result = CliRunner().invoke(main, ["--root", str(root), "build"])
    assert result.exit_code == 0, result.output
    err = result.stderr.splitlines()
    assert "kg: enrich essays 0/2" in err
    assert "kg: enrich essays 1/2 (50%), 0:00:00 left" in err or any(
        re.fullmatch(r"kg: enrich essays 1/2 \(50%\), 0:00:0\d left", line) for line in err)
    assert any(re.fullmatch(r"kg: enrich essays 2/2 done in 0:00:0\d", line) for line in err), err
    pages = [line for line in err if line.startswith("kg: pages ")]
    total = re.fullmatch(r"kg: pages 0/(\d+)", pages[0]).group(1)
    assert int(total) > 20 and re.fullmatch(rf"kg: pages {total}/{total} done in 0:00:\d\d", pages[-1]), pages
    quiet = CliRunner().invoke(main, ["--root", str(root), "-q", "build"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
