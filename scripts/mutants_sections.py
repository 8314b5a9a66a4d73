"""Hand-written mutants of the thirty-sixth round's change: the summary's sections made once
(``kg.publish.summary.Sections.order``, ``Sections.of``), the maps' holder colours looked up among
the palette's length of holders (``kg.maps.svg.holder_colour``) and the reader pages' essay looked
up by its id (``kg.publish.pages.Renderer.essay_of``), and the templates' globals as one plain dict
(``kg.publish.pages._Environment.make_globals``), and the pages' records of their files packed
(``kg.publish.pagememo.pack_files``, ``unpack_files``, ``_is_packed``, ``PageMemo.previous``). Run by ``scripts/handmutants.py``; prints one
line per mutant and exits 1 if one survives.

    python scripts/mutants_sections.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

T = ["tests/test_summary_sections.py"]
P = ["tests/test_pages_fast.py::test_an_essay_looked_up_by_its_id"]
G = ["tests/test_pages_fast.py::test_a_templates_globals_are_one_plain_dict"]
R = ["tests/test_pagememo.py::test_a_pages_file_records_packed_and_read_back",
     "tests/test_pagememo.py::test_a_record_whose_files_are_not_packed_is_ignored"]
PM = "kg/publish/pagememo.py"
S = "kg/publish/summary.py"
V = "kg/maps/svg.py"

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    # a section's place: one for all, reversed, or the order of the mentions (no order at all)
    (S, "self.order = {s: i for secs", "self.order = {s: 0 for secs", T),
    (S, "self.order = {s: i for secs", "self.order = {s: -i for secs", T),
    (S, "    order = r.sections().order\n", "    order = dict.fromkeys(r.sections().order, 0)\n", T),
    # the section an offset stands in: the boundaries
    (S, "i = bisect_right(self._starts.get(essay, ()), start) - 1",
     "i = bisect_right(self._starts.get(essay, ()), start - 1) - 1", T),
    (S, "i = bisect_right(self._starts.get(essay, ()), start) - 1",
     "i = bisect_right(self._starts.get(essay, ()), start)", T),
    (S, "        return secs[i][2] if i >= 0 else None\n", "        return secs[i][2] if i > 0 else None\n", T),
    (S, "self._starts = {e: [x[0] for x in secs]", "self._starts = {e: sorted(x[0] for x in secs)[::-1]", T),
    # the holders' colours: by their sorted names, the palette's last for the others, no white for no holder
    (V, "    for colour, h in zip(PALETTE, model.holders):", "    for colour, h in zip(PALETTE, sorted(model.holders)):", T),
    (V, "            return colour\n    return OTHER\n", "            return colour\n    return PALETTE[-1]\n", T),
    (V, "    if holder not in model.holders:\n        return (\"#ffffff\", \"#9e9e9e\")\n", "", T),
    # the essay of an id: the last one, or any IRI's whole text
    ("kg/publish/pages.py", "self._essay_by_id.setdefault(str(e).rsplit(\"/\", 1)[-1], e)",
     "self._essay_by_id[str(e).rsplit(\"/\", 1)[-1]] = e", P),
    ("kg/publish/pages.py", "self._essay_by_id.setdefault(str(e).rsplit(\"/\", 1)[-1], e)",
     "self._essay_by_id.setdefault(str(e).rsplit(\"/\", 2)[-2], e)", P),
    # a template's own globals under the environment's, or left out
    ("kg/publish/pages.py", "        return {**self.globals, **(d or {})}", "        return {**(d or {}), **self.globals}", G),
    ("kg/publish/pages.py", "        return {**self.globals, **(d or {})}", "        return dict(self.globals)", G),
    # a page's files packed: another layout, a pair of any length, of any type, read back in another
    # order, a path with a NUL packed, a record not packed taken by the memo
    (PM, '_FILE = struct.Struct("<32sQqQ")', '_FILE = struct.Struct("<32sQQQ")', R),
    (PM, '            and len(v[1]) == _FILE.size * (v[0].count("\\0") + 1))', '            and len(v[1]) % _FILE.size == 0)', R),
    (PM, '    return (type(v) is list and len(v) == 2 and', '    return (len(v) == 2 and', R),
    (PM, '    return {name: [sha.hex(), size, mtime, inode]', '    return {name: [sha.hex(), size, inode, mtime]', R),
    (PM, '    if not names or any("\\0" in n for n in names):', '    if not names:', R),
    (PM, '            if ids is None or not _is_packed(files):', '            if ids is None:', R),
]


def main() -> None:
    run(M, "sections", sys.argv[1:], timeout=600)


if __name__ == "__main__":
    main()
