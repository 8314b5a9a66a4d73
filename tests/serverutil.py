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


@contextlib.contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """``directory`` served by a plain static file server (Python's http.server) on a free loopback
    port, as a static host would serve output/site: yields the base URL."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium: the browser tests download no browser


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (each launch with a fresh temporary profile)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def browser_tab(browser, width: int = 1400, height: int = 1000) -> Iterator[object]:  # noqa: ANN001
    """A page in a fresh context of ``browser``, its JavaScript errors collected in ``page.errors``."""
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    try:
        yield pg
    finally:
        context.close()
