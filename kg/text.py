"""Pure: finding evidence in an essay's text. Offsets count Unicode code points (Python indices),
as Web Annotation's TextPositionSelector does."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

CONTEXT = 32  # characters of prefix and suffix kept in a TextQuoteSelector


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def exact(self, text: str) -> str:
        return text[self.start:self.end]

    def prefix(self, text: str) -> str:
        return text[max(0, self.start - CONTEXT):self.start]

    def suffix(self, text: str) -> str:
        return text[self.end:self.end + CONTEXT]


_SPACE_RUN = re.compile(r"\s+")


class _Squeezed:
    """A text with each white-space run (``\\s+``: what ``str.split`` splits at) written as one
    space, and where each of its characters stands in the text. A passage's words joined by single
    spaces occur here exactly where they occur in the text with white-space runs between them, so
    a passage or a mention is found with ``str.find`` instead of a regular expression compiled for
    each (the essay's hundreds of quotations and names: about 70 ms of the build's first second)."""

    def __init__(self, text: str) -> None:
        self.text = text
        pieces: list[str] = []
        self._at: list[int] = []    # where each segment (a word run, or a run's one space) starts here
        self._from: list[int] = []  # and in the text
        at = pos = 0
        for m in _SPACE_RUN.finditer(text):
            a, b = m.span()
            if a > pos:
                self._at.append(at)
                self._from.append(pos)
                pieces.append(text[pos:a])
                at += a - pos
            self._at.append(at)
            self._from.append(a)
            pieces.append(" ")
            at += 1
            pos = b
        self._at.append(at)
        self._from.append(pos)
        pieces.append(text[pos:])
        self.squeezed = "".join(pieces)

    def original(self, i: int) -> int:
        """The text's offset of the squeezed text's character ``i``."""
        j = bisect_right(self._at, i) - 1
        return self._from[j] + (i - self._at[j])

    def find(self, words: list[str], limit: int | None, whole: bool) -> list[Span]:
        """Every occurrence of ``words`` (overlapping ones included), at most ``limit``; ``whole``:
        only those with no word character (``\\w``) just before or just after them in the text."""
        needle = " ".join(words)
        text, squeezed = self.text, self.squeezed
        spans: list[Span] = []
        i = squeezed.find(needle)
        while i >= 0 and (limit is None or len(spans) < limit):
            start, end = self.original(i), self.original(i + len(needle) - 1) + 1
            word_before = start > 0 and _is_word(text[start - 1])
            word_after = end < len(text) and _is_word(text[end])
            if not (whole and (word_before or word_after)):
                spans.append(Span(start, end))
            i = squeezed.find(needle, i + 1)
        return spans


def _is_word(ch: str) -> bool:
    """``re``'s ``\\w`` for a character of a ``str``: alphanumeric (``str.isalnum``) or ``_``."""
    return ch.isalnum() or ch == "_"


@lru_cache(maxsize=8)
def _squeezed(text: str) -> _Squeezed:
    return _Squeezed(text)


def find_passage(text: str, passage: str, limit: int = 2) -> list[Span]:
    """Occurrences of ``passage`` (white-space runs match any white-space run), overlapping ones
    included (in "ha ha ha", "ha ha" twice: an ambiguous passage must not pass for a unique one), at
    most ``limit``."""
    words = passage.split()
    if not words:
        return []
    return _squeezed(text).find(words, limit, whole=False)


def find_mentions(text: str, form: str) -> list[Span]:
    """Every whole-word, case-sensitive occurrence of ``form`` (overlapping ones included)."""
    words = form.split()
    if not words:
        return []
    return _squeezed(text).find(words, None, whole=True)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
