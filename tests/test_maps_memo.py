"""The maps' drawings kept in the build cache (kg/maps/memo.py): a drawing is read back only for the
very model, options and link base it was made of; anything else that changes the SVG draws it again;
a damaged shard or a drawing that is not text is drawn again and replaced; a shard is written again
only when its drawings changed; a build with the cache publishes the bytes of one without it,
drawing nothing the second time."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import kg.maps.memo as memo_module
from kg.cache import Cache
from kg.config import load_config
from kg.iris import link_href
from kg.maps.memo import KIND, SvgMemo, drawings_kept, href_key, shards_kept
from kg.maps.model import Link, MapModel, Node
from kg.maps.pages import Linker, maps
from kg.maps.svg import render_svg
from kg.pipeline import validate_corpus

BASE = "https://example.org/kg/"


def model() -> MapModel:
    m = MapModel("argument", "Argument map of a test")
    for i, (stance, central) in enumerate((("endorses", True), ("rejects", False), ("qualifies", False))):
        iri = f"{BASE}id/claim/c{i}"
        m.nodes[iri] = Node(iri, "claim", f"Claim {i}", f"The text of claim {i}.", f"{BASE}id/person/p{i % 2}",
                            stance, central)
    m.links = [Link(f"{BASE}id/claim/c1", f"{BASE}id/claim/c0", "opposes"),
               Link(f"{BASE}id/claim/c2", f"{BASE}id/claim/c0", "qualifies")]
    m.holders = {f"{BASE}id/person/p0": "P Zero", f"{BASE}id/person/p1": "P One"}
    return m


class Config:
    base_iri = BASE


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list:
    """The models ``render_svg`` was asked to lay out, through the memo."""
    calls: list = []

    def counting(m, href, **options):  # noqa: ANN001, ANN003, ANN202
        calls.append(m.title)
        return render_svg(m, href, **options)
    monkeypatch.setattr(memo_module, "render_svg", counting)
    return calls


def drawn_once(cache: Cache, m: MapModel, href, **options) -> str:  # noqa: ANN001, ANN003
    """One build's drawing of ``m``, kept for the next."""
    draw = SvgMemo(cache)
    svg = draw(m, href, **options)
    draw.save()
    return svg


def shards(cache: Cache) -> dict[str, int]:
    """The shard files of ``cache``: {name: modification time}."""
    return {p.name: p.stat().st_mtime_ns for p in (cache.folder / KIND).rglob("*.marshal")}


def test_the_same_drawing_is_read_back_and_equals_a_fresh_one(tmp_path: Path, drawn: list) -> None:
    href = Linker(Config, "maps/argument.html")
    first = drawn_once(Cache(tmp_path), model(), href)
    cache = Cache(tmp_path)
    draw = SvgMemo(cache)  # another build
    second = draw(model(), Linker(Config, "maps/argument.html"))
    again = draw(model(), Linker(Config, "maps/argument.html"))  # asked twice in one build: one drawing
    assert len(drawn) == 1 and first == second == again == render_svg(model(), href)
    assert cache.hits == {KIND: 2} and cache.misses == {}
    assert drawings_kept(Cache(tmp_path)) == 1 and len(shards(cache)) == 1
    other = model()
    other.title = "Argument map of another test"
    draw = SvgMemo(Cache(tmp_path / "new"))  # a first build asking twice: drawn once
    assert draw(other, href) == draw(other, href) and len(drawn) == 2


def test_a_drawing_is_kept_in_the_shard_its_key_names_each_shard_read_once(tmp_path: Path, drawn: list,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A drawing is kept in the shard its key's first hex digit names (the drawings spread over the
    16), and a build reads each shard at most once, however many drawings ask for it."""
    href = Linker(Config, "maps/argument.html")
    models = []
    for i in range(40):
        m = model()
        m.title = f"Argument map number {i}"
        models.append(m)
    draw = SvgMemo(Cache(tmp_path))
    for m in models:
        draw(m, href)
    draw.save()
    kept = shards_kept(Cache(tmp_path))
    assert len(kept) == 16 and sum(len(k) for k in kept) == 40 and sum(1 for k in kept if k) >= 8
    assert all(int(key[0], 16) == i for i, shard in enumerate(kept) for key in shard)
    reads: list = []
    cache = Cache(tmp_path)
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda *a, **k: reads.append(a[1]) or real_get(*a, **k))
    draw = SvgMemo(cache)
    for m in models * 2:
        draw(m, href)
    assert len(reads) == len(set(reads)) == sum(1 for k in kept if k) and len(drawn) == 40
    assert shards_kept(Cache(None)) == [] and drawings_kept(Cache(None)) == 0


@pytest.mark.parametrize("change", ["code", "format"])
def test_a_drawing_of_other_code_is_drawn_again(tmp_path: Path, drawn: list, monkeypatch: pytest.MonkeyPatch,
                                                change: str) -> None:
    """The drawings are kept for the code (``code_version``) and the memo's format that made them."""
    href = Linker(Config, "maps/argument.html")
    drawn_once(Cache(tmp_path), model(), href)
    if change == "code":
        monkeypatch.setattr(memo_module, "code_version", lambda: "another version of kg")
    else:
        monkeypatch.setattr(memo_module, "FORMAT", memo_module.FORMAT + " and more")
    cache = Cache(tmp_path)
    assert drawn_once(cache, model(), href) == render_svg(model(), href)
    assert len(drawn) == 2 and cache.misses == {KIND: 1}


def test_a_shard_is_written_again_only_when_its_drawings_change(tmp_path: Path, drawn: list) -> None:
    """The drawings of a build are kept in shards by key; a build that draws the same ones writes
    none (they are only kept from pruning); one that draws another writes its shard, where the
    drawing the build did not ask for is gone."""
    href = Linker(Config, "maps/argument.html")
    other = model()
    other.title = "Argument map of another test"
    cache = Cache(tmp_path)
    draw = SvgMemo(cache)
    draw(model(), href)
    draw(other, href)
    draw.save()
    before = shards(cache)
    assert 1 <= len(before) <= 2 and drawings_kept(Cache(tmp_path)) == 2 and len(drawn) == 2
    again = Cache(tmp_path)
    draw = SvgMemo(again)
    draw(model(), href)
    draw(other, href)
    draw.save()
    assert shards(again) == before and again.hits == {KIND: 2} and len(drawn) == 2
    assert again.prune() == 0 and shards(Cache(tmp_path)) == before
    only = Cache(tmp_path)
    draw = SvgMemo(only)
    draw(model(), href)
    draw.save()
    assert drawings_kept(Cache(tmp_path)) == 1 and len(drawn) == 2
    assert drawn_once(Cache(tmp_path), other, href) == render_svg(other, href) and len(drawn) == 3


def test_an_old_drawing_per_file_is_pruned(tmp_path: Path) -> None:
    """The entries of the format before the shards (one JSON file per drawing) are pruned by the
    first build that keeps shards."""
    old = tmp_path / KIND / "ab" / ("ab" * 32 + ".json")
    old.parent.mkdir(parents=True)
    old.write_text("<svg/>")
    cache = Cache(tmp_path)
    drawn_once(cache, model(), link_href)
    assert cache.prune() == 1 and not old.exists() and drawings_kept(Cache(tmp_path)) == 1


@pytest.mark.parametrize("change", ["label", "text", "stance", "holder name", "link", "order", "title",
                                    "options", "folder", "base", "absolute"])
def test_whatever_changes_the_svg_draws_it_again(tmp_path: Path, drawn: list, change: str) -> None:
    cache = Cache(tmp_path)
    drawn_once(cache, model(), Linker(Config, "maps/argument.html"))
    m, href, options = model(), Linker(Config, "maps/argument.html"), {}
    c0 = f"{BASE}id/claim/c0"
    if change == "label":
        m.nodes[c0] = dataclasses.replace(m.nodes[c0], label="Claim zero")
    elif change == "text":
        m.nodes[c0] = dataclasses.replace(m.nodes[c0], text="Another text.")
    elif change == "stance":
        m.nodes[c0] = dataclasses.replace(m.nodes[c0], stance="rejects")
    elif change == "holder name":
        m.holders[f"{BASE}id/person/p0"] = "P Nought"
    elif change == "link":
        m.links[0] = dataclasses.replace(m.links[0], kind="supports")
    elif change == "order":
        m.links.reverse()
    elif change == "title":
        m.title = "Argument map of another test"
    elif change == "options":
        options = {"legend": False}
    elif change == "folder":
        href = Linker(Config, "maps/neighbourhood/claim/c0.svg")
    elif change == "base":
        class Other:
            base_iri = "https://example.org/other/"
        href = Linker(Other, "maps/argument.html")
    else:
        href = link_href
    svg = SvgMemo(cache)(m, href, **options)
    assert len(drawn) == 2, change
    assert svg == render_svg(m, href, **options)


def test_a_link_function_of_unknown_key_is_never_kept(tmp_path: Path, drawn: list) -> None:
    cache = Cache(tmp_path)
    for _ in range(2):
        SvgMemo(cache)(model(), lambda iri: iri)
    assert len(drawn) == 2 and not (tmp_path / KIND).exists()
    assert href_key(link_href) == "link_href" and href_key(print) is None


def test_a_damaged_or_foreign_entry_is_drawn_again_and_replaced(tmp_path: Path, drawn: list) -> None:
    href = Linker(Config, "maps/argument.html")
    drawn_once(Cache(tmp_path), model(), href)
    (path,) = (tmp_path / KIND).rglob("*.marshal")
    shard = path.name.removesuffix(".marshal")
    (key,) = Cache(tmp_path).get(KIND, shard)
    Cache(tmp_path).put(KIND, shard, {key: ["not", "a drawing"]})  # a well-formed entry of the wrong type
    cache = Cache(tmp_path)
    assert drawn_once(cache, model(), href) == render_svg(model(), href)
    assert cache.misses == {KIND: 1} and Cache(tmp_path).get(KIND, shard) == {key: render_svg(model(), href)}
    Cache(tmp_path).put(KIND, shard, ["not", "a shard"])
    cache = Cache(tmp_path)
    assert drawn_once(cache, model(), href) == render_svg(model(), href) and cache.misses == {KIND: 1}
    path.write_bytes(b"0" * 64 + b"\n{}")  # a checksum that fails
    cache = Cache(tmp_path)
    assert drawn_once(cache, model(), href) == render_svg(model(), href) and cache.misses == {KIND: 1}
    assert len(drawn) == 4 and drawings_kept(Cache(tmp_path)) == 1


def test_without_a_cache_every_drawing_is_made(tmp_path: Path, drawn: list) -> None:
    for memo in (SvgMemo(), SvgMemo(Cache(None))):
        memo(model(), link_href)
        memo(model(), link_href)
        memo.save()
    assert len(drawn) == 4 and not any(tmp_path.iterdir())


def test_the_essays_maps_with_the_cache_are_the_bytes_without_it_and_drawn_once(
        built_mini: Path, tmp_path: Path, drawn: list) -> None:
    dataset, _report, _files = validate_corpus(load_config(built_mini))
    config = load_config(built_mini)
    plain = maps(dataset, config)
    # one essay: its three maps, not a corpus's maps per essay
    assert {"maps/argument-map.svg", "maps/concept-map.svg", "maps/people-map.svg"} <= set(plain)
    assert not any(name.startswith("maps/argument-map-") for name in plain)
    n = len(drawn)
    assert n == sum(1 for name in plain if name.endswith(".svg"))  # each SVG one drawing; the pages inline them
    cache = Cache(tmp_path)
    assert maps(dataset, config, cache=cache) == plain and len(drawn) == 2 * n
    assert cache.misses == {KIND: n} and drawings_kept(Cache(tmp_path)) == n
    again = Cache(tmp_path)
    assert maps(dataset, config, cache=again) == plain
    assert len(drawn) == 2 * n and again.hits == {KIND: n} and again.misses == {}


@pytest.mark.parametrize("change", ["a name", "the order", "a holder more"])
def test_a_holders_dictionary_changed_in_place_is_digested_again(tmp_path: Path, drawn: list, change: str) -> None:
    """The memo digests a holders dictionary once and knows it again by identity; a dictionary
    changed in place since (a name, the legend's order, one more) gives the drawing of what it holds
    now, not the one of what it held."""
    href = Linker(Config, "maps/argument.html")
    m = model()
    draw = SvgMemo(Cache(tmp_path))
    first = draw(m, href)
    assert draw(m, href) == first and len(drawn) == 1
    p0, p1 = f"{BASE}id/person/p0", f"{BASE}id/person/p1"
    if change == "a name":
        m.holders[p0] = "P Nought"
    elif change == "the order":
        m.holders[p0] = m.holders.pop(p0)  # the same items, p1 first
        assert list(m.holders) == [p1, p0]
    else:
        m.holders[f"{BASE}id/person/p2"] = "P Two"
    again = draw(m, href)
    assert len(drawn) == 2 and again == render_svg(m, href) and again != first


def test_equal_models_of_other_objects_have_one_key() -> None:
    """The key is of the values, not of the objects: a model whose strings are copies (other objects,
    equal) has the key of the original, whose nodes share theirs; a node's field that is a term (a
    ``str`` subclass) still gives a key, another than the plain string's."""
    from rdflib import Literal

    from kg.maps.memo import model_bytes

    m, copied = model(), model()
    copied.nodes = {"".join(list(k)): dataclasses.replace(n, iri="".join(list(n.iri)), label="".join(list(n.label)))
                    for k, n in copied.nodes.items()}
    c0 = f"{BASE}id/claim/c0"
    assert next(iter(copied.nodes)) is not next(iter(m.nodes)) and copied.nodes[c0].iri is not m.nodes[c0].iri
    memo = SvgMemo()
    assert model_bytes(m) == model_bytes(copied) and memo.key(m, "x", {}) == memo.key(copied, "x", {})
    termed = model()
    termed.nodes[c0] = dataclasses.replace(termed.nodes[c0], label=Literal("Claim 0"))
    assert model_bytes(termed).startswith(b"r") and model_bytes(m).startswith(b"m")
    assert memo.key(termed, "x", {}) != memo.key(m, "x", {})
    moved = model()
    moved.links.reverse()
    assert model_bytes(moved) != model_bytes(m)


def test_a_neighbourhood_shares_the_whole_maps_holders() -> None:
    m = model()
    hood = m.neighbourhood(f"{BASE}id/claim/c0")
    assert hood.holders is m.holders and list(hood.nodes) == [f"{BASE}id/claim/c0", f"{BASE}id/claim/c1",
                                                              f"{BASE}id/claim/c2"]


def test_a_holders_dictionary_is_digested_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every neighbourhood of a map carries the map's holders: the memo digests them once, however
    many neighbourhoods ask, and again for another dictionary."""
    lists: list = []
    plain = memo_module._plain_bytes

    def counting(value):  # noqa: ANN001, ANN202
        if isinstance(value, list):  # the holders' items (a model's bytes are of a tuple)
            lists.append(value)
        return plain(value)
    monkeypatch.setattr(memo_module, "_plain_bytes", counting)
    m, memo = model(), SvgMemo()
    keys = {memo.key(m.neighbourhood(iri), "x", {}) for iri in m.nodes for _ in range(2)}
    assert len(keys) == 3 and len(lists) == 1
    memo.key(model(), "x", {})
    assert len(lists) == 2
