"""The maps' drawings kept in the build cache (``kg.cache``, kind ``maps``), so that a build draws
again only the maps whose content changed.

``render_svg`` is a pure function of the model it draws (its name, title, nodes, links and holders,
in their order), of its options and of where its links point from: each SVG document is kept under a
digest of all of these and of the code (``kg.cache.code_version``), so a drawing can only be read back
for the very drawing it was made of; a changed, new or damaged one costs a layout, never a wrong map.
At 1 M triples a corpus's maps are some 8,600 drawings (two per essay for ``maps/``, two for the site,
one neighbourhood per claim, quotation and concept) and their layout is most of the maps' time: after
one essay changed, only its drawings and its claims' neighbourhoods are laid out again.

The drawings are kept together, in ``SHARDS`` entries (a drawing in the shard its key's first digit
names), each a dictionary from a drawing's key to its SVG: one file per drawing was 8,600 files to
open, check and decode at 1 M (2.1 s of the maps' 6 s), the shards are 16 (some 70 MB in all). The
memo (``kg.cache.ShardedMemo``) reads a shard when a drawing first asks for it, and ``save`` (the end of the maps) writes a
shard again only when this build's drawings in it are not the ones it holds; the entries are the
last build's for this code, so what a build did not draw is gone from the cache with them. The hits
and misses are counted per drawing.
"""
from __future__ import annotations

import marshal
from collections.abc import Callable
from dataclasses import fields
from operator import attrgetter

from kg.cache import Cache, ShardedMemo, code_version, digest
from kg.iris import link_href
from kg.maps.model import Link, MapModel, Node
from kg.maps.svg import render_svg

KIND = "maps"
FORMAT = "maps 3"
#: how many entries the drawings are kept in
SHARDS = 16


def href_key(href: Callable[[str], str | None]) -> str | None:
    """What a link function's results depend on, as text (``memo_key`` of ``kg.maps.pages.Linker``,
    or ``link_href``'s name); None for another function (its drawings are not kept)."""
    if href is link_href:
        return "link_href"
    return getattr(href, "memo_key", None)


class SvgMemo:
    """``render_svg`` through the build cache: ``memo(model, href, **options)`` is
    ``render_svg(model, href, **options)``, read from ``cache`` when the same drawing was made before;
    ``save()`` keeps this build's drawings for the next. Without a cache (or an enabled one), or for a
    link function of unknown key, it draws."""

    def __init__(self, cache: Cache | None = None) -> None:
        self.cache = cache if cache is not None and cache.enabled else None
        self._common = digest(FORMAT, code_version()) if self.cache is not None else ""
        #: id(a holders dict) -> (the dict, a copy of it, its keys in order, their digest)
        self._holders: dict[int, tuple[dict, dict, list, str]] = {}
        self.kept = ShardedMemo(self.cache, KIND, self._common, SHARDS) if self.cache is not None else None

    def key(self, model: MapModel, where: str, options: dict) -> str:
        """The digest of every field ``render_svg`` reads, in order (``model_bytes``), of the options
        and of the links' base. The holders are digested once per dictionary (``_holders_digest``):
        every neighbourhood of a map carries the whole map's (at 1 M, 1,400 names in each of 6,300
        neighbourhoods)."""
        return digest(self._common, where, repr(sorted(options.items())), self._holders_digest(model.holders),
                      model_bytes(model))

    def _holders_digest(self, holders: dict) -> str:
        """The digest of ``holders``' items in order, made once for each dictionary: a dictionary seen
        before (the same object, kept alive here so that its id is not reused) is digested again only
        when its items or their order differ from the copy taken then (a comparison in C, some 30 µs
        for 1,400 names, against 70 µs to make and hash the tuple of its items)."""
        hit = self._holders.get(id(holders))
        if hit is not None and hit[0] is holders and hit[1] == holders and hit[2] == list(holders):
            return hit[3]
        d = digest(_plain_bytes(list(holders.items())))
        self._holders[id(holders)] = (holders, dict(holders), list(holders), d)
        return d

    def __call__(self, model: MapModel, href: Callable[[str], str | None], **options: object) -> str:
        where = href_key(href)
        if self.kept is None or where is None:
            return render_svg(model, href, **options)
        return self.kept.made(self.key(model, where, options), lambda: render_svg(model, href, **options))

    def save(self) -> None:
        """Keep this build's drawings (``kg.cache.ShardedMemo.save``)."""
        if self.kept is not None:
            self.kept.save()


_NODE_FIELDS = attrgetter(*(f.name for f in fields(Node)))
_LINK_FIELDS = attrgetter(*(f.name for f in fields(Link)))


def _plain_bytes(value: object) -> bytes:
    """``value`` as bytes that only equal values give: ``marshal``'s version 2 (no references
    between objects, which later versions write where an object is met twice: equal values made of
    other objects would give other bytes) for plain strings, numbers, booleans, lists and tuples,
    else (a subclass of ``str``, a term) its ``repr``; the first byte tells which."""
    try:
        return b"m" + marshal.dumps(value, 2)
    except ValueError:
        return b"r" + repr(value).encode("utf-8")


def model_bytes(model: MapModel) -> bytes:
    """Every field of ``model`` that ``render_svg`` reads but the holders, in order, as bytes
    (``_plain_bytes``): its name, title, nodes (their keys and fields) and links (their fields).
    At 1 M some 8,600 drawings are looked up; their ``repr`` took 0.25 s, this 0.11 s."""
    return _plain_bytes((model.name, model.title, list(model.nodes), list(map(_NODE_FIELDS, model.nodes.values())),
                         list(map(_LINK_FIELDS, model.links))))


def shards_kept(cache: Cache) -> list[dict]:
    """The shards of this code's drawings that ``cache`` keeps (each empty when absent)."""
    memo = SvgMemo(cache)
    return [memo.kept.shard(i) for i in range(SHARDS)] if memo.kept is not None else []


def drawings_kept(cache: Cache) -> int:
    """How many drawings ``cache`` keeps."""
    return sum(len(shard) for shard in shards_kept(cache))


__all__ = ["FORMAT", "KIND", "SHARDS", "SvgMemo", "drawings_kept", "href_key", "model_bytes", "shards_kept"]
