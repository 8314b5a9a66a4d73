"""Hand-written mutants of the thirtieth round's writers: ``kg.jsontext.Written`` (a value whose maker
writes its text), ``kg.publish.exports._items`` (the Web Annotations' items of a page from one
template), and the comparison of a file with the last build's (``kg.publish.writer._unchanged``, one
``os.read``). Run by ``scripts/handmutants.py``; prints one line per mutant and exits 1 if one survives.

    python scripts/mutants_exports.py [INDEX ...]
"""
from __future__ import annotations

import sys

from handmutants import run

JSON = ["tests/test_jsontext.py"]
WRITER = ["tests/test_writer_unchanged.py", "tests/test_stage.py", "tests/test_writer.py"]
BUILT = ["tests/test_jsontext.py", "tests/test_reader.py::test_annotations_parse_and_select_the_graphs_anchors",
         "tests/test_project.py::test_committed_output_is_fresh"]

#: (file, old text, new text, tests): each old text occurs once in its file
M = [
    # kg.jsontext: a Written value in place, json.dumps given its value
    ("kg/jsontext.py", "    if t is Written and not sort_keys:", "    if t is Written:", JSON),
    ("kg/jsontext.py", "        return v.value()", "        return v", JSON),
    ("kg/jsontext.py", "sort_keys=sort_keys, default=_written)", "sort_keys=sort_keys)", JSON),
    ("kg/jsontext.py", "        return v.text(nl)", "        return v.text(nl + \" \")", JSON),
    # kg.publish.exports: the template and the page
    ("kg/publish/exports.py", "'\"type\": \"Annotation\",'", "'\"type\": \"annotation\",'", JSON),
    ("kg/publish/exports.py", "i4, '\"suffix\": %s', i3, \"},\"", "i4, '\"suffix\": %s', i4, \"},\"", JSON),
    ("kg/publish/exports.py", "i4, '\"start\": %d,', i4, '\"end\": %d'", "i4, '\"end\": %d,', i4, '\"start\": %d'", JSON),
    ("kg/publish/exports.py", "    if not page:\n        return []\n", "", JSON),
    ("kg/publish/exports.py", "        item, q = _item_text(inner), quote", "        item, q = _item_text(nl), quote", JSON),
    ("kg/publish/exports.py", "        return \"[\" + inner + (\",\" + inner).join([",
     "        return \"[\" + inner + (\", \" + inner).join([", JSON),
    ("kg/publish/exports.py", "    return Written(text, lambda: [_item_value(*fields) for fields in page])",
     "    return Written(text, lambda: [_item_value(*fields) for fields in page[1:]])", JSON),
    # the annotations: each item's fields, in their order
    ("kg/publish/exports.py", "        entry[\"items\"] = _items(page)", "        entry[\"items\"] = page", BUILT),
    ("kg/publish/exports.py", "text[max(0, a.start - CONTEXT):a.start], text[a.end:a.end + CONTEXT], a.start, a.end))",
     "text[a.end:a.end + CONTEXT], text[max(0, a.start - CONTEXT):a.start], a.start, a.end))", BUILT),
    ("kg/publish/exports.py", "                          str(a.anchor), str(source), text[a.start:a.end],",
     "                          str(source), str(a.anchor), text[a.start:a.end],", BUILT),
    # the comparison with the last build's file
    ("kg/publish/writer.py", "                if os.read(fd, len(data) + 1) != data:", "                if False:", WRITER),
    ("kg/publish/writer.py", "                if os.read(fd, len(data) + 1) != data:",
     "                if os.read(fd, len(data) - 1) != data[:-1]:", WRITER),
    ("kg/publish/writer.py", "                if os.read(fd, len(data) + 1) != data:",
     "                if os.read(fd, len(data) + 1)[1:] != data[1:]:", WRITER),
]


def main() -> None:
    run(M, "exports", sys.argv[1:])


if __name__ == "__main__":
    main()
