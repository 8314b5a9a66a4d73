"""The essays' named graphs in the TriG dump kept in the build cache (``kg.cache``, kind ``trig``), so
that a rebuild writes again only the graphs of the essays that changed.

A named graph's block in TriG is a pure function of its triples and of the ``Namer`` that writes its
terms (``serialize.trig_body``). An essay's triples are a pure function of the digest they were
enriched under (``kg.incremental.enrich_cached`` stores them under it and reads them back by it,
``EssayTriples.key``): so the text is stored under a digest of that key, of the namer's base and
prefixes and of the code (``kg.cache.code_version``), and can only be read back for the very graph it
was written from. The ontology, the enrichments' graphs and the dataset's description carry no key
and are written each time (they are small). At 1 M triples the TriG dump is 78 MB and writing its
573 essay graphs was 7.6 s of the build's parent; after one essay changed, one graph is written.

The entries a build did not read or write are pruned with the others (``Cache.prune``).
"""
from __future__ import annotations

from collections.abc import Iterable

from kg.cache import Cache, code_version, digest
from kg.publish.serialize import Namer, trig_body

KIND = "trig"
FORMAT = "trig 1"


class TrigBodies:
    """``trig_body`` through the build cache: ``memo(graph, namer)`` is ``trig_body(graph, namer)``,
    read from ``cache`` for a graph with a ``key`` written before. Without a cache (or an enabled
    one), or for a graph without a key, it writes."""

    def __init__(self, cache: Cache | None = None) -> None:
        self.cache = cache if cache is not None and cache.enabled else None
        self._namer: Namer | None = None  # the namer of the last call, and its part of the keys
        self._namer_key = ""

    def key(self, graph_key: str, namer: Namer) -> str:
        if namer is not self._namer:  # one namer a build: its prefixes digested once
            self._namer = namer
            self._namer_key = digest(FORMAT, code_version(), namer.id_base, repr(sorted(namer.prefixes.items())))
        return digest(self._namer_key, graph_key)

    def __call__(self, graph: Iterable, namer: Namer) -> str:
        graph_key = getattr(graph, "key", None)
        if self.cache is None or not isinstance(graph_key, str):
            return trig_body(graph, namer)
        return self.cache.text(KIND, self.key(graph_key, namer), lambda: trig_body(graph, namer))


__all__ = ["FORMAT", "KIND", "TrigBodies"]
