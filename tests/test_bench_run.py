"""bench/run.py keeps what it measured: the results are saved after each corpus size, so a run
stopped during the 1 M size still has the 10 k and 100 k figures."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import run  # noqa: E402


def test_results_are_saved_after_each_size_and_a_stopped_run_keeps_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stages = {"build (total)": {"s": 1.0, "mb": 10.0}}
    calls: list[tuple] = []

    def child(kind: str, *args: str) -> dict:
        calls.append((kind, *args))
        if kind == "build" and "1m" in args[0]:
            raise RuntimeError("stopped")
        if kind == "queries":
            return {}
        return {"stages": stages, "triples": 7, "workers_mb": 1.0, "parent_mb": 2.0, "hits": 1, "misses": 0}

    def corpus(work: Path, size: str, seed: int) -> Path:
        (work / f"c-{size}" / "data" / "essays" / "e1").mkdir(parents=True, exist_ok=True)
        return work / f"c-{size}"

    monkeypatch.setattr(run, "_child", child)
    monkeypatch.setattr(run, "corpus", corpus)
    monkeypatch.setattr(run, "essay_cold", lambda repeat: {"s": 0.5})
    saved: list[list[str]] = []
    with pytest.raises(RuntimeError):
        run.measure(["10k", "100k", "1m"], 1, 1, tmp_path, 1, lambda r: saved.append(list(r["sizes"])))
    assert saved == [["10k"], ["10k", "100k"]]          # the two sizes measured before the stop
    # a timed build and one sampling the memory, a settling rebuild, a timed one and one sampling
    assert [c[0] + ("+" if "--memory" in c else "") for c in calls[:8]] == [
        "build", "build+", "incremental", "incremental", "incremental+", "validate", "serialise", "queries"]


def test_the_table_marks_what_a_stopped_run_did_not_measure() -> None:
    def size(triples: int, incremental: bool) -> dict:
        st = {"build (total)": {"s": triples / 1000, "mb": 5.0}}
        return {"triples": triples, "essays": 1, "runs": 1, "build": st, "validate": st,
                "serialise": st if incremental else {}, "incremental": st if incremental else {},
                "build_parent_mb": 1.0, "build_workers_mb": 1.0,
                "queries": {"load_s": 1.0, "mb": 1.0, "queries": {"q": {"p50": 1.0, "p99": 2.0, "rows": 3}}}}
    machine = {"cpu": "c", "cores": 2, "memory_gb": 1, "os": "o", "python": "3", "rdflib": "r", "pyshacl": "p",
               "pyoxigraph": "x", "date": "d"}
    text = run.table({"machine": machine, "repeat": 1, "essay": {"s": 1.0},
                      "sizes": {"10k": size(10_000, True), "1m": size(1_000_000, False)}})
    row = next(line for line in text.splitlines() if line.startswith("| one essay changed, rebuild: build (total)"))
    assert row == "| one essay changed, rebuild: build (total) | 10.00 s / 5 MB | – | – time, – mem |"
    assert "| build: build (total) | 10.00 s / 5 MB | 1000.00 s / 5 MB | 100.0× time, 1.0× mem |" in text


def test_the_table_names_the_file_systems_the_builds_were_written_to(tmp_path: Path) -> None:
    """A cold build's time depends on the disk it writes to (tmpfs or ext4 differ by 2x at 1 M), so the
    table's first line says where: the longest mount point above a folder decides, not a prefix of its
    name, and a space in a mount point (``\\040`` in /proc/mounts) is read as one."""
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/vda / ext4 rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\n"
                      "/dev/vdb /data\\040disk xfs rw 0 0\nbad line\n")
    assert run.file_system(Path("/dev/shm/kg-bench"), str(mounts)) == "tmpfs"
    assert run.file_system(Path("/dev/shmother/x"), str(mounts)) == "ext4"
    assert run.file_system(Path("/data disk/out"), str(mounts)) == "xfs"
    assert run.file_system(Path("/tmp"), str(tmp_path / "absent")) == "?"
    machine = {"cpu": "c", "cores": 2, "memory_gb": 1, "os": "o", "python": "3", "rdflib": "r", "pyshacl": "p",
               "pyoxigraph": "x", "date": "d"}
    results = {"machine": machine, "repeat": 1, "essay": {"s": 1.0}, "sizes": {}}
    assert "built into" not in run.table(results).splitlines()[0]  # results of an earlier run: nothing said
    results["outputs"] = {"corpora": ["/dev/shm/kg-bench", "tmpfs"], "essay": ["/tmp/kg-bench-essay-out", "ext4"]}
    assert run.table(results).splitlines()[0].endswith(
        "The corpora built into `/dev/shm/kg-bench` (tmpfs), the essay into `/tmp/kg-bench-essay-out` (ext4).")


def test_the_whole_builds_memory_counts_what_a_child_process_holds() -> None:
    """``TreeMemory`` sums the PSS of the process and its descendants: a child holding 150 MB of its
    own raises the peak by about that much, which the parent's RSS would not show."""
    import subprocess
    import time

    hold = "import sys, time; b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096]); print('ok', flush=True); time.sleep(5)"
    with run.TreeMemory(every=0.05) as alone:
        time.sleep(0.2)
    with run.TreeMemory(every=0.05) as tree:
        child = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ok"
            time.sleep(0.3)
        finally:
            child.kill()
            child.wait()
    assert alone.mb > 5  # this process itself
    assert 140 < tree.mb - alone.mb < 400


def test_the_table_shows_the_whole_builds_memory() -> None:
    st = {"build (total)": {"s": 1.0, "mb": 5.0}}
    entry = {"triples": 10, "essays": 1, "runs": 1, "build": st, "validate": st, "serialise": {}, "incremental": st,
             "build_parent_mb": 1.0, "build_workers_mb": 1.0, "build_tree_mb": 2345.6, "incremental_tree_mb": 1234.4,
             "queries": {"load_s": 1.0, "mb": 1.0, "queries": {}}}
    machine = {"cpu": "c", "cores": 2, "memory_gb": 1, "os": "o", "python": "3", "rdflib": "r", "pyshacl": "p",
               "pyoxigraph": "x", "date": "d"}
    text = run.table({"machine": machine, "repeat": 1, "essay": {"s": 1.0},
                      "sizes": {"10k": entry, "100k": {**entry, "build_tree_mb": 4691.2}}})
    assert "| build: peak memory of all its processes together (PSS) | 2346 MB | 4691 MB | 2.0× mem |" in text
    assert "| one essay changed, rebuild: peak memory of all its processes together (PSS) | 1234 MB | 1234 MB | 1.0× mem |" in text
    assert "first rebuild after the cold build" not in text  # results of a run that did not measure it
    entry["incremental_first_s"] = 12.345
    text = run.table({"machine": machine, "repeat": 1, "essay": {"s": 1.0},
                      "sizes": {"10k": entry, "100k": {**entry, "incremental_first_s": 67.891}}})
    assert "links every file it keeps, took 12.35 s (10k), 67.89 s (100k)." in text


def test_every_incremental_run_changes_one_essay_against_the_run_before(tmp_path: Path) -> None:
    """The incremental row's runs each rebuild after one essay changed (the cache of the run before
    does not hold the edit), and leave the essay as it was."""
    from corpus import generate

    root = tmp_path / "corpus"
    generate(root, 5000, seed=1, link=False)
    out = tmp_path / "output"
    run.child_build(root, out)
    essays = sorted((root / "data" / "essays").iterdir())
    before = (essays[len(essays) // 2] / "essay.ttl").read_bytes()
    for _ in range(2):
        result = run.child_incremental(root, out)
        assert result["misses"] == {"enrich": 1, "trig": 1, "validate": 1, "maps": 4}, result  # its two maps, twice
        assert (essays[len(essays) // 2] / "essay.ttl").read_bytes() == before
    assert b"Revised (" in (out / "dataset.nt").read_bytes()


def _edited_corpus(tmp_path: Path) -> tuple[Path, Path, bytes, Path]:
    """A corpus of three essays (bench/corpus.py): (its folder, the essay bench/rebuild_once.py edits
    (the middle one's essay.ttl), that file's bytes, the bench folder)."""
    from corpus import generate

    root = tmp_path / "corpus"
    generate(root, 5000, seed=1, link=False)
    essays = sorted((root / "data" / "essays").iterdir())
    essay = essays[len(essays) // 2] / "essay.ttl"
    return root, essay, essay.read_bytes(), Path(__file__).resolve().parent.parent / "bench"


def test_rebuild_once_alternating_changes_one_essay_each_run_and_bench_maps_reads_the_drawings(tmp_path: Path) -> None:
    """bench/rebuild_once.py (the interleaved comparison's run): each run in the other state than the
    run before rebuilds one essay changed, a run in the same state nothing, and the essay is left as it
    was; bench/bench_maps.py reads every drawing the build kept."""
    import json
    import subprocess

    root, essay, before, bench = _edited_corpus(tmp_path)

    def once(state: str) -> dict:
        proc = subprocess.run([sys.executable, str(bench / "rebuild_once.py"), str(root), str(tmp_path / "out"), state],
                              capture_output=True, text=True, check=True)
        assert essay.read_bytes() == before
        return json.loads(proc.stdout.strip().splitlines()[-1])

    assert once("orig")["misses"]["enrich"] == 3                      # cold: every essay
    assert once("revised")["misses"] == {"enrich": 1, "trig": 1, "validate": 1, "maps": 4}
    assert once("orig")["misses"] == {"enrich": 1, "trig": 1, "validate": 1, "maps": 4}
    same = once("orig")
    assert same["misses"] == {} and same["stages"]["build (total)"] > 0 and same["tree_mb"] > 0
    proc = subprocess.run([sys.executable, str(bench / "bench_maps.py"), str(root), str(tmp_path / "out.kg-cache")],
                          capture_output=True, text=True, check=True)
    lines = proc.stdout.strip().splitlines()
    assert [ln.split(":")[0] for ln in lines] == ["with the cache", "drawn", "with the cache"]
    drawings = sum(1 for p in (tmp_path / "out").rglob("*.svg") if "maps" in p.relative_to(tmp_path / "out").parts)
    assert f"hits {{'maps': {drawings}}}" in lines[0] and lines[1].endswith("hits -")


def test_the_timeline_shows_a_one_edit_rebuild_and_leaves_the_essay_as_it_was(tmp_path: Path) -> None:
    """bench/timeline.py --rebuild: one rebuild with the cache of bench/rebuild_once.py's runs, the
    essay in the state asked for; the steps logged with their process (the dump writers, the pages'
    two processes, the validation's plan), each with its process's CPU, user and system time; no
    file's put without ``--puts``."""
    import subprocess

    root, essay, before, bench = _edited_corpus(tmp_path)
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(bench / "rebuild_once.py"), str(root), str(out), "orig"],
                   capture_output=True, check=True)
    proc = subprocess.run([sys.executable, "-P", str(bench / "timeline.py"), str(root), str(out), "--rebuild", "revised"],
                          capture_output=True, text=True, check=True)
    assert essay.read_bytes() == before
    assert b"Revised (" in (out / "dataset.nt").read_bytes()  # built from the revised essay
    steps: dict[str, set] = {}
    for line in proc.stderr.splitlines():
        _t, pid, cpu, _seconds, user, _user, system, _system, *rest = line.split() + ["", "", "", ""]
        assert (cpu, user, system) == ("cpu", "u", "s"), line
        if rest and rest[0] == ">":
            steps.setdefault(rest[1], set()).add(pid)
    for step in ("load_sources", "render", "dump_ntriples", "dump_trig", "argument_exports", "validate_units", "plan",
                 "render_extra", "finish"):
        assert step in steps, step
    assert len(steps["render_site"]) == 2  # the two page processes
    assert "put" not in steps
    bad = subprocess.run([sys.executable, "-P", str(bench / "timeline.py"), str(root), str(out), "--rebuild", "other"],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "orig or revised" in bad.stderr
    assert essay.read_bytes() == before


def test_ab_essay_reports_both_trees(tmp_path: Path) -> None:
    import subprocess

    here = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, str(here / "bench" / "ab_essay.py"), str(here), str(here), "1"],
                          capture_output=True, text=True, check=True)
    lines = proc.stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == ["old", "new"]
    assert all("(1 runs)" in ln and "wall min" in ln and "; CPU min" in ln for ln in lines)
    bad = subprocess.run([sys.executable, str(here / "bench" / "ab_essay.py"), str(here)], capture_output=True, text=True)
    assert bad.returncode == 1 and "two trees interleaved" in bad.stderr


def test_bench_enrich_cache_times_the_entries_a_build_reads_back(tmp_path: Path) -> None:
    """``bench/bench_enrich_cache.py CACHE``: the essays' entries, read, written, decoded and indexed;
    it counts the terms the shared memo made against those the entries hold (an IRI in both counted
    once), and a damaged entry is left out, as a build leaves it."""
    import subprocess

    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS

    from kg.cache import Cache
    from kg.rdfmake import encode_triples

    a, b = URIRef("https://example.org/id/a"), URIRef("https://example.org/id/b")
    cache = Cache(tmp_path / "cache")
    cache.put("enrich", "k1", encode_triples([(a, RDFS.label, Literal("A")), (a, RDFS.seeAlso, b)]))
    cache.put("enrich", "k2", encode_triples([(b, RDFS.label, Literal("B")), (b, RDFS.seeAlso, a)]))
    cache.put("enrich", "k3", encode_triples([(b, RDFS.comment, Literal("C"))]))
    (damaged,) = (tmp_path / "cache" / "enrich").rglob("k3.*")
    damaged.write_bytes(damaged.read_bytes()[:-5])
    here = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, str(here / "bench" / "bench_enrich_cache.py"), str(tmp_path / "cache")],
                          capture_output=True, text=True, check=True)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("2 entries: ")
    assert [line.split(":")[0] for line in lines[1:5]] == ["read as JSON", "read as marshal", "written as JSON",
                                                           "written as marshal"]
    # k1 holds a, label, "A", seeAlso, b; k2 b, label, "B", seeAlso, a: 10 held, 6 made
    assert "(6 terms made for the 10 the entries hold)" in lines[5]
    assert lines[6].startswith("added to the union's index, each entry alone: ")


def test_bench_reader_drafts_a_reading_order_per_essay_and_links_every_heading(tmp_path: Path) -> None:
    """``bench/bench_reader.py CORPUS``: every essay of a generated corpus gets a drafted reading order
    with its three sections' headings, and every heading of the rendered reader pages links its
    section (one page per essay and the index)."""
    import subprocess

    from corpus import generate

    essays = generate(tmp_path / "corpus", 4000, seed=1, link=False)
    here = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, str(here / "bench" / "bench_reader.py"), str(tmp_path / "corpus"), "--repeat", "1"],
                          capture_output=True, text=True, check=True)
    lines = proc.stdout.splitlines()
    assert f", {essays} essays, {3 * essays} headings" in lines[0]
    assert len(lines) == 2
    assert "reader_pages " in lines[1] and f"({essays + 1} files, {3 * essays} section links)" in lines[1]


def test_the_memory_is_sampled_in_runs_of_its_own_never_in_the_runs_timed(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """``TreeMemory``'s samples cost the kernel CPU (some 16 ms per GB mapped, each second): the
    benchmark times builds and rebuilds without it and takes the memory of all processes from one
    cold build and one rebuild run for that alone."""
    root = tmp_path / "corpus"
    (root / "data" / "essays" / "e1").mkdir(parents=True)
    calls = []
    st = {"build (total)": {"s": 1.0, "mb": 5.0}}

    def child(kind: str, *args: str) -> dict:
        calls.append((kind, *args))
        memory = "--memory" in args
        if kind in ("build", "incremental"):
            return {"stages": st, "triples": 10, "workers_mb": 1.0, "parent_mb": 2.0, "hits": {}, "misses": {},
                    "tree_mb": 999.0 if memory else 0.0}
        if kind == "validate":
            return {"stages": {"validate (total)": {"s": 1.0, "mb": 1.0}}, "workers_mb": 1.0}
        if kind == "serialise":
            return {"stages": st}
        return {"load_s": 1.0, "mb": 1.0, "queries": {}}

    monkeypatch.setattr(run, "_child", child)
    monkeypatch.setattr(run, "corpus", lambda work, size, seed: root)
    monkeypatch.setattr(run, "essay_cold", lambda repeat: {"s": 1.0})
    monkeypatch.setattr(run, "machine", lambda: {})
    entry = run.measure(["10k"], 2, 1, tmp_path, 1)["sizes"]["10k"]
    sampled = [c for c in calls if "--memory" in c]
    assert sampled == [("build", str(root), str(tmp_path / "output-10k"), "--memory"),
                       ("incremental", str(root), str(tmp_path / "output-10k"), "--memory")]
    assert [c[0] for c in calls if "--memory" not in c].count("build") == 2  # the timed runs
    assert [c[0] for c in calls if "--memory" not in c].count("incremental") == 3  # the first and two more
    assert entry["build_tree_mb"] == 999.0 and entry["incremental_tree_mb"] == 999.0
    with run.TreeMemory(every=0.01, enabled=False) as off:
        pass
    assert off.mb == 0
