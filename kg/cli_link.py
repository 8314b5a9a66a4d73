"""``kg link``: reconcile, review, accept, verify and enrich the links to Wikidata, VIAF and Open
Library. Parses options, calls ``kg.linker``, prints. Exit codes: 0 fine; 1 ``--verify`` found
mismatches or dead identifiers; 2 bad input; 3 a service failed (the run went on with the others)."""
from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path

import click

from kg.errors import ServiceError


@click.command("link")
@click.argument("ids", nargs=-1)
@click.option("--accept", is_flag=True, help="Merge accepted candidates into data/essays/<essay>/links.ttl: those "
              "named by IDS (RESOURCE or RESOURCE=ID), or with no IDS the rows marked x in data/links/review.tsv.")
@click.option("--verify", is_flag=True, help="Fetch the record of every identifier in the data and check it "
              "(label, type, dates, creator); report mismatches and dead identifiers.")
@click.option("--enrich", is_flag=True, help="Also write labels in other languages and Wikipedia pages of the "
              "verified Wikidata records to data/enrichments/wikidata.ttl (published in its own named graph).")
@click.option("--offline", is_flag=True, help="Use only the cache; a record not in it is a failure (exit 3).")
@click.option("--by", default="a curator", show_default=True, help="Who reviewed (goes into kgo:checkedBy).")
@click.option("--cache-dir", default=None, help="The cache folder (default: [link] cache_dir, .kg/link-cache).")
@click.pass_obj
def link(obj, ids: tuple[str, ...], accept: bool, verify: bool, enrich: bool, offline: bool, by: str,  # noqa: ANN001
         cache_dir: str | None) -> None:
    """Link the curated resources to Wikidata, VIAF and Open Library.

    \b
    kg link                      candidates for every resource without an identifier -> data/links/review.*
    kg link --accept RES[=ID]…   merge reviewed candidates into data/essays/<essay>/links.ttl
    kg link --verify [--enrich]  check every identifier already in the data
    """
    from kg.linker import load_link_settings, review
    from kg.linker.client import Client
    from kg.linker.workflow import enrichment, load_entities, reconcile
    from kg.linker.workflow import verify as run_verify

    cfg = obj.config()
    settings = load_link_settings(cfg.root, {"offline": offline or None, "cache_dir": cache_dir})
    ents = load_entities(cfg)
    today = _dt.date.today().isoformat()

    if accept:
        rows = review.select(review.read_review(cfg.root), ids)
        if not rows:
            click.echo("Nothing to accept: name RESOURCE or RESOURCE=ID, or mark rows with x in data/links/review.tsv.")
            return
        for line in review.merge_links(cfg, ents, rows, by, today):
            click.echo(line)
        return

    with Client(settings, settings.cache_path(cfg.root)) as client:
        if verify or enrich:
            result = run_verify(ents, settings, client, obj.progress)
            for finding in result.findings:
                click.echo(finding.line())
            click.echo(f"Checked {result.checked} identifiers: {len(result.findings)} problem(s), "
                       f"{len(result.failures)} failed look-up(s); {client.requests} request(s) sent.")
            if enrich:
                graph = enrichment(result.pairs)
                if graph is not None:
                    path = review.write_enrichment(cfg.root, "wikidata", graph)
                    click.echo(f"Wrote {len(graph)} triples to {path}")
            for failure in result.failures:
                click.echo(f"failed: {failure}", err=True)
            if result.findings:
                sys.exit(1)
            if result.failures:
                raise ServiceError(f"{len(result.failures)} look-up(s) failed; the others were checked")
            return
        rec = reconcile(ents, settings, client, obj.progress, ids)
        paths = review.write_review(cfg.root, rec.proposals, rec.failures, today, rec.empty)
        proposed = sum(p.proposed == "yes" for p in rec.proposals)
        click.echo(f"Looked up {rec.looked_up} resources: {len(rec.proposals)} candidates, {proposed} proposed; "
                   f"{client.requests} request(s) sent.")
        click.echo(f"Review {_rel(paths['md'], cfg.root)}; accept with `kg link --accept RESOURCE[=ID]` "
                   f"or mark rows in {_rel(paths['tsv'], cfg.root)}.")
        for failure in rec.failures:
            click.echo(f"failed: {failure}", err=True)
        if rec.failures:
            raise ServiceError(f"{len(rec.failures)} look-up(s) failed; the review lists the others")


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
