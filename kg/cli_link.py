"""``kg link``: reconcile, review, accept, verify and enrich the links to Wikidata, VIAF and Open
Library: a command group (``review``, ``accept``, ``verify``, ``enrich``). Parses options, calls
``kg.linker``, prints. Exit codes: 0 fine; 1 ``verify`` found
mismatches or dead identifiers; 2 bad input; 3 a service failed (the run went on with the others)."""
from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path

import click

from kg.errors import ServiceError


#: The flags of the single command of earlier releases, and the subcommand each one now is.
LEGACY_FLAGS = {"--accept": "accept", "--enrich": "enrich", "--verify": "verify"}


class LinkGroup(click.Group):
    """``kg link review|accept|verify|enrich``. The flags of earlier releases (``kg link --accept
    …``, ``kg link --verify [--enrich]``, a bare ``kg link``) still work for this release, with a
    deprecation line on stderr; ``--accept`` with ``--verify`` or ``--enrich`` is refused (exit 2):
    it used to run only the accept, in silence."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not any(a in self.commands or a in ("--help", "-h") for a in args):
            args = self._from_flags(ctx, args)
        return super().parse_args(ctx, args)

    def _from_flags(self, ctx: click.Context, args: list[str]) -> list[str]:
        flags = [a for a in args if a in LEGACY_FLAGS]
        rest = [a for a in args if a not in LEGACY_FLAGS]
        if "--accept" in flags and len(set(flags)) > 1:
            raise click.UsageError("--accept cannot be combined with --verify or --enrich: run "
                                   "`kg link accept …`, then `kg link verify` (or `kg link enrich`)", ctx)
        name = "accept" if "--accept" in flags else "enrich" if "--enrich" in flags else \
            "verify" if "--verify" in flags else "review"
        old = " ".join(["kg link", *dict.fromkeys(flags)])
        click.echo(f"kg: `{old}` is deprecated and goes in the next release: use `kg link {name}`", err=True)
        return [name, *rest]


_offline = click.option("--offline", is_flag=True,
                        help="Use only the cache; a record not in it is a failure (exit 3).")
_cache_dir = click.option("--cache-dir", default=None,
                          help="The cache folder (default: [link] cache_dir, .kg/link-cache).")


def _timeouts(f):  # noqa: ANN001, ANN202
    """--connect-timeout and --read-timeout: the one time-out policy of every HTTP client (kg.options)."""
    from kg.linker.settings import HELP, LinkSettings
    from kg.options import TIMEOUT_RANGE

    for name in ("read_timeout", "connect_timeout"):
        f = click.option("--" + name.replace("_", "-"), name, type=click.FloatRange(*TIMEOUT_RANGE), default=None,
                         show_default=f"{getattr(LinkSettings, name)}; [link] {name}", help=HELP[name])(f)
    return f


@click.group("link", cls=LinkGroup)
def link() -> None:
    """Link the curated resources to Wikidata, VIAF and Open Library.

    \b
    kg link review [RES…]        candidates for every resource without an identifier -> data/links/review.*
    kg link accept [RES[=ID]…]   merge reviewed candidates into data/essays/<essay>/links.ttl
    kg link verify               check every identifier already in the data (exit 1 on a problem)
    kg link enrich               verify, and write data/enrichments/wikidata.ttl
    """


def _settings(obj, offline: bool, cache_dir: str | None, **timeouts: float | None):  # noqa: ANN001, ANN202
    from kg.linker import load_link_settings

    cfg = obj.config()
    return cfg, load_link_settings(cfg.root, {"offline": offline or None, "cache_dir": cache_dir, **timeouts})


@link.command("review")
@click.argument("ids", nargs=-1)
@_offline
@_cache_dir
@_timeouts
@click.pass_obj
def review_cmd(obj, ids: tuple[str, ...], offline: bool, cache_dir: str | None, **timeouts: float | None) -> None:  # noqa: ANN001
    """Look up candidates for the resources without an identifier (or those named by IDS) and write
    them for review to data/links/review.{md,tsv,ttl}."""
    from kg.linker import review
    from kg.linker.client import Client
    from kg.linker.workflow import load_entities, reconcile

    cfg, settings = _settings(obj, offline, cache_dir, **timeouts)
    ents = load_entities(cfg)
    with Client(settings, settings.cache_path(cfg.root)) as client:
        rec = reconcile(ents, settings, client, obj.progress, ids)
        paths = review.write_review(cfg.root, rec.proposals, rec.failures, _dt.date.today().isoformat(), rec.empty)
        proposed = sum(p.proposed == "yes" for p in rec.proposals)
        click.echo(f"Looked up {rec.looked_up} resources: {len(rec.proposals)} candidates, {proposed} proposed; "
                   f"{client.requests} request(s) sent.")
        click.echo(f"Review {_rel(paths['md'], cfg.root)}; accept with `kg link accept RESOURCE[=ID]` "
                   f"or mark rows in {_rel(paths['tsv'], cfg.root)}.")
        for failure in rec.failures:
            click.echo(f"failed: {failure}", err=True)
        if rec.failures:
            raise ServiceError(f"{len(rec.failures)} look-up(s) failed; the review lists the others")


@link.command("accept")
@click.argument("ids", nargs=-1)
@click.option("--by", default="a curator", show_default=True, help="Who reviewed (goes into kgo:checkedBy).")
@_offline
@_cache_dir
@click.pass_obj
def accept_cmd(obj, ids: tuple[str, ...], by: str, offline: bool, cache_dir: str | None) -> None:  # noqa: ANN001
    """Merge accepted candidates into data/essays/<essay>/links.ttl: those named by IDS (RESOURCE or
    RESOURCE=ID), or with no IDS the rows marked x in data/links/review.tsv. Offline: it reads the
    review and the cache only."""
    from kg.linker import review
    from kg.linker.workflow import load_entities

    cfg, _ = _settings(obj, offline, cache_dir)  # checks [link] like the other subcommands
    ents = load_entities(cfg)
    rows = review.select(review.read_review(cfg.root), ids)
    if not rows:
        click.echo("Nothing to accept: name RESOURCE or RESOURCE=ID, or mark rows with x in data/links/review.tsv.")
        return
    for line in review.merge_links(cfg, ents, rows, by, _dt.date.today().isoformat()):
        click.echo(line)


@link.command("verify")
@_offline
@_cache_dir
@_timeouts
@click.pass_obj
def verify_cmd(obj, offline: bool, cache_dir: str | None, **timeouts: float | None) -> None:  # noqa: ANN001
    """Fetch the record of every identifier in the data and check it (label, type, dates, creator);
    report mismatches and dead identifiers (exit 1)."""
    _verify(obj, offline, cache_dir, enrich=False, **timeouts)


@link.command("enrich")
@_offline
@_cache_dir
@_timeouts
@click.pass_obj
def enrich_cmd(obj, offline: bool, cache_dir: str | None, **timeouts: float | None) -> None:  # noqa: ANN001
    """Verify, then write labels in other languages and Wikipedia pages of the verified Wikidata
    records to data/enrichments/wikidata.ttl (published in its own named graph)."""
    _verify(obj, offline, cache_dir, enrich=True, **timeouts)


def _verify(obj, offline: bool, cache_dir: str | None, enrich: bool, **timeouts: float | None) -> None:  # noqa: ANN001
    from kg.linker import review
    from kg.linker.client import Client
    from kg.linker.workflow import enrichment, load_entities
    from kg.linker.workflow import verify as run_verify

    cfg, settings = _settings(obj, offline, cache_dir, **timeouts)
    ents = load_entities(cfg)
    with Client(settings, settings.cache_path(cfg.root)) as client:
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


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
