"""The linker's HTTP client and service parsers against the fake services on loopback: being a good
client (User-Agent, timeouts, back-off honouring Retry-After, rate limit, batching by 50, cache),
and failing cleanly (no network, timeout, 500, invalid JSON, off-host redirect, huge response)."""
from __future__ import annotations

import json
from pathlib import Path
import time

import pytest
import requests

from kg.errors import ServiceError
from kg.linker import services as sv
from kg.linker.client import Client, retry_after
from kg.linker.match import Entity, Record, check, score, similarity
from kg.linker.settings import LinkSettings, load_link_settings

from linker_fake import FakeServices, wd_entity


@pytest.fixture
def fake():
    with FakeServices() as server:
        yield server


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def settings_for(fake: FakeServices, **kw) -> LinkSettings:  # noqa: ANN003
    base = dict(wikidata_api=f"{fake.url}/w/api.php", viaf_url=f"{fake.url}/viaf", openlibrary_url=f"{fake.url}/ol",
                rate=1000.0, backoff=0.5, attempts=3, read_timeout=5.0, contact="mailto:test@example.org")
    return LinkSettings(**{**base, **kw})


def client_for(fake: FakeServices, tmp_path: Path, **kw) -> tuple[Client, Sleeps]:  # noqa: ANN003
    sleeps = Sleeps()
    s = settings_for(fake, **kw)
    return Client(s, tmp_path / "cache", sleep=sleeps), sleeps


def test_user_agent_names_the_project_and_a_contact(fake: FakeServices, tmp_path: Path) -> None:
    client, _ = client_for(fake, tmp_path)
    sv.wikidata_search(client, client.settings, "Leon Trotsky", "person/leon-trotsky")
    ua = fake.headers[0]["User-Agent"]
    assert ua.startswith("kg-linker/") and "mailto:test@example.org" in ua and "python-requests/" in ua


def test_wbgetentities_is_batched_by_50(fake: FakeServices, tmp_path: Path) -> None:
    client, _ = client_for(fake, tmp_path)
    ids = [f"Q{n}" for n in range(1000, 1120)]
    records, failures = sv.wikidata_entities(client, client.settings, ids)
    assert not failures
    calls = [r for r in fake.requests if "wbgetentities" in r]
    assert len(calls) == 3
    assert len(records) == 120 and all(r.status == "missing" for r in records.values())


def test_429_waits_as_long_as_retry_after_says(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("wbsearchentities", "429", times=1, value=7)
    client, sleeps = client_for(fake, tmp_path)
    assert sv.wikidata_search(client, client.settings, "Leon Trotsky", "person/leon-trotsky") == ["Q33391"]
    assert client.waits == [7.0]
    assert 7.0 in sleeps


def test_a_retry_after_longer_than_max_wait_gives_up(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("wbsearchentities", "429", value=3600)
    client, _ = client_for(fake, tmp_path, max_wait=60.0)
    with pytest.raises(ServiceError, match=r"wikidata: person/x: HTTP 429, asked to retry after 3600 s"):
        sv.wikidata_search(client, client.settings, "Leon Trotsky", "person/x")
    assert fake.count == 1


def test_500_backs_off_exponentially_then_succeeds(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("wbsearchentities", "500", times=2)
    client, _ = client_for(fake, tmp_path)
    assert sv.wikidata_search(client, client.settings, "Leon Trotsky", "person/leon-trotsky") == ["Q33391"]
    assert client.waits == [0.5, 1.0]
    assert fake.count == 3


def test_500_for_ever_is_a_service_error_naming_service_and_id(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("/viaf/", "500")
    client, _ = client_for(fake, tmp_path)
    with pytest.raises(ServiceError) as err:
        sv.viaf_record(client, client.settings, "100182920")
    assert str(err.value).startswith("viaf: 100182920: HTTP 500 (3 attempts)")
    assert err.value.exit_code == 3


def test_timeout(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("/ol/authors/", "timeout", value=1.5)
    client, _ = client_for(fake, tmp_path, read_timeout=0.3, attempts=2)
    with pytest.raises(ServiceError, match=r"openlibrary: OL9990000001A: no answer within 0.3 s \(read_timeout\) "
                                           r"\(2 attempts\)"):
        sv.ol_record(client, client.settings, "OL9990000001A")


def test_a_connect_timeout_is_named_as_one(tmp_path: Path) -> None:
    """One policy for every HTTP client: connect_timeout bounds opening the connection, worded the
    same as kg publish words it. A listening socket whose backlog is full never accepts."""
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        for _ in range(8):  # fill the accept queue: the next SYN is not answered
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", port))
            fillers.append(c)
        s = LinkSettings(wikidata_api=f"http://127.0.0.1:{port}/w/api.php", attempts=1, backoff=0.0, rate=1000.0,
                         connect_timeout=0.2, read_timeout=30.0)
        client = Client(s, tmp_path / "cache", sleep=lambda _s: None)
        started = time.monotonic()
        _records, failures = sv.wikidata_entities(client, s, ["Q33391"])
        elapsed = time.monotonic() - started
        for c in fillers:
            c.close()
    assert any("no connection within 0.2 s (connect_timeout)" in f for f in failures), failures
    assert elapsed < 5


def test_no_network(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    s = LinkSettings(wikidata_api=f"http://127.0.0.1:{port}/w/api.php", attempts=2, backoff=0.0, rate=1000.0)
    client = Client(s, tmp_path / "cache", sleep=lambda _s: None)
    records, failures = sv.wikidata_entities(client, s, ["Q33391"])
    assert records == {}
    assert failures and failures[0].startswith("wikidata: Q33391: cannot connect")


def test_invalid_json_is_an_error_and_is_not_cached(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("wbgetentities", "badjson", times=1)
    client, _ = client_for(fake, tmp_path)
    records, failures = sv.wikidata_entities(client, client.settings, ["Q33391"])
    assert failures and failures[0].startswith("wikidata: Q33391: invalid JSON")
    records, failures = sv.wikidata_entities(client, client.settings, ["Q33391"])
    assert not failures and records["Q33391"].label == "Leon Trotsky"
    assert fake.count == 2


def test_a_redirect_to_another_host_is_not_followed(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("/ol/works/", "offhost")
    client, _ = client_for(fake, tmp_path)
    with pytest.raises(ServiceError, match=r"openlibrary: OL9990000001W: redirected from 127\.0\.0\.1:\d+ to another host "
                                           r"\(http://evil\.example\.net\)"):
        sv.ol_record(client, client.settings, "OL9990000001W")
    assert fake.count == 1


def test_a_huge_response_is_refused(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("AutoSuggest", "huge", value=200_000)
    client, _ = client_for(fake, tmp_path, max_bytes=100_000)
    with pytest.raises(ServiceError, match=r"viaf: person/leon-trotsky: response of \d+ bytes is larger than the limit"):
        sv.viaf_suggest(client, client.settings, "Leon Trotsky", "person/leon-trotsky")


def test_cache_serves_the_second_request_and_a_corrupt_entry_is_refetched(fake: FakeServices, tmp_path: Path) -> None:
    client, _ = client_for(fake, tmp_path)
    sv.wikidata_entities(client, client.settings, ["Q33391"])
    assert fake.count == 1
    records, _ = sv.wikidata_entities(client, client.settings, ["Q33391"])
    assert fake.count == 1 and records["Q33391"].births == (1879,)
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].suffix == ".json"  # no temporary files left behind
    entry = json.loads(files[0].read_text(encoding="utf-8"))
    entry["body"] = entry["body"].replace("1879", "1880")  # tampered: the checksum no longer fits
    files[0].write_text(json.dumps(entry), encoding="utf-8")
    records, _ = sv.wikidata_entities(client, client.settings, ["Q33391"])
    assert fake.count == 2 and records["Q33391"].births == (1879,)
    assert client.cache.corrupt == 1
    files[0].write_bytes(b'{"url": "trunc')  # half-written by someone else
    records, _ = sv.wikidata_entities(client, client.settings, ["Q33391"])
    assert fake.count == 3 and records["Q33391"].label == "Leon Trotsky"


def test_offline_reads_only_the_cache(fake: FakeServices, tmp_path: Path) -> None:
    client, _ = client_for(fake, tmp_path)
    sv.wikidata_entities(client, client.settings, ["Q33391"])
    offline = Client(client.settings.with_(offline=True), tmp_path / "cache")
    records, failures = sv.wikidata_entities(offline, offline.settings, ["Q33391"])
    assert records["Q33391"].label == "Leon Trotsky" and not failures
    _records, failures = sv.wikidata_entities(offline, offline.settings, ["Q855"])
    assert failures and "not in the cache" in failures[0]
    assert fake.count == 1


def test_rate_limit_spaces_requests_to_one_host(fake: FakeServices, tmp_path: Path) -> None:
    client, sleeps = client_for(fake, tmp_path, rate=2.0)
    sv.wikidata_search(client, client.settings, "Leon Trotsky", "a")
    sv.wikidata_search(client, client.settings, "state", "b")
    assert len(sleeps) == 1 and 0.3 < sleeps[0] <= 0.5


def test_retry_after_http_date() -> None:
    assert retry_after("120") == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after("soon") is None


def test_settings_come_from_kg_toml(tmp_path: Path) -> None:
    (tmp_path / "kg.toml").write_text('[link]\nwikidata_api = "http://127.0.0.1:9/w/api.php"\nrate = 2\n', encoding="utf-8")
    s = load_link_settings(tmp_path)
    assert s.wikidata_api == "http://127.0.0.1:9/w/api.php" and s.rate == 2.0
    (tmp_path / "kg.toml").write_text('[link]\nspeed = 2\n', encoding="utf-8")
    from kg.errors import ConfigError

    with pytest.raises(ConfigError, match=r"kg.toml: \[link\] unknown setting 'speed'"):
        load_link_settings(tmp_path)


# ------------------------------------------------------------------ parsing and matching (pure)

def test_wikidata_redirect_and_missing_are_parsed() -> None:
    ent = wd_entity("Q9235", "Hegel", ("Q5",), "1770-08-27")
    ent["redirects"] = {"from": "Q1", "to": "Q9235"}
    got = sv.parse_wikidata_entities({"entities": {"Q9235": ent, "Q2": {"id": "Q2", "missing": ""}}, "success": 1}, ["Q1", "Q2"])
    assert got["Q1"].status == "redirect" and got["Q1"].target == "Q9235"
    assert got["Q2"].status == "missing"
    assert got["Q9235"].births == (1770,) and got["Q9235"].types == ("Q5",)


def test_unexpected_shapes_are_service_errors() -> None:
    with pytest.raises(ServiceError, match="wikidata: Q1: unexpected answer"):
        sv.parse_wikidata_entities({"success": 1}, ["Q1"])
    with pytest.raises(ServiceError, match="openlibrary: person/x: unexpected answer"):
        sv.parse_ol_author_search([], "person/x")


def test_viaf_headings() -> None:
    [r] = sv.parse_viaf_suggest({"query": "x", "result": [{"displayForm": "Trotsky, Leon, 1879-1940", "nametype": "personal",
                                                          "viafid": "100182920"}]}, "x")
    assert (r.label, r.births, r.deaths, r.types) == ("Leon Trotsky", (1879,), (1940,), ("person",))
    assert sv.parse_viaf_suggest({"query": "x", "result": None}, "x") == []


def test_similarity_ignores_case_accents_order_and_parentheses() -> None:
    assert similarity("Political Parties (Michels)", "political parties") == 1.0
    assert similarity("Léon Trotski", "Leon Trotski") == 1.0
    assert similarity("Trotsky, Leon", "Leon Trotsky") == 1.0
    assert similarity("Karl Marx", "Vladimir Lenin") < 0.5


def test_score_prefers_matching_dates_and_type() -> None:
    e = Entity("https://w3id.org/arthur-kg/id/person/x", "person", "e", "Isaac Deutscher", ("Isaac Deutscher",), birth=1907)
    right = Record("wikidata", "Q1", "", label="Isaac Deutscher", types=("Q5",), births=(1907,))
    namesake = Record("wikidata", "Q2", "", label="Isaac Deutscher", types=("Q5",), births=(1950,))
    prize = Record("wikidata", "Q3", "", label="Isaac Deutscher Memorial Prize", types=("Q618779",))
    values = [score(e, r).value for r in (right, namesake, prize)]
    assert values == sorted(values, reverse=True) and values[0] >= 0.75 > values[1]
    assert [f.kind for f in check(e, namesake)] == ["mismatch"]
    assert check(e, right) == []


# ------------------------------------------------------------------ limits that must hold without help from the server

def test_a_body_without_content_length_is_measured_while_streaming(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("AutoSuggest", "chunked", value=200_000)
    client, _ = client_for(fake, tmp_path, max_bytes=100_000)
    with pytest.raises(ServiceError, match=r"^viaf: person/leon-trotsky: response larger than the limit of 100000 bytes "):
        sv.viaf_suggest(client, client.settings, "Leon Trotsky", "person/leon-trotsky")
    assert not list((tmp_path / "cache").rglob("*.json"))  # nothing of it was cached


@pytest.mark.parametrize(("limit", "accepted"), [(1011, True), (1010, False)])
def test_the_streamed_limit_is_inclusive(fake: FakeServices, tmp_path: Path, limit: int, accepted: bool) -> None:
    fake.fail("AutoSuggest", "chunked", value=1000)  # a body of 1000 + 11 bytes, without Content-Length
    client, _ = client_for(fake, tmp_path, max_bytes=limit)
    url = f"{fake.url}/viaf/AutoSuggest"
    if accepted:
        got = client.get_json("viaf", "x", url, {"query": "x"})
        assert got.status == 200 and len(got.data["pad"]) == 1000
    else:
        with pytest.raises(ServiceError, match=r"response larger than the limit of 1010 bytes"):
            client.get_json("viaf", "x", url, {"query": "x"})


class _HttpsOnLoopback(requests.adapters.HTTPAdapter):
    """Sends ``https://127.0.0.1:PORT/…`` to the plain-http fake, so that the client believes it is
    talking https and the fake's redirect to ``http://`` on the same host and port is a downgrade."""

    def send(self, request, **kwargs):  # noqa: ANN001, ANN003, ANN201
        request.url = "http://" + request.url[len("https://"):]
        return super().send(request, **kwargs)


def test_a_same_host_redirect_from_https_to_http_is_not_followed(fake: FakeServices, tmp_path: Path) -> None:
    fake.fail("/ol/works/", "downgrade", times=1)
    session = requests.Session()
    session.mount("https://", _HttpsOnLoopback())
    host = fake.url[len("http://"):]
    s = settings_for(fake, openlibrary_url=f"https://{host}/ol")
    client = Client(s, tmp_path / "cache", session=session, sleep=Sleeps())
    with pytest.raises(ServiceError, match=rf"^openlibrary: OL9990000001W: redirected from {host} to plain http "
                                           rf"\(http://{host}\); not followed"):
        sv.ol_record(client, s, "OL9990000001W")
    assert fake.count == 1  # the http URL was never asked for
