"""Property-based tests (hypothesis) where the input space is large, with a bounded number of
examples so that the normal suite stays fast:

- the writers: any literal (any Unicode but lone surrogates, any language tag, any datatype) and any
  IRI written by Turtle, N-Triples, TriG and JSON-LD is read back identical by pyoxigraph;
- anchoring: evidence that occurs exactly once in a text is anchored at its offsets with the right
  exact, prefix and suffix; evidence that occurs twice (overlapping or not) or never is refused.

The oracle of "occurs" is written independently of kg/text.py: a white-space run in the passage
matches any white-space run of the text."""
from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.enrich.anchors import anchor_triples
from kg.errors import EvidenceError
from kg.model import EssaySource
from kg.namespaces import KGO, OA
from test_serialize import BASE, ID, WRITERS, _expected, read_back

#: 60 examples a test in the normal suite; KG_HYPOTHESIS_EXAMPLES=2000 for a deeper search.
BOUNDED = settings(max_examples=int(os.environ.get("KG_HYPOTHESIS_EXAMPLES", "60")), deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------- writers

#: characters an IRI path may hold (RFC 3987 ipchar, with non-ASCII and non-BMP ones)
IPCHAR = st.one_of(st.sampled_from(list("abcXYZ0189-._~!$&'()*+,;=:@")),
                   st.sampled_from(["%20", "%41", "%C3%A9", "é", "ß", "中", "𝔸", "\u00a0x"[1:]]))
SEGMENT = st.lists(IPCHAR, max_size=6).map("".join)
PATH = st.lists(SEGMENT, min_size=1, max_size=4).map("/".join)
PREFIXES = [ID, ID + "person/", BASE, "http://example.org/", "https://schema.org/", "urn:example:",
            "http://www.w3.org/2002/07/owl#", "http://www.wikidata.org/entity/Q"]


@st.composite
def iris(draw) -> URIRef:  # noqa: ANN001
    prefix = draw(st.sampled_from(PREFIXES))
    iri = prefix + draw(PATH)
    if draw(st.booleans()):
        iri += "?" + draw(st.lists(st.one_of(IPCHAR, st.just("/"), st.just("?")), max_size=6).map("".join))
    if "#" not in iri and draw(st.booleans()):
        iri += "#" + draw(st.lists(st.one_of(IPCHAR, st.just("/")), max_size=6).map("".join))
    return URIRef(iri)


#: well-formed BCP 47 tags: language, optional script, region, variant (Turtle and pyoxigraph check them)
LANGUAGE = st.from_regex(r"\A[a-zA-Z]{2,3}(-[A-Za-z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-z0-9]{5,8})?\Z")
#: XSD datatypes with lexical forms of their own (rdflib would normalise or reject other strings)
LEXICAL = {
    XSD.integer: st.integers().map(str), XSD.nonNegativeInteger: st.integers(0).map(str),
    XSD.decimal: st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    XSD.boolean: st.sampled_from(["true", "false"]), XSD.gYear: st.integers(1000, 2999).map(str),
    XSD.date: st.dates().map(lambda d: d.isoformat()),
}
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)  # any Unicode scalar value


@st.composite
def literals(draw) -> Literal:  # noqa: ANN001
    kind = draw(st.sampled_from(["plain", "language", "xsd", "other"]))
    if kind == "language":
        return Literal(draw(ANY_TEXT), lang=draw(LANGUAGE))
    if kind == "xsd":
        datatype = draw(st.sampled_from(sorted(LEXICAL)))
        return Literal(draw(LEXICAL[datatype]), datatype=datatype)
    if kind == "other":  # a datatype rdflib does not know: any text is its lexical form
        return Literal(draw(ANY_TEXT), datatype=draw(iris()))
    return Literal(draw(ANY_TEXT), datatype=draw(st.sampled_from([None, XSD.string])))


#: a few triples (a list, so that a failing example prints them)
TRIPLES = st.lists(st.tuples(iris(), iris(), st.one_of(literals(), iris())), min_size=1, max_size=6)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@BOUNDED
@given(triples=TRIPLES)
@example(triples=[(URIRef(ID + "a:b"), URIRef(ID + "p"), Literal('\\"\n\t\U0001F600', lang="en-GB"))])
def test_any_literal_and_iri_round_trip_through_every_writer(fmt: str, triples: list[tuple]) -> None:
    graph = Graph()
    for t in triples:
        graph.add(t)
    assert read_back(graph, fmt) == _expected(graph)


@BOUNDED
@given(literal=literals())
def test_any_literal_round_trips_through_n_triples_exactly(literal: Literal) -> None:
    """One literal: the writer's N-Triples line is what pyoxigraph writes for the same term."""
    from kg.publish.serialize import nt_term

    text = nt_term(literal)
    parsed = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .\n".encode(), format=ox.RdfFormat.N_TRIPLES))).object
    assert parsed.value == str(literal)
    if literal.language:
        assert parsed.language == literal.language.lower()
    else:
        assert parsed.datatype.value == str(literal.datatype or XSD.string)


# ---------------------------------------------------------------- anchoring

def occurrences(text: str, passage: str) -> list[tuple[int, int]]:
    """Every (start, end) where the passage's words occur in order, separated by white-space runs."""
    words = passage.split()
    found = []
    if not words:
        return found
    for start in range(len(text)):
        pos, ok = start, True
        for k, word in enumerate(words):
            if k:
                if pos >= len(text) or not text[pos].isspace():
                    ok = False
                    break
                while pos < len(text) and text[pos].isspace():
                    pos += 1
            if not text.startswith(word, pos):
                ok = False
                break
            pos += len(word)
        if ok:
            found.append((start, pos))
    return found


TEXT = st.text(st.sampled_from(list("ab ab\n\t cé𝔸.’\u00a0")), min_size=0, max_size=120)


@st.composite
def text_and_passage(draw) -> tuple[str, str]:  # noqa: ANN001
    text = draw(TEXT)
    if text and draw(st.integers(0, 3)):  # mostly a piece of the text, sometimes anything
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i + 1, min(len(text), i + 40)))
        passage = text[i:j]
        if draw(st.booleans()):  # white space written differently in the data than in the text
            passage = " ".join(passage.split()) if draw(st.booleans()) else "\n ".join(passage.split())
    else:
        passage = draw(st.text(st.sampled_from(list("ab c")), max_size=8))
    return text, passage


def anchor(text: str, passage: str) -> Graph:
    subject = URIRef(ID + "quotation/q")
    curated = Graph()
    curated.add((subject, RDF.type, URIRef("https://schema.org/Quotation")))
    curated.add((subject, KGO.evidence, Literal(passage)))
    essay = EssaySource("e", Path("data/essays/e"), text, "0" * 64, (), curated)
    out = Graph()
    for t in anchor_triples(curated, essay):
        out.add(t)
    return out


@BOUNDED
@given(case=text_and_passage())
@example(case=("ha ha ha", "ha ha"))  # two overlapping occurrences
@example(case=("ab", "ab"))  # at the very start and end: empty prefix and suffix
@example(case=("x" * 40 + " ab " + "y" * 40, "ab"))
def test_evidence_found_once_is_anchored_at_its_offsets_and_ambiguous_or_missing_is_refused(case: tuple[str, str]) -> None:
    text, passage = case
    found = occurrences(text, passage)
    if len(found) != 1:
        with pytest.raises(EvidenceError) as err:
            anchor(text, passage)
        assert ("not found" if not found else "occurs more than once") in str(err.value)
        return
    (start, end), = found
    g = anchor(text, passage)
    anchor_iri = g.value(URIRef(ID + "quotation/q"), KGO.evidencedAt)
    assert str(anchor_iri).endswith(f"/anchor/e/{start}-{end}")
    quote, position = URIRef(f"{anchor_iri}/quote"), URIRef(f"{anchor_iri}/position")
    assert (g.value(position, OA.start).toPython(), g.value(position, OA.end).toPython()) == (start, end)
    assert str(g.value(quote, OA.exact)) == text[start:end]
    assert str(g.value(quote, OA.prefix)) == text[max(0, start - 32):start]
    assert str(g.value(quote, OA.suffix)) == text[end:end + 32]


# ---------------------------------------------------------------- finding without regular expressions

def _regex_occurrences(pattern: str, text: str, limit: int | None = None) -> list[tuple[int, int]]:
    """kg/text.py's search before it used ``str.find``: one compiled pattern a passage or form."""
    import re

    compiled, spans = re.compile(pattern), []
    m = compiled.search(text)
    while m is not None and (limit is None or len(spans) < limit):
        spans.append((m.start(), m.end()))
        m = compiled.search(text, m.start() + 1)
    return spans


def _regex_passage(text: str, passage: str, limit: int) -> list[tuple[int, int]]:
    import re

    words = passage.split()
    return _regex_occurrences(r"\s+".join(re.escape(w) for w in words), text, limit) if words else []


def _regex_mentions(text: str, form: str) -> list[tuple[int, int]]:
    import re

    if not form.split():
        return []
    first, *rest = form.split()
    return _regex_occurrences(re.escape(first) + r"(?<!\w[\s\S]{%d})" % len(first)
                              + "".join(r"\s+" + re.escape(w) for w in rest) + r"(?!\w)", text)


#: words, word characters of other scripts, digits, _, punctuation, regex specials and white space of
#: every kind \s matches (no-break and em spaces, the information separators \x1c-\x1f)
PIECE = st.sampled_from(["ha", "a", "b", "ab", "é", "中", "_", "1", "²", ".", "(", "*", "-", "'", "ha-ha",
                         " ", "  ", "\n", "\t", "\u00a0", "\u2003", "\x1c", " \n "])


@BOUNDED
@given(text=st.lists(PIECE, max_size=30).map("".join), needle=st.lists(PIECE, max_size=6).map("".join),
       limit=st.sampled_from([1, 2, 5, None]))
@example(text="ha ha ha", needle="ha ha", limit=2)
@example(text="x\u00a0ha\n\nha_y ha", needle="ha  ha", limit=None)
def test_passages_and_mentions_are_found_where_the_regular_expressions_found_them(text: str, needle: str,
                                                                                   limit: int | None) -> None:
    from kg.text import find_mentions, find_passage

    assert [(s.start, s.end) for s in find_passage(text, needle, limit or 10**6)] == \
        _regex_passage(text, needle, limit or 10**6)
    assert [(s.start, s.end) for s in find_mentions(text, needle)] == _regex_mentions(text, needle)
    # the needle cut out of the text at random places is found there
    for i in range(0, len(text), 7):
        part = text[i:i + 9]
        assert [(s.start, s.end) for s in find_passage(text, part, 50)] == _regex_passage(text, part, 50)
        assert [(s.start, s.end) for s in find_mentions(text, part)] == _regex_mentions(text, part)


def test_every_character_is_a_word_character_exactly_when_the_regex_says_so() -> None:
    import re
    import sys

    from kg.text import _is_word

    word = re.compile(r"\w")
    assert [c for c in range(sys.maxunicode + 1) if _is_word(chr(c)) != bool(word.match(chr(c)))] == []
