"""Pure: the query policy. A query is parsed and refused *before* it is evaluated when it could
write, or reach the network (SERVICE, LOAD, FROM / FROM NAMED of remote IRIs): the engines we use
would otherwise make the request (../shared/TRAPS.md)."""
from __future__ import annotations

import re

from kg.errors import QueryError

# Strip what can hide keywords: IRIs, strings and comments, so that only the query's own words remain.
_NOISE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'
                    r"'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_UPDATE = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)
_SERVICE = re.compile(r"\bSERVICE\b", re.I)
_FROM = re.compile(r"\bFROM\b", re.I)


def check_query(text: str) -> None:
    """Raise ``QueryError`` for an update or a query that would reach the network."""
    words = _NOISE.sub(" ", text)
    if m := _UPDATE.search(words):
        raise QueryError(f"updates are not allowed here ({m.group(1).upper()}): the graph is read-only")
    if _SERVICE.search(words):
        raise QueryError("federated queries (SERVICE) are not allowed: this endpoint never makes outbound requests")
    if _FROM.search(words):
        raise QueryError("FROM / FROM NAMED are not allowed: query the default graph, or name graphs with GRAPH "
                         "or the default-graph-uri / named-graph-uri parameters")
