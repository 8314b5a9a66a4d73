"""The maps' drawings kept in the build cache (``kg.cache``, kind ``maps``), so that a build draws
again only the maps whose content changed.

``render_svg`` is a pure function of the model it draws (its name, title, nodes, links and holders,
in their order), of its options and of where its links point from: an SVG document is stored under a
digest of all of these and of the code (``kg.cache.code_version``), so an entry can only be read back
for the very drawing it was made of; a changed, new or damaged entry costs a layout, never a wrong
map. At 1 M triples a corpus's maps are some 8,600 drawings (two per essay for ``maps/``, two for the
site, one neighbourhood per claim, quotation and concept) and their layout is most of the maps' time:
after one essay changed, only its drawings and its claims' neighbourhoods are laid out again.

The entries a build did not read or write are pruned with the others (``Cache.prune``).
"""
from __future__ import annotations

from collections.abc import Callable

from kg.cache import Cache, code_version, digest
from kg.iris import link_href
from kg.maps.model import MapModel
from kg.maps.svg import render_svg

KIND = "maps"
FORMAT = "maps 1"


def href_key(href: Callable[[str], str | None]) -> str | None:
    """What a link function's results depend on, as text (``memo_key`` of ``kg.maps.pages.Linker``,
    or ``link_href``'s name); None for another function (its drawings are not kept)."""
    if href is link_href:
        return "link_href"
    return getattr(href, "memo_key", None)


class SvgMemo:
    """``render_svg`` through the build cache: ``memo(model, href, **options)`` is
    ``render_svg(model, href, **options)``, read from ``cache`` when the same drawing was made before.
    Without a cache (or an enabled one), or for a link function of unknown key, it draws."""

    def __init__(self, cache: Cache | None = None) -> None:
        self.cache = cache if cache is not None and cache.enabled else None
        self._common = digest(FORMAT, code_version()) if self.cache is not None else ""
        self._holders: dict[tuple, str] = {}  # a model's holders (in order) -> their digest

    def key(self, model: MapModel, where: str, options: dict) -> str:
        """The digest of every field ``render_svg`` reads, in order (nodes and links are frozen
        dataclasses of strings, numbers and flags, whose ``repr`` is the same in every process), of
        the options and of the links' base. The holders are digested once per list: every
        neighbourhood of a map carries the whole map's (at 1 M, thousands of names in each of 6,300
        neighbourhoods, most of the keys' time when written out each time)."""
        holders = tuple(model.holders.items())
        hd = self._holders.get(holders)
        if hd is None:
            hd = self._holders[holders] = digest(repr(holders))
        return digest(self._common, where, repr(sorted(options.items())), hd,
                      repr((model.name, model.title, list(model.nodes.items()), model.links)))

    def __call__(self, model: MapModel, href: Callable[[str], str | None], **options: object) -> str:
        where = href_key(href)
        if self.cache is None or where is None:
            return render_svg(model, href, **options)
        return self.cache.text(KIND, self.key(model, where, options), lambda: render_svg(model, href, **options))


__all__ = ["FORMAT", "KIND", "SvgMemo", "href_key"]
