"""`kg link` end to end against a fake Wikidata / VIAF / Open Library on loopback: reconcile proposes
the right candidate first, accept merges into links.ttl, verify catches wrong facts and dead
identifiers, a second run is served from the cache, failures are clean. No test touches the internet."""
from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import OWL, SKOS

from kg.cli import main
from kg.namespaces import KGO

from conftest import make_project
from linker_fake import FakeServices

ESSAY = "data/essays/mini"
PERSON = "https://w3id.org/arthur-kg/id/person/"
WORK = "https://w3id.org/arthur-kg/id/work/"

EXTRA = """
@prefix person: <https://w3id.org/arthur-kg/id/person/> .
@prefix schema: <https://schema.org/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix kgo: <https://w3id.org/arthur-kg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

person:isaac-deutscher a schema:Person , foaf:Person ;
    rdfs:label "Isaac Deutscher"@en ; schema:name "Isaac Deutscher" ;
    schema:birthDate "1907"^^xsd:gYear ; schema:deathDate "1967"^^xsd:gYear .
"""

LINKED = """
@prefix person: <https://w3id.org/arthur-kg/id/person/> .
@prefix schema: <https://schema.org/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix kgo: <https://w3id.org/arthur-kg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

# wrong birth year (the record says 1878)
person:joseph-stalin a schema:Person , foaf:Person ;
    rdfs:label "Joseph Stalin"@en ; schema:name "Joseph Stalin" ;
    schema:birthDate "1879"^^xsd:gYear ; schema:deathDate "1953"^^xsd:gYear ;
    owl:sameAs <http://www.wikidata.org/entity/Q855> ; kgo:checkedBy "test"@en .
# wrong QID: Q1394 is Lenin
person:karl-marx a schema:Person , foaf:Person ;
    rdfs:label "Karl Marx"@en ; schema:name "Karl Marx" ;
    schema:birthDate "1818"^^xsd:gYear ; schema:deathDate "1883"^^xsd:gYear ;
    owl:sameAs <http://www.wikidata.org/entity/Q1394> ; kgo:checkedBy "test"@en .
# a redirected QID (merged into Q9235) and a redirected VIAF cluster
person:g-w-f-hegel a schema:Person , foaf:Person ;
    rdfs:label "Georg Wilhelm Friedrich Hegel"@en ; schema:name "Georg Wilhelm Friedrich Hegel" ;
    schema:birthDate "1770"^^xsd:gYear ;
    owl:sameAs <http://www.wikidata.org/entity/Q9235000> ; kgo:checkedBy "test"@en .
<https://w3id.org/arthur-kg/id/concept/state> <http://www.w3.org/2004/02/skos/core#closeMatch> <http://www.wikidata.org/entity/Q9200001> .
# a QID that does not exist
person:nobody a schema:Person , foaf:Person ;
    rdfs:label "Nobody"@en ; schema:name "Nobody" ;
    owl:sameAs <http://www.wikidata.org/entity/Q999999999> , <http://viaf.org/viaf/999> ; kgo:checkedBy "test"@en .
"""


@pytest.fixture
def fake():
    with FakeServices() as server:
        yield server


def _project(tmp_path: Path, fake: FakeServices, extra: str = EXTRA, **settings) -> Path:  # noqa: ANN003
    root = make_project(tmp_path / "project")
    (root / ESSAY / "extra.ttl").write_text(extra, encoding="utf-8")
    with (root / "kg.toml").open("a", encoding="utf-8") as fh:
        fh.write(fake.link_toml(**settings))
    return root


def run(root: Path, *args: str):  # noqa: ANN201
    return CliRunner().invoke(main, ["--root", str(root), "-q", "link", *args])


def _rows(root: Path) -> list[dict[str, str]]:
    import csv

    text = (root / "data/links/review.tsv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


def _first(rows: list[dict[str, str]], resource: str, service: str) -> dict[str, str]:
    return next(r for r in rows if r["resource"] == resource and r["service"] == service and r["rank"] == "1")


# ------------------------------------------------------------------ reconcile and review

def test_reconcile_proposes_the_right_candidate_first(tmp_path: Path, fake: FakeServices) -> None:
    root = _project(tmp_path, fake)
    before = {p: p.read_bytes() for p in (root / ESSAY).glob("*.ttl")}
    result = run(root, "review")
    assert result.exit_code == 0, result.output
    rows = _rows(root)
    # persons: the man, not the prize named after him nor his namesake, on every service
    assert _first(rows, "person/isaac-deutscher", "wikidata")["candidate"] == "Q9000002"
    assert _first(rows, "person/isaac-deutscher", "wikidata")["proposed"] == "yes"
    assert _first(rows, "person/isaac-deutscher", "viaf")["candidate"] == "66482806"
    assert _first(rows, "person/isaac-deutscher", "openlibrary")["candidate"] == "OL9990000002A"
    assert _first(rows, "person/leon-trotsky", "viaf")["candidate"] == "100182920"
    assert _first(rows, "person/leon-trotsky", "openlibrary")["candidate"] == "OL9990000001A"
    # works: the book by Trotsky, not the film of the same title nor a study guide
    assert _first(rows, "work/the-revolution-betrayed", "wikidata")["candidate"] == "Q9100002"
    assert _first(rows, "work/the-revolution-betrayed", "openlibrary")["candidate"] == "OL9990000001W"
    # Trotsky already has a QID: he is not looked up on Wikidata again
    assert not [r for r in rows if r["resource"] == "person/leon-trotsky" and r["service"] == "wikidata"]
    # concepts
    assert _first(rows, "concept/workers-state", "wikidata")["candidate"] == "Q9200001"
    # the review is a readable table and Turtle; nothing went into the curated data
    md = (root / "data/links/review.md").read_text(encoding="utf-8")
    assert "| person/isaac-deutscher | wikidata | [Q9000002](http://www.wikidata.org/entity/Q9000002) |" in md
    assert "person/c-j-arthur (wikidata)" in md.split("## Searched, no candidate found", 1)[1]
    proposed = rdflib.Graph().parse(root / "data/links/review.ttl", format="turtle")
    assert (rdflib.URIRef(PERSON + "isaac-deutscher"), OWL.sameAs, rdflib.URIRef("http://www.wikidata.org/entity/Q9000002")) in proposed
    assert {p: p.read_bytes() for p in (root / ESSAY).glob("*.ttl")} == before


def test_second_run_is_served_from_the_cache_and_offline_works(tmp_path: Path, fake: FakeServices) -> None:
    root = _project(tmp_path, fake, extra=EXTRA + LINKED.split("\n", 7)[7])
    assert run(root, "review").exit_code == 0
    first = fake.count
    assert first > 0
    review = (root / "data/links/review.tsv").read_bytes()
    assert run(root, "review").exit_code == 0
    assert fake.count == first, fake.requests[first:]
    assert (root / "data/links/review.tsv").read_bytes() == review
    assert run(root, "verify").exit_code == 1  # fills the cache for verify
    after_verify = fake.count
    assert run(root, "verify").exit_code == 1
    assert run(root, "verify", "--offline").exit_code == 1
    assert fake.count == after_verify


def test_offline_without_cache_fails_cleanly(tmp_path: Path, fake: FakeServices) -> None:
    root = _project(tmp_path, fake)
    result = run(root, "review", "--offline")
    assert result.exit_code == 3
    assert "not in the cache" in result.output and "--offline" in result.output
    assert fake.count == 0


def test_accept_merges_reviewed_links_atomically(tmp_path: Path, fake: FakeServices) -> None:
    root = _project(tmp_path, fake)
    assert run(root, "review").exit_code == 0
    result = run(root, "accept", "person/isaac-deutscher", "work/the-revolution-betrayed=Q9100002",
                 "concept/workers-state", "--by", "Ada (test)")
    assert result.exit_code == 0, result.output
    links = root / ESSAY / "links.ttl"
    g = rdflib.Graph().parse(links, format="turtle")
    deutscher = rdflib.URIRef(PERSON + "isaac-deutscher")
    assert set(g.objects(deutscher, OWL.sameAs)) == {rdflib.URIRef("http://www.wikidata.org/entity/Q9000002"),
                                                   rdflib.URIRef("http://viaf.org/viaf/66482806"),
                                                   rdflib.URIRef("https://openlibrary.org/authors/OL9990000002A")}
    checked = [str(o) for o in g.objects(deutscher, KGO.checkedBy)]
    assert checked and all("Reviewed by Ada (test)" in c and o.language == "en"
                           for c, o in zip(checked, g.objects(deutscher, KGO.checkedBy)))
    assert (rdflib.URIRef(WORK + "the-revolution-betrayed"), OWL.sameAs,
            rdflib.URIRef("http://www.wikidata.org/entity/Q9100002")) in g
    concept = rdflib.URIRef("https://w3id.org/arthur-kg/id/concept/workers-state")
    assert (concept, SKOS.exactMatch, rdflib.URIRef("http://www.wikidata.org/entity/Q9200001")) in g
    assert not list(g.objects(concept, OWL.sameAs))
    # marking a row in the TSV also works, and accepting twice adds nothing
    tsv = root / "data/links/review.tsv"
    lines = tsv.read_text(encoding="utf-8").splitlines()
    lines = [("x" + ln) if "\tperson/leon-trotsky\tviaf\t100182920\t" in ln else ln for ln in lines]
    tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    marked = run(root, "accept")
    assert marked.exit_code == 0 and "person/leon-trotsky: linked to http://viaf.org/viaf/100182920" in marked.output
    g = rdflib.Graph().parse(links, format="turtle")
    assert (rdflib.URIRef(PERSON + "leon-trotsky"), OWL.sameAs, rdflib.URIRef("http://viaf.org/viaf/100182920")) in g
    again = run(root, "accept", "person/isaac-deutscher")
    assert again.exit_code == 0 and "already linked" in again.output
    # the merged data still builds and conforms (links.ttl is loaded with the essay)
    from kg.config import load_config
    from kg.pipeline import validate_corpus

    (root / ESSAY / "extra.ttl").write_text(EXTRA.replace(
        'schema:deathDate "1967"^^xsd:gYear .', 'schema:deathDate "1967"^^xsd:gYear ; kgo:mention "Trotsky" ; '
        'kgo:roleInEssay kgo:mentioned .'), encoding="utf-8")
    _ds, report, _files = validate_corpus(load_config(root))
    assert report.conforms, report.text()


def test_accept_of_an_unknown_id_is_bad_input(tmp_path: Path, fake: FakeServices) -> None:
    root = _project(tmp_path, fake)
    assert run(root, "review").exit_code == 0
    result = run(root, "accept", "person/nobody-at-all")
    assert result.exit_code == 2
    assert "person/nobody-at-all" in result.output
    assert not (root / ESSAY / "links.ttl").exists()


def test_accept_never_leaves_a_half_written_file(tmp_path: Path, fake: FakeServices, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, fake)
    assert run(root, "review").exit_code == 0
    assert run(root, "accept", "person/isaac-deutscher=Q9000002").exit_code == 0
    links = root / ESSAY / "links.ttl"
    before = links.read_bytes()
    import os

    def broken_replace(src, dst):  # noqa: ANN001, ANN202
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    result = run(root, "accept", "work/the-revolution-betrayed")
    assert result.exit_code != 0
    assert links.read_bytes() == before
    assert [p.name for p in (root / ESSAY).iterdir() if p.name.endswith(".tmp")] == []


# ------------------------------------------------------------------ verify

def test_verify_catches_wrong_facts_and_dead_identifiers(tmp_path: Path, fake: FakeServices) -> None:
    root = _project(tmp_path, fake, extra=LINKED)
    result = run(root, "verify")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "person/joseph-stalin: wikidata Q855: mismatch: birth year is 1879 here but 1878 in the record" in out
    assert "person/karl-marx: wikidata Q1394: mismatch: label 'Vladimir Lenin' does not match 'Karl Marx'" in out
    assert "person/karl-marx: wikidata Q1394: mismatch: birth year is 1818 here but 1870" in out
    assert ("person/g-w-f-hegel: wikidata Q9235000: dead: the record is a redirect to Q9235 -> propose "
            "http://www.wikidata.org/entity/Q9235") in out
    assert "person/nobody: wikidata Q999999999: dead: the record does not exist (missing)" in out
    assert "person/nobody: viaf 999: dead: the record is a redirect to 100182920 -> propose http://viaf.org/viaf/100182920" in out
    # a close match is only checked for being alive, not for its label
    assert "concept/state" not in out
    # the correct link of the mini essay (Trotsky, Q33391) raises nothing
    assert "leon-trotsky" not in out
    # one wbgetentities request for all QIDs
    assert sum("wbgetentities" in r for r in fake.requests) == 1


def test_verify_of_good_links_exits_0(tmp_path: Path, fake: FakeServices) -> None:
    root = _project(tmp_path, fake)
    result = run(root, "verify")
    assert result.exit_code == 0, result.output
    assert "Checked 1 identifiers: 0 problem(s)" in result.output


def test_verify_checks_open_library_and_viaf_records(tmp_path: Path, fake: FakeServices) -> None:
    extra = EXTRA + """
person:isaac-deutscher owl:sameAs <https://openlibrary.org/authors/OL9990000009A> .
<https://w3id.org/arthur-kg/id/work/the-revolution-betrayed> owl:sameAs <https://openlibrary.org/works/OL9990000001W> ,
    <http://www.wikidata.org/entity/Q9100002> .
person:leon-trotsky owl:sameAs <http://viaf.org/viaf/100182920> , <https://openlibrary.org/authors/OL9990000001A> .
"""
    root = _project(tmp_path, fake, extra=extra)
    result = run(root, "verify")
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ": dead: " in ln or ": mismatch: " in ln]
    assert lines == ["person/isaac-deutscher: openlibrary OL9990000009A: dead: the record is a redirect to OL9990000001A -> propose "
                     "https://openlibrary.org/authors/OL9990000001A"], result.output


def test_verify_catches_a_wrong_creator_and_year_of_a_work(tmp_path: Path, fake: FakeServices) -> None:
    fake.world.entities["Q9100002"]["claims"]["P50"][0]["mainsnak"]["datavalue"]["value"].update(id="Q855", **{"numeric-id": 855})
    fake.world.entities["Q9100002"]["claims"]["P577"][0]["mainsnak"]["datavalue"]["value"]["time"] = "+1950-01-01T00:00:00Z"
    extra = EXTRA + "<https://w3id.org/arthur-kg/id/work/the-revolution-betrayed> owl:sameAs <http://www.wikidata.org/entity/Q9100002> .\n"
    root = _project(tmp_path, fake, extra=extra)
    result = run(root, "verify")
    assert result.exit_code == 1
    assert "work/the-revolution-betrayed: wikidata Q9100002: mismatch: publication year is 1936 here but 1950" in result.output
    assert ("work/the-revolution-betrayed: wikidata Q9100002: mismatch: creator http://www.wikidata.org/entity/Q33391 here "
            "but http://www.wikidata.org/entity/Q855 in the record") in result.output


# ------------------------------------------------------------------ failures, end to end

def test_a_failing_service_does_not_stop_the_others(tmp_path: Path, fake: FakeServices) -> None:
    fake.fail("/viaf/", "500")
    root = _project(tmp_path, fake)
    result = run(root, "review")
    assert result.exit_code == 3
    assert "viaf: person/isaac-deutscher: HTTP 500 (2 attempts)" in result.output
    rows = _rows(root)
    assert _first(rows, "person/isaac-deutscher", "wikidata")["candidate"] == "Q9000002"
    assert not [r for r in rows if r["service"] == "viaf"]
    assert "Look-ups that failed" in (root / "data/links/review.md").read_text(encoding="utf-8")


def test_verify_reports_a_dead_service_with_exit_3(tmp_path: Path, fake: FakeServices) -> None:
    fake.fail("wbgetentities", "badjson")
    root = _project(tmp_path, fake)
    result = run(root, "verify")
    assert result.exit_code == 3
    assert "wikidata: Q33391: invalid JSON" in result.output


def test_no_network(tmp_path: Path, fake: FakeServices) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = _project(tmp_path, fake, wikidata_api=f"http://127.0.0.1:{port}/w/api.php")
    result = run(root, "verify")
    assert result.exit_code == 3
    assert "wikidata: Q33391: cannot connect" in result.output


# ------------------------------------------------------------------ enrichment

def test_enrich_writes_a_named_graph_with_provenance_that_the_build_publishes(tmp_path: Path, fake: FakeServices) -> None:
    root = _project(tmp_path, fake)
    result = run(root, "enrich")
    assert result.exit_code == 0, result.output
    path = root / "data/enrichments/wikidata.ttl"
    g = rdflib.Graph().parse(path, format="turtle")
    trotsky = rdflib.URIRef(PERSON + "leon-trotsky")
    labels = {(o.language, str(o)) for o in g.objects(trotsky, rdflib.RDFS.label)}
    assert ("de", "Leo Trotzki") in labels and ("ru", "Лев Троцкий") in labels
    assert not [lang for lang, _ in labels if lang == "en"]
    name = rdflib.URIRef("https://w3id.org/arthur-kg/graph/enrichment/wikidata")
    PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
    assert (name, PROV.wasDerivedFrom, rdflib.URIRef("http://www.wikidata.org/entity/Q33391")) in g
    assert list(g.objects(name, PROV.generatedAtTime))
    # a rerun from the cache gives the same bytes
    first = path.read_bytes()
    assert run(root, "enrich", "--offline").exit_code == 0
    assert path.read_bytes() == first
    # the build publishes it in its own named graph, and the shapes still pass
    from kg.config import load_config
    from kg.pipeline import build

    (root / ESSAY / "extra.ttl").unlink()
    out = build(load_config(root), output=root / "output")
    ds = rdflib.Dataset()
    ds.parse(out.output / "dataset.trig", format="trig")
    graph = ds.graph(name)
    assert (trotsky, rdflib.RDFS.label, rdflib.Literal("Leo Trotzki", lang="de")) in graph
    assert (name, PROV.wasDerivedFrom, rdflib.URIRef("http://www.wikidata.org/entity/Q33391")) in graph


def test_a_new_look_up_keeps_the_reviewers_marks_and_readable_files(tmp_path: Path, fake: FakeServices) -> None:
    import stat

    root = _project(tmp_path, fake)
    assert run(root, "review").exit_code == 0
    tsv = root / "data/links/review.tsv"
    lines = tsv.read_text(encoding="utf-8").splitlines()
    marked = [("x" + ln) if "\tperson/leon-trotsky\tviaf\t100182920\t" in ln else ln for ln in lines]
    assert marked != lines
    tsv.write_text("\n".join(marked) + "\n", encoding="utf-8")
    again = run(root, "review")  # a new look-up (served from the cache) rewrites the review files
    assert again.exit_code == 0, again.output
    rows = _rows(root)
    kept = [r for r in rows if r["accept"] == "x"]
    assert [(r["resource"], r["service"], r["candidate"]) for r in kept] == [("person/leon-trotsky", "viaf", "100182920")]
    for name in ("review.tsv", "review.md", "review.ttl"):
        mode = stat.S_IMODE((root / "data/links" / name).stat().st_mode)
        assert mode & 0o044 == 0o044, oct(mode)  # readable by group and others (umask 022), not 0600
    accepted = run(root, "accept")
    assert accepted.exit_code == 0 and "person/leon-trotsky: linked to http://viaf.org/viaf/100182920" in accepted.output


# ------------------------------------------------------------------ the flags of earlier releases

def test_the_old_flags_still_work_with_a_deprecation_line(tmp_path: Path, fake: FakeServices) -> None:
    """`kg link`, `kg link --accept …`, `kg link --verify [--enrich]` run the subcommand they now are,
    and say so on stderr; stdout is the subcommand's own."""
    root = _project(tmp_path, fake)
    bare = CliRunner().invoke(main, ["--root", str(root), "-q", "link"])
    assert bare.exit_code == 0, bare.output
    assert bare.stderr.splitlines()[0] == "kg: `kg link` is deprecated and goes in the next release: use `kg link review`"
    assert bare.stdout.startswith("Looked up ")
    old = CliRunner().invoke(main, ["--root", str(root), "link", "--accept", "person/isaac-deutscher", "--by", "Ada"])
    assert old.exit_code == 0, old.output
    assert ("kg: `kg link --accept` is deprecated and goes in the next release: use `kg link accept`"
            in old.stderr.splitlines())
    assert "person/isaac-deutscher: linked to http://www.wikidata.org/entity/Q9000002" in old.stdout
    verify = CliRunner().invoke(main, ["--root", str(root), "-q", "link", "--enrich", "--verify"])
    assert verify.stderr.splitlines()[0] == ("kg: `kg link --enrich --verify` is deprecated and goes in the next "
                                             "release: use `kg link enrich`")
    assert verify.exit_code == 1, verify.output  # the accepted VIAF and Open Library records are dead on the fake
    assert "Checked " in verify.stdout and "Wrote " in verify.stdout


@pytest.mark.parametrize("flags", [["--accept", "--verify"], ["--verify", "--accept", "person/x"], ["--accept", "--enrich"]])
def test_accept_with_verify_is_refused_not_half_done(tmp_path: Path, fake: FakeServices, flags: list[str]) -> None:
    """It used to run only the accept, in silence: now exit 2 and one line saying what to run."""
    root = _project(tmp_path, fake)
    result = run(root, *flags)
    assert result.exit_code == 2
    assert ("Error: --accept cannot be combined with --verify or --enrich: run `kg link accept …`, then "
            "`kg link verify` (or `kg link enrich`)") in result.stderr
    assert fake.count == 0 and not (root / ESSAY / "links.ttl").exists()
