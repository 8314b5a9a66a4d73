"""Linked-data pages: dereferencing, content negotiation, the resource page's content, the landing
page and the static site, through HTTP against a real `kg serve`."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDFS

from serverutil import running_server

BASE = "https://w3id.org/arthur-kg/"
TROTSKY = BASE + "id/person/leon-trotsky"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what browsers send


@pytest.fixture(scope="module")
def server(built_mini: Path):
    with running_server(built_mini) as url:
        yield url


def get(server: str, path: str, accept: str | None = None) -> requests.Response:
    return requests.get(server + path, headers={"Accept": accept} if accept else {}, timeout=10)


@pytest.mark.parametrize("accept,ctype,fmt", [
    ("text/turtle", "text/turtle", "turtle"), ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"), ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_resource_by_accept(server: str, accept: str, ctype: str, fmt: str) -> None:
    r = get(server, "/id/person/leon-trotsky", accept)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(ctype)
    assert "Accept" in r.headers["vary"]
    g = Graph().parse(data=r.content, format=fmt)
    assert (URIRef(TROTSKY), RDFS.label, Literal("Leon Trotsky", lang="en")) in g
    assert (URIRef(TROTSKY), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q33391")) in g
    # incoming links are part of the description
    assert any(o == URIRef(TROTSKY) for o in g.objects())


@pytest.mark.parametrize("suffix,ctype,fmt", [(".ttl", "text/turtle", "turtle"), (".jsonld", "application/ld+json", "json-ld"),
                                              (".nt", "application/n-triples", "nt")])
def test_resource_by_suffix(server: str, suffix: str, ctype: str, fmt: str) -> None:
    r = get(server, "/id/person/leon-trotsky" + suffix, HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
    g = Graph().parse(data=r.content, format=fmt)
    assert (URIRef(TROTSKY), RDFS.label, None) in g


def test_browsers_get_html_and_it_is_the_static_page(server: str, built_mini: Path) -> None:
    r = get(server, "/id/person/leon-trotsky", HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    static = (built_mini / "output" / "site" / "id" / "person" / "leon-trotsky.html").read_bytes()
    assert r.content == static
    assert get(server, "/id/person/leon-trotsky.html").content == static


def test_unknown_iri_is_404(server: str) -> None:
    for path in ("/id/person/nobody", "/id/person/nobody.ttl", "/id/"):
        r = get(server, path, "text/turtle")
        assert r.status_code == 404
        assert r.json()["error"] == "not_found"


def test_resource_page_content(server: str) -> None:
    html = get(server, "/id/person/leon-trotsky", HTML).text
    assert "<h1>Leon Trotsky</h1>" in html
    assert TROTSKY in html
    assert "schema:Person" in html or ">Person<" in html
    assert 'href="http://www.wikidata.org/entity/Q33391"' in html            # external identifier
    assert "External identifiers" in html and "Wikidata" in html
    assert "Links to this resource" in html                                  # incoming links
    assert 'href="../quotation/pupa.html"' in html                            # a relative link to a page
    assert 'href="leon-trotsky.ttl"' in html                                 # alternates
    assert "<mark>" in html                                                  # mentions in the essay


def test_quotation_page_highlights_the_passage(server: str, built_mini: Path) -> None:
    html = get(server, "/id/quotation/pupa", HTML).text
    m = re.search(r'data-start="(\d+)" data-end="(\d+)"><blockquote>(.*?)<mark>(.*?)</mark>', html, re.S)
    assert m, html
    start, end, marked = int(m.group(1)), int(m.group(2)), m.group(4)
    text = (built_mini / "data" / "essays" / "mini" / "source.txt").read_text(encoding="utf-8")
    assert "The pupa is not a butterfly" in marked
    import html as h
    assert h.unescape(marked) == text[start:end]  # code-point offsets, highlighted server-side


def test_claim_page_shows_the_argument(server: str) -> None:
    html = get(server, "/id/claim/still-not-superseded", HTML).text
    assert "The argument" in html
    assert "Held by" in html and "C. J. Arthur" in html
    assert "endorses" in html
    assert "Evidence" in html and "../quotation/pupa.html" in html   # the quotation offered as evidence
    assert "central thesis" in html


def test_landing_page(server: str) -> None:
    r = get(server, "/", HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    for kind in ("person", "work", "concept", "quotation", "claim"):
        assert f'href="kinds/{kind}.html"' in html
    assert 'href="dumps/dataset.ttl"' in html and 'href="dumps/ontology.ttl"' in html
    assert 'href="query.html"' in html
    assert get(server, "/dumps/dataset.ttl").status_code == 200
    assert get(server, "/dumps/void.ttl").headers["content-type"].startswith("text/turtle")
    assert get(server, "/dumps/nothing.ttl").status_code == 404
    kinds = get(server, "/kinds/person.html").text
    assert "../id/person/leon-trotsky.html" in kinds


def test_query_page_lists_the_cookbook(server: str, built_mini: Path) -> None:
    html = get(server, "/query", HTML).text
    names = sorted(p.stem for p in (built_mini / "queries").glob("*.rq"))
    for name in names:
        assert f'<option value="{name}">' in html
    assert get(server, "/assets/query.js").status_code == 200


def test_every_local_iri_has_a_page(built_mini: Path) -> None:
    nt = (built_mini / "output" / "dataset.nt").read_text(encoding="utf-8")
    iris = set(re.findall(r"<(" + re.escape(BASE) + r"id/[^>]+)>", nt))
    site = built_mini / "output" / "site"
    missing = [i for i in iris if not (site / (i[len(BASE):] + ".html")).is_file()]
    assert not missing


def test_site_links_resolve(built_mini: Path) -> None:
    """Every relative link of every page points to a file of the site (or a dump / the endpoint)."""
    site = built_mini / "output" / "site"
    broken = []
    for page in site.rglob("*.html"):
        for href in re.findall(r'href="([^"#]+)"', page.read_text(encoding="utf-8")):
            if "://" in href or href.startswith("mailto:"):
                continue
            if page.name == "404.html" and href.startswith("/"):  # served at any depth: absolute links
                if not (site / href.lstrip("/")).exists():
                    broken.append(f"404.html -> {href}")
                continue
            target = (page.parent / href).resolve()
            rel = target.relative_to(site.resolve()).as_posix() if target.is_relative_to(site.resolve()) else href
            if rel.startswith("dumps/") or rel == "sparql" or rel.endswith((".ttl", ".jsonld", ".nt")):
                continue
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {href}")
    assert not broken, broken[:20]
