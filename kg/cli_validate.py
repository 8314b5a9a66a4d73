"""``kg validate``: the shapes as a CI check. Findings point at the file and line that causes them,
in the format a CI system reads; the exit code follows --fail-on."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.errors import SourceError

FORMATS = ("text", "json", "junit", "github", "sarif", "turtle")


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text (compiler style, grouped by file), json, junit (JUnit XML), github (Actions "
                   "annotations), sarif (SARIF 2.1.0, for code scanning) or turtle (the SHACL validation report).")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation",
              show_default=True, help="Lowest severity that makes the exit code 1.")
@click.option("--shapes", "shapes", type=click.Path(path_type=Path), default=None,
              help="Shapes to use: a Turtle file or a folder of them (default: the project's shapes/, "
                   "else the shapes shipped with kg).")
@click.option("--context", "context", default=None, metavar="git|none|PATH",
              help="Validate FILES together with other Turtle files, reporting findings only in FILES: "
                   "git (every Turtle file git tracks in the repository) or a file or folder.")
@click.option("--changed-since", "changed_since", default=None, metavar="REF",
              help="Validate the Turtle files changed since the git REF (from its merge base with HEAD), "
                   "with the repository as context (--context git).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.pass_obj
def validate(obj, files: tuple[Path, ...], fmt: str, fail_on: str, shapes: Path | None,  # noqa: ANN001
             context: str | None, changed_since: str | None, output: Path | None) -> None:
    """Validate the corpus (no FILES), files of an essay, or any Turtle FILES against the shapes.

    \b
    - no FILES: every essay of data/essays/, enriched as the build does (evidence anchored in the
      text, standard triples materialised);
    - FILES in an essay folder (one with a source.txt): that essay, enriched against its text;
      only the findings located in FILES are reported;
    - other FILES: validated as they are (use --shapes for your own shapes; --context git to
      validate them with the rest of the repository).
    A folder stands for the Turtle files under it; shapes files are never validated as data.

    Every finding names file:line:column of the statement (or the subject's block, for something
    missing). Exit 0 when no finding reaches --fail-on, 1 when one does, 2 when validation could
    not run (bad syntax, reported in the chosen format too; a missing file)."""
    from kg.validation.formats import render
    from kg.validation.files import validate_sources

    if output is not None and not output.parent.is_dir():
        raise SourceError(f"{output}: cannot write the report: the folder {output.parent} does not exist")
    cfg = obj.config()
    report = validate_sources(cfg, list(files), shapes, obj.progress, context=context, changed_since=changed_since)
    out = render(report, fmt, fail_on)
    if output is not None:
        try:
            output.write_text(out, encoding="utf-8")
        except OSError as exc:
            raise SourceError(f"{output}: cannot write the report ({exc.strerror})") from None
        obj.progress(f"wrote {output}")
    else:
        click.echo(out, nl=False)
    if report.errors:
        first = report.errors[0]
        if fmt != "text" or output is not None:  # the text report already says it on stdout
            click.echo(f"error: {first.where()}: {first.message}", err=True)
        sys.exit(2)
    failing = report.at_or_above(fail_on)
    obj.progress(f"{len(report.findings)} finding(s), {len(failing)} at or above {fail_on}")
    if failing:
        sys.exit(1)
