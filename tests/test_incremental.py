"""Incremental builds (kg/cache.py, kg/incremental.py): after a change, a build with the cache redoes only
what changed, and publishes exactly the bytes of a clean build of the same sources, for every kind of
change; a damaged or swapped cache entry is ignored, never used."""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from kg.cache import CACHE_DIR, Cache
from kg.cli import main
from kg.config import load_config
from kg.maps.memo import SHARDS, drawings_kept, shards_kept
from kg.pipeline import build

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from buildutil import blocks_made, copy_project, pages_made, pieces_made, memoised_pages, same, tree  # noqa: E402
from corpus import generate  # noqa: E402


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of three essays (bench/corpus.py), built once with the cache; essay-00002 kept aside
    (the "add" case puts it in)."""
    root = tmp_path_factory.mktemp("inc") / "project"
    generate(root, 5000, seed=1, link=False)
    shutil.move(root / "data" / "essays" / "essay-00002", root / "essay-00002")
    build(load_config(root), cache=Cache.for_project(root))
    return root


def incremental(warm: Path, tmp_path: Path, change) -> tuple[Cache, dict, dict]:  # noqa: ANN001
    """Copy the warm project (with its cache and output), ``change(root)``, build with the cache and
    without it: (the cache's counts, the incremental output, the clean output)."""
    root = tmp_path / "project"
    copy_project(warm, root)
    change(root)
    cache = Cache.for_project(root)
    build(load_config(root), cache=cache)
    build(load_config(root), output=tmp_path / "clean")
    return cache, tree(root / "output"), tree(tmp_path / "clean")


def per_essay(counts: dict) -> dict:
    """The counts of the essays' entries (enriched, validated) among a cache's hits or misses."""
    return {k: v for k, v in counts.items() if k in ("enrich", "validate")}


def drawings(files: dict) -> int:
    """The maps' drawings of an output tree (kg/maps/memo.py): its maps' SVG files."""
    return sum(1 for name in files if name.endswith(".svg") and name.startswith(("maps/", "site/maps/")))


def claims(files: dict) -> int:
    """How many claims the published graph holds (one nanopublication each)."""
    return files["dataset.nt"].decode("utf-8").count("#type> <https://schema.org/Claim> .")


def subjects(files: dict) -> int:
    """The subjects of an output tree's N-Triples dump."""
    return len({line.split(" ", 1)[0] for line in files["dataset.nt"].decode("utf-8").splitlines()})


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_nothing_changed_reuses_every_essay(warm: Path, tmp_path: Path) -> None:
    cache, inc, clean = incremental(warm, tmp_path, lambda root: None)
    hits = dict(cache.hits)
    # the claims' nanopublications are counted here only when this process made the argument's exports:
    # the dump writers' process makes them unless this one claims them first (kg.publish), a race
    assert hits.pop("nanopubs", None) in (None, claims(inc))
    assert hits == {"enrich": 2, "trig": 2, "validate": 2, "reached": 1, "union": 1, "maps": drawings(inc)}
    assert cache.misses == {}
    assert pages_made(tmp_path / "project") == (memoised_pages(inc), 0)  # every page linked, none rendered
    # every subject's block in the union's three dumps copied from the last output (kg/publish/unionmemo.py)
    assert blocks_made(tmp_path / "project") == (3 * subjects(inc), 0)
    # and every piece of the four gzip copies taken from the last build's (kg/publish/gzmemo.py)
    pieces = pieces_made(tmp_path / "project")
    assert len(pieces) == 4 and all(taken >= 1 and made == 0 for taken, made in pieces.values()), pieces
    same(inc, clean)


def test_an_edited_essay_is_enriched_and_validated_again_alone(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        edit(root / "data/essays/essay-00000/essay.ttl", '"On the Bobabax Question (Kibax Nebabax)"@en',
             '"On the Bobabax Question, revised (Kibax Nebabax)"@en')
    cache, inc, clean = incremental(warm, tmp_path, change)
    assert per_essay(cache.hits) == {"enrich": 1, "validate": 1} and per_essay(cache.misses) == {"enrich": 1, "validate": 1}
    assert "revised" in inc["dataset.nt"].decode("utf-8")
    # the edited essay's named graph is written again in TriG, the other's read (kg/publish/dumpmemo.py)
    assert (cache.hits["trig"], cache.misses["trig"]) == (1, 1) and "revised" in inc["dataset.trig"].decode("utf-8")
    assert len(list((tmp_path / "project" / CACHE_DIR / "trig").rglob("*.json"))) == 2  # the stale one pruned
    # the drawings that show the essay's label (its argument and people maps, the concept map, each in
    # maps/ and in the site) are drawn again, the others read; the stale ones are pruned from the cache
    before = tree(warm / "output")
    changed = sorted(n for n in inc if n.endswith(".svg") and n.startswith(("maps/", "site/maps/")) and inc[n] != before[n])
    assert changed == [f"{where}{name}" for where in ("maps/", "site/maps/") for name in
                       ("argument-map-essay-00000.svg", "concept-map.svg", "people-map-essay-00000.svg")]
    assert all(b"Bobabax Question, revised" in inc[n] for n in changed)
    assert cache.misses["maps"] == 6 and cache.hits["maps"] == drawings(inc) - 6
    assert drawings_kept(Cache(tmp_path / "project" / CACHE_DIR)) == drawings(inc)
    kept, rendered = pages_made(tmp_path / "project")
    assert rendered > 0 and kept > 0  # the pages that show the essay's title again, the others linked
    # the union's dumps: the essay's node's block written again in each, the others copied
    assert blocks_made(tmp_path / "project") == (3 * (subjects(inc) - 1), 3)
    same(inc, clean)


def test_only_the_changed_essay_and_the_parent_are_prechecked(warm: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """The cache keys name each essay's pairs before the pre-check, so the pre-check (kg/validation/
    precheck.py) runs on the changed essay's pairs and the parent's share only, not on every essay's."""
    from rdflib import Graph

    from kg.validation.precheck import Prechecker

    root = tmp_path / "project"
    copy_project(warm, root)
    edit(root / "data/essays/essay-00000/essay.ttl", '"On the Bobabax Question (Kibax Nebabax)"@en',
         '"On the Bobabax Question, revised (Kibax Nebabax)"@en')
    seen: list[set] = []
    prune = Prechecker.prune

    def spy(self, focus: dict) -> dict:  # noqa: ANN001
        seen.append({n for nodes in focus.values() for n in nodes})
        return prune(self, focus)
    monkeypatch.setattr(Prechecker, "prune", spy)
    cache = Cache.for_project(root)
    build(load_config(root), cache=cache)
    assert per_essay(cache.misses) == {"enrich": 1, "validate": 1}
    assert len(seen) == 2  # the parent's share, then the one changed essay's
    changed = set(Graph().parse(root / "data/essays/essay-00000/essay.ttl").subjects())
    unchanged = set(Graph().parse(root / "data/essays/essay-00001/essay.ttl").subjects()) - changed
    assert seen[1] & changed and not seen[1] & unchanged
    assert not (seen[0] | seen[1]) >= unchanged


def test_an_added_essay(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        shutil.move(root / "essay-00002", root / "data" / "essays" / "essay-00002")
    cache, inc, clean = incremental(warm, tmp_path, change)
    assert cache.hits["enrich"] == 2 and cache.misses["enrich"] == 1
    assert (cache.hits["trig"], cache.misses["trig"]) == (2, 1)
    assert cache.misses["validate"] >= 1
    assert b"essay-00002" in inc["dataset.nt"]
    kept, rendered = pages_made(tmp_path / "project")
    assert kept > 0 and rendered > 0  # its pages and those it links; the others (found in either share) kept
    same(inc, clean)


def test_a_removed_essay(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        shutil.rmtree(root / "data" / "essays" / "essay-00001")
    cache, inc, clean = incremental(warm, tmp_path, change)
    assert cache.hits["enrich"] == 1 and "enrich" not in cache.misses
    assert b"essay/essay-00001>" not in inc["dataset.nt"]
    same(inc, clean)


def test_a_shared_person_changed_in_every_essay_that_describes_it(warm: Path, tmp_path: Path) -> None:
    essays = warm / "data" / "essays"
    described = {}
    for f in sorted(essays.glob("*/persons.ttl")):
        for iri in re.findall(r"^(person:p-\d+) a ", f.read_text(encoding="utf-8"), re.M):
            described.setdefault(iri, []).append(f.relative_to(warm))
    shared = next(iri for iri, files in sorted(described.items()) if len(files) == 2)
    block = re.search(rf"^{shared} a .*?schema:birthDate \"(\d+)\"", (warm / described[shared][0]).read_text(), re.S | re.M)
    year = block.group(1)

    def change(root: Path) -> None:
        for rel in described[shared]:
            text = (root / rel).read_text(encoding="utf-8")
            head, rest = text.split(f"{shared} a ", 1)
            rest = rest.replace(f'schema:birthDate "{year}"', f'schema:birthDate "{int(year) - 1}"', 1)
            (root / rel).write_text(f"{head}{shared} a {rest}", encoding="utf-8")
    cache, inc, clean = incremental(warm, tmp_path, change)
    assert per_essay(cache.misses) == {"enrich": 2, "validate": 2}  # both essays describe it
    assert cache.misses["trig"] == 2 and "trig" not in cache.hits
    assert f'"{int(year) - 1}"'.encode() in inc["dataset.nt"]
    same(inc, clean)


def test_a_changed_shape_validates_every_essay_again(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:  # the same shapes, focus nodes and messages: one constraint changed
        edit(root / "shapes" / "shapes.ttl", "[ sh:path schema:deathDate ; sh:maxCount 1 ;",
             "[ sh:path schema:deathDate ; sh:maxCount 0 ; sh:severity sh:Warning ;")
    cache, inc, clean = incremental(warm, tmp_path, change)
    assert per_essay(cache.hits) == {"enrich": 2} and cache.misses == {"validate": 2}
    report = inc["validation-report.txt"].decode("utf-8")
    assert re.match(r"\d+ findings \(0 violations, (\d+) warnings", report), report[:200]
    assert "warning [schema:deathDate]: schema:deathDate is one xsd:gYear" in report
    same(inc, clean)


def test_a_damaged_or_swapped_cache_entry_is_ignored(warm: Path, tmp_path: Path) -> None:
    def change(root: Path) -> None:
        entries = sorted((root / CACHE_DIR).rglob("*.json")) + sorted((root / CACHE_DIR).rglob("*.marshal"))
        by_kind = {k: [e for e in entries if e.parts[-3] == k] for k in ("enrich", "validate")}
        first, second = by_kind["enrich"]  # marshal
        first.write_bytes(first.read_bytes()[:-40])                                # truncated
        shutil.copyfile(by_kind["validate"][0], second)                            # another entry's file (JSON)
        v0, v1 = by_kind["validate"]
        raw = bytearray(v1.read_bytes())
        raw[-20] ^= 1
        v1.write_bytes(bytes(raw))                                                 # one bit flipped
        body = b'{"key":"%s","value":{"terms":5}}' % v0.stem.encode()
        import hashlib
        v0.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)  # right checksum, wrong shape
        # an edit as well, so that the damaged entries would be used if they were trusted
        edit(root / "data/essays/essay-00000/essay.ttl", '"On the Bobabax Question (Kibax Nebabax)"@en',
             '"On the Bobabax Question, damaged cache (Kibax Nebabax)"@en')
    cache, inc, clean = incremental(warm, tmp_path, change)
    assert per_essay(cache.misses) == {"enrich": 2, "validate": 2} and not any(per_essay(cache.hits).values())
    same(inc, clean)


def test_kg_build_uses_the_cache_and_no_cache_leaves_it_alone(warm: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    copy_project(warm, root)
    shutil.rmtree(root / CACHE_DIR)
    assert CliRunner().invoke(main, ["--root", str(root), "-q", "build", "--no-cache"]).exit_code == 0
    assert not (root / CACHE_DIR).exists()
    assert CliRunner().invoke(main, ["--root", str(root), "-q", "build"]).exit_code == 0
    # two essays written in TriG and validated (JSON); two essays enriched, two page shares, the reached
    # hashes, the union dumps' layouts, the four gzip copies' pieces, the claims' nanopublications and
    # the maps' drawings' shards that hold one (marshal), which hold every drawing of the output
    assert len(list((root / CACHE_DIR).rglob("*.json"))) == 4
    filled = sum(1 for shard in shards_kept(Cache(root / CACHE_DIR)) if shard)
    assert 8 <= filled <= SHARDS and len(list((root / CACHE_DIR).rglob("*.marshal"))) == 11 + filled
    assert drawings_kept(Cache(root / CACHE_DIR)) == drawings(tree(root / "output"))
    assert len(list((root / CACHE_DIR / "nanopubs").rglob("*.marshal"))) == 1


def test_a_units_key_follows_the_triples_it_reaches_and_no_others() -> None:
    """kg.incremental._ReachedKeys: an essay's validation key changes with the triples of the nodes its
    partition reaches (within the shapes' hops), and only with them."""
    from rdflib import Graph, Literal, URIRef

    from kg.incremental import _ReachedKeys

    from kg.tripleindex import indexed_graph

    def key(extra: list, hops: int) -> str:
        ex = "http://example.org/"
        a, b, c, d, p, label = (URIRef(ex + x) for x in ("a", "b", "c", "d", "p", "label"))
        keys = set()
        for g in (Graph(), indexed_graph()):  # rdflib's store (triples grouped), the union's (its index read)
            for t in [(a, p, b), (b, p, c), (b, label, Literal("B")), (c, label, Literal("C")), (d, label, Literal("D"))]:
                g.add(t)
            for s, o in extra:
                g.add((URIRef(ex + s), label, Literal(o)))
            keys.add(_ReachedKeys(g, lambda t: t.n3(), hops)({a}))
        assert len(keys) == 1  # the same key from either store
        return keys.pop()

    one = key([], 1)
    assert key([("b", "B2")], 1) != one       # b is one hop from a
    assert key([("c", "C2")], 1) == one       # c is two hops away
    assert key([("d", "D2")], 1) == one       # d is not reached
    assert key([("a", "A")], 1) != one        # a's own
    assert key([("c", "C2")], 2) != key([], 2)
    assert key([], 0) != one and key([("b", "B2")], 0) == key([], 0)


def test_a_rebuild_parses_the_turtle_of_the_changed_essay_alone(warm: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """With the cache, an essay's Turtle is parsed only when its enrichment is not in it
    (kg.sources.load_essay's ``lazy``): a rebuild after one essay changed parses that essay's files."""
    import kg.sources as sources

    root = tmp_path / "project"
    copy_project(warm, root)
    edit(root / "data/essays/essay-00000/essay.ttl", '"On the Bobabax Question (Kibax Nebabax)"@en',
         '"On the Bobabax Question, parsed again (Kibax Nebabax)"@en')
    parsed: list = []
    original = sources.parse_files

    def spy(paths, ill_typed=None):  # noqa: ANN001, ANN202
        parsed.extend(Path(p).relative_to(root).parts[:3] for p in paths)
        return original(paths, ill_typed)
    monkeypatch.setattr(sources, "parse_files", spy)
    build(load_config(root), cache=Cache.for_project(root))
    assert sorted({p for p in parsed if p[0] == "data"}) == [("data", "essays", "essay-00000")]
    assert b"parsed again" in (root / "output" / "dataset.nt").read_bytes()
    parsed.clear()
    build(load_config(root), output=tmp_path / "clean")  # without the cache: every essay parsed at once
    assert sorted({p for p in parsed if p[0] == "data"}) == [("data", "essays", f"essay-0000{i}") for i in (0, 1)]


def test_a_broken_file_stops_a_cached_build_with_its_place(warm: Path, tmp_path: Path) -> None:
    """An essay parsed late (its enrichment not in the cache) still stops the build with one error line
    naming the file, line and column (and its hint), exit 2, and the last output untouched."""
    root = tmp_path / "project"
    copy_project(warm, root)
    before = tree(root / "output")
    path = root / "data/essays/essay-00001/essay.ttl"
    lines = path.read_text(encoding="utf-8").count("\n")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n<http://example.org/x> <http://example.org/p> .\n")
    result = CliRunner().invoke(main, ["--root", str(root), "-q", "build"])
    shown = [x for x in result.output.splitlines() if x.strip()]
    assert result.exit_code == 2 and shown[0].startswith("error: ") and all(x.startswith("hint: ") for x in shown[1:])
    assert f"essay-00001/essay.ttl:{lines + 2}:47: . is not a valid RDF object" in shown[0]
    assert "Traceback" not in result.output
    assert tree(root / "output") == before


def test_a_lazy_essay_is_parsed_once_when_asked_and_released_after_its_enrichment(warm: Path, monkeypatch) -> None:  # noqa: ANN001
    """kg.sources.load_sources(lazy=True): an essay's files are parsed on the first look at its graph,
    once; compile_dataset releases each graph once the essay is enriched (the build's memory), and a
    look after that parses the files again."""
    import kg.sources as sources
    from kg.pipeline import compile_dataset

    calls: list = []
    original = sources.parse_files
    monkeypatch.setattr(sources, "parse_files", lambda paths, ill_typed=None: calls.append(paths) or original(paths, ill_typed))
    loaded = sources.load_sources(load_config(warm), lazy=True)
    essays_parsed = lambda: sum(1 for paths in calls if "essays" in Path(paths[0]).parts)  # noqa: E731
    assert essays_parsed() == 0
    first = loaded.essays[0]
    n = len(first.graph)
    assert n > 100 and len(first.graph) == n and essays_parsed() == 1  # parsed once, kept
    compile_dataset(loaded, load_config(warm))  # no cache: every essay enriched, so parsed
    assert essays_parsed() == 2 and all(not e._parsed for e in loaded.essays)  # the first one's graph was kept
    assert len(first.graph) == n and essays_parsed() == 3  # asked again: parsed again


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(max_size=6), lang=st.one_of(st.none(), st.sampled_from(["en", "EN", "en-GB", "", "de", "x-a-b", "en us", "9"]),
                                                  st.text(max_size=4)))
def test_a_term_read_back_is_the_term_rdflibs_constructor_makes(text: str, lang: str | None) -> None:
    """``decode_triples`` makes IRIs and literals of no datatype without rdflib's constructors: each
    term is what ``URIRef(text)`` and ``Literal(text, lang=lang)`` make (type, text, tag, value,
    ill-typedness, hash, N3), or the same error (a tag that is none), the first time and after."""
    from rdflib import Literal, URIRef

    from kg.rdfmake import decode_triples

    def read(term: tuple):  # noqa: ANN202
        return decode_triples({"terms": [("u", "https://example.org/p"), term], "triples": [(0, 0, 1)]}, {})[0][2]
    try:
        want = Literal(text, lang=lang)
    except ValueError:
        for _ in range(2):
            with pytest.raises(ValueError):
                read(("l", text, lang, None))
        return
    for _ in range(2):
        got = read(("l", text, lang, None))
        assert type(got) is Literal and str(got) == str(want) and got == want and hash(got) == hash(want)
        assert (got.language, got.datatype, got.value, got._ill_typed) == (want.language, want.datatype, want.value, want._ill_typed)
        assert got.n3() == want.n3()
    iri = read(("u", "https://example.org/" + text))
    assert type(iri) is URIRef and iri == URIRef("https://example.org/" + text) and hash(iri) == hash(URIRef(iri))


def test_terms_are_read_back_without_rdflibs_checks_a_tag_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken: IRIs without rdflib's look at their text, literals of no datatype
    without its casts, each language tag checked by rdflib the first time only (per process); a
    typed literal still through rdflib; an IRI whose text is not text is a damaged entry."""
    import rdflib.term

    from kg import rdfmake
    from kg.rdfmake import decode_triples

    looked, cast = [], []
    real_look, real_cast = rdflib.term._is_valid_uri, rdflib.term._castLexicalToPython
    monkeypatch.setattr(rdflib.term, "_is_valid_uri", lambda v: looked.append(v) or real_look(v))
    monkeypatch.setattr(rdflib.term, "_castLexicalToPython", lambda v, d: cast.append(v) or real_cast(v, d))
    monkeypatch.setattr(rdfmake, "LANGS_CHECKED", set())
    p = ("u", "https://example.org/p")
    doc = {"terms": [p, ("u", "https://example.org/a"), ("l", "eins", "de", None), ("l", "zwei", "de", None),
                     ("l", "plain", None, None), ("l", "", "", None)],
           "triples": [(1, 0, 2), (1, 0, 3), (1, 0, 4), (1, 0, 5)]}
    got = [o for _s, _p, o in decode_triples(doc, {})]
    assert [(str(o), o.language) for o in got] == [("eins", "de"), ("zwei", "de"), ("plain", None), ("", None)]
    assert looked == [] and cast == ["eins"]  # the tag "de" checked once, by rdflib's constructor
    decode_triples({"terms": [p, ("l", "drei", "de", None)], "triples": [(0, 0, 1)]}, {})
    assert cast == ["eins"]
    typed = decode_triples({"terms": [p, ("l", "7", None, "http://www.w3.org/2001/XMLSchema#integer")],
                            "triples": [(0, 0, 1)]}, {})
    assert cast == ["eins", "7"] and typed[0][2].value == 7
    for bad in (("u", 5), ("u", ("a",)), ("u", None), ("l", 5, None, None), ("l", b"x", "en", None)):
        with pytest.raises(ValueError, match="bad term"):
            decode_triples({"terms": [bad], "triples": []}, {})
    for bad in (("l", "x", "en", "http://www.w3.org/2001/XMLSchema#string"), ("l", "x", 5, None), ("l", "x", "en us", None)):
        with pytest.raises(ValueError):  # a literal rdflib refuses (a tag and a datatype, a tag that is none)
            decode_triples({"terms": [bad], "triples": []}, {})


def test_the_essays_triples_read_back_share_their_terms_and_keep_them_exact(tmp_path: Path) -> None:
    """kg.cache: an essay's triples stored (marshal) and read back are the same triples, term for term
    (a language tag keeps its case, a typed literal its lexical form); with a shared memo a term two
    entries hold is one object, and a term that is not one of ``encode_triples``' is a ValueError."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import RDFS, XSD

    from kg.rdfmake import decode_triples, encode_triples

    s, t = URIRef("https://example.org/id/a"), URIRef("https://example.org/id/b")
    first = [(s, RDFS.label, Literal("Trotsky", lang="EN")), (s, RDFS.seeAlso, t),
             (s, RDFS.comment, Literal("07", datatype=XSD.string)), (BNode("x1"), RDFS.label, Literal("plain"))]
    second = [(t, RDFS.label, Literal("Trotsky", lang="en")), (t, RDFS.seeAlso, s),
              (t, RDFS.comment, Literal("07", datatype=XSD.string))]
    cache = Cache(tmp_path / "cache")
    cache.put("enrich", "k1", encode_triples(first))
    cache.put("enrich", "k2", encode_triples(second))
    assert sorted(p.suffix for p in (tmp_path / "cache" / "enrich").rglob("*.*")) == [".marshal", ".marshal"]
    memo: dict = {}
    a = decode_triples(cache.get("enrich", "k1"), memo)
    b = decode_triples(cache.get("enrich", "k2"), memo)
    assert a == first and b == second
    assert decode_triples({"terms": [], "triples": []}, {}) == []
    # without a memo of its own, and from an entry whose terms and rows are lists (as JSON gives them)
    as_lists = encode_triples(first)
    as_lists = {"terms": [list(term) for term in as_lists["terms"]], "triples": [list(row) for row in as_lists["triples"]]}
    assert decode_triples(as_lists) == first
    # exact: rdflib compares language tags without case, the memo does not conflate them
    assert [o.language for _s, _p, o in (a[0], b[0])] == ["EN", "en"]
    assert a[0][2] is not b[0][2]
    # shared: the same IRI and the same typed literal in both entries are one object each
    assert a[0][0] is b[1][2] and a[1][2] is b[0][0] and a[2][2] is b[2][2] and a[0][1] is b[0][1]
    for bad in ({"terms": [("x", "y")], "triples": []}, {"terms": [("x", "a", None, None)], "triples": []},
                {"terms": [("l", "a", None)], "triples": []}, {"terms": [("u", "a", None, None)], "triples": []}, {"terms": [("u", ["unhashable"])], "triples": []},
                {"terms": [("u", "a")], "triples": [(0, 0, -1)]}, {"terms": [["u", "a", "b"]], "triples": []},
                {"terms": [("u", "a")], "triples": [(0, 0, 0), (0, -1, 0)]},
                {"terms": [("u", "a")], "triples": [(0, 0, 0), (0, "0", 0)]},
                {"terms": [("u", "a")], "triples": [(0, 0)]}, {"terms": [("u", "a")], "triples": [0]},
                {"terms": [("u", "a")], "triples": [(0, 0, 1)]}):
        with pytest.raises(ValueError):
            decode_triples(bad, {})
    # the message says what is wrong
    for bad, says in (({"terms": [("x", "y")], "triples": []}, "bad term ('x', 'y')"),
                      ({"terms": [("u", "a")], "triples": [(0, 0, -1)]}, "bad index"),
                      ({"terms": [("u", "a")], "triples": [(0, 0, 1)]}, "not an entry of triples: list index out of range")):
        with pytest.raises(ValueError) as caught:
            decode_triples(bad, {})
        assert str(caught.value) == says
