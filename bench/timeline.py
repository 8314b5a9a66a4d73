"""When each step of one ``kg build`` starts and ends, in which process:
``python bench/timeline.py [PROJECT] [OUTPUT]`` (default: this repository, ``/tmp/kg-timeline-out``).

The build's main steps are wrapped to print ``seconds-since-start pid > step`` and ``< step`` on
stderr, the forked page processes' ``render_site`` included, so the output shows which steps run on
one core and which side by side. It builds cold (``--no-cache``) through ``kg.cli.main``."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"{time.perf_counter() - T0:6.3f} {os.getpid()} {msg}", file=sys.stderr, flush=True)


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
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/kg-timeline-out"
    log("start")
    import kg.pipeline as pipeline
    import kg.publish as publish
    import kg.publish.pages as pages
    from kg.cli import main as kg_main
    log("imported")
    for module, name in [(pipeline, "load_sources"), (pipeline, "compile_dataset"), (pipeline, "render"),
                         (pipeline, "validate_partitioned"), (pages, "render_site"), (pipeline, "finish"),
                         (pipeline, "write_tree"), (publish, "render_extras")]:
        wrap(module, name)
    sys.argv = ["kg", "-q", "--root", str(root), "build", "--no-cache", "--output", out]
    try:
        kg_main()
    except SystemExit:
        pass
    log("end")


if __name__ == "__main__":
    main()
