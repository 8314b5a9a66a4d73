"""Pure: ``json.dumps(value, ensure_ascii=False, indent=1)``, the same text, written faster.

With ``indent``, the standard library's encoder is the pure-Python one (a generator per container, a
call per value); the published JSON files (the Web Annotations, the xAIF files, the validation
report's JSON) are written with one space of indent, and at 1 M triples ``annotations.jsonld`` alone
(45 MB) took 3.1 s to encode. ``dumps`` writes the same characters with one function call per
container and the C string encoder; any value it does not know (a key that is not a string, a float,
a custom type) is handed to ``json.dumps`` itself, so its text, and its errors, are json's.
``tests/test_jsontext.py`` compares the two on generated values.

A value whose text its maker writes faster than this module can (many values of one shape: the Web
Annotations' items) is given as a ``Written``: ``dumps`` puts its text in place, and ``json.dumps``,
when ``dumps`` hands it the whole value, is given the value it stands for.
"""
from __future__ import annotations

import json

#: a string's JSON text, as ``dumps`` writes it: json's own string encoder for ensure_ascii=False (C);
#: also for the makers of ``Written`` values and the JSON-LD dump's writer (``kg.publish.serialize``)
quote = json.encoder.encode_basestring


class _Other(Exception):
    """A value ``dumps`` leaves to ``json.dumps``."""


class Written:
    """A value written by its maker: ``text(nl)`` is what ``dumps`` writes for ``value()`` on a line
    that ``nl`` (a newline and the line's indent) begins, without sorting keys; ``value()`` makes that
    value, for ``json.dumps`` only."""

    __slots__ = ("text", "value")

    def __init__(self, text, value) -> None:  # noqa: ANN001
        self.text = text
        self.value = value


def _written(v: object) -> object:
    """``json.dumps``'s ``default``: a ``Written``'s value; anything else is json's own error."""
    if type(v) is Written:
        return v.value()
    raise TypeError(f"Object of type {v.__class__.__name__} is not JSON serializable")


def dumps(value: object, sort_keys: bool = False) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1, sort_keys=sort_keys)``."""
    try:
        return _text(value, "\n", sort_keys)
    except (_Other, TypeError):  # TypeError: keys that do not sort (json says so, in its words)
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=sort_keys, default=_written)


def _text(v: object, nl: str, sort_keys: bool) -> str:
    """``v``'s text, ``nl`` the newline and indent of the line it is on; json's order of checks."""
    t = type(v)
    if t is str:
        return quote(v)
    if t is dict:
        return _dict(v, nl, sort_keys)
    if t is list or t is tuple:
        return _list(v, nl, sort_keys)
    if t is int:
        return int.__repr__(v)
    if isinstance(v, str):
        return quote(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, float):
        if v != v:
            return "NaN"
        if v in (_INF, -_INF):
            return "Infinity" if v > 0 else "-Infinity"
        return float.__repr__(v)
    if isinstance(v, (list, tuple)):
        return _list(v, nl, sort_keys)
    if isinstance(v, dict):
        return _dict(v, nl, sort_keys)
    if t is Written and not sort_keys:
        return v.text(nl)
    raise _Other


_INF = float("inf")


def _dict(v: dict, nl: str, sort_keys: bool) -> str:
    if not v:
        return "{}"
    inner = nl + " "
    parts = []
    for k, x in (sorted(v.items()) if sort_keys else v.items()):
        if type(k) is not str:  # json turns numbers, None and booleans into keys: its own business
            raise _Other
        parts.append(f"{quote(k)}: {quote(x) if type(x) is str else _text(x, inner, sort_keys)}")
    return "{" + inner + ("," + inner).join(parts) + nl + "}"


def _list(v: list | tuple, nl: str, sort_keys: bool) -> str:
    if not v:
        return "[]"
    inner = nl + " "
    return "[" + inner + ("," + inner).join([quote(x) if type(x) is str else _text(x, inner, sort_keys)
                                             for x in v]) + nl + "]"


__all__ = ["Written", "dumps", "quote"]
