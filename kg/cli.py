"""The ``kg`` command: parse options, call one library function, print. Errors become messages
and exit codes here, and only here: 0 success, 1 the data does not conform, 2 bad input or
configuration, 3 an external service failed."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kg.config import SETTINGS, load_config
from kg.errors import KgError, NonConformingError

EXIT_CODES = {
    0: "success",
    1: "the data does not conform to the shapes (violations, or findings at or above --fail-on)",
    2: "bad input or configuration: a syntax error, a missing file, evidence not in the text, a bad query",
    3: "an external service (a linked dataset, a triple store) failed",
}


class Ctx:
    def __init__(self, root: Path, quiet: bool) -> None:
        self.root = root
        self.quiet = quiet
        from kg.progress import Reporter
        self.reporter = Reporter.for_stderr(quiet)  # bars on a terminal, lines otherwise (kg/progress.py)

    def config(self, **overrides):  # noqa: ANN003, ANN201
        return load_config(self.root, {**overrides, "quiet": self.quiet})

    def progress(self, msg: str) -> None:
        self.reporter(msg)


def printable(text: str) -> str:
    """``text`` with control characters (a NUL, a terminal escape sequence from damaged input) written
    as escapes, so that they cannot drive the terminal; the line breaks between problems stay."""
    return "\n".join("".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
                              for c in line) for line in text.split("\n"))


def fail(exc: KgError) -> None:
    """Print a library error compiler-style with its hint, and exit with its code."""
    click.echo(f"error: {printable(str(exc))}", err=True)
    report = getattr(exc, "report", None)
    if isinstance(exc, NonConformingError) and report is not None:
        click.echo(report.text(), err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)
    sys.exit(exc.exit_code)


class KgGroup(click.Group):
    QUIET = ("-q", "--quiet")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `-q` is global, but people type it after the command too (`kg build -q`): accept both.
        # Only before a `--`, and no command has a -q of its own (a test keeps it so).
        head, sep, tail = (args[: args.index("--")], ["--"], args[args.index("--") + 1:]) if "--" in args else (args, [], [])
        quiet = [a for a in head if a in self.QUIET]
        rest = [a for a in head if a not in self.QUIET]
        return super().parse_args(ctx, quiet[:1] + rest + sep + tail)

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except KgError as exc:
            fail(exc)


@click.group(cls=KgGroup, epilog="Exit codes: " + "; ".join(f"{k} {v}" for k, v in EXIT_CODES.items()))
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="Project folder (holding kg.toml, data/, ontology/, shapes/).")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@click.version_option(package_name="arthur-kg")
@click.pass_context
def main(ctx: click.Context, root: Path, quiet: bool) -> None:
    """Publish a scholarly essay as a validated knowledge graph."""
    ctx.obj = Ctx(root, quiet)
    from kg.progress import active
    ctx.with_resource(active(ctx.obj.reporter))


#: set by ``entry`` (the installed ``kg`` command, ``python -m kg``): the process ends as soon as the
#: command has finished, so what a build made need not be freed first
_EXIT_AT_ONCE = False
_RETAINED: list = []
_end = os._exit  # how entry ends the process (a test records it instead)


def entry() -> None:
    """The ``kg`` command as installed: ``main``, then, when a build kept its dataset (``_RETAINED``),
    the process ends at once with its exit code instead of freeing millions of RDF terms one by one
    and then tearing the interpreter down (0.2 s of the essay's 2.7 s cold build; seconds at 1 M
    triples). Everything the command printed is flushed first; its files are already published."""
    global _EXIT_AT_ONCE
    _EXIT_AT_ONCE = True
    try:
        main()
    except SystemExit as exc:
        if not _RETAINED:
            raise
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more can be said there
                pass
        _end(code)


@main.command()
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write here instead of output/ (same all-or-nothing swap).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the build cache (.kg-cache/): redo every essay.")
@click.pass_obj
def build(obj: Ctx, output: Path | None, no_cache: bool) -> None:
    """Load, enrich, validate and publish the dumps into output/ (all or nothing)."""
    from kg.cache import Cache
    from kg.pipeline import build as run

    result = run(obj.config(), obj.progress, output, cache=Cache(None) if no_cache else Cache.for_project(obj.root),
                 retain=_RETAINED if _EXIT_AT_ONCE else None)
    report = result.report
    click.echo(f"Built {result.triples} triples ({report.count('warning')} warnings) into {result.output}")
    for name in ("dataset.ttl", "dataset.jsonld", "dataset.nt", "dataset.trig", "void.ttl"):
        click.echo(f"  {result.output / name}")


@main.command()
@click.pass_obj
def settings(obj: Ctx) -> None:
    """List the settings of kg.toml (tables [kg], [link], [serve], [publish]) with their current
    values and help."""
    from dataclasses import fields

    from kg.config import load_options
    from kg.linker.settings import HELP, load_link_settings
    from kg.options import PublishOptions, ServeOptions

    cfg = obj.config()
    click.echo("[kg]")
    for s in SETTINGS:
        click.echo(f"{s.name} = {getattr(cfg, s.name)!r}\n    {s.help}")
    for table, command, values, helps in (
            ("link", "kg link", load_link_settings(cfg.root), HELP),
            ("serve", "kg serve", load_options(ServeOptions, "serve", cfg.root), ServeOptions.HELP),
            ("publish", "kg publish", load_options(PublishOptions, "publish", cfg.root), PublishOptions.HELP)):
        click.echo(f"\n[{table}]  ({command})")
        for f in fields(values):
            click.echo(f"{f.name} = {getattr(values, f.name)!r}\n    {helps[f.name]}")


def _print_result(result, fmt: str) -> None:  # noqa: ANN001
    from kg.store import serialize_result

    if fmt == "table":
        if result.kind == "ask":
            click.echo("true" if result.boolean else "false")
            return
        if result.kind == "graph":
            click.echo(serialize_result(result, "turtle").decode())
            return
        rows = [[r.get(v, "") for v in result.variables] for r in result.values()]
        widths = [min(60, max([len(v)] + [len(r[i]) for r in rows])) for i, v in enumerate(result.variables)]
        cut = lambda s, w: s if len(s) <= w else s[: w - 1] + "…"  # noqa: E731
        click.echo("  ".join(v.ljust(w) for v, w in zip(result.variables, widths)))
        click.echo("  ".join("-" * w for w in widths))
        for r in rows:
            click.echo("  ".join(cut(c, w).ljust(w) for c, w in zip(r, widths)).rstrip())
        click.echo(f"({len(rows)} rows)", err=True)
        return
    if result.kind == "graph" and fmt in ("json", "csv", "tsv", "xml"):
        fmt = {"json": "jsonld"}.get(fmt, "turtle")
    click.echo(serialize_result(result, fmt).decode(), nl=False)


@main.command()
@click.argument("query", required=False)
@click.option("--example", "-e", help="Run a cookbook query from queries/NAME.rq.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld"]),
              default="table", show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=300, show_default=True,
              help="Stop the query after this many seconds (exit 2).")
@click.pass_obj
def query(obj: Ctx, query: str | None, example: str | None, fmt: str, timeout: float) -> None:
    """Run SPARQL (a query, a .rq file, or --example NAME) against the built graph in output/."""
    from kg.sparql import read_query_file
    from kg.store import OxigraphStore

    cfg = obj.config()
    if example:
        path = cfg.queries_dir / f"{example}.rq"
        if not path.exists():
            names = sorted(p.stem for p in cfg.queries_dir.glob("*.rq"))
            raise KgError(f"no cookbook query named {example!r}", hint=f"Known: {', '.join(names)}.")
        text = read_query_file(path)
    elif query is None:
        raise KgError("give a query, a .rq file or --example NAME")
    elif query.endswith(".rq") or (len(query) < 4096 and "\n" not in query and "\x00" not in query and Path(query).exists()):
        text = read_query_file(Path(query))
    else:
        text = query
    store = OxigraphStore.from_output(cfg.output_dir, cfg.base_iri)
    _print_result(store.checked_query(text, timeout), fmt)


from kg.cli_publish import publish as _publish  # noqa: E402
main.add_command(_publish)
from kg.cli_release import release as _release  # noqa: E402
main.add_command(_release)
from kg.cli_serve import serve as _serve  # noqa: E402
main.add_command(_serve)
from kg.cli_link import link as _link  # noqa: E402
main.add_command(_link)
from kg.cli_validate import validate as _validate  # noqa: E402
main.add_command(_validate)
