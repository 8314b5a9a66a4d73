"""Hand-written mutants of the thirty-third round's change: a page's reads looked up in a byte a row
of its table, made once (``kg.publish.pagememo.PageMemo._unchanged`` and ``_sorted``). Run by
``scripts/handmutants.py``; prints one line per mutant and exits 1 if one survives.

    python scripts/mutants_pagememo.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

UNIT = ["tests/test_pagememo.py::test_a_pages_reads_are_looked_up_among_the_changed_nodes_and_checked_for_damage"]
F = "kg/publish/pagememo.py"

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    (F, "        if min(ids) < 0:\n            raise", "        if min(ids) < -1:\n            raise", UNIT),
    (F, "        if min(ids) < 0:\n            raise", "        if False:\n            raise", UNIT),
    (F, "        if worst == _CLEAN:\n            return True", "        if worst <= _OTHER:\n            return True", UNIT),
    (F, "        if worst == _BAD:\n            raise ValueError", "        if False:\n            raise ValueError", UNIT),
    (F, "        if worst == _CHANGED:\n            return None", "        if False:\n            return None", UNIT),
    (F, "        if worst == _CHANGED:\n            return None", "        if worst == _CHANGED:\n            return True", UNIT),
    (F, "                if stored.get(i) != v:\n                    return False\n        return True",
     "                if stored.get(i) == v:\n                    return False\n        return True", UNIT),
    (F, "            if sort[i] == _OTHER:\n                v = values[i]", "            if sort[i] == _CLEAN:\n                v = values[i]", UNIT),
    (F, "        if not ids:\n            return True", "        if not ids:\n            return None", UNIT),
    (F, "                elif row[2] in (subjects if tag == \"O\" else objects):",
     "                elif row[2] in (objects if tag == \"O\" else subjects):", UNIT),
    (F, "            except (TypeError, IndexError, KeyError):\n                sort[i] = _BAD",
     "            except (TypeError, IndexError, KeyError):\n                sort[i] = _OTHER", UNIT),
    (F, "                if type(row) not in (tuple, list) or len(row) != 3", "                if len(row) != 3", UNIT),
    (F, "(row[1] != \"u\" and row[1] != \"b\") or type(row[2]) is not str:\n                    sort[i] = _BAD",
     "(row[1] != \"u\" and row[1] != \"b\"):\n                    sort[i] = _BAD", UNIT),
    (F, "            else:\n                sort[i] = _OTHER\n", "            else:\n                sort[i] = _BAD\n", UNIT),
    (F, "_CLEAN, _OTHER, _CHANGED, _BAD = 0, 1, 2, 3", "_CLEAN, _OTHER, _CHANGED, _BAD = 0, 2, 1, 3", UNIT),
    (F, "_CLEAN, _OTHER, _CHANGED, _BAD = 0, 1, 2, 3", "_CLEAN, _OTHER, _CHANGED, _BAD = 0, 1, 3, 2", UNIT),
]


def main() -> None:
    run(M, "pagememo", sys.argv[1:])


if __name__ == "__main__":
    main()
