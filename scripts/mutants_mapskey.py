"""Hand-written mutants of the thirty-fifth round's change: the maps' drawing keys made of
``marshal``'s bytes and the holders digested once per dictionary (``kg.maps.memo.SvgMemo.key``,
``_holders_digest``, ``model_bytes``, ``_plain_bytes``; ``kg.maps.model.MapModel.neighbourhood``).
Run by ``scripts/handmutants.py``; prints one line per mutant and exits 1 if one survives.

    python scripts/mutants_mapskey.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

T = ["tests/test_maps_memo.py"]
F = "kg/maps/memo.py"

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    # the holders' memo: a dictionary changed in place since taken for the one digested
    (F, "hit[0] is holders and hit[1] == holders and hit[2] == list(holders)",
     "hit[0] is holders and hit[1] == holders", T),
    (F, "hit[0] is holders and hit[1] == holders and hit[2] == list(holders)",
     "hit[0] is holders and hit[2] == list(holders)", T),
    (F, "hit[0] is holders and hit[1] == holders and hit[2] == list(holders)", "hit[0] is holders", T),
    (F, "        self._holders[id(holders)] = (holders, dict(holders), list(holders), d)",
     "        self._holders[id(holders)] = (holders, holders, list(holders), d)", T),
    (F, "        self._holders[id(holders)] = (holders, dict(holders), list(holders), d)",
     "        self._holders[id(holders)] = (holders, dict(holders), holders, d)", T),
    # the holders left out of the key, or only their names or their order
    (F, "self._holders_digest(model.holders),\n", "\"\",\n", T),
    (F, "        d = digest(_plain_bytes(list(holders.items())))", "        d = digest(_plain_bytes(list(holders)))", T),
    (F, "        d = digest(_plain_bytes(list(holders.items())))",
     "        d = digest(_plain_bytes(sorted(holders.items())))", T),
    # a part of the model left out of its bytes
    (F, "    return _plain_bytes((model.name, model.title, list(model.nodes),",
     "    return _plain_bytes((model.name, list(model.nodes),", T),
    (F, "list(map(_NODE_FIELDS, model.nodes.values())),", "", T),
    (F, "                         list(map(_LINK_FIELDS, model.links))))", "                         ))", T),
    (F, "                         list(map(_LINK_FIELDS, model.links))))",
     "                         sorted(map(_LINK_FIELDS, model.links))))", T),
    (F, "_NODE_FIELDS = attrgetter(*(f.name for f in fields(Node)))",
     "_NODE_FIELDS = attrgetter(*(f.name for f in fields(Node)[:3]))", T),
    # marshal with back-references (equal values of other objects give other bytes), or no tag
    (F, "        return b\"m\" + marshal.dumps(value, 2)", "        return b\"m\" + marshal.dumps(value)", T),
    (F, "        return b\"r\" + repr(value).encode(\"utf-8\")", "        return b\"m\" + repr(value).encode(\"utf-8\")", T),
    # a neighbourhood's own copy of the holders (the memo digests each again: slower, and named by its test)
    ("kg/maps/model.py", "        sub.holders = self.holders\n", "        sub.holders = dict(self.holders)\n", T),
]


def main() -> None:
    run(M, "mapskey", sys.argv[1:])


if __name__ == "__main__":
    main()
