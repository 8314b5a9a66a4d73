"""Publish: turn the validated dataset into files (pure ``render``), and write them atomically
(``writer``, the only edge)."""
from __future__ import annotations

import hashlib
import json
import marshal
import multiprocessing
import pickle
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial


from kg import registry
from kg.cache import Cache
from kg.config import Config
from kg.gcpolicy import in_forked_child
from kg.later import forkable
from kg.model import Extra
from kg.pipes import pipe
from kg.progress import current as current_reporter
from kg.publish.argument import (AIF_CONFORMS_TO, NANOPUB_CONFORMS_TO, argument_distributions, argument_exports,
                                 is_distribution)
from kg.publish.dumpmemo import TrigBodies
from kg.publish.gzmemo import GZ_LEVEL, GzMemo, gz  # noqa: F401 - GZ_LEVEL, gz: kg.publish's own
from kg.publish.unionmemo import UnionMemo
from kg.validation.partitioned import answer_targets
from kg.publish.exports import ANNOTATIONS
from kg.publish.exports import exports as reading_exports
from kg.publish.pages import Index
from kg.publish.runs import RunTable
from kg.publish.metadata import Dump, describe, served_description, stats
from kg.publish import nanopubmemo, serialize, sums
from kg.publish.serialize import Namer, group, jsonld, jsonld_context, ntriples, trig, turtle
from kg.registry import DUMP_STEM, GZ

#: the specifications the reading edition's exports follow (dcterms:conformsTo)
TEI_CONFORMS_TO = "https://tei-c.org/guidelines/p5/"
ANNOTATIONS_CONFORMS_TO = "http://www.w3.org/TR/annotation-model/"


def _dump(name: str, data: bytes, sent: tuple[int, str] | None = None) -> Dump:
    """A file the description lists: the dumps, and the exports of the argument and of the reading
    edition (other views of the data, not dumps of its triples). ``sent``: the size and SHA-256 of a
    file already put out (``render``'s ``put``; ``data`` is then empty)."""
    if name.endswith(".tei.xml"):
        return Dump(name, data, data_dump=False, conforms_to=TEI_CONFORMS_TO, sent=sent)
    if name == ANNOTATIONS:
        return Dump(name, data, data_dump=False, conforms_to=ANNOTATIONS_CONFORMS_TO, sent=sent)
    if not is_distribution(name):
        return Dump(name, data, sent=sent)
    return Dump(name, data, data_dump=False, sent=sent,
                conforms_to=AIF_CONFORMS_TO if name.endswith(".aif.json") else NANOPUB_CONFORMS_TO)


class _Out:
    """Where ``render``'s files go: kept (returned), or handed to ``put(name, bytes, sha256)`` as soon
    as each is made and then only its size and SHA-256 kept (for the description)."""

    def __init__(self, put: Callable[[str, bytes, str], None] | None) -> None:
        self.put = put
        self.files: dict[str, bytes] = {}
        self.sent: dict[str, tuple[int, str]] = {}

    def __call__(self, name: str, data: bytes) -> None:
        if self.put is None:
            self.files[name] = data
        else:
            sha = hashlib.sha256(data).hexdigest()
            self.put(name, data, sha)
            self.sent[name] = (len(data), sha)

    def adopt(self, name: str, size: int, sha256: str) -> None:
        """A file another process put (``put.adopt``): only its size and SHA-256 kept."""
        self.put.adopt(name, sha256)
        self.sent[name] = (size, sha256)

    def dump(self, name: str) -> Dump:
        if name in self.files:
            return _dump(name, self.files[name])
        return _dump(name, b"", sent=self.sent[name])


#: the union's writers rendered in a forked process (``render(fork=True)``) while this one renders the
#: other dumps, the exports and the description: a third of ``render``'s time at 100k triples
FORKED_WRITERS = ("dump_jsonld", "dump_turtle", "dump_ntriples")


#: the messages of the forked writers that are not a file's bytes: a writer's layout
#: (``kg.publish.unionmemo``), and a file the process put into the build's stage itself (its size and SHA-256)
_RECORD = "\0record:"
_PUT = "\0put:"


def _writers_worker(formats: tuple, given: serialize.DumpInput, send, put=None, targets=None,  # noqa: ANN001
                    more=None, memo: GzMemo | None = None, claim: RunTable | None = None) -> None:  # noqa: ANN001
    """In the forked process: each format's bytes and its gzip copy sent as ``(name, bytes)`` pairs
    of messages as they are made (a gzip copy while the next writer works), then an empty name. A
    writer's layout (``given.splice``'s record) follows its file, named ``_RECORD`` + the writer.
    ``more()``: other files ({name: bytes}: the argument's exports), made after the writers' and
    sent (or put) the same way, before the gzip copies, unless the other process took them first
    (``claim``: a ``kg.publish.runs.RunTable`` of one run, which this process asks for as share 1).
    With ``put`` (a build's ``staging``: it can be adopted) each file is put into the stage here and
    only ``_PUT`` + its name, its size and SHA-256 are sent: at 1 M the dumps' 600 MB through the pipe
    took the other process's reading thread some 7 s, a read of 64 KB at a time, each waiting for the
    GIL that process's own work held. With ``targets`` (``(queries, inbox, its other end)``), the
    process then loads the N-Triples dump it wrote into a store and answers the SPARQL targets'
    queries once the other process sends the description's triples (``_ForkedWriters.tell``):
    ``answer_targets``; the answers (or None) are sent after the end mark. ``memo``: the last build's
    gzip pieces (``kg.publish.gzmemo``), its entries kept by the other process."""
    in_forked_child()
    memo = memo if memo is not None else GzMemo(None)
    if targets is not None:
        targets[2].close()  # the other process's end: its exit is an EOF here

    def deliver(name: str, data: bytes) -> None:
        if put is None:
            send.send_bytes(name.encode())
            send.send_bytes(data)
            return
        sha = hashlib.sha256(data).hexdigest()
        put(name, data, sha)
        send.send_bytes((_PUT + name).encode())
        send.send_bytes(f"{len(data)} {sha}".encode())

    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = []
            nt = None  # the N-Triples dump, for the targets' store
            for fmt in formats:
                data = getattr(serialize, fmt.writer)(given)
                if targets is not None and fmt.name == "ntriples":
                    nt = data
                if fmt.gzipped:
                    pending.append((fmt.file + GZ, pool.submit(memo.gz, fmt.file + GZ, data)))
                deliver(fmt.file, data)
                del data
                record = given.splice.records.get(fmt.writer) if given.splice is not None else None
                if record is not None:
                    send.send_bytes((_RECORD + fmt.writer).encode())
                    send.send_bytes(marshal.dumps(record))
            if more is not None and (claim is None or claim.take(1, 1) is not None):
                for name, data in more().items():
                    deliver(name, data)
            for name, future in pending:
                deliver(name, future.result())
        send.send_bytes(b"")
        if targets is not None:
            answers = None
            if nt is not None:
                inbox = targets[1]

                def more():  # noqa: ANN202
                    try:
                        return inbox.recv()
                    except (EOFError, OSError):
                        return None
                answers = answer_targets(nt, more, targets[0])
            send.send(answers)
    except BaseException:  # noqa: BLE001 - no end mark (or no answers): the parent does it itself
        pass
    finally:
        send.close()


class _ForkedWriters:
    """The ``FORKED_WRITERS`` rendered in a forked process (``_writers_worker``); a thread here reads
    what it sends as it comes (the pipe never fills and stops it), and ``drain`` hands ``out`` what
    has arrived, between the writers of this process. ``put``: the build's ``staging``, for the
    process to put its files into the stage itself (then ``out`` adopts them). ``more``: other files
    the process makes after the writers' (``_writers_worker``), and ``finish`` here if it did not;
    or this process, when it asks for them first (``take_more``: it has finished its own writers
    while the other still writes its own; the essay's exports took that process 0.075 s while this
    one waited)."""

    def __init__(self, formats: tuple, given: serialize.DumpInput, put=None,  # noqa: ANN001
                 targets: list[str] | None = None, more=None, memo: GzMemo | None = None) -> None:  # noqa: ANN001
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # nothing buffered is written twice
        self.formats = formats
        self.more = more
        try:
            self.claim = RunTable() if more is not None else None  # who makes ``more``: the first to ask
        except OSError:  # no temporary folder: the process makes them
            self.claim = None
        self.splice = given.splice
        ctx = multiprocessing.get_context("fork")
        self.receive, send = pipe(ctx)  # wide: a thread here reads it while this one works (kg.pipes)
        #: answering the SPARQL targets' queries (``tell``, ``answers``): the other end of the pipe the
        #: description goes through; None when not (or no longer) asked
        self.ask = None
        self.telling: threading.Thread | None = None  # sending what ``tell`` was given
        job = None
        if targets is not None and any(f.name == "ntriples" for f in formats):
            inbox, self.ask = pipe(ctx)
            job = (targets, inbox, self.ask)
        if memo is not None:
            for fmt in formats:
                if fmt.gzipped:
                    memo.keep(fmt.file + GZ)  # the process reads and writes it: not pruned
        self.process = ctx.Process(target=_writers_worker, args=(formats, given, send, put, job, more, memo, self.claim),
                                   daemon=True)
        self.process.start()
        send.close()  # the child holds the only writing end: its death is an EOF here
        if job is not None:
            job[1].close()
        self.arrived: list[tuple[str, bytes]] = []
        self.received: set[str] = set()
        self.complete = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            while name := self.receive.recv_bytes().decode():
                self.arrived.append((name, self.receive.recv_bytes()))
            self.complete = True
        except (EOFError, OSError):
            pass

    def take_more(self) -> dict[str, bytes]:
        """``more()``'s files made here, when the process has not begun them (it asks when its writers
        are done); else {} (the process sends them)."""
        if self.more is None or self.claim is None or self.claim.take(0, 1) is None:
            return {}
        more, self.more = self.more, None  # made here: ``finish`` does not make them again
        return more()

    def drain(self, out) -> None:  # noqa: ANN001
        while self.arrived:
            name, data = self.arrived.pop(0)
            if name.startswith(_RECORD):
                if self.splice is not None:
                    self.splice.receive(name[len(_RECORD):], marshal.loads(data))
                continue
            if name.startswith(_PUT):
                name = name[len(_PUT):]
                size, sha = data.decode().split()
                out.adopt(name, int(size), sha)
            else:
                out(name, data)
            self.received.add(name)

    def tell(self, triples: list, expected: int) -> None:
        """Send the triples the validation adds to the union (the description) and the number of
        triples the store must then hold; the process answers the targets' queries meanwhile. Sent
        by a thread: the process reads them only once it has loaded its store (at 1 M some 5 s after
        the dumps), and the message is larger than the pipe holds."""
        if self.ask is None:
            return
        try:
            message = (ntriples(triples), expected)
        except (ValueError, TypeError):  # a term N-Triples cannot write: no answers
            self.ask.close()
            self.ask = None
            return
        ask = self.ask

        def send() -> None:
            try:
                ask.send(message)
            except (ValueError, OSError):  # the process is gone: answers() finds no answers
                pass
        self.telling = threading.Thread(target=send, daemon=True)
        self.telling.start()

    def answers(self) -> dict | None:
        """The answers of the targets' queries (``{query: focus nodes}``), or None (not asked, the
        process died, another number of triples): then the caller makes its own store. Waits for
        the process, which then ends."""
        if self.ask is None:
            return None
        try:
            got = self.receive.recv()
        except (EOFError, OSError, ValueError, TypeError, AttributeError, ImportError, IndexError,
                pickle.UnpicklingError):
            got = None
        if self.telling is not None:
            self.telling.join(timeout=5)  # answers come only after the process read what was told
        self.stop()
        return got if isinstance(got, dict) else None

    def stop(self) -> None:
        """End the process (killed if it still runs: a build that stopped before asking) and close
        the pipes."""
        if self.telling is not None:
            if self.telling.is_alive():  # still sending: the process is killed, and the send fails
                self.process.kill()
            self.telling.join()
            self.telling = None
        if self.ask is not None:
            self.ask.close()
            self.ask = None
        self.receive.close()
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def finish(self, out, union, base: str, namer: Namer, meanwhile: Callable[[], bool] | None = None) -> None:  # noqa: ANN001
        """Wait for the process and hand ``out`` the rest; what it did not send (it failed or was
        killed) is rendered here, from a new grouping of the union: the same bytes either way.
        ``meanwhile()``: a little work to do while the process writes, called until it says False
        (nothing left) or the process is done."""
        while meanwhile is not None and not self.complete and self.reader.is_alive() and meanwhile():
            pass
        self.reader.join()
        if self.ask is None or not self.complete:
            self.stop()
        self.drain(out)
        if self.complete:
            return
        if hasattr(out.put, "distrust"):  # the process may have left a file half put at a path
            out.put.distrust()
        given = serialize.DumpInput(union, base, namer, group(union))
        for fmt in self.formats:
            missing = [n for n in [fmt.file] + ([fmt.file + GZ] if fmt.gzipped else []) if n not in self.received]
            if missing:
                data = getattr(serialize, fmt.writer)(given)
                for name in missing:
                    out(name, data if name == fmt.file else gz(data))
        if self.more is not None:
            for name, data in self.more().items():
                if name not in self.received:
                    out(name, data)


def render(dataset, config: Config, put: Callable[[str, bytes, str], None] | None = None,  # noqa: ANN001
           fork: bool = False, cache: Cache | None = None, splice: UnionMemo | None = None,
           targets: list[str] | None = None) -> dict[str, bytes]:
    """The dumps and the dataset description as bytes, keyed by relative path; sets
    ``dataset.metadata``. ``dataset`` is a ``kg.model.Dataset``. With ``put``, each file is handed to
    ``put(name, bytes, sha256)`` as soon as it is made instead (the build puts them into its stage, so that
    it never holds every dump at once) and the result is empty. With ``fork`` (and a second core:
    ``_forkable``) the ``FORKED_WRITERS`` run in a forked process beside the rest (the same bytes).
    With a ``kg.cache.Cache``, the essays' named graphs in TriG are read from it when written before
    (``kg.publish.dumpmemo``; the same bytes), and the gzip copies reuse the compressed pieces of the
    last build's (``kg.publish.gzmemo``; the same bytes). With a ``kg.publish.unionmemo.UnionMemo`` (and ``put``:
    the files go into a stage whose ``written`` it reads), the union's dumps are spliced from the last
    build's files (the same bytes) and their layouts recorded for the next build. With ``targets`` (the
    SPARQL targets' queries: ``kg.validation.partitioned.sparql_target_queries``) and the writers
    forked, that process goes on to answer them and is handed over as ``dataset.target_answers``."""
    union = dataset.union
    base = config.base_iri
    namer = Namer(base)
    formats = registry.DUMP_FORMATS
    out = _Out(put)
    if splice is not None:
        splice.prepare(namer, {f.writer: f.file for f in formats if f.scope == "union"})
    # one pass over the union for the Turtle and JSON-LD writers
    inputs = serialize.DumpInput(union, base, namer, group(union), splice=splice)
    forked = tuple(f for f in formats if f.scope == "union" and f.writer in FORKED_WRITERS) if fork and _forkable() else ()
    adoptable = put if hasattr(put, "adopt") else None  # the forked writers put their files themselves
    # the argument's exports made there too, after the dumps (off this process's path: the pages fork
    # when it is done; at 1 M they took 3-6.5 s here)
    arguments = partial(argument_exports, dataset, config, cache=cache)
    nanopubmemo.keep(cache)  # its nanopublications' entry, made in whichever process makes them
    memo = GzMemo(cache)  # the last build's gzip pieces: only changed pieces are compressed again
    started = _ForkedWriters(forked, inputs, adoptable, targets, more=arguments, memo=memo) if forked else None
    # gzip (zlib releases the GIL) runs in threads while the next writer works
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: list = []  # [(name, future)]: the gzip copies not yet given out

        def collect(wait: bool) -> None:
            if started is not None:
                started.drain(out)
            for item in list(pending):
                if wait or item[1].done():
                    pending.remove(item)
                    out(item[0], item[1].result())

        def write(fmt: registry.DumpFormat, given: serialize.DumpInput) -> None:
            collect(wait=False)
            data = getattr(serialize, fmt.writer)(given)
            if fmt.gzipped:
                pending.append((fmt.file + GZ, pool.submit(memo.gz, fmt.file + GZ, data)))
            out(fmt.file, data)

        for fmt in formats:
            if fmt.scope == "union" and fmt not in forked:
                write(fmt, inputs)
        del inputs  # the grouping is no longer needed (here: the forked writers have their own)
        names = registry.described_dumps()
        collect(wait=False)
        # the argument as xAIF and nanopublications: here unless the forked writers make them
        exports = arguments() if started is None else {}
        dataset.lookups = Index([union], config.base_iri + "id/")  # shared with the pages (pages.prepare)
        reading = reading_exports(dataset, config)  # annotations.jsonld and the TEI edition(s)
        exports.update(reading)
        listed = sorted(names + argument_distributions(dataset) + list(reading))
        collect(wait=False)
        union_stats = stats(union)
        core = describe(union, config, [_dump(n, b"") for n in listed], dataset.essay_iris, with_distributions=False,
                        graph_stats=union_stats)
        graphs = dict(dataset.named_graphs)
        graphs[dataset.metadata_graph_name] = core
        for fmt in formats:
            if fmt.scope == "graphs":
                write(fmt, serialize.DumpInput(union, base, namer, graphs=graphs, trig_body=TrigBodies(cache)))
        if started is not None:  # the argument's exports here if the forked writers have not begun them
            exports.update(started.take_more())
        collect(wait=True)
    if started is not None:
        # the pages' labels worked out while the writers' process writes (the page processes, forked
        # from this one, find them made)
        started.finish(out, union, base, namer, meanwhile=dataset.lookups.label_some)
        if started.ask is not None:
            dataset.target_answers = started
    if splice is not None:
        splice.save()
    for name, data in exports.items():
        out(name, data)
    del exports
    meta = describe(union, config, [out.dump(n) for n in listed], dataset.essay_iris,
                    graph_stats=union_stats)
    meta += served_description(config, sum(len(g) for g in graphs.values()))  # what COUNT(*) counts at /sparql
    dataset.metadata = meta
    out("void.ttl", turtle(meta, base))
    out("ontology.ttl", turtle(dataset.ontology, base))
    out("context.jsonld", (json.dumps({"@context": jsonld_context(base)}, indent=1) + "\n").encode())
    return out.files


#: The processes the pages are rendered in when forked into a stage (each a share of the resources).
PAGE_PROCESSES = 2


@dataclass
class Started:
    """The last extra's forked processes, started ahead of the others (``start_extras``): handed to
    ``render_extras`` (``started=``), which renders the others and collects them, or to ``stop``."""

    processes: list | None  # [(process, receiving end)] per share; None: not forked (no second core)
    n: int
    prepared: object = None

    def stop(self) -> None:
        """Kill and join the processes still running (an error before ``render_extras`` took them)."""
        for process, receive in self.processes or ():
            receive.close()
            if process.is_alive():
                process.kill()
            process.join()
        self.processes = None


def start_extras(dataset, config: Config, extras: tuple[Extra, ...], stage=None, cache=None) -> Started:  # noqa: ANN001
    """Fork the last extra's processes now (as ``render_extras(fork=True)`` would), so that they run
    beside what this process does next; ``render_extras(..., started=)`` then renders the others and
    collects them. ``cache``: the build cache (``kg.cache.Cache``), where the pages keep their records
    (``kg.publish.pagememo``: a page whose reads did not change is linked, not rendered again)."""
    last = extras[-1:]
    n = PAGE_PROCESSES if stage is not None and last and getattr(last[0], "shares", False) else 1
    if not (len(extras) > 1 and _forkable()):
        return Started(None, n)
    # what the shares have in common (the pages' look-ups), made once before they fork
    prepared = last[0].prepare(dataset, config, cache=cache, shares=n) if n > 1 and hasattr(last[0], "prepare") else None
    return Started([_fork_extras(dataset, config, last, stage, (k, n), prepared) for k in range(n)], n, prepared)


def render_extra(extra: Extra, dataset, config: Config, cache=None) -> dict[str, bytes]:  # noqa: ANN001
    """The files of one extra rendered in this process; ``cache`` handed to the extras that keep work
    in it (``cached``: the maps' drawings)."""
    return extra(dataset, config, cache=cache) if getattr(extra, "cached", False) else extra(dataset, config)


def render_extras(dataset, config: Config, extras: tuple[Extra, ...], fork: bool = False,  # noqa: ANN001
                  stage=None, started: Started | None = None, cache=None) -> dict[str, bytes]:  # noqa: ANN001
    """The files of the extra publishers (pages, maps, ...: ``kg.publish.extras.EXTRAS``, which the
    caller passes), later ones overriding earlier ones. With ``fork`` (and two cores, and ``fork``
    allowed: ``_forkable``) the last extra (the pages, the largest) is rendered in a forked process
    while this one renders the others; if that process fails in any way, this one renders it again
    itself (and raises its error, if any): the files are the same either way. With ``stage`` (an open
    ``kg.publish.writer.Stage`` keeping digests) the last extra's files are put into it as they are
    made instead (by the forked processes, ``PAGE_PROCESSES`` of them each with a share of the
    resources when the extra can share (``shares``), or by this one) and are not in the returned
    dict: at 1 M triples they are 770,000 files and gigabytes, which no process then holds at once.
    ``started``: the processes ``start_extras`` forked earlier (then ``fork`` is not read). ``cache``:
    the build cache, handed to the extras that keep work in it (``cached``: the maps' drawings)."""
    files: dict[str, bytes] = {}
    last = extras[-1:]
    if started is None:
        started = start_extras(dataset, config, extras, stage) if fork else Started(None, 1)
    processes, n, prepared = started.processes, started.n, started.prepared
    started.processes = None  # this call joins them
    try:
        for extra in extras[:-1] if processes is not None or stage is not None else extras:
            files.update(render_extra(extra, dataset, config, cache))
        if processes is not None:
            for k, one in enumerate(processes):
                files.update(_forked_result(one, dataset, config, last, stage, (k, n), prepared))
        elif stage is not None:
            for extra in last:
                _into(extra, dataset, config, stage)
    finally:
        for process, _receive in processes or ():
            if process.is_alive():  # an error here before its result was read: no process left behind
                process.kill()
                process.join()
    return files


def _into(extra: Extra, dataset, config: Config, stage, share: tuple[int, int] = (0, 1), prepared=None) -> None:  # noqa: ANN001
    """Put the files of ``extra`` into ``stage``: of ``share`` = (k, n), the k-th of n shares, put as they
    are made, if the extra can (``shares``: it takes ``into``, ``share`` and ``prepared``, what its
    ``prepare`` made); else all its files for k = 0."""
    if getattr(extra, "shares", False):
        extra(dataset, config, into=stage, share=share, prepared=prepared)
    elif share[0] == 0:
        stage.update(extra(dataset, config))


def _forkable() -> bool:
    """Whether an extra may be rendered in a forked process: there is ``fork`` and a second core, and
    the progress it reports reaches the terminal or log (a real file: an in-memory stream, as under
    click's test runner, would lose the child's lines)."""
    if not forkable():
        return False
    reporter = current_reporter()
    if reporter.mode == "quiet":
        return True
    try:
        reporter.stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True


def _extras_worker(dataset, config: Config, extras: tuple, send, stage, share: tuple[int, int], prepared) -> None:  # noqa: ANN001
    """A forked extras' process: its answer (``_forked_result``) is the files it rendered ({name:
    bytes}), or, with a ``stage``, ``("part", names, lines, starts)``, its part of SHA256SUMS
    (``kg.publish.sums.part``) of the files it put there (``("staged", {})`` for a stage without
    digests); None when it failed. Sent as ``marshal`` (data only). At 1 M each page process puts
    some 384,000 files: their digests as a dictionary took the parent 0.6 s each to read and adopt
    at the build's one-core end, and 0.9 s more to write SHA256SUMS of them; as parts, which the
    processes make while the others still work, the parent merges them a run at a time."""
    in_forked_child()
    try:
        if stage is None:
            answer = render_extras(dataset, config, extras)
        else:
            stage.own_digests()  # what this process puts; the parent's own it has
            for extra in extras:
                _into(extra, dataset, config, stage, share, prepared)
            answer = ("part", *sums.part(stage.digests)) if stage.digests is not None else ("staged", {})
        message = marshal.dumps(answer)
    except BaseException:  # noqa: BLE001 - the parent renders them again and raises the error itself
        message = marshal.dumps(None)
    try:
        send.send_bytes(message)
    finally:
        send.close()


def _fork_extras(dataset, config: Config, extras: tuple, stage=None, share: tuple[int, int] = (0, 1), prepared=None):  # noqa: ANN001, ANN202
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # nothing buffered is written twice
    ctx = multiprocessing.get_context("fork")
    receive, send = pipe(ctx)
    process = ctx.Process(target=_extras_worker, args=(dataset, config, extras, send, stage, share, prepared), daemon=True)
    process.start()
    send.close()  # the child holds the only writing end: its death is an EOF here
    return process, receive


def _forked_result(started, dataset, config: Config, extras: tuple, stage=None,  # noqa: ANN001
                   share: tuple[int, int] = (0, 1), prepared=None) -> dict[str, bytes]:  # noqa: ANN001
    process, receive = started
    try:
        files = marshal.loads(receive.recv_bytes())  # _extras_worker's answer
    except (EOFError, OSError, ValueError, TypeError):  # no answer (the process died), or a cut one
        files = None
    finally:
        receive.close()
        process.join()
    staged = isinstance(files, tuple) and len(files) == 2 and files[0] == "staged" and isinstance(files[1], dict)
    part = None
    if (stage is not None and stage.digests is not None and isinstance(files, tuple) and len(files) == 4
            and files[0] == "part" and isinstance(files[1], str) and isinstance(files[2], bytes)
            and isinstance(files[3], bytes)):
        try:
            part = sums.read(*files[1:])
        except ValueError:  # not a part: rendered again here
            part = None
    if not ((staged or part is not None) if stage is not None else isinstance(files, dict)):
        files = None  # not the answer _extras_worker sends: rendered again here
    if files is None:
        if stage is None:
            return render_extras(dataset, config, extras)
        stage.distrust()  # the child may have put some files: each is replaced, never written through
        for extra in extras:
            _into(extra, dataset, config, stage, share, prepared)
        return {}
    if stage is not None:
        if part is None:
            stage.adopt(files[1])
        elif not stage.adopt_part(part):  # one of its files put here too: read as digests
            stage.adopt(sums.digests(part))
        return {}
    return files


def finish(files: dict[str, bytes], dataset, config: Config, report_text: str, report_ttl: bytes,  # noqa: ANN001
           extras: tuple[Extra, ...] = (), extra_files: dict[str, bytes] | None = None,
           stage=None, cache=None) -> dict[str, bytes]:  # noqa: ANN001
    """Add the validation reports, the extras (pages, maps) and SHA256SUMS to the rendered files;
    ``extra_files``: the extras' files if already rendered (``render_extras``). ``stage``: the open
    ``kg.publish.writer.Stage`` the build writes into (its files, listed in ``stage.digests``, count
    in SHA256SUMS and win over ``files`` of the same name; the pages not yet rendered go into it)."""
    files = dict(files)
    if report_text:
        files["validation-report.txt"] = report_text.encode("utf-8")
    if report_ttl:
        files["validation-report.ttl"] = report_ttl
    files.update(render_extras(dataset, config, extras, fork=stage is not None, stage=stage, cache=cache)
                 if extra_files is None else extra_files)
    files["SHA256SUMS"] = checksums(files, stage)
    return files


def checksums(files: dict[str, bytes], stage=None) -> bytes:  # noqa: ANN001
    """SHA256SUMS of ``files`` and of what was put into ``stage`` (an open ``kg.publish.writer.Stage``
    keeping digests, or None): its own files' lines made here, merged with the parts the page
    processes sent (``Stage.parts``, ``kg.publish.sums``). A file in a part that this process put
    again since has the digest of its own put."""
    staged = stage.digests if stage is not None and stage.digests is not None else {}
    parts = stage.parts if stage is not None else []
    own = _own_names(files, staged, stage if parts else None)
    if not parts:
        return sha256sums(own, staged, files)
    text, starts = sums.lines(own, _digest_of(staged, files))
    try:
        return sums.merge([sums.Part(own, text, memoryview(starts)), *parts])[1]
    except ValueError:  # a name in two of them: this process's put wins, as it does on disk
        digests = {n: d for part in parts for n, d in sums.digests(part).items()}
        digests.update(staged)
        names = published_names(files, digests)
        return sha256sums(names, digests, files)


def sha256sums(names: list[str], staged: dict[str, str], files: dict[str, bytes]) -> bytes:
    """SHA256SUMS: a line ``digest  name`` for each of ``names`` (sorted), its digest the stage's
    (``staged``) or made from its bytes in ``files``. Written a batch of lines at a time into one
    buffer (at 1 M, 770,000 files, the lines joined as one string and then encoded were three copies
    of 100 MB at the parent's peak), each batch one ``%`` of a format repeated, its digests looked up
    by ``map``: 0.9 s there instead of 1.5 s for an f-string per line (``kg.publish.sums.lines``)."""
    return sums.lines(names, _digest_of(staged, files), starts=False)[0]


def _digest_of(staged: dict[str, str], files: dict[str, bytes]):  # noqa: ANN202
    """A name's digest: the stage's, or made from its bytes in ``files``."""
    get = staged.get
    return lambda n: d if (d := get(n)) is not None else hashlib.sha256(files[n]).hexdigest()


def published_names(files: dict[str, bytes], staged: dict[str, str], stage=None) -> list[str]:  # noqa: ANN001
    """The names of ``files`` and of the stage's files (``staged``: ``Stage.digests``; with ``stage``,
    the names of its ``parts`` too), sorted, each once. Sorted from the order the stage received
    them, which is mostly in order already (at 1 M, 759,175 names in 674 sorted runs) and which
    Timsort merges: 0.16 s there, against 0.90 s from a set's order (the build sorted them twice:
    for SHA256SUMS and for its result)."""
    names = _own_names(files, staged, stage)
    parts = stage.parts if stage is not None else ()
    if not parts:
        return names
    for part in parts:
        names += part.names
    names.sort()
    if len(names) != len(set(names)):  # a part's file put here again
        names = sorted(set(names))
    return names


def _own_names(files: dict[str, bytes], staged: dict[str, str], stage=None) -> list[str]:  # noqa: ANN001
    """This process's files, sorted: those it put (``staged``) and those of ``files`` not put (with
    ``stage``, not held by it either: a file of a part is the part's)."""
    names = list(staged)
    names += [n for n in files if n not in staged and (stage is None or n not in stage)]
    names.sort()
    return names


__all__ = ["DUMP_STEM", "Dump", "describe", "gz", "jsonld", "ntriples", "published_names", "render", "render_extra",
           "render_extras", "sha256sums", "trig", "turtle"]
