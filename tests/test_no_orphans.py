"""A server killed outright (SIGKILL, the OOM killer, a CI timeout) leaves no process behind: its
policy checkers end with it (each holds a ~250 MB interpreter; leaked ones piled up to an
out-of-memory kill on this machine)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = """
import asyncio, os, sys
from kg.server.checker import CheckPool

async def main():
    pool = CheckPool([], {})
    await pool.start()
    print(" ".join(str(pid) for lane in pool.lanes for pid in lane._processes), flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_the_policy_checkers_end_when_the_server_is_killed(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True,
                            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    try:
        line = proc.stdout.readline()
        children = [int(p) for p in line.split()]
        assert len(children) == 2 and all(_alive(p) for p in children), line
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in children if _alive(p)], "checker processes outlived the killed server"
