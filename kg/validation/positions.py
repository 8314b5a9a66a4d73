"""Pure: where things are in a Turtle file. rdflib's parsers keep no positions, so this is our own
small pass over the source text: a tokenizer and a recursive-descent reader of the Turtle grammar
that records where each subject's block starts and where each predicate-object pair sits.

It never decides whether the file is valid (rdflib's parser does that first and names syntax
errors); on input it cannot follow it stops quietly and keeps what it has read so far.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.text import line_of


@dataclass(frozen=True)
class Place:
    """A place in a file: 1-based line and column."""

    path: Path
    line: int
    column: int


@dataclass(frozen=True)
class Anon:
    """A blank node of the source: ``[ … ]`` (named by where it opens) or ``_:label``."""

    path: Path
    key: str


Subject = URIRef | Anon
Object = URIRef | Anon | Literal


@dataclass(frozen=True)
class Statement:
    subject: Subject
    predicate: URIRef
    object: Object
    at: Place  # the predicate (the start of the line a reader looks for)
    object_at: Place  # the object (for one of several objects on a line)


@dataclass
class SourceIndex:
    """Every subject block and statement of some Turtle files, by subject."""

    lines: dict[Path, list[str]] = field(default_factory=dict)
    blocks: dict[Subject, list[Place]] = field(default_factory=lambda: defaultdict(list))
    statements: dict[Subject, list[Statement]] = field(default_factory=lambda: defaultdict(list))
    parents: dict[Anon, Statement] = field(default_factory=dict)  # the statement a [ ] block is the object of

    def add_file(self, path: Path, text: str, base: str | None = None) -> None:
        """Index ``text``, the content of ``path`` (relative IRIs resolved against ``base``, by
        default the file's own IRI)."""
        self.lines[path] = text.split("\n")  # not splitlines(): a literal may hold U+2028 or U+0085
        _Reader(path, text, self, base).read()

    def source_line(self, place: Place) -> str:
        lines = self.lines.get(place.path, [])
        return lines[place.line - 1] if 0 < place.line <= len(lines) else ""

    def all_statements(self):  # noqa: ANN201
        for items in self.statements.values():
            yield from items

    def find(self, subject: Subject, predicate: URIRef | None = None) -> list[Statement]:
        return [s for s in self.statements.get(subject, ()) if predicate is None or s.predicate == predicate]


# ------------------------------------------------------------------ tokenizer

# The tokens' patterns, each alternative named by its kind: ``_token()`` (all of them, in order) and
# ``_NESTING`` (only those that can hold a bracket, and the brackets) are made of the same strings.
_COMMENT = r"(?P<comment>\#[^\n]*)"
_IRI = r"""(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)"""
_LONG = r"""(?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')"""
_STRING = r"""(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
_PUNCT = r"(?P<punct>[\[\]();,.])"
_REST = r"""
  | (?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<dt>\^\^)
  | (?P<bnode>_:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)
  | (?P<number>[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+))
  | """ + _PUNCT + r"""
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF\U00010000-\U000EFFFF][A-Za-z0-9_\-.\u00B7\u00C0-\uFFFF\U00010000-\U000EFFFF]*)?:(?:(?:[A-Za-z0-9_:\u00C0-\uFFFF\U00010000-\U000EFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])(?:(?:[A-Za-z0-9_\-.:\u00B7\u00C0-\uFFFF\U00010000-\U000EFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*(?:[A-Za-z0-9_\-:\u00B7\u00C0-\uFFFF\U00010000-\U000EFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%]))?)?)
  | (?P<word>[A-Za-z][A-Za-z0-9_\-]*)
  | (?P<other>.)
"""


@functools.cache
def _token() -> re.Pattern:
    """The tokenizer's pattern, compiled the first time it is needed: its local names' character
    classes (every character from U+00C0 on) take ``re`` some 11 ms to compile, and a build that
    reads only well-formed files needs only ``_NESTING``."""
    return re.compile(r"(?P<ws>[ \t\r\n]+) | " + " | ".join((_COMMENT, _IRI, _LONG, _STRING)) + _REST,
                      re.VERBOSE | re.DOTALL)


#: What ``too_deep`` reads: the tokens that can hold a bracket (comments, IRIs, strings, matched as
#: the tokenizer matches them), the brackets, and a backslash outside them (``bare``). No other token
#: holds any of these characters, unless a local name escapes one with a backslash (``ex:a\(``):
#: so up to the first bare backslash these are the tokenizer's very tokens, found by search.
_NESTING = re.compile(" | ".join((_COMMENT, _IRI, _LONG, _STRING, r"(?P<punct>[\[\]()])", r"(?P<bare>\\)")),
                      re.VERBOSE | re.DOTALL)

_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def _unescape(body: str) -> str:
    if "\\" not in body:  # most strings and IRIs: nothing to replace
        return body

    def sub(m: re.Match) -> str:
        s = m.group(0)
        if s[1] in "uU":
            return chr(int(s[2:], 16))
        return _ESCAPES.get(s[1], s[1])
    return _ESCAPE.sub(sub, body)


class _Tok(NamedTuple):
    """A token: a tuple (a frozen dataclass's constructor was an eighth of indexing a corpus's files)."""

    kind: str
    text: str
    line: int
    column: int


def tokenize(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    append, tok = out.append, _Tok
    line, line_start = 1, 0
    for m in _token().finditer(text):
        kind = m.lastgroup or "other"
        value = m.group()
        if kind != "ws" and kind != "comment":
            append(tok(kind, value, line, m.start() - line_start + 1))
        if "\n" in value:
            line += value.count("\n")
            line_start = m.start() + value.rfind("\n") + 1
    return out


def too_deep(text: str, limit: int) -> tuple[int, int] | None:
    """The line and column of the first ``[`` or ``(`` nested deeper than ``limit``, if any: the
    brackets of ``tokenize``'s punctuation tokens. Read with ``_NESTING`` (a bracket's depth needs
    only the tokens that can hold one), or, from the start again, with the tokenizer's own pattern
    when a backslash stands outside them."""
    if text.count("[") + text.count("(") <= limit:
        return None  # cannot be deeper: no need to tokenize
    found = _deepest(text, limit, _NESTING)
    return _deepest(text, limit, _token()) if found is _BARE else found


_BARE = object()  # what ``_deepest`` gives when a backslash stands outside the small pattern's tokens


def _deepest(text: str, limit: int, pattern: re.Pattern):  # noqa: ANN202 - a place, None or _BARE
    depth = 0
    for m in pattern.finditer(text):  # the tokens, without making each (a third of the time)
        kind = m.lastgroup
        if kind != "punct":
            if kind == "bare":
                return _BARE
            continue
        at = m.start()
        if text[at] in "[(":
            depth += 1
            if depth > limit:
                return line_of(text, at), at - text.rfind("\n", 0, at)
        elif text[at] in "])":
            depth -= 1
    return None


# ------------------------------------------------------------------ reader

class _Stop(Exception):
    pass


class _Reader:
    def __init__(self, path: Path, text: str, index: SourceIndex, base: str | None = None) -> None:
        self.path = path
        self.toks = tokenize(text)
        self.i = 0
        self.index = index
        self.prefixes: dict[str, str] = {}
        self.base = base or (path.resolve().as_uri() if path.is_absolute() or path.exists() else str(path))

    # -- token helpers
    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise _Stop
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        if self.next().text != text:
            raise _Stop

    def place(self, tok: _Tok) -> Place:
        return Place(self.path, tok.line, tok.column)

    # -- terms
    def iri(self, tok: _Tok) -> URIRef:
        if tok.kind == "iri":
            return URIRef(resolve(self.base, _unescape(tok.text[1:-1])))
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix not in self.prefixes:
                raise _Stop
            if "\\" in local:
                local = _LOCAL_ESCAPE.sub(r"\1", local)
            return URIRef(self.prefixes[prefix] + local)
        if tok.kind == "word" and tok.text == "a":
            return RDF.type
        raise _Stop

    def read(self) -> None:
        try:
            while self.peek() is not None:
                self.statement()
        except (_Stop, RecursionError):  # nesting deeper than Python's stack: keep what was read
            return

    def statement(self) -> None:
        tok = self.next()
        low = tok.text.lower()
        if tok.text in ("@prefix", "@base") or (tok.kind == "word" and low in ("prefix", "base")):
            if low.endswith("prefix"):
                name = self.next()
                iri = self.next()
                if name.kind != "pname" or iri.kind != "iri":
                    raise _Stop
                self.prefixes[name.text[:-1]] = str(self.iri(iri))
            else:
                self.base = str(self.iri(self.next()))
            if tok.text.startswith("@"):
                self.expect(".")
            return
        if tok.kind == "lang":  # an unknown @directive
            raise _Stop
        if tok.text == "[":
            subject = self.blank_block(tok, parent=None)
            if self.peek() is not None and self.peek().text != ".":
                self.predicate_objects(subject)
        elif tok.text == "(":  # a list as subject
            subject = self.collection(tok)
            self.index.blocks[subject].append(self.place(tok))
            self.predicate_objects(subject)
        else:
            subject = self.subject(tok)
            self.index.blocks[subject].append(self.place(tok))
            self.predicate_objects(subject)
        self.expect(".")

    def subject(self, tok: _Tok) -> Subject:
        if tok.kind == "bnode":
            return Anon(self.path, tok.text)
        return self.iri(tok)

    def predicate_objects(self, subject: Subject) -> None:
        while True:
            tok = self.peek()
            if tok is None or tok.text in (".", "]"):
                return
            if tok.text == ";":
                self.next()
                continue
            pred_tok = self.next()
            predicate = self.iri(pred_tok)
            while True:
                obj_tok = self.next()
                stmt_place = self.place(pred_tok)
                obj = self.object(obj_tok, subject, predicate, stmt_place)
                if obj is not None:
                    self.add(Statement(subject, predicate, obj, stmt_place, self.place(obj_tok)))
                if self.peek() is not None and self.peek().text == ",":
                    self.next()
                    continue
                break
            if self.peek() is not None and self.peek().text == ";":
                self.next()
                continue
            return

    def add(self, st: Statement) -> None:
        self.index.statements[st.subject].append(st)

    def blank_block(self, open_tok: _Tok, parent: tuple[Subject, URIRef, Place] | None) -> Anon:
        node = Anon(self.path, f"[{open_tok.line}:{open_tok.column}]")
        self.index.blocks[node].append(self.place(open_tok))
        if parent is not None:
            st = Statement(parent[0], parent[1], node, parent[2], self.place(open_tok))
            self.add(st)
            self.index.parents[node] = st
        self.predicate_objects(node)
        self.expect("]")
        return node

    def object(self, tok: _Tok, subject: Subject, predicate: URIRef, at: Place) -> Object | None:
        if tok.text == "[":
            self.blank_block(tok, (subject, predicate, at))
            return None  # recorded by blank_block, before its contents
        if tok.text == "(":
            return self.collection(tok)
        if tok.kind == "bnode":
            return Anon(self.path, tok.text)
        if tok.kind in ("string", "long"):
            body = tok.text[3:-3] if tok.kind == "long" else tok.text[1:-1]
            lexical = _unescape(body)
            nxt = self.peek()
            if nxt is not None and nxt.kind == "lang":
                self.next()
                return Literal(lexical, lang=nxt.text[1:])
            if nxt is not None and nxt.kind == "dt":
                self.next()
                return Literal(lexical, datatype=self.iri(self.next()))
            return Literal(lexical)
        if tok.kind == "number":
            t = tok.text
            dt = XSD.double if "e" in t.lower() else XSD.decimal if "." in t else XSD.integer
            return Literal(t, datatype=dt)
        if tok.kind == "word" and tok.text in ("true", "false"):
            return Literal(tok.text, datatype=XSD.boolean)
        return self.iri(tok)


    def collection(self, open_tok: _Tok) -> Anon | URIRef:
        """A list ``( … )``: one cell per item, each with its rdf:first (at the item) and rdf:rest
        (at the next item, or at the closing parenthesis for rdf:nil). The list is its first cell,
        named by where it opens; ``()`` is rdf:nil."""
        key = f"({open_tok.line}:{open_tok.column})"
        cell: Anon | None = None
        first: Anon | URIRef = RDF.nil
        n = 0
        while self.peek() is not None and self.peek().text != ")":
            item = self.next()
            nxt = Anon(self.path, key if n == 0 else f"{key}#{n}")
            if cell is None:
                first = nxt
            else:
                self.add(Statement(cell, RDF.rest, nxt, self.place(item), self.place(item)))
            cell, n = nxt, n + 1
            at = self.place(item)
            obj = self.object(item, cell, RDF.first, at)
            if obj is not None:
                self.add(Statement(cell, RDF.first, obj, at, at))
        close = self.next()
        if close.text != ")":
            raise _Stop
        if cell is not None:
            self.add(Statement(cell, RDF.rest, RDF.nil, self.place(close), self.place(close)))
        return first


def resolve(base: str, ref: str) -> str:
    """``ref`` resolved against ``base`` as RFC 3986 §5.2 says (urljoin differs: it drops an empty
    fragment, ``bar#``, and some dot segments)."""
    r = _URI.match(ref).groups()  # type: ignore[union-attr]
    if r[0] is not None:
        scheme, authority, path, query = r[0], r[1], _remove_dots(r[2]), r[3]
    else:
        b = _URI.match(base).groups()  # type: ignore[union-attr]
        scheme = b[0]
        if r[1] is not None:
            authority, path, query = r[1], _remove_dots(r[2]), r[3]
        else:
            authority = b[1]
            if r[2] == "":
                path, query = b[2], r[3] if r[3] is not None else b[3]
            else:
                if r[2].startswith("/"):
                    path = _remove_dots(r[2])
                elif b[1] is not None and b[2] == "":
                    path = _remove_dots("/" + r[2])
                else:
                    path = _remove_dots(b[2][: b[2].rfind("/") + 1] + r[2])
                query = r[3]
    out = f"{scheme}:" if scheme is not None else ""
    if authority is not None:
        out += "//" + authority
    out += path
    if query is not None:
        out += "?" + query
    if r[4] is not None:
        out += "#" + r[4]
    return out


_URI = re.compile(r"^(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.DOTALL)


def _remove_dots(path: str) -> str:
    out: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:] if path.startswith("/../") else "/"
            if out:
                out.pop()
        elif path in (".", ".."):
            path = ""
        else:
            i = path.find("/", 1 if path.startswith("/") else 0)
            seg = path if i == -1 else path[:i]
            out.append(seg)
            path = path[len(seg):]
    return "".join(out)


def index_files(files: dict[Path, str]) -> SourceIndex:
    """An index of several files, given as {path: text}."""
    index = SourceIndex()
    for path, text in files.items():
        index.add_file(path, text)
    return index
