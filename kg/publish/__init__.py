"""Publish: turn the validated dataset into files (pure ``render``), and write them atomically
(``writer``, the only edge)."""
from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


from kg.config import Config
from kg.publish.exports import exports
from kg.publish.metadata import Dump, describe, stats
from kg.publish.serialize import Namer, group, jsonld, jsonld_context, ntriples, trig, turtle

DUMP_STEM = "dataset"
#: A hook that adds files (e.g. pages, maps) to the rendered output: (dataset, config) -> {path: bytes}.
Extra = Callable[["object", Config], dict[str, bytes]]


def gz(data: bytes) -> bytes:
    """Deterministic gzip: no file name, no timestamp."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def render(dataset, config: Config) -> dict[str, bytes]:  # noqa: ANN001
    """The dumps and the dataset description as bytes, keyed by relative path; sets
    ``dataset.metadata``. ``dataset`` is a ``kg.pipeline.Dataset``."""
    union = dataset.union
    base = config.base_iri
    namer = Namer(base)
    grouped = group(union)  # one pass over the union for the Turtle and JSON-LD writers
    # gzip (zlib releases the GIL) runs in threads while the next writer works
    with ThreadPoolExecutor(max_workers=2) as pool:
        compressed = {}
        plain = {}
        for name, write in ((f"{DUMP_STEM}.ttl", lambda: turtle(union, base, grouped, namer)),
                            (f"{DUMP_STEM}.nt", lambda: ntriples(union)),
                            (f"{DUMP_STEM}.jsonld", lambda: jsonld(union, base, grouped, namer))):
            plain[name] = write()
            compressed[name] = pool.submit(gz, plain[name])
        del grouped
        trig_name = f"{DUMP_STEM}.trig"
        names = sorted([*plain, trig_name])
        names = sorted(names + [n + ".gz" for n in names])
        exported = exports(dataset, config)  # annotations.jsonld and the TEI edition(s)
        names = sorted(names + list(exported))
        union_stats = stats(union)
        core = describe(union, config, [Dump(n, b"") for n in names], dataset.essay_iris, with_distributions=False,
                        graph_stats=union_stats)
        graphs = dict(dataset.named_graphs)
        graphs[dataset.metadata_graph_name] = core
        plain[trig_name] = trig(graphs, base, namer)
        compressed[trig_name] = pool.submit(gz, plain[trig_name])
        files: dict[str, bytes] = {}
        for name, data in sorted(plain.items()):
            files[name] = data
            files[name + ".gz"] = compressed[name].result()
        files.update(exported)
    meta = describe(union, config, [Dump(n, files[n]) for n in sorted(files)], dataset.essay_iris,
                    graph_stats=union_stats)
    dataset.metadata = meta
    files["void.ttl"] = turtle(meta, base)
    files["ontology.ttl"] = turtle(dataset.ontology, base)
    files["context.jsonld"] = (json.dumps({"@context": jsonld_context(base)}, indent=1) + "\n").encode()
    return files


def render_extras(dataset, config: Config, extras: tuple[Extra, ...] | None = None) -> dict[str, bytes]:  # noqa: ANN001
    """The files of the extra publishers (pages, maps, ...), later ones overriding earlier ones."""
    from kg.publish.extras import EXTRAS

    files: dict[str, bytes] = {}
    for extra in EXTRAS if extras is None else extras:
        files.update(extra(dataset, config))
    return files


def finish(files: dict[str, bytes], dataset, config: Config, report_text: str, report_ttl: bytes,  # noqa: ANN001
           extras: tuple[Extra, ...] | None = None, extra_files: dict[str, bytes] | None = None) -> dict[str, bytes]:
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
