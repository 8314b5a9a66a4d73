"""Pure: deterministic serialisations written by hand (sorted, fixed prefixes, no blank nodes), so
that the same graph always gives the same bytes, whatever rdflib's internal order."""
from __future__ import annotations

import json
import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import accumulate

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.jsontext import quote as _quote
from kg.namespaces import PREFIXES
from kg.tripleindex import TripleIndex

_PN_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_NT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_CONTROL = re.compile('[\\\\"\x00-\x1f\x7f]')
_TYPE = RDF.type  # once (a namespace attribute is slow); compared with str.__eq__ (rdflib's __eq__ is slow)


def _resolves_to_itself(local: str) -> bool:
    """Whether ``<local>`` resolved against ``@base <…/id/>`` gives ``…/id/`` + ``local`` (RFC 3986 §5.2):
    not when it has a scheme (``a:b``), starts a network or absolute path (``//h``, ``/x``), or has a
    dot segment (``../x``, ``./x``), which resolution would change."""
    segments = re.split("[?#]", local, maxsplit=1)[0].split("/")
    return not local.startswith("/") and ":" not in segments[0] and not any(s in (".", "..") for s in segments)


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


class Memo(dict):
    """term -> its text, computed once per term (a dataset repeats each IRI many times)."""

    def __init__(self, fn) -> None:  # noqa: ANN001
        super().__init__()
        self.fn = fn

    def __missing__(self, term):  # noqa: ANN001, ANN204
        text = self[term] = self.fn(term)
        return text

    def forget(self) -> None:
        """Drop every text (as ``Kept.forget``: a ``Namer``'s memos are either)."""
        self.clear()


_ABSENT = object()


class Kept(dict):
    """key -> ``make(key)``, kept for what is still in use: at most ``2 × limit`` entries, in two
    generations. The newer is this dict; when it holds ``limit`` entries, the older is dropped and the
    newer becomes the older. A key found in the older is moved back into the newer, so an entry used
    once in every ``limit`` new ones is kept however long the work runs; one that is not is made
    again when it is next asked for. Keeping only a bounded number of entries bounds a page process's
    memory at 1 M triples. A dict emptied whenever it was full (as these memos were before) also
    dropped the entries every page uses. In one process's pages at 1 M this makes 645,000 nodes'
    parts instead of 711,000 and 1.77 M N-Triples texts instead of 2.53 M. The descriptions' link
    parts are made about as often as before (354,000 for 191,576 IRIs): the pages come folder by
    folder, and the claims' pages link anchors passed long before (docs/performance.md,
    thirty-eighth round)."""

    __slots__ = ("make", "limit", "old")

    def __init__(self, make: Callable, limit: int) -> None:
        super().__init__()
        self.make = make
        self.limit = limit
        self.old: dict = {}

    def __missing__(self, key):  # noqa: ANN001, ANN204
        value = self.old.pop(key, _ABSENT)
        if value is _ABSENT:
            value = self.make(key)
        if len(self) >= self.limit:
            self.old = dict(self)
            self.clear()
        self[key] = value
        return value

    def forget(self) -> None:
        """Drop every entry, of both generations."""
        self.clear()
        self.old = {}

    def peek(self, key):  # noqa: ANN001, ANN201
        """The value of ``key``, made without keeping it when it is not kept (a list of every
        resource, whose members would push out the entries in use)."""
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            value = self.old.get(key, _ABSENT)
        return self.make(key) if value is _ABSENT else value


def nt_lines(triples: Iterable, nt: dict | None = None) -> set[str]:
    """The N-Triples lines of ``triples``; ``nt`` (a ``Memo(nt_term)``) may be shared between calls."""
    nt = Memo(nt_term) if nt is None else nt
    return {f"{nt[s]} {nt[p]} {nt[o]} .\n" for s, p, o in triples}


def ntriples(graph: Iterable) -> bytes:
    """Canonical, sorted N-Triples."""
    return "".join(sorted(nt_lines(graph))).encode("utf-8")


def ntriples_grouped(by_subject: dict) -> bytes:
    """``ntriples`` of the triples ``by_subject`` holds ({subject: {predicate: set of objects}}, as
    ``group`` gives), each subject's and predicate's text made once and the lines sorted a level at a
    time. The order is the same: a subject's or predicate's text ends with ``>``, which no IRI holds,
    so no two differ by a prefix; an object's text that is a prefix of another's (``"a"`` of ``"a"@en``,
    ``"a"@en`` of ``"a"@en-gb``) is followed in its line by a space, below every character that can
    continue a term (``@``, ``^``, ``-``, a letter or digit), so it sorts first either way."""
    return dump_ntriples(DumpInput(None, "", None, by_subject))


def nt_block(s, preds: dict, text: Callable) -> str:  # noqa: ANN001
    """The N-Triples lines of one subject (in ``ntriples_grouped``'s order), ``preds`` its {predicate:
    objects} and ``text`` a term's N-Triples text (a ``Memo(nt_term)``'s look-up)."""
    st = text(s)
    lines = []
    for p in sorted(preds, key=text):
        head = f"{st} {text(p)} "
        # two objects may have one text ("a" and "a"^^xsd:string): one line, as in ``ntriples``
        lines.extend(f"{head}{o} .\n" for o in sorted(set(map(text, preds[p]))))
    return "".join(lines)


class Namer:
    """Compacts IRIs with the fixed prefixes and a base for the dataset's own resources."""

    def __init__(self, base_iri: str, extra: dict[str, str] | None = None, keep: int | None = None) -> None:
        """``keep``: each term's texts kept for at most twice this many terms (``Kept``), not for every
        term ever written (a ``Memo``). The dumps write every term many times and keep them all; a page
        process writes each resource's literals once or twice (its page, its neighbours' link parts),
        and all of them kept were some 150 MB of each page process at 1 M triples."""
        self.id_base = base_iri + "id/"
        prefixes = dict(PREFIXES)
        prefixes["kg"] = self.id_base
        prefixes.update(extra or {})
        self.prefixes = prefixes
        self._by_length = sorted(((ns, p) for p, ns in prefixes.items() if p != "kg"), key=lambda x: -len(x[0]))
        self._all = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))
        memo = Memo if keep is None else partial(_kept, keep)
        self._turtle = memo(self._turtle_term)
        self._compact = memo(self._compact_iri)
        self._prefix = memo(self._prefix_of)
        #: a value's and a property key's JSON-LD text (``jsonld_node``), kept across documents
        self._jsonld_value = memo(lambda o: _jsonld_value_text(o, self))
        self._jsonld_key = memo(lambda p: _quote(self._compact[str(p)]))

    def forget(self) -> None:
        """Drop the texts kept (a page process after its resources' pages: its lists and records need
        the memory more)."""
        for memo in (self._turtle, self._compact, self._prefix, self._jsonld_value, self._jsonld_key):
            memo.forget()

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
        return self._compact[str(iri)]

    def _compact_iri(self, iri: str) -> str:
        for ns, prefix in self._all:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def turtle(self, term) -> str:  # noqa: ANN001
        return self._turtle[term]

    def prefix_of(self, term) -> str | None:  # noqa: ANN001
        """The prefix ``turtle`` writes for ``term`` (a literal's: its datatype's), or None."""
        return self._prefix[term]

    def _prefix_of(self, term) -> str | None:  # noqa: ANN001
        if isinstance(term, Literal):
            if not term.datatype:
                return None
            term = URIRef(term.datatype)
        text = self.turtle(term)
        return None if text.startswith(("<", '"')) else text.split(":", 1)[0]

    def _turtle_term(self, term) -> str:  # noqa: ANN001
        if isinstance(term, URIRef):
            iri = str(term)
            curie = self.curie(iri)
            if curie:
                return curie
            if iri.startswith(self.id_base) and ">" not in iri and _resolves_to_itself(iri[len(self.id_base):]):
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


def _kept(limit: int, make: Callable) -> Kept:
    return Kept(make, limit)


def _term_key(term) -> tuple:  # noqa: ANN001
    return (0 if isinstance(term, URIRef) else 1, str(term), str(getattr(term, "datatype", "") or ""),
            str(getattr(term, "language", "") or ""))


_SORT_KEYS = Memo(_term_key)
_SORT_KEYS_MAX = 2_000_000  # terms; emptied when larger (a cache, not a leak across builds)


def group(graph: Iterable) -> dict:
    """{subject: {predicate: objects}} (the objects a set, or a dictionary's keys), shared by the
    writers, who only count, iterate and sort each predicate's objects: the graph's own subject index
    when it has one (``kg.tripleindex.TripleIndex.by_subject``, the union: at 1 M triples 1.5-2 s of
    the parent's CPU not spent grouping a million triples again), else made in one pass over the
    triples. Not to be changed, nor held while the graph changes."""
    store = getattr(graph, "store", None)
    if isinstance(store, TripleIndex):
        return store.by_subject()
    by_subject: dict = {}
    for s, p, o in graph:
        preds = by_subject.get(s)
        if preds is None:
            preds = by_subject[s] = {}
        objs = preds.get(p)
        if objs is None:
            preds[p] = {o}
        else:
            objs.add(o)
    return by_subject


def _pred_key(p) -> tuple:  # noqa: ANN001
    return (str.__ne__(p, _TYPE), str(p))


def subject_order(subjects: Iterable) -> list:
    """The subjects in the order every writer writes them (IRIs, then by text)."""
    if len(_SORT_KEYS) > _SORT_KEYS_MAX:
        _SORT_KEYS.clear()
    return sorted(subjects, key=_SORT_KEYS.__getitem__)


def _subject_blocks(graph: Graph, namer: Namer, indent: str = "", grouped: dict | None = None) -> list[str]:
    by_subject = group(graph) if grouped is None else grouped
    return [turtle_block(s, by_subject[s], namer, indent) for s in subject_order(by_subject)]


def turtle_block(s, preds: dict, namer: Namer, indent: str = "") -> str:  # noqa: ANN001
    """The Turtle of one subject, ``preds`` its {predicate: set of objects} (as ``group`` gives)."""
    return turtle_join(s, turtle_lines(preds, namer, indent), namer, indent)


def turtle_lines(preds: dict, namer: Namer, indent: str = "") -> dict:
    """{predicate: its line in the subject's Turtle block}, ``preds`` as ``turtle_block``'s (a block
    is its lines joined by ``turtle_join``: a description adds a line to a part made before)."""
    key = _SORT_KEYS.__getitem__
    term = namer._turtle.__getitem__
    pad = f"{indent}    "
    lines = {}
    for p, objs in preds.items():
        text = term(next(iter(objs))) if len(objs) == 1 else ", ".join(map(term, sorted(objs, key=key)))
        lines[p] = f"{pad}{'a' if str.__eq__(p, _TYPE) else term(p)} {text}"
    return lines


def turtle_join(s, lines: dict, namer: Namer, indent: str = "") -> str:  # noqa: ANN001
    """The Turtle block of ``s`` from its ``turtle_lines``: ``a`` first, then the predicates by IRI."""
    return f"{indent}{namer._turtle[s]}\n" + " ;\n".join([lines[p] for p in sorted(lines, key=_pred_key)]) + " .\n"


def _header(namer: Namer, used: set[str] | None = None) -> str:
    lines = [f"@base <{namer.id_base}> ."]
    for prefix, ns in namer.prefixes.items():
        if used is None or prefix in used:
            lines.append(f"@prefix {prefix}: <{ns}> .")
    return "\n".join(lines) + "\n\n"


def turtle(graph: Graph, base_iri: str, grouped: dict | None = None, namer: Namer | None = None,
           used_only: bool = False) -> bytes:
    """Turtle; ``grouped`` (``group(graph)``) and ``namer`` may be passed to share them between writers;
    ``used_only``: declare only the prefixes the triples use (a resource's description)."""
    namer = namer or Namer(base_iri)
    used = prefixes_used(graph, namer) if used_only else None
    return turtle_document(_subject_blocks(graph, namer, grouped=grouped), namer, used)


@dataclass(frozen=True)
class Layout:
    """A document as ``head``, then each subject's block (in the writer's order) with ``sep`` between
    two, then ``tail`` (Turtle: the prefixes, then the blocks a blank line apart; JSON-LD: the context,
    then ``@graph``'s nodes; N-Triples: the lines of each subject, nothing between). The union's dumps
    are spliced block by block on this layout (``union_document``)."""

    head: str
    sep: str
    tail: str

    def join(self, blocks: list[str]) -> str:
        return self.head + self.sep.join(blocks) + self.tail


def turtle_document(blocks: list[str], namer: Namer, used: set[str] | None = None) -> bytes:
    """The Turtle document of the subjects' blocks (``turtle_block``, in subject order); ``used``: the
    prefixes to declare (all when None)."""
    return turtle_layout(namer, used).join(blocks).encode("utf-8")


def turtle_layout(namer: Namer, used: set[str] | None = None) -> Layout:
    """A Turtle document's layout: the base and prefixes, the subjects' blocks a blank line apart."""
    return Layout(_header(namer, used), "\n", "")


def prefixes_used(graph: Iterable, namer: Namer) -> set[str]:
    """The prefixes ``namer.turtle`` writes for the terms of ``graph`` (datatypes included)."""
    terms = set()
    for s, p, o in graph:
        terms.add(s)
        terms.add(o)
        if str.__ne__(p, _TYPE):  # rdf:type is written ``a``
            terms.add(p)
    return {prefix for term in terms if (prefix := namer.prefix_of(term)) is not None}


def trig_body(graph: Iterable, namer: Namer) -> str:
    """The inside of a named graph's block in TriG: its subjects' blocks, indented (a pure function
    of the graph's triples and of ``namer``; ``kg.publish.dumpmemo`` keeps an essay's)."""
    return "\n".join(_subject_blocks(graph, namer, indent="    "))


def trig(graphs: dict[str, Graph], base_iri: str, namer: Namer | None = None,
         body: Callable[[Iterable, Namer], str] = trig_body) -> bytes:
    """TriG with one block per named graph, graphs in name order; ``body(graph, namer)`` gives a
    block's inside (``trig_body``, or the same text through a memo)."""
    namer = namer or Namer(base_iri)
    out = [_header(namer)]
    for name in sorted(graphs):
        out.append(f"{namer.turtle(URIRef(name))} {{\n{body(graphs[name], namer)}}}\n\n")
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


# The JSON-LD dump is written piece by piece exactly as ``json.dumps(doc, ensure_ascii=False, indent=1)``
# writes it (json's indenting encoder is pure Python: a call per value); ``_quote`` is its string
# encoder (``kg.jsontext.quote``).


def _jsonld_value_text(term, namer: Namer) -> str:  # noqa: ANN001
    """A value as ``json.dumps`` writes it at depth 4 (document, @graph, node, property)."""
    value = _jsonld_value(term, namer)
    if isinstance(value, str):
        return _quote(value)
    return "{\n     " + ",\n     ".join(f"{_quote(k)}: {_quote(v)}" for k, v in value.items()) + "\n    }"


def jsonld(graph: Graph, base_iri: str, grouped: dict | None = None, namer: Namer | None = None) -> bytes:
    """Compacted JSON-LD using the project's own (embedded) context; never a remote one. The bytes of
    ``json.dumps({"@context": …, "@graph": nodes}, ensure_ascii=False, indent=1)`` plus a newline."""
    namer = namer or Namer(base_iri)
    by_subject = group(graph) if grouped is None else grouped
    nodes = [jsonld_node(s, by_subject[s], namer) for s in subject_order(by_subject)]
    return jsonld_document(nodes, base_iri)


def jsonld_node(s, preds: dict, namer: Namer) -> str:  # noqa: ANN001
    """The JSON-LD text of one subject's node in ``@graph``, ``preds`` its {predicate: set of objects}."""
    return jsonld_join(s, jsonld_entries(preds, namer), namer)


def jsonld_entries(preds: dict, namer: Namer) -> dict:
    """{predicate: (its key in the subject's JSON-LD node, its value's text)}, ``preds`` as
    ``jsonld_node``'s (rdf:type's key is ``"@type"``); ``jsonld_join`` makes the node of them."""
    compact = namer._compact.__getitem__
    key = _SORT_KEYS.__getitem__
    value = namer._jsonld_value.__getitem__
    quoted = namer._jsonld_key.__getitem__
    entries = {}
    for p, objs in preds.items():
        if str.__eq__(p, _TYPE):
            if objs:
                entries[p] = ('"@type"', "[\n    " + ",\n    ".join([_quote(compact(str(t))) for t in (
                    sorted(objs, key=key) if len(objs) > 1 else objs)]) + "\n   ]")
        else:  # most properties have one value: nothing to sort
            entries[p] = (quoted(p), "[\n    " + (value(next(iter(objs))) if len(objs) == 1 else ",\n    ".join(
                [value(o) for o in sorted(objs, key=key)])) + "\n   ]")
    return entries


def jsonld_join(s, entries: dict, namer: Namer) -> str:  # noqa: ANN001
    """The JSON-LD node of ``s`` from its ``jsonld_entries``: ``@id``, ``@type``, then the properties
    by IRI (two properties with one compact key: the later one's value, in the earlier's place)."""
    node: dict = {'"@id"': _quote(namer._compact[str(s)])}
    types = entries.get(_TYPE)
    if types is not None:
        node['"@type"'] = types[1]
    for p in sorted(entries, key=str):
        if str.__ne__(p, _TYPE):
            k, v = entries[p]
            node[k] = v
    return "{\n   " + ",\n   ".join([f"{k}: {v}" for k, v in node.items()]) + "\n  }"


@lru_cache(maxsize=8)
def _jsonld_head(base_iri: str) -> str:
    head = json.dumps({"@context": jsonld_context(base_iri)}, ensure_ascii=False, indent=1)
    assert head.endswith("\n}")
    return head[:-2]


def jsonld_document(nodes: list[str], base_iri: str) -> bytes:
    """The JSON-LD document of the nodes' texts (``jsonld_node``, in subject order)."""
    if not nodes:
        return (_jsonld_head(base_iri) + ',\n "@graph": []\n}\n').encode("utf-8")
    return jsonld_layout(base_iri).join(nodes).encode("utf-8")


def jsonld_layout(base_iri: str) -> Layout:
    """A JSON-LD document's layout when ``@graph`` holds a node (``[]`` otherwise): the context, then the
    nodes as ``json.dumps(…, indent=1)`` writes them."""
    return Layout(_jsonld_head(base_iri) + ',\n "@graph": [\n  ', ",\n  ", "\n ]\n}\n")


# ---------------------------------------------------------------- the dump writers (kg.registry.DUMP_FORMATS)

@dataclass(frozen=True)
class DumpInput:
    """What a dump writer serialises: the union of the data (``scope="union"``) or the named graphs
    with the dataset's description (``scope="graphs"``), with what the writers share."""

    union: Graph
    base: str
    namer: Namer
    #: ``group(union)``, computed once for the writers that share it (None: each groups the union itself)
    grouped: dict | None = None
    #: {graph IRI: Graph}: the named graphs and the description (for ``scope="graphs"`` only)
    graphs: dict = field(default_factory=dict)
    #: a named graph's TriG body (``trig_body``, or the same text through ``kg.publish.dumpmemo``)
    trig_body: Callable = trig_body
    #: the union's dumps spliced from the last build's (``union_document``): ``previous(writer)`` a
    #: ``PreviousDocument`` or None, ``record(writer, keys, offsets, taken)`` this one's layout; None: written whole
    splice: object = None


def dump_turtle(d: DumpInput) -> bytes:
    if d.grouped is None:
        return turtle(d.union, d.base, None, d.namer)
    grouped, namer = d.grouped, d.namer
    return union_document(d, "dump_turtle", subject_order(grouped), lambda s: turtle_block(s, grouped[s], namer),
                          turtle_layout(namer))


def dump_ntriples(d: DumpInput) -> bytes:
    if d.grouped is None:
        return ntriples(d.union)
    grouped = d.grouped
    text = Memo(nt_term).__getitem__
    # the order of ``ntriples_grouped``: the subjects by their N-Triples text
    return union_document(d, "dump_ntriples", sorted(grouped, key=text), lambda s: nt_block(s, grouped[s], text),
                          Layout("", "", ""))


def dump_jsonld(d: DumpInput) -> bytes:
    if d.grouped is None or not d.grouped:
        return jsonld(d.union, d.base, d.grouped, d.namer)
    grouped, namer = d.grouped, d.namer
    return union_document(d, "dump_jsonld", subject_order(grouped), lambda s: jsonld_node(s, grouped[s], namer),
                          jsonld_layout(d.base))


def dump_trig(d: DumpInput) -> bytes:
    return trig(d.graphs, d.base, d.namer, d.trig_body)


# ---------------------------------------------------------------- the union's dumps as blocks

@dataclass
class PreviousDocument:
    """A union dump an earlier build wrote, as ``union_document`` laid it out: ``data`` its bytes (a
    buffer: ``mmap`` of the file), ``keys`` its subjects (``str``, in order), ``offsets`` where each
    subject's block starts (and, last, the end of the last block plus the separator: block ``i`` is
    ``data[offsets[i]:offsets[i + 1] - len(sep)]``), ``changed`` the subjects (``str``) whose
    statements may differ since (``kg.graphparts.GraphParts.changed_since``): every other subject's
    block is taken from ``data`` instead of being written again."""

    data: object
    keys: list
    offsets: array
    changed: set
    _index: dict | None = None
    _view: memoryview | None = None

    def block(self, key: str, lsep: int) -> memoryview | None:
        """``key``'s block in ``data`` if it can be taken (not changed, present), else None."""
        if key in self.changed:
            return None
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self.keys)}
            self._view = memoryview(self.data)
        i = self._index.get(key)
        if i is None:
            return None
        offsets = self.offsets
        return self._view[offsets[i]:offsets[i + 1] - lsep]

    def release(self) -> None:
        """Let go of ``data`` (its view), so that the file's map can be closed."""
        if self._view is not None:
            self._view.release()
            self._view = None


def union_document(d: DumpInput, writer: str, order: list, block: Callable, layout: Layout) -> bytes:
    """``layout.head + sep.join(block(s) for s in order) + layout.tail``, UTF-8. With ``d.splice`` (the
    incremental build's ``kg.publish.unionmemo.UnionMemo``): the blocks of the subjects that did not
    change are copied from the document the last build wrote (``d.splice.previous(writer)``, a
    ``PreviousDocument``: a block is a pure function of its subject's statements and of the namer,
    so the bytes are the same), and the layout of this one is handed to ``d.splice.record``."""
    splice = d.splice
    old = splice.previous(writer) if splice is not None else None
    head, sep = layout.head.encode("utf-8"), layout.sep.encode("utf-8")
    lsep = len(sep)
    if old is None:
        pieces = [block(s).encode("utf-8") for s in order]
    else:
        take = old.block
        pieces = []
        for s in order:
            piece = take(str(s), lsep)
            pieces.append(block(s).encode("utf-8") if piece is None else piece)
    body = sep.join(pieces)
    data = b"".join((head, body, layout.tail.encode("utf-8"))) if head or layout.tail else body
    if splice is not None:
        offsets = array("q", accumulate((len(p) + lsep for p in pieces), initial=len(head)))
        taken = 0 if old is None else sum(1 for p in pieces if type(p) is memoryview)
        splice.record(writer, [str(s) for s in order], offsets, taken)
    return data
