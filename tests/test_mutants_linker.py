"""The linker's parsers, record by record (tests written against surviving mutants of
kg/linker/services.py and client.py, see docs/testing.md). Each test compares whole ``Record``
values, so every field a reviewer sees in `kg link`'s review table (status, IRI, label, dates,
types, where and when the answer was fetched) is checked, on every path: found, missing, deleted,
redirected, and unexpected answers."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kg.errors import ServiceError
from kg.linker import services as sv
from kg.linker.client import Client
from kg.linker.match import Record
from kg.linker.settings import LinkSettings

from linker_fake import FakeServices

OL = "https://openlibrary.org"
VIAF = "http://viaf.org/viaf/"
SRC, AT = "http://127.0.0.1:9/x.json", "2026-01-01T00:00:00Z"


# ------------------------------------------------------------------ Open Library

def test_ol_author_record() -> None:
    data = {"key": "/authors/OL9990000001A", "type": {"key": "/type/author"}, "name": "Leon Trotsky",
            "personal_name": "Lev Trotsky", "fuller_name": "Lev Davidovich Bronstein",
            "alternate_names": ["L. Trotsky", "Lev Trotsky"], "birth_date": "7 November 1879", "death_date": "1940"}
    assert sv.parse_ol_record(data, "OL9990000001A", 200, SRC, AT) == Record(
        "openlibrary", "OL9990000001A", f"{OL}/authors/OL9990000001A", label="Leon Trotsky",
        aliases=("Lev Trotsky", "Lev Davidovich Bronstein", "L. Trotsky"), types=("person",),
        births=(1879,), deaths=(1940,), source=SRC, fetched=AT)
    bare = {"type": {"key": "/type/author"}, "personal_name": "Someone"}
    assert sv.parse_ol_record(bare, "OL9990000002A", 200) == Record(
        "openlibrary", "OL9990000002A", f"{OL}/authors/OL9990000002A", label="Someone", types=("person",))
    assert sv.parse_ol_record({"type": {"key": "/type/author"}}, "OL9990000003A", 200).label == ""


def test_ol_work_record() -> None:
    data = {"key": "/works/OL9990000001W", "type": {"key": "/type/work"}, "title": "The Revolution Betrayed",
            "subtitle": "What Is the Soviet Union", "first_publish_date": "1937",
            "authors": [{"author": {"key": "/authors/OL9990000001A"}}, {"type": "x"}, None]}
    assert sv.parse_ol_record(data, "OL9990000001W", 200, SRC, AT) == Record(
        "openlibrary", "OL9990000001W", f"{OL}/works/OL9990000001W", label="The Revolution Betrayed",
        aliases=("The Revolution Betrayed: What Is the Soviet Union",), types=("work",), published=(1937,),
        creators=(f"{OL}/authors/OL9990000001A",), source=SRC, fetched=AT)


@pytest.mark.parametrize(("data", "status", "expected"), [
    (None, 404, dict(status="missing")),
    ({"type": {"key": "/type/delete"}}, 200, dict(status="deleted")),
    ({"type": {"key": "/type/redirect"}, "location": "/works/OL9990000002W"}, 200,
     dict(status="redirect", target="OL9990000002W")),
    ({"type": {"key": "/type/redirect"}}, 200, dict(status="redirect", target=None)),
    ({"type": {"key": "/type/work"}, "key": "/works/OL9990000003W", "title": "x"}, 200,
     dict(status="redirect", target="OL9990000003W")),  # an HTTP redirect within the host
])
def test_ol_record_states(data: object, status: int, expected: dict) -> None:
    assert sv.parse_ol_record(data, "OL9990000001W", status, SRC, AT) == Record(
        "openlibrary", "OL9990000001W", f"{OL}/works/OL9990000001W", source=SRC, fetched=AT, **expected)


def test_ol_record_without_a_key_is_the_asked_record() -> None:
    r = sv.parse_ol_record({"type": {"key": "/type/work"}, "title": "T"}, "OL9990000001W", 200)
    assert (r.status, r.label) == ("ok", "T")


@pytest.mark.parametrize("data", [[], {"title": "x"}, {"type": "work"}])
def test_ol_record_of_an_unexpected_shape(data: object) -> None:
    with pytest.raises(ServiceError, match=r"^openlibrary: OL9990000001W: unexpected answer \(no 'type'\)$") as err:
        sv.parse_ol_record(data, "OL9990000001W", 200)
    assert err.value.hint == "The service's API may have changed; see README, Linking."


def test_ol_author_search() -> None:
    data = {"docs": [
        {"key": "OL9990000001A", "name": "Leon Trotsky", "alternate_names": ["Trotski"], "birth_date": "1879",
         "death_date": "1940", "top_work": "The Revolution Betrayed"},
        "not a doc", {"key": "/works/OL1W"}, {"key": "/authors/OL9990000002A"},
    ]}
    assert sv.parse_ol_author_search(data, "person/x", SRC, AT) == [
        Record("openlibrary", "OL9990000001A", f"{OL}/authors/OL9990000001A", label="Leon Trotsky",
               aliases=("Trotski",), types=("person",), births=(1879,), deaths=(1940,),
               description="top work: The Revolution Betrayed", source=SRC, fetched=AT),
        Record("openlibrary", "OL9990000002A", f"{OL}/authors/OL9990000002A", types=("person",), source=SRC, fetched=AT),
    ]
    with pytest.raises(ServiceError, match=r"^openlibrary: person/x: unexpected answer \(no 'docs' list\)$"):
        sv.parse_ol_author_search({"docs": {}}, "person/x")


def test_ol_work_search() -> None:
    data = {"docs": [
        {"key": "/works/OL9990000001W", "title": "T", "subtitle": "S", "first_publish_year": 1937,
         "author_key": ["OL9990000001A"], "author_name": ["A", "B"]},
        {"key": "/works/OL9990000002W", "title": "U", "first_publish_year": "1937"}, {"key": "/authors/OL1A"}, 7,
    ]}
    assert sv.parse_ol_work_search(data, "work/x", SRC, AT) == [
        Record("openlibrary", "OL9990000001W", f"{OL}/works/OL9990000001W", label="T", aliases=("T: S",),
               types=("work",), published=(1937,), creators=(f"{OL}/authors/OL9990000001A",),
               creator_names=("A", "B"), description="A, B", source=SRC, fetched=AT),
        Record("openlibrary", "OL9990000002W", f"{OL}/works/OL9990000002W", label="U", types=("work",),
               source=SRC, fetched=AT),
    ]
    with pytest.raises(ServiceError, match=r"^openlibrary: work/x: unexpected answer \(no 'docs' list\)$"):
        sv.parse_ol_work_search(None, "work/x")


# ------------------------------------------------------------------ VIAF

def test_viaf_suggest_records() -> None:
    data = {"result": [
        {"displayForm": "Trotsky, Leon, 1879-1940", "term": "trotsky", "nametype": "personal", "viafid": "100"},
        {"viafid": "x1"}, "junk",
        {"term": "Trotsky, Leon, 1879-1940. | Revolution Betrayed", "nametype": "UniformTitleWork", "viafid": 200},
        {"term": "Somewhere", "nametype": "geographic", "viafid": "300"},
        {"term": "A thing", "nametype": "unknown", "viafid": "400"},
    ]}
    assert sv.parse_viaf_suggest(data, "person/x", SRC, AT) == [
        Record("viaf", "100", VIAF + "100", label="Leon Trotsky", aliases=("Trotsky, Leon, 1879-1940",),
               types=("person",), births=(1879,), deaths=(1940,), source=SRC, fetched=AT),
        Record("viaf", "200", VIAF + "200", label="Revolution Betrayed",
               aliases=("Trotsky, Leon, 1879-1940. | Revolution Betrayed",), types=("work",),
               creator_names=("Leon Trotsky",), description="Leon Trotsky", source=SRC, fetched=AT),
        Record("viaf", "300", VIAF + "300", label="Somewhere", aliases=("Somewhere",), types=("place",),
               source=SRC, fetched=AT),
        Record("viaf", "400", VIAF + "400", label="A thing", aliases=("A thing",), source=SRC, fetched=AT),
    ]
    with pytest.raises(ServiceError, match=r"^viaf: person/x: unexpected answer \(no 'result'\)$"):
        sv.parse_viaf_suggest({"query": "x"}, "person/x")


def test_viaf_record() -> None:
    data = {"ns1:VIAFCluster": {"ns1:viafID": "100", "ns1:nameType": "Personal", "ns1:birthDate": "1879-11-07",
                                "ns1:deathDate": "1940-08-21", "ns1:mainHeadings": {"ns1:data": [
                                    {"ns1:text": "Trotsky, Leon, 1879-1940"}, {"ns1:text": "Trockij, Lev"}, {"x": 1}]}}}
    assert sv.parse_viaf_record(data, "100", 200, SRC, AT) == Record(
        "viaf", "100", VIAF + "100", label="Leon Trotsky",
        aliases=("Leon Trotsky", "Lev Trockij", "Trotsky, Leon, 1879-1940", "Trockij, Lev"), types=("person",),
        births=(1879,), deaths=(1940,), source=SRC, fetched=AT)


def test_a_heading_with_an_open_date_range() -> None:
    r = sv.parse_viaf_record({"viafID": 5, "mainHeadings": {"data": {"text": "Doe, Jane, 1950-"}}}, "5", 200)
    assert (r.id, r.label, r.births, r.deaths, r.types) == ("5", "Jane Doe", (1950,), (), ())
    r = sv.parse_viaf_record({"mainHeadings": {"data": {"text": "Roe, Richard, -1900"}}}, "6", 200)
    assert (r.id, r.label, r.births, r.deaths) == ("6", "Richard Roe", (), (1900,))


@pytest.mark.parametrize(("data", "status", "expected"), [
    (None, 404, dict(status="missing")),
    ({"redirect": {"directto": "200"}}, 200, dict(status="redirect", target="200")),
    ({"ns1:VIAFCluster": {"ns1:redirect": {"ns1:directto": 200}}}, 200, dict(status="redirect", target="200")),
    ({"redirect": None}, 200, dict(status="redirect", target=None)),
    ({"scavenged": {}}, 200, dict(status="deleted")),
    ({"abandoned": {}}, 200, dict(status="deleted")),
])
def test_viaf_record_states(data: object, status: int, expected: dict) -> None:
    assert sv.parse_viaf_record(data, "100", status, SRC, AT) == Record(
        "viaf", "100", VIAF + "100", source=SRC, fetched=AT, **expected)


@pytest.mark.parametrize(("data", "why"), [
    ([], "not a JSON object"), ({"mainHeadings": {}}, "no mainHeadings"),
    ({"mainHeadings": {"data": [{"text": ""}]}}, "no mainHeadings"), ({"VIAFCluster": "x"}, "no mainHeadings"),
])
def test_viaf_record_of_an_unexpected_shape(data: object, why: str) -> None:
    with pytest.raises(ServiceError, match=rf"^viaf: 100: unexpected answer \({why}\)$"):
        sv.parse_viaf_record(data, "100", 200)


# ------------------------------------------------------------------ Wikidata

def test_wikidata_entity_statements() -> None:
    claims = {
        "P31": [{"mainsnak": {"snaktype": "value", "datavalue": {"value": {"id": "Q5"}}}, "rank": "normal"},
                {"mainsnak": {"snaktype": "value", "datavalue": {"value": {"numeric-id": 7}}}, "rank": "normal"},
                {"mainsnak": {"snaktype": "value", "datavalue": {"value": {"id": "Q9"}}}, "rank": "deprecated"},
                {"mainsnak": {"snaktype": "novalue"}}, "junk",
                {"mainsnak": {"snaktype": "value", "datavalue": {"value": {"id": "Q5"}}}}],
        "P569": [{"mainsnak": {"snaktype": "value", "datavalue": {"value": {"time": "+1879-11-07T00:00:00Z", "precision": 11}}}},
                 {"mainsnak": {"snaktype": "value", "datavalue": {"value": {"time": "+1800-00-00T00:00:00Z", "precision": 7}}}},
                 {"mainsnak": {"snaktype": "value", "datavalue": {"value": {"time": "-0500-01-01T00:00:00Z", "precision": 9}}}}],
        "P50": [{"mainsnak": {"snaktype": "value", "datavalue": {"value": {"id": "Q33391"}}}}],
    }
    ent = {"id": "Q1", "labels": {"de": {"value": "Eins"}, "fr": "bad"}, "claims": claims,
           "descriptions": {"en": {"value": "d"}}, "aliases": {"en": [{"value": "a"}, {"x": 1}]},
           "sitelinks": {"enwiki": {"title": "One"}, "dewiki": "bad"}}
    r = sv.parse_wikidata_entity(ent, SRC, AT)
    assert r == Record("wikidata", "Q1", sv.WD_ENTITY + "Q1", label="Eins", description="d", aliases=("a",),
                       types=("Q5", "Q7"), births=(1879, -500), creators=(sv.WD_ENTITY + "Q33391",), source=SRC, fetched=AT)
    assert r.labels == {"de": "Eins"} and r.sitelinks == {"enwiki": "One"}
    assert sv.parse_wikidata_entity({"id": "Q2", "claims": []}).label == ""


def test_wikidata_entities_errors() -> None:
    with pytest.raises(ServiceError, match=r"^wikidata: Q1\|Q2: unexpected answer \(no 'entities' object\)$"):
        sv.parse_wikidata_entities({"entities": []}, ["Q1", "Q2"])
    with pytest.raises(ServiceError, match=r"^wikidata: Q1: unexpected answer \(an entity is not an object\)$"):
        sv.parse_wikidata_entities({"entities": {"Q1": []}}, ["Q1"])
    with pytest.raises(ServiceError, match=r"^wikidata: Q1: unexpected answer \(an entity without 'id'\)$"):
        sv.parse_wikidata_entities({"entities": {"Q1": {"labels": {}}}}, ["Q1"])
    got = sv.parse_wikidata_entities({"entities": {"Q3": {"missing": ""}}}, ["Q3"], SRC, AT)
    assert got == {"Q3": Record("wikidata", "Q3", sv.WD_ENTITY + "Q3", status="missing", source=SRC, fetched=AT)}


# ------------------------------------------------------------------ through the client

@pytest.fixture
def fake():
    with FakeServices() as server:
        yield server


def settings_for(fake: FakeServices) -> LinkSettings:
    return LinkSettings(wikidata_api=f"{fake.url}/w/api.php", viaf_url=f"{fake.url}/viaf/", openlibrary_url=f"{fake.url}/ol/",
                        rate=1000.0, backoff=0.0, attempts=1, read_timeout=5.0, contact="mailto:test@example.org")


def test_records_say_where_and_when_they_were_fetched(fake: FakeServices, tmp_path: Path) -> None:
    s = settings_for(fake)
    client = Client(s, tmp_path / "cache", sleep=lambda _s: None)
    viaf = sv.viaf_record(client, s, "100182920")
    assert viaf.source == f"{fake.url}/viaf/100182920/viaf.json" and viaf.fetched.endswith("Z") and len(viaf.fetched) == 20
    ol = sv.ol_record(client, s, "OL9990000001A")
    assert ol.source == f"{fake.url}/ol/authors/OL9990000001A.json" and ol.label == "Leon Trotsky"
    work = sv.ol_record(client, s, "OL9990000001W")
    assert work.source == f"{fake.url}/ol/works/OL9990000001W.json" and work.types == ("work",)
    [hit] = [r for r in sv.viaf_suggest(client, s, "Isaac Deutscher", "person/isaac-deutscher")]
    assert hit.source == f"{fake.url}/viaf/AutoSuggest?query=Isaac+Deutscher" and hit.fetched.endswith("Z")
    authors = sv.ol_search_authors(client, s, "Isaac Deutscher", "person/isaac-deutscher")
    assert [a.id for a in authors] == ["OL9990000003A", "OL9990000002A"]
    assert authors[0].source == f"{fake.url}/ol/search/authors.json?limit=5&q=Isaac+Deutscher"
    works = sv.ol_search_works(client, s, "The Revolution Betrayed", "Leon Trotsky", "work/x")
    assert [w.id for w in works] == ["OL9990000002W", "OL9990000001W"]
    asked = [r for r in fake.requests if r.startswith("/ol/search.json")][0]
    assert "author=Leon+Trotsky" in asked and "limit=5" in asked and "title=The+Revolution+Betrayed" in asked
    assert "fields=key%2Ctitle%2Csubtitle%2Cauthor_name%2Cauthor_key%2Cfirst_publish_year" in asked
    assert sv.ol_search_works(client, s, "Unknown", None, "work/y") == []
    assert "author=" not in [r for r in fake.requests if "Unknown" in r][0]


def test_a_refused_connection_names_the_reason(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s = LinkSettings(viaf_url=f"http://127.0.0.1:{port}/viaf", attempts=1, backoff=0.0, rate=1000.0)
    with pytest.raises(ServiceError) as err:
        sv.viaf_record(Client(s, tmp_path / "cache", sleep=lambda _s: None), s, "1")
    assert str(err.value) == (f"viaf: 1: cannot connect ([Errno 111] Connection refused) (1 attempt) "
                              f"for http://127.0.0.1:{port}/viaf/1/viaf.json")


def test_a_redirect_within_the_host_is_followed(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("/viaf/100182920/", "moved", times=1)
    s = settings_for(fake)
    r = sv.viaf_record(Client(s, tmp_path / "cache", sleep=lambda _s: None), s, "100182920")
    assert (r.status, r.label) == ("ok", "Leon Trotsky")
    assert fake.requests == ["/viaf/100182920/viaf.json", "/viaf/100182920/viaf.json?moved=1"]


def test_a_404_page_is_cached_as_missing(fake: FakeServices, tmp_path: Path) -> None:
    s = settings_for(fake)
    client = Client(s, tmp_path / "cache", sleep=lambda _s: None)
    first = client.get_json("viaf", "1", f"{fake.url}/viaf/1/viaf.json")
    again = client.get_json("viaf", "1", f"{fake.url}/viaf/1/viaf.json")
    assert (first.status, first.data, first.from_cache) == (404, None, False)
    assert (again.status, again.data, again.from_cache, again.fetched) == (404, None, True, first.fetched)
    assert sv.viaf_record(client, s, "1").status == "missing" and fake.count == 1
    ok = client.get_json("viaf", "2", f"{fake.url}/viaf/100182920/viaf.json")
    cached = client.get_json("viaf", "2", f"{fake.url}/viaf/100182920/viaf.json")
    assert cached.from_cache is True and cached.data == ok.data and ok.from_cache is False


def test_offline_and_down_say_what_to_do(fake: FakeServices, tmp_path: Path) -> None:
    s = settings_for(fake).with_(offline=True)
    with pytest.raises(ServiceError) as err:
        sv.viaf_record(Client(s, tmp_path / "cache"), s, "1")
    assert err.value.hint == "Run `kg link` once online (or without --offline) to fill the cache."
    fake.fail("/viaf/", "500")
    s = settings_for(fake)
    with pytest.raises(ServiceError) as err:
        sv.viaf_record(Client(s, tmp_path / "cache", sleep=lambda _s: None), s, "1")
    assert err.value.hint == ("The service may be down or unreachable; try again later, or use --offline "
                              "with what the cache holds.")


def test_an_entity_id_wikidata_does_not_know_is_missing_and_the_rest_is_fetched(fake: FakeServices, tmp_path: Path) -> None:
    s = settings_for(fake)
    records, failures = sv.wikidata_entities(Client(s, tmp_path / "cache", sleep=lambda _s: None), s, ["Q0", "Q33391"])
    assert failures == []
    assert records["Q0"] == Record("wikidata", "Q0", sv.WD_ENTITY + "Q0", status="missing",
                                   source=records["Q0"].source, fetched=records["Q0"].fetched)
    assert records["Q0"].source.startswith(f"{fake.url}/w/api.php?action=wbgetentities") and records["Q33391"].label == "Leon Trotsky"
    got, _ = sv.wikidata_entities(Client(s, tmp_path / "c2", sleep=lambda _s: None), s, ["Q9235000"])
    assert (got["Q9235000"].status, got["Q9235000"].target, got["Q9235"].label) == (
        "redirect", "Q9235", "Georg Wilhelm Friedrich Hegel")


def test_an_api_error_and_an_unexpected_search_answer(fake: FakeServices, tmp_path: Path) -> None:
    s = settings_for(fake)
    client = Client(s, tmp_path / "cache", sleep=lambda _s: None)
    fake.fail("wbsearchentities", "empty", times=1)
    with pytest.raises(ServiceError, match=r"^wikidata: person/x: unexpected answer \(no 'search' list\)$"):
        sv.wikidata_search(client, s, "Nobody", "person/x")
    assert sv.wikidata_search(client, s, "Leon Trotsky", "person/y") == ["Q33391"]
    asked = fake.requests[-1]
    assert "language=en" in asked and "uselang=en" in asked and "type=item" in asked and "limit=7" in asked


def test_a_retry_after_date_without_a_zone_is_utc() -> None:
    from kg.linker.client import retry_after

    assert retry_after("Wed, 21 Oct 2015 07:28:00 -0000") == 0.0
    assert retry_after(" 5 ") == 5.0 and retry_after("") is None and retry_after(None) is None


def test_years_ignore_values_that_are_not_dates() -> None:
    claims = {"P569": [{"mainsnak": {"snaktype": "value", "datavalue": {"value": "1879"}}},
                       {"mainsnak": {"snaktype": "value", "datavalue": {"value": {"time": 1879}}}},
                       {"mainsnak": {"snaktype": "value", "datavalue": {"value": {"time": "+1879-00-00T00:00:00Z"}}}}]}
    assert sv.parse_wikidata_entity({"id": "Q1", "claims": claims}).births == (1879,)  # precision 11 when unsaid


def test_a_work_heading_without_an_author_has_no_creator() -> None:
    [r] = sv.parse_viaf_suggest({"result": [{"term": " | Revolution Betrayed", "nametype": "uniformtitlework",
                                             "viafid": "7"}]}, "x")
    assert (r.label, r.creator_names, r.description) == ("Revolution Betrayed", (), "")


def test_the_cluster_dates_come_before_the_heading_dates() -> None:
    r = sv.parse_viaf_record({"birthDate": "1879-11-07", "deathDate": "1940-08-21",
                              "mainHeadings": {"data": {"text": "Trotsky, Leon"}}}, "9", 200)
    assert (r.label, r.births, r.deaths) == ("Leon Trotsky", (1879,), (1940,))
    r = sv.parse_viaf_record({"birthDate": "1880", "mainHeadings": {"data": {"text": "Trotsky, Leon, 1879-1940"}}}, "9", 200)
    assert (r.births, r.deaths) == ((1880,), (1940,))


def test_an_entity_parsed_alone_has_no_source() -> None:
    assert sv.parse_wikidata_entity({"id": "Q2", "claims": []}) == Record("wikidata", "Q2", sv.WD_ENTITY + "Q2")


def test_an_api_error_without_a_code(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("wbgetentities", "apierror")
    s = settings_for(fake)
    records, failures = sv.wikidata_entities(Client(s, tmp_path / "cache", sleep=lambda _s: None), s, ["Q1"])
    assert (records, failures) == ({}, ["wikidata: Q1: API error ?: Something went wrong."])


def test_a_redirect_from_https_to_https_on_the_same_host_is_followed(fake: FakeServices, tmp_path: Path) -> None:
    import requests

    from test_linker_client import _HttpsOnLoopback

    fake.fail("/ol/works/", "moved", times=1)
    session = requests.Session()
    session.mount("https://", _HttpsOnLoopback())
    s = settings_for(fake).with_(openlibrary_url="https://" + fake.url[len("http://"):] + "/ol")
    r = sv.ol_record(Client(s, tmp_path / "cache", session=session, sleep=lambda _s: None), s, "OL9990000001W")
    assert (r.status, r.label) == ("ok", "The Revolution Betrayed") and len(fake.requests) == 2
