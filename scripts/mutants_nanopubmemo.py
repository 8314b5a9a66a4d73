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
    (F, "        found = isinstance(data, bytes)", "        found = data is not None", T),
    (F, "            self._last = got if isinstance(got, dict) else {}", "            self._last = got or {}", T),
    (F, "        if self.cache is None:\n            return make()", "        if False:\n            return make()", T),
    # this build's texts never written, always written, or the last build's kept instead
    (F, "        if self._made == self._previous():", "        if True:", T),
    (F, "        if self._made == self._previous():", "        if False:", T),
    (F, "            self.cache.put(KIND, entry_key(), self._made)", "            self.cache.put(KIND, entry_key(), {**self._previous(), **self._made})", T),
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
