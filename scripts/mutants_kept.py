"""Hand-written mutants of ``kg.publish.serialize.Kept`` (the page processes' memos kept in two
generations) and of its three users: each must fail the tests that cover it (docs/testing.md; the
runner: ``scripts/handmutants.py``).

    python scripts/mutants_kept.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

KEPT = ["tests/test_kept.py"]
USERS = ["tests/test_kept.py", "tests/test_resource_rdf_pieces.py", "tests/test_pages_fast.py"]
LISTS = ["tests/test_pages_fast.py"]

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    ("kg/publish/serialize.py", "        value = self.old.pop(key, _ABSENT)\n        if value is _ABSENT:\n            value = self.make(key)",
     "        value = self.make(key)", KEPT),
    ("kg/publish/serialize.py", "        value = self.old.pop(key, _ABSENT)\n        if value",
     "        value = self.old.get(key, _ABSENT)\n        if value", KEPT),
    ("kg/publish/serialize.py", "        if len(self) >= self.limit:\n            self.old = dict(self)",
     "        if len(self) > self.limit:\n            self.old = dict(self)", KEPT),
    ("kg/publish/serialize.py", "            self.old = dict(self)\n            self.clear()\n",
     "            self.clear()\n", KEPT),
    ("kg/publish/serialize.py", "            self.old = dict(self)\n            self.clear()\n",
     "            self.old.update(self)\n            self.clear()\n", KEPT),
    ("kg/publish/serialize.py", "        self[key] = value\n        return value\n\n    def forget",
     "        return value\n\n    def forget", KEPT),
    ("kg/publish/serialize.py", "            value = self.old.get(key, _ABSENT)\n        return",
     "            pass\n        return", KEPT),
    ("kg/publish/serialize.py", "        return self.make(key) if value is _ABSENT else value",
     "        return self[key]", KEPT),
    # the users: the bounds, and what each keeps
    ("kg/publish/resource_rdf.py", "        self._links = Kept(self._make_link, KEEP_LINKS)",
     "        self._links = Kept(self._make_link, 2 * KEEP_LINKS)", USERS),
    ("kg/publish/resource_rdf.py", "        self._nt = Kept(nt_term, 10 * KEEP_LINKS)",
     "        self._nt = Kept(nt_term, 20 * KEEP_LINKS)", USERS),
    ("kg/publish/resource_rdf.py", "        self.ix.preds(iri)  # recorded", "        pass  # recorded", USERS),
    ("kg/publish/pages.py", "        self._nodes = Kept(self._node_parts, KEEP_NODES)",
     "        self._nodes = Kept(self._node_parts, 2 * KEEP_NODES)", USERS),
    # the descriptions' namer (fortieth round): bounded, by KEEP_TERMS
    ("kg/publish/serialize.py", "        memo = Memo if keep is None else partial(_kept, keep)",
     "        memo = Memo", USERS),
    ("kg/publish/serialize.py", "    return Kept(make, limit)", "    return Kept(make, limit + 1)", USERS),
    ("kg/publish/resource_rdf.py", "        self.namer = namer or Namer(base_iri, keep=KEEP_TERMS)",
     "        self.namer = namer or Namer(base_iri)", USERS),
    # the kinds' and classes' pages' lists (fortieth round)
    ("kg/publish/pages.py", "        if not mark or _LIST_MARK in tail:", "        if not mark:", LISTS),
    ("kg/publish/pages.py", "    return item[0], item[1]", "    return item[0]", LISTS),
    ("kg/publish/pages.py", "    return term[\"text\"].lower(), term[\"iri\"], line.encode(\"utf-8\")",
     "    return term[\"text\"], term[\"iri\"], line.encode(\"utf-8\")", LISTS),
    ("kg/publish/pages.py", "        return b\"\".join([head.encode(\"utf-8\"), *(i[2] for i in items), tail.encode(\"utf-8\")])",
     "        return b\"\".join([head.encode(\"utf-8\"), *(i[2] for i in items[::-1]), tail.encode(\"utf-8\")])", LISTS),
    # what a page process forgets before its lists and records (fortieth round)
    ("kg/publish/serialize.py", "        self.clear()\n        self.old = {}\n", "        self.clear()\n", USERS),
    ("kg/publish/serialize.py", "            memo.forget()\n", "            memo.clear()\n", USERS),
    ("kg/publish/resource_rdf.py", "        self._links.forget()\n        self.namer.forget()", "        self._links.forget()", USERS),
    ("kg/publish/pages.py", "        self._terms, self._folder = {}, None\n        self._nodes.forget()",
     "        self._terms, self._folder = {}, None", USERS),
]

if __name__ == "__main__":
    run(M, "kept", sys.argv[1:], timeout=300)
