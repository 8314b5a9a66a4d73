"""``kg.publish.serialize.Kept``: the page processes' bounded memos (the nodes' parts of their terms,
the descriptions' link parts, the terms' N-Triples texts) keep what is in use and stay bounded."""
from __future__ import annotations

from collections import Counter

from kg.publish.serialize import Kept


def _counting(limit: int) -> tuple[Kept, Counter]:
    made: Counter = Counter()

    def make(key: int) -> str:
        made[key] += 1
        return f"v{key}"
    return Kept(make, limit), made


def test_an_entry_in_use_is_made_once_however_many_others_come() -> None:
    kept, made = _counting(10)
    for i in range(1000):
        assert kept["hot"] == "vhot"  # once in every new entry: never dropped
        assert kept[i] == f"v{i}"
        assert len(kept) <= 10 and len(kept.old) <= 10
    assert made["hot"] == 1
    assert sum(made.values()) == 1001


def test_an_entry_used_once_in_more_than_the_bound_is_made_again() -> None:
    kept, made = _counting(4)
    kept["a"]
    for i in range(8):  # two generations of other entries: "a" went with the older
        kept[i]
    assert "a" not in kept and "a" not in kept.old
    assert kept["a"] == "va" and made["a"] == 2


def test_an_entry_in_the_older_generation_moves_back_to_the_newer() -> None:
    kept, made = _counting(3)
    for key in "abc":
        kept[key]
    kept["d"]  # the newer was full: a, b, c are now the older
    assert set(kept) == {"d"} and set(kept.old) == {"a", "b", "c"}
    assert kept["b"] == "vb"
    assert set(kept) == {"d", "b"} and set(kept.old) == {"a", "c"} and made["b"] == 1


def test_none_is_a_value_kept_like_any_other() -> None:
    calls = []
    kept = Kept(lambda key: calls.append(key), 5)  # a linked IRI with no link part: None
    assert kept["x"] is None and kept["x"] is None
    assert calls == ["x"]


def test_peek_makes_without_keeping_and_reads_both_generations() -> None:
    kept, made = _counting(2)
    assert kept.peek("p") == "vp" and kept.peek("p") == "vp"
    assert made["p"] == 2 and "p" not in kept and "p" not in kept.old
    kept["a"], kept["b"], kept["c"]  # a, b older; c newer
    assert kept.peek("a") == "va" and kept.peek("c") == "vc"
    assert made["a"] == made["c"] == 1 and set(kept) == {"c"}  # peek moves nothing


def test_a_namer_that_keeps_few_terms_writes_every_text_as_one_that_keeps_all() -> None:
    """``Namer(keep=n)`` (a page process's descriptions: ``Descriptions``' own namer) holds at most
    ``2 n`` texts in each of its memos and writes each term's Turtle, compact IRI, prefix and JSON-LD
    value as the unbounded namer of the dumps does, also for a term asked for again after it was
    dropped."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from kg.publish.resource_rdf import KEEP_TERMS, Descriptions
    from kg.publish.serialize import Memo, Namer

    base = "https://example.org/kg/"
    terms = [URIRef(f"{base}id/person/p{i}") for i in range(30)] + [
        Literal(f"label {i}", lang="en") for i in range(30)] + [
        Literal(str(i), datatype=XSD.integer) for i in range(30)] + [URIRef("https://schema.org/name")]
    every, few = Namer(base), Namer(base, keep=3)
    memos = ("_turtle", "_compact", "_prefix", "_jsonld_value", "_jsonld_key")
    assert all(type(getattr(every, m)) is Memo for m in memos)
    for _round in range(2):  # the second round's terms were all dropped by the bounded namer
        for t in terms:
            assert few.turtle(t) == every.turtle(t) and few.prefix_of(t) == every.prefix_of(t)
            assert few._jsonld_value[t] == every._jsonld_value[t]
            if isinstance(t, URIRef):
                assert few.compact(str(t)) == every.compact(str(t)) and few._jsonld_key[t] == every._jsonld_key[t]
            assert all(len(getattr(few, m)) <= 3 and len(getattr(few, m).old) <= 3 for m in memos)
    assert len(every._turtle) == len(terms) + 1  # and the datatype's
    assert type(Descriptions(None, base).namer._turtle) is Kept
    assert Descriptions(None, base).namer._turtle.limit == KEEP_TERMS
