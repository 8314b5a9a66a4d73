"""Pure: the tables of the things that grow — the dump formats and the kinds of curated resource.

Each table is read by every module that needs it, so that a new dump format is one row here plus
one writer in ``kg/publish/serialize.py``, and a new kind of resource is one row here plus its shapes
(``shapes/shapes.ttl``) and its data (docs/developing.md, "Adding a dump format", "Adding an entity
kind"). Nothing here imports from a later stage: a dump format names its writer, which
``kg.publish.render`` looks up in ``kg.publish.serialize``.
"""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.namespaces import SCHEMA

# ---------------------------------------------------------------- dump formats

#: the file name of every dump, before its extension: ``dataset.ttl``, ``dataset.nt.gz`` …
DUMP_STEM = "dataset"
#: the suffix of a dump's gzipped variant (``dataset.ttl.gz``), and its media type
GZ = ".gz"
GZ_MEDIA_TYPE = "application/gzip"
SCOPES = ("union", "graphs")


@dataclass(frozen=True)
class DumpFormat:
    """One serialisation of the whole dataset, published as ``dataset<extension>``."""

    name: str
    #: the file name's extension, with its dot
    extension: str
    media_type: str
    #: the name of its writer in ``kg.publish.serialize``: a function ``(DumpInput) -> bytes``
    writer: str
    #: what the writer serialises: the ``union`` (one graph) or the ``graphs`` (the named graphs and
    #: the dataset's description, which lists every dump: written after the union's dumps)
    scope: str = "union"
    #: published gzipped too, beside the plain file (``dataset.ttl.gz``)
    gzipped: bool = True
    #: listed in ``void.ttl`` (``void:dataDump``, ``dcat:distribution``)
    described: bool = True
    #: frozen (gzipped) by ``kg release``
    released: bool = True

    def __post_init__(self) -> None:
        if self.scope not in SCOPES or not self.extension.startswith(".") or (self.released and not self.gzipped):
            raise ValueError(f"dump format {self.name}: the scope is one of {SCOPES}, the extension starts with "
                             "'.', and a released dump is gzipped")

    @property
    def file(self) -> str:
        return DUMP_STEM + self.extension

    @property
    def files(self) -> tuple[str, ...]:
        """The plain file and its gzipped variant."""
        return (self.file, self.file + GZ) if self.gzipped else (self.file,)


DUMP_FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat("turtle", ".ttl", "text/turtle", "dump_turtle"),
    DumpFormat("ntriples", ".nt", "application/n-triples", "dump_ntriples"),
    DumpFormat("jsonld", ".jsonld", "application/ld+json", "dump_jsonld"),
    DumpFormat("trig", ".trig", "application/trig", "dump_trig", scope="graphs"),
)


def described_dumps() -> list[str]:
    """The dump files ``void.ttl`` lists, sorted."""
    return sorted(n for f in DUMP_FORMATS if f.described for n in f.files)


def released_dumps() -> tuple[str, ...]:
    """The gzipped dumps ``kg release`` freezes, sorted."""
    return tuple(sorted(f.file + GZ for f in DUMP_FORMATS if f.released))


def dump_media_types() -> dict[str, str]:
    """{extension: media type} of the dump formats (``.ttl``: ``text/turtle`` …)."""
    return {f.extension: f.media_type for f in DUMP_FORMATS}


# ---------------------------------------------------------------- kinds of curated resource

@dataclass(frozen=True)
class EntityKind:
    """A kind of curated resource: ``<base>id/<segment>/<slug>``, typed ``class_iri``."""

    segment: str
    class_iri: URIRef
    #: the services the linker asks for candidates (``kg link``), in order
    services: tuple[str, ...]
    #: the properties holding the names the linker searches for, before ``rdfs:label``
    names: tuple[URIRef, ...]
    #: the TEI element (and its attributes) that marks a mention in the TEI edition
    tei: tuple[str, str]
    #: the map that draws it (``people``, ``concept``) or "" for none
    map: str = ""


ENTITY_KINDS: tuple[EntityKind, ...] = (
    EntityKind("person", SCHEMA.Person, ("wikidata", "viaf", "openlibrary"),
               (SCHEMA.name, SKOS.altLabel), ("persName", ""), "people"),
    EntityKind("work", SCHEMA.CreativeWork, ("wikidata", "openlibrary"),
               (DCTERMS.title, SCHEMA.alternateName), ("title", ""), "people"),
    EntityKind("organisation", SCHEMA.Organization, ("wikidata",),
               (SCHEMA.name, SKOS.altLabel), ("orgName", ""), "people"),
    EntityKind("place", SCHEMA.Place, ("wikidata",),
               (SCHEMA.name, SKOS.altLabel), ("placeName", "")),
    EntityKind("event", SCHEMA.Event, ("wikidata",),
               (SCHEMA.name, SKOS.altLabel), ("name", ' type="event"')),
    EntityKind("concept", SKOS.Concept, ("wikidata",),
               (SKOS.prefLabel, SKOS.altLabel), ("term", ""), "concept"),
)


def kind_named(segment: str) -> EntityKind | None:
    """The kind whose IRIs have ``segment`` after ``id/``, if any."""
    return next((k for k in ENTITY_KINDS if k.segment == segment), None)


def mentionable_classes() -> frozenset[URIRef]:
    """The classes whose members the essay's ``schema:mentions`` lists (CONTRACT.md, "The essay")."""
    return frozenset(k.class_iri for k in ENTITY_KINDS)


__all__ = ["DUMP_FORMATS", "DUMP_STEM", "ENTITY_KINDS", "GZ", "GZ_MEDIA_TYPE", "DumpFormat", "EntityKind",
           "described_dumps", "dump_media_types", "kind_named", "mentionable_classes",
           "released_dumps"]
