"""Pure: the VoID/DCAT description of the dataset (CONTRACT.md, "The dataset")."""
from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from kg.config import Config
from kg.namespaces import LINK_TARGETS, PREFIXES, SPDX
from kg.mediatypes import FILE_TYPES
from kg.registry import GZ, GZ_MEDIA_TYPE, dump_media_types
from kg.terms import Curies

IANA = "https://www.iana.org/assignments/media-types/"
LINK_PREDICATES = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)


@dataclass(frozen=True)
class Dump:
    """A file the build publishes, with what the metadata says of it."""

    name: str
    data: bytes
    #: a dump of the dataset's triples (``void:dataDump``); the argument's exports are other views
    data_dump: bool = True
    #: the format's specification (``dcterms:conformsTo``), when the media type does not say it
    conforms_to: str = ""
    #: the size and SHA-256 of a file already written out (``data`` is then empty)
    sent: tuple[int, str] | None = None

    @property
    def size(self) -> int:
        return self.sent[0] if self.sent is not None else len(self.data)

    @property
    def media_type(self) -> str:
        stem = self.name.removesuffix(GZ)
        extension = "." + stem.rsplit(".", 1)[-1]
        return dump_media_types().get(extension) or FILE_TYPES[extension]  # a dump format added at run time first

    @property
    def sha256(self) -> str:
        return self.sent[1] if self.sent is not None else hashlib.sha256(self.data).hexdigest()


def dataset_iri(config: Config) -> URIRef:
    return URIRef(config.base_iri + "id/dataset")


def add_distribution(add, ds: URIRef, dist: URIRef, name: str, url: URIRef, media_type: str,  # noqa: ANN001
                     gzipped: bool, size_sha256: tuple[int, str] | None = None) -> None:
    """One ``dcat:Distribution`` of ``ds`` (a dump of the dataset or of a release): its file name,
    download URL and media type; with ``size_sha256`` also its size and an SPDX checksum."""
    add((ds, DCAT.distribution, dist))
    add((dist, RDF.type, DCAT.Distribution))
    add((dist, RDFS.label, Literal(name, lang="en")))
    add((dist, DCTERMS.title, Literal(name, lang="en")))
    add((dist, DCAT.downloadURL, url))
    add((dist, DCAT.mediaType, URIRef(IANA + media_type)))
    add((dist, DCTERMS.format, Literal(media_type)))
    if gzipped:
        add((dist, DCAT.compressFormat, URIRef(IANA + GZ_MEDIA_TYPE)))
    if size_sha256 is not None:
        size, sha256 = size_sha256
        checksum = URIRef(f"{dist}/sha256")
        add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        add((dist, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, RDFS.label, Literal(f"sha256 of {name}", lang="en")))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))


def add_creator(add, ds: URIRef, config: Config) -> None:  # noqa: ANN001
    """The dataset's creator (``creator`` in kg.toml) as a ``foaf:Agent``, for a dataset and a release."""
    creator = URIRef(config.base_iri + "id/agent/curators")
    add((ds, DCTERMS.creator, creator))
    add((creator, RDF.type, FOAF.Agent))
    add((creator, RDFS.label, Literal(config.creator, lang="en")))
    add((creator, FOAF.name, Literal(config.creator)))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


_curie = Curies(PREFIXES)


def _vocabularies_of(terms) -> list[str]:  # noqa: ANN001
    """The namespaces of ``terms`` (the predicates and the classes used)."""
    used = set()
    namespaces = sorted(set(PREFIXES.values()) - {PREFIXES["kg"]}, key=len, reverse=True)
    for t in terms:
        for ns in namespaces:
            if str(t).startswith(ns):
                used.add(ns)
                break
    return sorted(used)


@dataclass(frozen=True)
class Stats:
    """What the description counts in the graph, gathered in one pass (``stats``) and reusable
    between the two descriptions a build makes."""

    triples: int
    classes: dict      # class -> set of members (in first-seen order of the classes)
    properties: Counter  # property -> triples
    links: list        # (predicate, object) of the owl:sameAs / skos:exactMatch / closeMatch triples


def stats(graph: Graph) -> Stats:
    classes: dict[URIRef, set] = defaultdict(set)
    by_predicate = getattr(graph.store, "predicate_counts", None)  # an indexed graph counts from its index
    counts = Counter(by_predicate() if by_predicate is not None else (p for _s, p, _o in graph))
    for s, o in graph.subject_objects(RDF.type):
        classes[o].add(s)
    links = [(p, o) for p in LINK_PREDICATES for o in graph.objects(None, p)]
    return Stats(len(graph), classes, counts, links)


def describe(graph: Graph, config: Config, dumps: list[Dump], essays: list[URIRef],
             with_distributions: bool = True, graph_stats: Stats | None = None) -> Graph:
    """VoID + DCAT description of ``graph`` (the union of ontology and data), published as ``dumps``;
    ``graph_stats`` (``stats(graph)``) may be passed when the graph is described twice."""
    st = graph_stats or stats(graph)
    out = Graph()
    ds = dataset_iri(config)
    add = out.add
    add((ds, RDF.type, VOID.Dataset))
    add((ds, RDF.type, DCAT.Dataset))
    add((ds, RDFS.label, Literal(config.title, lang="en")))
    add((ds, DCTERMS.title, Literal(config.title, lang="en")))
    add((ds, DCTERMS.description, Literal(config.description, lang="en")))
    add((ds, DCTERMS.license, URIRef(config.license)))
    add((ds, DCTERMS.modified, Literal(config.modified, datatype=XSD.date)))
    add((ds, URIRef(str(DCAT) + "version"), Literal(config.version)))
    add((ds, OWL.versionInfo, Literal(config.version)))
    add((ds, VOID.triples, Literal(st.triples, datatype=XSD.nonNegativeInteger)))
    add((ds, VOID.uriSpace, Literal(config.base_iri + "id/")))
    add((ds, DCTERMS.conformsTo, URIRef("https://w3id.org/arthur-kg/ontology")))
    add_creator(add, ds, config)
    if config.sparql_endpoint:
        add((ds, VOID.sparqlEndpoint, URIRef(config.sparql_endpoint)))
    for essay in essays:
        add((ds, VOID.rootResource, essay))
    for ns in _vocabularies_of([*st.properties, *st.classes]):
        add((ds, VOID.vocabulary, URIRef(ns)))

    for cls, members in st.classes.items():
        part = URIRef(f"{ds}/class/{_slug(_curie(str(cls)))}")
        add((ds, VOID.classPartition, part))
        add((part, RDFS.label, Literal(f"class partition {_curie(str(cls))}", lang="en")))
        add((part, VOID["class"], cls))
        add((part, VOID.entities, Literal(len(members), datatype=XSD.nonNegativeInteger)))
    for prop, n in st.properties.items():
        part = URIRef(f"{ds}/property/{_slug(_curie(str(prop)))}")
        add((ds, VOID.propertyPartition, part))
        add((part, RDFS.label, Literal(f"property partition {_curie(str(prop))}", lang="en")))
        add((part, VOID.property, prop))
        add((part, VOID.triples, Literal(n, datatype=XSD.nonNegativeInteger)))

    for name, (prefixes, target) in LINK_TARGETS.items():
        links = [(p, o) for p, o in st.links if str(o).startswith(prefixes)]
        ls = URIRef(f"{ds}/linkset/{name}")
        add((ls, RDF.type, VOID.Linkset))
        add((ls, RDFS.label, Literal(f"links to {name}", lang="en")))
        add((ds, VOID.subset, ls))
        add((ls, VOID.subjectsTarget, ds))
        add((ls, VOID.objectsTarget, URIRef(target)))
        add((ls, VOID.target, ds))
        add((ls, VOID.target, URIRef(target)))
        for p in sorted({p for p, _o in links} or {OWL.sameAs}):
            add((ls, VOID.linkPredicate, p))
        add((ls, VOID.triples, Literal(len(links), datatype=XSD.nonNegativeInteger)))

    for dump in dumps:
        url = URIRef(config.dumps_url + dump.name)
        dist = URIRef(f"{ds}/distribution/{_slug(dump.name)}")
        if dump.data_dump:
            add((ds, VOID.dataDump, url))
        if dump.conforms_to:
            add((dist, DCTERMS.conformsTo, URIRef(dump.conforms_to)))
        add_distribution(add, ds, dist, dump.name, url, dump.media_type, dump.name.endswith(GZ),
                         (dump.size, dump.sha256) if with_distributions else None)
    return out


def served_description(config: Config, served: int) -> Graph:
    """The dataset as the SPARQL endpoint serves it: the data plus the dataset description (the
    metadata graph), ``served`` triples, which is what ``COUNT(*)`` at /sparql counts; the data alone
    are the dataset's own ``void:triples``. Stated in void.ttl only (the metadata graph cannot count
    itself)."""
    ds = dataset_iri(config)
    node = URIRef(f"{ds}/served")
    out = Graph()
    out.add((node, RDF.type, URIRef(PREFIXES["sd"] + "Dataset")))
    out.add((node, RDFS.label, Literal("the data with the dataset description, as the SPARQL endpoint serves it",
                                       lang="en")))
    out.add((node, DCTERMS.hasPart, ds))
    out.add((node, VOID.triples, Literal(served, datatype=XSD.nonNegativeInteger)))
    return out


__all__ = ["Dump", "dataset_iri", "describe", "served_description", "stats"]
