"""EDGE: the researchers' SPARQL cookbook (``queries/*.rq``). Each file starts with ``#`` comment
lines saying what question it answers; the first of them is its title."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.files import read_utf8


@dataclass(frozen=True)
class Example:
    name: str        # the file's stem: `kg query --example NAME`
    title: str       # the first comment line
    comment: str     # every leading comment line
    query: str       # the whole file


def load_cookbook(queries_dir: Path) -> list[Example]:
    """Every ``*.rq`` of ``queries_dir``, sorted by name (an absent folder gives none)."""
    out = []
    for path in sorted(Path(queries_dir).glob("*.rq")):
        text = read_utf8(path)
        lines = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            lines.append(line.lstrip("#").strip())
        comment = "\n".join(lines).strip()
        out.append(Example(path.stem, lines[0] if lines else path.stem, comment, text))
    return out
