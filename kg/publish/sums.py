"""Pure: SHA256SUMS in parts. A part is the files one process put, their names sorted and their lines
(``digest  name``) written in that order by that process; the build's SHA256SUMS is the parts merged
by name.

At 1 M triples the site's two page processes put some 384,000 files each. They used to send the
build's parent a dictionary {name: digest} each, which the parent loaded, added to its own, sorted and
wrote out line by line at the end of the build, on one core: some 2 s. Each now sends its part
(``part``): its names joined by NUL (which no file name holds), its lines, and where each line begins.
The parent merges the parts a run at a time (``merge``): the processes put the resources' pages in
runs of neighbouring names, so that the parts interleave in a few thousand runs, each found by a
binary search and copied as one slice of its part's lines."""
from __future__ import annotations

from array import array
from bisect import bisect_left
from itertools import accumulate
from dataclasses import dataclass

#: the lines are formatted this many at a time (one ``%`` of a repeated format: at 1 M, 0.9 s for
#: 770,000 lines against 1.5 s for an f-string per line)
BATCH = 20_000
#: the type of the lines' offsets (``array``): 8 bytes, any length of lines
_OFFSET = "q"


@dataclass(frozen=True)
class Part:
    """The sorted ``names`` of some files, their SHA256SUMS ``lines`` in that order (ASCII bytes:
    UTF-8 where a name is not ASCII), and ``starts``, where each name's line begins in ``lines``
    and, last, ``len(lines)``."""

    names: list[str]
    lines: bytes
    starts: memoryview


def lines(names: list[str], digest_of, starts: bool = True) -> tuple[bytes, array | None]:  # noqa: ANN001
    """The SHA256SUMS lines of ``names`` in their order, ``digest_of(name)`` the hex digest of each;
    with ``starts``, the offset each line begins at, with the end last (else None)."""
    chunks = []
    for i in range(0, len(names), BATCH):
        batch = names[i:i + BATCH]
        fields: list = [None] * (2 * len(batch))
        fields[0::2] = map(digest_of, batch)
        fields[1::2] = batch
        chunks.append(("%s  %s\n" * len(batch) % tuple(fields)).encode())
    text = b"".join(chunks)
    if not starts:
        return text, None
    # a line is its name and 67 bytes more (a digest of 64, two spaces, a newline): where a name is
    # not ASCII, the length of its UTF-8
    lengths = map(len, names) if text.isascii() else (len(n.encode()) for n in names)
    offsets = array(_OFFSET, accumulate((67 + n for n in lengths), initial=0))
    if offsets[-1] != len(text):  # a digest that is not 64 characters
        raise ValueError("a digest of another length")
    return text, offsets


def part(digests: dict[str, str]) -> tuple[str, bytes, bytes]:
    """What a process sends of the files it put (``digests``: {name: hex digest}): its names sorted
    and joined by NUL, their lines, and the lines' offsets as bytes (``read`` makes a ``Part`` of it)."""
    names = sorted(digests)
    text, starts = lines(names, digests.__getitem__)
    return "\0".join(names), text, starts.tobytes()


def read(names: str, text: bytes, starts: bytes) -> Part:
    """The ``Part`` ``part`` sent; ValueError when it is not one (names not sorted, as many offsets as
    names and one more, the last the lines' end)."""
    listed = names.split("\0") if names else []
    offsets = memoryview(starts).cast(_OFFSET) if len(starts) % array(_OFFSET).itemsize == 0 else None
    if (offsets is None or len(offsets) != len(listed) + 1 or offsets[-1] != len(text) or offsets[0] != 0
            or any(a >= b for a, b in zip(listed, listed[1:]))):
        raise ValueError("not a part of SHA256SUMS")
    return Part(listed, text, offsets)


def digests(part: Part) -> dict[str, str]:
    """{name: hex digest} of ``part``'s files (read back from its lines)."""
    at, text = part.starts, part.lines
    return {n: text[at[i]:at[i] + 64].decode("ascii") for i, n in enumerate(part.names)}


def merge(parts: list[Part]) -> tuple[list[str], bytes]:
    """Every name of ``parts`` sorted and SHA256SUMS of them: each part's lines, in the order of the
    names. ValueError when two parts name the same file."""
    runs: list[tuple[Part, int, int]] = []  # (part, first, end): its names first..end-1, in order
    pos = [0] * len(parts)
    live = [k for k, p in enumerate(parts) if p.names]
    while live:
        # the part whose next name is the smallest, and how far its names stay below every other's next
        k = min(live, key=lambda i: parts[i].names[pos[i]])
        names, start = parts[k].names, pos[k]
        others = [parts[i].names[pos[i]] for i in live if i != k]
        if others:
            bound = min(others)
            end = bisect_left(names, bound, start)
            if end == start:
                # its next name, the smallest, is not below another part's next: the same name, a
                # file in two parts (a run that stops before such a name meets it here next). So
                # every run is at least one name long and the loop ends.
                raise ValueError(f"{bound}: in two parts of SHA256SUMS")
        else:
            end = len(names)
        runs.append((parts[k], start, end))
        pos[k] = end
        if end == len(names):
            live.remove(k)
    merged: list[str] = []
    text = []
    for p, start, end in runs:
        merged += p.names[start:end]
        text.append(p.lines[p.starts[start]:p.starts[end]])
    return merged, b"".join(text)


__all__ = ["BATCH", "Part", "digests", "lines", "merge", "part", "read"]
