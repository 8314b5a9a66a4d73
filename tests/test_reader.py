"""The reading edition: the reading order's coverage of source.txt, its errors, the reader page and
its links (static and served), the read-in-context back-links, and the Web Annotation and TEI
exports, on the mini essay (with a small reading order written here) and on the real essay."""
from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
import requests
from click.testing import CliRunner

from conftest import ROOT
from kg.cli import main
from kg.config import load_config
from kg.reading import ReadingOrderError, nest, Layer, parse_reading_order
from serverutil import running_server

ESSAY = "arthur-revolution-betrayed"
ESSAY_DIR = ROOT / "data" / "essays" / ESSAY
BASE = "https://w3id.org/arthur-kg/"
KGO = "https://w3id.org/arthur-kg/ontology#"
OA = "http://www.w3.org/ns/oa#"
TEI = "{http://www.tei-c.org/ns/1.0}"

MINI_ORDER = """# the mini essay's reading order
title 0-27 "‘The Revolution Betrayed’"
byline 27-40 "-[.J. Arthur"
fix "-[.J." "C. J."
p
  text 40-184 "In my view"
  text 184-229 "disagree."
p
  text 229-272 "The idea of"
"""


def _mini(project: Path, order: str = MINI_ORDER) -> Path:
    (project / "data" / "essays" / "mini" / "reading-order.txt").write_text(order, encoding="utf-8")
    return project


def _build(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--root", str(project), "-q", "build"])
    return result.exit_code, result.output


# --- the reading order's checks -------------------------------------------------------------------

def test_a_gap_is_named_with_its_offsets_and_exits_2(project: Path) -> None:
    order = MINI_ORDER.replace('text 184-229 "disagree."', 'text 190-229 "ee. “The pupa"')
    code, out = _build(_mini(project, order))
    assert code == 2
    assert "reading-order.txt: gap: characters 184-190 ('disagr') belong to no span" in out
    assert "Traceback" not in out
    assert not (project / "output").exists()  # nothing was published


def test_an_overlap_is_named_with_its_offsets_and_lines(project: Path) -> None:
    order = MINI_ORDER.replace('text 184-229 "disagree."', 'text 180-229 "ics\\ndisagree."')
    code, out = _build(_mini(project, order))
    assert code == 2
    assert "reading-order.txt: overlap: characters 180-184 are in the spans of lines 6 and 7" in out


def test_a_wrong_start_text_names_the_line(project: Path) -> None:
    order = MINI_ORDER.replace('text 229-272 "The idea of"', 'text 229-272 "The ideal"')
    code, out = _build(_mini(project, order))
    assert code == 2
    assert "reading-order.txt:9: span 229-272 starts with 'The idea of ' in the text, not 'The ideal'" in out


def test_a_marker_without_its_note_and_a_bad_line_are_named() -> None:
    text = (ROOT / "tests/fixtures/mini/data/essays/mini/source.txt").read_text(encoding="utf-8")
    order = MINI_ORDER + 'marker 3 225-228 "(3)"\nparagraph\n'
    with pytest.raises(ReadingOrderError) as exc:
        parse_reading_order(order, text, Path("x/reading-order.txt"))
    assert exc.value.problems == [
        "x/reading-order.txt:11: cannot read 'paragraph' (expected p, section SLUG, note N|?, title|byline|heading|"
        "text|skip START-END \"start text\", marker N START-END \"…\", or fix \"printed\" \"corrected\")"]
    with pytest.raises(ReadingOrderError) as exc:
        parse_reading_order(MINI_ORDER + 'marker 3 225-228 "(3)"\n', text, Path("x/reading-order.txt"))
    assert exc.value.problems == ["x/reading-order.txt:10: marker of note 3, but no `note 3`"]


def test_nest_splits_a_crossing_interval() -> None:
    tree = nest(0, 10, [Layer(0, 6, 0, "a"), Layer(4, 9, 1, "b")])
    assert tree == [(Layer(0, 6, 0, "a"), [("text", 0, 4), (Layer(4, 6, 1, "b"), [("text", 4, 6)])]),
                    (Layer(6, 9, 1, "b", 1), [("text", 6, 9)]), ("text", 9, 10)]


# --- the mini essay with a reading order -----------------------------------------------------------

@pytest.fixture(scope="module")
def mini_read(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import make_project
    from kg.pipeline import build

    root = _mini(make_project(tmp_path_factory.mktemp("read") / "project"))
    build(load_config(root))
    return root / "output"


def test_mini_reader_shows_corrections_and_links_every_anchor(mini_read: Path) -> None:
    html = (mini_read / "site" / "read" / "mini.html").read_text(encoding="utf-8")
    # the byline's OCR fix: the corrected reading shown, the printed one kept for the switch
    assert '<span class="fix"><span class="c">C. J.</span><span class="d">-[.J.</span></span>' in html
    g = rdflib.Graph().parse(mini_read / "dataset.nt")
    anchors = {(int(s), int(e)) for s, e in g.query(
        "SELECT ?s ?e WHERE { ?r ?p ?a . VALUES ?p { <%smentionedAt> <%sevidencedAt> } "
        "?a <%shasSelector> ?x . ?x <%sstart> ?s ; <%send> ?e }" % (KGO, KGO, OA, OA, OA))}
    assert len(anchors) == 10
    for s, e in anchors:
        assert f'id="a-{s}-{e}"' in html, (s, e)
    # a mention is a link; a claim's passage a mark opened by a link with the stance badge
    assert ('<a class="hl hl-person" id="a-148-155" href="../id/person/leon-trotsky.html" '
            'title="person: Leon Trotsky"') in html
    assert ('<mark class="hl-claim" id="a-117-146" data-iri="https://w3id.org/arthur-kg/id/claim/still-not-superseded">'
            '<a class="tag tag-claim" href="../id/claim/still-not-superseded.html"') in html
    assert '<span class="stance stance-endorses" title="the author endorses it">✓</span>claim</a>' in html
    # two paragraphs, in reading order, with their corrected text in the graph
    texts = {int(n): str(t) for n, t in g.query(
        "SELECT ?n ?t WHERE { ?p a <%sParagraph> ; <https://schema.org/position> ?n ; <https://schema.org/text> ?t }" % KGO)}
    assert sorted(texts) == [1, 2]
    assert texts[2] == "The idea of a Workers’ State is ambiguous."
    assert texts[1].endswith("“The pupa is not a butterfly.” (3)")
    fixed = set(g.objects(None, rdflib.URIRef(KGO + "correctedText")))
    assert fixed == {rdflib.Literal("C. J. Arthur\n")}


def test_mini_exports_are_repeatable(mini_read: Path) -> None:
    from kg.pipeline import validate_corpus
    from kg.publish.exports import exports

    root = mini_read.parent
    dataset, _report, _files = validate_corpus(load_config(root))
    first = exports(dataset, dataset.config)
    assert sorted(first) == ["annotations.jsonld", "essay.tei.xml"]
    assert exports(dataset, dataset.config) == first
    assert (mini_read / "essay.tei.xml").read_bytes() == first["essay.tei.xml"]


# --- the real essay ------------------------------------------------------------------------------

def test_reading_order_covers_the_text_exactly_once() -> None:
    text = (ESSAY_DIR / "source.txt").read_text(encoding="utf-8")
    order = parse_reading_order((ESSAY_DIR / "reading-order.txt").read_text(encoding="utf-8"), text,
                                ESSAY_DIR / "reading-order.txt")
    count = [0] * len(text)
    for p in [*order.pieces(), *order.skips]:
        for i in range(p.start, p.end):
            count[i] += 1
    assert len(text) == 51546
    assert set(count) == {1}
    assert len(order.sections) == 4 and len(order.paragraphs) > 50


@pytest.fixture(scope="module")
def real_graph(real_build: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(real_build / "dataset.nt")


def _anchors(g: rdflib.Graph) -> set[tuple[str, int, int, str]]:
    return {(str(r), int(s), int(e), str(x)) for r, s, e, x in g.query(
        "SELECT ?r ?s ?e ?x WHERE { ?r ?p ?a . VALUES ?p { <%smentionedAt> <%sevidencedAt> } "
        "?a <%shasSelector> ?sel , ?q . ?sel <%sstart> ?s ; <%send> ?e . ?q <%sexact> ?x }" % (KGO, KGO, OA, OA, OA, OA))}


def test_every_anchor_is_in_the_text_and_a_link_in_the_reader(real_build: Path, real_graph: rdflib.Graph) -> None:
    html = (real_build / "site" / "read" / f"{ESSAY}.html").read_text(encoding="utf-8")
    spans = sorted((int(s), int(e)) for s, e in real_graph.query(
        "SELECT ?s ?e WHERE { ?t a <%sTextSpan> ; <%shasSelector> ?x . ?x <%sstart> ?s ; <%send> ?e }" % (KGO, OA, OA, OA)))
    anchors = _anchors(real_graph)
    assert len({(s, e) for _r, s, e, _x in anchors}) > 600
    outside = [(r, s, e) for r, s, e, _x in anchors if not any(a <= s < b for a, b in spans)]
    assert not outside, outside[:5]
    # every anchor's first piece carries its id and links to its resource's page
    links = re.findall(r'<(?:a|mark) class="[^"]*"(?: id="(a-\d+-\d+)")?[^>]*data-iri="([^"]+)"', html)
    ids = {i for i, _iri in links if i}
    linked = set(re.findall(r'href="\.\./id/([^"]+)\.html"[^>]*data-iri="([^"]+)"', html))
    linked_iris = {iri for _path, iri in linked}
    for r, s, e, _x in anchors:
        assert f"a-{s}-{e}" in ids, (r, s, e)
        assert r in linked_iris, r


def test_reader_links_resolve_on_the_static_site(real_build: Path) -> None:
    site = real_build / "site"
    page = site / "read" / f"{ESSAY}.html"
    html = page.read_text(encoding="utf-8")
    ids = set(re.findall(r'id="([^"]+)"', html))
    hrefs = set(re.findall(r'href="([^"]+)"', html))
    assert len(hrefs) > 200
    broken = []
    for href in hrefs:
        if href.startswith("#"):
            if href[1:] not in ids:
                broken.append(href)
            continue
        path = href.split("#", 1)[0]
        if "://" in path or path.startswith("../dumps/"):
            continue
        if not (page.parent / path).resolve().is_file():
            broken.append(href)
    assert not broken, broken[:10]


def test_reader_is_linked_from_landing_essay_page_and_navigation(real_build: Path) -> None:
    site = real_build / "site"
    assert f'href="read/{ESSAY}.html"' in (site / "index.html").read_text(encoding="utf-8")
    assert f'href="../../read/{ESSAY}.html"' in (site / "id" / "essay" / f"{ESSAY}.html").read_text(encoding="utf-8")
    assert 'href="../../read/index.html">Read</a>' in (site / "id" / "person" / "leon-trotsky.html").read_text(encoding="utf-8")


def test_read_in_context_links_point_at_rendered_passages(real_build: Path) -> None:
    site = real_build / "site"
    reader = (site / "read" / f"{ESSAY}.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'id="([at]-\d+-\d+)"', reader))
    checked = {"claim": 0, "quotation": 0, "span": 0}
    for kind in checked:
        pages = sorted((site / "id" / kind).rglob("*.html"))
        for page in pages:
            html = page.read_text(encoding="utf-8")
            for frag in re.findall(rf'href="(?:\.\./)+read/{ESSAY}\.html#([at]-\d+-\d+)">read in context', html):
                assert frag in ids, (page.name, frag)
                checked[kind] += 1
    assert checked["claim"] >= 110 and checked["quotation"] >= 40
    assert checked["span"] == len(list((site / "id" / "span" / ESSAY).glob("*.html")))


def test_reader_is_served(real_build: Path) -> None:
    static = (real_build / "site" / "read" / f"{ESSAY}.html").read_bytes()
    with running_server(ROOT, real_build) as url:
        r = requests.get(f"{url}/read/{ESSAY}", timeout=30)
        assert r.status_code == 200 and r.content == static
        assert r.headers["content-type"].startswith("text/html")
        missing = requests.get(f"{url}/read/no-such-essay", timeout=30)
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
        # every link of the reader resolves on the server too
        session = requests.Session()
        bad = []
        for href in sorted(set(re.findall(r'href="([^"#]+)', static.decode("utf-8")))):
            if "://" in href:
                continue
            target = requests.compat.urljoin(f"{url}/read/{ESSAY}", href)
            if session.get(target, timeout=30).status_code != 200:
                bad.append(href)
        assert not bad, bad[:10]


def test_annotations_parse_and_select_the_graphs_anchors(real_build: Path, real_graph: rdflib.Graph) -> None:
    doc = json.loads((real_build / "annotations.jsonld").read_text(encoding="utf-8"))
    g = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    ns = rdflib.Namespace(OA)
    rows = set()
    for a in g.subjects(rdflib.RDF.type, ns.Annotation):
        target = g.value(a, ns.hasTarget)
        sels = list(g.objects(target, ns.hasSelector))
        pos = next(s for s in sels if (s, rdflib.RDF.type, ns.TextPositionSelector) in g)
        quote = next(s for s in sels if (s, rdflib.RDF.type, ns.TextQuoteSelector) in g)
        rows.add((str(g.value(a, ns.hasBody)), int(g.value(pos, ns.start)), int(g.value(pos, ns.end)),
                  str(g.value(quote, ns.exact))))
    assert rows == _anchors(real_graph)
    text = (ESSAY_DIR / "source.txt").read_text(encoding="utf-8")
    assert all(text[s:e] == x for _b, s, e, x in rows)
    collection = doc["@graph"][0]
    assert collection["type"] == "AnnotationCollection" and collection["total"] == len(rows)
    pages = doc["@graph"][1:]
    assert sum(len(p["items"]) for p in pages) == len(rows) and all(len(p["items"]) <= 200 for p in pages)
    assert set(g.objects(rdflib.URIRef(collection["id"]), rdflib.RDF.type)) == {
        rdflib.URIRef("http://www.w3.org/ns/activitystreams#OrderedCollection")}


def test_tei_is_well_formed_and_every_ref_is_a_resource(real_build: Path, real_graph: rdflib.Graph) -> None:
    root = ET.parse(real_build / "essay.tei.xml").getroot()
    assert root.tag == TEI + "TEI"
    assert root.find(f"{TEI}teiHeader/{TEI}fileDesc/{TEI}titleStmt/{TEI}title").text == "'The Revolution Betrayed'"
    refs = [el.get("ref") for el in root.iter() if el.get("ref")]
    subjects = set(map(str, real_graph.subjects()))
    assert len(refs) > 600
    assert not [r for r in refs if r not in subjects]
    kinds = {el.tag[len(TEI):] for el in root.iter() if el.get("ref")}
    assert {"persName", "orgName", "placeName", "title", "term", "quote", "seg"} <= kinds
    paragraphs = root.findall(f".//{TEI}body//{TEI}p")
    n = len(list(real_graph.subjects(rdflib.RDF.type, rdflib.URIRef(KGO + "Paragraph"))))
    assert len(paragraphs) == n
    notes = root.findall(f".//{TEI}back//{TEI}note")
    assert len(notes) == len(list(real_graph.subjects(rdflib.RDF.type, rdflib.URIRef(KGO + "Note")))) == 8
    ids = {n.get("{http://www.w3.org/XML/1998/namespace}id") for n in notes}
    markers = [el.get("target") for el in root.iter(f"{TEI}ref") if el.get("type") == "noteAnchor"]
    assert markers == ["#note-1", "#note-2", "#note-4", "#note-11"] and {m[1:] for m in markers} <= ids


def test_exports_are_in_void_with_size_and_sha256(real_build: Path) -> None:
    void = rdflib.Graph().parse(real_build / "void.ttl")
    for name in ("annotations.jsonld", "essay.tei.xml"):
        data = (real_build / name).read_bytes()
        rows = list(void.query(
            "SELECT ?size ?sum ?type WHERE { ?d <http://www.w3.org/ns/dcat#downloadURL> ?u ; "
            "<http://www.w3.org/ns/dcat#byteSize> ?size ; <http://spdx.org/rdf/terms#checksum> ?c ; "
            "<http://www.w3.org/ns/dcat#mediaType> ?type . ?c <http://spdx.org/rdf/terms#checksumValue> ?sum "
            "FILTER(STRENDS(STR(?u), '/%s')) }" % name))
        assert len(rows) == 1, name
        size, digest, media = rows[0]
        assert int(size) == len(data) and str(digest) == hashlib.sha256(data).hexdigest()
    assert str(media).endswith("application/tei+xml")


def test_a_skip_is_published_as_excluded_and_not_shown(project: Path) -> None:
    from kg.enrich.anchors import anchor_triples
    from kg.sources import load_essay

    order = MINI_ORDER.replace('byline 27-40 "-[.J. Arthur"\nfix "-[.J." "C. J."', 'skip 27-40 "-[.J. Arthur" page furniture')
    essay = load_essay(_mini(project, order) / "data" / "essays" / "mini")
    assert [(s.start, s.end, s.reason) for s in essay.reading.skips] == [(27, 40, "page furniture")]
    triples = anchor_triples(essay.graph, essay)
    span = rdflib.URIRef(BASE + "id/span/mini/27-40")
    assert (span, rdflib.RDF.type, rdflib.URIRef(KGO + "ExcludedSpan")) in triples
    assert (span, rdflib.URIRef(KGO + "exclusionReason"), rdflib.Literal("page furniture")) in triples
    assert not [t for t in triples if t[0] == span and str(t[1]) == "https://schema.org/isPartOf"]
    # the text spans are numbered in reading order, the skip is not among them
    positions = sorted((int(o), str(s)) for s, p, o in triples
                       if str(p) == "https://schema.org/position" and "/span/" in str(s))
    assert [s.rsplit("/", 1)[-1] for _n, s in positions] == ["0-27", "40-184", "184-229", "229-272"]


def test_a_corpus_gets_one_tei_file_per_essay_from_drafted_reading_orders(tmp_path: Path) -> None:
    """scripts/reading-order-draft gives a reading order that covers the text exactly once; with one
    for each of two essays, each gets its reader page and its own TEI file."""
    import subprocess
    import sys

    from conftest import make_project
    from kg.pipeline import build

    root = make_project(tmp_path / "project", "two-essays")
    essays = sorted(p.name for p in (root / "data" / "essays").iterdir() if p.is_dir())
    assert len(essays) == 2
    for essay in essays:
        folder = root / "data" / "essays" / essay
        draft = subprocess.run([sys.executable, str(ROOT / "scripts" / "reading-order-draft"), str(folder / "source.txt")],
                               capture_output=True, text=True, check=True).stdout
        (folder / "reading-order.txt").write_text(draft, encoding="utf-8")
    build(load_config(root))
    out = root / "output"
    assert sorted(p.name for p in out.glob("*.tei.xml")) == [f"essay-{e}.tei.xml" for e in essays]
    assert not (out / "essay.tei.xml").exists()
    for essay in essays:
        ET.parse(out / f"essay-{essay}.tei.xml")
        assert (out / "site" / "read" / f"{essay}.html").is_file()
    index = (out / "site" / "read" / "index.html").read_text(encoding="utf-8")
    assert [f"{e}.html" for e in essays] == re.findall(r'<li><a href="([^"]+)">', index)


def test_a_corpus_tei_files_look_the_index_up_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each essay's TEI needs its anchors, its source text and its essay node: looked up in one pass
    over the index for every essay (made per essay, three passes over the whole corpus each: quadratic
    in an archive); each file is the one ``tei`` makes alone."""
    import subprocess
    import sys

    import kg.publish.exports as exports_module
    from conftest import make_project
    from kg.pipeline import compile_dataset
    from kg.sources import load_sources

    root = make_project(tmp_path / "project", "two-essays")
    for folder in sorted(p for p in (root / "data" / "essays").iterdir() if p.is_dir()):
        draft = subprocess.run([sys.executable, str(ROOT / "scripts" / "reading-order-draft"), str(folder / "source.txt")],
                               capture_output=True, text=True, check=True).stdout
        (folder / "reading-order.txt").write_text(draft, encoding="utf-8")
    config = load_config(root)
    dataset = compile_dataset(load_sources(config), config)
    assert len(dataset.readings) == 2
    calls: list = []
    real = exports_module.anchors_by_essay
    monkeypatch.setattr(exports_module, "anchors_by_essay", lambda ix: calls.append(1) or real(ix))
    files = exports_module.exports(dataset, config)
    assert len(calls) == 1
    ix = exports_module._index(dataset.union, config)
    for essay_id, order in dataset.readings.items():
        alone = exports_module.tei(dataset.union, config, essay_id, order, ix)
        assert files[f"essay-{essay_id}.tei.xml"] == alone and b' ref="' in alone
    found = exports_module.TeiLookups(ix)
    assert sorted(found.sources) == sorted(found.essays) == sorted(dataset.readings)


def test_a_readers_heading_links_its_own_sections_page_only(mini_read: Path) -> None:
    """A heading's § link is the page of the section its ``section SLUG`` names, under the dataset's
    own IRIs (looked up, not searched): another dataset's ``…/section/SLUG`` is not linked, and with
    no such section of its own the heading has no link."""
    from kg.publish.pages import Renderer
    from kg.publish.reader import render_reader

    project = mini_read.parent
    text = (project / "data" / "essays" / "mini" / "source.txt").read_text(encoding="utf-8")
    order_text = MINI_ORDER.replace('p\n  text 229-272 "The idea of"', 'section mini-1\nheading 229-272 "The idea of"')
    order = parse_reading_order(order_text, text, Path("reading-order.txt"))
    graph = rdflib.Graph().parse(mini_read / "dataset.nt")
    graph.add((rdflib.URIRef("http://example.org/elsewhere/section/mini-1"), rdflib.RDFS.label, rdflib.Literal("not ours")))

    def links() -> list[str]:
        html = render_reader(Renderer([graph], load_config(project)), "mini", order, text, []).decode("utf-8")
        assert '<h2 id="h-mini-1"><span class="span" id="t-229-272">The idea of' in html
        return re.findall(r'class="section-link" href="([^"]+)"', html)

    assert links() == []
    graph.add((rdflib.URIRef(BASE + "id/section/mini-1"), rdflib.RDFS.label, rdflib.Literal("section 1")))
    assert links() == ["../id/section/mini-1.html"]


def test_the_real_readers_headings_link_their_sections(real_build: Path) -> None:
    html = (real_build / "site" / "read" / f"{ESSAY}.html").read_text(encoding="utf-8")
    assert re.findall(r'class="section-link" href="([^"]+)"', html) == [
        f"../id/section/{ESSAY}-{i}.html" for i in (1, 2, 3)]
