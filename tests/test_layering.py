"""The layers of ``kg/``, checked: every import (at the top of a module or inside a function) goes
down the declared order or stays in its layer, no modules import each other in a circle, and
imports inside functions are only where start-up time needs them. The table below is the one
``docs/developing.md`` shows (a test checks they agree)."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from conftest import ROOT

KG = ROOT / "kg"

#: The layers, lowest first. A module may import modules of its own layer and of the layers above
#: it in this list; never one of a later layer. A pattern names a module or, with ``*``, a family;
#: the most specific pattern decides (``kg.validation.positions`` before ``kg.validation.*``).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("kg.errors", "kg.version", "kg.namespaces", "kg.files", "kg.iris", "kg.config", "kg.model",
              "kg.terms", "kg.canonical", "kg.text", "kg.datatypes", "kg.csp", "kg.shapes_policy", "kg.options", "kg.progress", "kg.gcpolicy", "kg.pipes", "kg.later", "kg.tripleindex", "kg.rdfmake",
              "kg.validation.positions", "kg.registry", "kg.mediatypes", "kg.jsontext")),
    ("query", ("kg.sparql", "kg.results", "kg.sandbox")),
    ("load", ("kg.sources", "kg.reading", "kg.cookbook")),
    ("enrich", ("kg.enrich", "kg.enrich.*")),
    ("validation", ("kg.validation", "kg.validation.*")),
    ("incremental", ("kg.cache", "kg.graphparts", "kg.incremental")),
    ("publish", ("kg.publish", "kg.publish.*", "kg.maps", "kg.maps.*")),
    ("build", ("kg.pipeline",)),
    ("services", ("kg.store", "kg.upload", "kg.release", "kg.server", "kg.server.*", "kg.linker", "kg.linker.*")),
    ("cli", ("kg", "kg.__main__", "kg.cli", "kg.cli_*")),
]

#: Modules that import inside functions, and why (anything else imports at the top).
LAZY = {
    "kg": "start-up: `import kg` does not load the build (kg.pipeline) until it is called",
    "kg.cli": "start-up: `kg --help` and `kg query` load a command's modules only when it runs",
    "kg.cli_link": "start-up: the command's modules load when it runs",
    "kg.cli_publish": "start-up: the command's modules load when it runs",
    "kg.cli_release": "start-up: the command's modules load when it runs",
    "kg.cli_serve": "start-up: the command's modules load when it runs",
    "kg.cli_validate": "start-up: the command's modules load when it runs",
    "kg.shapes_policy": "rdflib's SPARQL grammar (pyparsing) loads only when shapes hold SPARQL",
    "kg.server.app": "uvicorn loads only when `kg serve` runs",
    "kg.server.checker": "the checker's worker process loads the policy in the process, not the parent",
    "kg.server.worker": "the query worker process loads pyoxigraph and the store in the process",
    # not yet moved (issue 17: the validation package and the store interface are rebuilt this round)
    "kg.store": "start-up of `kg query`: the sandbox and the result writers load when a query runs",
    "kg.validation.shacl": "pyshacl loads only when shapes are run",
    "kg.validation.partitioned": "pyshacl and pyoxigraph load in the worker processes",
    "kg.validation.files": "kg validate loads the build's stages when it runs",
    "kg.validation.formats": "a report format's writer loads when it is asked for",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(KG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(module: str, source: str, is_package: bool = False) -> list[tuple[str, int, bool]]:
    """Every ``kg`` module ``source`` imports: (imported name, line, inside a function), including
    imports inside functions and relative imports."""
    tree = ast.parse(source)
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, inner) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = module if is_package else module.rpartition(".")[0]
                    for _ in range(child.level - 1):
                        package = package.rpartition(".")[0]
                    base = f"{package}.{base}" if base else package
                # ``from kg.publish import pages`` imports the module kg.publish.pages
                found.extend((f"{base}.{a.name}", child.lineno, inner) for a in child.names)
            visit(child, inner)

    visit(tree, False)
    return [(name, line, inner) for name, line, inner in found if name == "kg" or name.startswith("kg.")]


def resolve(name: str, modules: set[str]) -> str:
    """The module an imported name lives in (``kg.publish.pages.environment`` -> ``kg.publish.pages``)."""
    while name not in modules and "." in name:
        name = name.rpartition(".")[0]
    return name


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (specificity, layer index)
    for index, (_name, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            if fnmatchcase(module, pattern):
                specificity = len(pattern.replace("*", "")) + (1000 if "*" not in pattern else 0)
                if best is None or specificity > best[0]:
                    best = (specificity, index)
    return None if best is None else best[1]


def edges_of(module: str, source: str, is_package: bool, modules: set[str]) -> list[tuple[str, int, bool]]:
    """The modules of ``modules`` that ``source`` imports: (module, line, inside a function)."""
    edges = []
    for name, line, inner in imports_of(module, source, is_package):
        target = resolve(name, modules)
        if target != module and target in modules and (target, line, inner) not in edges:
            edges.append((target, line, inner))
    return edges


def import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, list[tuple[str, int, bool]]]:
    """{module: [(imported module, line, inside a function)]} for ``{module: (source, is_package)}``."""
    modules = set(sources)
    return {module: edges_of(module, source, is_package, modules) for module, (source, is_package) in sources.items()}


def against_the_layers(graph: dict[str, list[tuple[str, int, bool]]]) -> list[str]:
    problems = []
    for module, edges in sorted(graph.items()):
        mine = layer_of(module)
        if mine is None:
            problems.append(f"{module}: in no layer (add it to LAYERS here and in docs/developing.md)")
            continue
        for target, line, _inner in edges:
            theirs = layer_of(target)
            if theirs is not None and theirs > mine:
                problems.append(f"{module}:{line} imports {target}: {LAYERS[mine][0]} may not import {LAYERS[theirs][0]}")
    return problems


def cycles(graph: dict[str, list[tuple[str, int, bool]]]) -> list[list[str]]:
    """The import cycles (strongly connected components of more than one module, or a module that
    imports itself), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w, _line, _inner in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(found)


def lazy_without_reason(graph: dict[str, list[tuple[str, int, bool]]]) -> list[str]:
    return [f"{module}:{line} imports {target} inside a function" for module, edges in sorted(graph.items())
            for target, line, inner in edges if inner and module not in LAZY]


@pytest.fixture(scope="module")
def kg_graph() -> dict[str, list[tuple[str, int, bool]]]:
    return import_graph({module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py")
                         for p in sorted(KG.rglob("*.py"))})


def test_every_import_goes_down_the_layers(kg_graph: dict) -> None:
    assert len(kg_graph) > 60  # every module of kg/ was read
    assert against_the_layers(kg_graph) == []


def test_no_modules_import_each_other_in_a_circle(kg_graph: dict) -> None:
    assert cycles(kg_graph) == []


def test_imports_inside_functions_are_only_where_start_up_needs_them(kg_graph: dict) -> None:
    assert lazy_without_reason(kg_graph) == []


# ---------------------------------------------------------------- the checks catch what they should

def _with(kg_graph: dict, module: str, source: str) -> dict:
    """The real graph plus one planted module (or a planted module replacing a real one)."""
    return {**kg_graph, module: edges_of(module, source, False, {*kg_graph, module})}


def test_a_planted_import_against_the_layers_is_caught(kg_graph: dict) -> None:
    source = "from kg.text import Span\n\n\ndef spans():\n    from kg.publish.pages import environment\n    return environment\n"
    planted = _with(kg_graph, "kg.enrich.planted", source)
    assert against_the_layers(planted) == [
        "kg.enrich.planted:5 imports kg.publish.pages: enrich may not import publish"]
    assert lazy_without_reason(planted) == ["kg.enrich.planted:5 imports kg.publish.pages inside a function"]


def test_a_planted_cycle_is_caught(kg_graph: dict) -> None:
    # kg.config imports kg.files; a kg.files that imports kg.config (inside a function) closes a circle
    source = (KG / "files.py").read_text(encoding="utf-8") + "\n\ndef _config():\n    import kg.config\n"
    planted = _with(kg_graph, "kg.files", source)
    assert ["kg.config", "kg.files"] in cycles(planted)


def test_relative_and_package_imports_are_resolved() -> None:
    graph = import_graph({"kg.a": ("", True), "kg.a.b": ("from . import c\nfrom .c import f\n", False),
                          "kg.a.c": ("from .. import a\nfrom kg.a import b\n", False)})
    assert [t for t, _, _ in graph["kg.a.b"]] == ["kg.a.c", "kg.a.c"]
    assert [t for t, _, _ in graph["kg.a.c"]] == ["kg.a", "kg.a.b"]
    assert cycles(graph) == [["kg.a.b", "kg.a.c"]]


def test_an_unknown_module_is_named() -> None:
    assert against_the_layers({"kg.nowhere": []}) == [
        "kg.nowhere: in no layer (add it to LAYERS here and in docs/developing.md)"]


def test_the_most_specific_pattern_decides() -> None:
    names = [name for name, _ in LAYERS]
    assert names[layer_of("kg.validation.positions")] == "base"
    assert names[layer_of("kg.validation.shacl")] == "validation"
    assert names[layer_of("kg.cli_serve")] == "cli"
    assert names[layer_of("kg")] == "cli"


# ---------------------------------------------------------------- the documentation shows the same table

def _docs_table() -> list[tuple[str, list[str], list[str]]]:
    text = (ROOT / "docs" / "developing.md").read_text(encoding="utf-8")
    section = text.split("<!-- layers-table -->")[1]
    rows = []
    for line in section.splitlines():
        if not line.startswith("|") or set(line) <= {"|", "-", " "}:
            if rows and not line.startswith("|"):
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0].lower() == "layer":
            continue
        modules = re.findall(r"`([^`]+)`", cells[1])
        may = [] if cells[2].startswith("—") else [c.strip() for c in cells[2].split(",")]
        rows.append((cells[0], modules, may))
    return rows


def test_the_documented_table_is_the_tested_one() -> None:
    rows = _docs_table()
    assert [(name, list(patterns)) for name, patterns in LAYERS] == [(name, modules) for name, modules, _ in rows]
    for i, (name, _modules, may) in enumerate(rows):
        assert may == [n for n, _ in LAYERS[:i]], f"docs/developing.md: layer {name} may import {may}"


# ---------------------------------------------------------------- the linter the noqa markers are written for

def test_ruff_passes_on_kg() -> None:
    """ruff (next to this interpreter, from the test extra) checks kg/ with pyproject.toml's rules;
    its RUF100 fails on a ``# noqa`` marker that silences nothing, so the markers stay true."""
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "--no-cache", "--output-format", "concise", "kg"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- the repository stands on its own

def test_nothing_points_outside_the_repository() -> None:
    outside = ("../" + "shared", "/work/" + "shared")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    hits = []
    for name in listed.decode("utf-8").split("\0"):
        path = ROOT / name
        if not name or name.startswith("output/") or not path.is_file():
            continue
        data = path.read_bytes()
        hits += [f"{name}: {needle}" for needle in outside if needle.encode() in data]
    assert hits == []
