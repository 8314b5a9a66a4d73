"""``kg publish --store URL``: load the built graph into a remote triple store (see ``kg.upload``)."""
from __future__ import annotations

from pathlib import Path

import click

from kg.upload import CHUNK, PRESETS


@click.command("publish")
@click.option("--store", "url", required=True, metavar="URL",
              help="Base URL of the store (e.g. http://localhost:7878/ or http://host:3030/DATASET/).")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default="oxigraph", show_default=True,
              help="Endpoint paths of the store product, relative to URL.")
@click.option("--method", type=click.Choice(["auto", "gsp", "update"]), default="auto", show_default=True,
              help="Graph Store Protocol PUT, or SPARQL Update; auto: GSP where the preset has it.")
@click.option("--query-endpoint", help="Query endpoint (absolute, or relative to URL); overrides the preset.")
@click.option("--update-endpoint", help="Update endpoint (absolute, or relative to URL); overrides the preset.")
@click.option("--gsp-endpoint", help="Graph Store endpoint (absolute, or relative to URL); overrides the preset.")
@click.option("--user", help="User name [env KG_STORE_USER].")
@click.option("--password", help="Password [env KG_STORE_PASSWORD]; prefer the variable to the option.")
@click.option("--token", help="Bearer token [env KG_STORE_TOKEN].")
@click.option("--auth", "auth_scheme", type=click.Choice(["basic", "digest"]), default="basic", show_default=True,
              help="HTTP authentication scheme for --user/--password.")
@click.option("--chunk", type=int, default=CHUNK, show_default=True, help="Triples per INSERT DATA (update method).")
@click.option("--input", "trig", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The TriG dump to publish [default: output/dataset.trig].")
@click.pass_obj
def publish(obj, url: str, preset: str, method: str, query_endpoint: str | None, update_endpoint: str | None,  # noqa: ANN001
            gsp_endpoint: str | None, user: str | None, password: str | None, token: str | None,
            auth_scheme: str, chunk: int, trig: Path | None) -> None:
    """Replace the built graph's named graphs in a triple store and verify their triple counts.

    Every named graph of output/dataset.trig (ontology, essays, metadata, enrichments) is replaced
    as a whole, so publishing again gives the same store. Exit 3 when the store fails; the message
    says which graph is replaced, failed or untouched."""
    from kg.publish.writer import live_output
    from kg.upload import make_target, publish as run

    cfg = obj.config()
    target = make_target(url, preset, query=query_endpoint, update=update_endpoint, gsp=gsp_endpoint,
                         method=method, user=user, password=password, token=token,
                         auth_scheme=auth_scheme, chunk=chunk)
    path = trig or live_output(cfg.output_dir) / "dataset.trig"
    obj.progress(f"publish {path} to {url} ({target.method})")
    report = run(path, target, url)
    click.echo(f"Published {report.triples} triples in {len(report.graphs)} graphs to {url} "
               f"({'Graph Store Protocol' if report.method == 'gsp' else 'SPARQL Update'}); counts verified:")
    click.echo(report.text())
