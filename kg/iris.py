"""Pure: which IRIs are safe to link to. A generated page makes an IRI a link (``href``) only when
it is an absolute http(s) IRI with a host and nothing an IRI cannot hold; any other IRI
(``javascript:``, ``data:``, ``file:``, ``urn:`` …) is shown as text. The settings that hold IRIs
(``base_iri``, ``license``, …) are checked with the same rule, and the shapes refuse other schemes
on the link properties (kgs:LinkSchemeShape). ``rel``: the relative link between two pages of the
site (every link of the site is relative, so the pages work served and static)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

#: What an IRI cannot hold (RFC 3987: no spaces, controls, quotes, angle or curly brackets, …).
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]')


def is_http_iri(value: str) -> bool:
    """An absolute http(s) IRI with a host and nothing an IRI cannot hold."""
    if _NOT_IN_IRI.search(value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. a bad IPv6 literal or port
        return False
    return parts.scheme in ("http", "https") and bool(host)


def link_href(iri: str) -> str | None:
    """``iri`` when a page may link to it, else None (show it as text)."""
    return iri if is_http_iri(iri) else None


def rel(from_page: str, to_path: str) -> str:
    """The relative link from the page ``from_page`` to ``to_path`` (both relative to the site root)."""
    src = from_page.split("/")[:-1]
    dst = [] if to_path == "." else to_path.split("/")
    i = 0
    while i < len(src) and i < len(dst) - 1 and src[i] == dst[i]:
        i += 1
    parts = [".."] * (len(src) - i) + dst[i:]
    return "/".join(parts) or "."
