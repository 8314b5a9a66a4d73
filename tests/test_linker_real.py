"""Real answers of Wikidata, VIAF and Open Library (captured by other projects for their own tests;
``tests/fixtures/linker-real/README.md`` says where each came from), replayed through the real
client and parsers against the fake server on loopback. The hand-written fakes say what we think the
services answer; these say what they did answer."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.linker import services as sv
from kg.linker.client import Client
from kg.linker.settings import LinkSettings

from linker_fake import FakeServices, real_world

WD = sv.WD_ENTITY


@pytest.fixture
def client(tmp_path: Path):
    with FakeServices(real_world()) as fake:
        s = LinkSettings(wikidata_api=f"{fake.url}/w/api.php", viaf_url=f"{fake.url}/viaf",
                         openlibrary_url=f"{fake.url}/ol", rate=1000.0, backoff=0.0, attempts=1, read_timeout=5.0,
                         contact="mailto:test@example.org")
        with Client(s, tmp_path / "cache", sleep=lambda _s: None) as c:
            yield c


def test_wikidata_entities_parse(client: Client) -> None:
    records, failures = sv.wikidata_entities(client, client.settings, ["Q328212", "Q4132785", "Q3235026"])
    assert failures == []
    roth, jubilee, other = records["Q328212"], records["Q4132785"], records["Q3235026"]
    assert (roth.label, roth.description, roth.types, roth.births, roth.deaths) == (
        "Veronica Roth", "American author", ("Q5",), (1988,), ())
    # an older answer: entity ids as "numeric-id" only, a year-precision date written +1953-00-00
    assert (jubilee.label, jubilee.types, jubilee.published, jubilee.creators) == (
        "Bring the Jubilee", ("Q571",), (1953,), (WD + "Q947986",))
    assert jubilee.sitelinks["enwiki"] == "Bring the Jubilee"
    # asked without labels in our languages: no label, but the statements are read
    assert (other.label, other.labels, other.types) == ("", {}, ("Q14406742",))
    assert other.creators == (WD + "Q16672164",)


@pytest.mark.parametrize(("viaf_id", "label", "births", "deaths"), [
    ("376863", "Rosemary Benét", (1900,), (1962,)),  # ns5:, birthDate the integer 1900
    ("167233446", "Knud Knudsen", (1916,), (1998,)),  # ns7:, deathDate the integer 1998, no comma before the dates
    ("47514839", "Francis Stephen de Chaumont", (1833,), (1888,)),  # ns8:, MARC non-sorting markers round "de"
    ("54942070", "Stephen Benét", (), ()),  # ns9:, one heading as an object, dates 0
])
def test_viaf_clusters_under_any_namespace_prefix_parse(client: Client, viaf_id: str, label: str,
                                                        births: tuple, deaths: tuple) -> None:
    r = sv.viaf_record(client, client.settings, viaf_id)
    assert (r.status, r.id, r.label, r.births, r.deaths, r.types) == ("ok", viaf_id, label, births, deaths, ("person",))


def test_viaf_work_clusters_are_labelled_by_their_title(client: Client) -> None:
    r = sv.viaf_record(client, client.settings, "888145424579886830405")  # 2017: no prefix, viafID a string
    assert r.label == "John Brown's Body | Russian 1979"
    assert r.creator_names == ("Stephen Vincent Benét",) and r.description == "Stephen Vincent Benét"
    assert (r.types, r.births, r.deaths) == (("work",), (), ())  # the author's dates are not the work's
    assert "Benét, Stephen Vincent, 1898-1943. | John Brown's Body | Russian 1979" in r.aliases


def test_open_library_author_and_work_records_parse(client: Client) -> None:
    dahl = sv.ol_record(client, client.settings, "OL34184A")  # "13 September 1916", a personal name inverted
    assert (dahl.status, dahl.label, dahl.aliases, dahl.types, dahl.births, dahl.deaths) == (
        "ok", "Roald Dahl", ("Dahl, Roald.",), ("person",), (1916,), (1990,))
    assert dahl.iri == "https://openlibrary.org/authors/OL34184A"
    fox = sv.ol_record(client, client.settings, "OL45804W")  # no first_publish_date; authors as role objects
    assert (fox.status, fox.label, fox.types, fox.published, fox.creators) == (
        "ok", "Fantastic Mr Fox", ("work",), (), ("https://openlibrary.org/authors/OL34184A",))


# ------------------------------------------------------------------ shapes the real answers showed (pure parsers)

def test_an_autosuggest_work_heading_gives_the_title_not_a_scrambled_name() -> None:
    [work, person] = sv.parse_viaf_suggest({"query": "Mario Benedetti", "result": [
        {"term": "Mario Benedetti, 1920-2009. | Works. 1993", "nametype": "uniformtitlework", "viafid": 309530334},
        {"term": "Mário Benedetti, 1920-2009", "nametype": "personal", "viafid": "56585930"},
    ]}, "x")
    assert (work.id, work.label, work.creator_names, work.types, work.births) == (
        "309530334", "Works. 1993", ("Mario Benedetti",), ("work",), ())
    assert work.iri == "http://viaf.org/viaf/309530334"
    assert (person.label, person.births, person.deaths) == ("Mário Benedetti", (1920,), (2009,))


def test_a_viaf_cluster_with_integer_id_and_one_heading_object() -> None:
    r = sv.parse_viaf_record({"ns1:VIAFCluster": {"ns1:viafID": 56585930, "ns1:nameType": "Personal",
                                                  "ns1:birthDate": 0, "ns1:deathDate": 0,
                                                  "ns1:mainHeadings": {"ns1:data": {"ns1:text": "Benedetti, Mário, 1920-2009."}}}},
                             "56585930", 200)
    assert (r.id, r.label, r.births, r.deaths) == ("56585930", "Mário Benedetti", (1920,), (2009,))
