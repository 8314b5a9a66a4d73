"""The argument in its field's own formats: xAIF (validated and read back with the `xaif` package)
and one nanopublication per claim (four graphs, the claim's triples, Trusty URIs and signatures
checked by both nanopub libraries), listed in VoID and faithful to bad input."""
from __future__ import annotations

import hashlib
import json
import re
from base64 import encodebytes
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, VOID, XSD

from kg.cli import main
from kg.config import load_config
from kg.namespaces import KGO, SCHEMA
from kg.pipeline import build, compile_dataset
from kg.publish.argument import argument_distributions, argument_exports, essay_aif, essay_nodes, is_distribution
from kg.sources import load_sources

from conftest import make_project

ID = "https://w3id.org/arthur-kg/id/"
NP = rdflib.Namespace("http://www.nanopub.org/nschema#")
NPX = rdflib.Namespace("http://purl.org/nanopub/x/")
AIF_TYPES = {"I", "L", "YA", "RA", "CA"}
PREFIXES = """PREFIX schema: <https://schema.org/> PREFIX kgo: <https://w3id.org/arthur-kg/ontology#>
              PREFIX prov: <http://www.w3.org/ns/prov#> """


@pytest.fixture(scope="module")
def built_argument(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-essay argument fixture: a cycle of support and relations between the essays."""
    root = make_project(tmp_path_factory.mktemp("argument") / "project", "argument")
    build(load_config(root))
    return root / "output"


@contextmanager
def nanopub_library():
    """The `nanopub` library. Importing it sets ``rdflib.NORMALIZE_LITERALS = False`` for the whole
    process (nanopub/trustyuri/rdf/__init__.py), which changes how later builds read literals: the
    flag is put back when the checks are done, so that no other test builds under it."""
    before = rdflib.NORMALIZE_LITERALS
    try:
        import nanopub
        import nanopub.trustyuri.rdf  # noqa: F401 - the module that flips the flag

        yield nanopub
    finally:
        rdflib.NORMALIZE_LITERALS = before


def store(out: Path) -> ox.Store:
    s = ox.Store()
    s.load(path=str(out / "dataset.nt"), format=ox.RdfFormat.N_TRIPLES)
    return s


def select(s: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(t.value if t is not None else "" for t in row) for row in s.query(PREFIXES + query)]


def check_structure(doc: dict) -> dict[str, dict]:
    """What `xaif` does not check: node types, edge ends, and the shape of each kind of node."""
    from xaif import AIF

    assert AIF(doc).is_valid_json_aif()
    nodes = {n["nodeID"]: n for n in doc["AIF"]["nodes"]}
    assert len(nodes) == len(doc["AIF"]["nodes"]), "node ids are unique"
    assert {n["type"] for n in nodes.values()} <= AIF_TYPES
    into: dict[str, list[str]] = {}
    out: dict[str, list[str]] = {}
    for e in doc["AIF"]["edges"]:
        assert e["fromID"] in nodes and e["toID"] in nodes, e
        out.setdefault(e["fromID"], []).append(e["toID"])
        into.setdefault(e["toID"], []).append(e["fromID"])
    for nid, n in nodes.items():
        if n["type"] in ("RA", "CA"):  # one premise I-node in, one conclusion I-node out
            assert [nodes[x]["type"] for x in into[nid]] == ["I"] and [nodes[x]["type"] for x in out[nid]] == ["I"]
        if n["type"] == "YA":  # a locution anchors a proposition
            assert [nodes[x]["type"] for x in into[nid]] == ["L"] and [nodes[x]["type"] for x in out[nid]] == ["I"]
            assert n["text"] == "Asserting"
    people = {p["participantID"] for p in doc["AIF"]["participants"]}
    locs = {loc["nodeID"]: loc["personID"] for loc in doc["AIF"]["locutions"]}
    assert set(locs) == {k for k, n in nodes.items() if n["type"] == "L"}
    assert set(locs.values()) <= people
    return nodes


# ---------------------------------------------------------------- xAIF

def test_xaif_validates_and_reads_back_the_claims_and_relations(real_build: Path) -> None:
    from xaif import AIF

    doc = json.loads((real_build / "argument.aif.json").read_text(encoding="utf-8"))
    nodes = check_structure(doc)
    s = store(real_build)
    essay = select(s, "SELECT ?e WHERE { ?e a schema:ScholarlyArticle }")[0][0]
    claims = dict(select(s, f"SELECT ?c ?t WHERE {{ ?c a schema:Claim ; schema:appearance <{essay}> ; schema:text ?t }}"))
    assert len(claims) == 106
    # every claim is an I-node whose id is its IRI relative to <base>id/ and whose text is schema:text
    claim_nodes = {ID + k: n["text"] for k, n in nodes.items() if n["type"] == "I" and k.startswith("claim/")}
    assert claim_nodes == claims
    assert doc["kg"]["outside"] == [] and doc["kg"]["base"] == ID

    # the relations, read back through xaif: (premise text, conclusion text, AIF node text)
    df = AIF(doc).get_csv("argument-relation")
    got = sorted(map(tuple, df[df["relation"] != "None"][["proposition1_text", "proposition2_text", "relation"]].values))
    text = dict(select(s, "SELECT ?x ?t WHERE { ?x schema:text ?t }"))
    expected = []
    for prop, label in (("supports", "Default Inference"), ("opposes", "Default Conflict"),
                        ("qualifies", "Qualifying"), ("evidenceFor", "Default Inference")):
        rows = select(s, f"SELECT ?a ?b WHERE {{ ?a kgo:{prop} ?b . ?b a schema:Claim }}")
        expected += [(text[a], text[b], label) for a, b in rows]
    assert got == sorted(expected)
    counts = {t: sum(1 for n in nodes.values() if n["type"] == t) for t in AIF_TYPES}
    n = lambda q: int(select(s, q)[0][0])  # noqa: E731
    assert counts["RA"] == n("SELECT (COUNT(*) AS ?n) WHERE { { ?a kgo:supports ?b } UNION { ?a kgo:evidenceFor ?b . ?b a schema:Claim } }")
    assert counts["CA"] == n("SELECT (COUNT(*) AS ?n) WHERE { { ?a kgo:opposes ?b } UNION { ?a kgo:qualifies ?b } }")

    # holders: one locution per (claim, holder), spoken by the holder as a participant
    holders = select(s, "SELECT ?c ?h WHERE { ?c a schema:Claim ; schema:author ?h }")
    locs = {(loc["nodeID"].split("|L|")[0], loc["personID"]) for loc in doc["AIF"]["locutions"]}
    assert {(c[len(ID):], h[len(ID):]) for c, h in holders} <= locs
    stance = dict(select(s, "SELECT ?c ?s WHERE { ?c kgo:authorStance ?s }"))
    assert {ID + k: v for k, v in doc["kg"]["stance"].items()} == {
        c: {"endorses": "endorses", "rejects": "rejects", "acceptsInPart": "qualifies"}[v.rsplit("#", 1)[1]]
        for c, v in stance.items()}
    thesis = select(s, "SELECT ?c WHERE { ?e kgo:centralThesis ?c }")
    assert doc["kg"]["centralThesis"] == [thesis[0][0][len(ID):]]


def test_a_corpus_gets_one_xaif_file_per_essay_with_what_crosses_and_cycles(built_argument: Path) -> None:
    alpha = json.loads((built_argument / "argument-alpha.aif.json").read_text(encoding="utf-8"))
    beta = json.loads((built_argument / "argument-beta.aif.json").read_text(encoding="utf-8"))
    assert not (built_argument / "argument.aif.json").exists()
    nodes = check_structure(alpha)
    check_structure(beta)
    # the cycle of support is exported both ways, and named
    assert nodes["claim/nationalised|supports|claim/proletarian"]["type"] == "RA"
    assert nodes["claim/proletarian|supports|claim/nationalised"]["type"] == "RA"
    assert "cycle of support: claim/nationalised, claim/proletarian" in alpha["kg"]["notes"]
    # a relation to a claim of the other essay, and one from it: kept, with the other claim's text
    assert nodes["claim/against-beta|opposes|claim/bureaucracy-class"]["type"] == "CA"
    assert nodes["claim/bureaucracy-class"]["text"] == "The bureaucracy has become a ruling class."
    assert nodes["claim/property-forms|supports|claim/workers-state"]["type"] == "RA"
    assert alpha["kg"]["outside"] == ["claim/bureaucracy-class", "claim/property-forms"]
    assert ("claim/bureaucracy-class is related to this essay's claims but does not appear in it "
            "(a claim of another essay)") in alpha["kg"]["notes"]
    assert beta["kg"]["outside"] == ["claim/against-beta", "claim/workers-state"]
    # qualification is a CA-node that says so; a claim with two holders has two locutions
    assert nodes["claim/degenerated|qualifies|claim/workers-state"] == {
        "nodeID": "claim/degenerated|qualifies|claim/workers-state", "type": "CA", "text": "Qualifying"}
    speakers = sorted(loc["personID"] for loc in alpha["AIF"]["locutions"] if loc["nodeID"].startswith("claim/workers-state|"))
    assert speakers == ["person/ada-alpha", "person/leon-trotsky"]
    assert nodes["quotation/pupa|evidenceFor|claim/workers-state"]["type"] == "RA"
    assert alpha["kg"]["centralThesis"] == ["claim/workers-state"]
    assert alpha["kg"]["stance"]["claim/degenerated"] == "qualifies"


def test_a_relation_to_something_that_is_no_claim_is_kept_and_named() -> None:
    """The shapes stop such data before a build; the exporter still never drops it silently."""
    g = rdflib.Graph()
    essay, c, ghost = URIRef(ID + "essay/e"), URIRef(ID + "claim/c"), URIRef(ID + "claim/ghost")
    g.add((essay, RDF.type, SCHEMA.ScholarlyArticle))
    g.add((c, RDF.type, SCHEMA.Claim))
    g.add((c, SCHEMA.appearance, essay))
    g.add((c, SCHEMA.text, Literal("A claim.", lang="en")))
    g.add((c, KGO.supports, ghost))
    g.add((c, KGO.supports, c))  # a claim that supports itself is a cycle too
    doc = essay_aif(g, essay, load_config(Path(__file__).parent / "fixtures" / "argument"))
    nodes = check_structure(doc)
    assert nodes["claim/ghost"] == {"nodeID": "claim/ghost", "type": "I", "text": "ghost"}
    assert nodes["claim/c|supports|claim/ghost"]["type"] == "RA"
    assert doc["kg"]["notes"] == [
        "claim/ghost is related to this essay's claims but does not appear in it (not a claim of the dataset)",
        "cycle of support: claim/c"]


def test_exports_are_the_same_bytes_every_time(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", "argument")
    config = load_config(root)
    first = argument_exports(compile_dataset(load_sources(config), config), config)
    second = argument_exports(compile_dataset(load_sources(config), config), config)
    assert first == second
    assert sorted(n for n in first if not n.startswith("nanopubs/")) == [
        "argument-alpha.aif.json", "argument-beta.aif.json", "nanopubs.trig"]
    assert len([n for n in first if n.startswith("nanopubs/")]) == 7


@pytest.mark.parametrize("fixture", ["argument", "mini"])
def test_the_listed_exports_are_named_without_making_them(tmp_path: Path, fixture: str) -> None:
    """``argument_distributions`` (the names the description lists, known before the exports are made
    by the forked dump writers) is exactly the exports' distributions, with the essays' nodes found by
    the build or looked up again."""
    root = make_project(tmp_path / "p", fixture)
    config = load_config(root)
    dataset = compile_dataset(load_sources(config), config)
    made = argument_exports(dataset, config)
    names = argument_distributions(dataset)
    assert names == sorted(n for n in made if is_distribution(n))
    assert names[-1] == "nanopubs.trig" and len(names) == (3 if fixture == "argument" else 2)
    nodes = dict(dataset.essay_nodes)
    assert nodes and all(str(iri).endswith("/" + essay_id) for essay_id, iri in nodes.items())
    dataset.essay_nodes = None  # a dataset made elsewhere: the nodes looked up in the essays
    assert essay_nodes(dataset) == nodes and argument_distributions(dataset) == names


# ---------------------------------------------------------------- nanopublications

def parse_nanopub(path: Path) -> tuple[rdflib.Dataset, dict[str, rdflib.Graph], URIRef]:
    ds = rdflib.Dataset()
    ds.parse(path, format="trig")
    graphs = {str(g.identifier): g for g in ds.graphs() if len(g)}
    heads = [g for g in graphs.values() if (None, RDF.type, NP.Nanopublication) in g]
    assert len(heads) == 1
    head = heads[0]
    np_iri = head.value(None, RDF.type, NP.Nanopublication)
    parts = {"head": head}
    for key, p in (("assertion", NP.hasAssertion), ("provenance", NP.hasProvenance), ("pubinfo", NP.hasPublicationInfo)):
        parts[key] = graphs[str(head.value(np_iri, p))]
    assert len(graphs) == 4, f"{path.name}: {sorted(graphs)}"
    return ds, parts, np_iri


def test_every_claim_is_a_nanopublication_of_its_triples(real_build: Path) -> None:
    import nanopub_sign

    dump = rdflib.Graph().parse(real_build / "dataset.nt", format="nt")
    claims = set(dump.subjects(RDF.type, SCHEMA.Claim))
    files = sorted((real_build / "nanopubs").glob("*.trig"))
    assert len(files) == len(claims) == 106
    seen = set()
    for path in files:
        _ds, g, np_iri = parse_nanopub(path)
        claim = g["pubinfo"].value(np_iri, NPX.introduces)
        seen.add(claim)
        assert path.name == str(claim).rsplit("/", 1)[1] + ".trig"
        # the assertion is exactly the claim's triples in the dump
        assert set(g["assertion"]) == set(dump.triples((claim, None, None))), path.name
        # the provenance: the assertion comes from the claim's anchors in the text, by the curators
        anchors = set(dump.objects(claim, PROV.wasDerivedFrom))
        assertion = URIRef(str(g["head"].value(np_iri, NP.hasAssertion)))
        assert anchors and set(g["provenance"].objects(assertion, PROV.wasDerivedFrom)) == anchors
        for a in anchors:
            assert set(dump.triples((a, None, None))) <= set(g["provenance"])
        assert set(g["provenance"].subjects(KGO.evidenceFor, claim)) == set(dump.subjects(KGO.evidenceFor, claim))
        # the publication info: the dataset, the licence, the date
        assert g["pubinfo"].value(np_iri, DCTERMS.isPartOf) == URIRef(ID + "dataset")
        assert g["pubinfo"].value(np_iri, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
        assert str(g["pubinfo"].value(np_iri, DCTERMS.created)).startswith("2026-")
        assert (None, NPX.hasSignature, None) not in g["pubinfo"]  # unsigned by default
        # a Trusty URI that nanopub-rs recomputes from the content
        assert re.fullmatch(rf"{ID[:-3]}np/{path.stem}/RA[A-Za-z0-9_-]{{43}}", str(np_iri))
        info = nanopub_sign.Nanopub(path.read_text(encoding="utf-8")).check().info()
        assert info["trusty_hash"] == str(np_iri).rsplit("/", 1)[1] and not info["signature"]
    assert seen == claims
    bundle = rdflib.Dataset().parse(real_build / "nanopubs.trig", format="trig")
    assert len({q[0] for q in bundle.quads((None, RDF.type, NP.Nanopublication, None))}) == 106


def test_nanopub_library_accepts_them_and_a_changed_one_fails(built_argument: Path, tmp_path: Path) -> None:
    import nanopub_sign

    path = built_argument / "nanopubs" / "against-beta.trig"
    with nanopub_library() as lib:
        np = lib.Nanopub(rdf=path)
        assert np.is_valid and np.has_valid_trusty
    _ds, g, _iri = parse_nanopub(path)
    # a relation that leaves the essay is asserted as it is
    assert (URIRef(ID + "claim/against-beta"), KGO.opposes, URIRef(ID + "claim/bureaucracy-class")) in g["assertion"]
    # so is each side of a cycle of support, in its own nanopublication
    for a, b in (("nationalised", "proletarian"), ("proletarian", "nationalised")):
        _ds, g, _iri = parse_nanopub(built_argument / "nanopubs" / f"{a}.trig")
        assert (URIRef(ID + f"claim/{a}"), KGO.supports, URIRef(ID + f"claim/{b}")) in g["assertion"]
    changed = path.read_text(encoding="utf-8").replace("Beta is wrong", "Beta is right")
    with pytest.raises(Exception, match="hash of the nanopublication is different"):
        nanopub_sign.Nanopub(changed).check()


def test_our_normalisation_is_the_nanopub_librarys(tmp_path: Path) -> None:
    """The build hashes and signs with its own (fast) normalisation; it must be the library's text."""
    from kg.publish.argument import nanopub_quads, normalised

    root = make_project(tmp_path / "p", "argument")
    config = load_config(root)
    g = compile_dataset(load_sources(config), config).union
    ns = ID[:-3] + "np/x/"
    odd = [(URIRef(ns + "assertion"), URIRef(ID + "claim/odd"), SCHEMA.text, Literal(v, **kw)) for v, kw in (
        ("back\\slash\nand line", {}), ("Ünïcode “quotes”", {"lang": "EN"}), ("7", {"datatype": XSD.integer}),
        ("7", {}), ("7", {"lang": "de"}))]
    with nanopub_library():
        from nanopub.trustyuri.rdf import RdfHasher

        for claim in sorted(g.subjects(RDF.type, SCHEMA.Claim)):
            quads = nanopub_quads(g, claim, config, ns) + odd
            assert normalised(quads, ns) == RdfHasher.normalize_quads(list(quads), baseuri=ns, hashstr=" "), claim


def throwaway_key(path: Path) -> str:
    from Crypto.PublicKey import RSA

    key = encodebytes(RSA.generate(2048).export_key(format="DER", pkcs=8)).decode().replace("\n", "")
    path.write_text(key + "\n")  # the format of nanopub's ~/.nanopub/id_rsa
    return key


def test_a_configured_key_signs_every_nanopublication(tmp_path: Path) -> None:
    import nanopub_sign

    root = make_project(tmp_path / "p", "argument")
    throwaway_key(root / "id_rsa")
    (root / "kg.toml").write_text('[kg]\nmodified = "2026-01-01"\nnanopub_key = "id_rsa"\n'
                                  'nanopub_signer = "https://orcid.org/0000-0000-0000-0000"\n')
    build(load_config(root))
    out = root / "output"
    files = sorted((out / "nanopubs").glob("*.trig"))
    assert len(files) == 7
    for path in files:
        text = path.read_text(encoding="utf-8")
        info = nanopub_sign.Nanopub(text).check().info()  # nanopub-rs: Trusty URI and signature
        assert info["signature"] and info["trusty_hash"] in text
        _ds, g, _iri = parse_nanopub(path)
        assert set(g["pubinfo"].objects(None, NPX.signedBy)) == {URIRef("https://orcid.org/0000-0000-0000-0000")}
        with nanopub_library() as lib:
            assert lib.Nanopub(rdf=path).has_valid_signature  # the Python library agrees
    # a signed claim whose text is changed no longer verifies
    text = (out / "nanopubs" / "workers-state.trig").read_text(encoding="utf-8")
    with pytest.raises(Exception):
        nanopub_sign.Nanopub(text.replace("remains a workers", "is no workers")).check()
    # the same key gives the same bytes (RSA PKCS#1 v1.5 signatures are deterministic)
    again = tmp_path / "again"
    build(load_config(root), output=again)
    assert (again / "nanopubs.trig").read_bytes() == (out / "nanopubs.trig").read_bytes()


def test_a_pem_key_is_read_as_nanopub_keeps_keys(tmp_path: Path) -> None:
    from Crypto.PublicKey import RSA

    from kg.sources import read_signing_key

    key = RSA.generate(2048)
    (tmp_path / "key.pem").write_bytes(key.export_key(format="PEM", pkcs=8))
    got = read_signing_key(load_config(tmp_path, overrides={"nanopub_key": "key.pem"}))
    assert got == encodebytes(key.export_key(format="DER", pkcs=8)).decode().replace("\n", "")


def test_a_signer_that_is_no_iri_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", "argument")
    (root / "kg.toml").write_text('[kg]\nnanopub_signer = "Ada Alpha"\n')
    result = CliRunner().invoke(main, ["--root", str(root), "-q", "build"])
    assert result.exit_code == 2
    assert "nanopub_signer 'Ada Alpha' must be an http(s) IRI" in result.output


@pytest.mark.parametrize("content, message", [(None, "no such file"), ("not a key\n", "not an RSA private key")])
def test_a_bad_signing_key_is_one_line_and_exit_2(tmp_path: Path, content: str | None, message: str) -> None:
    root = make_project(tmp_path / "p", "argument")
    if content is not None:
        (root / "id_rsa").write_text(content)
    (root / "kg.toml").write_text('[kg]\nnanopub_key = "id_rsa"\n')
    result = CliRunner().invoke(main, ["--root", str(root), "-q", "build"])
    assert result.exit_code == 2
    assert f"{root / 'id_rsa'}: {message} (nanopub_key in kg.toml)" in result.output
    assert "Traceback" not in result.output
    assert not (root / "output").exists()


# ---------------------------------------------------------------- the dataset description

def test_void_lists_the_exports_as_distributions(built_argument: Path) -> None:
    void = rdflib.Graph().parse(built_argument / "void.ttl")
    ds = URIRef(ID + "dataset")
    listed = {}
    for dist in void.objects(ds, DCAT.distribution):
        listed[str(void.value(dist, DCTERMS.title))] = dist
    for name, spec in (("argument-alpha.aif.json", "http://www.arg.dundee.ac.uk/aif"),
                       ("argument-beta.aif.json", "http://www.arg.dundee.ac.uk/aif"),
                       ("nanopubs.trig", "http://www.nanopub.org/nschema#")):
        dist = listed[name]
        data = (built_argument / name).read_bytes()
        assert int(void.value(dist, DCAT.byteSize)) == len(data)
        checksum = void.value(dist, URIRef("http://spdx.org/rdf/terms#checksum"))
        assert str(void.value(checksum, URIRef("http://spdx.org/rdf/terms#checksumValue"))) == hashlib.sha256(data).hexdigest()
        assert void.value(dist, DCTERMS.conformsTo) == URIRef(spec)
        assert (ds, VOID.dataDump, void.value(dist, DCAT.downloadURL)) not in void  # a view, not a dump
    assert not any(n.startswith("nanopubs/") for n in listed)  # the bundle stands for the files
