"""The benchmark: wall time and peak memory of each stage of ``kg build`` and of ``kg validate``,
each serialisation, and the latency of the cookbook queries on the embedded store, at several
corpus sizes; writes the table into docs/performance.md. One command::

    python bench/run.py --sizes 10k,100k,1m

Each measurement runs in a fresh interpreter (``--child``), so figures are cold and independent;
every figure is the median of ``--repeat`` runs. Peak memory of a stage is the process's resident
high-water mark during it (reset at the stage's start through /proc/self/clear_refs); worker
processes report their own peak, and "peak (all)" adds the workers' peaks to the parent's (an upper
bound of what the build holds at once). The memory of all the build's processes together (PSS,
``TreeMemory``) is sampled in one more cold build and one more rebuild of each size, run for that
alone: its samples cost the kernel CPU, which the runs timed must not pay.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.append(str(REPO))  # after PYTHONPATH: `PYTHONPATH=/old/tree python bench/run.py` measures another tree

QUERY_BUDGET_S = 3.0   # per query: stop repeating after this long ...
QUERY_REPS = 50        # ... or after this many runs
QUERY_TIMEOUT_S = 20.0  # a query slower than this (warm-up included) is reported as a timeout


# ---------------------------------------------------------------- in the child process

def _hwm_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_hwm() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _tree(pid: int) -> list[int]:
    """``pid`` and every process descended from it (``/proc/PID/task/TID/children``)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:  # ended meanwhile
            pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """The peak memory of the whole build, all its processes together, sampled every ``every`` seconds
    by a thread: the sum of each process's proportional set size (PSS: a page shared by n processes
    counts 1/n in each, so the pages the forked processes share with the parent count once and the
    ones they copied or made count in full). The parent's RSS and the largest child's leave out
    what the others hold; this is what the machine must have. 0 where there is no ``/proc``.

    A sample costs the kernel some 16 ms of CPU per GB the processes map (it walks their page
    tables for ``smaps_rollup``): at 1 M, 5-10 GB across the build's processes, some 10-15 % of a
    core. So the benchmark samples in runs of their own (``measure``'s memory runs), never in the
    runs it times. ``enabled=False``: no thread, ``mb`` 0."""

    def __init__(self, every: float = 1.0, enabled: bool = True) -> None:
        import threading

        self.every = every
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True) if enabled else None

    def __enter__(self) -> "TreeMemory":
        if self._thread is not None:
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()

    def _run(self) -> None:
        self._sample()
        while not self._stop.wait(self.every):
            self._sample()

    def _sample(self) -> None:
        self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _tree(os.getpid())))

    @property
    def mb(self) -> float:
        return self.peak_kb / 1024


class Stages:
    """The ``timer`` hook of kg.pipeline: wall time and peak RSS of each stage."""

    def __init__(self) -> None:
        self.out: dict[str, dict[str, float]] = {}

    @contextmanager
    def __call__(self, name: str):  # noqa: ANN204
        _reset_hwm()
        t = time.perf_counter()
        try:
            yield
        finally:
            self.out[name] = {"s": time.perf_counter() - t, "mb": _hwm_mb()}


def _cache(out: Path):  # noqa: ANN202
    """The build cache of the benchmark's builds (beside their output), when this tree has one."""
    try:
        from kg.cache import Cache
    except ImportError:  # an older tree, measured with PYTHONPATH
        return None
    return Cache(out.parent / f"{out.name}.kg-cache")


def child_build(root: Path, out: Path, memory: bool = False) -> dict:
    """A cold build (the cache emptied first: it is filled, as ``kg build`` does); with ``memory``,
    the memory of all its processes sampled (``TreeMemory``: a run for its memory, not its time)."""
    import shutil

    t0 = time.perf_counter()
    from kg.config import load_config
    from kg.pipeline import build

    stages = Stages()
    cache = _cache(out)
    if cache is not None:
        shutil.rmtree(cache.folder, ignore_errors=True)
    with TreeMemory(enabled=memory) as tree:
        result = build(load_config(root), output=out, timer=stages, **({"cache": cache} if cache is not None else {}),
                       **_as_the_command(build))
    stages.out["build (total)"] = {"s": time.perf_counter() - t0, "mb": 0.0}
    return {"stages": stages.out, "triples": result.triples, "workers_mb": _children_mb(),
            "parent_mb": max(v["mb"] for v in stages.out.values()), "tree_mb": tree.mb}


#: the change the incremental row makes to one essay (and undoes afterwards); ``{run}`` is made
#: different in every run, so that each run changes the essay against the cache of the run before (the
#: same edit twice was a rebuild of nothing changed from the second run on, and the median of three
#: runs measured that)
EDIT = ('rdfs:label "On the ', 'rdfs:label "Revised ({run}): On the ')


#: what the builds measured here keep until the process ends, as ``kg build`` does (``kg.cli.entry``
#: ends its process without freeing the build's dataset and the pages' index): the time a build takes
#: is then the command's, not that plus freeing gigabytes at 1 M
RETAINED: list = []


def _as_the_command(build) -> dict:  # noqa: ANN001
    """``build``'s keyword arguments that make it keep what ``kg build`` keeps (none for a tree older
    than ``retain``)."""
    import inspect

    return {"retain": RETAINED} if "retain" in inspect.signature(build).parameters else {}


def timed_rebuild(root: Path, out: Path, cache, memory: bool = True) -> dict:  # noqa: ANN001
    """A build of ``root`` into ``out`` with ``cache``, timed per stage: the stages (with ``build
    (total)``), the cache's hits and misses, the parent's and (with ``memory``: ``TreeMemory``'s
    samples cost CPU) the process tree's memory (MB)."""
    from kg.config import load_config
    from kg.pipeline import build

    stages = Stages()
    t0 = time.perf_counter()
    with TreeMemory(enabled=memory) as tree:
        build(load_config(root), output=out, timer=stages, cache=cache, **_as_the_command(build))
    stages.out["build (total)"] = {"s": time.perf_counter() - t0, "mb": 0.0}
    return {"stages": stages.out, "hits": cache.hits, "misses": cache.misses,
            "parent_mb": max(v["mb"] for v in stages.out.values()), "tree_mb": tree.mb}


def edited_essay(root: Path) -> Path:
    """The essay the incremental runs edit: the middle one of ``data/essays``."""
    essays = sorted((root / "data" / "essays").iterdir())
    return essays[len(essays) // 2] / "essay.ttl"


def set_state(essay: Path, state: str) -> bytes:
    """Put ``essay`` in ``state`` (``orig``; ``revised``: with ``EDIT``, a new run number) and return
    its original bytes (an edit left by a stopped run undone first). Raises ValueError when there is
    nothing to edit (a rebuild of nothing changed would be measured instead)."""
    text = essay.read_text(encoding="utf-8")
    head, tail = EDIT[1].split("{run}")
    start = text.find(head)
    if start >= 0:
        text = text[:start] + EDIT[0] + text[text.index(tail, start) + len(tail):]
    if EDIT[0] not in text:
        raise ValueError(f"{essay}: no {EDIT[0]!r} to edit")
    original = text.encode("utf-8")
    if state == "revised":
        text = text.replace(EDIT[0], EDIT[1].format(run=time.time_ns()), 1)
    essay.write_text(text, encoding="utf-8")
    return original


def child_incremental(root: Path, out: Path, memory: bool = False) -> dict:
    """After a build with the cache: one essay edited (its label), built again (``memory``: as
    ``child_build``'s)."""
    cache = _cache(out)
    if cache is None:
        return {"stages": {}, "error": "no build cache in this tree"}
    essay = edited_essay(root)
    try:
        original = set_state(essay, "revised")
    except ValueError as exc:
        return {"stages": {}, "error": str(exc)}
    try:
        return timed_rebuild(root, out, cache, memory)
    finally:
        essay.write_bytes(original)


def child_validate(root: Path) -> dict:
    """``kg validate`` of the whole corpus as the command runs it (``validate_sources`` with no
    FILES), timed per step: the sources read, enriched and indexed by place (``prepare``: the
    command's ``prepare_corpus``), then the shapes run and the findings located (``validate``: its
    ``run``). Before the thirty-seventh round this row timed the build's ``validate_corpus`` instead,
    which reads and validates the same corpus but neither traces findings to their places nor runs
    under the command's collection policy."""
    t0 = time.perf_counter()
    import kg.validation.files as files
    from kg.config import load_config

    stages = Stages()

    def timed(name: str, fn):  # noqa: ANN001, ANN202
        def step(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            with stages(name):
                return fn(*args, **kwargs)
        return step

    files.prepare_corpus, files.run = timed("prepare", files.prepare_corpus), timed("validate", files.run)
    report = files.validate_sources(load_config(root), [])
    stages.out["validate (total)"] = {"s": time.perf_counter() - t0, "mb": 0.0}
    return {"stages": stages.out, "conforms": not any(f.severity in ("violation", "error") for f in report.findings),
            "workers_mb": _children_mb(), "parent_mb": max(v["mb"] for v in stages.out.values())}


def child_serialise(root: Path) -> dict:
    """Each writer of kg.publish on the compiled dataset, timed alone."""
    from kg.config import load_config
    from kg.pipeline import compile_dataset
    from kg.publish import Dump, describe, gz, render
    from kg.publish.serialize import jsonld, ntriples, trig, turtle
    from kg.sources import load_sources

    config = load_config(root)
    dataset = compile_dataset(load_sources(config), config)
    render(dataset, config)  # sets dataset.metadata
    # as in a build, where each writer runs in a forked process (the dump writers', the pages'): what
    # the process inherited set aside from collection and no cyclic collection at all. With Python's
    # collections on, the pages at 1 M took 18 % longer here than in the build's page processes
    from kg.gcpolicy import in_forked_child
    in_forked_child()
    base = config.base_iri
    stages = Stages()
    graphs = dict(dataset.named_graphs)
    graphs[dataset.metadata_graph_name] = dataset.metadata
    with stages("turtle"):
        ttl = turtle(dataset.union, base)
    with stages("n-triples"):
        ntriples(dataset.union)
    with stages("json-ld"):
        jsonld(dataset.union, base)
    with stages("trig"):
        trig(graphs, base)
    with stages("gzip (turtle)"):
        gz(ttl)
    with stages("void/dcat"):
        describe(dataset.union, config, [Dump("dataset.ttl", ttl)], dataset.essay_iris)
    from kg.maps.pages import maps
    from kg.publish.pages import pages

    with stages("extra: pages"):  # in a build they run while the validation workers work
        pages(dataset, config)
    with stages("extra: maps"):
        maps(dataset, config)
    return {"stages": stages.out}


def child_queries(out: Path) -> dict:
    from kg.store import OxigraphStore

    t = time.perf_counter()
    store = OxigraphStore.from_output(out)
    load_s = time.perf_counter() - t
    import multiprocessing

    result = {}
    ctx = multiprocessing.get_context("fork")  # the child shares the loaded store
    for path in sorted((REPO / "queries").glob("*.rq")):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_time_query, args=(store, path.read_text(encoding="utf-8"), send))
        proc.start()
        if recv.poll(QUERY_TIMEOUT_S):
            result[path.stem] = recv.recv()
        else:  # pyoxigraph cannot interrupt a query: the process is the unit that can be stopped
            result[path.stem] = {"error": f"timeout: over {QUERY_TIMEOUT_S:.0f} s"}
            proc.kill()
        proc.join()
    return {"load_s": load_s, "queries": result, "mb": _hwm_mb()}


def _time_query(store, sparql: str, send) -> None:  # noqa: ANN001
    try:
        store.query(sparql)  # warm-up
    except Exception as exc:  # noqa: BLE001 - a broken cookbook query is reported, not fatal
        send.send({"error": f"{type(exc).__name__}: {exc}"[:120]})
        return
    times, start = [], time.perf_counter()
    while len(times) < QUERY_REPS and time.perf_counter() - start < QUERY_BUDGET_S:
        t = time.perf_counter()
        res = store.query(sparql)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    send.send({"p50": statistics.median(times), "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
               "n": len(times), "rows": len(res.rows)})


# ---------------------------------------------------------------- in the driver

def _child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True,
                          cwd="/tmp", env={**os.environ, "PYTHONHASHSEED": "0"})
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _median_stages(runs: list[dict]) -> dict[str, dict[str, float]]:
    names = list(runs[0]["stages"])
    return {n: {k: statistics.median(r["stages"][n][k] for r in runs) for k in ("s", "mb")} for n in names}


def corpus(work: Path, size: str, seed: int) -> Path:
    from corpus import TRIPLES_PER_ESSAY, generate, parse_size

    root = work / f"corpus-{size}-s{seed}"
    stamp = root / ".generated"
    key = f"{size} {seed} {TRIPLES_PER_ESSAY} {(BENCH / 'corpus.py').stat().st_mtime_ns}"
    if not (stamp.exists() and stamp.read_text() == key):
        generate(root, parse_size(size), seed)
        stamp.write_text(key)
    return root


#: where the essay's builds are written (``essay_cold``)
ESSAY_OUT = Path("/tmp/kg-bench-essay-out")


def essay_cold(repeat: int) -> dict:
    """The real essay's whole build in a fresh ``python -m kg build`` process: cold (``--no-cache``,
    the target's measure) and with the build cache of the run before (what a second build costs)."""
    out = ESSAY_OUT

    def runs(*extra: str) -> list[float] | str:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "kg", "-q", "--root", str(REPO), "build", "--output", str(out), *extra],
                                  capture_output=True, text=True, cwd="/tmp")
            times.append(time.perf_counter() - t)
            if proc.returncode != 0:
                return (proc.stderr.strip().splitlines() or ["?"])[0][:200]
        return times

    cold = runs("--no-cache")
    if isinstance(cold, str):
        return {"error": cold}
    runs()  # fills the cache
    cached = runs()
    if isinstance(cached, str):
        return {"error": cached}
    return {"s": statistics.median(cold), "runs": cold, "cached_s": statistics.median(cached), "cached_runs": cached}


def measure(sizes: list[str], repeat: int, seed: int, work: Path, big_repeat: int,
            save: Callable[[dict], None] = lambda _r: None) -> dict:
    """Every measurement at every size; ``save(results)`` after each size, so that a run stopped at
    1 M keeps what it measured below."""
    results: dict = {"machine": machine(), "repeat": repeat, "seed": seed, "sizes": {}}
    results["outputs"] = {"corpora": [str(work), file_system(work)], "essay": [str(ESSAY_OUT), file_system(ESSAY_OUT)]}
    results["essay"] = essay_cold(repeat)
    print(f"essay cold build: {results['essay']}", file=sys.stderr)
    for size in sizes:
        root = corpus(work, size, seed)
        out = work / f"output-{size}"
        n = big_repeat if size.lower().endswith("m") else repeat
        builds = [_child("build", str(root), str(out)) for _ in range(n)]
        # the memory of all the build's processes in a run of its own: its samples would slow the
        # runs timed (TreeMemory)
        build_memory = _child("build", str(root), str(out), "--memory")
        # the first rebuild after a cold build finds no retired tree to reuse as its folder (the cold
        # build wrote a new one) and links every kept file; from the second on, a rebuild is what a
        # publisher's next build costs: that one is the row, the first is reported beside it
        first = _child("incremental", str(root), str(out))
        incrementals = [_child("incremental", str(root), str(out)) for _ in range(n)]
        incremental_memory = _child("incremental", str(root), str(out), "--memory")
        validates = [_child("validate", str(root)) for _ in range(n)]
        serial = [_child("serialise", str(root)) for _ in range(n)]
        queries = _child("queries", str(out))
        entry = {
            "triples": builds[0]["triples"], "essays": len(list((root / "data" / "essays").iterdir())), "runs": n,
            "build": _median_stages(builds), "validate": _median_stages(validates), "serialise": _median_stages(serial),
            "incremental": _median_stages(incrementals) if incrementals[0]["stages"] else {},
            "incremental_first_s": first.get("stages", {}).get("build (total)", {}).get("s"),
            "incremental_cache": {"hits": incrementals[0].get("hits"), "misses": incrementals[0].get("misses"),
                                  **({"error": incrementals[0]["error"]} if "error" in incrementals[0] else {})},
            "build_parent_mb": statistics.median(b["parent_mb"] for b in builds),
            "build_workers_mb": statistics.median(b["workers_mb"] for b in builds),
            "build_tree_mb": build_memory.get("tree_mb", 0.0),
            "incremental_tree_mb": incremental_memory.get("tree_mb", 0.0),
            # the time of the runs that sampled the memory: what the samples would have added
            "memory_runs_s": [r.get("stages", {}).get("build (total)", {}).get("s") for r in (build_memory, incremental_memory)],
            "validate_workers_mb": statistics.median(b["workers_mb"] for b in validates),
            "queries": queries,
        }
        results["sizes"][size] = entry
        save(results)
        print(f"{size}: {entry['triples']} triples, build {entry['build']['build (total)']['s']:.1f} s", file=sys.stderr)
    return results


def file_system(path: Path, mounts: str = "/proc/mounts") -> str:
    """The type of the file system ``path`` is on (``/proc/mounts``' longest mount point above it), or
    "?": a cold build's time depends on it (docs/performance.md, twenty-third round: creating a file
    on this machine's ext4 disk costs 100-700 µs, in tmpfs about 10 µs)."""
    path = Path(path).resolve()
    best, kind = "", "?"
    try:
        for line in open(mounts):
            parts = line.split()
            if len(parts) < 3:
                continue
            point = parts[1].replace("\\040", " ")
            inside = str(path) == point or str(path).startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best):
                best, kind = point, parts[2]
    except OSError:
        pass
    return kind


def machine() -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import pyoxigraph
    import pyshacl
    import rdflib
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem, 1), "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}", "rdflib": rdflib.__version__,
            "pyshacl": pyshacl.__version__, "pyoxigraph": pyoxigraph.__version__,
            "date": time.strftime("%Y-%m-%d")}


# ---------------------------------------------------------------- the table

def _ratio(a: float | None, b: float | None) -> str:
    return f"{b / a:.1f}×" if a and b else "–"


def table(results: dict) -> str:
    sizes = list(results["sizes"])
    S = results["sizes"]
    lines = []
    m = results["machine"]
    lines.append(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM; {m['os']}; Python "
                 f"{m['python']}, rdflib {m['rdflib']}, pySHACL {m['pyshacl']}, pyoxigraph {m['pyoxigraph']}; "
                 f"{m['date']}. Medians of {results['repeat']} cold runs (1 M: "
                 f"{S[sizes[-1]]['runs'] if sizes else '?'}).")
    outputs = results.get("outputs")
    if outputs:
        lines[-1] += (f" The corpora built into `{outputs['corpora'][0]}` ({outputs['corpora'][1]}), the essay into "
                      f"`{outputs['essay'][0]}` ({outputs['essay'][1]}).")
    lines.append("")
    essay = results.get("essay", {})
    lines.append("The essay's whole build in a fresh process, cold (`kg build --no-cache`): "
                 + (f"**{essay['s']:.2f} s**" if "s" in essay else f"failed: {essay.get('error')}")
                 + (f"; with the cache of the build before (`kg build`): {essay['cached_s']:.2f} s." if "cached_s" in essay else "."))
    firsts = [(s, S[s]["incremental_first_s"]) for s in sizes if S[s].get("incremental_first_s") is not None]
    if firsts:
        lines.append("The rows \"one essay changed, rebuild\" are the rebuilds after a rebuild (what a publisher's "
                     "next build costs); the first rebuild after the cold build, which has no retired tree to reuse "
                     "yet and links every file it keeps, took "
                     + ", ".join(f"{t:.2f} s ({s})" for s, t in firsts) + ".")
    lines.append("")
    head = "| stage | " + " | ".join(f"{s} ({S[s]['triples']:,} triples, {S[s]['essays']} essays)" for s in sizes)
    growth = [f"{a}→{b}" for a, b in zip(sizes, sizes[1:])]
    lines.append(head + " | " + " | ".join(f"growth {g}" for g in growth) + " |")
    lines.append("|" + " --- |" * (1 + len(sizes) + len(growth)))

    def rows(section: str, label: str) -> None:
        """One row per stage of ``section``; "–" at a size where it was not measured (a stopped run)."""
        names = list(dict.fromkeys(n for s in sizes for n in S[s].get(section) or {}))
        for n in names:
            cells = []
            for s in sizes:
                v = (S[s].get(section) or {}).get(n)
                cells.append(f"{v['s']:.2f} s / {v['mb']:.0f} MB" if v and v["mb"] else (f"{v['s']:.2f} s" if v else "–"))
            gr = []
            for a, b in zip(sizes, sizes[1:]):
                va, vb = (S[a].get(section) or {}).get(n), (S[b].get(section) or {}).get(n)
                gr.append(f"{_ratio(va and va['s'], vb and vb['s'])} time, {_ratio(va and va['mb'], vb and vb['mb'])} mem")
            lines.append(f"| {label}{n} | " + " | ".join(cells) + " | " + " | ".join(gr) + " |")

    rows("build", "build: ")
    lines.append("| build: peak RSS parent / validation workers (each) | " + " | ".join(
        f"{S[s]['build_parent_mb']:.0f} MB / {S[s]['build_workers_mb']:.0f} MB" for s in sizes) + " |" + " |" * len(growth))

    def tree_row(key: str, label: str) -> None:
        """The row of the whole build's memory (``TreeMemory``), when the results have it."""
        if any(S[s].get(key) for s in sizes):
            lines.append(f"| {label}peak memory of all its processes together (PSS) | " + " | ".join(
                f"{S[s][key]:.0f} MB" if S[s].get(key) else "–" for s in sizes) + " | " + " | ".join(
                f"{_ratio(S[a].get(key), S[b].get(key))} mem" for a, b in zip(sizes, sizes[1:])) + " |")

    tree_row("build_tree_mb", "build: ")
    if any(S[s].get("incremental") for s in sizes):
        rows("incremental", "one essay changed, rebuild: ")
        tree_row("incremental_tree_mb", "one essay changed, rebuild: ")
    rows("validate", "kg validate: ")
    rows("serialise", "writer: ")
    qnames = sorted({q for s in sizes for q in S[s]["queries"]["queries"]})
    lines.append("| store: load dataset.trig | " + " | ".join(f"{S[s]['queries']['load_s']:.2f} s / {S[s]['queries']['mb']:.0f} MB" for s in sizes)
                 + " | " + " | ".join(_ratio(S[a]['queries']['load_s'], S[b]['queries']['load_s']) for a, b in zip(sizes, sizes[1:])) + " |")
    for q in qnames:
        cells, p50s = [], []
        for s in sizes:
            r = S[s]["queries"]["queries"].get(q, {})
            if "p50" in r:
                cells.append(f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms ({r['rows']} rows)")
                p50s.append(r["p50"])
            else:
                cells.append(r.get("error", "–"))
                p50s.append(None)
        gr = [_ratio(a, b) for a, b in zip(p50s, p50s[1:])]
        lines.append(f"| query `{q}` | " + " | ".join(cells) + " | " + " | ".join(gr) + " |")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_doc(doc: Path, text: str) -> None:
    body = doc.read_text(encoding="utf-8") if doc.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in body:
        body += f"\n{BEGIN}\n{END}\n"
    head, rest = body.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    doc.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, *args = sys.argv[2:]
        memory = "--memory" in args  # a run for its memory (TreeMemory), not its time
        args = [a for a in args if a != "--memory"]
        fn = {"build": lambda: child_build(Path(args[0]), Path(args[1]), memory),
              "validate": lambda: child_validate(Path(args[0])),
              "incremental": lambda: child_incremental(Path(args[0]), Path(args[1]), memory),
              "serialise": lambda: child_serialise(Path(args[0])), "queries": lambda: child_queries(Path(args[0]))}[kind]
        print(json.dumps(fn()))
        return
    ap = argparse.ArgumentParser(description="Benchmark kg build/validate/queries at several corpus sizes.")
    ap.add_argument("--sizes", default="10k,100k,1m")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    ap.add_argument("--big-repeat", type=int, default=1, help="runs per measurement at sizes of 1m and above")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/kg-bench"))
    ap.add_argument("--json", type=Path, default=BENCH / "results" / "latest.json")
    ap.add_argument("--doc", type=Path, default=REPO / "docs" / "performance.md")
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--essay-only", action="store_true",
                    help="measure only the essay's build and put it into --json's results (the rest kept)")
    ap.add_argument("--from-json", action="store_true", help="measure nothing: write the doc from --json's results")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)

    def save(results: dict) -> None:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")

    if args.from_json or args.essay_only:
        results = json.loads(args.json.read_text(encoding="utf-8"))
        if args.essay_only:
            results["essay"] = essay_cold(args.repeat)
            print(f"essay build: {results['essay']}", file=sys.stderr)
    else:
        results = measure([s.strip() for s in args.sizes.split(",") if s.strip()], args.repeat, args.seed, args.work,
                          args.big_repeat, save)
    save(results)
    text = table(results)
    print(text)
    if not args.no_doc:
        from plot import draw  # matplotlib: the `bench` extra
        for name in draw(results, args.doc.parent):
            print(f"drew {name}", file=sys.stderr)
        write_doc(args.doc, text + "\n![time of each stage against the corpus size](bench-time.svg)\n"
                  "![peak memory of each stage against the corpus size](bench-memory.svg)\n")


if __name__ == "__main__":
    main()
