"""Damaged input never gives a traceback: a generated table of broken projects (truncated and
byte-flipped Turtle, files replaced by folders, symlink loops, unreadable files, wrong encodings, bad
settings, absurd nesting, empty essays), each built with ``kg build``. Every one must end with exit 2
(or 1 where the data are merely wrong), one ``error:`` line naming the file (and the line, where
there is one), and no "Traceback". docs/security-input.md lists the table and its results.

Most cases run in-process; the permission cases run ``kg`` in a subprocess as an unprivileged user
(root reads and writes everything), so that a read-only folder is read-only."""
from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import make_project
from kg.cli import main

ESSAY = "data/essays/mini"
TTL = f"{ESSAY}/essay.ttl"
TEXT = f"{ESSAY}/source.txt"
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
MINI_TTL = (MINI / TTL).read_bytes()
KG = Path(sys.executable).with_name("kg")


@dataclass(frozen=True)
class Damage:
    name: str
    apply: Callable[[Path], dict | None]  # breaks the project; may return environment variables
    names: str  # the error line names this (a file, a setting)
    codes: tuple[int, ...] = (2,)
    lines: tuple[int, int] | None = None  # the error names a line in this range (inclusive)
    unprivileged: bool = False  # run as a user without root's rights (permission cases)


def _write(rel: str, data: bytes | str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return apply


def _parses(data: bytes) -> bool:
    try:
        list(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri="file:///x.ttl"))
    except (SyntaxError, ValueError):
        return False
    return True


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _statement_start(data: bytes, offset: int) -> int:
    """The line where the statement holding ``offset`` begins (after the last complete one)."""
    lines = data[:offset].split(b"\n")
    start = 1
    for n, line in enumerate(lines[:-1], 1):
        if re.search(rb"\s\.\s*$", line) or not line.strip() or line.lstrip().startswith(b"#"):
            start = n + 1
    return start


def _truncations(count: int = 24) -> list[Damage]:
    """The curated file cut at ``count`` points spread over it (each one leaving broken Turtle)."""
    out = []
    for k in range(1, count + 1):
        cut = len(MINI_TTL) * k // (count + 1)
        while _parses(MINI_TTL[:cut]):  # a cut at a statement's end leaves valid Turtle: move on
            cut += 1
        out.append(Damage(f"truncated at byte {cut}", _write(TTL, MINI_TTL[:cut]), "essay.ttl",
                          lines=(_statement_start(MINI_TTL, cut), _line_of(MINI_TTL, cut))))
    return out


def _flips(byte: bytes, count: int) -> list[Damage]:
    """One byte of the curated file replaced by ``byte`` at ``count`` places (where that breaks it)."""
    out = []
    step = len(MINI_TTL) // (count + 1)
    for k in range(1, count + 1):
        at = step * k
        while at < len(MINI_TTL) and (MINI_TTL[at:at + 1] in b" \n\t" or _parses(MINI_TTL[:at] + byte + MINI_TTL[at + 1:])):
            at += 1
        data = MINI_TTL[:at] + byte + MINI_TTL[at + 1:]
        lines = (_line_of(data, at),) * 2 if byte == b"\xff" else (_statement_start(data, at), _line_of(data, len(data)))
        out.append(Damage(f"byte {at} flipped to {byte!r}", _write(TTL, data), "essay.ttl", lines=lines))
    return out


def _directory(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        path.mkdir(parents=True)
        (path / "inside.txt").write_text("a folder where a file should be\n")
    return apply


def _file(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        shutil.rmtree(root / rel)
        (root / rel).write_text("a file where a folder should be\n")
    return apply


def _symlink_loop(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.unlink()
        other = path.with_name(path.name + ".other")
        other.symlink_to(path.name)
        path.symlink_to(other.name)
    return apply


def _dangling(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / rel).unlink()
        (root / rel).symlink_to("nowhere/at/all")
    return apply


def _replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (old, rel)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


def _ttl_line(needle: str) -> int:
    return next(n for n, line in enumerate(MINI_TTL.decode().splitlines(), 1) if needle in line)


def _append(rel: str, text: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        with open(root / rel, "a", encoding="utf-8") as fh:
            fh.write(text)
    return apply


def _env(**env: str) -> Callable[[Path], dict]:
    return lambda root: env


def _chmod(rel: str, mode: int, build_first: bool = False) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        if build_first:
            result = CliRunner().invoke(main, ["--root", str(root), "-q", "build"])
            assert result.exit_code == 0, result.output
        os.chmod(root / rel, mode)
    return apply


def _rename_essay(new: str) -> Callable[[Path], None]:
    return lambda root: os.rename(root / ESSAY, root / "data" / "essays" / new)


def _empty_folder(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        shutil.rmtree(root / rel)
        (root / rel).mkdir()
    return apply


def _nested(kind: str, depth: int = 2000) -> str:
    inner = "1"
    if kind == "collection":
        value = "(" * depth + inner + ")" * depth
    else:
        value = "[ rdf:value " * depth + inner + " ]" * depth
    return f"\n@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\nperson:leon-trotsky rdfs:comment {value} .\n"


NESTED_LINE = MINI_TTL.count(b"\n") + 3  # the line of the appended statement

DAMAGES: list[Damage] = [
    *_truncations(),
    *_flips(b"\xff", 6),
    *_flips(b'"', 4),
    *_flips(b"{", 3),
    *_flips(b"\x00", 3),
    # a file or folder of another kind
    Damage("curated file is a folder", _directory(TTL), "essay.ttl"),
    Damage("source.txt is a folder", _directory(TEXT), "source.txt"),
    Damage("kg.toml is a folder", _directory("kg.toml"), "kg.toml"),
    Damage("shapes file is a folder", _directory("shapes/shapes.ttl"), "shapes.ttl"),
    Damage("an ontology file is a folder", _directory("ontology/broken.ttl"), "broken.ttl"),
    Damage("an enrichment file is a folder", _directory("data/enrichments/wikidata.ttl"), "wikidata.ttl"),
    Damage("data/essays is a file", _file("data/essays"), "essays"),
    Damage("shapes/ is a file", _file("shapes"), "shapes"),
    Damage("ontology/ is a file", _file("ontology"), "ontology"),
    # symlinks
    Damage("curated file is a symlink loop", _symlink_loop(TTL), "essay.ttl"),
    Damage("source.txt is a symlink loop", _symlink_loop(TEXT), "source.txt"),
    Damage("kg.toml is a symlink loop", _symlink_loop("kg.toml"), "kg.toml"),
    Damage("curated file is a dangling symlink", _dangling(TTL), "essay.ttl"),
    Damage("source.txt is a dangling symlink", _dangling(TEXT), "source.txt"),
    Damage("an essay folder is a symlink loop", lambda root: (root / "data/essays/loop").symlink_to("loop"), "loop"),
    # permissions (as an unprivileged user)
    Damage("curated file unreadable", _chmod(TTL, 0o000), "essay.ttl", unprivileged=True),
    Damage("source.txt unreadable", _chmod(TEXT, 0o000), "source.txt", unprivileged=True),
    Damage("kg.toml unreadable", _chmod("kg.toml", 0o000), "kg.toml", unprivileged=True),
    Damage("essay folder unreadable", _chmod(ESSAY, 0o000), "mini", unprivileged=True),
    Damage("output/ read-only", _chmod("output", 0o555, build_first=True), "output", unprivileged=True),
    Damage("project folder read-only", _chmod(".", 0o555), "output", unprivileged=True),
    # encodings
    Damage("curated file in UTF-16", lambda root: (root / TTL).write_bytes(MINI_TTL.decode().encode("utf-16")), "essay.ttl",
           lines=(1, 1)),
    Damage("curated file in Latin-1", lambda root: (root / TTL).write_bytes(MINI_TTL.decode().replace("‘", "é").encode("latin-1", "replace")),
           "essay.ttl", lines=(_ttl_line("‘"), _ttl_line("‘"))),
    Damage("source.txt in UTF-16", lambda root: (root / TEXT).write_bytes((MINI / TEXT).read_text().encode("utf-16")), "source.txt"),
    Damage("source.txt with a 0xFF byte", _write(TEXT, (MINI / TEXT).read_bytes() + b"\xff\n"), "source.txt"),
    Damage("kg.toml with a 0xFF byte", _write("kg.toml", b'[kg]\nmodified = "2026-01-01"\ntitle = "\xff"\n'), "kg.toml"),
    Damage("kg.toml in UTF-16", _write("kg.toml", '[kg]\nmodified = "2026-01-01"\n'.encode("utf-16")), "kg.toml"),
    # settings
    Damage("kg = \"x\"", _write("kg.toml", 'kg = "x"\n'), "kg.toml"),
    Damage("kg = [1, 2]", _write("kg.toml", "kg = [1, 2]\n"), "kg.toml"),
    Damage("kg.toml syntax error", _write("kg.toml", "[kg\nmodified = 1\n"), "kg.toml"),
    Damage("base_iri with a space", _write("kg.toml", '[kg]\nbase_iri = "https://example.org/a b/"\n'), "base_iri"),
    Damage("base_iri with a quote", _write("kg.toml", '[kg]\nbase_iri = "https://example.org/a\\"b/"\n'), "base_iri"),
    Damage("base_iri javascript:", _write("kg.toml", '[kg]\nbase_iri = "javascript:alert(1)//"\n'), "base_iri"),
    Damage("base_iri without host", _write("kg.toml", '[kg]\nbase_iri = "https:///"\n'), "base_iri"),
    Damage("base_iri a number", _write("kg.toml", "[kg]\nbase_iri = 5\n"), "base_iri"),
    Damage("modified 30 February", _write("kg.toml", '[kg]\nmodified = "2026-02-30"\n'), "modified"),
    Damage("unknown setting", _write("kg.toml", '[kg]\nbase_irl = "https://example.org/"\n'), "base_irl"),
    Damage("dump_base_url with a space", _write("kg.toml", '[kg]\ndump_base_url = "https://example.org/a b/"\n'), "dump_base_url"),
    Damage("license not an IRI", _write("kg.toml", '[kg]\nlicense = "CC BY 4.0"\n'), "license"),
    Damage("huge SOURCE_DATE_EPOCH", _env(SOURCE_DATE_EPOCH="9" * 30), "SOURCE_DATE_EPOCH"),
    Damage("SOURCE_DATE_EPOCH past year 9999", _env(SOURCE_DATE_EPOCH=str(10**12)), "SOURCE_DATE_EPOCH"),
    Damage("negative huge SOURCE_DATE_EPOCH", _env(SOURCE_DATE_EPOCH="-" + "9" * 20), "SOURCE_DATE_EPOCH"),
    Damage("SOURCE_DATE_EPOCH not a number", _env(SOURCE_DATE_EPOCH="yesterday"), "SOURCE_DATE_EPOCH"),
    # terms
    Damage("an IRI with a space", _replace(TTL, "person:c-j-arthur a schema:Person",
                                           "<https://w3id.org/arthur-kg/id/person/c j arthur> a schema:Person"),
           "essay.ttl", lines=(_ttl_line("person:c-j-arthur a schema:Person"),) * 2),
    Damage("an IRI with a curly bracket", _replace(TTL, "person:c-j-arthur a schema:Person",
                                                    "<https://w3id.org/arthur-kg/id/person/c{j}> a schema:Person"),
           "essay.ttl", lines=(_ttl_line("person:c-j-arthur a schema:Person"),) * 2),
    Damage("an undefined prefix", _replace(TTL, "person:c-j-arthur a schema:Person", "persn:c-j-arthur a schema:Person"),
           "essay.ttl", lines=(_ttl_line("person:c-j-arthur a schema:Person"),) * 2),
    Damage("an essay folder name with a space", _rename_essay("mini essay"), "mini essay"),
    Damage("an essay folder name with a slash-like character", _rename_essay("mini%2Fessay"), "mini%2Fessay"),
    Damage("collections nested 2,000 deep", _append(TTL, _nested("collection")), "essay.ttl",
           lines=(NESTED_LINE, NESTED_LINE)),
    Damage("blank nodes nested 2,000 deep", _append(TTL, _nested("blank")), "essay.ttl",
           lines=(NESTED_LINE, NESTED_LINE)),
    Damage("a cyclic rdf:rest", _append(TTL, "\n@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
                                             "person:leon-trotsky rdfs:seeAlso _:l .\n_:l rdf:first 1 ; rdf:rest _:l .\n"),
           "essay.ttl", lines=(NESTED_LINE + 1, NESTED_LINE + 1)),
    # empty inputs
    Damage("an essay folder without .ttl", lambda root: (root / TTL).unlink(), "mini"),
    Damage("an essay folder without source.txt", lambda root: (root / TEXT).unlink(), "source.txt"),
    Damage("an empty data/essays", _empty_folder("data/essays"), "essays"),
    Damage("an empty curated file", _write(TTL, ""), "mini"),
    Damage("an empty shapes folder", _empty_folder("shapes"), "shapes"),
]


def _prepare(tmp: Path) -> Path:
    return make_project(tmp / "project")


def _drop_capabilities() -> None:  # pragma: no cover - runs in the child, before exec
    """Root without its capabilities (no CAP_DAC_OVERRIDE): file permissions then apply to it too."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in range(64):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP; past the last capability it fails: fine


def _run_unprivileged(root: Path, env: dict) -> tuple[int, str]:
    """``kg build`` in a subprocess that file permissions apply to (root drops its capabilities)."""
    proc = subprocess.run([str(KG), "--root", str(root), "-q", "build"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env},
                          preexec_fn=_drop_capabilities if os.geteuid() == 0 else None, timeout=120,
                          cwd=root.parent)
    return proc.returncode, proc.stdout + proc.stderr


def run_damage(damage: Damage, tmp: Path) -> tuple[int, str]:
    root = _prepare(tmp)
    env = damage.apply(root)
    env = env if isinstance(env, dict) else {}
    if damage.unprivileged:
        try:
            return _run_unprivileged(root, env)
        finally:
            for path in [root, *root.rglob("*")] if root.exists() else []:
                if not path.is_symlink():
                    os.chmod(path, 0o755)
    result = CliRunner().invoke(main, ["--root", str(root), "-q", "build"], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(result.exception))
        return 99, result.output + "\nTraceback (in-process)\n" + tb
    return result.exit_code, result.output


def check(damage: Damage, code: int, output: str) -> None:
    assert "Traceback" not in output, output
    assert code in damage.codes, (code, output)
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    if code == 1:  # the data do not conform: findings name places, the first line says so
        assert errors, output
        return
    assert len(errors) == 1, output
    assert damage.names in errors[0], (damage.names, errors[0])
    if damage.lines is not None:
        m = re.search(re.escape(damage.names) + r"[^:]*:(\d+):(\d+):", errors[0])
        assert m, ("no line:column", errors[0])
        low, high = damage.lines
        assert low <= int(m.group(1)) <= high, (damage.lines, errors[0])


def test_the_table_has_at_least_sixty_kinds_of_damage() -> None:
    assert len(DAMAGES) >= 60
    assert len({d.name for d in DAMAGES}) == len(DAMAGES)


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda d: d.name)
def test_damaged_input_is_one_clear_line(damage: Damage, tmp_path: Path) -> None:
    code, output = run_damage(damage, tmp_path)
    check(damage, code, output)


def main_table() -> None:  # pragma: no cover - the measurement for docs/security-input.md
    """``python tests/test_damaged_input.py``: run every damage, print a Markdown table and the totals."""
    import tempfile

    clean = tracebacks = 0
    print("| damaged input | exit | first error line (paths shortened) |\n| --- | --- | --- |")
    for damage in DAMAGES:
        with tempfile.TemporaryDirectory() as tmp:
            code, output = run_damage(damage, Path(tmp))
            shown = next((x for x in output.splitlines() if x.startswith("error:")), output.strip()[:80])
            shown = shown.replace(str(Path(tmp) / "project") + "/", "").replace(tmp, "…")
        try:
            check(damage, code, output)
            clean += 1
        except AssertionError:
            pass
        tracebacks += "Traceback" in output
        print(f"| {damage.name} | {code} | `{shown[:150]}` |")
    print(f"\ndamaged inputs tried: {len(DAMAGES)}, handled cleanly: {clean}, tracebacks: {tracebacks}")



def test_kg_validate_refuses_empty_inputs_too(project: Path, tmp_path: Path) -> None:
    """An empty corpus or an empty shapes folder never "conforms"."""
    empty = tmp_path / "empty"
    empty.mkdir()
    shapes = CliRunner().invoke(main, ["--root", str(project), "-q", "validate", "--shapes", str(empty)])
    assert shapes.exit_code == 2 and f"{empty}: no .ttl file" in shapes.output, shapes.output
    shutil.rmtree(project / "data" / "essays")
    (project / "data" / "essays").mkdir()
    corpus = CliRunner().invoke(main, ["--root", str(project), "-q", "validate"])
    assert corpus.exit_code == 2 and "essays: no essay folders" in corpus.output, corpus.output


if __name__ == "__main__":  # pragma: no cover
    main_table()
