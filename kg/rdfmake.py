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
- ``encode_triples(triples)`` / ``decode_triples(doc, memo)``: triples as plain data (each distinct
  term once; JSON or marshal) and back, made with the two above: the build cache's entries
  (``kg.cache``) and the essays a forked process sends back (``kg.incremental.EnrichedAhead``,
  ``kg validate``'s ``prepare_corpus``).

rdflib's constructors cost 1.6-4 µs a literal; these 0.2 µs. The essay's anchors alone make 7,000
literals before anything forks, a journal's archive hundreds of thousands."""
from __future__ import annotations

from itertools import chain

from rdflib import BNode, Literal, URIRef
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


# ---------------------------------------------------------------- triples as data (JSON or marshal)

def encode_triples(triples) -> dict:  # noqa: ANN001
    """Triples as ``{"terms": [...], "triples": [[s, p, o], ...]}``, each distinct term once, in order."""
    index: dict = {}
    terms: list = []
    rows = []
    for t in triples:
        row = []
        for term in t:
            i = index.get(term)
            if i is None:
                i = index[term] = len(terms)
                # tuples: marshal gives them back as they are, and ``decode_triples`` keys its memo by them
                if isinstance(term, URIRef):
                    terms.append(("u", str(term)))
                elif isinstance(term, BNode):
                    terms.append(("b", str(term)))
                elif isinstance(term, Literal):
                    terms.append(("l", str(term), term.language, None if term.datatype is None else str(term.datatype)))
                else:
                    raise TypeError(f"not an RDF term: {term!r}")
            row.append(i)
        rows.append(tuple(row))
    return {"terms": terms, "triples": rows}


def decode_triples(doc: dict, memo: dict | None = None) -> list[tuple]:
    """The triples of ``encode_triples``; raises ValueError on anything else. ``memo`` ({encoded term:
    term}, shared by the essays one build reads back): a term met in an earlier entry is that very
    object, not made again (at 1 M triples 264,000 of the 787,000 terms the essays' entries hold), and
    the union's index then finds it in its tables by identity instead of comparing equal terms."""
    if memo is None:
        memo = {}
    try:
        terms = []
        for t in doc["terms"]:
            key = t if type(t) is tuple else tuple(t)
            term = memo.get(key)
            if term is None:
                if t[0] == "u" and len(t) == 2 and type(t[1]) is str:
                    term = iri(t[1])
                elif t[0] == "b" and len(t) == 2:
                    term = BNode(t[1])
                elif t[0] == "l" and len(t) == 4 and type(t[1]) is str:
                    if t[3] is None and (t[2] is None or type(t[2]) is str):
                        term = plain_literal(t[1], t[2])
                    else:
                        term = Literal(t[1], lang=t[2], datatype=None if t[3] is None else URIRef(t[3]))
                else:
                    raise ValueError(f"bad term {t!r}")
                memo[key] = term
            terms.append(term)
        rows = doc["triples"]
        # every index checked at once (a negative one would count from the end of ``terms``): one
        # ``min`` over them all instead of one per triple (1.25 M calls at 1 M triples)
        if rows and min(chain.from_iterable(rows)) < 0:
            raise ValueError("bad index")
        return [(terms[s], terms[p], terms[o]) for s, p, o in rows]
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"not an entry of triples: {exc}") from None


__all__ = ["COUNT_TYPES", "LANGS_CHECKED", "count_literal", "decode_triples", "encode_triples", "iri", "plain_literal"]
