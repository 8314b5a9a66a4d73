"""The per-resource description files written from pieces made once for the dataset
(``kg.publish.resource_rdf.Descriptions``) are the bytes the three writers give for each description
(``resource_files``), on the real essay and on awkward data; and they say exactly the description's
triples (parsed back with rdflib, independently of the writers' code)."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg.config import load_config
from kg.namespaces import SCHEMA
from kg.publish.pages import Index
from kg.publish.resource_rdf import Descriptions, description, resource_files

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://example.org/kg/"
ID = BASE + "id/"
FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".nt": "nt"}


def _local(ix: Index) -> list[URIRef]:
    return sorted({n for n in ix.out if ix.is_local(n)} | {n for n in ix.inc if ix.is_local(n)}, key=str)


@pytest.fixture(scope="module")
def real() -> tuple[Index, str]:
    from kg.pipeline import compile_dataset
    from kg.publish import render
    from kg.sources import load_sources

    config = load_config(ROOT)
    dataset = compile_dataset(load_sources(config), config)
    render(dataset, config)  # sets dataset.metadata: the pages read it too
    return Index([dataset.union, dataset.metadata], config.base_iri + "id/"), config.base_iri


def awkward() -> Graph:
    g = Graph()
    a, b, c, d = (URIRef(ID + x) for x in ("person/a", "person/b", "claim/c", "work/d"))
    weird = URIRef(ID + "work/x(1)")  # not a Turtle local name: written <work/x(1)>
    g.add((a, RDF.type, SCHEMA.Person))
    g.add((a, RDFS.label, Literal('A "quoted"\n\ttab\\ back</script>\u2028', lang="en")))
    g.add((a, RDFS.label, Literal("Ä", lang="de")))
    g.add((a, SCHEMA.birthDate, Literal("1879", datatype=XSD.gYear)))
    g.add((a, SCHEMA.description, Literal("x" * 900)))
    g.add((a, URIRef("http://other.example/p#q"), Literal("odd", datatype=URIRef("http://other.example/dt#weird"))))
    g.add((a, SCHEMA.knows, a))  # a loop: both out and in
    g.add((a, SCHEMA.knows, b))
    g.add((a, SCHEMA.citation, d))  # d has no triples of its own
    g.add((a, SCHEMA.citation, weird))
    g.add((a, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q33391")))
    g.add((a, SCHEMA.url, URIRef(ID + "//double")))  # JSON-LD does not compact a suffix starting with //
    g.add((b, RDF.type, SCHEMA.Person))
    g.add((b, SKOS.prefLabel, Literal("Bee", lang="en")))
    g.add((b, SKOS.prefLabel, Literal("Bi", lang="fr")))
    g.add((b, SCHEMA.knows, a))  # b is both an incoming link's subject and a linked object of a
    g.add((b, SCHEMA.description, Literal("not a link property: not in a's description")))
    g.add((c, RDF.type, SCHEMA.Claim))
    g.add((c, SCHEMA.about, a))
    g.add((c, SCHEMA.mentions, a))  # two incoming links from one subject
    g.add((c, SCHEMA.text, Literal("")))
    g.add((c, RDF.type, b))  # an incoming link by a property of the link part: b joins c's types there
    g.add((weird, RDFS.label, Literal("Weird", lang="en")))
    g.add((SCHEMA.knows, RDFS.label, Literal("knows")))  # a predicate's label comes along
    return g


def test_every_description_of_the_essay_is_the_writers_bytes(real) -> None:  # noqa: ANN001
    ix, base = real
    nodes = _local(ix)
    pieces = Descriptions(ix, base)
    differ = [(n, suffix) for n in nodes for suffix, data in pieces.files(n).items()
              if data != resource_files(ix, n, base)[suffix]]
    assert len(nodes) > 3000 and differ == []


def test_the_essays_descriptions_say_their_triples(real) -> None:  # noqa: ANN001
    ix, base = real
    trotsky = URIRef(base + "id/person/leon-trotsky")
    files = Descriptions(ix, base).files(trotsky)
    expected = Graph()
    for t in description(ix, trotsky):
        expected.add(t)
    assert sorted(files) == [".jsonld", ".nt", ".ttl"] and len(expected) > 100
    for suffix, fmt in FORMATS.items():
        assert isomorphic(Graph().parse(data=files[suffix], format=fmt), expected), suffix


def test_awkward_descriptions_are_the_writers_bytes_and_their_triples() -> None:
    ix = Index([awkward()], ID)
    nodes = _local(ix)
    assert len(nodes) == 6  # a, b, c, d, x(1) and //double
    pieces = Descriptions(ix, BASE)
    for n in nodes:
        files = pieces.files(n)
        assert files == resource_files(ix, n, BASE), n
        expected = Graph()
        for t in description(ix, n):
            expected.add(t)
        for suffix, fmt in FORMATS.items():
            assert isomorphic(Graph().parse(data=files[suffix], format=fmt, publicID=ID), expected), (n, suffix)


def test_a_description_does_not_depend_on_those_made_before() -> None:
    ix = Index([awkward()], ID)
    nodes = _local(ix)
    forward = Descriptions(ix, BASE)
    first = {n: forward.files(n) for n in nodes}
    backward = Descriptions(ix, BASE)
    assert {n: backward.files(n) for n in reversed(nodes)} == first
    assert {n: forward.files(n) for n in nodes} == first  # again, from the kept pieces


def test_the_awkward_resources_files_hold_what_a_client_needs() -> None:
    ix = Index([awkward()], ID)
    files = Descriptions(ix, BASE).files(URIRef(ID + "person/a"))
    ttl = files[".ttl"].decode()
    nt = files[".nt"].decode()
    # only the prefixes used; the weird IRI relative to @base; the escapes of N-Triples
    assert ttl.startswith(f"@base <{ID}> .\n@prefix kg: <{ID}> .\n") or "@prefix kg:" not in ttl
    assert "<work/x(1)>" in ttl and "@prefix skos:" in ttl and "@prefix dcterms:" not in ttl
    assert '"A \\"quoted\\"\\n\\ttab\\\\ back</script>\u2028"@en' in nt
    assert f'<{ID}person/b> <{SKOS.prefLabel}> "Bi"@fr .\n' in nt
    assert "not a link property" not in nt  # b's other triples stay on b's page
    assert f"<{ID}work/d>" in nt and f'<{SCHEMA.knows}> <{RDFS.label}> "knows" .\n' in nt
    assert '"@id": "kg://double"' not in files[".jsonld"].decode()


def test_an_incoming_link_by_a_link_property_is_written_with_the_subjects_other_values() -> None:
    """c is typed b: on b's description c's types are schema:Claim and b in one list (c's part there
    is its link part, made once, with the link to b added)."""
    ix = Index([awkward()], ID)
    pieces = Descriptions(ix, BASE)
    pieces.files(URIRef(ID + "person/a"))  # c's link part made first, for a's description
    files = pieces.files(URIRef(ID + "person/b"))
    assert "<claim/c>\n    a <person/b>, schema:Claim .\n" in files[".ttl"].decode()
    assert '"@type": [\n    "kg:person/b",\n    "schema:Claim"\n   ]' in files[".jsonld"].decode()
    assert files == resource_files(ix, URIRef(ID + "person/b"), BASE)


@pytest.mark.parametrize("keep", [1, 2, 5])
def test_descriptions_kept_within_their_bound_are_still_the_writers_bytes(monkeypatch, real, keep: int) -> None:  # noqa: ANN001
    """The link parts not in use are dropped when ``KEEP_LINKS`` newer ones are kept (and the terms'
    N-Triples texts at ten times as many): made again, they give the same bytes, and no more than
    twice the bound is ever kept (two generations)."""
    import kg.publish.resource_rdf as rr

    monkeypatch.setattr(rr, "KEEP_LINKS", keep)
    ix, base = real
    nodes = _local(ix)[::7]  # every seventh resource: each kind, and links made again many times
    pieces = Descriptions(ix, base)
    most_links = most_nt = 0
    differ = []
    for n in nodes:
        if pieces.files(n) != resource_files(ix, n, base):
            differ.append(n)
        most_links = max(most_links, len(pieces._links), len(pieces._links.old))
        most_nt = max(most_nt, len(pieces._nt), len(pieces._nt.old))
    assert len(nodes) > 400 and differ == []
    assert most_links == keep  # each generation filled up to the bound, never past it
    assert most_nt == 10 * keep


def test_a_description_records_as_read_every_resource_whose_statements_it_copies(real) -> None:  # noqa: ANN001
    """The pages' memo (``kg.publish.pagememo``) renders a page again when one of its reads changed.
    A description copies the labels and types of every IRI it links, also of incoming links' subjects
    that the HTML page does not show (past its 200 a property): each is recorded as read, also the
    second time its link part is asked for (from the memo, not made again)."""
    ix, base = real
    pieces = Descriptions(ix, base)
    nodes = _local(ix)[::11]
    for _round in range(2):
        for n in nodes:
            ix.reads = set()
            try:
                pieces.files(n)
                reads = ix.reads
            finally:
                ix.reads = None
            copied = {s for s, _p, _o in description(ix, n) if s != n}
            assert {("O", s) for s in copied} <= reads, n
            assert ("O", n) in reads and ("I", n) in reads


def test_descriptions_forget_what_they_kept_and_make_the_same_bytes_after() -> None:
    """``Descriptions.forget`` (a page process before its lists and records) empties its link parts,
    its N-Triples texts and its namer's texts, both generations; descriptions made after are the same
    bytes."""
    ix = Index([awkward()], ID)
    nodes = _local(ix)
    pieces = Descriptions(ix, BASE)
    first = {n: pieces.files(n) for n in nodes}
    namer = pieces.namer
    memos = [pieces._nt, pieces._links, namer._turtle, namer._compact, namer._prefix, namer._jsonld_value,
             namer._jsonld_key]
    assert all(len(m) for m in memos)
    for m in memos:
        m.old = dict(m)  # an older generation too
    pieces.forget()
    assert [(len(m), len(m.old)) for m in memos] == [(0, 0)] * len(memos)
    assert {n: pieces.files(n) for n in nodes} == first
