"""Pure: finding evidence in an essay's text. Offsets count Unicode code points (Python indices),
as Web Annotation's TextPositionSelector does."""
from __future__ import annotations

import re
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


@lru_cache(maxsize=4096)
def _passage_pattern(passage: str) -> re.Pattern[str]:
    words = passage.split()
    return re.compile(r"\s+".join(re.escape(w) for w in words))


@lru_cache(maxsize=4096)
def _mention_pattern(form: str) -> re.Pattern[str]:
    """``form``'s words, white-space runs between them, not inside a longer word. The check that no
    word character comes before is a look-behind placed after the first word (the character before
    it, ``len(first)`` characters back): a pattern that begins with its literal text lets ``re`` skip
    to the places where that text occurs, ten times faster on the essay than one that begins with
    ``(?<!\\w)`` and is tried at every character."""
    first, *rest = form.split()
    return re.compile(re.escape(first) + r"(?<!\w[\s\S]{%d})" % len(first)
                      + "".join(r"\s+" + re.escape(w) for w in rest) + r"(?!\w)")


def _occurrences(pattern: re.Pattern[str], text: str, limit: int | None = None) -> list[Span]:
    """Every match of ``pattern``, overlapping ones included (``finditer`` would miss the second
    "ha ha" in "ha ha ha", and an ambiguous passage would pass for a unique one), at most ``limit``."""
    spans: list[Span] = []
    m = pattern.search(text)
    while m is not None and (limit is None or len(spans) < limit):
        spans.append(Span(m.start(), m.end()))
        m = pattern.search(text, m.start() + 1)
    return spans


def find_passage(text: str, passage: str, limit: int = 2) -> list[Span]:
    """Occurrences of ``passage`` (white-space runs match any white-space run), overlapping ones
    included, at most ``limit``."""
    if not passage.split():
        return []
    return _occurrences(_passage_pattern(passage), text, limit)


def find_mentions(text: str, form: str) -> list[Span]:
    """Every whole-word, case-sensitive occurrence of ``form`` (overlapping ones included)."""
    if not form.split():
        return []
    return _occurrences(_mention_pattern(form), text)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
