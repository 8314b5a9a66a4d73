"""Content negotiation, in one place: the Accept header (with q-values and wildcards) or a file
suffix picks one of the formats a route offers."""
from __future__ import annotations

from kg.mediatypes import GRAPH_TYPES, RESOURCE_TYPES, RESULT_TYPES, SUFFIXES, sent_type


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """[(media range, q, position)] of an Accept header, lower-cased; '*/*' when absent or empty."""
    if not header or not header.strip():
        return [("*/*", 1.0, 0)]
    out = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
        out.append((media, q, i))
    return out or [("*/*", 1.0, 0)]


def _specificity(media_range: str, media: str) -> int:
    if media_range == media:
        return 3
    main, _, _sub = media.partition("/")
    if media_range == f"{main}/*":
        return 2
    if media_range == "*/*":
        return 1
    return 0


def negotiate(header: str | None, offers: dict[str, tuple[str, tuple[str, ...]]]) -> str | None:
    """The offered format the client prefers, or None when none is acceptable. On a tie (e.g. a
    bare ``*/*``) the first offer wins: the offers are listed in the server's order of preference."""
    ranges = parse_accept(header)
    best: tuple[float, int, int, int] | None = None
    choice = None
    for order, (name, (_sent, accepted)) in enumerate(offers.items()):
        for media in accepted:
            # the most specific matching range decides this media type's q
            matches = [(_specificity(r, media), q, pos) for r, q, pos in ranges if _specificity(r, media)]
            if not matches:
                continue
            spec, q, pos = max(matches, key=lambda m: (m[0], -m[2]))
            if q <= 0:
                continue
            key = (q, spec, -order, -pos)
            if best is None or key > best:
                best, choice = key, name
    return choice


def result_format(header: str | None) -> str | None:
    return negotiate(header, RESULT_TYPES)


def graph_format(header: str | None) -> str | None:
    return negotiate(header, GRAPH_TYPES)


def media_type(fmt: str) -> str:
    return sent_type(fmt)


__all__ = ["GRAPH_TYPES", "RESOURCE_TYPES", "RESULT_TYPES", "SUFFIXES", "graph_format", "media_type", "negotiate",
           "parse_accept", "result_format"]
