"""Hand-written mutants of the thirty-fifth round's nanopublications kept in the build cache
(``kg.publish.nanopubmemo``, ``kg.publish.argument.claim_nanopub``'s memo, the build's ``keep``).
Run by ``scripts/handmutants.py``; prints one line per mutant and exits 1 if one survives.

    python scripts/mutants_nanopubmemo.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

T = ["tests/test_nanopubmemo.py"]
F = "kg/publish/nanopubmemo.py"
C = "kg/cache.py"  # the memo of results in shards, which it shares with the maps

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    # a part of what makes the text left out of its key
    (F, "        return digest(ns, signer, hashlib", "        return digest(ns, hashlib", T),
    (F, "hashlib.sha256(signing_key.encode(\"utf-8\")).hexdigest(),", "", T),
    (F, "                      namer.id_base, repr(sorted(namer.prefixes.items())), quads_text(quads))",
     "                      namer.id_base, repr(sorted(namer.prefixes.items())))", T),
    (F, "    return \"\\n\".join(\"\".join(map(term_text, quad)) for quad in quads)",
     "    return \"\\n\".join(\"\".join(map(str, quad)) for quad in quads)", T),
    (F, "    return \"\\n\".join(\"\".join(map(term_text, quad)) for quad in quads)",
     "    return \"\\n\".join(sorted(set(\"\".join(map(term_text, quad)) for quad in quads)))", T),
    # the entry's key without the code
    (F, "    return digest(FORMAT, code_version())", "    return digest(FORMAT)", T),
    # a text that is not bytes taken, a damaged entry kept, the memo on without a cache
    (C, "        found = isinstance(value, self.type_)", "        found = value is not None", T),
    (C, "            last = self._last[shard] = got if isinstance(got, dict) else {}",
     "            last = self._last[shard] = got or {}", T),
    (F, "        if self.kept is None:\n            return make()", "        if False:\n            return make()", T),
    # a text made again although one is kept (``ShardedMemo.made``)
    (C, "        if value is None:\n            value = make()", "        if True:\n            value = make()", T),
    # this build's texts never written, always written, or the last build's kept instead
    (C, "            if made == self.shard(shard):", "            if True:", T),
    (C, "            if made == self.shard(shard):", "            if False:", T),
    (C, "                self.cache.put(self.kind, key, made)", "                self.cache.put(self.kind, key, {**self.shard(shard), **made})", T),
    # the claim's memo not passed, or the memo's answer dropped
    ("kg/publish/argument.py", "        data = claim_nanopub(g, claim, config, namer, key, slug, memo)",
     "        data = claim_nanopub(g, claim, config, namer, key, slug)", T),
    ("kg/publish/argument.py", "    memo.save()  # this build's, for the next", "", T),
    # the build's process not keeping the entry (the forked writers made it)
    ("kg/publish/__init__.py", "    nanopubmemo.keep(cache)  # its nanopublications' entry, made in whichever process makes them\n",
     "", T),
]


def main() -> None:
    run(M, "nanopubmemo", sys.argv[1:])


if __name__ == "__main__":
    main()
