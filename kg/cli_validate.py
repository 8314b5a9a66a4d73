"""``kg validate``: the shapes as a CI check. Findings point at the file and line that causes them,
in the format a CI system reads; the exit code follows --fail-on."""
from __future__ import annotations

import sys
from pathlib import Path

import click

FORMATS = ("text", "json", "junit", "github", "turtle")


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text (compiler style, grouped by file), json, junit (JUnit XML), github (Actions "
                   "annotations) or turtle (the SHACL validation report).")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation",
              show_default=True, help="Lowest severity that makes the exit code 1.")
@click.option("--shapes", "shapes", type=click.Path(path_type=Path), default=None,
              help="Shapes to use: a Turtle file or a folder of them (default: the project's shapes/).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.pass_obj
def validate(obj, files: tuple[Path, ...], fmt: str, fail_on: str, shapes: Path | None,  # noqa: ANN001
             output: Path | None) -> None:
    """Validate the corpus (no FILES), files of an essay, or any Turtle FILES against the shapes.

    \b
    - no FILES: every essay of data/essays/, enriched as the build does (evidence anchored in the
      text, standard triples materialised);
    - FILES in an essay folder (one with a source.txt): that essay, enriched against its text;
      only the findings located in FILES are reported;
    - other FILES: validated as they are (use --shapes for your own shapes).

    Every finding names file:line:column of the statement (or the subject's block, for something
    missing). Exit 0 when no finding reaches --fail-on, 1 when one does, 2 when validation could
    not run (bad syntax, a missing file)."""
    from kg.formats import render
    from kg.validation import validate_sources

    cfg = obj.config()
    report = validate_sources(cfg, list(files), shapes, obj.progress)
    out = render(report, fmt, fail_on)
    if output is not None:
        output.write_text(out, encoding="utf-8")
        obj.progress(f"wrote {output}")
    else:
        click.echo(out, nl=False)
    failing = report.at_or_above(fail_on)
    obj.progress(f"{len(report.findings)} finding(s), {len(failing)} at or above {fail_on}")
    if failing:
        sys.exit(1)
