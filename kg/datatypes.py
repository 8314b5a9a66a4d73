"""Pure: is a typed literal's lexical form one of its datatype's? (XML Schema 1.1 Part 2.)

rdflib leaves ``Literal("19x6", datatype=XSD.gYear).ill_typed`` as ``None`` (unknown) for several
types, and pySHACL's ``sh:datatype`` then accepts the literal; so every typed literal of every source
file is checked here, by exact regular expressions of the lexical spaces (plus the range of the
bounded integers and the days of each month). Surrounding white space is not part of any lexical
space and is refused. A datatype not listed here (one of another vocabulary) is not checked."""
from __future__ import annotations

import calendar
import re

XSD = "http://www.w3.org/2001/XMLSchema#"

_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?(?:[1-9][0-9]{4,}|[0-9]{4})"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_DOUBLE = rf"(?:{_DECIMAL}(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)"
_DURATION = r"-?P(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?(?:T(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"

#: The lexical space of each checked datatype (local name in the XSD namespace) as a regex.
LEXICAL: dict[str, str] = {
    "boolean": r"true|false|1|0",
    "decimal": _DECIMAL,
    "integer": r"[+-]?[0-9]+",
    "nonNegativeInteger": r"\+?[0-9]+|-0+",
    "positiveInteger": r"\+?0*[1-9][0-9]*",
    "nonPositiveInteger": r"-[0-9]+|\+?0+",
    "negativeInteger": r"-0*[1-9][0-9]*",
    "long": r"[+-]?[0-9]+", "int": r"[+-]?[0-9]+", "short": r"[+-]?[0-9]+", "byte": r"[+-]?[0-9]+",
    "unsignedLong": r"\+?[0-9]+|-0+", "unsignedInt": r"\+?[0-9]+|-0+",
    "unsignedShort": r"\+?[0-9]+|-0+", "unsignedByte": r"\+?[0-9]+|-0+",
    "double": _DOUBLE,
    "float": _DOUBLE,
    "gYear": _YEAR + _TZ,
    "gYearMonth": rf"{_YEAR}-{_MONTH}{_TZ}",
    "date": rf"{_YEAR}-{_MONTH}-{_DAY}{_TZ}",
    "dateTime": rf"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}{_TZ}",
    "dateTimeStamp": rf"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))",
    "time": _TIME + _TZ,
    "gMonth": rf"--{_MONTH}{_TZ}",
    "gDay": rf"---{_DAY}{_TZ}",
    "gMonthDay": rf"--{_MONTH}-{_DAY}{_TZ}",
    "duration": _DURATION,
    "hexBinary": r"(?:[0-9a-fA-F]{2})*",
    "base64Binary": r"(?:(?:[A-Za-z0-9+/] ?){4})*(?:(?:[A-Za-z0-9+/] ?){3}[A-Za-z0-9+/]|(?:[A-Za-z0-9+/] ?){2}"
                    r"[AEIMQUYcgkosw048] ?=|[A-Za-z0-9+/] ?[AQgw] ?= ?=)?",
    "anyURI": r"[^\x00-\x20<>\"{}|\\^`\x7f-\x9f]*",
    "language": r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*",
    "token": r"(?:[^\s]+(?: [^\s]+)*)?",
    "normalizedString": r"[^\t\n\r]*",
}
_COMPILED = {XSD + name: re.compile(pattern, re.DOTALL) for name, pattern in LEXICAL.items()}
_RANGES = {"long": 63, "int": 31, "short": 15, "byte": 7}
_URANGES = {"unsignedLong": 64, "unsignedInt": 32, "unsignedShort": 16, "unsignedByte": 8}
_DATE = re.compile(r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})")


def lexical_error(lexical: str, datatype: str) -> str | None:
    """Why ``lexical`` is not a lexical form of ``datatype`` (an IRI), or None when it is one (or the
    datatype is not checked here)."""
    pattern = _COMPILED.get(datatype)
    if pattern is None:
        return None
    name = "xsd:" + datatype[len(XSD):]
    if not pattern.fullmatch(lexical):
        return f"{lexical!r} is not a lexical form of {name}"
    local = datatype[len(XSD):]
    if local in _RANGES or local in _URANGES:
        value = int(lexical)
        low, high = ((-(2 ** _RANGES[local]), 2 ** _RANGES[local] - 1) if local in _RANGES
                     else (0, 2 ** _URANGES[local] - 1))
        if not low <= value <= high:
            return f"{lexical!r} is out of the range of {name} ({low}..{high})"
    if local in ("date", "dateTime", "dateTimeStamp"):
        m = _DATE.match(lexical)
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        # leap years repeat every 400 years: any year has the month lengths of year % 400 (or 400)
        if day > calendar.monthrange((year % 400) or 400, month)[1]:
            return f"{lexical!r} is not a lexical form of {name} (no day {day} in that month)"
    if local == "duration" and (lexical.rstrip("-") in ("P", "-P") or lexical.endswith(("P", "T"))):
        return f"{lexical!r} is not a lexical form of {name}"
    return None
