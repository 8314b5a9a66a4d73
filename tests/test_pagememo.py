"""The incremental build's pages (kg/publish/pagememo.py): after a change, a build with the cache links
the pages whose reads did not change from the last output and renders the others, and the output is
byte for byte a clean build's, for the changes a page's reads can see (a linked resource's label, a
new incoming link, a section's title, a setting); a changed or removed output file, or a damaged
record, is rendered again, never linked."""
from __future__ import annotations

import hashlib
import json
import marshal
import shutil
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

from kg.cache import CACHE_DIR, Cache
from kg.config import load_config
from kg.graphparts import GraphParts
from kg.pipeline import build
from kg.publish import pagememo
from kg.publish.writer import Stage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from buildutil import copy_project, pages_made, memoised_pages, same, tree
from corpus import generate

P = "https://w3id.org/arthur-kg/id/"


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("memo") / "project"
    generate(root, 5000, seed=1, link=False)
    build(load_config(root), cache=Cache.for_project(root))
    return root


def rebuild(warm: Path, tmp_path: Path, change) -> tuple[Path, dict, dict]:  # noqa: ANN001
    """``change(root)`` on a copy of the warm project, then a build with its cache and a clean one:
    (the project, the incremental output, the clean output)."""
    root = tmp_path / "project"
    copy_project(warm, root)
    change(root)
    build(load_config(root), cache=Cache.for_project(root))
    build(load_config(root), output=tmp_path / "clean")
    return root, tree(root / "output"), tree(tmp_path / "clean")


def replace_all(root: Path, glob: str, old: str, new: str) -> int:
    n = 0
    for path in sorted(root.glob(glob)):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new), encoding="utf-8")
            n += 1
    return n


def test_a_linked_resource_relabelled_renders_the_pages_that_show_its_label(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        assert replace_all(root, "data/essays/*/persons.ttl", 'rdfs:label "Kibax Nebabax"@en',
                           'rdfs:label "Kibax Nebabax the Elder"@en') >= 1
    root, inc, clean = rebuild(warm, tmp_path, change)
    kept, rendered = pages_made(root)
    assert kept + rendered == memoised_pages(inc) and 0 < rendered < kept
    linking = [n for n, b in inc.items() if n.startswith("site/id/") and n.endswith(".html") and b"the Elder" in b]
    assert len(linking) > 1 and len(linking) <= rendered  # its own page and every page that links it
    same(inc, clean)


def test_a_resource_added_renders_the_lists_it_is_on_and_keeps_the_others(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        persons = root / "data/essays/essay-00000/persons.ttl"
        persons.write_text(persons.read_text(encoding="utf-8") + """
person:p-added a schema:Person , foaf:Person ;
    rdfs:label "Zedekiah Newcomer"@en ;
    schema:name "Zedekiah Newcomer" ;
    kgo:roleInEssay kgo:mentioned ;
    kgo:mention "Kibax Nebabax" .
""", encoding="utf-8")
    root, inc, clean = rebuild(warm, tmp_path, change)
    for listing in ("site/kinds/person.html", "site/classes/schema-Person.html", "site/search-index.json"):
        assert b"Zedekiah Newcomer" in inc[listing], listing
        assert b"Zedekiah Newcomer" not in (warm / "output" / listing).read_bytes()
    # a list the new person is not on: the last output's very file (a hard link), not rendered again

    def inode(tree: Path, name: str) -> int:
        return (tree / "output" / name).stat().st_ino
    assert inode(root, "site/kinds/work.html") == inode(warm, "site/kinds/work.html")
    assert inode(root, "site/classes/fabio-Book.html") == inode(warm, "site/classes/fabio-Book.html")
    assert inode(root, "site/kinds/person.html") != inode(warm, "site/kinds/person.html")
    same(inc, clean)


def test_a_new_incoming_link_renders_its_target_page(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        essay = root / "data/essays/essay-00000/essay.ttl"
        essay.write_text(essay.read_text(encoding="utf-8")
                         + "\nessay:essay-00000 cito:cites work:w-14 .\n", encoding="utf-8")
    root, inc, clean = rebuild(warm, tmp_path, change)
    page = inc["site/id/work/w-14.html"].decode("utf-8")
    assert "On the Bobabax Question" in page  # the new incoming link, shown on the target's page
    assert 0 < pages_made(root)[1] < pages_made(root)[0]
    same(inc, clean)
    # the essay's statements changed, and the work's incoming links, not its statements: the pages that
    # show the work's label (read its statements, not its incoming links) are kept without valuing
    # their reads, as is every page kept (a page that reads the essay's statements reads a new value)
    essay, work = URIRef(f"{P}essay/essay-00000"), URIRef(f"{P}work/w-14")
    docs = [Cache.for_project(root).get(pagememo.KIND, pagememo.entry_name(k, 2)) for k in range(2)]
    showing_work = sum(1 for doc in docs for rec in doc["pages"].values()
                       if ("O", work) in (reads := {pagememo._decode_key(doc["keys"][i]) for i in pagememo.numbers(rec[0])})
                       and not reads & {("O", essay), ("I", work)})
    assert showing_work > 5
    kept, unvalued = (sum(d[f] for d in docs) for f in ("kept", "unvalued"))
    assert kept > 10 * showing_work and unvalued == kept


@pytest.mark.parametrize("recorded", [True, False], ids=["values recorded", "no values recorded"])
def test_a_relabelled_persons_lists_value_only_the_reads_of_what_changed(warm: Path, tmp_path: Path,
                                                                         recorded: bool) -> None:
    """A person relabelled: the search index lists every resource (it reads each one's statements),
    and it and the other lists that show the label are rendered again. With each read's value recorded (the entries'
    ``digests``), deciding that and fingerprinting the lists again values only the reads of the nodes
    that changed; an entry without them (zeros) has every read of those pages valued, as before."""
    def change(root: Path) -> None:
        assert replace_all(root, "data/essays/*/persons.ttl", 'rdfs:label "Kibax Nebabax"@en',
                           'rdfs:label "Kibax Nebabax the Elder"@en') >= 1
        if not recorded:
            cache = Cache.for_project(root)
            for k in range(2):
                doc = cache.get(pagememo.KIND, pagememo.entry_name(k, 2))
                doc["digests"] = bytes(len(doc["digests"]))
                cache.put(pagememo.KIND, pagememo.entry_name(k, 2), doc)
    before = [Cache.for_project(warm).get(pagememo.KIND, pagememo.entry_name(k, 2)) for k in range(2)]
    listing = next(pagememo.numbers(rec[0]) for doc in before for node, rec in doc["pages"].items() if node == " all")
    root, inc, clean = rebuild(warm, tmp_path, change)
    same(inc, clean)
    assert b"the Elder" in inc["site/kinds/person.html"]
    docs = [Cache.for_project(root).get(pagememo.KIND, pagememo.entry_name(k, 2)) for k in range(2)]
    valued = sum(d["valued"] for d in docs)
    assert len(listing) > 100  # the search index reads every resource's statements
    if recorded:
        assert 0 < valued < len(listing) // 3, valued  # 20 here
        # the new entries record every read of the pages rendered again
        for doc in docs:
            rendered = {i for node, rec in doc["pages"].items() if node in (" kind:person", " all") for i in pagememo.numbers(rec[0])}
            assert all(doc["digests"][i * 16:(i + 1) * 16] != bytes(16) for i in rendered)
    else:
        assert valued > 10 * len(listing), valued  # 3,147 here


def test_a_section_retitled_renders_the_summaries_that_name_it(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        assert replace_all(root, "data/essays/essay-00000/essay.ttl", 'dcterms:title "By labour and at process 1.',
                           'dcterms:title "Retitled: by labour and at process 1.') == 1
    root, inc, clean = rebuild(warm, tmp_path, change)
    assert pages_made(root)[1] > 0
    same(inc, clean)


def test_a_changed_setting_renders_every_page(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        assert replace_all(root, "kg.toml", 'title = "A synthetic journal archive (benchmark corpus)"',
                           'title = "A synthetic journal archive, renamed"') == 1
    root, inc, clean = rebuild(warm, tmp_path, change)
    assert pages_made(root) == (0, memoised_pages(inc))
    same(inc, clean)


def test_an_output_file_changed_by_hand_is_rendered_again(warm: Path, tmp_path: Path) -> None:
    page = "output/site/id/work/w-14.html"
    description = "output/site/id/person/p-3.ttl"

    def change(root: Path) -> None:
        (root / page).unlink()  # a link to the file in the warm project: replaced, not written through
        (root / page).write_bytes(b"<p>changed by hand</p>")
        (root / description).unlink()
    root, inc, clean = rebuild(warm, tmp_path, change)
    assert pages_made(root) == (memoised_pages(inc) - 2, 2)
    same(inc, clean)


def test_a_damaged_or_foreign_record_is_ignored(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        entries = sorted((root / CACHE_DIR / "pages").rglob("*.marshal"))
        assert len(entries) == 2
        raw = bytearray(entries[0].read_bytes())
        raw[-30] ^= 1
        entries[0].write_bytes(bytes(raw))                       # a bit flipped: the checksum fails
        head, _, body = entries[1].read_bytes().partition(b"\n")
        doc = marshal.loads(body)
        for rec in doc["value"]["pages"].values():
            rec[1] = "0" * 32                                    # fingerprints that match nothing,
        del doc["value"]["graph"]                                # and no graph to find the changes in
        body = marshal.dumps(doc)
        import hashlib
        entries[1].write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    root, inc, clean = rebuild(warm, tmp_path, change)
    assert pages_made(root) == (0, memoised_pages(inc))
    same(inc, clean)


def test_a_record_whose_files_are_not_packed_is_ignored(warm: Path, tmp_path: Path) -> None:
    """An entry of this format whose pages' files are not ``pack_files``' pair (here the dictionary
    the format before kept, or a pair whose bytes are one record short) has no page to keep: each
    is rendered again, and the site is a clean build's."""
    def change(root: Path) -> None:
        for k, entry in enumerate(sorted((root / CACHE_DIR / "pages").rglob("*.marshal"))):
            doc = marshal.loads(entry.read_bytes().partition(b"\n")[2])
            for rec in doc["value"]["pages"].values():
                rec[2] = pagememo.unpack_files(rec[2]) if k == 0 else [rec[2][0], rec[2][1][:-56]]
            body = marshal.dumps(doc)
            entry.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    root, inc, clean = rebuild(warm, tmp_path, change)
    assert pages_made(root) == (0, memoised_pages(inc))
    same(inc, clean)


def test_no_cache_writes_no_record(warm: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    copy_project(warm, root)
    shutil.rmtree(root / CACHE_DIR)
    build(load_config(root))
    assert not (root / CACHE_DIR).exists()


# ------------------------------------------------------------------ the parts

def test_terms_are_self_delimiting() -> None:
    terms = [URIRef("a"), URIRef("ab"), Literal("a"), Literal("a", lang="en"), Literal("a", datatype=URIRef("x")),
             BNode("a"), Literal("1u1:a"), URIRef("1:a"), Literal("")]
    texts = [pagememo.term_text(t) for t in terms]
    assert len(set(texts)) == len(terms)
    pairs = {pagememo.term_text(a) + pagememo.term_text(b) for a in terms for b in terms}
    assert len(pairs) == len(terms) ** 2


def test_a_read_survives_its_record() -> None:
    for key in [("O", URIRef(P + "person/p-3")), ("I", BNode("x")), ("R", "essay-00000"), ("S", "essay-00001"),
                ("L", "kind:person"), ("L", "class:https://schema.org/Person"), ("L", "all")]:
        assert pagememo._decode_key(json.loads(json.dumps(pagememo._encode_key(key)))) == key
    for bad in (["X", "u", "a"], ["O", "q", "a"], ["O", "u", 5]):
        with pytest.raises(ValueError):
            pagememo._decode_key(bad)


def test_an_entry_of_another_code_version_is_read_once_and_not_kept(tmp_path: Path) -> None:
    """After a change of the code every page process reads every share's entry, finds it another
    version's and renders its pages: the parsed entries (hundreds of megabytes each at 1 M) are dropped."""
    from types import SimpleNamespace

    cache = Cache(tmp_path / "cache")
    stale = {"format": pagememo.FORMAT, "shared": "another", "keys": [], "pages": {P + "person/p-3": [[], "0", {}]}}
    usable = {"format": pagememo.FORMAT, "shared": "this", "keys": [], "pages": {P + "person/p-4": [[], "0", {}]}}
    cache.put(pagememo.KIND, pagememo.entry_name(0, 2), stale)
    cache.put(pagememo.KIND, pagememo.entry_name(1, 2), usable)
    previous = pagememo.Previous(cache, 2)
    memo = pagememo.PageMemo(SimpleNamespace(ix=None), "this", previous, own=0)
    assert previous._docs == {"share-0-of-2": None, "share-1-of-2": usable}
    assert memo.previous(URIRef(P + "person/p-3")) is None  # the stale entry's page: rendered again
    assert cache.hits[pagememo.KIND] == 2  # each entry read once


def test_the_shared_key_follows_the_settings_and_the_ontology(tmp_path: Path) -> None:
    root = tmp_path / "p"
    generate(root, 2000, seed=1, link=False)
    config = load_config(root)
    a = pagememo.shared_key(config, {})
    assert pagememo.shared_key(config, {}) == a
    assert pagememo.shared_key(config, {URIRef("p"): frozenset({URIRef("q")})}) != a
    (root / "kg.toml").write_text((root / "kg.toml").read_text().replace("A synthetic", "Another"))
    assert pagememo.shared_key(load_config(root), {}) != a


def test_the_shared_key_follows_the_templates_but_not_their_compiled_code(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # the template cache writes kg/templates/__pycache__/ while the first build renders: counting it
    # made the next build render every page again
    templates = tmp_path / "templates"
    shutil.copytree(pagememo.TEMPLATES, templates, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(pagememo, "TEMPLATES", templates)
    root = tmp_path / "p"
    generate(root, 200, seed=1, link=False)
    config = load_config(root)
    a = pagememo.shared_key(config, {})
    (templates / "__pycache__").mkdir()
    (templates / "__pycache__" / "0b6c.jinja").write_bytes(b"compiled")
    (templates / "assets" / "__pycache__").mkdir()
    (templates / "assets" / "__pycache__" / "x").write_bytes(b"x")
    assert pagememo.shared_key(config, {}) == a
    assert [p.relative_to(templates).parts[0] for p in pagememo.template_sources(templates)].count("__pycache__") == 0
    assert not any("__pycache__" in p.relative_to(templates).parts for p in pagememo.template_sources(templates))
    page = templates / "404.html"
    page.write_text(page.read_text() + " ")
    assert pagememo.shared_key(config, {}) != a
    (templates / "assets" / "extra.css").write_text("p{}")
    b = pagememo.shared_key(config, {})
    (templates / "assets" / "extra.css").write_text("p{ }")
    assert pagememo.shared_key(config, {}) != b


#: ``Stage.keep`` of one file, and the same through ``Stage.keep_all`` (a page's files in one call)
KEEPS = {"keep": lambda stage, rel, rec: stage.keep(rel, *rec),
         "keep_all": lambda stage, rel, rec: stage.keep_all({rel: rec})}


@pytest.mark.parametrize("how", sorted(KEEPS))
def test_stage_keep_links_only_the_file_the_last_build_wrote(tmp_path: Path, how: str) -> None:
    import hashlib
    import os
    keep = KEEPS[how]
    out = tmp_path / "output"
    first = Stage(out, digests=True)
    first.put("a.html", b"old page")
    first.put("b.html", b"other")
    first.put("c.html", b"third")
    a, b, c = first.written("a.html"), first.written("b.html"), first.written("c.html")
    assert a[:2] == [hashlib.sha256(b"old page").hexdigest(), 8] and first.written("zz.html") is None
    first.commit()
    (out / "b.html").write_bytes(b"Other")                  # changed in place: same size, another time
    os.utime(out / "b.html", ns=(b[2], b[2] + 1000))
    (out / "c.html").unlink()
    (out / "c.html").write_bytes(b"third")                  # the same bytes, but another file
    stage = Stage(out, digests=True)
    assert keep(stage, "a.html", a) is True
    assert (stage.dir / "a.html").stat().st_ino == (out / "a.html").stat().st_ino
    assert stage.digests == {"a.html": a[0]} and "a.html" in stage
    assert keep(stage, "a.html", a) is False                # put already
    assert keep(stage, "b.html", b) is False and not (stage.dir / "b.html").exists()
    assert keep(stage, "c.html", c) is False
    assert keep(stage, "d.html", a) is False                # no such file
    stage.discard()
    (out / "a.html").chmod(0o600)
    stage = Stage(out, digests=True)
    assert keep(stage, "a.html", a) is False                # another mode than a new file gets
    stage.discard()


# ------------------------------------------------------------------ sound against any change of the graph

class _Output:
    """A stage stand-in for ``render_site``: ``keep`` takes a file of the last output if its digest is the
    recorded one (as ``Stage.keep``), ``digest`` gives a put file's."""

    def __init__(self, last: dict[str, bytes] | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.last = last or {}

    def __setitem__(self, rel: str, data: bytes) -> None:
        self.files[rel] = data

    def update(self, files: dict) -> None:
        self.files.update(files)

    def keep(self, rel: str, sha: str, size: int, _mtime: int, _inode: int) -> bool:
        import hashlib
        data = self.last.get(rel)
        if data is None or hashlib.sha256(data).hexdigest() != sha or len(data) != size:
            return False
        self.files[rel] = data
        return True

    def keep_all(self, files: dict) -> bool:
        return all(self.keep(rel, *f) for rel, f in files.items())

    def written(self, rel: str) -> list:
        import hashlib
        return [hashlib.sha256(self.files[rel]).hexdigest(), len(self.files[rel]), 0, 0]


#: the memoised pages: the resources' and the pages listing them (kinds, classes, the search index)
MEMOISED = ("id/", "kinds/", "classes/", "search")


#: how many parts ``_parts`` cuts a graph into (by its subjects), like a corpus's essays
PARTS = 5


def _parts(graph, meta, known: dict) -> GraphParts:  # noqa: ANN001
    """``graph`` as parts, each the statements of the subjects a checksum of their IRI puts in it,
    under a digest of its triples (``known`` keeps every key's triples: the earlier graphs' too), and
    ``meta`` as the rest."""
    import zlib

    from kg.cache import digest
    from kg.publish.serialize import nt_lines
    split: dict = {f"part-{i}": [] for i in range(PARTS)}
    for t in graph:
        split[f"part-{zlib.crc32(str(t[0]).encode()) % PARTS}"].append(t)
    keys = {}
    for name, triples in split.items():
        keys[name] = digest(*sorted(nt_lines(triples)))
        known[keys[name]] = triples
    return GraphParts(keys, split.__getitem__, known.get, list(meta))


def _render(graph, config, readings, save=None, previous=None, last=None, known=None, described=()):  # noqa: ANN001, ANN202
    """The memoised pages of ``graph`` (with a memo: saving its records in the cache ``save``, reusing
    ``previous``'s pages found in ``last``); a class page for every type of the graph. With ``known``
    (a dict), the memo is given the graph in parts (``_parts``), as a build gives it the essays;
    ``described``: statements the description adds (the rest of the parts)."""
    from rdflib import Graph
    from rdflib.namespace import RDF, VOID

    from kg.publish.pages import Index, Prepared, render_site
    meta = Graph()
    for i, cls in enumerate(sorted(set(graph.objects(None, RDF.type)), key=str)):
        part = URIRef(f"{P}dataset/part-{i}")
        meta.add((URIRef(f"{P}dataset"), VOID.classPartition, part))
        meta.add((part, VOID["class"], cls))
    for t in described:
        meta.add(t)
    index = Index([graph, meta], config.base_iri + "id/")
    out = _Output(last)
    parts = _parts(graph, meta, known) if known is not None else None
    render_site(graph, meta, config, readings=readings, into=out, prepared=Prepared(index, save, previous, parts))
    return {k: v for k, v in out.files.items() if k.startswith(MEMOISED)}


def _mutations(graph, seed: int, n: int) -> list:  # noqa: ANN001
    """``n`` changes of the graph, each (removed triples, added triples): a literal changed (a label, a
    title, a text, an offset), a statement removed, a link added between two resources, a resource
    added (a kind's, a class's and the search's lists grow), a type added to a resource."""
    import random

    from rdflib.namespace import RDF, XSD

    from rdflib.namespace import RDFS

    from kg.namespaces import OA
    rng = random.Random(seed)
    triples = sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    local = sorted({t[0] for t in triples if isinstance(t[0], URIRef) and str(t[0]).startswith(P)}, key=str)
    links = sorted({t[1] for t in triples if isinstance(t[2], URIRef) and t[1] != RDF.type}, key=str)
    classes = sorted({t[2] for t in triples if t[1] == RDF.type}, key=str)
    out = []
    while len(out) < n:
        kind = rng.choice(("literal", "remove", "link", "new", "type"))
        s, p, o = rng.choice(triples)
        if kind == "literal" and isinstance(o, Literal):
            if o.datatype in (XSD.integer, XSD.nonNegativeInteger) and o.value is not None:
                new = Literal(o.value + rng.choice((-3, 1, 7)), datatype=o.datatype)
            else:
                new = Literal(str(o) + " (changed)", lang=o.language, datatype=o.datatype)
            out.append(([(s, p, o)], [(s, p, new)]))
        elif kind == "remove" and p != RDF.type and not str(p).startswith(str(OA)):  # a passage needs its selector
            out.append(([(s, p, o)], []))
        elif kind == "link":
            out.append(([], [(rng.choice(local), rng.choice(links), rng.choice(local))]))
        elif kind == "new":  # beside a resource of the same kind (its folder), with its type and a label
            new = URIRef(f"{s.rsplit('/', 1)[0]}/added-{len(out)}") if s in local else URIRef(f"{P}person/added-{len(out)}")
            out.append(([], [(new, RDF.type, rng.choice(classes)), (new, RDFS.label, Literal(f"Added {len(out)}", lang="en"))]))
        elif kind == "type":
            out.append(([], [(rng.choice(local), RDF.type, rng.choice(classes))]))
    return out


def _section_moved(graph) -> tuple[list, list]:  # noqa: ANN001
    """The start of a section's heading moved 2,000 characters on: the mentions after it change section."""
    from rdflib.namespace import RDF

    from kg.namespaces import KGO, OA
    for section in sorted(graph.subjects(RDF.type, KGO.Section), key=str):
        for anchor in sorted(graph.objects(section, KGO.evidencedAt), key=str):
            for sel in sorted(graph.objects(anchor, OA.hasSelector), key=str):
                start = graph.value(sel, OA.start)
                if start is not None and int(start) > 0:
                    return [(sel, OA.start, start)], [(sel, OA.start, Literal(int(start) + 2000, datatype=start.datatype))]
    raise AssertionError("no section heading with an offset")


@pytest.mark.parametrize("parts", [False, True], ids=["valued", "in parts"])
@pytest.mark.parametrize("project", ["synthetic", "essay"])
def test_a_kept_page_is_the_page_rendered_again_after_any_change(project: str, parts: bool, tmp_path: Path) -> None:
    """Render every page with the memo; change the graph (random changes a page may or may not read, a
    section moved) or the reading orders; render again with the memo and without: every page the memo
    kept is byte for byte the page rendered afresh. A read the pages forget to record fails here. "In
    parts": the memo is given the graph in parts (``GraphParts``) and keeps most pages without valuing
    their reads; a node it forgets to count as changed fails here."""
    from kg.pipeline import compile_dataset
    from kg.sources import load_sources
    if project == "synthetic":
        root = tmp_path / "p"
        generate(root, 3000, seed=2, link=False)
        rounds = 4
    else:
        root = Path(__file__).resolve().parent.parent
        rounds = 1
    config = load_config(root)
    dataset = compile_dataset(load_sources(config), config)
    graph, readings = dataset.union, dataset.readings
    known = {} if parts else None
    first_cache = Cache(tmp_path / "cache-first")
    first = _render(graph, config, readings, save=first_cache, known=known)
    previous = pagememo.Previous(first_cache, 1)
    changes = [_mutations(graph, seed=7 + r, n=6) for r in range(rounds)] + [[_section_moved(graph)]]
    cases = [(c, readings, ()) for c in changes]
    if readings:  # an essay's reading order gone: its reader links go
        cases.append(([], {k: v for k, v in readings.items() if k != sorted(readings)[0]}, ()))
    # the description (not the data) gives a resource a comment, and another a link from the dataset
    from rdflib.namespace import RDFS
    local = sorted({s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(P)}, key=str)
    cases.append(([], readings, [(local[len(local) // 3], RDFS.comment, Literal("Described by the dataset")),
                                 (URIRef(f"{P}dataset"), RDFS.seeAlso, local[len(local) // 2])]))
    kept_somewhere = rendered_somewhere = unvalued_somewhere = 0
    for i, (change, reads, described) in enumerate(cases):
        changed = _changed(graph, change)
        fresh = _render(changed, config, reads, described=described)
        cache = Cache(tmp_path / f"cache-{i}")
        again = _render(changed, config, reads, save=cache, previous=previous, last=first, known=known,
                        described=described)
        assert sorted(again) == sorted(fresh), change
        differ = [k for k in fresh if again[k] != fresh[k]]
        assert not differ, (change, differ[:5])
        kept, rendered = _counts(cache)
        assert rendered > 0, change  # every case here changes some page
        kept_somewhere += kept
        rendered_somewhere += rendered
        unvalued = cache.get(pagememo.KIND, pagememo.entry_name(0, 1))["unvalued"]
        assert unvalued <= kept
        unvalued_somewhere += unvalued
    assert kept_somewhere > 0
    # in parts, most kept pages are found unchanged without valuing their reads; else none is
    assert unvalued_somewhere > kept_somewhere // 2 if parts else unvalued_somewhere == 0


def _changed(graph, change):  # noqa: ANN001, ANN202
    """A copy of ``graph`` with ``change`` (removed triples, added triples) made."""
    out = graph.__class__()
    out += graph
    for removed, added in change:
        for t in removed:
            out.remove(t)
        for t in added:
            out.add(t)
    return out


def test_a_chain_of_builds_continues_the_table_and_keeps_only_true_pages(tmp_path: Path) -> None:
    """Build after build, each memo continuing the last one's: changes, a change reverted, a table
    that has grown past a quarter since it was numbered afresh, a record stored with lists for rows.
    Every page kept is the page rendered afresh; a page kept from the last entry keeps its reads'
    numbers while the table continues; a table grown past a quarter is numbered afresh."""
    import hashlib

    from kg.pipeline import compile_dataset
    from kg.sources import load_sources
    root = tmp_path / "p"
    generate(root, 3000, seed=3, link=False)
    config = load_config(root)
    dataset = compile_dataset(load_sources(config), config)
    graph, readings = dataset.union, dataset.readings
    known: dict = {}
    cache = Cache(tmp_path / "cache-0")
    last = _render(graph, config, readings, save=cache, known=known)
    first = cache.get(pagememo.KIND, pagememo.entry_name(0, 1))
    assert first["compacted"] == len(first["keys"])  # numbered afresh: no earlier table
    a, b, c = (_mutations(graph, seed=60 + i, n=4) for i in range(3))
    inverse = [(added, removed) for removed, added in reversed(b)]
    steps = [("edit", a), ("edit", b), ("revert", inverse), ("grown", c), ("lists", []), ("same", [])]
    continued = afresh = 0
    for i, (what, change) in enumerate(steps, 1):
        before = cache.get(pagememo.KIND, pagememo.entry_name(0, 1))
        if what in ("grown", "lists"):  # the entry doctored as another build might have left it
            if what == "grown":  # numbered afresh when 4/5 of its rows were there: grown by a quarter
                before["compacted"] = len(before["keys"]) * 4 // 5 - 1
            else:  # rows as lists (as an entry written by another serialiser would hold them)
                before["keys"] = [list(row) for row in before["keys"]]
            cache.put(pagememo.KIND, pagememo.entry_name(0, 1), before)
        graph = _changed(graph, change)
        fresh = _render(graph, config, readings)
        after_cache = Cache(tmp_path / f"cache-{i}")
        again = _render(graph, config, readings, save=after_cache, previous=pagememo.Previous(cache, 1),
                        last=last, known=known)
        assert sorted(again) == sorted(fresh), what
        assert [k for k in fresh if again[k] != fresh[k]] == [], what
        after = after_cache.get(pagememo.KIND, pagememo.entry_name(0, 1))
        assert after["kept"] > after["rendered"] > 0 if change else after["rendered"] == 0, what
        # every row a page reads is a read, with its value recorded; the rows are unique
        assert len(set(map(tuple, after["keys"]))) == len(after["keys"])
        digests = after["digests"]
        assert len(digests) == pagememo.DIGEST * len(after["keys"])
        for rec in after["pages"].values():
            for j in pagememo.numbers(rec[0]):
                pagememo._decode_key(after["keys"][j])
                assert digests[j * pagememo.DIGEST:(j + 1) * pagememo.DIGEST] != bytes(pagememo.DIGEST), what
        grown = len(before["keys"]) > before["compacted"] + before["compacted"] // 4
        if grown:
            afresh += 1
            assert after["compacted"] == len(after["keys"]) < len(before["keys"]), what
        else:
            continued += 1
            assert after["compacted"] == before["compacted"], what
            assert [tuple(r) for r in after["keys"][:len(before["keys"])]] == [tuple(r) for r in before["keys"]]
            same_numbers = [node for node, rec in after["pages"].items()
                            if node in before["pages"] and rec[1] == before["pages"][node][1]]
            assert len(same_numbers) >= after["kept"], what
            assert all(after["pages"][n][0] == before["pages"][n][0] for n in same_numbers), what
        # the files recorded are the files made
        recorded = [pagememo.unpack_files(rec[2]) for rec in after["pages"].values()]
        assert all(hashlib.sha256(again[f]).hexdigest() == files[f][0] for files in recorded for f in files if f in again)
        assert sum(len(files) for files in recorded) > len(recorded) > 0
        cache, last = after_cache, again
    assert continued == 5 and afresh == 1


def _counts(cache: Cache) -> tuple[int, int]:
    doc = cache.get(pagememo.KIND, pagememo.entry_name(0, 1))
    return doc["kept"], doc["rendered"]


# ------------------------------------------------------------------ the graph in parts

def _graph_parts(parts: dict, rest: list, known: dict) -> GraphParts:
    """``GraphParts`` of {name: (key, triples)} and ``rest``; ``known`` {key: triples} the cache."""
    for key, triples in parts.values():
        known[key] = triples
    return GraphParts({n: k for n, (k, _t) in parts.items()}, lambda n: parts[n][1], known.get, rest)


def test_the_changed_nodes_are_those_of_the_triples_in_one_graph_and_not_the_other() -> None:
    a, b, c, d, e = (URIRef(f"{P}person/{x}") for x in "abcde")
    name, label = URIRef("https://schema.org/name"), URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    known: dict = {}
    before = _graph_parts({"e1": ("k1", [(a, name, Literal("A")), (a, label, b)]),
                           "e2": ("k2", [(c, name, Literal("C"))]),
                           "gone": ("k3", [(e, name, Literal("E"))])}, [(d, name, Literal("D"))], known)
    manifest = json.loads(json.dumps(before.manifest()))  # as the cache stores it
    after = _graph_parts({"e1": ("k1b", [(a, name, Literal("A")), (a, label, c)]),  # a's link moved b -> c
                          "e2": ("k2", [(c, name, Literal("C"))]),                 # unchanged
                          "new": ("k4", [(d, label, a)])},                          # added
                         [(d, name, Literal("D2"))], known)                         # the rest changed
    assert after.changed_since(manifest) == {a, b, c, e, Literal("E"), d, Literal("D"), Literal("D2")}
    # apart: the subjects (whose statements may differ) and the objects (whose incoming links may)
    assert after.changes_since(manifest) == ({a, e, d}, {b, c, Literal("E"), a, Literal("D"), Literal("D2")})
    assert after.changed_since(manifest, objects=False) == {a, e, d}
    assert before.changed_since(manifest) == set()
    assert before.changes_since(manifest) == (set(), set())
    # a part's earlier triples not found, a damaged or absent manifest: not known (every page valued)
    del known["k1"]
    assert after.changed_since(manifest) is None
    for damaged in ({}, {"parts": {"e1": 5}, "rest": manifest["rest"]}, {"parts": {}, "rest": {"terms": 1}}):
        assert before.changed_since(damaged) is None


def test_an_edited_essay_keeps_the_pages_that_do_not_read_it_without_valuing_them(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        assert replace_all(root, "data/essays/essay-00000/essay.ttl", "(Kibax Nebabax)", "(Kibax Nebabax, revised)") == 1
    root, inc, clean = rebuild(warm, tmp_path, change)
    docs = [Cache.for_project(root).get(pagememo.KIND, pagememo.entry_name(k, 2)) for k in range(2)]
    kept, rendered, unvalued = (sum(d[f] for d in docs) for f in ("kept", "rendered", "unvalued"))
    # the pages that show the essay's title rendered; every other page kept, none of them valued
    assert rendered > 0 and kept > 10 * rendered and unvalued == kept
    essays = {p.name for p in (root / "data" / "essays").iterdir()}
    assert len(essays) >= 2 and all(set(d["graph"]["parts"]) == essays for d in docs)
    same(inc, clean)


@pytest.mark.parametrize("body", [b"", b"\xff\x00 not marshal", marshal.dumps(["a", "list"]), marshal.dumps({"key": "other", "value": 1}),
                                  marshal.dumps({"key": "share-0-of-1", "value": 1})[:-3]])
def test_a_record_entry_is_marshal_and_a_bad_one_is_a_miss(tmp_path: Path, body: bytes) -> None:
    import hashlib
    cache = Cache(tmp_path / "c")
    doc = {"format": pagememo.FORMAT, "pages": {"n": [[0, 2], "f" * 32, {"a.html": ["s" * 64, 1, 2, 3]}]},
           "digests": bytes(range(32)), "kept": 0}
    cache.put(pagememo.KIND, "share-0-of-1", doc)
    (path,) = list((tmp_path / "c" / pagememo.KIND).rglob("*.*"))
    assert path.name == "share-0-of-1.marshal"
    assert Cache(tmp_path / "c").get(pagememo.KIND, "share-0-of-1") == doc  # the same lists, dicts, keys
    # checksummed, so only bytes written as an entry reach marshal; even then, what is not this key's
    # entry (or not marshal data) is a miss, removed
    path.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    fresh = Cache(tmp_path / "c")
    assert fresh.get(pagememo.KIND, "share-0-of-1") is None
    assert fresh.misses == {pagememo.KIND: 1}
    assert not path.exists()


def test_unused_record_entries_are_pruned_and_used_ones_kept(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    cache.put(pagememo.KIND, "share-0-of-2", {"a": 1})
    cache.put(pagememo.KIND, "share-1-of-2", {"b": 1})
    later = Cache(tmp_path / "c")
    later.keep(pagememo.KIND, "share-0-of-2")
    assert later.prune() == 1
    assert sorted(p.name for p in (tmp_path / "c" / pagememo.KIND).rglob("*.*")) == ["share-0-of-2.marshal"]


def _d(text: str) -> bytes:
    """A read's value (``pagememo.DIGEST`` bytes) named by ``text``."""
    return hashlib.blake2b(text.encode(), digest_size=pagememo.DIGEST).digest()


#: what ``_checked``'s memo values each read as now
_NOW = {("L", "kind:person"): _d("now"), ("L", "all"): _d("same"), ("I", URIRef(P + "a")): _d("a's links"),
        ("O", URIRef(P + "b")): _d("b now")}


def _checked(table: "pagememo._Table", ids: list, valued: list | None = None) -> object:
    """What ``PageMemo._unchanged`` says of a page reading ``ids`` of ``table``: True, False, None,
    or the name of the error it raises (``previous`` catches these three and renders the page).
    ``valued``: the reads it valued are appended."""
    memo = pagememo.PageMemo.__new__(pagememo.PageMemo)
    memo._values = {}

    def value(key: tuple) -> bytes:
        if valued is not None:
            valued.append(key)
        return _NOW[key]
    memo._value = value
    try:
        return memo._unchanged(table, ids)
    except (ValueError, TypeError, IndexError) as e:
        return type(e).__name__


def _digests(n: int, recorded: dict) -> bytes:
    return b"".join(recorded.get(i, bytes(pagememo.DIGEST)) for i in range(n))


def test_a_pages_reads_are_looked_up_among_the_changed_nodes_and_checked_for_damage() -> None:
    """``_unchanged`` sorts a table's rows once (the reads of unchanged nodes, the other reads, the
    reads of changed nodes, the rows that are no read) and looks a page's numbers up: a page is
    unchanged only when each of its reads of a node that may have changed, and each of its other
    reads, has its recorded value now (the reads of unchanged nodes are not valued), and each of its
    numbers is a read's; a read with no recorded value sends the page to its fingerprint (None); a
    damaged number or row is an error (the page rendered), never a page kept."""
    rows = [("O", "u", P + "a"), ("I", "u", P + "a"), ("O", "u", P + "b"), ("I", "b", "x"),
            ("L", "s", "kind:person"), ("L", "s", "all"), ("O", "q", P + "c"), ("I", "u", 7), 5, "Ou",
            ["O", "u", P + "b"], ("O", "u"), "Oux", ("O", "u", P + "b")]
    changed = ({P + "b"}, {P + "a"})  # b's statements and a's incoming links may have changed
    # a's incoming links read as recorded, b's statements not; row 10 (b's, as a list) has no record
    table = pagememo._Table(rows, changed, _digests(len(rows), {
        0: _d("anything"), 1: _d("a's links"), 2: _d("b then"), 4: _d("then"), 5: _d("same"), 13: _d("b now")}))
    assert _checked(table, []) is True
    valued: list = []
    assert _checked(table, [0], valued) is True and valued == []  # a's statements: unchanged, not valued
    assert _checked(table, [0, 3, 5], valued) is True     # and a blank node's links, a list as recorded
    assert valued == [("L", "all")]
    assert _checked(table, [1, 0], valued) is True        # a's incoming links may have changed: valued, the same
    assert valued[1:] == [("I", URIRef(P + "a"))]
    assert _checked(table, [0, 2]) is False               # b's statements have changed
    assert _checked(table, [13]) is True                  # (a row recorded with b's statements now)
    assert _checked(table, [10]) is None                  # a row stored as a list is a read all the same: no record
    assert _checked(table, [0, 4]) is False               # a list whose members changed
    assert _checked(table, [5, 10]) is None
    assert _checked(table, [4, 10]) is False              # the first read that differs decides
    for bad in ([6], [7], [8], [9], [11], [12], [0, 6], [2, 8]):
        assert _checked(table, bad) == "ValueError", bad  # a row that is no read
    assert _checked(table, [0, -len(rows)]) == "ValueError"  # not row 0 counted from the end
    assert _checked(pagememo._Table([("O", "u", P + "a")], changed, bytes(16)), [-1]) == "ValueError"
    for bad in ([0.0], ["0"], [[0]]):
        assert _checked(table, bad) == "TypeError", bad  # a number that is none
    assert _checked(table, [0, None]) == "TypeError"
    assert _checked(table, [0, len(rows)]) == "IndexError"
    assert table.sorted == bytes([0, 2, 2, 0, 1, 1, 3, 3, 3, 3, 2, 3, 3, 2])
    assert [table.recorded(i) for i in (2, 3)] == [_d("b then"), None]


def test_a_pages_file_records_packed_and_read_back() -> None:
    """An entry keeps a page's files packed (``pagememo.pack_files``: the paths joined by NUL, the
    records in one bytes), read back as ``Stage.written`` gave them, in their order; a record that is
    not one such pair (another length, other types: an older entry's dictionary) is no record."""
    sha = [hashlib.sha256(x).hexdigest() for x in (b"a", b"b", b"c")]
    files = {"id/person/p.html": [sha[0], 3210, 1_796_663_660_876_737_711, 2_893_254],
             "id/person/p.ttl": [sha[1], 0, -5, 2**64 - 1],
             "id/person/p é.nt": [sha[2], 2**63, 0, 0]}
    packed = pagememo.pack_files(files)
    assert packed[0] == "id/person/p.html\0id/person/p.ttl\0id/person/p é.nt" and len(packed[1]) == 3 * 56
    assert pagememo._is_packed(packed)
    back = pagememo.unpack_files(packed)
    assert back == files and list(back) == list(files)
    one = pagememo.pack_files({"kinds/person.html": [sha[0], 1, 2, 3]})
    assert pagememo._is_packed(one) and pagememo.unpack_files(one) == {"kinds/person.html": [sha[0], 1, 2, 3]}
    assert pagememo.unpack_files(marshal.loads(marshal.dumps(packed))) == files  # as an entry stores it
    for bad in ({}, {"a\0b": [sha[0], 1, 2, 3]}):
        with pytest.raises(ValueError):
            pagememo.pack_files(bad)
    for not_one in (files, tuple(packed), [packed[0], packed[1][:-1]], [packed[0], packed[1] + b"\0" * 56],
                    [packed[0].encode(), packed[1]], [packed[0], bytearray(packed[1])], ["", b""],
                    [packed[0], packed[1], b""], [packed[0]], None, "x"):
        assert not pagememo._is_packed(not_one), not_one


def test_a_pages_read_numbers_packed_and_read_back() -> None:
    """An entry keeps a page's reads' numbers sorted in one bytes (``pack_numbers``), read back as a
    view of ints (``numbers``); anything else (a list of an older entry, a length that is no whole
    number of ints) is no record, and ``previous`` renders such a page."""
    packed = pagememo.pack_numbers([300_000, 0, 17, 2**32 - 1])
    assert type(packed) is bytes and len(packed) == 16
    assert list(pagememo.numbers(packed)) == [0, 17, 300_000, 2**32 - 1]
    assert list(pagememo.numbers(marshal.loads(marshal.dumps(packed)))) == [0, 17, 300_000, 2**32 - 1]
    assert list(pagememo.numbers(pagememo.pack_numbers([]))) == []
    for not_one in ([0, 17], packed[:-1], bytearray(packed), None, "0"):
        assert pagememo.numbers(not_one) is None, not_one
    with pytest.raises(OverflowError):
        pagememo.pack_numbers([2**32])
    with pytest.raises(OverflowError):
        pagememo.pack_numbers([-1])


def test_the_new_entry_records_each_reads_value_now_or_none() -> None:
    """``PageMemo._digests``: the continued table's rows keep their recorded values where the row reads
    a node that has not changed (the same value now); a row of a node that may have changed, or another
    read (a list...), keeps none unless it was valued in this build (a row no page reads now would
    otherwise keep a value of an older graph, which a later build could take for the value of a node
    changed back); the reads of the pages rendered and the rows carried from another table take
    theirs."""
    rows = [("O", "u", P + "a"), ("O", "u", P + "b"), ("L", "s", "all"), ("I", "u", P + "a"),
            ("O", "u", P + "c"), ("O", "u", P + "d"), ("L", "s", "kind:work")]
    changed = ({P + "b", P + "c"}, {P + "a"})
    table = pagememo._Table(rows, changed, _digests(len(rows), {i: _d(f"then {i}") for i in range(len(rows))}))
    table.values[4] = _d("c now")      # c's statements valued in this build (a kept page read them)
    memo = pagememo.PageMemo.__new__(pagememo.PageMemo)
    memo._base, memo._values, memo._carried = table, {("O", URIRef(P + "e")): _d("e now")}, {8: _d("f carried")}
    memo._order = rows + [("O", "u", P + "e"), ("O", "u", P + "f")]
    memo._keys = {("O", URIRef(P + "e")): 7}
    got = memo._digests()
    assert len(got) == pagememo.DIGEST * 9
    at = [got[i * pagememo.DIGEST:(i + 1) * pagememo.DIGEST] for i in range(9)]
    unknown = bytes(pagememo.DIGEST)
    assert at == [_d("then 0"),   # a: unchanged
                  unknown,         # b: may have changed, not valued
                  unknown,         # a list not valued
                  unknown,         # a's incoming links may have changed
                  _d("c now"),     # valued now
                  _d("then 5"),    # d: unchanged
                  unknown,         # a list
                  _d("e now"),     # a page rendered read it
                  _d("f carried")]
    # no table continued, nothing recorded in it: only this build's values
    memo._base = None
    assert memo._digests()[7 * pagememo.DIGEST:] == _d("e now") + _d("f carried")
    assert memo._digests()[:7 * pagememo.DIGEST] == unknown * 7
