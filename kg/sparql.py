"""Pure: the query policy. A query is checked and refused *before* it is evaluated when it could
write, or reach the network (SERVICE, LOAD, FROM / FROM NAMED of graphs the store does not hold),
or when its groups nest deeper than ``MAX_DEPTH`` (pyoxigraph crashes on about 3,000 levels).

Design (docs/security.md): the policy and the engine must read the *same* text the *same* way.

1. **Canonicalise.** SPARQL 1.1 §19.2 decodes the codepoint escapes ``\\uXXXX`` and
   ``\\UXXXXXXXX`` anywhere in the query, before parsing. ``canonical()`` does exactly that, once,
   and refuses a result that still holds such an escape (``\\u005Cu0022`` decodes to ``\\u0022``),
   a surrogate or a NUL. The caller then runs the canonical string, never the original: the engine
   (which decodes escapes only inside literals and IRIs) sees no escape at all, so the two readings
   cannot differ.
2. **Scan by the grammar's terminals.** ``_scan`` is a hand-written state machine over the
   terminals of SPARQL 1.1 §19.8: the four string kinds with ECHAR, IRIREF, PNAME_NS / PNAME_LN
   (PLX = PERCENT | PN_LOCAL_ESC, so ``ex:a\\#`` is one name, not a name and a comment), VAR1 /
   VAR2, BLANK_NODE_LABEL, LANGTAG, numbers, comments, keywords (case-insensitive) and
   punctuation. Each terminal is matched by its own small pattern at the current position (no
   pattern spans two tokens except the fast path below); anything that is no terminal is refused.
   On the tokens it finds SERVICE, updates (LOAD among them), FROM / FROM NAMED targets, PREFIX /
   BASE declarations and the bracket depth. One pass, no token list: linear time and memory.
3. **Fast path.** Between significant tokens, one compiled pattern of atomic alternatives skips
   runs of tokens the policy never needs (whitespace, comments, plain variables, numbers, plain
   strings, IRIs and plain prefixed names, operators); each alternative is a whole terminal, ended
   where the grammar ends it, else the slow path takes over. A test checks both paths agree.

Where ``<`` can be read both as an IRI and as less-than (``?a<?b&&?c>?d``), the scanner reads an
IRI, like the grammar's longest match; nothing can hide there, since an IRIREF holds no space,
``{`` or ``<``, and SERVICE needs a target and a ``{`` after it."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from kg.errors import MissingSourceError, QueryError, SourceError

#: Deepest nesting of ``{``, ``(`` and ``[`` together that a query may have (docs/security.md).
MAX_DEPTH = 64

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


class PolicyError(QueryError):
    """A well-formed request the endpoint refuses on principle (an update, SERVICE, a graph it
    does not hold). ``code`` is the error code the server answers with."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


class MalformedQuery(QueryError):
    """A query the policy cannot read as SPARQL (``code``: malformed_query or nesting_too_deep)."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


# --- 1. canonical text ------------------------------------------------------------------------
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"{line}:{pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


def canonical(text: str) -> str:
    """The query with its codepoint escapes decoded (SPARQL 1.1 §19.2): the one text to check and
    run. Refused (``MalformedQuery``): an escape of a surrogate or beyond U+10FFFF, a NUL, and a
    decoded text that still holds an escape sequence (policy and engine could read it apart)."""
    def repl(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code == 0:
            raise MalformedQuery("malformed_query", f"invalid codepoint escape {m.group(0)!r} at {_where(text, m.start())}")
        return chr(code)

    out = _ESCAPE.sub(repl, text) if "\\" in text else text
    if "\x00" in out:
        raise MalformedQuery("malformed_query", f"the query contains a NUL character at {_where(out, out.index(chr(0)))}")
    again = _ESCAPE.search(out)
    if again:
        raise MalformedQuery("malformed_query",
                             f"after decoding its \\u escapes the query still holds the escape {again.group(0)!r} "
                             f"at {_where(out, again.start())}",
                             "Write the character itself: escapes are decoded once, and an escape that "
                             "spells another escape is refused.")
    return out


# --- 2. terminals (SPARQL 1.1 §19.8) ----------------------------------------------------------
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PN_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_PNAME = re.compile(f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?")
_WORD = re.compile(f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?")  # a keyword, unless a ':' follows (a PNAME)
_KEYWORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_VAR = re.compile(f"[?$][{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*")
_BNODE = re.compile(f"_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?")
_LANGTAG = re.compile(r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_NUMBER = re.compile(r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+"
                     r"|[0-9]*\.[0-9]+|[0-9]+")
_ECHAR = r"\\[tbnrf\\\"']"
_STRINGS = {
    '"""': re.compile(f'"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}))*"""'),
    "'''": re.compile(f"'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}))*'''"),
    '"': re.compile(f'"(?:[^"\\\\\\n\\r]|{_ECHAR})*"'),
    "'": re.compile(f"'(?:[^'\\\\\\n\\r]|{_ECHAR})*'"),
}
_COMMENT = re.compile(r"#[^\r\n]*")
_NIL = re.compile(r"\([ \t\r\n]*\)|\[[ \t\r\n]*\]")
_WS = frozenset(" \t\r\n")
_OPS = ("&&", "||", "^^", "<=", ">=", "!=")
_PUNCT = frozenset(".,;*=!+-/|^<>?")
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")
# Oxigraph matches a keyword without looking at what follows it: it reads ``SERVICE:x``,
# ``SERVICEex:x`` and (after an object) ``trueSERVICE:x`` as keywords and a name, where the grammar
# reads one prefixed name. So a word or a prefix that *contains* these keywords is refused.
_GLUED = ("SERVICE", "FROM")

# The fast path: a run of whole terminals the policy never needs. Every alternative is atomic and
# ends where the grammar ends that terminal (a lookahead refuses a longer reading), else the
# run stops and the slow path reads the token.
_FAST = re.compile(
    r"(?:[ \t\r\n]++"
    r"|#[^\r\n]*+"
    r"|[?$][A-Za-z0-9_]++(?![^\x00-\x7f])"
    r"|[0-9]++(?:\.[0-9]++)?+(?![.eE0-9A-Za-z_])"
    r'|"(?!"")[^"\\\n\r]*+"'
    r"|'(?!'')[^'\\\n\r]*+'"
    r'|<[^<>"{}|^`\\\x00-\x20]*+>'
    r"|(?![A-Za-z0-9_\-]*(?:[sS][eE][rR][vV][iI][cC][eE]|[fF][rR][oO][mM]))(?:[A-Za-z][A-Za-z0-9_\-]*+)?+:(?:[A-Za-z0-9_:][A-Za-z0-9_\-:]*+)?+(?![^\x00-\x7f]|[A-Za-z0-9_\-.:%\\])"
    r"|[,;*=!+\-/|^]|&&|\.(?![0-9])|>=?+|\([ \t\r\n]*+\)|\[[ \t\r\n]*+\]"
    r")*+")


@dataclass(frozen=True)
class Token:
    kind: str   # word, pname, iri, var, bnode, string, langtag, number, punct, open, close
    text: str


@dataclass(frozen=True)
class QueryInfo:
    """What the policy learnt of an allowed query. ``query`` is the canonical text: run that."""

    form: str | None
    has_from: bool = False  # the query names its own dataset (FROM / FROM NAMED)
    query: str = ""
    depth: int = 0


_SERVICE_HINT = "Query the other endpoint yourself and combine the results."
_UPDATE_HINT = "Send a SELECT, ASK, CONSTRUCT or DESCRIBE query."
_GRAPH_HINT = ("Name one of the store's graphs (see the service description at /sparql), use GRAPH, or the "
               "default-graph-uri / named-graph-uri parameters.")


def _scan(text: str, local_graphs: frozenset[str], prefixes: dict[str, str], base: str | None,
          out: list[Token] | None = None, fast_path: bool = True) -> QueryInfo:
    """One pass over canonical ``text``: refuse what the policy refuses, return what it learnt.
    With ``out``, the fast path and the policy are off and every token (but whitespace and
    comments) is appended; ``fast_path=False`` reads every token on the slow path (for tests)."""
    n = len(text)
    i = 0
    depth = max_depth = 0
    form: str | None = None
    has_from = False
    expect = ""          # "" | from | target | prefix_name | prefix_iri | base_iri
    from_kw = ""
    prefix_name = ""
    fast = _FAST.match if out is None and fast_path else None
    while True:
        if fast is not None and not expect:
            i = fast(text, i).end()
        if i >= n:
            break
        c = text[i]
        start = i
        if c in _WS:
            i += 1
            continue
        if c == "#":
            i = _COMMENT.match(text, i).end()
            continue
        kind = ""
        if c in _OPEN:
            m = _NIL.match(text, i)
            if m is not None:   # NIL '(' WS* ')' and ANON '[' WS* ']' are single terminals
                i = m.end()
                if out is not None:
                    out.append(Token("nil", text[start:i]))
                continue
            depth += 1
            if depth > MAX_DEPTH:
                raise MalformedQuery("nesting_too_deep",
                                     f"the query nests brackets more than {MAX_DEPTH} deep (at {_where(text, i)})",
                                     f"Groups, parentheses and brackets may nest at most {MAX_DEPTH} levels.")
            if depth > max_depth:
                max_depth = depth
            i += 1
            kind = "open"
        elif c in _CLOSE:
            if depth:
                depth -= 1
            i += 1
            kind = "close"
        elif c == '"' or c == "'":
            pat = _STRINGS[c * 3] if text.startswith(c * 3, i) else _STRINGS[c]
            m = pat.match(text, i)
            if m is None:
                raise _malformed(text, i, "an unterminated string or a bad escape in a string")
            i = m.end()
            kind = "string"
        elif c == "<":
            m = _IRIREF.match(text, i)
            if m is not None:
                i = m.end()
                kind = "iri"
            else:
                i += 2 if text.startswith("<=", i) else 1
                kind = "punct"
        elif c == "?" or c == "$":
            m = _VAR.match(text, i)
            if m is not None:
                i = m.end()
                kind = "var"
            elif c == "?":
                i += 1
                kind = "punct"
            else:
                raise _malformed(text, i, "'$' without a variable name")
        elif c == "_":
            m = _BNODE.match(text, i)
            if m is None:
                raise _malformed(text, i, "'_' that does not start a blank node label")
            i = m.end()
            kind = "bnode"
        elif c == "@":
            m = _LANGTAG.match(text, i)
            if m is None:
                raise _malformed(text, i, "'@' without a language tag")
            i = m.end()
            kind = "langtag"
        elif "0" <= c <= "9" or (c == "." and i + 1 < n and "0" <= text[i + 1] <= "9"):
            i = _NUMBER.match(text, i).end()
            kind = "number"
        elif c == ":":
            m = _PNAME.match(text, i)
            i = m.end()
            kind = "pname"
        elif text.startswith(_OPS, i):
            i += 2
            kind = "punct"
        elif c in _PUNCT:
            i += 1
            kind = "punct"
        else:
            m = _WORD.match(text, i)
            if m is None:
                raise _malformed(text, i, f"the character {c!r}")
            if m.end() < n and text[m.end()] == ":":
                i = _PNAME.match(text, i).end()
                kind = "pname"
            else:
                if _KEYWORD.fullmatch(text, i, m.end()) is None:
                    raise _malformed(text, i, f"the word {m.group()!r}")
                i = m.end()
                kind = "word"
        tok = text[start:i]
        if out is not None:
            out.append(Token(kind, tok))
            continue
        # --- structure -------------------------------------------------------------------------
        up = tok.upper() if kind == "word" else ""
        if expect:
            if expect == "from" and up == "NAMED":
                from_kw, expect = "FROM NAMED", "target"
                continue
            if expect in ("from", "target"):
                iri = _resolve(kind, tok, prefixes, base)
                if iri is None or iri not in local_graphs:
                    raise PolicyError("unknown_graph",
                                  f"{from_kw} {tok} is not allowed: only the graphs this store holds can be named "
                                  "(no remote graph is fetched)", _GRAPH_HINT)
                expect = ""
                continue
            if expect == "prefix_name":
                prefix_name, expect = (tok[:-1], "prefix_iri") if kind == "pname" and tok.endswith(":") else ("", "")
                if expect:
                    continue
            elif expect == "prefix_iri":
                expect = ""
                if kind == "iri":
                    prefixes[prefix_name] = _join(base, tok[1:-1])
                    continue
            elif expect == "base_iri":
                expect = ""
                if kind == "iri":
                    base = _join(base, tok[1:-1])
                    continue
        if kind == "pname":
            up = tok.partition(":")[0].upper()
            if not any(k in up for k in _GLUED):
                continue
        if not up:
            continue
        if "SERVICE" in up and (kind == "pname" or up != "SERVICE"):
            raise PolicyError("service_refused", f"{tok!r} is read by the engine as SERVICE followed by a name: federated "
                          "queries (SERVICE) are not allowed", _SERVICE_HINT + " Rename a prefix that contains 'service'.")
        if "FROM" in up and (kind == "pname" or up != "FROM"):
            raise MalformedQuery("malformed_query", f"{tok!r} at {_where(text, start)} is read by the engine as FROM "
                                 "followed by a name", "Put a space after FROM; rename a prefix that contains 'from'.")
        if kind == "pname":
            continue
        if up in UPDATE_KEYWORDS:
            raise PolicyError("update_refused", f"updates are not allowed here ({up}): the graph is read-only", _UPDATE_HINT)
        if up == "SERVICE":
            raise PolicyError("service_refused", "federated queries (SERVICE) are not allowed: this endpoint never "
                          "makes outbound requests", _SERVICE_HINT)
        if up == "FROM":
            has_from, from_kw, expect = True, "FROM", "from"
        elif up == "PREFIX":
            expect = "prefix_name"
        elif up == "BASE":
            expect = "base_iri"
        elif form is None and up in FORMS:
            form = up
    if expect in ("from", "target"):
        raise PolicyError("unknown_graph", f"{from_kw} without a graph IRI", _GRAPH_HINT)
    return QueryInfo(form, has_from, text, max_depth)


def _malformed(text: str, pos: int, what: str) -> MalformedQuery:
    return MalformedQuery("malformed_query", f"malformed query at {_where(text, pos)}: {what} is no SPARQL token",
                          "Check the query's syntax at that line and column.")


def _join(base: str | None, iri: str) -> str:
    return urljoin(base, iri) if base else iri


def _resolve(kind: str, tok: str, prefixes: dict[str, str], base: str | None) -> str | None:
    if kind == "iri":
        return _join(base, tok[1:-1])
    if kind == "pname":
        prefix, _, local = tok.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def tokens(text: str) -> list[Token]:
    """Every token of the canonical query (without whitespace and comments), as the policy reads
    it (no policy applied; text that is no SPARQL token or nests too deep still raises)."""
    out: list[Token] = []
    _scan(canonical(text), frozenset(), {}, None, out)
    return out


def check_query(text: str, local_graphs: Iterable[str] | None = None,
                prefixes: dict[str, str] | None = None, base_iri: str | None = None,
                *, _fast_path: bool = True) -> QueryInfo:
    """Raise ``PolicyError`` for an update, SERVICE, or FROM / FROM NAMED of a graph not in
    ``local_graphs`` (without them every FROM is refused); ``MalformedQuery`` for text that is
    no SPARQL or nests deeper than ``MAX_DEPTH``. Return what was learnt, with the canonical
    text in ``query``: the caller runs that string, never ``text``. ``base_iri`` resolves
    relative IRIs (as the engine is told to)."""
    return _scan(canonical(text), frozenset(local_graphs or ()), dict(prefixes or {}), base_iri,
                 fast_path=_fast_path)


def read_query_file(path: Path) -> str:
    """The text of a query file; a missing file, a folder or bytes that are not UTF-8 are a
    ``SourceError`` naming the file (exit 2, one line)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise MissingSourceError(f"{path}: no such query file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a folder, not a query file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(f"{path}:{line}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
