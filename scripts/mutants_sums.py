"""Hand-written mutants of the thirty-third round's SHA256SUMS in parts (``kg.publish.sums``, the
stage's ``adopt_part`` and ``own_digests``, ``kg.publish.checksums`` and ``published_names``, the
pages' answer read by ``_forked_result``). Run by ``scripts/handmutants.py``; prints one line per
mutant and exits 1 if one survives.

    python scripts/mutants_sums.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

SUMS = ["tests/test_sums.py", "tests/test_sha256sums.py"]
BUILD = ["tests/test_sums.py", "tests/test_stage.py::test_the_pages_are_put_by_the_forked_renderer_not_sent_back"]
S, P, W = "kg/publish/sums.py", "kg/publish/__init__.py", "kg/publish/writer.py"

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    (S, "            end = bisect_left(names, bound, start)", "            end = __import__(\"bisect\").bisect_right(names, bound, start)", SUMS),
    (S, "                raise ValueError(f\"{bound}: in two parts of SHA256SUMS\")", "                pass", SUMS),  # hangs
    (S, "        k = min(live, key=lambda i: parts[i].names[pos[i]])", "        k = max(live, key=lambda i: parts[i].names[pos[i]])", SUMS),
    (S, "        text.append(p.lines[p.starts[start]:p.starts[end]])", "        text.append(p.lines[p.starts[start]:p.starts[end - 1]])", SUMS),
    (S, "            or any(a >= b for a, b in zip(listed, listed[1:]))):", "            or False):", SUMS),
    (S, "            or any(a >= b for a, b in zip(listed, listed[1:]))):", "            or any(a > b for a, b in zip(listed, listed[1:]))):", SUMS),
    (S, "len(offsets) != len(listed) + 1 or offsets[-1] != len(text)", "offsets[-1] != len(text)", SUMS),
    (S, "len(offsets) != len(listed) + 1 or offsets[-1] != len(text)", "len(offsets) != len(listed) + 1", SUMS),
    (S, "    offsets = array(_OFFSET, accumulate((67 + n for n in lengths), initial=0))",
     "    offsets = array(_OFFSET, accumulate((66 + n for n in lengths), initial=0))", SUMS),
    (S, "    lengths = map(len, names) if text.isascii() else", "    lengths = map(len, names) if True else", SUMS),
    (S, "    if offsets[-1] != len(text):  # a digest that is not 64 characters", "    if False:", SUMS),
    (S, "    return {n: text[at[i]:at[i] + 64].decode(\"ascii\")", "    return {n: text[at[i]:at[i] + 63].decode(\"ascii\")", SUMS),
    (P, "    names += [n for n in files if n not in staged and (stage is None or n not in stage)]",
     "    names += [n for n in files if n not in staged]", SUMS),
    (P, "        digests.update(staged)\n", "", SUMS),
    (P, "        elif not stage.adopt_part(part):  # one of its files put here too: read as digests",
     "        elif not stage.adopt_part(part) and False:", SUMS),
    (P, "    if len(names) != len(set(names)):  # a part's file put here again", "    if False:", SUMS),
    (P, "            stage.own_digests()  # what this process puts; the parent's own it has\n", "", BUILD),
    (W, "        if self.digests is None or not self._put.isdisjoint(part.names):", "        if self.digests is None:", SUMS),
    (W, "            self.digests = {}\n", "            pass\n", SUMS),
]


def main() -> None:
    run(M, "sums", sys.argv[1:], timeout=60)  # the tests take 3-4 s


if __name__ == "__main__":
    main()
