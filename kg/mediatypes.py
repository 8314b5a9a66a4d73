"""Pure: the one table of media types. Every place that names a media type reads it from here: the
SPARQL endpoint's result and graph formats (``kg.results``, ``kg.server.negotiate``), a resource's
formats (content negotiation, the ``Link`` header, the pages' alternate links, the per-resource files of
the static site and their content-negotiation rules), the service description's format IRIs, and the
media types of the files the server hands out.

Adding a format is one row here (plus a writer where the format is new)."""
from __future__ import annotations

from dataclasses import dataclass

from kg.registry import GZ, GZ_MEDIA_TYPE, dump_media_types


@dataclass(frozen=True)
class MediaType:
    name: str                     # the format's short name: ``?format=`` / ``?_mediatype=`` accept it too
    sent: str                     # the media type sent in Content-Type
    accepted: tuple[str, ...]     # the media types an Accept header may name for it
    suffix: str = ""              # the file suffix of a resource's description in this format ("" none)
    label: str = ""               # its name for people (the pages' alternate links)
    results: bool = False         # a SPARQL results format (SELECT, ASK)
    graph: bool = False           # a graph format (CONSTRUCT, DESCRIBE, the service description)
    resource: bool = False        # a format of a resource's description (/id/...)
    static: bool = False          # written beside each page of the static site (``<name>.<suffix>``)
    format_iri: str = ""          # its IRI under http://www.w3.org/ns/formats/ (service description)


#: In the server's order of preference: on a tie (e.g. ``Accept: */*``) the first row wins.
TABLE: tuple[MediaType, ...] = (
    MediaType("json", "application/sparql-results+json", ("application/sparql-results+json", "application/json"),
              suffix=".json", label="JSON", results=True, format_iri="SPARQL_Results_JSON"),
    MediaType("xml", "application/sparql-results+xml",
              ("application/sparql-results+xml", "application/xml", "text/xml"),
              suffix=".xml", label="XML", results=True, format_iri="SPARQL_Results_XML"),
    MediaType("csv", "text/csv", ("text/csv",), suffix=".csv", label="CSV", results=True,
              format_iri="SPARQL_Results_CSV"),
    MediaType("tsv", "text/tab-separated-values", ("text/tab-separated-values",), suffix=".tsv", label="TSV",
              results=True, format_iri="SPARQL_Results_TSV"),
    MediaType("html", "text/html; charset=utf-8", ("text/html", "application/xhtml+xml"), suffix=".html",
              label="HTML", resource=True),
    MediaType("turtle", "text/turtle", ("text/turtle", "application/x-turtle"), suffix=".ttl", label="Turtle",
              graph=True, resource=True, static=True, format_iri="Turtle"),
    MediaType("jsonld", "application/ld+json", ("application/ld+json",), suffix=".jsonld", label="JSON-LD",
              graph=True, resource=True, static=True, format_iri="JSON-LD"),
    MediaType("ntriples", "application/n-triples", ("application/n-triples", "text/plain"), suffix=".nt",
              label="N-Triples", graph=True, resource=True, static=True, format_iri="N-Triples"),
    MediaType("rdfxml", "application/rdf+xml", ("application/rdf+xml",), suffix=".rdf", label="RDF/XML",
              graph=True, resource=True, format_iri="RDF_XML"),
)

BY_NAME: dict[str, MediaType] = {m.name: m for m in TABLE}


def _offers(rows: list[MediaType]) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {m.name: (m.sent, m.accepted) for m in rows}


#: format name -> (media type sent, media types accepted in Accept), as negotiation reads them
RESULT_TYPES = _offers([m for m in TABLE if m.results])
GRAPH_TYPES = _offers([m for m in TABLE if m.graph])
RESOURCE_TYPES = _offers([m for m in TABLE if m.resource])
#: a resource's file suffix -> format name (``/id/person/x.ttl``)
SUFFIXES = {m.suffix: m.name for m in TABLE if m.resource}
#: the formats written beside every page of the static site, and linked from it as alternates
STATIC_ALTERNATES: tuple[MediaType, ...] = tuple(m for m in TABLE if m.static)

#: media types of the files the server and the static site hand out, by file suffix: the dumps'
#: (from the dump-format table, ``kg.registry``), then the exports, the per-resource files and the
#: rest; ``.gz`` files are ``application/gzip``
FILE_TYPES: dict[str, str] = {
    **dump_media_types(), GZ: GZ_MEDIA_TYPE,
    ".nq": "application/n-quads", ".json": "application/json", ".jsonld": "application/ld+json",
    ".xml": "application/tei+xml", ".txt": "text/plain", ".rdf": "application/rdf+xml",
    ".html": "text/html", ".md": "text/markdown", ".cff": "application/yaml", ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
}
_TEXT = ("text/", "application/n-triples", "application/trig", "application/n-quads", "application/yaml")


def file_type(name: str) -> str:
    """The Content-Type of a published file, with ``charset=utf-8`` for the textual ones."""
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    media = FILE_TYPES.get(suffix, "application/octet-stream")
    if name == "SHA256SUMS":
        media = "text/plain"
    return media + "; charset=utf-8" if media.startswith(_TEXT) else media


def sent_type(fmt: str) -> str:
    """The Content-Type sent for the format ``fmt`` (with ``charset=utf-8`` unless it is XML)."""
    sent = BY_NAME[fmt].sent
    return sent if "charset" in sent or sent.endswith("+xml") else sent + "; charset=utf-8"


def override(value: str | None, offers: dict[str, tuple[str, tuple[str, ...]]]) -> str | None:
    """The format named by ``?format=`` or ``?_mediatype=`` (a short name such as ``csv`` or a media
    type such as ``text/csv``) among ``offers``, or None when it names none of them."""
    if value is None:
        return None
    v = value.strip().lower()
    if v in offers:
        return v
    v = v.split(";")[0].strip()
    return next((name for name, (_sent, accepted) in offers.items() if v in accepted), None)


def link_header(path: str, offers: dict[str, tuple[str, tuple[str, ...]]]) -> str:
    """An HTTP ``Link`` header listing ``path`` in each of ``offers`` (``rel="alternate"``, with type)."""
    return ", ".join(f'<{path}{BY_NAME[n].suffix}>; rel="alternate"; type="{BY_NAME[n].sent.split(";")[0]}"'
                     for n in offers)
