"""Pure: what SPARQL a shapes graph may run. Shapes are input like data: a shape's ``sh:select``,
``sh:ask`` or ``sh:construct`` is run by pySHACL (rdflib's engine) and, for SPARQL targets, by
pyoxigraph (``kg.validation.partitioned``). Both engines execute ``SERVICE`` by making a real HTTP request,
so a shapes file could make ``kg validate`` or the build call any address. Every such query is
therefore parsed with rdflib's SPARQL grammar (the parser of the engine that runs it, after the
``\\u``/``\\U`` escapes are decoded as SPARQL 1.1 §19.2 says) and refused when it

- does not parse as a query (no engine should guess what it means),
- is an update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, …),
- contains a ``SERVICE`` pattern anywhere (sub-queries and ``EXISTS`` included),
- still holds an escape after decoding (an engine that decodes escapes only inside strings, as
  pyoxigraph does, would read another query than the one checked).

``checked`` returns the decoded text: the string that was checked is the string that runs.

Parsing costs about 50 ms a query with rdflib's grammar, so a query is parsed only when its decoded
text holds, in any case, the letters of a keyword that could make it refused (``SERVICE`` or an
update's first keyword): a keyword cannot be escaped once ``\\u`` escapes are decoded, so a text
without those letters cannot be read, by any engine, as using them. Results are memoised by text."""
from __future__ import annotations

import functools
import re

from rdflib import Graph, Literal
from rdflib.namespace import SH

from kg.errors import KgError

#: The properties of SHACL and SHACL-AF whose value is a SPARQL query.
QUERY_PROPERTIES = (SH.select, SH.ask, SH.construct)


class ShapesError(KgError):
    """A shapes graph that cannot be used (it would run SPARQL we refuse, or holds no shape)."""


def _names(node) -> set[str]:  # noqa: ANN001
    from rdflib.plugins.sparql.parserutils import CompValue

    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, CompValue):
            out.add(n.name)
            stack.extend(n.values())
        elif isinstance(n, (list, tuple)) or type(n).__name__ == "ParseResults":
            stack.extend(n)
    return out


#: The letters of the keywords that can make a query refused: SERVICE, and what an update starts with.
_RISKY = re.compile(r"service|insert|delete|load|clear|create|drop|copy|move|add", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def problem(text: str) -> str | None:
    """Why this SPARQL may not run, or None when it may."""
    decoded = _decoded(text)
    if "\\u" in decoded or "\\U" in decoded:
        return "holds a \\u or \\U escape that decodes to another escape; write the character itself"
    if not _RISKY.search(decoded):
        return None  # no engine can read SERVICE or an update in it (see the module's docstring)
    return _parsed_problem(decoded)


def _parsed_problem(decoded: str) -> str | None:
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(decoded)
    except Exception:  # noqa: BLE001 - pyparsing's errors; an update or a bad query, told apart below
        try:
            update = _names(parseUpdate(decoded)) - {"Update", "Prologue", "PrefixDecl", "BaseDecl"}
        except Exception:  # noqa: BLE001
            update = set()
        if update:
            return "is a SPARQL update, not a query; shapes may only read the data graph"
        return "is not a SPARQL query that rdflib's parser (pySHACL's engine) can read"
    if "ServiceGraphPattern" in _names(tree):
        return "uses SERVICE (a request to another endpoint); shapes may only read the data graph"
    return None


def checked(text: str) -> str:
    """The query to run: ``text`` with its escapes decoded; a refused query raises ShapesError."""
    why = problem(text)
    if why is not None:
        raise ShapesError(f"a SPARQL query of the shapes {why}: {' '.join(text.split())[:120]}")
    return _decoded(text)


def _decoded(text: str) -> str:
    """``text`` with its ``\\u``/``\\U`` escapes decoded by rdflib's parser's own function. A text
    without the two letters ``\\u`` (in either case) is its own decoding (the function replaces only
    what its pattern ``\\u…``, case-insensitive, matches), so the parser's module, whose grammar
    takes about 60 ms to build, is imported only for a text that holds one: a build whose shapes hold
    none imports it in the validation, after the page processes forked."""
    if "\\u" not in text and "\\U" not in text:
        return text
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    return expandUnicodeEscapes(text)


def check_shapes(graph: Graph, where: str = "shapes", positions=None) -> None:  # noqa: ANN001
    """Refuse a shapes graph whose SPARQL may not run. ``where`` names the file; ``positions``, when
    given, maps (subject, predicate, literal) to ``file:line:column`` for the message."""
    for prop in QUERY_PROPERTIES:
        for s, o in sorted(graph.subject_objects(prop), key=lambda so: str(so[1])):
            if not isinstance(o, Literal):
                raise ShapesError(f"{where}: sh:{prop.rsplit('#', 1)[-1]} must be a string holding a SPARQL query")
            why = problem(str(o))
            if why is not None:
                at = (positions(s, prop, o) if positions else None) or where
                raise ShapesError(f"{at}: the sh:{prop.rsplit('#', 1)[-1]} query {why}",
                                  hint="Shapes may use SPARQL to read the data graph only: no SERVICE, no update.")


def has_shapes(graph: Graph) -> bool:
    """Whether the graph declares at least one shape that can select focus nodes or be used."""
    from rdflib.namespace import RDF

    if any(graph.subjects(RDF.type, SH.NodeShape)) or any(graph.subjects(RDF.type, SH.PropertyShape)):
        return True
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.property)
    return any(any(graph.subjects(p, None)) for p in targets)


__all__ = ["QUERY_PROPERTIES", "ShapesError", "check_shapes", "checked", "has_shapes", "problem"]
