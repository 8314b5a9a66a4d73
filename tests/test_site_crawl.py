"""Every IRI a reader meets resolves: the site is crawled from its landing page, following every
internal link and every linked RDF alternate, as served by ``kg serve --base-url`` (the dataset's IRIs
rewritten to the local server) and as plain static files (``python -m http.server``). No link may 404,
and no link may leave the site except to an external identifier (never to the dataset's own base)."""
from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import requests

from conftest import make_project
from serverutil import free_port, running_server

BASE = "https://w3id.org/arthur-kg/"
RDF_SUFFIXES = (".ttl", ".jsonld", ".nt")


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project built, released (``kg release``, which rebuilds) so that the landing page
    links a release's files."""
    from kg.config import load_config
    from kg.pipeline import build
    from kg.release import release

    root = make_project(tmp_path_factory.mktemp("crawl") / "project")
    build(load_config(root))
    release(load_config(root), load_config(root).version)
    build(load_config(root))
    return root


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((name == "href" and tag in ("a", "link")) or (name == "src" and tag in ("script", "img"))):
                self.links.append(value)


def crawl(start: str, skip: tuple[str, ...] = ()) -> tuple[dict[str, int], dict[str, list[str]], list[str]]:
    """({url: status} of every internal URL reached, {off-site link: pages}, [RDF alternates fetched])."""
    host = urlsplit(start).netloc
    seen: dict[str, int] = {}
    offsite: dict[str, list[str]] = {}
    alternates: list[str] = []
    queue = [start]
    session = requests.Session()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        r = session.get(url, timeout=20)
        seen[url] = r.status_code
        if r.status_code != 200 or not r.headers.get("content-type", "").startswith("text/html"):
            continue
        parser = Links()
        parser.feed(r.text)
        for link in parser.links:
            target = urldefrag(urljoin(url, link))[0]
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https"):
                continue
            if parts.netloc != host:
                offsite.setdefault(target, []).append(url)
                continue
            if parts.path.rstrip("/").rsplit("/", 1)[-1] in skip:
                continue
            if parts.path.endswith(RDF_SUFFIXES):
                alternates.append(target)
            if target not in seen:
                queue.append(target)
    return seen, offsite, alternates


def assert_whole(seen: dict[str, int], offsite: dict[str, list[str]], alternates: list[str]) -> None:
    broken = {u: s for u, s in seen.items() if s != 200}
    assert not broken, f"{len(broken)} broken links, e.g. {sorted(broken.items())[:5]}"
    ours = {u: p[:2] for u, p in offsite.items() if u.startswith(BASE)}
    assert not ours, f"links to the dataset's own IRIs leave the site: {sorted(ours.items())[:5]}"
    pages = [u for u in seen if u.endswith(".html")]
    assert len(pages) > 50, f"the crawl reached only {len(pages)} pages"
    # every resource page's three alternates were followed and answered
    assert len({u for u in alternates if "/id/" in u}) >= 3 * len([u for u in pages if "/id/" in u])
    assert any(u.endswith("/dumps/dataset.ttl") for u in seen) and any("/dumps/void.ttl" in u for u in seen)
    assert any("/dumps/releases/" in u and u.endswith("/CHANGELOG.md") for u in seen)  # a release's files


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(url + "/index.html", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_static_site_holds_everything_it_links_to(released: Path) -> None:
    """Served by a plain static file server: only the SPARQL endpoint (a server's) is not there."""
    with static_server(released / "output" / "site") as url:
        seen, offsite, alternates = crawl(url + "/index.html", skip=("sparql",))
    assert_whole(seen, offsite, alternates)


def test_every_iri_resolves_on_kg_serve_with_base_url(released: Path) -> None:
    with running_server(released, None, "--base-url", "{base}/") as url:
        seen, offsite, alternates = crawl(url + "/")
        assert_whole(seen, offsite, alternates)
        # the page shows the IRI rewritten to the local server, and the IRI resolves here
        page = requests.get(url + "/id/person/leon-trotsky", headers={"Accept": "text/html"}, timeout=10).text
        assert f"<code>{url}/id/person/leon-trotsky</code>" in page and BASE not in page
        # the dataset's other IRIs: the ontology (and a term's anchor), a named graph, a dump, a release file
        onto = requests.get(url + "/ontology", headers={"Accept": "text/html"}, timeout=10)
        assert onto.status_code == 200 and 'id="Section"' in onto.text
        graph = requests.get(url + "/graph/ontology", headers={"Accept": "text/turtle"}, timeout=10)
        assert graph.status_code == 200 and "kgo:Section" in graph.text and f"<{url}/ontology#>" in graph.text
        browser = requests.get(url + "/graph/ontology", headers={"Accept": "text/html"}, timeout=10, allow_redirects=False)
        assert browser.status_code == 303 and browser.headers["location"].startswith("/query?query=SELECT")
        release = requests.get(url + "/dumps/releases/0.1.0/nothing.ttl", timeout=10)
        assert release.status_code == 404 and release.json()["error"] == "not_found"
        ttl = requests.get(url + "/id/person/leon-trotsky", headers={"Accept": "text/turtle"}, timeout=10).text
        assert f"@base <{url}/id/>" in ttl
        # SPARQL results carry local IRIs (YASGUI opens them here), and a query may use them
        q = f"SELECT ?l WHERE {{ <{url}/id/person/leon-trotsky> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
        res = requests.get(url + "/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"},
                           timeout=10).json()
        assert [b["l"]["value"] for b in res["results"]["bindings"]] == ["Leon Trotsky"]
        res = requests.get(url + "/sparql", params={"query": "SELECT ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> } "
                                                    "ORDER BY ?p LIMIT 1"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=10).json()
        assert res["results"]["bindings"][0]["p"]["value"].startswith(url + "/id/person/")


def test_without_base_url_the_pages_still_link_locally(built_mini: Path) -> None:
    """The dataset's ontology terms, dumps and releases are relative links in the pages themselves."""
    site = built_mini / "output" / "site"
    page = (site / "id" / "person" / "leon-trotsky.html").read_text(encoding="utf-8")
    assert 'href="../../ontology.html#' in page
    assert f'href="{BASE}ontology' not in page
    landing = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="dumps/dataset.ttl"' in landing and f'href="{BASE}' not in landing


@pytest.mark.parametrize("name", [".htaccess", "_redirects", "_headers", "404.html"])
def test_static_host_rules_are_published(built_mini: Path, name: str) -> None:
    text = (built_mini / "output" / "site" / name).read_text(encoding="utf-8")
    expected = {".htaccess": "RewriteRule ^(id/.+|ontology)$ $1.ttl [L]", "_redirects": "/id/*  /id/:splat.html  200",
                "_headers": "Content-Type: text/turtle; charset=utf-8", "404.html": "<h1>Not found</h1>"}[name]
    assert expected in text
