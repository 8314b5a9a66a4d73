"""Stored XSS: only http(s) IRIs become links in the generated pages; any other IRI (javascript:,
data:, file:, urn:) is shown as text. The shapes refuse other schemes on the link properties, so
``kg build`` stops on them (exit 1, naming the line); the renderer holds even for data that got past
the shapes (a type, a predicate, an object of any property, a map node, the landing page)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID

from kg.cli import main
from kg.config import load_config
from kg.iris import link_href
from kg.publish.pages import render_site

BASE = "https://w3id.org/arthur-kg/"
HOSTILE = ["javascript:alert(1)", "JavaScript:alert(2)", "data:text/html,<script>alert(3)</script>",
           "file:///etc/passwd", "vbscript:msgbox(4)", "urn:isbn:0140447938", "https:///no-host",
           'https://example.org/"onmouseover="alert(5)']


@pytest.mark.parametrize("iri", HOSTILE)
def test_only_http_iris_are_link_targets(iri: str) -> None:
    assert link_href(iri) is None


@pytest.mark.parametrize("iri", ["https://www.wikidata.org/entity/Q33391", "http://viaf.org/viaf/1234",
                                 "https://example.org/a?b=c#d", "https://exämple.org/ü"])
def test_http_iris_stay_links(iri: str) -> None:
    assert link_href(iri) == iri


def _hostile_site(tmp_path: Path) -> dict[str, bytes]:
    person = URIRef(BASE + "id/person/p")
    g = Graph()
    g.add((person, RDF.type, URIRef("https://schema.org/Person")))
    g.add((person, RDF.type, URIRef("javascript:alert('type')")))
    g.add((person, RDFS.label, Literal("P", lang="en")))
    g.add((person, URIRef("https://schema.org/url"), URIRef("javascript:alert('url')")))
    g.add((person, URIRef("http://www.w3.org/2002/07/owl#sameAs"), URIRef("data:text/html,<b>x</b>")))
    g.add((person, URIRef("javascript:alert('predicate')"), Literal("v")))
    g.add((person, RDFS.seeAlso, URIRef("https://www.marxists.org/archive/trotsky/")))
    meta = Graph()
    ds = URIRef(BASE + "dataset")
    meta.add((ds, RDF.type, VOID.Dataset))
    meta.add((ds, URIRef("http://purl.org/dc/terms/license"), URIRef("javascript:alert('licence')")))
    part = URIRef(BASE + "dataset/part")
    meta.add((ds, VOID.classPartition, part))
    meta.add((part, VOID["class"], URIRef("javascript:alert('class')")))
    meta.add((part, VOID.entities, Literal(1)))
    return render_site(g, meta, load_config(tmp_path))


def test_no_page_links_to_another_scheme(tmp_path: Path) -> None:
    files = _hostile_site(tmp_path)
    pages = {k: v.decode("utf-8") for k, v in files.items() if k.endswith(".html")}
    bad = sorted({(name, m.group(0)) for name, html in pages.items()
                  for m in re.finditer(r'(?:href|src|action)\s*=\s*"\s*([A-Za-z][A-Za-z0-9+.\-]*):[^"]*"', html)
                  if m.group(1).lower() not in ("http", "https")})
    assert not bad, bad
    page = pages["id/person/p.html"]
    assert "javascript:alert(&#39;url&#39;)" in page  # shown as text, never as a link
    assert '<a href="https://www.marxists.org/archive/trotsky/"' in page or 'href="https://www.marxists.org/archive/trotsky/"' in page
    assert "javascript:alert(&#39;licence&#39;)" in pages["index.html"]


def test_kg_build_refuses_a_javascript_url(project: Path) -> None:
    path = project / "data/essays/mini/essay.ttl"
    text = path.read_text(encoding="utf-8")
    old = 'rdfs:label "Leon Trotsky"@en ;'
    assert old in text
    path.write_text(text.replace(old, old + "\n    schema:url <javascript:alert(1)> ;", 1), encoding="utf-8")
    line = next(n for n, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "javascript:" in t)
    result = CliRunner().invoke(main, ["--root", str(project), "-q", "build"])
    assert result.exit_code == 1, result.output
    assert "schema:url must be an http(s) IRI" in result.output
    assert not (project / "output").exists()
    validate = CliRunner().invoke(main, ["--root", str(project), "-q", "validate", str(path)])
    assert validate.exit_code == 1
    assert f"essay.ttl:{line}:" in validate.output and "schema:url must be an http(s) IRI" in validate.output
