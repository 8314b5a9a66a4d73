"""Pure: which (shape, focus node) pairs certainly give no validation result, so that pySHACL — still the
validator of every result the build reports — is run only on the others.

pySHACL spends almost all of a corpus's validation on nodes that conform: for each focus node and each
property shape it sets up a whole evaluation (value nodes, a report per constraint component). Here each
shape is compiled once into a Python function of a node that answers

- ``True``: validating the node against the shape gives no result at all (of any severity);
- ``False``: it certainly gives a result (used only to count a ``sh:qualifiedValueShape``'s values);
- ``None``: not known here — the pair is left to pySHACL.

A pair is dropped from pySHACL's targets only on ``True``, so the report is unchanged as long as ``True``
is never said of a pair pySHACL reports: each check below is pySHACL's own test for its component
(0.40, ``pyshacl/constraints/core``), and anything else — a constraint component not listed here
(``sh:sparql``, ``sh:closed``, ``sh:equals``, ``sh:minLength``, …), a path that is not an IRI or one
``sh:inversePath``, ``sh:flags``, ``sh:deactivated``, recursion, a shape reference pySHACL would refuse —
compiles to ``None``. ``tests/test_precheck.py`` compares the answers with pySHACL's on generated
graphs and shapes, and the report of the whole validation with and without the pruning.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from itertools import chain

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.namespaces import SH
from kg.tripleindex import TripleIndex

Check = Callable[[object], "bool | None"]

#: After this many nodes' values of one path are looked up one by one, the path's triples are read
#: into a table (``Prechecker._values``).
INDEX_AFTER = 64

#: shape predicates that do not constrain anything (or whose work is done before evaluation: targets)
_INERT = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
          SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target,
          SH.prefixes, SH.declare}
#: the components a node (the focus node or a value node) is checked against one by one
_VALUE = {SH.nodeKind, SH["class"], SH.datatype, SH.pattern, SH["in"], SH.languageIn, SH.node, SH["or"],
          SH.property}
#: the components read over all the values of a property shape at once
_SET = {SH.minCount, SH.maxCount, SH.hasValue, SH.uniqueLang, SH.lessThan, SH.qualifiedValueShape,
        SH.qualifiedMinCount, SH.qualifiedMaxCount}
#: the kinds each sh:nodeKind admits (pySHACL: a blank node, else a literal, else an IRI)
#: the components pySHACL refuses to load with more than one value
_ONE = {SH.datatype, SH["in"], SH.languageIn, SH.maxCount, SH.minCount, SH.nodeKind, SH.qualifiedMaxCount,
        SH.qualifiedMinCount, SH.uniqueLang}
_KINDS = {
    SH.BlankNode: {BNode}, SH.IRI: {URIRef}, SH.Literal: {Literal},
    SH.BlankNodeOrIRI: {BNode, URIRef}, SH.BlankNodeOrLiteral: {BNode, Literal}, SH.IRIOrLiteral: {URIRef, Literal},
}


#: the terms the datatype and string tests compare with, read once (each read of a term of an rdflib
#: ``DefinedNamespace`` goes through its metaclass's ``__getattr__``: 5 % of the pruning's time at 1 M)
_LANG_STRING, _STRING = RDF.langString, XSD.string
_RDFS_LITERAL, _RDFS_DATATYPE = RDFS.Literal, RDFS.Datatype
_EMPTY: frozenset = frozenset()


def _all(results) -> bool | None:  # noqa: ANN001
    """And, three-valued: False if any is False, else None if any is None, else True."""
    unknown = False
    for r in results:
        if r is False:
            return False
        if r is None:
            unknown = True
    return None if unknown else True


class Prechecker:
    """The compiled shapes of ``shapes`` over the data graph ``graph`` (read, never changed)."""

    def __init__(self, graph: Graph, shapes: Graph) -> None:
        self.graph = graph
        self.shapes = shapes
        self._compiled: dict = {}
        self._compiling: set = set()
        self._supers: dict = {}
        self._types: dict = {}
        self._asked: dict = {}   # (predicate, inverse) -> nodes looked up one by one so far
        self._tables: dict = {}  # (predicate, inverse) -> {node: its values}

    # ------------------------------------------------------------ the pruning

    def prune(self, focus: dict) -> dict:
        """``focus`` ({shape: focus nodes}) without the nodes that certainly conform to their shape."""
        out = {}
        for shape, nodes in focus.items():
            check = self.compiled(shape)
            out[shape] = set(nodes) if check is None else {n for n in nodes if check(n) is not True}
        return out

    def compiled(self, shape) -> Check | None:  # noqa: ANN001
        """The check of ``shape``, or None when a part of it is not understood here."""
        if shape in self._compiled:
            return self._compiled[shape]
        if shape in self._compiling:  # recursion: pySHACL warns and stops; not followed here
            return None
        self._compiling.add(shape)
        try:
            check = self._compile(shape)
        finally:
            self._compiling.discard(shape)
        self._compiled[shape] = check
        return check

    # ------------------------------------------------------------ compiling a shape

    def _compile(self, shape) -> Check | None:  # noqa: ANN001
        sg = self.shapes
        given: dict = {}
        for p, o in sg.predicate_objects(shape):
            if str(p).startswith(str(SH)):
                given.setdefault(p, []).append(o)
        if not given:
            return None  # not a shape pySHACL knows: it raises on it
        for p, objects in given.items():
            if p not in _INERT and p not in _VALUE and p not in _SET and p != SH.path:
                return None  # sh:sparql, sh:closed, sh:deactivated, sh:flags, sh:equals, …
            if p in _ONE and len(objects) > 1:
                return None  # pySHACL stops with an error on this shape
        severity = given.get(SH.severity, [SH.Violation])
        if severity != [SH.Violation]:
            strict = False  # a result of another severity: "conforms" is not clear-cut; only True is kept
        else:
            strict = True
        value_checks: list[Check] = []
        for p, objects in given.items():
            if p in _VALUE:
                for o in objects:
                    check = self._value_check(p, o)
                    if check is None:
                        return None
                    value_checks.append(check)
        paths = given.get(SH.path)
        typed = set(sg.objects(shape, RDF.type))
        if (paths is None and SH.PropertyShape in typed) or (paths is not None and SH.NodeShape in typed):
            return None  # ill-formed: pySHACL refuses it
        if paths is None:  # a node shape: its value node is the focus node
            if any(p in _SET for p in given):
                return None
            return self._soften(lambda node: _all(c(node) for c in value_checks), strict)
        if len(paths) != 1:
            return None
        values = self._path(paths[0])
        if values is None:
            return None
        set_checks = self._set_checks(given)
        if set_checks is None:
            return None

        def check(node):  # noqa: ANN001, ANN202 - _all stops at the first False: the rest is not asked
            vs = values(node)
            return _all(chain((c(node, vs) for c in set_checks), (c(v) for v in vs for c in value_checks)))
        return self._soften(check, strict)

    @staticmethod
    def _soften(check: Check, strict: bool) -> Check:
        if strict:
            return check
        return lambda node: True if check(node) is True else None

    def _path(self, path) -> Callable | None:  # noqa: ANN001
        if isinstance(path, URIRef):
            return self._values(path, inverse=False)
        if isinstance(path, BNode):
            described = list(self.shapes.predicate_objects(path))
            if len(described) == 1 and described[0][0] == SH.inversePath and isinstance(described[0][1], URIRef):
                return self._values(described[0][1], inverse=True)
        return None

    def _values(self, predicate: URIRef, inverse: bool) -> Callable:
        """The values of a node for ``predicate`` (its subjects, ``inverse``), as a collection to
        read. In a graph over ``kg.tripleindex.TripleIndex`` (the union, the partitions) the index's
        own dictionary of them. In another graph the first ``INDEX_AFTER`` nodes are looked up one by
        one; after that the predicate's triples are read once into a table of each node's values (a
        look-up in an rdflib graph costs about 10 µs; a shape with thousands of focus nodes asks for
        thousands), shared by every shape with the same path."""
        g = self.graph
        key = (predicate, inverse)
        store = g.store
        if isinstance(store, TripleIndex):
            # the union's own indexes answer each node at once (a dictionary of its values, read
            # only); a table of the predicate's triples cost a rebuild's pre-check of the parent's
            # nodes 2.7 s at 1 M, for a few thousand nodes
            if inverse:
                return lambda node: store.subjects_with(predicate, node)
            return lambda node: store.objects_with(node, predicate)

        def values(node) -> frozenset | set:  # noqa: ANN001
            table = self._tables.get(key)
            if table is None:
                asked = self._asked[key] = self._asked.get(key, 0) + 1
                if asked <= INDEX_AFTER:
                    return frozenset(g.subjects(predicate, node) if inverse else g.objects(node, predicate))
                table = self._tables[key] = {}
                for s, o in g.subject_objects(predicate):
                    a, b = (o, s) if inverse else (s, o)
                    table.setdefault(a, set()).add(b)
            return table.get(node, _EMPTY)  # the table's own set, not a copy: no check changes it
        return values

    # ------------------------------------------------------------ the components

    def _value_check(self, p, o) -> Check | None:  # noqa: ANN001
        sg = self.shapes
        if p == SH.nodeKind:
            if o not in _KINDS:
                return None
            return lambda v: _kind_matches(v, o)
        if p == SH["class"]:
            return lambda v: self._instance_of(v, o)
        if p == SH.datatype:
            if not isinstance(o, URIRef):
                return None
            return lambda v: _datatype_matches(v, o)
        if p == SH.pattern:  # a shape with sh:flags is refused in _compile (not a known predicate)
            if not isinstance(o, Literal):
                return None
            regex = re.compile(str(o.value) if o.value is not None and len(o.value) > 1 else str(o))
            return lambda v: not isinstance(v, BNode) and regex.search(_string_of(v)) is not None
        if p == SH["in"]:
            try:
                members = list(sg.items(o))
            except Exception:  # noqa: BLE001 - not a list: pySHACL refuses it
                return None
            allowed = set(members)
            return lambda v: v in allowed
        if p == SH.languageIn:
            try:
                tags = list(sg.items(o))
            except Exception:  # noqa: BLE001
                return None
            if not all(isinstance(t, Literal) and isinstance(t.value, str) for t in tags):
                return None
            need = {str(t.value).lower() for t in tags}
            return lambda v: _language_in(v, need)
        if p in (SH.node, SH.property):
            target = self.compiled(o)
            if target is None:
                return None
            is_property = (o, SH.path, None) in sg
            if is_property != (p == SH.property):
                return None  # pySHACL refuses a node shape under sh:property and the reverse
            return target
        if p == SH["or"]:
            try:
                members = [self.compiled(m) for m in sg.items(o)]
            except Exception:  # noqa: BLE001
                return None
            if not members or any(m is None for m in members):
                return None

            def either(v):  # noqa: ANN001, ANN202
                results = [m(v) for m in members]
                if any(r is True for r in results):
                    return True
                return False if all(r is False for r in results) else None
            return either
        return None

    def _set_checks(self, given: dict) -> list | None:
        out: list = []
        ints = {}
        for p in (SH.minCount, SH.maxCount, SH.qualifiedMinCount, SH.qualifiedMaxCount):
            for o in given.get(p, []):
                if not (isinstance(o, Literal) and isinstance(o.value, int) and not isinstance(o.value, bool)):
                    return None
                if p in ints:
                    return None
                ints[p] = o.value
        if SH.minCount in ints:
            n = ints[SH.minCount]
            out.append(lambda node, vs: len(vs) >= n)
        if SH.maxCount in ints:
            m = ints[SH.maxCount]
            out.append(lambda node, vs: len(vs) <= m)
        for hv in given.get(SH.hasValue, []):
            out.append(lambda node, vs, hv=hv: any(v == hv for v in vs))
        for o in given.get(SH.uniqueLang, []):
            if o != Literal(True):
                if o == Literal(False):
                    continue
                return None
            out.append(lambda node, vs: _unique_langs(vs))
        for o in given.get(SH.lessThan, []):
            if not isinstance(o, URIRef):
                return None
            out.append(lambda node, vs, o=o: _less_than(vs, set(self.graph.objects(node, o))))
        qualified = given.get(SH.qualifiedValueShape, [])
        if qualified:
            if len(qualified) != 1 or (SH.qualifiedMinCount not in ints and SH.qualifiedMaxCount not in ints):
                return None
            q = self.compiled(qualified[0])
            if q is None:
                return None
            low, high = ints.get(SH.qualifiedMinCount), ints.get(SH.qualifiedMaxCount)

            def counted(node, vs):  # noqa: ANN001, ANN202
                answers = [q(v) for v in vs]
                sure = sum(1 for a in answers if a is True)
                maybe = sum(1 for a in answers if a is None)
                ok = []
                if low is not None:
                    ok.append(True if sure >= low else (False if sure + maybe < low else None))
                if high is not None:
                    ok.append(True if sure + maybe <= high else (False if sure > high else None))
                return _all(ok)
            out.append(counted)
        elif SH.qualifiedMinCount in ints or SH.qualifiedMaxCount in ints:
            return None
        return out

    # ------------------------------------------------------------ the data

    def _instance_of(self, v, cls) -> bool:  # noqa: ANN001
        if isinstance(v, Literal):
            return False
        types = self._types.get(v)
        if types is None:
            types = self._types[v] = tuple(self.graph.objects(v, RDF.type))
        for t in types:
            supers = self._supers.get(t)
            if supers is None:
                supers = self._supers[t] = frozenset(self.graph.transitive_objects(t, RDFS.subClassOf))
            if t == cls or cls in supers:
                return True
        return False


def _kind_matches(v, kind) -> bool:  # noqa: ANN001
    if isinstance(v, BNode):
        return BNode in _KINDS[kind]
    if isinstance(v, Literal):
        return Literal in _KINDS[kind]
    return URIRef in _KINDS[kind]


def _language_in(v, need: set) -> bool:  # noqa: ANN001
    """pySHACL's ``sh:languageIn`` test: a tag listed (case aside), or its first part, or "*"."""
    if not (isinstance(v, Literal) and v.language):
        return False
    lang = str(v.language).lower()
    return "*" in need or lang in need or lang.split("-")[0] in need


def _string_of(v) -> str:  # noqa: ANN001
    """pySHACL's ``value_node_to_string`` (string-based constraints)."""
    if isinstance(v, Literal):
        if v.value is not None and v.datatype in (None, _LANG_STRING, _STRING):
            return str(v.value)
        return str(v)
    return str(v)


def _actual(v, rule) -> bool:  # noqa: ANN001
    """pySHACL's own test that a literal's value is of the datatype's Python type (it reads no state)."""
    return _pyshacl_datatype_test()(None, v, rule)


@functools.cache
def _pyshacl_datatype_test() -> Callable:
    """Imported when a literal is first tested (pySHACL is slow to import), then kept."""
    from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

    return DatatypeConstraintComponent._assert_actual_datatype


def _datatype_matches(v, rule) -> bool:  # noqa: ANN001
    """pySHACL's ``DatatypeConstraintComponent`` test of one value."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == rule:
        if getattr(v, "ill_typed", None) is True:
            return False
        return _actual(v, rule)
    if rule == _RDFS_LITERAL:
        return True
    if rule == _RDFS_DATATYPE and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == _STRING:
        return _actual(v, rule)
    if rule == _LANG_STRING and v.language:
        return _actual(v, rule)
    return False


def _unique_langs(vs) -> bool:  # noqa: ANN001
    seen = set()
    for v in vs:
        if isinstance(v, Literal) and v.language:
            low = str(v.language).lower()
            if low in seen:
                return False
            seen.add(low)
    return True


def _less_than(vs, others) -> bool | None:  # noqa: ANN001
    """pySHACL's ``sh:lessThan`` test (None where it raises: a blank node)."""
    for v in vs:
        if isinstance(v, BNode):
            return None
        a, a_str = _comparable(v)
        for w in others:
            if isinstance(w, BNode):
                return None
            b, b_str = _comparable(w)
            if a_str != b_str:
                return False
            try:
                if not a < b:
                    return False
            except TypeError:
                return None
    return True


def _comparable(v) -> tuple:  # noqa: ANN001
    if isinstance(v, URIRef):
        return str(v), True
    if isinstance(v, Literal) and isinstance(v.value, str):
        return v.value, True
    return v, False
