"""The maps' drawings kept in the build cache (kg/maps/memo.py): a drawing is read back only for the
very model, options and link base it was made of; anything else that changes the SVG draws it again;
a damaged entry is drawn again and replaced; a build with the cache publishes the bytes of one
without it, drawing nothing the second time."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import kg.maps.memo as memo_module
from kg.cache import Cache
from kg.config import load_config
from kg.iris import link_href
from kg.maps.memo import KIND, SvgMemo, href_key
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


def entries(cache: Cache) -> int:
    return sum(1 for _ in (cache.folder / KIND).rglob("*.json"))


def test_the_same_drawing_is_read_back_and_equals_a_fresh_one(tmp_path: Path, drawn: list) -> None:
    draw = SvgMemo(Cache(tmp_path))
    href = Linker(Config, "maps/argument.html")
    first = draw(model(), href)
    second = SvgMemo(Cache(tmp_path))(model(), Linker(Config, "maps/argument.html"))  # another build
    assert len(drawn) == 1 and first == second == render_svg(model(), href)
    assert entries(Cache(tmp_path)) == 1


@pytest.mark.parametrize("change", ["label", "text", "stance", "holder name", "link", "order", "title",
                                    "options", "folder", "base", "absolute"])
def test_whatever_changes_the_svg_draws_it_again(tmp_path: Path, drawn: list, change: str) -> None:
    cache = Cache(tmp_path)
    SvgMemo(cache)(model(), Linker(Config, "maps/argument.html"))
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
    SvgMemo(Cache(tmp_path))(model(), href)
    (path,) = (tmp_path / KIND).rglob("*.json")
    key = path.stem
    Cache(tmp_path).put(KIND, key, {"not": "a drawing"})  # a well-formed entry of the wrong type
    cache = Cache(tmp_path)
    assert SvgMemo(cache)(model(), href) == render_svg(model(), href)
    assert cache.misses == {KIND: 1} and Cache(tmp_path).get(KIND, key) == render_svg(model(), href)
    path.write_bytes(b"0" * 64 + b"\n{}")  # a checksum that fails
    assert SvgMemo(Cache(tmp_path))(model(), href) == render_svg(model(), href)
    assert len(drawn) == 3


def test_without_a_cache_every_drawing_is_made(tmp_path: Path, drawn: list) -> None:
    for memo in (SvgMemo(), SvgMemo(Cache(None))):
        memo(model(), link_href)
        memo(model(), link_href)
    assert len(drawn) == 4


def test_the_essays_maps_with_the_cache_are_the_bytes_without_it_and_drawn_once(
        built_mini: Path, tmp_path: Path, drawn: list) -> None:
    dataset, _report, _files = validate_corpus(load_config(built_mini))
    config = load_config(built_mini)
    plain = maps(dataset, config)
    n = len(drawn)
    assert n == sum(1 for name in plain if name.endswith(".svg"))  # each SVG one drawing; the pages inline them
    cache = Cache(tmp_path)
    assert maps(dataset, config, cache=cache) == plain and len(drawn) == 2 * n
    assert cache.misses == {KIND: n} and entries(cache) == n
    again = Cache(tmp_path)
    assert maps(dataset, config, cache=again) == plain
    assert len(drawn) == 2 * n and again.hits == {KIND: n} and again.misses == {}
