"""When each step of one ``kg build`` starts and ends, in which process:
``python bench/timeline.py [PROJECT] [OUTPUT] [--rebuild orig|revised] [--puts]`` (default: this repository,
``/tmp/kg-timeline-out``).

The build's main steps are wrapped to print ``seconds-since-start pid cpu SECONDS > step`` and
``< step`` on stderr (SECONDS: the CPU the process has used so far, which tells a step that works
from one that waits or shares its core; then that CPU as user and system time), the forked page
processes' ``render_site`` and the dump writers included, so the output shows which steps run on one
core and which side by side. With ``--puts`` each file put into the output (``Stage.put``) is logged
too: two lines a file, which at 1 M (770,000 files) made the build about 15 % slower. It
builds cold (``--no-cache``) through ``kg.cli.main``; with ``--rebuild STATE`` it builds with the cache beside OUTPUT, the essay
``bench/rebuild_once.py`` edits put in STATE first (and back after), as one of that script's
rebuilds: after a warm-up with ``bench/rebuild_once.py PROJECT OUTPUT orig``, ``--rebuild revised``
shows a one-edit rebuild."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run.py, for --rebuild

T0 = time.perf_counter()


def log(msg: str) -> None:
    # one write of the whole line (``print`` writes the text and its end apart: a forked process's
    # line could land between them, and two steps would read as one)
    t = os.times()
    sys.stderr.write(f"{time.perf_counter() - T0:6.3f} {os.getpid()} cpu {time.process_time():6.2f} "
                     f"u {t.user:6.2f} s {t.system:6.2f} {msg}\n")
    sys.stderr.flush()


def wrap(module, name: str) -> None:  # noqa: ANN001
    fn = getattr(module, name)

    def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        log(f"> {name}")
        try:
            return fn(*args, **kwargs)
        finally:
            log(f"< {name}")
    setattr(module, name, timed)


def main() -> None:
    args = sys.argv[1:]
    state = None
    puts = "--puts" in args
    if puts:
        args.remove("--puts")
    if "--rebuild" in args:
        i = args.index("--rebuild")
        state = args[i + 1] if i + 1 < len(args) else ""
        del args[i:i + 2]
        if state not in ("orig", "revised"):
            raise SystemExit("--rebuild: orig or revised")
    root = Path(args[0]) if args else Path(__file__).resolve().parent.parent
    out = args[1] if len(args) > 1 else "/tmp/kg-timeline-out"
    log("start")
    import gc

    def collected(phase: str, info: dict) -> None:  # the collections of the oldest generation, in any process
        if info.get("generation") == 2:
            log(f"{'>' if phase == 'start' else '<'} gc2")
    gc.callbacks.append(collected)
    import kg.incremental as incremental
    import kg.pipeline as pipeline
    import kg.publish as publish
    import kg.publish.pages as pages
    import kg.publish.serialize as serialize
    import kg.later as later
    import kg.publish.writer as writer
    import kg.validation.partitioned as partitioned
    from kg.cli import main as kg_main
    log("imported")
    for module, name in [(pipeline, "load_sources"), (pipeline, "compile_dataset"), (pipeline, "render"),
                         (pipeline, "validate_partitioned"), (pipeline, "validate_units"), (pages, "render_site"),
                         (pipeline, "finish"), (pipeline, "write_tree"), (publish, "render_extras"),
                         (publish, "argument_exports"), (publish, "reading_exports"), (publish, "Index"),
                         (publish, "stats"), (incremental, "plan"), (pipeline, "start_extras"),
                         (pipeline, "render_extras"), (pipeline, "render_extra"), (publish._ForkedWriters, "tell"),
                         (publish, "answer_targets"), (partitioned, "_pyshacl"), (pipeline, "report_turtle"),
                         (later.Later, "__init__"), (later.Later, "result"), (writer.Stage, "_drop_unput"),
                         (writer.Stage, "_list_output"), (pipeline, "static_copies"), (pipeline, "published_names"),
                         (publish, "published_names"), (writer, "_unput"), (pipeline.EarlyExtras, "result"),
                         (pipeline.EarlyExtras, "stop"), (writer.Stage, "find_unput"), (writer.Stage, "adopt"),
                         (publish, "_forked_result"), (incremental, "_LastBuild"), (incremental, "assign"),
                         *([(writer.Stage, "put")] if puts else [])]:
        wrap(module, name)
    for fmt in publish.registry.DUMP_FORMATS:  # render calls them by name (``getattr(serialize, writer)``)
        wrap(serialize, fmt.writer)
    if state is None:
        sys.argv = ["kg", "-q", "--root", str(root), "build", "--no-cache", "--output", out]
        try:
            kg_main()
        except SystemExit:
            pass
    else:
        from kg.config import load_config
        from run import _cache, edited_essay, set_state

        essay = edited_essay(root)
        original = set_state(essay, state)
        try:
            pipeline.build(load_config(root), output=Path(out), cache=_cache(Path(out)), retain=[])  # as kg build
        finally:
            essay.write_bytes(original)
    log("end")


if __name__ == "__main__":
    main()
