"""kg.validation.precheck never says "conforms" of a (shape, focus node) pair pySHACL reports, and never
says "fails" of one pySHACL passes: its answers are compared with pySHACL's on generated data and
shapes (each SHACL component the pre-check knows, nested, with the data's edge cases: blank nodes,
ill-typed and language-tagged literals, subclasses), and the build's report is the same with it."""
from __future__ import annotations

import pyshacl
import pyshacl.errors
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.namespaces import SH
from kg.tripleindex import indexed_graph
from kg.validation.partitioned import plan
from kg.validation.precheck import Prechecker

EX = "http://example.org/"
NODES = [URIRef(EX + n) for n in ("a", "b", "c", "d")]
BLANK = BNode("blank")
VALUES = [
    *NODES, BLANK,
    Literal("x"), Literal("x", lang="en"), Literal("y", lang="EN"), Literal("z", lang="en-GB"), Literal("w", lang="de"),
    Literal("1", datatype=XSD.integer), Literal("5", datatype=XSD.integer), Literal("one", datatype=XSD.integer),
    Literal("1879", datatype=XSD.gYear), Literal("x", datatype=XSD.string), Literal("http://www.wikidata.org/entity/Q1"),
    URIRef("http://www.wikidata.org/entity/Q7"), URIRef("javascript:alert(1)"),
    Literal("MCMXL", datatype=XSD.gYear),  # not a year, yet not marked ill-typed (rdflib has no gYear parser)
    Literal("-5", datatype=XSD.nonNegativeInteger),  # ill-typed, of a datatype pySHACL has no Python type for
    Literal(1.5, datatype=XSD.integer),  # made in Python: not ill-typed, yet its value is no int
]
PROPS = [URIRef(EX + "p"), URIRef(EX + "q"), RDF.type]
CLASSES = [URIRef(EX + "C"), URIRef(EX + "D"), URIRef(EX + "E")]

PREFIXES = f"""@prefix sh: <{SH}> . @prefix ex: <{EX}> . @prefix xsd: <{XSD}> . @prefix rdf: <{RDF}> . """

# the constraints a property shape is made of (Turtle, on ex:p / ex:q / rdf:type values)
VALUE_PARTS = [
    "sh:nodeKind sh:IRI", "sh:nodeKind sh:Literal", "sh:nodeKind sh:BlankNodeOrIRI", "sh:nodeKind sh:IRIOrLiteral",
    "sh:class ex:C", "sh:class ex:D", "sh:datatype xsd:integer", "sh:datatype xsd:string", "sh:datatype rdf:langString",
    "sh:datatype xsd:gYear", 'sh:pattern "^http://www\\\\.wikidata\\\\.org/entity/Q[1-9][0-9]*$"', 'sh:pattern "^https?://"',
    'sh:pattern "x"', "sh:in ( ex:a ex:b )", 'sh:in ( ex:a "x" )', 'sh:languageIn ( "en" )', 'sh:languageIn ( "de" "fr" )',
    "sh:node ex:Typed", "sh:or ( [ sh:class ex:C ] [ sh:datatype xsd:integer ] )", "sh:or ( [ sh:nodeKind sh:IRI ] [ sh:class ex:D ] )",
    "sh:property [ sh:path ex:p ; sh:minCount 1 ]", 'sh:flags "i"',  # the last: a component the pre-check leaves to pySHACL
    "sh:datatype xsd:nonNegativeInteger",  # (added last: the @example cases below name parts by index)
    'sh:pattern "^h"^^ex:Odd',  # a pattern of an unknown datatype (no value): its lexical form is the pattern
    f"sh:datatype <{RDFS.Literal}>", f"sh:datatype <{RDFS.Datatype}>",  # every literal; every typed one
]
SET_PARTS = [
    "sh:minCount 1", "sh:minCount 2", "sh:maxCount 1", "sh:maxCount 0", "sh:hasValue ex:a", "sh:uniqueLang true",
    "sh:lessThan ex:q", 'sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ; sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1',
    "sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMaxCount 1", "sh:severity sh:Warning", "sh:equals ex:q",
    "sh:lessThan ex:r",  # ex:r is true in the grids: an IRI or a string against a boolean is a result
]
PATHS = ["ex:p", "ex:q", "rdf:type", "[ sh:inversePath ex:p ]"]
NODE_PARTS = ["sh:nodeKind sh:IRI", "sh:class ex:C", 'sh:pattern "/[ab]$"', "sh:in ( ex:a ex:c )"]


def _data(triples: list[tuple[int, int, int]], sub: list[tuple[int, int]]) -> Graph:
    g = Graph()
    for s, p, o in triples:
        subject = (NODES + [BLANK])[s]
        obj = CLASSES[o % len(CLASSES)] if PROPS[p] == RDF.type else VALUES[o]
        g.add((subject, PROPS[p], obj))
    for a, b in sub:
        g.add((CLASSES[a], RDFS.subClassOf, CLASSES[b]))
    return g


def _shapes(properties: list[tuple[int, list[int], list[int]]], node_parts: list[int]) -> Graph:
    props = []
    for path, values, sets in properties:
        parts = [f"sh:path {PATHS[path]}", *(VALUE_PARTS[i] for i in values), *(SET_PARTS[i] for i in sets)]
        props.append("[ " + " ; ".join(parts) + " ]")
    body = ["a sh:NodeShape", "sh:targetNode ex:a , ex:b , ex:c , ex:d",
            *(NODE_PARTS[i] for i in node_parts)]
    if props:
        body.append("sh:property " + " , ".join(props))
    text = PREFIXES + "ex:S " + " ; ".join(body) + " .\n" + \
        "ex:Typed a sh:NodeShape ; sh:property [ sh:path rdf:type ; sh:minCount 1 ] .\n"
    return Graph().parse(data=text, format="turtle")


def _reported(data: Graph, shapes: Graph) -> tuple[set, set]:
    """(the nodes whose validation as the only focus node gives a result, those pySHACL stops on with an
    error): one node at a time, since a nested shape's results name the value node as their focus."""
    reported, raised = set(), set()
    for node in NODES:
        one = Graph()
        for t in shapes:
            if t[1] != SH.targetNode:
                one.add(t)
        one.add((URIRef(EX + "S"), SH.targetNode, node))
        try:
            _c, report, _t = pyshacl.validate(data, shacl_graph=one, inference="none", advanced=True, allow_warnings=True)
        except pyshacl.errors.ReportableRuntimeError:
            raised.add(node)
            continue
        if (None, SH.result, None) in report:
            reported.add(node)
    return reported, raised


def _compare(data: Graph, shapes: Graph) -> None:
    reported, raised = _reported(data, shapes)
    check = Prechecker(data, shapes).compiled(URIRef(EX + "S"))
    if check is None:
        return
    # the same graph in the build's store (kg.tripleindex), whose indexes the pre-check reads directly
    indexed = indexed_graph()
    indexed.addN((s, p, o, indexed) for s, p, o in data)
    on_index = Prechecker(indexed, shapes).compiled(URIRef(EX + "S"))
    for node in NODES:
        answer = check(node)
        assert on_index(node) == answer, f"the pre-check on the union's store answers otherwise for {node}"
        if node in raised:  # pySHACL stops on it: it must still be given to pySHACL
            assert answer is not True, f"pre-check passes {node}, pySHACL stops on it"
        elif answer is True:
            assert node not in reported, f"pre-check passes {node}, pySHACL reports it"
        elif answer is False:
            assert node in reported, f"pre-check fails {node}, pySHACL passes it"


triples = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 2), st.integers(0, len(VALUES) - 1)), max_size=14)
subclasses = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=2)
properties = st.lists(st.tuples(st.integers(0, len(PATHS) - 1),
                                st.lists(st.integers(0, len(VALUE_PARTS) - 1), max_size=2, unique=True),
                                st.lists(st.integers(0, len(SET_PARTS) - 1), max_size=2, unique=True)),
                      max_size=3)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(triples=triples, sub=subclasses, props=properties,
       node_parts=st.lists(st.integers(0, len(NODE_PARTS) - 1), max_size=2, unique=True))
@example(triples=[(0, 0, 6), (0, 0, 7)], sub=[], props=[(0, [], [7])], node_parts=[])   # "x"@en, "y"@EN: two English labels
@example(triples=[(0, 0, 6), (0, 0, 8)], sub=[], props=[(0, [15], [5])], node_parts=[])  # @en and @en-GB: en-GB is in ("en")
@example(triples=[(0, 2, 0), (1, 0, 0)], sub=[(0, 1)], props=[(0, [5], [])], node_parts=[])  # a subclass of ex:D
@example(triples=[(0, 0, 10), (0, 1, 9)], sub=[], props=[(0, [], [6])], node_parts=[])  # 5 < 1 is false
@example(triples=[(0, 0, 11)], sub=[], props=[(0, [6], [])], node_parts=[])  # an ill-typed integer
@example(triples=[(0, 0, 4)], sub=[], props=[(0, [], [6])], node_parts=[])  # a blank node under sh:lessThan
def test_the_precheck_agrees_with_pyshacl(triples: list, sub: list, props: list, node_parts: list) -> None:
    _compare(_data(triples, sub), _shapes(props, node_parts))


def test_unknown_components_are_left_to_pyshacl() -> None:
    """A shape with a component the pre-check does not know (sh:sparql, sh:equals, sh:flags, sh:closed),
    or a path it does not follow, is not compiled: every one of its focus nodes goes to pySHACL."""
    for part in ('sh:sparql [ sh:select "SELECT $this WHERE { }" ]', "sh:closed true",
                 "sh:property [ sh:path ex:p ; sh:equals ex:q ]", 'sh:property [ sh:path ex:p ; sh:pattern "a" ; sh:flags "i" ]',
                 "sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ]", "sh:deactivated true",
                 "sh:property ex:Missing", "sh:node [ sh:path ex:p ; sh:minCount 1 ]",
                 "sh:property [ a sh:PropertyShape ; sh:minCount 1 ]", "sh:property [ sh:path ex:p ; sh:minCount 1 , 2 ]",
                 "sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:maxCount 0 ]",
                 "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:C ] ]",
                 "sh:property [ a sh:NodeShape ; sh:path ex:p ; sh:minCount 1 ]",  # pySHACL refuses both
                 'sh:property [ sh:path ex:p ; sh:uniqueLang "yes" ]', "sh:property [ sh:path ex:p ; sh:languageIn ( 5 ) ]",
                 "sh:or ( [ sh:nodeKind sh:IRI ] [ sh:equals ex:q ] )"):  # one alternative not read: the whole or
        shapes = Graph().parse(data=PREFIXES + f"ex:S a sh:NodeShape ; sh:targetNode ex:a ; {part} .", format="turtle")
        assert Prechecker(Graph(), shapes).compiled(URIRef(EX + "S")) is None, part
    shapes = Graph().parse(data=PREFIXES + "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:node ex:S .", format="turtle")
    assert Prechecker(Graph(), shapes).compiled(URIRef(EX + "S")) is None  # recursion
    for part in ("sh:property [ a sh:PropertyShape ; sh:path ex:p ; sh:minCount 1 ]",
                 "sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:maxCount 0 ]",
                 "sh:property [ sh:path ex:p ; sh:uniqueLang false ]",
                 "sh:property [ sh:path ex:p ; sh:class sh:NodeShape ]"):  # read in full: compiled (a class
        # named sh:NodeShape is not the shape's type)
        shapes = Graph().parse(data=PREFIXES + f"ex:S a sh:NodeShape ; sh:targetNode ex:a ; {part} .", format="turtle")
        assert Prechecker(Graph(), shapes).compiled(URIRef(EX + "S")) is not None, part


def _two_nodes(data: str, shapes: str, first: str, second: str) -> tuple[tuple, set]:
    """The pre-check's answers for ex:``first`` and ex:``second`` under ex:S, and the focus nodes
    pySHACL reports."""
    g = Graph().parse(data=PREFIXES + data, format="turtle")
    sg = Graph().parse(data=PREFIXES + f"ex:S a sh:NodeShape ; sh:targetNode ex:{first}, ex:{second} ; {shapes} .",
                       format="turtle")
    check = Prechecker(g, sg).compiled(URIRef(EX + "S"))
    return (check(URIRef(EX + first)), check(URIRef(EX + second))), _reported(g, sg)[0]


def test_a_wildcard_language_admits_every_tagged_literal() -> None:
    """``sh:languageIn ( "*" )`` admits any literal with a language tag, as pySHACL reads it."""
    answers, reported = _two_nodes('ex:a ex:p "x"@de-AT . ex:b ex:p "y" .',
                                   'sh:property [ sh:path ex:p ; sh:languageIn ( "*" ) ]', "a", "b")
    assert (answers, reported) == ((True, False), {URIRef(EX + "b")})


def test_a_qualified_maximum_is_kept_by_values_whose_answer_is_unknown() -> None:
    """A value the nested shape answers None for (a Warning shape: it may or may not conform) still
    counts at most once: one such value under sh:qualifiedMaxCount 1 certainly conforms."""
    answers, reported = _two_nodes("ex:a ex:p ex:v . ex:b ex:p ex:v , ex:w .",
                                   "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:C ; "
                                   "sh:severity sh:Warning ] ; sh:qualifiedMaxCount 1 ]", "a", "b")
    assert answers == (True, None) and URIRef(EX + "a") not in reported


def test_a_value_the_nested_shape_is_unsure_of_leaves_the_pair_to_pyshacl() -> None:
    """A value answered None (by a Warning node shape it does not conform to) makes its property shape
    unknown, not conforming: the pair stays for pySHACL, which reports it."""
    answers, reported = _two_nodes('ex:a ex:p "x" . ex:b ex:p 5 .', "sh:property [ sh:path ex:p ; sh:node ex:N ] . "
                                   "ex:N a sh:NodeShape ; sh:datatype xsd:integer ; sh:severity sh:Warning", "a", "b")
    assert answers == (None, True) and reported == {URIRef(EX + "a")}


def test_an_inverse_path_counts_only_its_own_property() -> None:
    """``[ sh:inversePath ex:p ]`` from ex:a: ex:b points at ex:a with ex:q, not ex:p, so no value."""
    answers, reported = _two_nodes("ex:b ex:q ex:a . ex:c ex:p ex:d .",
                                   "sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:maxCount 0 ]", "a", "d")
    assert (answers, reported) == ((True, False), {URIRef(EX + "d")})


class _CountingGraph(Graph):
    """A graph that counts the look-ups the pre-check makes."""

    def __init__(self) -> None:
        super().__init__()
        self.one_by_one = 0
        self.tables = 0

    def objects(self, subject=None, predicate=None, unique=False):  # noqa: ANN001, ANN201
        if predicate != RDF.type:
            self.one_by_one += 1
        return super().objects(subject, predicate, unique)

    def subjects(self, predicate=None, obj=None, unique=False):  # noqa: ANN001, ANN201
        self.one_by_one += 1
        return super().subjects(predicate, obj, unique)

    def subject_objects(self, predicate=None, unique=False):  # noqa: ANN001, ANN201
        self.tables += 1
        return super().subject_objects(predicate, unique)


def _with_p_values(data: Graph) -> Graph:
    """``data`` with ex:n{i} having i values of ex:p and being the value of ex:p of 7 - i nodes, and
    ex:q links between ex:n{i} and ex:m{i} (another predicate: never a value)."""
    for i in range(8):
        data.add((URIRef(f"{EX}n{i}"), URIRef(EX + "q"), URIRef(f"{EX}m{i}")))
        data.add((URIRef(f"{EX}m{i}"), URIRef(EX + "q"), URIRef(f"{EX}n{i}")))
        for j in range(i):
            data.add((URIRef(f"{EX}n{i}"), URIRef(EX + "p"), Literal(j)))
        for j in range(7 - i):
            data.add((URIRef(f"{EX}m{j}"), URIRef(EX + "p"), URIRef(f"{EX}n{i}")))
    return data


#: at most 3 values of ex:p (ex:F), 2 to 4 nodes pointing with ex:p (ex:I): on ``_with_p_values``,
#: ex:n0-n3 conform to ex:F, ex:n3-n5 to ex:I
_P_COUNT_SHAPES = Graph().parse(data=PREFIXES + """
    ex:F a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:maxCount 3 ] .
    ex:I a sh:NodeShape ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 2 ; sh:maxCount 4 ] .
    """, format="turtle")


@pytest.mark.parametrize("index_after", [0, 3, 10_000])
def test_a_path_read_from_its_table_gives_each_node_its_own_values(index_after: int, monkeypatch) -> None:  # noqa: ANN001
    """After ``INDEX_AFTER`` look-ups a path's values come from a table of the predicate's triples,
    read once: each node still gets exactly its own values, forwards and inverse, and a node with
    none gets none (ex:n{i} has i values of ex:p and is the value of ex:p of 7 - i nodes)."""
    import kg.validation.precheck as precheck

    monkeypatch.setattr(precheck, "INDEX_AFTER", index_after)
    data = _with_p_values(_CountingGraph())
    pre = Prechecker(data, _P_COUNT_SHAPES)
    forwards, inverse = pre.compiled(URIRef(EX + "F")), pre.compiled(URIRef(EX + "I"))
    nodes = [URIRef(f"{EX}n{i}") for i in range(8)] * 2  # each asked twice: the second time from the table
    assert [forwards(n) for n in nodes] == [True, True, True, True, False, False, False, False] * 2
    assert [inverse(n) for n in nodes] == [False, False, False, True, True, True, False, False] * 2
    one_by_one = min(index_after, 16)
    assert (data.one_by_one, data.tables) == (2 * one_by_one, 0 if index_after >= 16 else 2)


def test_on_the_union_s_store_each_node_s_values_are_read_from_its_index(monkeypatch) -> None:  # noqa: ANN001
    """In a graph over ``TripleIndex`` (the build's union and partitions) no table of a predicate's
    triples is made however many nodes are asked: each node's values, forwards and inverse, come
    from the index (ex:n{i} has i values of ex:p and is the value of ex:p of 7 - i nodes)."""
    data = _with_p_values(indexed_graph())
    monkeypatch.setattr(type(data), "subject_objects", lambda *_a, **_k: pytest.fail("a table of the predicate"))
    pre = Prechecker(data, _P_COUNT_SHAPES)
    forwards, inverse = pre.compiled(URIRef(EX + "F")), pre.compiled(URIRef(EX + "I"))
    nodes = [URIRef(f"{EX}n{i}") for i in range(8)] * 20  # more than INDEX_AFTER look-ups
    assert [forwards(n) for n in nodes] == [True, True, True, True, False, False, False, False] * 20
    assert [inverse(n) for n in nodes] == [False, False, False, True, True, True, False, False] * 20


def test_the_essay_leaves_pyshacl_only_its_findings(essay_dataset) -> None:  # noqa: ANN001
    """On the essay, 6,870 (shape, node) pairs are targeted; the pre-check passes all but those of the
    shapes it cannot read (SPARQL) and of the 11 nodes with warnings."""
    graph, shapes = essay_dataset
    full, _w, _r, _h = plan(graph, shapes, prune=False)
    pruned, _w, _r, _h = plan(graph, shapes)
    total = sum(len(v) for v in full.values())
    left = {s: v for s, v in pruned.items() if v}
    assert total > 6000
    assert sum(len(v) for v in left.values()) < 100
    warned = set().union(*(v for s, v in left.items() if Prechecker(graph, shapes).compiled(s) is not None))
    assert len(warned) == 11


@pytest.fixture(scope="module")
def essay_dataset():  # noqa: ANN201
    from pathlib import Path

    from kg.config import load_config
    from kg.pipeline import compile_dataset
    from kg.sources import load_sources

    config = load_config(Path(__file__).resolve().parent.parent)
    sources = load_sources(config)
    return compile_dataset(sources, config).union, sources.shapes


# ------------------------------------------------------------------ every component on every kind of value
# (written against the survivors of `bash scripts/mutation precheck`: the generated cases above rarely
# meet a given component with a given value; these grids meet each one with each, in one pySHACL run)

#: ex:b is an ex:C, ex:c an ex:E (a subclass of ex:D), ex:a an ex:D
GRID_TYPES = [(URIRef(EX + "b"), RDF.type, URIRef(EX + "C")), (URIRef(EX + "c"), RDF.type, URIRef(EX + "E")),
              (URIRef(EX + "E"), RDFS.subClassOf, URIRef(EX + "D")), (URIRef(EX + "a"), RDF.type, URIRef(EX + "D")),
              (URIRef(EX + "d"), URIRef(EX + "p"), URIRef(EX + "C"))]  # a link to a class is not a type


def _grid(part: str, values_of: list[tuple]) -> None:
    """Focus nodes ex:f0… with the given ex:p values (and ex:q "5"), one shape with ``part`` on ex:p:
    the pre-check's answer for each focus node against pySHACL's results for it."""
    data = Graph()
    for t in GRID_TYPES:
        data.add(t)
    focus = [URIRef(f"{EX}f{i}") for i in range(len(values_of))]
    for f, values in zip(focus, values_of):
        for v in values:
            data.add((f, URIRef(EX + "p"), v))
        data.add((f, URIRef(EX + "q"), Literal("5", datatype=XSD.integer)))
        data.add((f, URIRef(EX + "r"), Literal(True)))
    targets = " , ".join(f"<{f}>" for f in focus)
    shapes = Graph().parse(data=PREFIXES + f"ex:S a sh:NodeShape ; sh:targetNode {targets} ; "
                           f"sh:property [ sh:path ex:p ; {part} ] .\n"
                           "ex:Typed a sh:NodeShape ; sh:property [ sh:path rdf:type ; sh:minCount 1 ] .", format="turtle")
    _c, report, _t = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    reported = {report.value(r, SH.focusNode) for r in report.objects(None, SH.result)}
    check = Prechecker(data, shapes).compiled(URIRef(EX + "S"))
    assert check is not None, part
    for f, values in zip(focus, values_of):
        answer = check(f)
        assert answer is not None, (part, values)  # every component here is one the pre-check reads
        assert answer is (f not in reported), (part, values, "pySHACL reports" if f in reported else "pySHACL passes")


@pytest.mark.parametrize("part", [p for p in VALUE_PARTS if "sh:flags" not in p and "sh:property" not in p])
def test_each_value_component_agrees_with_pyshacl_on_each_kind_of_value(part: str) -> None:
    _grid(part, [(v,) for v in VALUES])


REPRESENTATIVE = [URIRef(EX + "a"), Literal("x"), Literal("x", lang="en"), Literal("y", lang="EN"),
                  Literal("z", lang="en-GB"), Literal("w", lang="de"), Literal("1", datatype=XSD.integer),
                  Literal("5", datatype=XSD.integer), Literal("9", datatype=XSD.integer), URIRef(EX + "b")]
PAIRS = [(), *((v,) for v in REPRESENTATIVE),
         *((v, w) for i, v in enumerate(REPRESENTATIVE) for w in REPRESENTATIVE[i + 1:])]


@pytest.mark.parametrize("part", [p for p in SET_PARTS if "sh:equals" not in p and "sh:severity" not in p])
def test_each_count_and_pair_component_agrees_with_pyshacl_on_pairs_of_values(part: str) -> None:
    """Counts, sh:hasValue, sh:uniqueLang (two English labels, "en" and "EN"), sh:lessThan (a string
    against ex:q's integer 5; 1 < 5, 9 > 5), qualified counts, on no value, one and two."""
    _grid(part, PAIRS)
