"""A real `kg serve` on a free loopback port, for the server, page and browser tests. The child's
output is reported if it dies or does not come up."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(root: Path, output: Path | None = None, *args: str) -> Iterator[str]:
    """Start ``kg serve`` for the project at ``root`` and yield its base URL; stop it after. In
    ``args``, ``{base}`` stands for the server's own URL (``--base-url {base}/``)."""
    port = free_port()
    log = tempfile.TemporaryFile()
    args = tuple(a.replace("{base}", f"http://127.0.0.1:{port}") for a in args)
    cmd = [sys.executable, "-m", "kg", "--root", str(root), "-q", "serve", "--port", str(port), *args]
    if output is not None:
        cmd += ["--output", str(output)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"kg serve exited with {proc.returncode}:\n{log.read().decode(errors='replace')}")
            try:
                if requests.get(base + "/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"kg serve did not come up:\n{log.read().decode(errors='replace')}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
