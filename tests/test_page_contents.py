"""What the pages show (docs/pages.md): each value once (materialised super-properties folded into
their curated property), the summary block, no OCR debris as a label, the landing page's kinds and
class table, the favicon and the ontology page's navigation, the search index. On the real essay's
build (the figures are the essay's)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import terms
from kg.publish.facets import clean_label, fold, is_debris

ROW = re.compile(r'<tr><th><a href="[^"]*" title="[^"]*">([^<]*)</a>( of)?(.*?)</th><td>(.*?)</td></tr>', re.S)


def rows(html: str) -> dict[str, tuple[int, str]]:
    """{"curie" or "curie of": (number of values, the "also" note)} of a page's property tables."""
    out = {}
    for m in ROW.finditer(html):
        n = len(re.findall(r"<a |<span class=\"lit\"", m.group(4)))
        out[m.group(1) + (m.group(2) or "")] = (n, re.sub(r"<[^>]+>", "", m.group(3)))
    return out


@pytest.fixture(scope="module")
def site(real_build: Path) -> Path:
    return real_build / "site"


def test_trotsky_lists_each_value_once(site: Path) -> None:
    r = rows((site / "id/person/leon-trotsky.html").read_text())
    assert r["kgo:mentionedAt"] == (31, "also: prov:wasDerivedFrom")
    assert "prov:wasDerivedFrom" not in r                       # the 31 anchors are not repeated
    assert r["kgo:conceptOf of"] == (24, "also: prov:wasAttributedTo")
    assert "prov:wasAttributedTo of" not in r                   # nor the 24 concepts
    assert r["kgo:checkedBy"][1] == "also: skos:editorialNote"  # read from the ontology, not a list
    assert "skos:editorialNote" not in r


def test_fold_keeps_values_a_sub_property_does_not_cover() -> None:
    rows_ = {"sub": ["a", "b"], "super": ["a", "b", "c"], "other": ["a"]}
    assert fold(rows_, {"sub": frozenset({"super"})}) == [("sub", ["a", "b"], ["super"]), ("super", ["c"], []),
                                                          ("other", ["a"], [])]


@pytest.mark.parametrize("label", ["St~lin", "4arx", "l,1arx", "The Revolution n0tra~cd", "RakQvsky", "WOlfgang",
                                   "-[.J. Arthur", "~Iarxism", "revolu- tion", "Robert ~ichel"])
def test_ocr_debris_is_recognised(label: str) -> None:
    assert is_debris(label)


@pytest.mark.parametrize("label", ["Leon Trotsky", "C. J. Arthur", "Liu Shao-ch’i", "Capital, Volume III", "KPD",
                                   "The 'Professional Dangers' of Power (Rakovsky's letter to Valentinov)",
                                   "1960s", "forced labour (estranged labour)", "U.S.S.R."])
def test_clean_labels_are_not_debris(label: str) -> None:
    assert not is_debris(label)
    assert clean_label(["St~lin", label]) == label


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="aAbZé4 0-~|()[]_.,'’\n", max_size=14))
def test_debris_is_any_rule_of_the_list_and_unbalanced_brackets(text: str) -> None:
    """``is_debris`` searches the rules as one pattern and skips the bracket count without brackets:
    the same answer as each rule searched alone and the brackets counted."""
    depth, unbalanced = 0, False
    for ch in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(ch, 0)
        unbalanced = unbalanced or depth < 0
    expected = any(p.search(text) for p in terms._DEBRIS) or unbalanced or depth != 0
    assert is_debris(text) == expected


def test_no_page_heading_or_link_shows_debris(site: Path) -> None:
    """Every resource page's heading, and every link text of the person, concept and work pages."""
    bad = []
    curie = re.compile(r"^[a-z]+:\S+$")  # a resource without a clean label is shown by its CURIE
    for page in sorted((site / "id").rglob("*.html")):
        html = page.read_text()
        h1 = re.search(r"<h1>(.*?)</h1>", html).group(1)
        if is_debris(h1) and not curie.match(h1):
            bad.append(f"{page.relative_to(site)}: h1 {h1!r}")
    for kind in ("person", "concept", "work"):
        for page in sorted((site / "id" / kind).glob("*.html")):
            for text in re.findall(r"<a [^>]*>([^<]+)</a>", page.read_text()):
                if is_debris(text) and not curie.match(text):
                    bad.append(f"{page.relative_to(site)}: link {text!r}")
    assert not bad, bad[:10]
    # the anchor of "St~lin" is shown by its IRI, not by the quoted debris
    assert "“St~lin”" not in (site / "id/person/joseph-stalin.html").read_text()


def test_summary_block(site: Path) -> None:
    html = (site / "id/person/leon-trotsky.html").read_text()
    block = re.search(r'<section class="summary".*?</section>', html, re.S).group(0)
    assert html.index('class="summary"') < html.index('class="properties"')  # at the top
    text = re.sub(r"<[^>]+>", "", block)
    assert "Person" in text and "born 1879" in text and "died 1940" in text and "Wikidata" in text
    # named 31 times, by section (the counts add up)
    assert "named 31 times" in text
    counts = [int(n) for n in re.findall(r"</a> \((\d+)\)", re.search(r"named 31 times(.*?)</dd>", block, re.S).group(1))]
    assert sum(counts) == 31 and len(counts) == 4
    assert 'href="../section/arthur-revolution-betrayed-1.html">The Basis of the degeneration</a> (5)' in block
    # his claims and quotations, linked
    claims = re.search(r"<dt>Claims</dt>.*?</dd>", block, re.S).group(0)
    quotations = re.search(r"<dt>Quotations</dt>.*?</dd>", block, re.S).group(0)
    assert claims.count("<li>") == 33 and quotations.count("<li>") == 15  # schema:creator of 15 (the table)
    assert 'href="../claim/revolution-betrayed-not-superseded.html"' in claims
    assert re.search(r'State property is a historical necessity, a pupal stage</a> <small>held by, mentions</small>', claims)
    assert re.search(r'href="../quotation/trotsky-two-camps.html"[^>]*>[^<]*</a> <small>by</small>', quotations)
    concept = (site / "id/concept/bureaucracy.html").read_text()
    assert "named 46 times" in concept and "Concept" in concept
    work = (site / "id/work/the-revolution-betrayed.html").read_text()
    assert "published 1936" in work and "Marxists Internet Archive" in work
    assert 'class="summary"' not in (site / "id/claim/revolution-betrayed-not-superseded.html").read_text()


def test_landing_kinds_and_class_table_stay_local(site: Path) -> None:
    html = (site / "index.html").read_text()
    kinds = re.findall(r'<li><a href="kinds/([a-z]+)\.html">', html)
    assert "person" in kinds and "claim" in kinds
    assert "anchor" not in kinds and "dataset" not in kinds
    table = re.search(r'<table class="classes">.*?</table>', html, re.S).group(0)
    hrefs = re.findall(r'href="([^"]+)"', table)
    assert hrefs and all(h.startswith("classes/") for h in hrefs), hrefs[:3]
    assert all((site / h).is_file() for h in hrefs)
    person = (site / "classes/schema-Person.html").read_text()
    assert 'href="../id/person/leon-trotsky.html"' in person
    assert 'href="../ontology.html#Section"' in (site / "classes/kgo-Section.html").read_text()


def test_favicon_on_every_page_and_ontology_navigation(site: Path) -> None:
    icon = (site / "assets/favicon.svg").read_text()
    assert icon.startswith("<svg") and "<script" not in icon
    pages = [site / "index.html", site / "query.html", site / "ontology.html", site / "maps/argument.html",
             site / "read/arthur-revolution-betrayed.html", site / "id/person/leon-trotsky.html", site / "kinds/person.html"]
    for page in pages:
        html = page.read_text()
        m = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html)
        assert m, page
        assert (page.parent / m.group(1)).resolve() == (site / "assets/favicon.svg").resolve()
    onto = (site / "ontology.html").read_text()
    nav = re.search(r"<header class=\"site\">.*?</header>", onto, re.S).group(0)
    landing_nav = re.search(r"<header class=\"site\">.*?</header>", (site / "index.html").read_text(), re.S).group(0)
    assert nav == landing_nav
    assert 'href="./query.html">Query</a>' in nav
