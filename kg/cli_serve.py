"""``kg serve``: the SPARQL endpoint, linked-data pages and the site over the built output/."""
from __future__ import annotations

from pathlib import Path

import click

from kg.options import ServeOptions

H, R = ServeOptions.HELP, ServeOptions.RANGES


def _opt(flag: str, kind: type, *extra: str):  # noqa: ANN202
    """A flag for the [serve] setting of the same name: its default, help and bounds are ServeOptions'."""
    name = flag.lstrip("-").replace("-", "_")
    low, high = R.get(name, (None, None))
    typ = kind if name not in R else (click.IntRange(low, high) if kind is int else click.FloatRange(low, high))
    return click.option(flag, *extra, name, type=typ, default=None,
                        show_default=f"{getattr(ServeOptions, name)}; [serve] {name}", help=H[name])


@click.command()
@_opt("--host", str)
@_opt("--port", int, "-p")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The built folder to serve (default: output/).")
@_opt("--timeout", float)
@_opt("--max-rows", int)
@_opt("--max-bytes", int)
@_opt("--max-request", int)
@_opt("--workers", int)
@_opt("--base-url", str)
@click.pass_obj
def serve(obj, host: str | None, port: int | None, output: Path | None, timeout: float | None,  # noqa: ANN001
          max_rows: int | None, max_bytes: int | None, max_request: int | None, workers: int | None,
          base_url: str | None) -> None:
    """Serve the built graph: SPARQL at /sparql, pages at /id/..., the site at /."""
    from kg.config import load_options
    from kg.server import serve as run

    cfg = obj.config()
    options = load_options(ServeOptions, "serve", cfg.root, {
        "host": host, "port": port, "timeout": timeout, "max_rows": max_rows, "max_bytes": max_bytes,
        "max_request": max_request, "workers": workers, "base_url": base_url})
    if options.base_url:  # from the flag or [serve] base_url
        from dataclasses import replace

        from kg.errors import ConfigError
        from kg.iris import is_http_iri

        url = options.base_url
        if not is_http_iri(url):
            raise ConfigError(f"base URL {url!r} is not an http(s) URL", hint="e.g. --base-url http://127.0.0.1:8000/")
        options = replace(options, base_url=url if url.endswith("/") else url + "/")
    obj.progress(f"serving {output or cfg.output_dir} on http://{options.host}:{options.port}/ (SPARQL at /sparql); "
                 "Ctrl-C stops")
    run(cfg, output, options)
