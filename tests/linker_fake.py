"""A fake of Wikidata's API, VIAF and Open Library on 127.0.0.1, for the linker's tests.

It answers with payloads shaped like the real services' (wbsearchentities, wbgetentities with
labels, aliases, descriptions, claims in the real ``mainsnak.datavalue`` structure, sitelinks,
``"redirects": {"from", "to"}`` and ``"missing": ""``; VIAF AutoSuggest and viaf.json; Open
Library search.json, search/authors.json, authors/OL…A.json and works/OL…W.json), counts the
requests it receives, and can be told to fail (``fail(match, mode, times)``).

The Wikidata ids of the well-known people are their real ones; every Open Library id here is made up
and looks it (``OL9990000001A``, ``OL9990000001W``): the services' real answers live in
``tests/fixtures/linker-real/`` (see its README) and are replayed by ``real_world()``."""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

GREGORIAN = "http://www.wikidata.org/entity/Q1985727"


def _snak_item(prop: str, qid: str) -> dict:
    return {"mainsnak": {"snaktype": "value", "property": prop, "hash": "0" * 40,
                         "datavalue": {"value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
                                       "type": "wikibase-entityid"}, "datatype": "wikibase-item"},
            "type": "statement", "id": f"{qid}$statement-{prop}", "rank": "normal"}


def _snak_time(prop: str, date: str, precision: int = 11) -> dict:
    return {"mainsnak": {"snaktype": "value", "property": prop, "hash": "1" * 40,
                         "datavalue": {"value": {"time": f"+{date}T00:00:00Z", "timezone": 0, "before": 0, "after": 0,
                                                 "precision": precision, "calendarmodel": GREGORIAN}, "type": "time"},
                         "datatype": "time"},
            "type": "statement", "id": f"statement-{prop}-{date}", "rank": "normal"}


def wd_entity(qid: str, label: str, p31: tuple[str, ...] = (), born: str | None = None, died: str | None = None,
              published: str | None = None, authors: tuple[str, ...] = (), description: str = "",
              aliases: tuple[str, ...] = (), labels: dict[str, str] | None = None, enwiki: str | None = None) -> dict:
    """A Wikidata entity as wbgetentities returns it."""
    all_labels = {"en": label, **(labels or {})}
    claims: dict[str, list] = {}
    if p31:
        claims["P31"] = [_snak_item("P31", q) for q in p31]
    if born:
        claims["P569"] = [_snak_time("P569", born)]
    if died:
        claims["P570"] = [_snak_time("P570", died)]
    if published:
        claims["P577"] = [_snak_time("P577", published, 9)]
    if authors:
        claims["P50"] = [_snak_item("P50", q) for q in authors]
    return {
        "pageid": int(qid[1:]) + 100, "ns": 0, "title": qid, "lastrevid": 2000000000, "modified": "2026-10-01T00:00:00Z",
        "type": "item", "id": qid,
        "labels": {lang: {"language": lang, "value": v} for lang, v in all_labels.items()},
        "descriptions": {"en": {"language": "en", "value": description}} if description else {},
        "aliases": {"en": [{"language": "en", "value": a} for a in aliases]} if aliases else {},
        "claims": claims,
        "sitelinks": {"enwiki": {"site": "enwiki", "title": enwiki, "badges": []}} if enwiki else {},
    }


def default_world() -> "World":
    w = World()
    human = ("Q5",)
    for e in [
        wd_entity("Q33391", "Leon Trotsky", human, "1879-11-07", "1940-08-21", description="Russian revolutionary (1879–1940)",
                  aliases=("Lev Davidovich Bronstein",), labels={"de": "Leo Trotzki", "ru": "Лев Троцкий", "fr": "Léon Trotski"},
                  enwiki="Leon Trotsky"),
        wd_entity("Q855", "Joseph Stalin", human, "1878-12-18", "1953-03-05", description="Soviet leader",
                  labels={"de": "Josef Stalin"}, enwiki="Joseph Stalin"),
        wd_entity("Q1394", "Vladimir Lenin", human, "1870-04-22", "1924-01-21", description="Russian revolutionary"),
        wd_entity("Q9061", "Karl Marx", human, "1818-05-05", "1883-03-14", description="German philosopher"),
        wd_entity("Q9235", "Georg Wilhelm Friedrich Hegel", human, "1770-08-27", "1831-11-14", labels={"de": "Georg Wilhelm Friedrich Hegel"}),
        # candidates for Isaac Deutscher: a prize named after him, a namesake, and the man himself
        wd_entity("Q9000001", "Isaac Deutscher Memorial Prize", ("Q618779",), description="literary award"),
        wd_entity("Q9000003", "Isaac Deutscher", human, "1950-01-01", description="namesake, chess player"),
        wd_entity("Q9000002", "Isaac Deutscher", human, "1907-04-03", "1967-08-19", description="Polish-British Marxist writer"),
        # candidates for The Revolution Betrayed: a film and the book
        wd_entity("Q9100001", "The Revolution Betrayed", ("Q11424",), published="2019-01-01", description="2019 film"),
        wd_entity("Q9100002", "The Revolution Betrayed", ("Q7725634",), published="1936-01-01", authors=("Q33391",),
                  description="book by Leon Trotsky", labels={"de": "Verratene Revolution"}),
        wd_entity("Q7275", "state", ("Q1048835",), description="political organization"),
        wd_entity("Q9200001", "workers' state", ("Q151885",), description="concept in Marxism"),
    ]:
        w.entities[e["id"]] = e
    w.redirects["Q9235000"] = "Q9235"
    w.search.update({
        "leon trotsky": ["Q33391"],
        "isaac deutscher": ["Q9000001", "Q9000003", "Q9000002"],
        "the revolution betrayed": ["Q9100001", "Q9100002"],
        "state": ["Q7275"],
        "workers' state": ["Q9200001", "Q7275"],
    })
    w.viaf_suggest.update({
        "leon trotsky": [
            {"term": "trotsky, leon, 1950-", "displayForm": "Trotsky, Leon, 1950-", "nametype": "personal", "viafid": "555", "score": "40"},
            {"term": "trotsky, leon, 1879-1940", "displayForm": "Trotsky, Leon, 1879-1940", "nametype": "personal",
             "viafid": "100182920", "recordID": "100182920", "lc": "n79059887", "score": "200"},
        ],
        "isaac deutscher": [
            {"term": "deutscher, isaac, 1907-1967", "displayForm": "Deutscher, Isaac, 1907-1967", "nametype": "personal",
             "viafid": "66482806", "score": "120"},
        ],
    })
    w.viaf_records["100182920"] = {"viafID": "100182920", "nameType": "Personal", "birthDate": "1879-11-07",
                                   "deathDate": "1940-08-21",
                                   "mainHeadings": {"data": [{"text": "Trotsky, Leon, 1879-1940", "sources": {"s": ["LC"]}}]}}
    w.viaf_records["999"] = {"redirect": {"directto": "100182920"}}
    w.ol_authors_search.update({
        "leon trotsky": [{"key": "OL9990000001A", "type": "author", "name": "Leon Trotsky", "birth_date": "7 November 1879",
                          "death_date": "21 August 1940", "top_work": "The Revolution Betrayed", "work_count": 300}],
        "isaac deutscher": [{"key": "OL9990000003A", "type": "author", "name": "Isaac Deutscher Jr.", "birth_date": "1960"},
                            {"key": "OL9990000002A", "type": "author", "name": "Isaac Deutscher", "birth_date": "1907",
                             "death_date": "1967", "top_work": "The Prophet Armed"}],
    })
    w.ol_works_search.update({
        "the revolution betrayed": [
            {"key": "/works/OL9990000002W", "title": "The revolution betrayed", "subtitle": "a study guide",
             "author_name": ["Someone Else"], "author_key": ["OL9990000004A"], "first_publish_year": 1990},
            {"key": "/works/OL9990000001W", "title": "The Revolution Betrayed",
             "subtitle": "What Is the Soviet Union and Where Is It Going?", "author_name": ["Leon Trotsky"],
             "author_key": ["OL9990000001A"], "first_publish_year": 1937},
        ],
    })
    w.ol_records["/authors/OL9990000001A"] = {"key": "/authors/OL9990000001A", "type": {"key": "/type/author"}, "name": "Leon Trotsky",
                                         "personal_name": "Leon Trotsky", "birth_date": "7 November 1879",
                                         "death_date": "21 August 1940", "remote_ids": {"wikidata": "Q33391", "viaf": "100182920"}}
    w.ol_records["/authors/OL9990000009A"] = {"key": "/authors/OL9990000009A", "type": {"key": "/type/redirect"}, "location": "/authors/OL9990000001A"}
    w.ol_records["/works/OL9990000001W"] = {"key": "/works/OL9990000001W", "type": {"key": "/type/work"}, "title": "The Revolution Betrayed",
                                         "authors": [{"author": {"key": "/authors/OL9990000001A"}, "type": {"key": "/type/author_role"}}],
                                         "first_publish_date": "1937"}
    return w


@dataclass
class World:
    entities: dict[str, dict] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    search: dict[str, list[str]] = field(default_factory=dict)
    viaf_suggest: dict[str, list[dict]] = field(default_factory=dict)
    viaf_records: dict[str, dict] = field(default_factory=dict)
    ol_authors_search: dict[str, list[dict]] = field(default_factory=dict)
    ol_works_search: dict[str, list[dict]] = field(default_factory=dict)
    ol_records: dict[str, dict] = field(default_factory=dict)


@dataclass
class Failure:
    match: str  # a substring of the request's path and query
    mode: str  # timeout | 429 | 500 | badjson | apierror | empty | moved | offhost | downgrade | huge | chunked
    times: int  # how many requests fail (then it answers normally); -1 for ever
    value: float = 0.0  # Retry-After seconds (429) or seconds to sleep (timeout)


class FakeServices:
    """Start with ``with FakeServices() as fake:``; ``fake.url`` is its base URL."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or default_world()
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.failures: list[Failure] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                with fake._lock:
                    fake.requests.append(self.path)
                    fake.headers.append(dict(self.headers))
                    failure = fake._failure(self.path)
                try:
                    if failure is not None:
                        self._fail(failure)
                    else:
                        status, body = fake.answer(self.path)
                        self._send(status, body.encode() if isinstance(body, str) else json.dumps(body).encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _fail(self, f: Failure) -> None:
                if f.mode == "timeout":
                    time.sleep(f.value or 2.0)
                    self._send(200, b"{}")
                elif f.mode == "429":
                    self._send(429, b'{"error": "too many requests"}', {"Retry-After": str(int(f.value))})
                elif f.mode == "500":
                    self._send(500, b"<html>Internal Server Error</html>")
                elif f.mode == "badjson":
                    self._send(200, b'{"entities": {"Q1": {')
                elif f.mode == "offhost":
                    self.send_response(302)
                    self.send_header("Location", "http://evil.example.net/steal")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif f.mode == "apierror":  # a MediaWiki API error without a code
                    self._send(200, b'{"error": {"info": "Something went wrong."}}')
                elif f.mode == "empty":  # an answer of an unexpected shape
                    self._send(200, b"{}")
                elif f.mode == "moved":  # a redirect within the host, to the same path with "moved=1"
                    sep = "&" if "?" in self.path else "?"
                    self.send_response(301)
                    self.send_header("Location", f"{self.path}{sep}moved=1")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif f.mode == "downgrade":  # same host and port, but plain http
                    self.send_response(302)
                    self.send_header("Location", f"http://{self.headers.get('Host')}{self.path}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif f.mode == "huge":
                    self._send(200, b'{"pad": "' + b"x" * int(f.value or 3_000_000) + b'"}')
                elif f.mode == "chunked":  # no Content-Length: the body ends when the connection closes
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(b'{"pad": "' + b"x" * int(f.value or 3_000_000) + b'"}')
                    self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ---------------------------------------------------------------- control

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeServices":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, match: str, mode: str, times: int = -1, value: float = 0.0) -> None:
        self.failures.append(Failure(match, mode, times, value))

    def _failure(self, path: str) -> Failure | None:
        from urllib.parse import unquote_plus

        for f in self.failures:
            if f.times != 0 and f.match in unquote_plus(path):
                if f.times > 0:
                    f.times -= 1
                return f
        return None

    @property
    def count(self) -> int:
        return len(self.requests)

    def link_toml(self, **extra: Any) -> str:
        """The ``[link]`` table that points the linker at this server."""
        values = {"wikidata_api": f"{self.url}/w/api.php", "viaf_url": f"{self.url}/viaf",
                  "openlibrary_url": f"{self.url}/ol", "rate": 1000.0, "backoff": 0.01, "attempts": 2,
                  "read_timeout": 5.0, "contact": "mailto:test@example.org", **extra}
        return "\n[link]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())

    # ---------------------------------------------------------------- the APIs

    def answer(self, path: str) -> tuple[int, Any]:
        parts = urlsplit(path)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        w = self.world
        if parts.path == "/w/api.php":
            if q.get("format") != "json":  # the API's default is an HTML page ("jsonfm")
                return 200, "<!DOCTYPE html><html>MediaWiki API result</html>"
            if q.get("action") == "wbsearchentities":
                if q.get("language") not in ("en", "de", "fr") or not q.get("search"):
                    return 200, {"error": {"code": "badvalue", "info": "Unrecognized value for parameter \"language\"."}}
                hits = [w.entities[i] for i in w.search.get(q.get("search", "").casefold(), []) if i in w.entities]
                return 200, {"searchinfo": {"search": q.get("search", "")}, "search": [
                    {"id": e["id"], "title": e["id"], "pageid": e["pageid"], "display": {"label": e["labels"]["en"]},
                     "repository": "wikidata", "url": f"//www.wikidata.org/wiki/{e['id']}",
                     "concepturi": f"http://www.wikidata.org/entity/{e['id']}", "label": e["labels"]["en"]["value"],
                     "description": (e["descriptions"].get("en") or {}).get("value", ""),
                     "match": {"type": "label", "language": "en", "text": e["labels"]["en"]["value"]}} for e in hits],
                    "search-continue": 7, "success": 1}
            if q.get("action") == "wbgetentities":
                ids = q.get("ids", "").split("|")
                if q.get("redirects", "yes") not in ("yes", "no"):
                    return 200, {"error": {"code": "badvalue", "info": "Unrecognized value for parameter \"redirects\"."}}
                bad = next((i for i in ids if not re.fullmatch(r"[QPL][1-9][0-9]*", i)), None)
                if bad is not None:
                    return 200, {"error": {"code": "no-such-entity", "info": f"Could not find an entity with the ID \"{bad}\".",
                                           "id": bad}}
                if len(ids) > 50:
                    return 200, {"error": {"code": "toomanyvalues", "info": "Too many values supplied for parameter \"ids\". The limit is 50."}}
                langs = set(q.get("languages", "").split("|")) if q.get("languages") else None
                entities: dict[str, Any] = {}
                for i in ids:
                    target = w.redirects.get(i) if q.get("redirects", "yes") == "yes" else None
                    if target and target in w.entities:
                        ent = dict(w.entities[target])
                        ent["redirects"] = {"from": i, "to": target}
                        entities[target] = ent
                    elif i in w.entities:
                        entities[i] = dict(w.entities[i])
                    else:
                        entities[i] = {"id": i, "missing": ""}
                for ent in entities.values():
                    if langs and "labels" in ent:
                        ent["labels"] = {k: v for k, v in ent["labels"].items() if k in langs}
                return 200, {"entities": entities, "success": 1}
            return 200, {"error": {"code": "badvalue", "info": "Unrecognized value for parameter \"action\"."}}
        if parts.path == "/viaf/AutoSuggest":
            result = w.viaf_suggest.get(q.get("query", "").casefold())
            return 200, {"query": q.get("query", ""), "result": result}
        if parts.path.startswith("/viaf/") and parts.path.endswith("/viaf.json"):
            vid = parts.path.split("/")[2]
            if vid in w.viaf_records:
                return 200, w.viaf_records[vid]
            return 404, "<html><body>Not Found</body></html>"  # VIAF's 404 is a page, not JSON
        if parts.path == "/ol/search/authors.json":
            docs = w.ol_authors_search.get(q.get("q", "").casefold(), [])
            return 200, {"numFound": len(docs), "start": 0, "numFoundExact": True, "docs": docs}
        if parts.path == "/ol/search.json":
            docs = w.ol_works_search.get(q.get("title", "").casefold(), [])
            return 200, {"numFound": len(docs), "start": 0, "numFoundExact": True, "docs": docs, "q": "", "offset": None}
        if parts.path.startswith("/ol/") and parts.path.endswith(".json"):
            key = parts.path[len("/ol"):-len(".json")]
            if key in w.ol_records:
                return 200, w.ol_records[key]
            return 404, {"error": "notfound", "key": key}
        return 404, {"error": "no such path"}


REAL = __import__("pathlib").Path(__file__).parent / "fixtures" / "linker-real"


def _real(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def real_world() -> World:
    """The real answers in ``tests/fixtures/linker-real/`` (see its README), served where the real
    services serve them: each Wikidata entity inside a ``wbgetentities`` answer, each VIAF cluster (as
    captured, under its ``nsN:VIAFCluster`` key or bare) at ``/viaf/<id>/viaf.json``, Open Library's
    author and work records as they were."""
    w = World()
    for name in ("wikidata/entity-Q328212.json", "wikidata/entity-Q4132785.json"):
        ent = _real(name)
        w.entities[ent["id"]] = ent
    w.entities.update(_real("wikidata/wbgetentities-Q3235026.json")["entities"])
    for path in sorted((REAL / "viaf").glob("cluster-*.json")):
        w.viaf_records[path.stem.split("-", 1)[1]] = _real(f"viaf/{path.name}")
    for rec in _real("viaf/sru-search-2017.json")["searchRetrieveResponse"]["records"]:
        cluster = rec["record"]["recordData"]
        w.viaf_records[cluster["viafID"]] = cluster
    w.ol_records["/authors/OL34184A"] = _real("openlibrary/author-OL34184A.json")
    w.ol_records["/works/OL45804W"] = _real("openlibrary/work-OL45804W.json")
    return w
