"""Publish: turn the validated dataset into files (pure ``render``), and write them atomically
(``writer``, the only edge)."""
from __future__ import annotations

import gzip
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor


from kg import registry
from kg.config import Config
from kg.model import Extra
from kg.publish.argument import AIF_CONFORMS_TO, NANOPUB_CONFORMS_TO, argument_exports, is_distribution
from kg.publish.exports import ANNOTATIONS
from kg.publish.exports import exports as reading_exports
from kg.publish.metadata import Dump, describe, served_description, stats
from kg.publish import serialize
from kg.publish.serialize import Namer, group, jsonld, jsonld_context, ntriples, trig, turtle
from kg.registry import DUMP_STEM, GZ

#: the specifications the reading edition's exports follow (dcterms:conformsTo)
TEI_CONFORMS_TO = "https://tei-c.org/guidelines/p5/"
ANNOTATIONS_CONFORMS_TO = "http://www.w3.org/TR/annotation-model/"


def gz(data: bytes) -> bytes:
    """Deterministic gzip: no file name, no timestamp."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def _dump(name: str, data: bytes) -> Dump:
    """A file the description lists: the dumps, and the exports of the argument and of the reading
    edition (other views of the data, not dumps of its triples)."""
    if name.endswith(".tei.xml"):
        return Dump(name, data, data_dump=False, conforms_to=TEI_CONFORMS_TO)
    if name == ANNOTATIONS:
        return Dump(name, data, data_dump=False, conforms_to=ANNOTATIONS_CONFORMS_TO)
    if not is_distribution(name):
        return Dump(name, data)
    return Dump(name, data, data_dump=False,
                conforms_to=AIF_CONFORMS_TO if name.endswith(".aif.json") else NANOPUB_CONFORMS_TO)


def render(dataset, config: Config) -> dict[str, bytes]:  # noqa: ANN001
    """The dumps and the dataset description as bytes, keyed by relative path; sets
    ``dataset.metadata``. ``dataset`` is a ``kg.model.Dataset``."""
    union = dataset.union
    base = config.base_iri
    namer = Namer(base)
    formats = registry.DUMP_FORMATS
    # one pass over the union for the Turtle and JSON-LD writers
    inputs = serialize.DumpInput(union, base, namer, group(union))
    # gzip (zlib releases the GIL) runs in threads while the next writer works
    with ThreadPoolExecutor(max_workers=2) as pool:
        compressed = {}
        plain = {}

        def write(fmt: registry.DumpFormat, given: serialize.DumpInput) -> None:
            plain[fmt.file] = getattr(serialize, fmt.writer)(given)
            if fmt.gzipped:
                compressed[fmt.file] = pool.submit(gz, plain[fmt.file])

        for fmt in formats:
            if fmt.scope == "union":
                write(fmt, inputs)
        del inputs  # the grouping is no longer needed
        names = registry.described_dumps()
        exports = argument_exports(dataset, config)  # the argument as xAIF and nanopublications
        reading = reading_exports(dataset, config)  # annotations.jsonld and the TEI edition(s)
        exports.update(reading)
        listed = sorted(names + [n for n in exports if is_distribution(n) or n in reading])
        union_stats = stats(union)
        core = describe(union, config, [_dump(n, b"") for n in listed], dataset.essay_iris, with_distributions=False,
                        graph_stats=union_stats)
        graphs = dict(dataset.named_graphs)
        graphs[dataset.metadata_graph_name] = core
        for fmt in formats:
            if fmt.scope == "graphs":
                write(fmt, serialize.DumpInput(union, base, namer, graphs=graphs))
        files: dict[str, bytes] = {}
        for fmt in sorted(formats, key=lambda f: f.file):
            files[fmt.file] = plain[fmt.file]
            if fmt.gzipped:
                files[fmt.file + GZ] = compressed[fmt.file].result()
    files.update(exports)
    meta = describe(union, config, [_dump(n, files[n]) for n in listed], dataset.essay_iris,
                    graph_stats=union_stats)
    meta += served_description(config, sum(len(g) for g in graphs.values()))  # what COUNT(*) counts at /sparql
    dataset.metadata = meta
    files["void.ttl"] = turtle(meta, base)
    files["ontology.ttl"] = turtle(dataset.ontology, base)
    files["context.jsonld"] = (json.dumps({"@context": jsonld_context(base)}, indent=1) + "\n").encode()
    return files


def render_extras(dataset, config: Config, extras: tuple[Extra, ...]) -> dict[str, bytes]:  # noqa: ANN001
    """The files of the extra publishers (pages, maps, ...: ``kg.publish.extras.EXTRAS``, which the
    caller passes), later ones overriding earlier ones."""
    files: dict[str, bytes] = {}
    for extra in extras:
        files.update(extra(dataset, config))
    return files


def finish(files: dict[str, bytes], dataset, config: Config, report_text: str, report_ttl: bytes,  # noqa: ANN001
           extras: tuple[Extra, ...] = (), extra_files: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """Add the validation reports, the extras (pages, maps) and SHA256SUMS to the rendered files;
    ``extra_files``: the extras' files if already rendered (``render_extras``)."""
    files = dict(files)
    if report_text:
        files["validation-report.txt"] = report_text.encode("utf-8")
    if report_ttl:
        files["validation-report.ttl"] = report_ttl
    files.update(render_extras(dataset, config, extras) if extra_files is None else extra_files)
    sums = "".join(f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files))
    files["SHA256SUMS"] = sums.encode()
    return files


__all__ = ["DUMP_STEM", "Dump", "describe", "gz", "jsonld", "ntriples", "render", "render_extras", "trig", "turtle"]
