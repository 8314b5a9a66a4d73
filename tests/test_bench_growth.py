"""bench/growth.py, which compares two py-spy profiles of the same work at two corpus sizes: a
function's seconds (its stacks' samples over the rate, once per stack however often it recurs), and
the functions that grow faster than a given ratio, the largest first."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import growth  # noqa: E402

P = 'process 1:"kg build"'
PAGE = "render_site (kg/publish/pages.py:775)"
SUMMARY = "summary (kg/publish/summary.py:85)"
SORT = "sorted (<built-in>)"


def test_frames_are_named_by_function_file_and_line() -> None:
    assert growth.frame_key(PAGE) == "render_site pages.py:775"
    assert growth.frame_key("summary.<locals>.<dictcomp> (/work/kg/publish/summary.py:85)") == \
        "summary.<locals>.<dictcomp> summary.py:85"
    assert growth.frame_key(P) == P


def test_seconds_are_inclusive_and_counted_once_per_stack() -> None:
    lines = [f"{P};{PAGE};{SUMMARY} 30\n", f"{P};{PAGE} 10\n", f"{P};{PAGE};{PAGE};{SUMMARY} 20\n",
             "not a profile line\n", f"{P};{PAGE} x\n", "\n"]
    got = growth.inclusive_seconds(lines, 10.0)
    assert got["render_site pages.py:775"] == pytest.approx(6.0)  # 30 + 10 + 20 samples, the recursion once
    assert got["summary summary.py:85"] == pytest.approx(5.0)
    assert P not in got and len(got) == 2  # the process's frame is no function


def test_growth_lists_what_grows_faster_than_the_ratio_largest_first() -> None:
    small = growth.inclusive_seconds([f"{P};{PAGE} 100\n", f"{P};{PAGE};{SUMMARY} 2\n", f"{P};{SORT} 10\n"], 100.0)
    large = growth.inclusive_seconds([f"{P};{PAGE} 600\n", f"{P};{PAGE};{SUMMARY} 160\n", f"{P};{SORT} 40\n",
                                      f"{P};fresh (kg/x.py:1) 30\n", f"{P};tiny (kg/y.py:2) 1\n"], 50.0)
    rows = growth.growth(small, large, at_least=0.5, ratio=10.0)
    assert [(k, round(a, 2), round(b, 2)) for k, a, b, _r in rows] == [
        ("fresh x.py:1", 0.0, 0.6), ("summary summary.py:85", 0.02, 3.2), ("render_site pages.py:775", 1.02, 15.2)]
    assert rows[0][3] == float("inf") and rows[1][3] == pytest.approx(160.0)
    assert rows[2][3] == pytest.approx(15.2 / 1.02)
    # the sort grew 8 times, the pages 14.9: under a ratio of 15, left out
    assert [k for k, *_ in growth.growth(small, large, ratio=15.0)] == ["fresh x.py:1", "summary summary.py:85"]


def test_the_command_prints_the_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s.txt").write_text(f"{P};{PAGE};{SUMMARY} 3\n{P};{PAGE} 97\n", encoding="utf-8")
    (tmp_path / "l.txt").write_text(f"{P};{PAGE};{SUMMARY} 200\n{P};{PAGE} 800\n", encoding="utf-8")
    growth.main([str(tmp_path / "s.txt"), "100", str(tmp_path / "l.txt"), "50", "--ratio", "20"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["small", "s", "large", "s", "ratio", "function"]
    assert out[1].split() == ["0.03", "4.00", "133.3x", "summary", "summary.py:85"]
    # the pages grew 20 times (1.00 → 20.00 s): at the ratio, listed; the process's frame never
    assert out[2:] == ["     1.00     20.00    20.0x  render_site pages.py:775"]
    growth.main([str(tmp_path / "s.txt"), "100", str(tmp_path / "l.txt"), "50", "--min", "5", "--ratio", "30"])
    assert capsys.readouterr().out.splitlines()[1:] == []  # the summary: 4 s, under --min
