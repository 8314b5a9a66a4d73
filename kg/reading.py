"""Pure: the reading order of an essay's text (``reading-order.txt`` in the essay's folder).

The OCR transcript (``source.txt``) prints the essay's columns in a scrambled order. The reading
order lists spans of it (code-point offsets, each with the text it starts with, which the build
checks) in the order a reader reads them, grouped in the title, sections, paragraphs and notes;
spans that are not part of the essay's text (running heads, page furniture, column debris) are
listed as ``skip``. Every code point of the text belongs to exactly one span: a gap or an overlap is
an error naming the file and the offsets. A span may carry OCR corrections (``fix``); the printed
(diplomatic) text stays the span's own characters. The format is described in docs/curation.md.
"""
from __future__ import annotations

import heapq
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import SourceError
from kg.files import read_utf8

READING_NAME = "reading-order.txt"
#: Span kinds and what they are part of.
SPAN_KINDS = ("title", "byline", "heading", "text", "skip")
_SPAN = re.compile(r'^(?P<kind>[a-z]+)\s+(?P<start>\d+)-(?P<end>\d+)\s+(?P<quote>"(?:[^"\\]|\\.)*")\s*(?P<rest>.*)$')
_MARKER = re.compile(r'^marker\s+(?P<note>\d+)\s+(?P<start>\d+)-(?P<end>\d+)\s+(?P<quote>"(?:[^"\\]|\\.)*")\s*$')
_FIX = re.compile(r'^fix\s+(?P<printed>"(?:[^"\\]|\\.)*")\s+(?P<corrected>"(?:[^"\\]|\\.)*")\s*$')
_SECTION = re.compile(r"^section\s+(?P<slug>[a-z0-9][a-z0-9-]*)\s*$")
_NOTE = re.compile(r"^note\s+(?P<n>\d+|\?)\s*$")


class ReadingOrderError(SourceError):
    """A reading order that does not parse, does not match the text, or does not cover it exactly once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems),
                         hint="Every character of source.txt belongs to exactly one span of reading-order.txt "
                              "(see docs/curation.md, 'Reading order').")


@dataclass(frozen=True)
class Piece:
    """One span of the text: ``kind`` (title, byline, heading, text, skip), code points
    ``start``–``end``, the line of the reading order that lists it, its OCR corrections as
    (start, end, replacement) in source offsets, and for a skip the reason."""

    kind: str
    start: int
    end: int
    line: int
    fixes: tuple[tuple[int, int, str], ...] = ()
    reason: str = ""

    def corrected(self, text: str) -> str:
        out, at = [], self.start
        for a, b, rep in self.fixes:
            out.append(text[at:a])
            out.append(rep)
            at = b
        out.append(text[at:self.end])
        return "".join(out)


@dataclass(frozen=True)
class Block:
    """What the reader shows as one unit, in reading order: the essay's ``title`` or ``byline``, a
    section ``heading``, a ``paragraph`` or a ``note``. ``section`` is the slug of the section it is
    in (None before the first); ``number`` counts paragraphs (1, 2, … in reading order) or is the
    note's printed number (0 when the OCR lost it: ``note ?``); ``key`` names the block in the
    reader's ids and in IRIs (the paragraph's or note's number, ``u1``, ``u2``, … for notes without one)."""

    kind: str
    section: str | None
    number: int
    pieces: tuple[Piece, ...]
    line: int
    key: str = ""

    def text(self, text: str) -> str:
        """The corrected reading, white space normalised, spans joined by one space."""
        return " ".join(" ".join(p.corrected(text).split()) for p in self.pieces).strip()


@dataclass(frozen=True)
class Marker:
    """A note marker in the running text (e.g. “(2)”), linked to note ``note``."""

    note: int
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class ReadingOrder:
    path: Path
    blocks: tuple[Block, ...]
    skips: tuple[Piece, ...]
    markers: tuple[Marker, ...]
    sections: tuple[str, ...] = field(default=())

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "paragraph"]

    @property
    def notes(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "note"]

    def pieces(self) -> list[Piece]:
        """The text's spans (not the skips) in reading order."""
        return [p for b in self.blocks for p in b.pieces]


def _quote(raw: str) -> str:
    return json.loads(raw)


def _show(s: str, n: int = 30) -> str:
    s = s.replace("\n", "⏎")
    return s if len(s) <= n else s[: n - 1] + "…"


def parse_reading_order(source: str, text: str, path: Path) -> ReadingOrder:
    """Parse ``source`` (the reading order file's content) against ``text`` (the essay's text).
    Raises ``ReadingOrderError`` listing every problem, each naming ``path`` and a line or offsets."""
    problems: list[str] = []
    blocks: list[dict] = []
    skips: list[Piece] = []
    markers: list[Marker] = []
    sections: list[str] = []
    section: str | None = None
    current: dict | None = None
    last: dict | None = None  # the last span, for `fix`
    paragraphs = 0
    unnumbered = 0

    def open_block(kind: str, number: int, line: int, key: str = "") -> dict:
        blocks.append({"kind": kind, "section": section, "number": number, "pieces": [], "line": line,
                       "key": key or str(number)})
        return blocks[-1]

    for n, raw in enumerate(source.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path}:{n}"
        try:
            if line == "p":
                paragraphs += 1
                current, last = open_block("paragraph", paragraphs, n), None
                continue
            if m := _SECTION.match(line):
                section = m["slug"]
                if section in sections:
                    problems.append(f"{where}: section {section} is opened twice")
                sections.append(section)
                current, last = None, None
                continue
            if m := _NOTE.match(line):
                if m["n"] == "?":
                    unnumbered += 1
                    current, last = open_block("note", 0, n, f"u{unnumbered}"), None
                else:
                    current, last = open_block("note", int(m["n"]), n), None
                continue
            if m := _FIX.match(line):
                if last is None:
                    problems.append(f"{where}: a fix must follow the span it corrects")
                    continue
                printed, corrected = _quote(m["printed"]), _quote(m["corrected"])
                span = text[last["start"]:last["end"]]
                found = [mm.start() for mm in re.finditer(re.escape(printed), span)] if printed else []
                if not found:
                    problems.append(f"{where}: fix {printed!r} does not occur in the span {last['start']}-{last['end']}")
                    continue
                for i in found:
                    last["fixes"].append((last["start"] + i, last["start"] + i + len(printed), corrected))
                continue
            if m := _MARKER.match(line):
                start, end, quote = int(m["start"]), int(m["end"]), _quote(m["quote"])
                if text[start:end] != quote:
                    problems.append(f"{where}: marker {start}-{end} is {_show(text[start:end])!r} in the text, "
                                    f"not {_show(quote)!r}")
                markers.append(Marker(int(m["note"]), start, end, n))
                continue
            m = _SPAN.match(line)
            if not m or m["kind"] not in SPAN_KINDS:
                problems.append(f"{where}: cannot read {_show(line, 50)!r} (expected p, section SLUG, note N|?, "
                                f"title|byline|heading|text|skip START-END \"start text\", marker N START-END \"…\", "
                                f"or fix \"printed\" \"corrected\")")
                continue
            kind, start, end, quote = m["kind"], int(m["start"]), int(m["end"]), _quote(m["quote"])
            if not 0 <= start < end <= len(text):
                problems.append(f"{where}: span {start}-{end} is not inside the text (0-{len(text)})")
                continue
            if not quote or not text.startswith(quote, start) or len(quote) > end - start:
                problems.append(f"{where}: span {start}-{end} starts with {_show(text[start:start + max(len(quote), 12)])!r}"
                                f" in the text, not {_show(quote)!r}")
                continue
            span = {"kind": kind, "start": start, "end": end, "line": n, "fixes": [], "reason": m["rest"].strip()}
            last = span
            if kind == "skip":
                skips.append(span)  # type: ignore[arg-type]
                continue
            if kind in ("title", "byline", "heading"):
                if kind == "heading" and section is None:
                    problems.append(f"{where}: a heading must follow `section SLUG`")
                open_block(kind, 0, n)["pieces"].append(span)
                current = None
                continue
            if current is None:
                problems.append(f"{where}: a text span must follow `p` or `note N`")
                continue
            current["pieces"].append(span)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: bad string ({exc.msg})")
    if problems:
        raise ReadingOrderError(problems)

    def piece(d: dict) -> Piece:
        return Piece(d["kind"], d["start"], d["end"], d["line"], tuple(sorted(d["fixes"])), d["reason"])

    out_blocks = tuple(Block(b["kind"], b["section"], b["number"], tuple(piece(p) for p in b["pieces"]), b["line"],
                             b["key"])
                       for b in blocks)
    order = ReadingOrder(path, out_blocks, tuple(piece(s) for s in skips), tuple(markers), tuple(sections))
    check(order, text)
    return order


def check(order: ReadingOrder, text: str) -> None:
    """Every code point of ``text`` in exactly one span; blocks not empty; markers inside text spans
    and pointing at notes; notes numbered once. Raises ``ReadingOrderError`` naming the offsets."""
    path = order.path
    problems: list[str] = []
    for b in order.blocks:
        if not b.pieces:
            problems.append(f"{path}:{b.line}: {b.kind} has no span")
    numbers = [b.number for b in order.notes if b.number]
    for n in sorted({x for x in numbers if numbers.count(x) > 1}):
        problems.append(f"{path}: note {n} is given more than once")
    spans = sorted([*order.pieces(), *order.skips], key=lambda p: (p.start, p.end))
    at = 0
    for i, p in enumerate(spans):
        if p.start > at:
            problems.append(f"{path}: gap: characters {at}-{p.start} ({_show(text[at:p.start])!r}) belong to no span")
        elif p.start < at:
            prev = max((q for q in spans[:i] if q.end > p.start), key=lambda q: q.end)
            problems.append(f"{path}: overlap: characters {p.start}-{min(at, p.end)} are in the spans of lines "
                            f"{prev.line} and {p.line}")
        at = max(at, p.end)
    if at < len(text):
        problems.append(f"{path}: gap: characters {at}-{len(text)} ({_show(text[at:])!r}) belong to no span")
    texts = [p for p in order.pieces() if p.kind == "text"]
    notes = set(numbers)
    for m in order.markers:
        if not any(p.start <= m.start and m.end <= p.end for p in texts):
            problems.append(f"{path}:{m.line}: marker {m.start}-{m.end} is not inside a text span")
        if m.note not in notes:
            problems.append(f"{path}:{m.line}: marker of note {m.note}, but no `note {m.note}`")
    if problems:
        raise ReadingOrderError(problems)


def load_reading_order(folder: Path, text: str) -> ReadingOrder | None:
    """EDGE helper for kg.sources: the essay's reading order, or None when it has none."""
    path = folder / READING_NAME
    if not path.exists() and not path.is_symlink():
        return None
    # a folder, a broken link, an unreadable or non-UTF-8 file: one line naming it (kg.files)
    return parse_reading_order(read_utf8(path), text, path)


# --- nesting annotations in a span, for the reader and the TEI --------------------------------------

@dataclass(frozen=True)
class Layer:
    """An interval to mark up inside a span: ``start``–``end`` (source offsets), a ``rank`` (lower
    encloses higher when both cover the same characters) and a ``payload`` for the writer."""

    start: int
    end: int
    rank: int
    payload: object
    part: int = 0  # 0 for the first piece of an interval split by nesting, 1, 2, … for the rest


def nest(start: int, end: int, layers: list[Layer]) -> list:
    """A tree of ``("text", a, b)`` and ``(layer, children)`` covering ``start``–``end`` where
    ``layers`` (clipped to the range) nest properly: an interval that crosses the end of an
    enclosing one is split there (its later pieces have ``part`` > 0)."""
    heap = []
    for i, ly in enumerate(layers):
        a, b = max(ly.start, start), min(ly.end, end)
        if a < b:
            heapq.heappush(heap, (a, -b, ly.rank, i, Layer(a, b, ly.rank, ly.payload, ly.part)))
    root: list = []
    stack: list[tuple[Layer, list]] = []
    pos = start
    counter = len(layers)

    def emit(upto: int) -> None:
        nonlocal pos
        if upto > pos:
            (stack[-1][1] if stack else root).append(("text", pos, upto))
            pos = upto

    def close_until(limit: int) -> None:
        while stack and stack[-1][0].end <= limit:
            emit(stack[-1][0].end)
            layer, children = stack.pop()
            (stack[-1][1] if stack else root).append((layer, children))

    while heap:
        a, _nb, _r, _i, ly = heapq.heappop(heap)
        close_until(a)
        emit(a)
        if stack and stack[-1][0].end < ly.end:  # crosses the enclosing interval's end: split
            cut = stack[-1][0].end
            counter += 1
            heapq.heappush(heap, (cut, -ly.end, ly.rank, counter, Layer(cut, ly.end, ly.rank, ly.payload, ly.part + 1)))
            ly = Layer(ly.start, cut, ly.rank, ly.payload, ly.part)
        stack.append((ly, []))
    close_until(end)
    emit(end)
    return root
