"""``kg.rdfmake`` makes the terms rdflib's constructors make: the same text, slots, hash, equality,
N-Triples and Turtle forms, for generated texts, tags and counts; anything it does not make itself
(a negative count, a bool, another datatype) is rdflib's own."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg import rdfmake
from kg.rdfmake import count_literal, iri, plain_literal

SLOTS = ("_language", "_datatype", "_value", "_ill_typed")


def same(a, b) -> None:  # noqa: ANN001
    assert type(a) is type(b)
    assert str(a) == str(b)
    assert {s: getattr(a, s) for s in SLOTS} == {s: getattr(b, s) for s in SLOTS}
    assert type(a.value) is type(b.value)
    assert hash(a) == hash(b) and a == b and a.eq(b)
    assert a.n3() == b.n3()
    g, h = Graph(), Graph()
    g.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), a))
    h.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), b))
    assert g.serialize(format="nt") == h.serialize(format="nt")
    assert g.serialize(format="turtle") == h.serialize(format="turtle")


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from([None, "en", "de", "en-GB", "fr-CA", "ru"]))
def test_a_plain_literal_is_rdflibs(text: str, lang: str | None) -> None:
    same(plain_literal(text, lang), Literal(text, lang=lang))
    same(plain_literal(text, lang), Literal(text, lang=lang))  # the tag known: made without rdflib


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**30), st.sampled_from([XSD.integer, XSD.nonNegativeInteger]))
def test_a_count_is_rdflibs(n: int, datatype: URIRef) -> None:
    same(count_literal(n, datatype), Literal(n, datatype=datatype))


@pytest.mark.parametrize(("n", "datatype"), [(-1, XSD.nonNegativeInteger), (-7, XSD.integer), (True, XSD.integer),
                                             (3, XSD.positiveInteger), (3, XSD.decimal), (3, XSD.string)])
def test_what_is_no_count_is_made_by_rdflib(n, datatype: URIRef) -> None:  # noqa: ANN001
    made = count_literal(n, datatype)
    same(made, Literal(n, datatype=datatype))
    assert made.ill_typed == Literal(n, datatype=datatype).ill_typed


def test_counts_are_made_without_rdflibs_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    import rdflib.term

    cast: list = []
    real = rdflib.term._castPythonToLiteral
    monkeypatch.setattr(rdflib.term, "_castPythonToLiteral", lambda v, d: cast.append(v) or real(v, d))
    count_literal(5, XSD.nonNegativeInteger)
    count_literal(0, XSD.integer)  # the least count too (an anchor at the text's start)
    assert cast == []
    count_literal(-5, XSD.nonNegativeInteger)
    assert cast == [-5]


def test_a_tag_is_checked_by_rdflib_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import rdflib.term

    checked: list = []
    real = rdflib.term._is_valid_langtag
    monkeypatch.setattr(rdflib.term, "_is_valid_langtag", lambda tag: checked.append(tag) or real(tag))
    monkeypatch.setattr(rdfmake, "LANGS_CHECKED", set())
    with pytest.raises(ValueError):
        plain_literal("x", "not a tag")
    assert rdfmake.LANGS_CHECKED == set()
    plain_literal("x", "de")
    assert rdfmake.LANGS_CHECKED == {"de"}
    plain_literal("y", "de")
    plain_literal("z")
    plain_literal("z", None)
    assert checked == ["not a tag", "de"]  # once each; no tag is not checked
    same(plain_literal("x", ""), Literal("x", lang=""))
    same(plain_literal("x", ""), Literal("x", lang=""))  # an empty tag is never taken for a checked one


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_an_iri_is_rdflibs(text: str) -> None:
    made = iri("https://example.org/" + text)
    real = URIRef("https://example.org/" + text)
    assert type(made) is URIRef and str(made) == str(real) and made == real and hash(made) == hash(real)
