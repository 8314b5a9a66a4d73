"""The claims' nanopublications kept in the build cache (``kg.cache``, kind ``nanopubs``), so that a
rebuild makes again only those whose content changed.

A claim's nanopublication (``kg.publish.argument.claim_nanopub``) is its quads
(``nanopub_quads``: the claim's triples, its anchors', who offers evidence for it, the publication
info) made into a Trusty URI, signed when a key is configured, and written as TriG. Reading the
quads from the graph is the cheap part; the normalised text, its sort, the hash, the renaming and
the TriG are most of the time (at 1 M triples some 2,900 claims, about 2 s of the dump writers'
process in every build). So each TriG text is kept under a digest of everything it is made of: the
quads (each term as self-delimiting text, in their order), the temporary namespace, the signer, a
digest of the signing key, the namer's base and prefixes; the entry that holds the texts is named
by the memo's format and the code (``kg.cache.code_version``).
A nanopublication is read back only for the very quads it was made of; a changed, new or damaged
one costs its making, never a wrong file.

The texts are kept together in one entry (``kg.cache.ShardedMemo``, the maps' drawings' memo, with
one shard), read on the first look-up; ``save`` writes it again only when this build's texts are not
the ones it holds, so what a build did not make is gone with it.
The entry is made in whichever process makes the argument's exports (the forked dump writers, or
the build's own process); the build's process ``keep``s it from pruning either way.
"""
from __future__ import annotations

import hashlib

from kg.cache import Cache, ShardedMemo, code_version, digest, shard_key
from kg.publish.pagememo import term_text

KIND = "nanopubs"
FORMAT = "nanopubs 1"


def _common() -> str:
    return digest(FORMAT, code_version())


def entry_key() -> str:
    """The cache key of the one entry (a ``kg.cache.ShardedMemo`` of one shard): named by the memo's
    format and the code, which make the texts."""
    return shard_key(_common(), 0)


def keep(cache: Cache | None) -> None:
    """Keep the entry from pruning (the build's process, when another may make the exports)."""
    if cache is not None and cache.enabled:
        cache.keep(KIND, entry_key())


def quads_text(quads: list[tuple]) -> str:
    """The quads as text no other list of quads gives (each term's ``term_text``, a quad a line)."""
    return "\n".join("".join(map(term_text, quad)) for quad in quads)


class NanopubMemo:
    """``memo(quads, ns, make, signing_key, signer, namer)`` is ``make()`` (the TriG bytes of the
    nanopublication of ``quads`` under ``ns``), read from the cache when the same one was made
    before; ``save()`` keeps this build's texts for the next. Without an (enabled) cache it makes."""

    def __init__(self, cache: Cache | None = None) -> None:
        cache = cache if cache is not None and cache.enabled else None
        self.kept = ShardedMemo(cache, KIND, _common(), 1, bytes) if cache is not None else None

    def key(self, quads: list[tuple], ns: str, signing_key: str, signer: str, namer) -> str:  # noqa: ANN001
        """What a text is made of (the memo's format and the code name the entry that holds it)."""
        return digest(ns, signer, hashlib.sha256(signing_key.encode("utf-8")).hexdigest(),
                      namer.id_base, repr(sorted(namer.prefixes.items())), quads_text(quads))

    def __call__(self, quads: list[tuple], ns: str, make, signing_key: str, signer: str, namer) -> bytes:  # noqa: ANN001
        if self.kept is None:
            return make()
        return self.kept.made(self.key(quads, ns, signing_key, signer, namer), make)

    def save(self) -> None:
        """Keep this build's texts (the entry written again only when they are not the ones it holds)."""
        if self.kept is not None:
            self.kept.save()


__all__ = ["FORMAT", "KIND", "NanopubMemo", "entry_key", "keep", "quads_text"]
