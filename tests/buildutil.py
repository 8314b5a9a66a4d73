"""Helpers of the incremental-build tests (tests/test_incremental.py, tests/test_pagememo.py): a copy of
a built project, an output tree as bytes, the comparison of two trees, and how many pages the last
build kept and rendered, blocks and gzip pieces it took and made."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from kg.cache import CACHE_DIR, Cache
from kg.publish.search import PATH as SEARCH_PATH


def copy_project(warm: Path, root: Path) -> None:
    """A copy of the warm project whose output/ holds the warm build's very files (hard links: the
    same inodes and times, as a project's own last output has), the rest copied."""
    shutil.copytree(warm, root, symlinks=True, ignore=lambda folder, _names: ["output"] if Path(folder) == warm else [])
    shutil.copytree(warm / "output", root / "output", copy_function=os.link)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def same(a: dict, b: dict) -> None:
    assert sorted(a) == sorted(b)
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, differ[:10]


def pages_made(root: Path) -> tuple[int, int]:
    """(pages linked from the last output, pages rendered) by the last build of the project ``root``:
    its page processes' records in the cache (kg/publish/pagememo.py)."""
    kept = rendered = 0
    cache = Cache(root / CACHE_DIR)
    for entry in sorted((root / CACHE_DIR / "pages").rglob("share-*")):
        doc = cache.get("pages", entry.name.split(".")[0])
        kept, rendered = kept + doc["kept"], rendered + doc["rendered"]
    return kept, rendered


def blocks_made(root: Path) -> tuple[int, int]:
    """(blocks taken from the last output's dumps, blocks written) by the last build of the project
    ``root`` in its union dumps (kg/publish/unionmemo.py), from its record in the cache."""
    doc = Cache(root / CACHE_DIR).get("union", "last", count=False)
    return doc["taken"], doc["made"]


def pieces_made(root: Path) -> dict[str, tuple[int, int]]:
    """{gzip copy: (pieces taken from the last build's, pieces compressed)} of the last build of the
    project ``root`` (kg/publish/gzmemo.py), from its entries in the cache."""
    from kg.publish.gzmemo import KIND, memo_key
    from kg.registry import DUMP_FORMATS, GZ

    cache = Cache(root / CACHE_DIR)
    got = {}
    for fmt in DUMP_FORMATS:
        if fmt.gzipped:
            doc = cache.get(KIND, memo_key(fmt.file + GZ), count=False)
            got[fmt.file + GZ] = (doc["taken"], doc["made"])
    return got


def memoised_pages(files: dict) -> int:
    """The pages among an output tree's files that the page memo keeps or renders
    (kg/publish/pagememo.py): the resources' pages and the pages listing them (the kinds', the
    classes', the search index)."""
    return sum(1 for name in files if name.startswith(("site/id/", "site/kinds/", "site/classes/"))
               and name.endswith(".html") or name == "site/" + SEARCH_PATH)
