"""Pure: deterministic serialisations written by hand (sorted, fixed prefixes, no blank nodes), so
that the same graph always gives the same bytes, whatever rdflib's internal order."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.namespaces import PREFIXES

_PN_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_NT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_CONTROL = re.compile('[\\\\"\x00-\x1f\x7f]')


def _escape(value: str) -> str:
    return _CONTROL.sub(lambda m: _NT_ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), value)


def nt_term(term) -> str:  # noqa: ANN001
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        body = f'"{_escape(str(term))}"'
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{body}^^<{term.datatype}>"
        return body
    if isinstance(term, BNode):
        raise ValueError("published graphs have no blank nodes; skolemise first")
    raise TypeError(f"not an RDF term: {term!r}")


def ntriples(graph: Iterable) -> bytes:
    """Canonical, sorted N-Triples."""
    lines = sorted({f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in graph})
    return "".join(lines).encode("utf-8")


def nquads(graphs: dict[str, Graph]) -> bytes:
    lines = sorted({f"{nt_term(s)} {nt_term(p)} {nt_term(o)} <{name}> .\n"
                    for name, g in graphs.items() for s, p, o in g})
    return "".join(lines).encode("utf-8")


class Namer:
    """Compacts IRIs with the fixed prefixes and a base for the dataset's own resources."""

    def __init__(self, base_iri: str) -> None:
        self.id_base = base_iri + "id/"
        prefixes = dict(PREFIXES)
        prefixes["kg"] = self.id_base
        self.prefixes = prefixes
        self._by_length = sorted(((ns, p) for p, ns in prefixes.items() if p != "kg"), key=lambda x: -len(x[0]))
        self._all = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))

    def curie(self, iri: str) -> str | None:
        for ns, prefix in self._by_length:
            if iri.startswith(ns):
                local = iri[len(ns):]
                if _PN_LOCAL.match(local):
                    return f"{prefix}:{local}"
                return None
        return None

    def compact(self, iri: str) -> str:
        """JSON-LD compact IRI: any prefix, any suffix that does not start with '//'."""
        for ns, prefix in self._all:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def turtle(self, term) -> str:  # noqa: ANN001
        if isinstance(term, URIRef):
            iri = str(term)
            curie = self.curie(iri)
            if curie:
                return curie
            if iri.startswith(self.id_base) and ">" not in iri:
                return f"<{iri[len(self.id_base):]}>"
            return f"<{iri}>"
        if isinstance(term, Literal):
            body = f'"{_escape(str(term))}"'
            if term.language:
                return f"{body}@{term.language}"
            if term.datatype and term.datatype != XSD.string:
                return f"{body}^^{self.curie(str(term.datatype)) or '<' + str(term.datatype) + '>'}"
            return body
        return nt_term(term)


def _sort_key(term) -> tuple:  # noqa: ANN001
    return (0 if isinstance(term, URIRef) else 1, str(term), str(getattr(term, "datatype", "") or ""),
            str(getattr(term, "language", "") or ""))


def _subject_blocks(graph: Graph, namer: Namer, indent: str = "") -> list[str]:
    by_subject: dict = defaultdict(lambda: defaultdict(set))
    for s, p, o in graph:
        by_subject[s][p].add(o)
    blocks = []
    for s in sorted(by_subject, key=_sort_key):
        preds = by_subject[s]
        order = sorted(preds, key=lambda p: (p != RDF.type, str(p)))
        parts = []
        for p in order:
            objs = ", ".join(namer.turtle(o) for o in sorted(preds[p], key=_sort_key))
            parts.append(f"{indent}    {'a' if p == RDF.type else namer.turtle(p)} {objs}")
        blocks.append(f"{indent}{namer.turtle(s)}\n" + " ;\n".join(parts) + " .\n")
    return blocks


def _header(namer: Namer, used: set[str] | None = None) -> str:
    lines = [f"@base <{namer.id_base}> ."]
    for prefix, ns in namer.prefixes.items():
        if used is None or prefix in used:
            lines.append(f"@prefix {prefix}: <{ns}> .")
    return "\n".join(lines) + "\n\n"


def turtle(graph: Graph, base_iri: str) -> bytes:
    namer = Namer(base_iri)
    return (_header(namer) + "\n".join(_subject_blocks(graph, namer))).encode("utf-8")


def trig(graphs: dict[str, Graph], base_iri: str) -> bytes:
    """TriG with one block per named graph, graphs in name order."""
    namer = Namer(base_iri)
    out = [_header(namer)]
    for name in sorted(graphs):
        body = "\n".join(_subject_blocks(graphs[name], namer, indent="    "))
        out.append(f"{namer.turtle(URIRef(name))} {{\n{body}}}\n\n")
    return "".join(out).encode("utf-8")


def jsonld_context(base_iri: str) -> dict:
    namer = Namer(base_iri)
    return {"@version": 1.1, **{p: ns for p, ns in namer.prefixes.items()}}


def _jsonld_value(term, namer: Namer):  # noqa: ANN001, ANN202
    if isinstance(term, URIRef):
        return {"@id": namer.compact(str(term))}
    if term.language:
        return {"@value": str(term), "@language": term.language}
    if term.datatype and term.datatype != XSD.string:
        return {"@value": str(term), "@type": namer.compact(str(term.datatype))}
    return str(term)


def jsonld(graph: Graph, base_iri: str) -> bytes:
    """Compacted JSON-LD using the project's own (embedded) context; never a remote one."""
    namer = Namer(base_iri)
    by_subject: dict = defaultdict(lambda: defaultdict(set))
    for s, p, o in graph:
        by_subject[s][p].add(o)
    nodes = []
    for s in sorted(by_subject, key=_sort_key):
        node: dict = {"@id": namer.compact(str(s))}
        preds = by_subject[s]
        types = sorted(preds.get(RDF.type, ()), key=_sort_key)
        if types:
            node["@type"] = [namer.compact(str(t)) for t in types]
        for p in sorted((p for p in preds if p != RDF.type), key=str):
            key = namer.compact(str(p))
            node[key] = [_jsonld_value(o, namer) for o in sorted(preds[p], key=_sort_key)]
        nodes.append(node)
    doc = {"@context": jsonld_context(base_iri), "@graph": nodes}
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")
