"""The options of ``kg serve`` (table ``[serve]`` of kg.toml) and ``kg publish`` (``[publish]``), and
the one time-out policy of every HTTP client (the linker's, ``kg.linker.client``, and the store
publisher's, ``kg.upload``).

Each options class is a frozen dataclass whose defaults are the only place a default is written: the
command line's flags show them, ``kg settings`` lists them, and ``kg.config.load_options`` reads the
table over them (flag > kg.toml > default). ``RANGES`` bounds a number, checked for kg.toml and the
flags alike.

The time-out policy: every request has two limits, ``connect_timeout`` (seconds to open the
connection) and ``read_timeout`` (seconds to wait for the first byte of the answer, and between two
reads of it: not for the whole answer). A connect time-out means nothing reached the server; a read
time-out means the request may have reached it. ``timeout_message`` words both the same way for
every client."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests


#: Bounds (lowest, highest; None: unbounded) of the time-outs of every HTTP client.
TIMEOUT_RANGE = (0.01, 3600.0)


@dataclass(frozen=True)
class ServeOptions:
    """The server's limits; every one has a default so that ``kg serve`` needs no configuration."""

    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 5.0            # seconds a query may run before its worker is killed
    max_rows: int = 10_000          # rows (or triples) in one answer
    max_bytes: int = 10_000_000     # bytes of one serialised answer
    max_request: int = 128 * 1024   # bytes of a request's query string or body
    workers: int = 2                # query worker processes
    base_url: str = ""              # where the dataset's IRIs resolve here ("": at the base IRI)

    RANGES = {"port": (0, 65535), "timeout": (0.05, 3600.0), "max_rows": (1, None), "max_bytes": (1, None),
              "max_request": (1024, None), "workers": (1, 64)}
    HELP = {
        "host": "Address to listen on (loopback by default).",
        "port": "Port to listen on.",
        "timeout": "Seconds a query may run before it is stopped (its worker is killed).",
        "max_rows": "Rows (or triples) per answer.",
        "max_bytes": "Bytes per answer.",
        "max_request": "Bytes of a request's query string or body (larger: 413).",
        "workers": "Query worker processes.",
        "base_url": "Resolve the dataset's IRIs here: answers use this URL in place of the base IRI (e.g. http://127.0.0.1:8000/).",
    }


@dataclass(frozen=True)
class PublishOptions:
    """How ``kg publish`` writes to a store; the URL and the credentials are never settings."""

    preset: str = "oxigraph"
    method: str = "auto"
    auth: str = "basic"
    chunk: int = 5000
    connect_timeout: float = 5.0
    read_timeout: float = 300.0  # a PUT of a large graph may take a while to be acknowledged

    RANGES = {"chunk": (1, None), "connect_timeout": TIMEOUT_RANGE, "read_timeout": TIMEOUT_RANGE}
    CHOICES = {"method": ("auto", "gsp", "update"), "auth": ("basic", "digest")}
    HELP = {
        "preset": "Endpoint paths of the store product, relative to the store URL.",
        "method": "gsp (Graph Store Protocol PUT), update (SPARQL Update) or auto (gsp where the preset has it).",
        "auth": "HTTP authentication scheme for the user and password: basic or digest.",
        "chunk": "Triples per INSERT DATA (update method).",
        "connect_timeout": "Seconds to open a connection to the store.",
        "read_timeout": "Seconds to wait for the store's answer to one request.",
    }


def timeout_message(exc: requests.RequestException, connect: float, read: float) -> str | None:
    """What a time-out of a request was, in the same words for every client: ``None`` when ``exc``
    is not a time-out. A connect time-out can come wrapped in a ``ConnectionError`` (urllib3)."""
    import requests  # only the clients call this: the command line does not import the HTTP stack

    text = str(exc).lower()
    if isinstance(exc, requests.ConnectTimeout) or (
            isinstance(exc, requests.ConnectionError) and "connecttimeout" in text.replace(" ", "")):
        return f"no connection within {connect:g} s (connect_timeout)"
    if isinstance(exc, requests.Timeout) or (isinstance(exc, requests.ConnectionError) and "timed out" in text):
        return f"no answer within {read:g} s (read_timeout)"
    return None


# ---------------------------------------------------------------- store presets (kg publish --preset)
# Here, not in kg.upload, so that the command line offers them without importing the HTTP stack.

@dataclass(frozen=True)
class Preset:
    """Endpoint paths of a store product, relative to the URL given with ``--store``."""

    name: str
    query: str
    update: str
    gsp: str | None  # None: the store has no (writable) Graph Store Protocol endpoint
    url_example: str
    note: str = ""


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("oxigraph", "query", "update", "store", "http://localhost:7878/",
           "start it with `--union-default-graph` to query all graphs as the default graph"),
    Preset("fuseki", "query", "update", "data", "http://localhost:3030/DATASET/",
           "set `tdb2:unionDefaultGraph true` for union queries"),
    Preset("graphdb", "", "statements", "rdf-graphs/service", "http://localhost:7200/repositories/REPO/",
           "the default graph is the union of all graphs"),
    Preset("virtuoso", "sparql", "sparql-auth", "sparql-graph-crud-auth", "http://localhost:8890/",
           "writes need an account with SPARQL_UPDATE (`--auth digest`)"),
    Preset("qlever", "", "", None, "http://localhost:7001/",
           "SPARQL Update only, with the server's access token (`--token`)"),
)}
