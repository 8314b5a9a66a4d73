"""Pure: rdflib terms made the way rdflib's constructors make them, without the work a text the build
made or checked itself does not need. Each is equal to its rdflib-made twin in every slot (``str``,
``_language``, ``_datatype``, ``_value``, ``_ill_typed``), so that hashes, comparisons and every
serialisation are the same (``tests/test_rdfmake.py`` compares them).

- ``iri(text)``: ``URIRef(text)`` without its look at the characters (a logged warning, never an
  error); for IRIs that were rdflib's terms when they were stored (``kg.cache``).
- ``plain_literal(text, lang)``: ``Literal(text, lang=lang)``, a literal of no datatype, without the
  casts and normalisation that give such a literal its text back; rdflib checks each language tag
  once per process.
- ``count_literal(n, datatype)``: ``Literal(n, datatype=datatype)`` for an ``int`` ``n`` ≥ 0 and an
  integer datatype whose lexical space holds it (``xsd:integer``, ``xsd:nonNegativeInteger``): the
  text is ``str(n)`` and the value ``n``. Anything else is made by rdflib.

rdflib's constructors cost 1.6-4 µs a literal; these 0.2 µs. The essay's anchors alone make 7,000
literals before anything forks, a journal's archive hundreds of thousands."""
from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

#: the language tags rdflib's check passed in this process (a handful in a corpus: checked once each)
LANGS_CHECKED: set[str] = set()
#: the datatypes ``count_literal`` makes itself: their lexical space holds every int ≥ 0 as ``str(n)``
COUNT_TYPES = frozenset({XSD.integer, XSD.nonNegativeInteger})


def iri(text: str) -> URIRef:
    """``URIRef(text)`` as rdflib makes it, without its look at the text."""
    return str.__new__(URIRef, text)


def plain_literal(text: str, lang: str | None = None) -> Literal:
    """``Literal(text, lang=lang)`` for a literal of no datatype, as rdflib's constructor makes it
    (the same slots: the value is the text, nothing ill-typed). A language tag is checked by rdflib
    the first time (``ValueError`` for one that is not a tag); an empty tag is no tag, as in rdflib."""
    if lang is not None and lang not in LANGS_CHECKED:
        if lang == "":
            lang = None
        else:
            checked = Literal(text, lang=lang)  # raises ValueError on a tag that is not one
            LANGS_CHECKED.add(lang)
            return checked
    lit = str.__new__(Literal, text)
    lit._language = lang
    lit._datatype = None
    lit._value = text
    lit._ill_typed = None
    return lit


def count_literal(n: int, datatype: URIRef) -> Literal:
    """``Literal(n, datatype=datatype)`` for a count (an ``int`` ≥ 0, not a ``bool``) and one of
    ``COUNT_TYPES``, as rdflib makes it; rdflib makes any other."""
    if type(n) is not int or n < 0 or datatype not in COUNT_TYPES:
        return Literal(n, datatype=datatype)
    lit = str.__new__(Literal, str(n))
    lit._language = None
    lit._datatype = datatype
    lit._value = n
    lit._ill_typed = None
    return lit


__all__ = ["COUNT_TYPES", "LANGS_CHECKED", "count_literal", "iri", "plain_literal"]
