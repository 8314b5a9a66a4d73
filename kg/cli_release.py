"""``kg release VERSION``: freeze the built dumps as releases/VERSION/ (see ``kg.release``)."""
from __future__ import annotations

import click


@click.command("release")
@click.argument("version")
@click.option("--date", help="Release date YYYY-MM-DD [default: `modified` of kg.toml, or SOURCE_DATE_EPOCH].")
@click.option("--no-build", is_flag=True,
              help="Do not rebuild output/ afterwards (its landing page then does not list the release yet).")
@click.pass_obj
def release(obj, version: str, date: str | None, no_build: bool) -> None:  # noqa: ANN001
    """Freeze output/'s dumps as releases/VERSION/ with their VoID/DCAT metadata, a changelog of
    the data since the previous release, and CITATION.cff; list it in releases/index.json.

    VERSION must be the version the dumps were built with (`version` in kg.toml). Then output/
    is rebuilt, so that its pages list the new release and the tree is ready to commit."""
    from kg.pipeline import build
    from kg.release import release as run

    result = run(obj.config(), version, date)
    rel, changes = result.release, result.changes
    click.echo(f"Released {rel.version} ({rel.date}, {rel.triples} triples) into {result.folder}")
    if changes is None:
        click.echo("  the first release")
    else:
        click.echo(f"  since {rel.previous}: {changes.triples_added} triples added, {changes.triples_removed} removed; "
                   f"{len(changes.added)} resources added, {len(changes.removed)} removed, {len(changes.changed)} changed")
    for name in result.files:
        click.echo(f"  {result.folder / name}")
    if not no_build:
        obj.progress("rebuild output/ so that its landing page lists the release")
        built = build(obj.config(), obj.progress)
        click.echo(f"Rebuilt {built.output}: it lists release {rel.version}")
