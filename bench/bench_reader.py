"""The reader pages of an archive whose every essay has a reading order.

    python bench/bench_reader.py CORPUS [--repeat N]

CORPUS is a project (e.g. ``bench/corpus.py --triples 1m --seed 1 --out DIR``). Its essays have no
reading orders; this drafts one for each, in memory: one ``p`` per line of the text (where
``scripts/reading-order-draft`` makes one per block between blank lines, which these texts lack),
the second to fourth lines made the headings of the essay's three sections (``section <essay>-<n>``,
the corpus's section IRIs). It then times ``reader_pages`` (every
``read/<essay>.html`` and ``read/index.html``) over the compiled union, and the two whole-graph passes
it begins with. Figures: docs/performance.md ("Twenty-sixth round").
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.config import load_config  # noqa: E402
from kg.pipeline import compile_dataset  # noqa: E402
from kg.publish.edition import anchors_by_essay  # noqa: E402
from kg.publish.pages import Renderer  # noqa: E402
from kg.publish.reader import essay_texts, reader_pages  # noqa: E402
from kg.reading import parse_reading_order  # noqa: E402
from kg.sources import load_sources  # noqa: E402

SECTIONS = 3


def draft(essay_id: str, text: str) -> str:
    """A reading order covering ``text`` once: one block per line (the corpus's texts have no blank
    lines) in file order, the 2nd to 4th headings."""
    starts = [0] + [m.end() for m in re.finditer(r"\n", text) if m.end() < len(text)]
    lines = []
    for i, (a, b) in enumerate(zip(starts, starts[1:] + [len(text)])):
        first = json.dumps(text[a:b].split("\n", 1)[0][:40], ensure_ascii=False)
        if 1 <= i <= SECTIONS and text[a:b].strip():
            lines += [f"section {essay_id}-{i}", f'heading {a}-{b} {first}']
        else:
            lines += ["p", f'  text {a}-{b} {first}']
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    config = load_config(args.corpus)
    dataset = compile_dataset(load_sources(config), config, lambda *_a, **_k: None, None)
    renderer = Renderer([dataset.union], config)
    readings, headings = {}, 0
    for folder in sorted((args.corpus / "data" / "essays").iterdir()):
        text = (folder / "source.txt").read_text(encoding="utf-8")
        order = parse_reading_order(draft(folder.name, text), text, folder / "reading-order.txt")
        readings[folder.name] = order
        headings += sum(b.kind == "heading" for b in order.blocks)
    print(f"{len(dataset.union):,} triples, {len(renderer.ix.out):,} subjects, {len(readings)} essays, {headings} headings")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        essay_texts(renderer.ix)
        t1 = time.perf_counter()
        anchors_by_essay(renderer.ix)
        t2 = time.perf_counter()
        files = reader_pages(renderer, readings)
        t3 = time.perf_counter()
        links = sum(len(re.findall(rb'class="section-link"', data)) for data in files.values())
        print(f"essay_texts {t1 - t0:.2f} s, anchors_by_essay {t2 - t1:.2f} s, reader_pages {t3 - t2:.2f} s "
              f"({len(files)} files, {links} section links)")


if __name__ == "__main__":
    main()
