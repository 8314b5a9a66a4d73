"""The union's dumps (Turtle, N-Triples, JSON-LD) of a rebuild, spliced from the files the last build
wrote: only the blocks of the subjects whose statements may have changed are written again.

Each of those dumps is a head, one block per subject in a fixed order, and a tail
(``kg.publish.serialize.union_document``), and a subject's block is a pure function of its
statements in the union and of the namer (the code, the base IRI and the prefixes). So a build
records, for each dump, its subjects in order and where each block starts in the file, with the
union as parts (``kg.graphparts.GraphParts``: each essay's triples under the key they were enriched
under, and the rest: the ontology and the enrichments). The next build finds the subjects whose
statements may differ (``GraphParts.changed_since(..., objects=False)``: the subjects of the triples
in one build's union and not the other's), writes their blocks, and copies every other block from the
last build's file, which must still be the file that build wrote (the same inode, size and
modification time, as ``kg.publish.writer.Stage.keep`` checks a page; a file changed, replaced or
removed since is written whole). At 1 M triples, one essay edited, the three writers took some 15 s
of the forked writer's CPU; spliced, see ``docs/performance.md``.

The record is one entry of the build cache (kind ``union``, marshal), written by the build's process
once the dumps are in the stage; a stale, damaged or foreign entry costs time, never a wrong byte:
``tests/test_unionmemo.py`` compares spliced dumps with dumps written whole after generated changes.
"""
from __future__ import annotations

import mmap
import os
import stat
from array import array
from collections.abc import Callable
from pathlib import Path

from kg.cache import Cache, code_version, digest
from kg.graphparts import GraphParts
from kg.publish.serialize import Namer, PreviousDocument

KIND = "union"
ENTRY = "last"
FORMAT = "union 1"


class UnionMemo:
    """``previous(writer)`` and ``record(writer, keys, offsets)`` for ``serialize.union_document``
    (``DumpInput.splice``); ``prepare`` reads the last build's record before the writers run (before
    they fork), ``save`` writes this build's once the dumps are put into the stage.

    ``output``: the last build's output folder; ``written(name)``: ``[sha256, size, mtime_ns,
    inode]`` of a file put into this build's stage (``Stage.written``); ``parts``: the union as the
    essays' parts and the rest."""

    def __init__(self, cache: Cache, output: Path, written: Callable[[str], list | None],
                 parts: GraphParts | None) -> None:
        self.cache = cache
        self.output = Path(output)
        self.written = written
        self.parts = parts
        self.files: dict[str, str] = {}        # writer -> the file it writes
        self.key = ""
        self._previous: dict[str, PreviousDocument] = {}
        self._maps: list[mmap.mmap] = []
        self.records: dict[str, tuple] = {}  # writer -> (keys, offsets as bytes, blocks taken)
        #: blocks taken from the last build's files and blocks written, over the writers of this process
        self.taken = self.made = 0

    # ------------------------------------------------------------ the last build's
    def prepare(self, namer: Namer, files: dict[str, str]) -> None:
        """Read the last build's record for the writers ``files`` ({writer: file name}) and map each
        file it recorded that is still the one it wrote."""
        self.files = dict(files)
        self.key = digest(FORMAT, code_version(), namer.id_base, repr(sorted(namer.prefixes.items())))
        self.cache.keep(KIND, ENTRY)
        if self.parts is None:
            return
        entry = self.cache.get(KIND, ENTRY)
        if not isinstance(entry, dict) or entry.get("key") != self.key or not isinstance(entry.get("files"), dict):
            return
        changed = self.parts.changed_since(entry.get("graph"), objects=False)
        if changed is None:
            return
        changed_text = {str(t) for t in changed}
        for writer, name in self.files.items():
            rec = entry["files"].get(writer)
            try:
                recorded_name, size, mtime_ns, inode, keys, offsets = rec
                if recorded_name != name or not isinstance(keys, list) or not isinstance(offsets, bytes):
                    continue
                positions = array("q")
                positions.frombytes(offsets)
            except (TypeError, ValueError):
                continue
            if len(positions) != len(keys) + 1 or not keys:
                continue
            data = self._open(name, size, mtime_ns, inode)
            if data is None or positions[-1] > len(data) + 8:  # the last offset is the file's end plus at
                continue                                       # most a separator's few bytes, less the tail
            self._previous[writer] = PreviousDocument(data, keys, positions, changed_text)

    def _open(self, name: str, size: int, mtime_ns: int, inode: int) -> mmap.mmap | None:
        """The last build's ``name``, mapped, if it is still the regular file it wrote."""
        try:
            fd = os.open(self.output / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if (not stat.S_ISREG(st.st_mode) or st.st_size != size or st.st_mtime_ns != mtime_ns
                    or st.st_ino != inode or size == 0):
                return None
            data = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        finally:
            os.close(fd)
        self._maps.append(data)
        return data

    def previous(self, writer: str) -> PreviousDocument | None:
        return self._previous.get(writer)

    # ------------------------------------------------------------ this build's
    def record(self, writer: str, keys: list, offsets: array, taken: int) -> None:
        """The layout of the dump ``writer`` made: its subjects' keys in order, where each block starts,
        and how many of the blocks were taken from the last build's file."""
        self.receive(writer, (keys, offsets.tobytes(), taken))

    def receive(self, writer: str, record: tuple) -> None:
        """A ``record`` (as ``(keys, offsets as bytes, taken)``), made here or by the forked writers."""
        keys, _offsets, taken = record
        self.records[writer] = record
        self.taken += taken
        self.made += len(keys) - taken

    def close(self) -> None:
        """Unmap the last build's files."""
        for old in self._previous.values():
            old.release()
        self._previous.clear()
        for data in self._maps:
            try:
                data.close()
            except BufferError:  # a block still referenced: unmapped when collected
                pass
        self._maps.clear()

    def save(self) -> None:
        """Record this build's layouts, with the graph as parts and each file as put into the stage."""
        self.close()
        if self.parts is None or not self.key:
            return
        files = {}
        shared: dict = {}  # one list for the writers with the same order (Turtle's and JSON-LD's)
        for writer, (keys, offsets, _taken) in sorted(self.records.items()):
            name = self.files.get(writer)
            put = self.written(name) if name is not None else None
            if put is None:
                continue
            _sha, size, mtime_ns, inode = put
            for other in shared.values():
                if other == keys:
                    keys = other
                    break
            shared[writer] = keys
            files[writer] = [name, size, mtime_ns, inode, keys, offsets]
        if files:
            self.cache.put(KIND, ENTRY, {"key": self.key, "graph": self.parts.manifest(), "files": files,
                                         "taken": self.taken, "made": self.made})  # this build's counts


__all__ = ["ENTRY", "FORMAT", "KIND", "UnionMemo"]
