"""Pure: the endpoint's SPARQL 1.1 Service Description (an ``sd:Service``), as pyoxigraph triples."""
from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import DCTERMS, RDF, SD, VOID
from kg.mediatypes import BY_NAME, GRAPH_TYPES, RESULT_TYPES

FORMATS_NS = "http://www.w3.org/ns/formats/"


def service_description(endpoint: str, graphs: list[str], dataset_iri: str | None, triples: int,
                        limits: dict[str, object]) -> list[ox.Triple]:
    """Describe the endpoint at ``endpoint``: languages, formats, features, and its dataset (a union
    default graph plus the named graphs of the TriG dump)."""
    n = ox.NamedNode
    svc = n(endpoint + "#service")
    ds = n(endpoint + "#dataset")
    dg = n(endpoint + "#default-graph")
    t: list[ox.Triple] = [
        ox.Triple(svc, n(str(RDF.type)), n(str(SD.Service))),
        ox.Triple(svc, n(str(SD.endpoint)), n(endpoint)),
        ox.Triple(svc, n(str(SD.supportedLanguage)), n(str(SD.SPARQL11Query))),
        ox.Triple(svc, n(str(SD.feature)), n(str(SD.UnionDefaultGraph))),
        ox.Triple(svc, n(str(SD.defaultDataset)), ds),
        ox.Triple(ds, n(str(RDF.type)), n(str(SD.Dataset))),
        ox.Triple(ds, n(str(SD.defaultGraph)), dg),
        ox.Triple(dg, n(str(RDF.type)), n(str(SD.Graph))),
        ox.Triple(dg, n(str(VOID.triples)), ox.Literal(str(triples), datatype=n("http://www.w3.org/2001/XMLSchema#integer"))),
        ox.Triple(svc, n(str(DCTERMS.description)), ox.Literal(
            "Read-only SPARQL 1.1 endpoint: no updates, no SERVICE, FROM only for the graphs listed here; "
            + ", ".join(f"{k} {v}" for k, v in limits.items()), language="en")),
    ]
    if dataset_iri:
        t.append(ox.Triple(ds, n(str(DCTERMS.source)), n(dataset_iri)))
    for fmt in [*RESULT_TYPES, *GRAPH_TYPES]:
        t.append(ox.Triple(svc, n(str(SD.resultFormat)), n(FORMATS_NS + BY_NAME[fmt].format_iri)))
    for i, g in enumerate(sorted(graphs)):
        ng = n(f"{endpoint}#named-graph-{i}")
        t += [ox.Triple(ds, n(str(SD.namedGraph)), ng), ox.Triple(ng, n(str(RDF.type)), n(str(SD.NamedGraph))),
              ox.Triple(ng, n(str(SD.name)), n(g))]
    return t
