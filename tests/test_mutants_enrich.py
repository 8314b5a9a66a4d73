"""Anchoring and enrichment, value by value (tests written against surviving mutants of kg/text.py
and kg/enrich/, see docs/testing.md): the offsets, selectors, labels and messages a reader of the
dumps or of `kg build`'s errors sees."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg.config import CURATED_BASE
from kg.enrich.anchors import EvidenceProblem, anchor_triples, essay_node
from kg.enrich.iris import rebase, rebase_triples, skolemise, skolemise_triples
from kg.enrich.spans import anchor_iri, text_iri
from kg.enrich.vocab import Alignments, materialise_triples
from kg.errors import EvidenceError
from kg.model import EssaySource
from kg.namespaces import KGO, OA, SCHEMA
from kg.text import CONTEXT, Span, find_mentions, find_passage, line_of

ID = CURATED_BASE + "id/"
TEXT = ("The state withers away. Trotsky wrote of the\nworkers' state, and the statement of the state "
        "was read twice: the state, the state.\nÉtat.")


def essay(text: str = TEXT, graph: Graph | None = None) -> EssaySource:
    return EssaySource("e1", Path("data/essays/e1"), text, "ab" * 32, (), graph or Graph())


def _graph(triples: dict) -> Graph:
    out = Graph()
    out.addN((s, p, o, out) for s, p, o in triples)
    return out


def anchor_evidence(graph: Graph, essay: EssaySource) -> Graph:
    return _graph(anchor_triples(graph, essay))


def materialise(graph: Graph, alignments: Alignments) -> Graph:
    return _graph(materialise_triples(dict.fromkeys(graph), alignments))


# ------------------------------------------------------------------ kg/text.py

def test_context_is_32_characters_and_clipped_at_the_ends() -> None:
    assert CONTEXT == 32
    text = "0123456789" * 10
    span = Span(40, 45)
    assert (span.exact(text), span.prefix(text), span.suffix(text)) == ("01234", text[8:40], text[45:77])
    assert Span(3, 5).prefix(text) == "012" and Span(95, 98).suffix(text) == "89"
    assert Span(0, 2).prefix(text) == ""


def test_a_passage_matches_across_any_white_space_and_at_most_limit_times() -> None:
    text = "a  b\nc  a b c   a\tb c"
    assert find_passage(text, "a b c") == [Span(0, 6), Span(8, 13)]
    assert find_passage(text, "a b c", limit=3) == [Span(0, 6), Span(8, 13), Span(16, 21)]
    assert find_passage(text, "a b c", limit=1) == [Span(0, 6)]
    assert find_passage(text, "  \n ") == [] and find_passage(text, "") == []
    assert find_passage("x.y", "x.y") == [Span(0, 3)] and find_passage("xzy", "x.y") == []  # no regex


def test_a_mention_is_a_whole_word_case_sensitive_and_never_inside_a_longer_word() -> None:
    spans = find_mentions(TEXT, "state")
    assert [TEXT[s.start - 1:s.end + 1] for s in spans] == [" state ", " state,", " state ", " state,", " state."]
    assert all(TEXT[s.start:s.end] == "state" for s in spans) and len(spans) == 5
    assert find_mentions(TEXT, "State") == [] and find_mentions(TEXT, "tate") == []
    assert find_mentions(TEXT, "of the workers'") == [Span(TEXT.index("of the\n"), TEXT.index("' state") + 1)]
    assert find_mentions(TEXT, "") == [] and find_mentions(TEXT, " ") == []
    assert find_mentions("État.", "État") == [Span(0, 4)] and find_mentions("xÉtat", "État") == []


def _mentions_by_definition(text: str, form: str) -> list[Span]:
    """Every place where ``form``'s words occur with white space between them, not preceded nor
    followed by a word character: tried at each offset, no look-around placed for speed."""
    words = form.split()
    if not words:
        return []
    body = re.compile(r"\s+".join(re.escape(w) for w in words))
    out = []
    for i in range(len(text)):
        m = body.match(text, i)
        if m and not (i > 0 and re.match(r"\w", text[i - 1])) and not re.match(r"\w", text[m.end():m.end() + 1]):
            out.append(Span(i, m.end()))
    return out


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(alphabet="ab É.'-\n\t_1", max_size=40), form=st.text(alphabet="ab É.'-\n_1", max_size=8))
def test_mentions_are_found_where_the_definition_finds_them(text: str, form: str) -> None:
    """The mention pattern checks the character before after its first word (for speed); it finds
    exactly the places a plain reading of the rule finds, with any first word (one character, a
    non-word character, a letter outside ASCII) and at the start of the text."""
    assert find_mentions(text, form) == _mentions_by_definition(text, form)
    assert find_mentions(text + " " + text, form) == _mentions_by_definition(text + " " + text, form)


def test_line_of_counts_from_one() -> None:
    assert [line_of("a\nb\nc", i) for i in (0, 1, 2, 3, 4)] == [1, 1, 2, 2, 3]


# ------------------------------------------------------------------ kg/enrich/anchors.py

def test_an_evidence_becomes_an_anchor_with_both_selectors() -> None:
    s = URIRef(ID + "claim/c1")
    g = Graph()
    g.add((s, KGO.evidence, Literal("Trotsky wrote of the workers'")))  # crosses a line break
    out = anchor_evidence(g, essay())
    start = TEXT.index("Trotsky")
    end = TEXT.index("' state") + 1
    anchor = URIRef(f"{ID}anchor/e1/{start}-{end}")
    assert anchor == anchor_iri("e1", Span(start, end))
    assert list(out.objects(s, KGO.evidencedAt)) == [anchor] and (s, KGO.evidence, None) not in out
    quote, position = URIRef(f"{anchor}/quote"), URIRef(f"{anchor}/position")
    assert set(out.objects(anchor, OA.hasSelector)) == {quote, position}
    assert out.value(anchor, OA.hasSource) == text_iri("e1") == URIRef(ID + "text/e1")
    assert (anchor, RDF.type, OA.SpecificResource) in out
    assert (quote, RDF.type, OA.TextQuoteSelector) in out and (position, RDF.type, OA.TextPositionSelector) in out
    assert str(out.value(quote, OA.exact)) == TEXT[start:end]
    assert str(out.value(quote, OA.prefix)) == TEXT[:start] and len(TEXT[:start]) < CONTEXT
    assert str(out.value(quote, OA.suffix)) == TEXT[end:end + 32]
    assert out.value(position, OA.start) == Literal(start, datatype=XSD.nonNegativeInteger)
    assert out.value(position, OA.end) == Literal(end, datatype=XSD.nonNegativeInteger)
    label = f"“Trotsky wrote of the workers'” (e1, characters {start}–{end})"
    assert out.value(anchor, RDFS.label) == Literal(label, lang="en")
    assert out.value(quote, RDFS.label) == Literal(f"quote selector of {label}", lang="en")
    # rdflib compares language tags ignoring case, the dumps do not: every label is written @en
    assert {o.language for o in out.objects(None, RDFS.label)} == {"en"}
    assert out.value(position, RDFS.label) == Literal(f"position selector of {label}", lang="en")


def test_a_long_exact_is_shortened_in_the_label_only() -> None:
    text = "word " * 30
    g = Graph()
    g.add((URIRef(ID + "claim/c"), KGO.evidence, Literal(text.strip())))
    out = anchor_evidence(g, essay(text))
    [anchor] = out.objects(URIRef(ID + "claim/c"), KGO.evidencedAt)
    label = str(out.value(anchor, RDFS.label))
    assert label == "“" + ("word " * 10)[:47].rstrip() + "…” (e1, characters 0–149)"
    assert str(out.value(URIRef(f"{anchor}/quote"), OA.exact)) == text.strip()


def test_mentions_anchor_every_occurrence_and_share_anchors() -> None:
    a, b = URIRef(ID + "concept/state"), URIRef(ID + "concept/state2")
    g = Graph()
    g.add((a, KGO.mention, Literal("state")))
    g.add((b, KGO.mention, Literal("state")))
    out = anchor_evidence(g, essay())
    anchors = sorted(out.objects(a, KGO.mentionedAt))
    assert len(anchors) == 5 and sorted(out.objects(b, KGO.mentionedAt)) == anchors
    assert len(list(out.subjects(RDF.type, OA.SpecificResource))) == 5


def test_missing_and_ambiguous_evidence_are_all_reported_sorted() -> None:
    g = Graph()
    g.add((URIRef(ID + "claim/b"), KGO.evidence, Literal("the state")))
    g.add((URIRef(ID + "claim/a"), KGO.evidence, Literal("nowhere to be found")))
    g.add((URIRef(ID + "concept/x"), KGO.mention, Literal("stat")))
    g.add((URIRef(ID + "claim/c"), KGO.evidence, Literal("withers away.")))
    with pytest.raises(EvidenceError) as err:
        anchor_evidence(g, essay())
    assert err.value.problems == [
        f"evidence 'nowhere to be found' of <{ID}claim/a>: not found in e1/source.txt",
        f"evidence 'the state' of <{ID}claim/b>: occurs more than once in e1/source.txt",
        f"mention 'stat' of <{ID}concept/x>: not found as a whole word in e1/source.txt",
    ]


def test_kg_validate_collects_the_evidence_problems_and_anchors_the_rest() -> None:
    g = Graph()
    g.add((URIRef(ID + "claim/a"), KGO.evidence, Literal("nowhere to be found")))
    g.add((URIRef(ID + "claim/b"), KGO.evidence, Literal("the state")))
    g.add((URIRef(ID + "claim/c"), KGO.evidence, Literal("withers away.")))
    problems: list = []
    out = _graph(anchor_triples(g, essay(), problems))
    assert sorted((str(p.subject), p.found) for p in problems) == [(ID + "claim/a", 0), (ID + "claim/b", 2)]  # find_passage stops at two
    assert all(isinstance(p, EvidenceProblem) and p.predicate == KGO.evidence for p in problems)
    assert [str(p) for p in sorted(problems, key=str)][0] == f"evidence 'nowhere to be found' of <{ID}claim/a>: not found in e1/source.txt"
    assert list(out.objects(URIRef(ID + "claim/c"), KGO.evidencedAt)) == [URIRef(ID + "anchor/e1/10-23")]
    assert not list(out.objects(None, KGO.evidence)) and not list(out.objects(URIRef(ID + "claim/a"), KGO.evidencedAt))


def test_the_source_text_is_described() -> None:
    art = URIRef(ID + "essay/e1")
    g = Graph()
    g.add((art, RDF.type, SCHEMA.ScholarlyArticle))
    out = anchor_evidence(g, essay())
    node = text_iri("e1")
    assert (node, RDF.type, KGO.SourceText) in out
    assert out.value(node, RDFS.label) == Literal("Text of the essay e1 (source.txt)", lang="en")
    assert out.value(node, SCHEMA.name) == Literal("data/essays/e1/source.txt")
    assert out.value(node, SCHEMA.encodingFormat) == Literal("text/plain; charset=utf-8")
    assert out.value(node, SCHEMA.sha256) == Literal("ab" * 32)
    assert out.value(node, SCHEMA.contentSize) == Literal(len(TEXT.encode("utf-8")), datatype=XSD.nonNegativeInteger)
    assert len(TEXT.encode("utf-8")) == len(TEXT) + 1  # "É" is two bytes
    assert out.value(node, KGO.content) == Literal(TEXT)
    assert out.value(node, SCHEMA.encodesCreativeWork) == art
    assert essay_node(g) == art and essay_node(Graph()) is None
    assert anchor_evidence(Graph(), essay()).value(node, SCHEMA.encodesCreativeWork) is None


# ------------------------------------------------------------------ kg/enrich/iris.py

def test_skolem_iris_are_stable_and_under_the_well_known_path() -> None:
    def one() -> Graph:
        g = Graph()
        b = BNode()
        g.add((URIRef(ID + "person/x"), SCHEMA.address, b))
        g.add((b, SCHEMA.name, Literal("Mexico")))
        return g

    first, second = skolemise(one()), skolemise(one())
    assert set(first) == set(second) and len(first) == 2
    [iri] = {o for o in first.objects(URIRef(ID + "person/x"), SCHEMA.address)}
    assert str(iri).startswith(CURATED_BASE + ".well-known/genid/") and len(str(iri).rsplit("/", 1)[1]) == 16
    assert (iri, SCHEMA.name, Literal("Mexico")) in first
    assert set(skolemise_triples(dict.fromkeys(one()))) == set(first)
    plain = Graph()
    plain.add((URIRef(ID + "a"), RDFS.label, Literal("a")))
    assert skolemise(plain) is plain
    triples = dict.fromkeys(plain)
    assert skolemise_triples(triples) is triples


def test_rebase_moves_data_iris_but_not_the_ontology() -> None:
    onto = URIRef(CURATED_BASE + "ontology#Section")
    g = Graph()
    g.add((URIRef(ID + "a"), RDF.type, onto))
    g.add((URIRef(ID + "a"), RDFS.seeAlso, URIRef("http://example.org/x")))
    moved = set(rebase(g, "https://example.net/kg/"))
    assert moved == {(URIRef("https://example.net/kg/id/a"), RDF.type, onto),
                     (URIRef("https://example.net/kg/id/a"), RDFS.seeAlso, URIRef("http://example.org/x"))}
    assert rebase(g, CURATED_BASE) is g
    same = rebase_triples(iter(g), CURATED_BASE)
    assert isinstance(same, dict) and list(same) == list(g)


# ------------------------------------------------------------------ kg/enrich/vocab.py

def test_materialise_follows_alignments_to_a_fixpoint_and_lists_mentions() -> None:
    ont = Graph()
    ont.add((KGO.Thinker, RDFS.subClassOf, KGO.Writer))
    ont.add((KGO.Writer, RDFS.subClassOf, SCHEMA.Person))
    ont.add((KGO.Writer, OWL.equivalentClass, URIRef("http://example.org/Scribe")))
    ont.add((KGO.critic, RDFS.subPropertyOf, SCHEMA.author))
    ont.add((KGO.critic, OWL.equivalentProperty, URIRef("http://purl.org/dc/terms/creator")))
    ont.add((KGO.influenced, OWL.inverseOf, KGO.influencedBy))
    ont.add((SKOS.related, RDF.type, OWL.SymmetricProperty))
    al = Alignments.from_ontology(ont)
    # only the contract's standard terms are materialised: not kgo:Writer, not example.org's
    assert al.class_supers[KGO.Thinker] == frozenset({SCHEMA.Person})
    assert al.inverses[KGO.influencedBy] == frozenset({KGO.influenced}) and SKOS.related in al.symmetric
    art, p, c, q = URIRef(ID + "essay/e"), URIRef(ID + "person/p"), URIRef(ID + "concept/c"), URIRef(ID + "quotation/q")
    g = Graph()
    g.add((art, RDF.type, SCHEMA.ScholarlyArticle))
    g.add((p, RDF.type, KGO.Thinker))
    g.add((p, KGO.critic, art))
    g.add((p, KGO.influenced, c))
    g.add((c, RDF.type, SKOS.Concept))
    g.add((c, SKOS.related, p))
    g.add((q, RDF.type, SCHEMA.Quotation))
    g.add((q, RDF.type, SKOS.Concept))  # apparatus is never mentioned, whatever else it is
    for s in (p, c, q, art):
        g.add((s, KGO.mentionedAt, URIRef(ID + "anchor/e/0-1")))
    out = materialise(g, al)
    assert {(p, RDF.type, SCHEMA.Person), (p, SCHEMA.author, art), (p, URIRef("http://purl.org/dc/terms/creator"), art),
            (c, KGO.influencedBy, p), (p, SKOS.related, c)} <= set(out)
    assert (p, RDF.type, KGO.Writer) not in out
    assert (p, RDF.type, URIRef("http://example.org/Scribe")) not in out  # outside the contract's namespaces
    assert sorted(out.objects(art, SCHEMA.mentions)) == sorted([c, p])
    unevidenced = Graph()
    unevidenced += g
    unevidenced.remove((c, KGO.mentionedAt, None))
    assert sorted(materialise(unevidenced, al).objects(art, SCHEMA.mentions)) == [p]


def test_two_blank_nodes_get_two_iris() -> None:
    g = Graph()
    for name in ("x", "y"):
        b = BNode()
        g.add((URIRef(ID + "person/p"), SCHEMA.address, b))
        g.add((b, SCHEMA.name, Literal(name)))
    out = skolemise(g)
    assert len(set(out.objects(URIRef(ID + "person/p"), SCHEMA.address))) == 2 and len(out) == 4


def test_alignments_read_only_iri_axioms_in_both_directions() -> None:
    ont = Graph()
    ont.add((SCHEMA.creator, OWL.equivalentProperty, KGO.maker))
    ont.add((KGO.odd, OWL.equivalentProperty, Literal(str(SCHEMA.name))))
    ont.add((KGO.odd2, RDFS.subPropertyOf, Literal(str(SCHEMA.name))))
    ont.add((KGO.Odd, OWL.equivalentClass, Literal(str(SCHEMA.Person))))
    ont.add((KGO.Odd2, RDFS.subClassOf, Literal(str(SCHEMA.Person))))
    ont.add((KGO.inv, OWL.inverseOf, Literal(str(SCHEMA.knows))))
    ont.add((KGO.Writer, RDF.type, OWL.Class))
    ont.add((SKOS.related, RDF.type, OWL.SymmetricProperty))
    al = Alignments.from_ontology(ont)
    assert al.property_supers == {KGO.maker: frozenset({SCHEMA.creator})}
    assert al.class_supers == {} and al.inverses == {}
    assert al.symmetric == frozenset({SKOS.related})


def test_the_essay_is_the_scholarly_article_not_the_first_typed_resource() -> None:
    g = Graph()
    g.add((URIRef(ID + "concept/a"), RDF.type, SKOS.Concept))
    g.add((URIRef(ID + "essay/e"), RDF.type, SCHEMA.ScholarlyArticle))
    g.add((URIRef(ID + "agent/z"), RDF.type, SCHEMA.Person))
    assert essay_node(g) == URIRef(ID + "essay/e")
