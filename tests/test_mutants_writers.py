"""The dataset's VoID/DCAT description, value by value (tests written against surviving mutants of
kg/publish/metadata.py, see docs/testing.md): the counts, partitions, linksets and distributions a
harvester reads from void.ttl."""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from kg.config import Config
from kg.namespaces import SCHEMA, SPDX
from kg.publish.metadata import Dump, dataset_iri, describe, stats

BASE = "https://example.org/kg/"
DS = URIRef(BASE + "id/dataset")
NNI = XSD.nonNegativeInteger


def config(**kw) -> Config:  # noqa: ANN003
    values = dict(root=Path("."), base_iri=BASE, title="T", description="D", version="1.2.3",
                  license="https://creativecommons.org/licenses/by/4.0/", creator="The curators", modified="2026-01-02")
    return Config(**{**values, **kw})


def data() -> Graph:
    g = Graph()
    a, b, e = URIRef(BASE + "id/person/a"), URIRef(BASE + "id/person/b"), URIRef(BASE + "id/essay/e")
    g.add((a, RDF.type, SCHEMA.Person))
    g.add((b, RDF.type, SCHEMA.Person))
    g.add((e, RDF.type, SCHEMA.ScholarlyArticle))
    g.add((a, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q33391")))
    g.add((b, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q855")))
    g.add((a, SKOS.closeMatch, URIRef("http://viaf.org/viaf/100")))
    g.add((a, SCHEMA.name, Literal("A")))
    return g


def test_the_dataset_is_described() -> None:
    assert dataset_iri(config()) == DS
    out = describe(data(), config(sparql_endpoint="https://example.org/sparql"), [], [URIRef(BASE + "id/essay/e")])
    v = out.value
    assert {(DS, RDF.type, VOID.Dataset), (DS, RDF.type, DCAT.Dataset)} <= set(out)
    assert v(DS, RDFS.label) == Literal("T", lang="en") == v(DS, DCTERMS.title)
    assert v(DS, DCTERMS.description) == Literal("D", lang="en")
    assert v(DS, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert v(DS, DCTERMS.modified) == Literal("2026-01-02", datatype=XSD.date)
    assert v(DS, URIRef(str(DCAT) + "version")) == Literal("1.2.3") == v(DS, OWL.versionInfo)
    assert v(DS, VOID.triples) == Literal(7, datatype=NNI)
    assert v(DS, VOID.uriSpace) == Literal(BASE + "id/")
    assert v(DS, DCTERMS.conformsTo) == URIRef("https://w3id.org/arthur-kg/ontology")
    agent = URIRef(BASE + "id/agent/curators")
    assert v(DS, DCTERMS.creator) == agent and (agent, RDF.type, FOAF.Agent) in out
    assert v(agent, RDFS.label) == Literal("The curators", lang="en") and v(agent, FOAF.name) == Literal("The curators")
    assert v(DS, VOID.sparqlEndpoint) == URIRef("https://example.org/sparql")
    assert list(out.objects(DS, VOID.rootResource)) == [URIRef(BASE + "id/essay/e")]
    assert sorted(map(str, out.objects(DS, VOID.vocabulary))) == sorted([
        str(OWL), str(RDF), str(SCHEMA), str(SKOS)])
    assert v(DS, VOID.sparqlEndpoint) is not None
    assert describe(data(), config(), [], []).value(DS, VOID.sparqlEndpoint) is None


def test_partitions_count_members_and_triples() -> None:
    out = describe(data(), config(), [], [])
    person = URIRef(f"{DS}/class/schema-Person")
    assert person in set(out.objects(DS, VOID.classPartition))
    assert out.value(person, VOID["class"]) == SCHEMA.Person
    assert out.value(person, VOID.entities) == Literal(2, datatype=NNI)
    assert out.value(person, RDFS.label) == Literal("class partition schema:Person", lang="en")
    assert len(set(out.objects(DS, VOID.classPartition))) == 2
    name = URIRef(f"{DS}/property/schema-name")
    typ = URIRef(f"{DS}/property/rdf-type")
    assert {name, typ} <= set(out.objects(DS, VOID.propertyPartition))
    assert out.value(name, VOID.property) == SCHEMA.name and out.value(name, VOID.triples) == Literal(1, datatype=NNI)
    assert out.value(typ, VOID.triples) == Literal(3, datatype=NNI)
    assert out.value(name, RDFS.label) == Literal("property partition schema:name", lang="en")
    assert len(set(out.objects(DS, VOID.propertyPartition))) == 5


def test_each_linkset_counts_only_the_links_to_its_own_target() -> None:
    out = describe(data(), config(), [], [])
    wd, viaf, ol = (URIRef(f"{DS}/linkset/{n}") for n in ("wikidata", "viaf", "openlibrary"))
    assert set(out.objects(DS, VOID.subset)) == {wd, viaf, ol}
    assert out.value(wd, VOID.triples) == Literal(2, datatype=NNI)
    assert out.value(viaf, VOID.triples) == Literal(1, datatype=NNI)
    assert out.value(ol, VOID.triples) == Literal(0, datatype=NNI)
    assert set(out.objects(wd, VOID.linkPredicate)) == {OWL.sameAs, SKOS.exactMatch}
    assert set(out.objects(viaf, VOID.linkPredicate)) == {SKOS.closeMatch}
    assert set(out.objects(ol, VOID.linkPredicate)) == {OWL.sameAs}  # none yet: the default
    assert (wd, RDF.type, VOID.Linkset) in out and out.value(wd, RDFS.label) == Literal("links to wikidata", lang="en")
    assert out.value(wd, VOID.subjectsTarget) == DS
    assert out.value(wd, VOID.objectsTarget) == URIRef("http://www.wikidata.org/")
    assert set(out.objects(viaf, VOID.target)) == {DS, URIRef("http://viaf.org/")}


def test_distributions_say_size_type_and_checksum() -> None:
    dumps = [Dump("dataset.ttl.gz", b"\x1f\x8b..."), Dump("dataset.nt", b"<a> <b> <c> .\n")]
    assert [d.media_type for d in dumps] == ["text/turtle", "application/n-triples"]
    assert Dump("x.jsonld", b"").media_type == "application/ld+json" and Dump("x.trig", b"").media_type == "application/trig"
    out = describe(data(), config(dump_base_url="https://dl.example.org/"), dumps, [])
    gz, nt = URIRef(f"{DS}/distribution/dataset-ttl-gz"), URIRef(f"{DS}/distribution/dataset-nt")
    assert set(out.objects(DS, DCAT.distribution)) == {gz, nt}
    assert set(out.objects(DS, VOID.dataDump)) == {URIRef("https://dl.example.org/dataset.ttl.gz"),
                                                  URIRef("https://dl.example.org/dataset.nt")}
    assert (gz, RDF.type, DCAT.Distribution) in out
    assert out.value(gz, RDFS.label) == Literal("dataset.ttl.gz", lang="en") == out.value(gz, DCTERMS.title)
    assert out.value(gz, DCAT.downloadURL) == URIRef("https://dl.example.org/dataset.ttl.gz")
    assert out.value(gz, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/turtle")
    assert out.value(gz, DCTERMS.format) == Literal("text/turtle")
    assert out.value(gz, DCAT.compressFormat) == URIRef("https://www.iana.org/assignments/media-types/application/gzip")
    assert out.value(nt, DCAT.compressFormat) is None
    assert out.value(nt, DCAT.byteSize) == Literal(14, datatype=NNI)
    checksum = URIRef(f"{nt}/sha256")
    assert out.value(nt, SPDX.checksum) == checksum and (checksum, RDF.type, SPDX.Checksum) in out
    assert out.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert out.value(checksum, SPDX.checksumValue) == Literal(dumps[1].sha256, datatype=XSD.hexBinary)
    assert out.value(checksum, RDFS.label) == Literal("sha256 of dataset.nt", lang="en")
    bare = describe(data(), config(), dumps, [], with_distributions=False)
    assert bare.value(nt, DCAT.byteSize) is None and bare.value(nt, SPDX.checksum) is None
    assert bare.value(nt, DCAT.downloadURL) == URIRef(BASE + "dumps/dataset.nt")


def test_stats_are_reused() -> None:
    g = data()
    st = stats(g)
    assert (st.triples, len(st.classes), st.properties[RDF.type], len(st.links)) == (7, 2, 3, 3)
    assert set(describe(Graph(), config(), [], [], graph_stats=st)) == set(describe(g, config(), [], []))


# ------------------------------------------------------------------ kg/publish/serialize.py

import json  # noqa: E402

import pytest  # noqa: E402

from kg.publish.serialize import Namer, jsonld, jsonld_context, nt_term, ntriples, trig, turtle  # noqa: E402

HARD = 'back\\slash "quoted" new\nline cr\rtab\tbell\x07 bs\b ff\f nul\x00 del\x7f non-BMP 😀 é'


def tricky() -> Graph:
    g = Graph()
    s = URIRef(BASE + "id/person/a")
    g.add((s, RDF.type, SCHEMA.Person))
    g.add((s, RDF.type, FOAF.Person))
    g.add((s, SCHEMA.name, Literal(HARD)))
    g.add((s, SCHEMA.name, Literal("Лев", lang="ru")))
    g.add((s, SCHEMA.description, Literal("x", datatype=XSD.string)))
    g.add((s, SCHEMA.birthDate, Literal("1879", datatype=XSD.gYear)))
    g.add((s, SCHEMA.height, Literal("1.5", datatype=URIRef("http://example.org/dt#unit"))))
    g.add((s, SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/Q33391")))
    g.add((s, SCHEMA.url, URIRef(BASE + "id/page/a%20b#frag")))
    g.add((s, SCHEMA.knows, URIRef(BASE + "id/person/b")))
    g.add((s, URIRef(str(SCHEMA) + "odd.name"), URIRef("https://schema.org//double")))
    g.add((URIRef(BASE + "id/person/b"), RDFS.label, Literal("b")))
    return g


def test_nt_terms_escape_exactly() -> None:
    assert nt_term(Literal(HARD)) == ('"back\\\\slash \\"quoted\\" new\\nline cr\\rtab\\tbell\\u0007 bs\\b ff\\f '
                                      'nul\\u0000 del\\u007F non-BMP 😀 é"')
    assert nt_term(Literal("a", lang="en")) == '"a"@en'
    assert nt_term(Literal("a", datatype=XSD.string)) == '"a"'
    assert nt_term(Literal("1", datatype=XSD.integer)) == '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert nt_term(URIRef("http://x/y")) == "<http://x/y>"
    from rdflib import BNode
    with pytest.raises(ValueError, match="published graphs have no blank nodes; skolemise first"):
        nt_term(BNode())
    with pytest.raises(TypeError, match="not an RDF term: 3"):
        nt_term(3)


@pytest.mark.parametrize("fmt", ["nt", "turtle", "trig", "json-ld"])
def test_every_writer_round_trips_hard_literals_and_iris(fmt: str) -> None:
    g = tricky()
    name = BASE + "id/graph/data"
    if fmt == "nt":
        data, back = ntriples(g), Graph().parse(data=ntriples(g).decode(), format="nt")
    elif fmt == "turtle":
        data = turtle(g, BASE)
        back = Graph().parse(data=data.decode(), format="turtle")
    elif fmt == "json-ld":
        data = jsonld(g, BASE)
        back = Graph().parse(data=data.decode(), format="json-ld")
    else:
        from rdflib import Dataset
        data = trig({name: g}, BASE)
        ds = Dataset()
        ds.parse(data=data.decode(), format=fmt)
        back = ds.graph(URIRef(name))
        assert len(back) == len(g)
    # RDF 1.1: "x"^^xsd:string is "x"; the writers spell it the short way
    plain = {(s, p, Literal(str(o)) if isinstance(o, Literal) and o.datatype == XSD.string else o) for s, p, o in g}
    assert set(back) == plain, fmt
    assert data == (ntriples(g) if fmt == "nt" else data)


def test_the_writers_are_byte_stable_and_ordered() -> None:
    g1, g2 = tricky(), Graph()
    for t in reversed(sorted(tricky())):
        g2.add(t)
    assert turtle(g1, BASE) == turtle(g2, BASE) and jsonld(g1, BASE) == jsonld(g2, BASE)
    assert ntriples(g1) == ntriples(g2) and ntriples(g1).decode().splitlines() == sorted(ntriples(g1).decode().splitlines())
    text = turtle(g1, BASE).decode()
    assert text.startswith(f"@base <{BASE}id/> .\n@prefix ")
    assert f"@prefix kg: <{BASE}id/> ." in text
    assert "<person/a>\n    a foaf:Person, schema:Person ;\n" in text  # rdf:type first, objects sorted
    assert "    schema:knows <person/b> ;\n" in text
    assert "    schema:birthDate \"1879\"^^xsd:gYear ;\n" in text
    assert '    schema:description "x" ;\n' in text
    assert "<http://example.org/dt#unit>" in text and "<https://schema.org/odd.name>" in text
    assert text.index("<person/a>") < text.index("<person/b>")
    assert text.endswith(" .\n")


def test_trig_has_one_block_per_graph_in_name_order() -> None:
    g = Graph()
    g.add((URIRef(BASE + "id/x"), RDFS.label, Literal("x")))
    text = trig({BASE + "id/graph/b": g, BASE + "id/graph/a": g}, BASE).decode()
    assert text.index("<graph/a> {\n    <x>\n        rdfs:label \"x\" .\n}\n") < text.index("<graph/b> {")


def test_jsonld_is_json_dumps_of_the_document() -> None:
    g = tricky()
    data = jsonld(g, BASE)
    doc = json.loads(data)
    assert data == (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    assert doc["@context"] == jsonld_context(BASE) and doc["@context"]["@version"] == 1.1
    assert doc["@context"]["kg"] == BASE + "id/"
    a = next(n for n in doc["@graph"] if n["@id"] == "kg:person/a")
    assert a["@type"] == ["foaf:Person", "schema:Person"]
    assert {"@value": "Лев", "@language": "ru"} in a["schema:name"] and HARD in a["schema:name"]
    assert a["schema:birthDate"] == [{"@value": "1879", "@type": "xsd:gYear"}]
    assert a["schema:description"] == ["x"]
    assert a["schema:knows"] == [{"@id": "kg:person/b"}]
    assert a["schema:odd.name"] == [{"@id": "schema:/double"}]  # a suffix may not start with "//"
    assert [n["@id"] for n in doc["@graph"]] == ["kg:person/a", "kg:person/b"]
    assert jsonld(Graph(), BASE).decode().endswith('"@graph": []\n}\n')


def test_names_compact_only_safe_local_names() -> None:
    n = Namer(BASE)
    assert n.curie(str(SCHEMA) + "name") == "schema:name" and n.curie(str(SCHEMA) + "odd.name") is None
    assert n.curie("http://example.org/x") is None
    assert n.turtle(URIRef(BASE + "id/a>b")) == f"<{BASE}id/a>b>"
    assert n.turtle(URIRef(BASE + "id/x")) == "<x>"
    assert n.compact(BASE + "id/x") == "kg:x" and n.compact(str(SCHEMA)) == str(SCHEMA)
    assert n.compact("https://schema.org//x") == "schema:/x" and n.compact(str(XSD) + "//x") == str(XSD) + "//x"


# ------------------------------------------------------------------ labels, order, writer (survivors)

def test_every_label_of_the_description_is_written_at_en() -> None:
    out = describe(data(), config(), [Dump("dataset.nt", b"")], [])
    assert {o.language for o in out.objects(None, RDFS.label) if o.language} == {"en"}  # as written, not compared


def test_objects_are_ordered_by_kind_text_datatype_and_language() -> None:
    from kg.publish import serialize

    # the writers remember each term's sort key for the life of the process: forget them, so that the
    # keys are computed here (a key computed by an earlier test would hide a wrong key function)
    serialize._SORT_KEYS.clear()
    s = URIRef(BASE + "id/x")
    g = Graph()
    for o in (Literal("b"), URIRef(BASE + "id/z"), Literal("a", lang="en"), Literal("a"),
              *(Literal("1", datatype=XSD[t]) for t in ("integer", "decimal", "string", "long", "byte", "short"))):
        g.add((s, RDFS.comment, o))
    text = turtle(g, BASE).decode()
    # (xsd:string sorts by its datatype IRI, though it is written without it)
    assert ('rdfs:comment <z>, "1"^^xsd:byte, "1"^^xsd:decimal, "1"^^xsd:integer, "1"^^xsd:long, '
            '"1"^^xsd:short, "1", "a", "a"@en, "b" .') in text
    assert nt_term(Literal("a", lang="en")) == '"a"@en'


def test_a_blank_node_message_is_exact() -> None:
    from rdflib import BNode
    with pytest.raises(ValueError, match=r"^published graphs have no blank nodes; skolemise first$"):
        nt_term(BNode())


def test_kept_entries_survive_a_rewrite_unless_the_build_writes_them(tmp_path: Path) -> None:
    import stat

    from kg.publish.writer import live_output, write_tree

    out = tmp_path / "output"
    (out / "releases").mkdir(parents=True)
    (out / "releases" / "r.txt").write_text("kept dir")
    (out / "notes.txt").write_text("kept file")
    (out / "same.txt").write_text("old")
    (out / "gone.txt").write_text("dropped")
    write_tree({"a.txt": b"new", "same.txt": b"new"}, out, keep=("releases", "notes.txt", "same.txt", "absent"))
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "notes.txt", "releases", "same.txt"]
    assert (out / "releases" / "r.txt").read_text() == "kept dir" and (out / "notes.txt").read_text() == "kept file"
    assert (out / "same.txt").read_text() == "new"
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert live_output(out) == out
    missing = tmp_path / "nothing"
    assert live_output(missing) == missing
    (tmp_path / ".nothing.old-1").mkdir()
    assert live_output(missing) == tmp_path / ".nothing.old-1"
    (tmp_path / ".nothing.old-2").mkdir()
    assert live_output(missing) == missing  # two kept trees: not the swap's, so neither is read


def test_the_bytes_do_not_depend_on_the_hash_seed() -> None:
    import subprocess
    import sys

    script = ("import sys; sys.path.insert(0, 'tests'); from test_mutants_writers import tricky, BASE; "
              "from rdflib import Literal, URIRef; from rdflib.namespace import RDFS, XSD; "
              "from kg.publish.serialize import turtle, jsonld; g = tricky(); "
              "[g.add((URIRef(BASE + 'id/x'), RDFS.comment, Literal('1', datatype=XSD[t]))) "
              "for t in ('integer', 'decimal', 'long', 'byte', 'short', 'int', 'float', 'double')]; "
              "sys.stdout.buffer.write(turtle(g, BASE) + jsonld(g, BASE))")
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, check=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)}).stdout
               for seed in range(6)}
    assert len(outputs) == 1
