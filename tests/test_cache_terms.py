"""kg.cache's terms: a triple decoded from the build cache is the term rdflib's constructor makes from
the same text. Literals without a datatype are made without the constructor (``_untyped_literal``), so
every attribute is compared with the constructor's, for any text and any language tag, and anything
the constructor would refuse or change still goes through it."""
from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.cache import decode_triples, encode_triples
from test_properties import BOUNDED, LANGUAGE

S, P = URIRef("http://example.org/s"), URIRef("http://example.org/p")
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


def same(a: Literal, b: Literal) -> None:
    assert type(a) is type(b) is Literal
    assert (str(a), a.language, a.datatype, a.value, a.ill_typed) == (str(b), b.language, b.datatype, b.value, b.ill_typed)
    assert type(a.value) is type(b.value)
    assert a == b and hash(a) == hash(b) and a.eq(b) and a.n3() == b.n3() and repr(a) == repr(b)


@BOUNDED
@given(TEXT, st.one_of(st.none(), LANGUAGE))
@example("", None)
@example("x", "EN-gb")
@example("1", None)
def test_a_decoded_literal_without_datatype_is_the_constructor_s(text: str, lang: str | None) -> None:
    made = Literal(text, lang=lang)
    [(_s, _p, decoded)] = decode_triples(encode_triples([(S, P, made)]))
    same(decoded, made)


@pytest.mark.parametrize("term", [Literal("5", datatype=XSD.nonNegativeInteger), Literal("1879", datatype=XSD.gYear),
                                  Literal("x", datatype=XSD.string), Literal("-1", datatype=XSD.nonNegativeInteger),
                                  Literal("a b", datatype=XSD.token)])
def test_a_typed_literal_goes_through_the_constructor(term: Literal) -> None:
    [(_s, _p, decoded)] = decode_triples(encode_triples([(S, P, term)]))
    same(decoded, term)


@pytest.mark.parametrize("lang", ["", "not a tag", "en_GB", 5])
def test_a_language_tag_the_constructor_refuses_or_drops_is_left_to_it(lang) -> None:  # noqa: ANN001
    doc = {"terms": [["u", str(S)], ["u", str(P)], ["l", "x", lang, None]], "triples": [[0, 1, 2]]}
    try:
        expected = Literal("x", lang=lang)
    except (ValueError, TypeError):
        with pytest.raises((ValueError, TypeError)):
            decode_triples(doc)
        return
    [(_s, _p, decoded)] = decode_triples(doc)
    same(decoded, expected)
