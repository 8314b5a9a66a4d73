"""``kg serve``: the SPARQL endpoint, linked-data pages and the site over the built output/."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The built folder to serve (default: output/).")
@click.option("--timeout", default=5.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds a query may run before it is stopped.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1), help="Rows (or triples) per answer.")
@click.option("--max-bytes", default=10_000_000, show_default=True, type=click.IntRange(1), help="Bytes per answer.")
@click.option("--max-request", default=128 * 1024, show_default=True, type=click.IntRange(1024),
              help="Bytes of a request's query string or body (larger: 413).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Query worker processes.")
@click.option("--base-url", default=None, metavar="URL",
              help="Resolve the dataset's IRIs here: answers use URL in place of the base IRI (e.g. http://127.0.0.1:8000/).")
@click.pass_obj
def serve(obj, host: str, port: int, output: Path | None, timeout: float, max_rows: int, max_bytes: int,  # noqa: ANN001
          max_request: int, workers: int, base_url: str | None) -> None:
    """Serve the built graph: SPARQL at /sparql, pages at /id/..., the site at /."""
    from kg.server import ServeOptions
    from kg.server import serve as run

    cfg = obj.config()
    if base_url is not None:
        from kg.errors import ConfigError
        from kg.iris import is_http_iri

        if not is_http_iri(base_url):
            raise ConfigError(f"--base-url {base_url!r} is not an http(s) URL", hint="e.g. --base-url http://127.0.0.1:8000/")
        base_url = base_url if base_url.endswith("/") else base_url + "/"
    options = ServeOptions(host=host, port=port, timeout=timeout, max_rows=max_rows, max_bytes=max_bytes,
                           max_request=max_request, workers=workers, base_url=base_url)
    obj.progress(f"serving {output or cfg.output_dir} on http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C stops")
    run(cfg, output, options)
