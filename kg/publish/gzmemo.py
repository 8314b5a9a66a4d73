"""The dumps' gzip copies made of pieces, so that a rebuild compresses again only the pieces whose
text changed.

A copy is one gzip member (RFC 1952: no file name, no timestamp) whose deflate stream is the
pieces' streams one after another: each piece is compressed alone, by a fresh compressor (no
back-reference reaches into another piece), and ends on a byte boundary with a sync flush (an empty
stored block, not the last); an empty last block (``END``) closes the stream. Any gzip reader reads
it as one stream (``pigz`` writes the same kind). The pieces are found from the text alone: a piece
ends with the first line, at least ``MIN_PIECE`` bytes after the piece starts, whose CRC-32 has its
low ``MARK_BITS`` bits zero (or at ``MAX_PIECE`` bytes). An edit moves no boundary before it, and the
boundaries after it fall on the same lines again a line or so later, so the pieces after it are the
same text as before.

So the bytes are a pure function of the text (and of zlib and the level): a build with the memo and
a build without it write the same file. The memo is one entry of the build cache per file (kind
``gzip``, marshal): the SHA-256 of each piece's text and its compressed bytes, in order, and how many
pieces this build took and compressed. A rebuild
looks each piece up by its SHA-256 and compresses only those it does not find: at 1 M triples, one
essay edited, one piece of 124-313 changed per dump (``docs/performance.md``). An entry that is
damaged is ignored by the cache; one that is stale only finds fewer pieces.
"""
from __future__ import annotations

import hashlib
import struct
import zlib

from kg.cache import Cache, code_version, digest

KIND = "gzip"
FORMAT = "gzip pieces 1"

#: gzip's own default level: at 1 M triples level 9 took twice as long (the N-Triples dump 2.2 s
#: against 1.0 s, the dumps' copies some 8 s of a rebuild's CPU) for files 0.7-3 % smaller
GZ_LEVEL = 6
#: a piece's least and most bytes (but the last piece, which may be shorter): at 1 M triples the
#: dumps are 124-313 pieces, 0.9-1.4 % larger than one stream
MIN_PIECE = 512 * 1024
MAX_PIECE = 4 * 1024 * 1024
#: a line ends a piece (once past ``MIN_PIECE``) when this many low bits of its CRC-32 are zero: one
#: line in 256
MARK_BITS = 8
_MASK = (1 << MARK_BITS) - 1

#: the member's header: deflate, no flags, no time, no extra flags, Unix (what ``gzip.compress(data,
#: mtime=0)`` writes at level 6)
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
#: an empty last block (fixed Huffman codes, only the end-of-block code)
END = b"\x03\x00"


def boundaries(data: bytes) -> list[int]:
    """Where the pieces of ``data`` end (the last is ``len(data)``; none for empty data)."""
    ends: list[int] = []
    size = len(data)
    start = 0
    find = data.find
    while start < size:
        end = min(start + MAX_PIECE, size)
        at = start + MIN_PIECE
        if at < end:
            line = find(b"\n", at - 1, end) + 1  # the first line that starts at or after ``at``
            while 0 < line < end:
                nl = find(b"\n", line, end)
                if nl < 0:
                    break
                if zlib.crc32(data[line:nl]) & _MASK == 0:
                    end = nl + 1
                    break
                line = nl + 1
        ends.append(end)
        start = end
    return ends


def compress_piece(piece) -> bytes:  # noqa: ANN001 - bytes or a memoryview
    """One piece's deflate stream: fresh, raw, ended by a sync flush (byte-aligned, not last)."""
    c = zlib.compressobj(GZ_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(piece) + c.flush(zlib.Z_SYNC_FLUSH)


def gz_pieces(data: bytes, previous: dict[bytes, bytes] | None = None) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The gzip copy of ``data`` and its pieces (``[(sha256 of the text, compressed)]``); a piece
    whose SHA-256 is in ``previous`` is taken from there, not compressed again."""
    view = memoryview(data)
    pieces: list[tuple[bytes, bytes]] = []
    start = 0
    for end in boundaries(data):
        piece = view[start:end]
        key = hashlib.sha256(piece).digest()
        made = previous.get(key) if previous else None
        pieces.append((key, made if made is not None else compress_piece(piece)))
        start = end
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return b"".join([HEADER, *(p[1] for p in pieces), END, trailer]), pieces


def gz(data: bytes) -> bytes:
    """Deterministic gzip of ``data`` in pieces (no file name, no timestamp, level ``GZ_LEVEL``)."""
    return gz_pieces(data)[0]


def memo_key(name: str) -> str:
    """The cache key of file ``name``'s pieces: the code, zlib and the level make the bytes."""
    return digest(FORMAT, code_version(), zlib.ZLIB_RUNTIME_VERSION, str(GZ_LEVEL), name)


class GzMemo:
    """The pieces of the last build's gzip copies, by file name, in the build cache. ``keep(name)``
    in the build's process marks an entry another process (the forked writers) reads and writes."""

    def __init__(self, cache: Cache | None) -> None:
        self.cache = cache if cache is not None and cache.enabled else None
        #: pieces taken from the memo and compressed, over this process's files
        self.taken = self.made = 0

    def keep(self, name: str) -> None:
        if self.cache is not None:
            self.cache.keep(KIND, memo_key(name))

    def gz(self, name: str, data: bytes) -> bytes:
        """The gzip copy of ``data`` (file ``name``), from the last build's pieces where they fit; the
        pieces are stored for the next build."""
        if self.cache is None:
            return gz(data)
        key = memo_key(name)
        previous = _pieces(self.cache.get(KIND, key, count=False))
        out, pieces = gz_pieces(data, previous)
        taken = sum(1 for k, _ in pieces if k in previous)
        self.taken += taken
        self.made += len(pieces) - taken
        self.cache.put(KIND, key, {"pieces": [x for piece in pieces for x in piece],
                                   "taken": taken, "made": len(pieces) - taken})  # this build's counts
        return out


def _pieces(stored) -> dict[bytes, bytes]:  # noqa: ANN001
    """``{sha256: compressed}`` of a stored entry (``pieces``: a flat list, key, bytes, key, bytes,
    ...); empty if it is not one."""
    flat = stored.get("pieces") if isinstance(stored, dict) else None
    if not isinstance(flat, list) or len(flat) % 2:
        return {}
    keys, made = flat[0::2], flat[1::2]
    if not all(isinstance(k, bytes) and len(k) == 32 for k in keys) or not all(isinstance(m, bytes) for m in made):
        return {}
    return dict(zip(keys, made))
