"""What clients and browsers get from a real `kg serve`, at the level of HTTP (as curl sees it): HTML
for browsers everywhere (a 404 with suggestions, the query page at /sparql), format overrides
(``?format=``, ``?_mediatype=``), the ``Link`` and ``Vary`` headers, per-resource RDF written like the
dumps, the triple counts labelled alike everywhere and the landing page's schema.org Dataset."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from serverutil import running_server

BASE = "https://w3id.org/arthur-kg/"
TROTSKY = BASE + "id/person/leon-trotsky"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what browsers send
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(built_mini: Path):
    with running_server(built_mini) as url:
        yield url


def get(server: str, path: str, accept: str | None = None, **params: str) -> requests.Response:
    return requests.get(server + path, params=params or None, headers={"Accept": accept} if accept else {},
                        timeout=10, allow_redirects=False)


# --- browsers get HTML everywhere --------------------------------------------------------------------
def test_a_browser_gets_an_html_404_with_suggestions(server: str) -> None:
    r = get(server, "/id/person/leon-trotksy", BROWSER)  # a typo
    assert r.status_code == 404
    assert r.headers["content-type"] == "text/html; charset=utf-8" and "Accept" in r.headers["vary"]
    assert "<h1>Not found</h1>" in r.text
    assert '<a href="/id/person/leon-trotsky">Leon Trotsky</a>' in r.text  # the suggestion
    # a page that does not exist outside /id/ too
    other = get(server, "/maps/nothing.html", BROWSER)
    assert other.status_code == 404 and "<h1>Not found</h1>" in other.text


def test_programs_still_get_the_json_404(server: str) -> None:
    for accept in (None, "*/*", "application/json", "text/turtle"):
        r = get(server, "/id/person/leon-trotksy", accept)
        assert r.status_code == 404 and r.json()["error"] == "not_found", accept
        assert "Accept" in r.headers["vary"]  # the same URL answers HTML to a browser


def test_sparql_in_a_browser_is_the_query_page(server: str, built_mini: Path) -> None:
    page = (built_mini / "output" / "site" / "query.html").read_bytes()
    for params in ({}, {"query": COUNT}):
        r = get(server, "/sparql", BROWSER, **params)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert r.content == page  # the page reads ?query= itself: pre-filled and run
    # a program asking for anything still gets the service description / the results
    assert get(server, "/sparql", "*/*").headers["content-type"].startswith("text/turtle")
    assert get(server, "/sparql", "*/*", query=COUNT).headers["content-type"].startswith("application/sparql-results+json")


def test_query_permalink_opens_the_query_page(server: str) -> None:
    r = get(server, "/query", BROWSER, query=COUNT)
    assert r.status_code == 200 and 'id="permalink"' in r.text and 'id="download-csv"' in r.text
    js = get(server, "/assets/query.js").text
    assert 'new URLSearchParams(location.search).get("query")' in js and "&format=" in js and "download=results" in js


# --- format overrides, Link and Vary -----------------------------------------------------------------
@pytest.mark.parametrize("param,value,ctype,first_line", [
    ("format", "csv", "text/csv", "n"),
    ("format", "tsv", "text/tab-separated-values", "?n"),
    ("_mediatype", "text/csv", "text/csv", "n"),
    ("_mediatype", "application/sparql-results+json", "application/sparql-results+json", '{"head":{"vars":["n"]}'),
])
def test_sparql_format_override_beats_accept(server: str, param: str, value: str, ctype: str, first_line: str) -> None:
    r = get(server, "/sparql", BROWSER, query=COUNT, **{param: value})
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
    assert r.text.startswith(first_line)
    assert "Accept" in r.headers["vary"]


def test_sparql_download_is_an_attachment(server: str) -> None:
    r = get(server, "/sparql", None, query=COUNT, format="csv", download="my results")
    assert r.headers["content-disposition"] == 'attachment; filename="my-results.csv"'
    assert "content-disposition" not in get(server, "/sparql", None, query=COUNT, format="csv").headers


def test_unknown_override_is_406(server: str) -> None:
    r = get(server, "/sparql", None, query=COUNT, format="yaml")
    assert r.status_code == 406 and r.json()["error"] == "not_acceptable" and "csv" in r.json()["hint"]
    assert get(server, "/id/person/leon-trotsky", None, format="yaml").status_code == 406


@pytest.mark.parametrize("param,value,ctype", [("_mediatype", "text/turtle", "text/turtle"),
                                               ("format", "jsonld", "application/ld+json"),
                                               ("format", "ntriples", "application/n-triples")])
def test_resource_format_override(server: str, param: str, value: str, ctype: str) -> None:
    r = get(server, "/id/person/leon-trotsky", BROWSER, **{param: value})
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)


def test_link_header_lists_the_alternates(server: str) -> None:
    r = get(server, "/id/person/leon-trotsky", "text/turtle")
    links = dict(re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', r.headers["link"]))
    assert links == {"/id/person/leon-trotsky.html": "text/html", "/id/person/leon-trotsky.ttl": "text/turtle",
                     "/id/person/leon-trotsky.jsonld": "application/ld+json",
                     "/id/person/leon-trotsky.nt": "application/n-triples",
                     "/id/person/leon-trotsky.rdf": "application/rdf+xml"}
    for href in links:  # and each resolves
        assert get(server, href).status_code == 200, href


@pytest.mark.parametrize("path,accept", [("/id/person/leon-trotsky", BROWSER), ("/id/person/leon-trotsky", "text/turtle"),
                                         ("/sparql", "text/turtle"), ("/sparql", BROWSER), ("/graph/ontology", "text/turtle")])
def test_vary_accept_on_every_negotiated_answer(server: str, path: str, accept: str) -> None:
    r = get(server, path, accept)
    assert r.status_code in (200, 303) and "Accept" in r.headers["vary"]


# --- per-resource RDF like the dumps -----------------------------------------------------------------
def test_turtle_is_dump_style_with_only_the_prefixes_it_uses(server: str, built_mini: Path) -> None:
    r = get(server, "/id/person/leon-trotsky", "text/turtle")
    text = r.text
    assert r.content == (built_mini / "output" / "site" / "id" / "person" / "leon-trotsky.ttl").read_bytes()
    assert text.startswith(f"@base <{BASE}id/> .\n")
    declared = re.findall(r"^@prefix (\w+): ", text, flags=re.M)
    body = text.split("\n\n", 1)[1]
    assert declared and all(re.search(rf"(?<![\w<]){p}:", body) for p in declared), declared
    assert "@prefix wd:" not in text or "wd:" in body
    assert "\\/" not in text
    g = Graph().parse(data=text, format="turtle")
    assert (URIRef(TROTSKY), RDFS.label, Literal("Leon Trotsky", lang="en")) in g


def test_description_carries_the_labels_and_types_of_linked_iris(server: str) -> None:
    g = Graph().parse(data=get(server, "/id/person/leon-trotsky", "application/n-triples").text, format="nt")
    linked = {o for o in g.objects(URIRef(TROTSKY)) if isinstance(o, URIRef) and str(o).startswith(BASE + "id/")}
    linked |= {s for s in g.subjects(None, URIRef(TROTSKY)) if s != URIRef(TROTSKY)}
    assert linked
    unlabelled = [n for n in linked if g.value(n, RDFS.label) is None and g.value(n, URIRef("https://schema.org/name")) is None
                  and g.value(n, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")) is None]
    assert not unlabelled, unlabelled[:3]
    assert all(g.value(n, RDF.type) is not None for n in linked)


def test_jsonld_is_compacted_with_the_projects_context(server: str, built_mini: Path) -> None:
    r = get(server, "/id/person/leon-trotsky", "application/ld+json")
    doc = r.json()
    context = json.loads((built_mini / "output" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert doc["@context"] == context
    node = next(n for n in doc["@graph"] if n["@id"] == "kg:person/leon-trotsky")
    assert "schema:Person" in node["@type"] or "foaf:Person" in node["@type"]
    g = Graph().parse(data=r.text, format="json-ld")
    assert (URIRef(TROTSKY), RDFS.label, Literal("Leon Trotsky", lang="en")) in g


# --- one triple count, labelled alike ------------------------------------------------------------------
def test_triple_counts_are_labelled_alike_everywhere(server: str, built_mini: Path) -> None:
    served = int(get(server, "/sparql", "application/sparql-results+json", query=COUNT)
                 .json()["results"]["bindings"][0]["n"]["value"])
    void = Graph().parse(built_mini / "output" / "void.ttl")
    data = int(void.value(URIRef(BASE + "id/dataset"), URIRef("http://rdfs.org/ns/void#triples")))
    assert int(void.value(URIRef(BASE + "id/dataset/served"), URIRef("http://rdfs.org/ns/void#triples"))) == served
    assert data < served
    health = get(server, "/health").json()
    assert (health["triples"], health["data_triples"]) == (served, data)
    assert "COUNT(*)" in health["triples_note"]
    landing = get(server, "/", BROWSER).text
    assert f"{data:,} data triples; {served:,} with the dataset description" in landing


def test_service_description_names_the_dataset_that_exists(server: str) -> None:
    g = Graph().parse(data=get(server, "/sparql", "text/turtle").text, format="turtle")
    sources = set(g.objects(None, URIRef("http://purl.org/dc/terms/source")))
    assert sources == {URIRef(BASE + "id/dataset")}
    assert get(server, "/id/dataset", "text/turtle").status_code == 200


def test_landing_page_embeds_a_schema_org_dataset(server: str) -> None:
    html = get(server, "/", BROWSER).text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert len(blocks) == 1
    doc = json.loads(blocks[0])
    assert doc["@context"] == "https://schema.org/" and doc["@type"] == "Dataset"
    # what Google Dataset Search requires (name, description of 50-5000 characters) and recommends
    assert doc["name"] and 50 <= len(doc["description"]) <= 5000
    for key in ("license", "creator", "distribution", "dateModified", "keywords", "version", "url"):
        assert doc[key], key
    assert doc["creator"]["name"]
    downloads = {d["contentUrl"].rsplit("/", 1)[-1]: d["encodingFormat"] for d in doc["distribution"]}
    assert downloads["dataset.ttl"] == "text/turtle" and downloads["dataset.nt.gz"] == "application/n-triples"
    assert all(d["@type"] == "DataDownload" for d in doc["distribution"])
