"""Hand-written mutants of the thirty-third round's change: a page's reads looked up in a byte a row
of its table, made once (``kg.publish.pagememo.PageMemo._unchanged`` and ``_sorted``); and of the
thirty-ninth's: each read's value recorded (``digests``), the reads that may differ compared with it,
the reads of unchanged nodes found recorded (``_then``). Run by
``scripts/handmutants.py``; prints one line per mutant and exits 1 if one survives.

    python scripts/mutants_pagememo.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

UNIT = ["tests/test_pagememo.py::test_a_pages_reads_are_looked_up_among_the_changed_nodes_and_checked_for_damage"]
CHAIN = ["tests/test_pagememo.py::test_a_chain_of_builds_continues_the_table_and_keeps_only_true_pages",
         "tests/test_pagememo.py::test_a_kept_page_is_the_page_rendered_again_after_any_change"]
RELABEL = ["tests/test_pagememo.py::test_a_relabelled_persons_lists_value_only_the_reads_of_what_changed"]
DIGESTS = ["tests/test_pagememo.py::test_the_new_entry_records_each_reads_value_now_or_none"] + CHAIN
F = "kg/publish/pagememo.py"

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    (F, "        if min(ids) < 0:\n            raise", "        if min(ids) < -1:\n            raise", UNIT),
    (F, "        if min(ids) < 0:\n            raise", "        if False:\n            raise", UNIT),
    (F, "        if worst == _CLEAN:\n            return True", "        if worst <= _OTHER:\n            return True", UNIT),
    (F, "        if worst == _BAD:\n            raise ValueError", "        if False:\n            raise ValueError", UNIT),
    (F, "            if sort[i] != _CLEAN:\n                then = table.recorded(i)",
     "            if sort[i] == _OTHER:\n                then = table.recorded(i)", UNIT),
    (F, "                if then is None:\n                    return None", "                if then is None:\n                    return True", UNIT),
    (F, "                if v != then:\n                    return False", "                if v == then:\n                    return False", UNIT),
    (F, "        return v if v != _UNKNOWN else None", "        return v", UNIT),
    (F, "        return table.recorded(i) if sort[i] == _CLEAN else None", "        return table.recorded(i)", DIGESTS),
    (F, "            self.valued += 1\n", "", RELABEL),
    (F, "                    out[i * DIGEST:(i + 1) * DIGEST] = _UNKNOWN\n", "                    pass\n", DIGESTS),
    (F, "            if v is not None:\n                out[i * DIGEST:(i + 1) * DIGEST] = v\n        return bytes(out)",
     "            pass\n        return bytes(out)", DIGESTS),
    (F, "                    if v is not None:\n                        self._carried[j] = v", "                    pass", DIGESTS),
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
