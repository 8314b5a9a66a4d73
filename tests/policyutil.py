"""Shared by the policy tests: a loopback listener that records every connection reaching it, and
the attack spellings of issue 12 (each a query that would make the engine call the listener)."""
from __future__ import annotations

import itertools
import socket
import threading


class Listener:
    """A loopback socket that counts every connection it accepts (and the first bytes it got)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.requests: list[bytes] = []
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.settimeout(0.2)
            try:
                self.requests.append(conn.recv(200))
            except OSError:
                self.requests.append(b"")
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.sock.close()

    def __enter__(self) -> "Listener":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def attack_spellings(port: int) -> list[str]:
    """Queries that reach ``127.0.0.1:port`` if the engine ran them as sent: the three spellings of
    issue 12 (strings ``"\\u0022"``, ``'\\u0027'``, a prefixed name ending in ``\\#``), Oxigraph's
    glued keywords, escapes in keywords and IRIs, case, comments and nesting; each in several
    group wrappers."""
    url = f"http://127.0.0.1:{port}/sparql"
    esc_url = url.replace(":", "\\u003A", 1)
    pro = f"PREFIX : <http://127.0.0.1:{port}/> PREFIX r: <http://127.0.0.1:{port}/> PREFIX ex: <http://example.org/> "
    services = [
        f"SERVICE <{url}> {{ ?s ?p ?o }}",
        f"service silent <{url}> {{ ?s ?p ?o }}",
        f"SeRvIcE <{url}> {{ ?s ?p ?o }}",
        f"\\u0053ERVICE <{url}> {{ ?s ?p ?o }}",
        f"SERVIC\\u0045 <{url}> {{ ?s ?p ?o }}",
        f"\\U00000053\\U00000045RVICE <{url}> {{ ?s ?p ?o }}",
        f"SERVICE <{esc_url}> {{ ?s ?p ?o }}",
        f"SERVICE<{url}>{{?s ?p ?o}}",
        "SERVICE:sparql { ?s ?p ?o }",
        "SERVICEr:sparql { ?s ?p ?o }",
        "SERVICE SILENT:sparql { ?s ?p ?o }",
        "SERVICESILENT r:sparql { ?s ?p ?o }",
        f"SERVICE#{url}\n<{url}> {{ ?s ?p ?o }}",
        "SERVICE r:sparql { ?s ?p ?o }",
    ]
    prefixes = [
        'BIND("\\u0022" AS ?a) {svc} BIND("\\u0022" AS ?b)',
        "BIND('\\u0027' AS ?a) {svc} BIND('\\u0027' AS ?b)",
        '?s ex:a\\# ?o . {svc}',
        '?s ex:a\\#b ?o . {svc} # }',
        '?s ?p true{svc}',
        '?s ?p 1 {svc}',
        'BIND("""\\u0022""" AS ?a) {svc}',
        "BIND('a\\\\' AS ?a) {svc}",
        '{svc}',
    ]
    wrappers = ["@X", "OPTIONAL { @X }", "{ { @X } }", "FILTER EXISTS { @X }", "{ SELECT * WHERE { @X } }"]
    out = []
    for svc, pre, wrap in itertools.product(services, prefixes, wrappers):
        body = wrap.replace("@X", pre.replace("{svc}", svc))
        out.append(pro + "SELECT * WHERE { " + body + " }")
    return out
