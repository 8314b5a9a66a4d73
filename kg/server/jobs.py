"""The messages between the server and its query workers."""
from __future__ import annotations

from dataclasses import dataclass

#: A worker's reply: ("ok", kind, format, body) or ("error", status, code, message, hint).
Reply = tuple


@dataclass(frozen=True)
class Job:
    query: str
    result_format: str          # json | xml | csv | tsv
    graph_format: str           # turtle | jsonld | ntriples | rdfxml
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10_000
    max_bytes: int = 10_000_000
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint's URL)
