"""EDGE: the build cache (``.kg-cache/`` in the project folder; ``kg build --no-cache`` neither reads nor
writes it). What the incremental build (``kg.incremental``) stores: each essay's enriched triples and
each validation unit's pySHACL results, under a content hash of everything they depend on.

An entry is one file, ``<kind>/<key[:2]>/<key>.json``: the first line is the sha256 of the rest, the
rest is JSON (terms as tagged lists, no pickles: a cache file can never run code), or for the kinds of
``MARSHAL_KINDS`` (``<key>.marshal``) Python's ``marshal`` format, which holds only data too and is
read only once the checksum matched. A file that is missing, truncated, altered or not what its kind expects is ignored (and removed): the work is
redone, so a damaged or stale cache can cost time but never change the output. Keys are hashes of the
inputs (files' bytes, the code of ``kg/`` and the versions of rdflib, pySHACL and pyoxigraph), so an
entry is never stale: a change of any input is a different key. After a successful build the entries
it did not use are removed, so the cache holds one build's worth.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import tempfile
from collections.abc import Callable
from dataclasses import fields
from functools import lru_cache
from pathlib import Path

#: the folder, in the project folder (gitignored)
CACHE_DIR = ".kg-cache"
#: the layout of the entries; part of every key
FORMAT = "kg-cache 1"


def digest(*parts: str | bytes) -> str:
    """sha256 of the parts, each length-prefixed (no two lists of parts give the same text)."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8") if isinstance(p, str) else p
        h.update(f"{len(b)}:".encode("ascii"))
        h.update(b)
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the package's Python sources and of the libraries that shape the output."""
    import pyoxigraph
    import rdflib

    try:
        from importlib.metadata import version
        shacl = version("pyshacl")
    except Exception:  # noqa: BLE001 - a missing distribution record: the import path decides
        shacl = "?"
    package = Path(__file__).resolve().parent
    parts: list[str | bytes] = [FORMAT, rdflib.__version__, shacl, pyoxigraph.__version__]
    for path in sorted(package.rglob("*.py")):
        parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    return digest(*parts)


def config_key(config) -> str:  # noqa: ANN001
    """The settings an essay's enrichment may read (all of kg.toml but the project's place and -q)."""
    return json.dumps({f.name: str(getattr(config, f.name)) for f in fields(config) if f.name not in ("root", "quiet")},
                      sort_keys=True)


def files_key(paths) -> str:  # noqa: ANN001
    """The names and bytes of files (sorted by path)."""
    parts: list[str | bytes] = []
    for p in sorted(Path(x) for x in paths):
        parts += [p.name, p.read_bytes()]
    return digest(*parts)


# ---------------------------------------------------------------- the store

#: The kinds whose entries are written with ``marshal`` (Python's own format for its constants: the
#: same lists, tuples, dicts, strings and numbers as JSON, written two to eight times and read two to
#: five times as fast) instead of JSON: the essays' enriched triples (at 1 M, 573 entries, 77 MB, read
#: back in 0.33 s instead of 1.59 s on the one core a rebuild's first seconds use:
#: ``bench/bench_enrich_cache.py``); the pages' records (``kg.publish.pagememo``), two entries of some
#: 95 MB each at 1 M, which took a one-edit rebuild's page processes 9 s of CPU to read and write as
#: JSON; the validation's record of its units' reached hashes (``kg.incremental._LastBuild``); the
#: union's dumps' layouts (``kg.publish.unionmemo``); the gzip copies' compressed pieces (``kg.publish.gzmemo``:
#: bytes, which JSON cannot hold); the maps' drawings, in 16 shards (``kg.maps.memo``). An entry's
#: checksum is checked before it is read, so a damaged file is never given to ``marshal``; one
#: Python's entries that another cannot read are misses.
MARSHAL_KINDS = frozenset({"enrich", "gzip", "maps", "nanopubs", "pages", "reached", "union"})


def _suffix(kind: str) -> str:
    """The file name ending of ``kind``'s entries."""
    return ".marshal" if kind in MARSHAL_KINDS else ".json"


class Cache:
    """Entries by kind and key; ``Cache(None)`` is a cache that holds nothing (``--no-cache``)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.used: dict[str, set[str]] = {}
        #: {kind: count} of this build's look-ups found and not found (or ignored: damaged)
        self.hits: dict[str, int] = {}
        self.misses: dict[str, int] = {}

    @classmethod
    def for_project(cls, root: Path) -> Cache:
        return cls(Path(root) / CACHE_DIR)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / f"{key}{_suffix(kind)}"

    def get(self, kind: str, key: str, count: bool = True):  # noqa: ANN201
        """The value stored under ``key`` (JSON, or marshal for ``MARSHAL_KINDS``), or None (absent,
        damaged: then removed). ``count=False``: a look-up of an earlier build's entry, neither counted
        among the hits and misses nor kept from pruning by this look-up."""
        if self.folder is None:
            return None
        if count:
            self.used.setdefault(kind, set()).add(key)
        path = self._path(kind, key)
        try:
            raw = path.read_bytes()
        except OSError:
            if count:
                self.count(kind, False)
            return None
        head, _, body = raw.partition(b"\n")
        try:
            if head.decode("ascii") != hashlib.sha256(body).hexdigest():
                raise ValueError("checksum")  # checked before marshal reads a byte of it
            entry = marshal.loads(body) if kind in MARSHAL_KINDS else json.loads(body)
            if not isinstance(entry, dict) or entry.get("key") != key or "value" not in entry:
                raise ValueError("another entry")  # e.g. a file copied over another: not this key's
        except (ValueError, UnicodeDecodeError, EOFError, TypeError):
            path.unlink(missing_ok=True)
            if count:
                self.count(kind, False)
            return None
        if count:
            self.count(kind, True)
        return entry["value"]

    def holds(self, kind: str, key: str) -> bool:
        """Whether an entry is stored under ``key`` (not read: ``get`` may still find it damaged)."""
        return self.folder is not None and self._path(kind, key).is_file()

    def keep(self, kind: str, key: str) -> None:
        """Count ``key`` as used by this build (not pruned) without reading it: another process (a page
        process) reads and writes it."""
        if self.folder is not None:
            self.used.setdefault(kind, set()).add(key)

    def count(self, kind: str, hit: bool) -> None:
        """Count a look-up of ``kind``, found or not (``get``'s, and those answered from an entry
        that holds many: ``kg.maps.memo``'s shards)."""
        counts = self.hits if hit else self.misses
        counts[kind] = counts.get(kind, 0) + 1

    def miss(self, kind: str) -> None:
        """Count an entry that was found but could not be used (the caller's check failed)."""
        self.hits[kind] -= 1
        self.misses[kind] = self.misses.get(kind, 0) + 1

    def put(self, kind: str, key: str, value) -> None:  # noqa: ANN001
        """Store ``value`` (JSON data); a cache that cannot be written is no error (the build goes on)."""
        if self.folder is None:
            return
        self.used.setdefault(kind, set()).add(key)
        entry = {"key": key, "value": value}
        body = (marshal.dumps(entry) if kind in MARSHAL_KINDS
                else json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:  # two writes: the body not copied (a share's pages, 81 MB at 1 M)
                fh.write(hashlib.sha256(body).hexdigest().encode("ascii") + b"\n")
                fh.write(body)
            os.replace(tmp, path)
        except OSError:
            pass

    def text(self, kind: str, key: str, make: Callable[[], str]) -> str:
        """The text stored under ``key``, or ``make()``'s, stored there (``kg.publish.dumpmemo``'s
        memo): an entry that is not text is counted a miss and replaced."""
        hit = self.get(kind, key)
        if isinstance(hit, str):
            return hit
        if hit is not None:
            self.miss(kind)
        value = make()
        self.put(kind, key, value)
        return value

    def prune(self) -> int:
        """Remove the entries of the kinds used in this build that it did not use; how many."""
        if self.folder is None:
            return 0
        removed = 0
        for kind, keep in self.used.items():
            suffix = _suffix(kind)
            for path in (self.folder / kind).glob("*/*"):
                if path.name.startswith(".entry-"):
                    continue  # another process's entry being written (the pages' processes)
                if path.name.removesuffix(suffix) not in keep:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed


def shard_key(common: str, shard: int) -> str:
    """The key of shard ``shard`` of the results named by ``common`` (``ShardedMemo``)."""
    return digest(common, "shard", str(shard))


class ShardedMemo:
    """Many small results of one ``kind`` kept in ``shards`` entries of ``cache``, so that a build
    reads back what the last one made under the same key and makes only the rest (the maps'
    drawings, ``kg.maps.memo``, in 16; the nanopublications, ``kg.publish.nanopubmemo``, in one).

    A result is kept under a key its maker derives from everything the result is made of, in the
    shard its key's first hex digit names: a dictionary ``{key: value}`` in one entry, named by
    ``common`` (the maker's format and the code, so that only the code that made a result reads it
    back) and the shard's number. One entry a result was thousands of files to open and check (the
    maps' 8,600 drawings at 1 M: 2.1 s of their 6 s). A shard is read when a key first asks for it;
    ``save`` writes it again only when this build's results in it are not the ones it holds (else it
    only keeps it from pruning), so what a build did not ask for is gone with the shard.

    ``get(key)``: the value made under ``key`` in this build or kept by the last (None when neither,
    or when it is not a ``type_``: a damaged entry costs the making, never a wrong result), counted as
    a hit or a miss of ``kind``; ``add(key, value)``: this build's value; ``made(key, make)``: the two
    together, ``make()`` called only when nothing is kept; ``save()``: keep them."""

    def __init__(self, cache: Cache, kind: str, common: str, shards: int = 16, type_: type = str) -> None:
        self.cache, self.kind, self.common, self.shards, self.type_ = cache, kind, common, shards, type_
        self._last: list[dict | None] = [None] * shards  # the shards as the last build left them, once read
        self._made: list[dict] = [{} for _ in range(shards)]  # this build's values by shard

    def shard(self, shard: int) -> dict:
        """The values the last build kept in ``shard`` (read on first use; empty when absent or not a
        dictionary)."""
        last = self._last[shard]
        if last is None:
            got = self.cache.get(self.kind, shard_key(self.common, shard), count=False)
            last = self._last[shard] = got if isinstance(got, dict) else {}
        return last

    def get(self, key: str):  # noqa: ANN201
        shard = int(key[0], 16) % self.shards
        value = self._made[shard].get(key)  # made (or read) before in this build
        if value is None:
            value = self.shard(shard).get(key)
        found = isinstance(value, self.type_)
        self.cache.count(self.kind, found)
        return value if found else None

    def add(self, key: str, value) -> None:  # noqa: ANN001
        self._made[int(key[0], 16) % self.shards][key] = value

    def made(self, key: str, make: Callable[[], object]):  # noqa: ANN201
        """The value under ``key`` (``get``), else ``make()``'s; either way this build's (``add``)."""
        value = self.get(key)
        if value is None:
            value = make()
        self.add(key, value)
        return value

    def save(self) -> None:
        for shard, made in enumerate(self._made):
            key = shard_key(self.common, shard)
            if made == self.shard(shard):  # a value read back is the shard's own object: no text compared
                self.cache.keep(self.kind, key)
            else:
                self.cache.put(self.kind, key, made)
        self._last = [None] * self.shards
