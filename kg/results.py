"""Pure: SPARQL query results written as JSON, XML, CSV and TSV (SPARQL 1.1 Query Results formats),
from pyoxigraph terms."""
from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                 "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}


def _json_term(t) -> dict:  # noqa: ANN001
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                       "object": _json_term(t.object)}}


def _xml_text(value: str) -> str:
    """Character data that reads back as ``value``: an XML parser turns a raw carriage return into a
    line feed (XML 1.0, 2.11), so it is written as a character reference; and white space at either
    end is written as references too, since some results parsers (pyoxigraph's) trim it from text."""
    text = escape(value, {"\r": "&#13;"})
    core = text.strip(" \t\n")
    if core == text:
        return text
    start = text.find(core) if core else len(text)
    end = start + len(core)
    return _refs(text[:start]) + core + _refs(text[end:])


def _refs(space: str) -> str:
    return "".join(f"&#{ord(c)};" for c in space)


def _xml_term(t) -> str:  # noqa: ANN001
    if isinstance(t, ox.NamedNode):
        return f"<uri>{_xml_text(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{_xml_text(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{_xml_text(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{_xml_text(t.value)}</literal>"
        return f"<literal>{_xml_text(t.value)}</literal>"
    return f"<literal>{_xml_text(str(t))}</literal>"


def _csv_field(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _tsv_term(t) -> str:  # noqa: ANN001
    if t is None:
        return ""
    return str(t)  # pyoxigraph prints N-Triples/Turtle syntax, which is what TSV results use


def write_select(variables: list[str], rows: list[list], fmt: str) -> bytes:
    """SELECT results in ``fmt`` (json, xml, csv, tsv)."""
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                      for v, t in zip(variables, row) if t is not None]
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode()
    if fmt == "csv":
        lines = [",".join(_csv_field(v) for v in variables)]
        # an IRI or a literal is its bare value; a blank node is _:label (SPARQL 1.1 Query Results CSV, 2)
        lines += [",".join("" if t is None else _csv_field(str(t) if isinstance(t, (ox.BlankNode, ox.Triple)) else t.value)
                           for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(fmt)


def write_ask(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if fmt == "csv":
        return b"_askResult\r\n" + (b"true\r\n" if value else b"false\r\n")
    return b"?_askResult\n" + (b"true\n" if value else b"false\n")


def write_graph(triples: list, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in ``fmt`` (turtle, jsonld, ntriples, rdfxml)."""
    kwargs = {"prefixes": prefixes} if prefixes and fmt in ("turtle", "rdfxml") else {}
    return ox.serialize(triples, format=GRAPH_FORMATS[fmt], **kwargs) or b""
