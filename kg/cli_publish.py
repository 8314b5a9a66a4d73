"""``kg publish --store URL``: load the built graph into a remote triple store (see ``kg.upload``)."""
from __future__ import annotations

from pathlib import Path

import click

from kg.options import PRESETS, TIMEOUT_RANGE, PublishOptions

D = PublishOptions()  # the defaults: [publish] in kg.toml, then the flags, override them
H = PublishOptions.HELP


def _default(name: str) -> str:
    return f"{getattr(D, name)}; [publish] {name}"


@click.command("publish")
@click.option("--store", "url", required=True, metavar="URL",
              help="Base URL of the store (e.g. http://localhost:7878/ or http://host:3030/DATASET/).")
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default=None, show_default=_default("preset"),
              help=H["preset"])
@click.option("--method", type=click.Choice(PublishOptions.CHOICES["method"]), default=None,
              show_default=_default("method"), help=H["method"])
@click.option("--query-endpoint", help="Query endpoint (absolute, or relative to URL); overrides the preset.")
@click.option("--update-endpoint", help="Update endpoint (absolute, or relative to URL); overrides the preset.")
@click.option("--gsp-endpoint", help="Graph Store endpoint (absolute, or relative to URL); overrides the preset.")
@click.option("--user", help="User name [env KG_STORE_USER].")
@click.option("--password", help="Password [env KG_STORE_PASSWORD]; prefer the variable to the option.")
@click.option("--token", help="Bearer token [env KG_STORE_TOKEN].")
@click.option("--auth", "auth_scheme", type=click.Choice(PublishOptions.CHOICES["auth"]), default=None,
              show_default=_default("auth"), help=H["auth"])
@click.option("--chunk", type=click.IntRange(PublishOptions.RANGES["chunk"][0]), default=None,
              show_default=_default("chunk"), help=H["chunk"])
@click.option("--connect-timeout", type=click.FloatRange(*TIMEOUT_RANGE), default=None,
              show_default=_default("connect_timeout"), help=H["connect_timeout"])
@click.option("--read-timeout", type=click.FloatRange(*TIMEOUT_RANGE), default=None,
              show_default=_default("read_timeout"), help=H["read_timeout"])
@click.option("--input", "trig", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The TriG dump to publish [default: output/dataset.trig].")
@click.pass_obj
def publish(obj, url: str, preset: str | None, method: str | None, query_endpoint: str | None,  # noqa: ANN001
            update_endpoint: str | None, gsp_endpoint: str | None, user: str | None, password: str | None,
            token: str | None, auth_scheme: str | None, chunk: int | None, connect_timeout: float | None,
            read_timeout: float | None, trig: Path | None) -> None:
    """Replace the built graph's named graphs in a triple store and verify their triple counts.

    Every named graph of output/dataset.trig (ontology, essays, metadata, enrichments) is replaced
    as a whole, so publishing again gives the same store. Exit 3 when the store fails; the message
    says which graph is replaced, failed or untouched."""
    from kg.config import load_options
    from kg.publish.writer import live_output
    from kg.upload import make_target, publish as run

    cfg = obj.config()
    opts = load_options(PublishOptions, "publish", cfg.root, {
        "preset": preset, "method": method, "auth": auth_scheme, "chunk": chunk,
        "connect_timeout": connect_timeout, "read_timeout": read_timeout})
    target = make_target(url, opts.preset, query=query_endpoint, update=update_endpoint, gsp=gsp_endpoint,
                         method=opts.method, user=user, password=password, token=token,
                         auth_scheme=opts.auth, chunk=opts.chunk, timeout=(opts.connect_timeout, opts.read_timeout))
    path = trig or live_output(cfg.output_dir) / "dataset.trig"
    obj.progress(f"publish {path} to {url} ({target.method})")
    report = run(path, target, url)
    click.echo(f"Published {report.triples} triples in {len(report.graphs)} graphs to {url} "
               f"({'Graph Store Protocol' if report.method == 'gsp' else 'SPARQL Update'}); counts verified:")
    click.echo(report.text())
