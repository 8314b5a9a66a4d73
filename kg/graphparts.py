"""Pure: a graph as parts (each essay's triples under the key they were enriched under) and the rest,
and which nodes may have changed between the graph an earlier build recorded and this one
(``GraphParts.changes_since``): the incremental build's pages (``kg.publish.pagememo``) and its
validation's reached hashes (``kg.incremental``) skip what no changed node touches."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kg.rdfmake import decode_triples, encode_triples


@dataclass
class GraphParts:
    """A graph as parts: ``keys`` {part name: the key its triples are known by} (the same key, the same
    triples: an essay's enrichment key), ``current(name)`` a part's triples now, ``old(key)`` the
    triples a key stood for in an earlier build (None when they cannot be found: the cache pruned or
    damaged), and ``rest`` every other triple of the graph (small: the ontology, the enrichments, the
    dataset's description)."""

    keys: dict[str, str]
    current: Callable[[str], Iterable[tuple]]
    old: Callable[[str], Iterable[tuple] | None]
    rest: list[tuple]

    def manifest(self) -> dict:
        """What an earlier build records of its graph, for ``changed_since``."""
        return {"parts": dict(self.keys), "rest": encode_triples(self.rest)}

    def changed_since(self, manifest, objects: bool = True) -> set | None:  # noqa: ANN001
        """The nodes whose statements or incoming links may differ from the graph ``manifest`` recorded:
        the subjects and objects (only the subjects: ``objects=False``, the nodes whose statements may
        differ) of each triple in one graph and not the other (``changes_since``). None when that
        cannot be known: then the caller treats every node as changed."""
        changes = self.changes_since(manifest)
        if changes is None:
            return None
        subjects, objs = changes
        return subjects | objs if objects else subjects

    def changes_since(self, manifest) -> tuple[set, set] | None:  # noqa: ANN001
        """``(subjects, objects)`` of each triple in one graph and not the other, of the parts whose key
        changed (or that came or went) and of the rest: a node's statements may differ only if it is
        among the subjects, its incoming links only if it is among the objects. None when that cannot
        be known (no or a damaged manifest, a part's earlier triples not found)."""
        try:
            parts, rest = manifest["parts"], decode_triples(manifest["rest"])
            if not isinstance(parts, dict) or not all(isinstance(k, str) for k in parts.values()):
                return None
        except (KeyError, TypeError, ValueError):
            return None
        subjects: set = set()
        objects: set = set()

        def differ(before: Iterable[tuple], after: Iterable[tuple]) -> None:
            for s, _p, o in set(before).symmetric_difference(after):
                subjects.add(s)
                objects.add(o)
        differ(rest, self.rest)
        for name in sorted(set(parts) | set(self.keys)):
            then, now = parts.get(name), self.keys.get(name)
            if then == now:
                continue
            before = () if then is None else self.old(then)
            if before is None:
                return None
            differ(before, () if now is None else self.current(name))
        return subjects, objects


__all__ = ["GraphParts"]
