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
