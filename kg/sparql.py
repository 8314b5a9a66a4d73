"""Pure: the query policy. A query is checked and refused *before* it is evaluated when it could
write, or reach the network (SERVICE, LOAD, FROM / FROM NAMED of graphs the store does not hold):
the engines we use would otherwise make the request (../shared/TRAPS.md).

The check works on the query's tokens, the way the SPARQL grammar sees them: codepoint escapes
(``\\u0053ERVICE``) are decoded first (SPARQL 1.1 §19.2 applies them before parsing), then strings,
IRIs and comments are set aside, and variables and prefixed names (``?service``, ``ex:from``) are
not keywords. What remains are the query's own words; a keyword such as SERVICE cannot be written
in any other way, so the check errs only on the side of refusing. A test cross-checks it against
rdflib's SPARQL algebra."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kg.errors import QueryError

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*')"
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<comment>#[^\n\r]*)"
    r"|(?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)"
    r"|(?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:(?:[\w\-.:%\\\u00b7\u00c0-\uffff]*))"
    r"|(?P<word>[A-Za-z_][\w\-]*)"
    r"|(?P<other>\S)", re.S)
_PREFIX_DECL = re.compile(r"^([A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:$")

class PolicyError(QueryError):
    """A well-formed request the endpoint refuses on principle (an update, SERVICE, a remote FROM)."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def decode_escapes(text: str) -> str:
    """Apply SPARQL's codepoint escapes (\\uXXXX, \\UXXXXXXXX) as the grammar does before parsing."""
    def repl(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"invalid codepoint escape {m.group(0)!r} in the query")
        return chr(code)
    return _ESCAPE.sub(repl, text)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(text: str) -> list[Token]:
    """The query's tokens, without comments (after codepoint escapes are decoded)."""
    out = []
    for m in _TOKEN.finditer(decode_escapes(text)):
        kind = m.lastgroup or "other"
        if kind != "comment":
            out.append(Token(kind, m.group()))
    return out


@dataclass(frozen=True)
class QueryInfo:
    """What the policy learnt of an allowed query: its form (SELECT, ASK, CONSTRUCT, DESCRIBE)."""

    form: str | None
    has_from: bool = False  # the query names its own dataset (FROM / FROM NAMED)


def check_query(text: str, local_graphs: Iterable[str] | None = None,
                prefixes: dict[str, str] | None = None) -> QueryInfo:
    """Raise ``QueryError`` for an update or a query that would reach the network; return the
    query's form. ``FROM`` / ``FROM NAMED`` are allowed only for the graph IRIs in
    ``local_graphs`` (the store's own named graphs); without ``local_graphs`` every FROM is
    refused."""
    toks = tokens(text)
    words = [t.text.upper() for t in toks if t.kind == "word"]
    for w in words:
        if w in UPDATE_KEYWORDS:
            raise PolicyError("update_refused", f"updates are not allowed here ({w}): the graph is read-only",
                             hint="Send a SELECT, ASK, CONSTRUCT or DESCRIBE query.")
    if "SERVICE" in words:
        raise PolicyError("service_refused", "federated queries (SERVICE) are not allowed: this endpoint never makes outbound requests",
                         hint="Query the other endpoint yourself and combine the results.")
    known = dict(prefixes or {})
    allowed = set(local_graphs or ())
    for i, tok in enumerate(toks):
        up = tok.text.upper() if tok.kind == "word" else ""
        if up == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            name = toks[i + 1].text
            if _PREFIX_DECL.match(name):
                known[name[:-1]] = toks[i + 2].text[1:-1]
        if up != "FROM":
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "NAMED":
            j += 1
        target = toks[j] if j < len(toks) else None
        iri = _resolve(target, known)
        if iri is None or iri not in allowed:
            raise PolicyError(
                "from_refused", f"FROM {target.text if target else ''} is not allowed: only the graphs this store holds can be "
                "named (no remote graphs are fetched)",
                hint="Name one of the store's graphs (see the service description at /sparql), use GRAPH, or the "
                     "default-graph-uri / named-graph-uri parameters.")
    form = next((w for w in words if w in FORMS), None)
    return QueryInfo(form, "FROM" in words)


def _resolve(tok: Token | None, prefixes: dict[str, str]) -> str | None:
    if tok is None:
        return None
    if tok.kind == "iri":
        return tok.text[1:-1]
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None
