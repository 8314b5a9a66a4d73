"""The ASGI application (Starlette): the SPARQL 1.1 Protocol at /sparql, linked-data pages under
/id/, the dumps under /dumps/, and every file of output/site/ (landing page, query page, maps).

It reads only what the build published (output/). Every error, on every route, is one JSON body
``{"error": code, "message": ..., "hint": ...}``, except that a browser (Accept preferring
``text/html``) gets a 404 as an HTML page with suggestions. No answer is sent before it is whole.
Media types come from the one table of ``kg.mediatypes``."""
from __future__ import annotations

import asyncio
import difflib
import json
import re
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg import mediatypes as mt
from kg.config import Config
from kg.csp import HEADER as CSP_HEADER
from kg.errors import MissingSourceError
from kg.namespaces import PREFIXES
from kg.options import ServeOptions  # the server's limits ([serve] in kg.toml)
from kg.server import negotiate as neg
from kg.server.checker import CheckPool
from kg.server.pool import Job, PoolBusy, QueryTimeout, WorkerPool
from kg.results import write_graph
from kg.server.service import service_description
from kg.store import OxigraphStore

#: Sent with every answer (the policy is explained in kg/csp.py).
SECURITY_HEADERS = [(b"content-security-policy", CSP_HEADER.encode()), (b"x-content-type-options", b"nosniff")]
ALLOWED_METHODS = "GET, HEAD, POST"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, hint: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.hint, self.headers = status, code, message, hint, headers


def error_response(status: int, code: str, message: str, hint: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "hint": hint}, status_code=status, headers=headers)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}


def _parse_qs(raw: bytes, what: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeError:
        raise ApiError(400, "bad_encoding", f"the {what} is not valid percent-encoded UTF-8",
                       "Encode the query as UTF-8 and percent-encode it (application/x-www-form-urlencoded).") from None


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        k, _, v = part.strip().partition("=")
        if k.strip().lower() == "charset":
            return v.strip().strip('"').lower()
    return None


def _decode_query_body(body: bytes, ctype: str) -> str:
    """An ``application/sparql-query`` body is UTF-8 (SPARQL 1.1 Protocol §2.1.3): another charset
    is refused, never decoded (a UTF-16 or Latin-1 query would be read differently elsewhere)."""
    charset = _charset(ctype)
    if charset is not None and charset not in ("utf-8", "utf8"):
        raise ApiError(400, "bad_encoding", f"application/sparql-query is always UTF-8, not charset={charset!r}",
                       "Send the query as UTF-8 (and say charset=utf-8, or no charset).")
    try:
        return body.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "bad_encoding", f"the query is not valid UTF-8: {exc.reason} at byte {exc.start}",
                       "Send the query as UTF-8.") from None


HTML_OFFER = {"html": (mt.BY_NAME["html"].sent, mt.BY_NAME["html"].accepted)}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def wants_html(accept: str | None, offers: dict[str, tuple[str, tuple[str, ...]]] | None = None) -> bool:
    """Whether a client prefers HTML to every one of ``offers`` (JSON by default): a browser does;
    ``curl``'s ``*/*`` does not (on a tie the machine-readable offers, listed first, win)."""
    offers = offers or {"json": ("application/json", ("application/json",))}
    return neg.negotiate(accept, {**offers, **HTML_OFFER}) == "html"


def _override(params: list[tuple[str, str]]) -> str | None:
    """The format asked for with ``?_mediatype=`` (as Prez) or ``?format=``, or None."""
    return next((v for k, v in params if k in ("_mediatype", "format")), None)


def _names(site: Path) -> dict[str, str]:
    """{path under /id/: label} of the resources a reader looks for (404 suggestions), from the
    search index the build wrote (``kg.publish.search``): the labels the pages show, one rule for
    both (``kg.terms``); none when the output has no index."""
    from kg.publish.search import PATH as SEARCH_PATH

    try:
        entries = json.loads((site / SEARCH_PATH).read_bytes())["entries"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return dict(sorted((e["href"].removeprefix("id/").removesuffix(".html"), e["label"]) for e in entries
                       if isinstance(e, dict) and str(e.get("href", "")).startswith("id/")))


def _data_triples(store: ox.Store, dataset: str) -> int | None:
    """The data's triple count the dataset description states (``void:triples``), or None."""
    q = next(store.quads_for_pattern(ox.NamedNode(dataset), ox.NamedNode("http://rdfs.org/ns/void#triples"),
                                     None, None), None)
    return int(q.object.value) if q is not None and q.object.value.isdigit() else None


def local_iris(app, base_iri: str, base_url: str):  # noqa: ANN001, ANN202 - a pure ASGI middleware
    """``kg serve --base-url``: every textual answer (pages, RDF, results, dumps) with the dataset's
    IRIs (``base_iri``) replaced by the local ones (``base_url``), so that every link opens here, as
    Trifid's rewrite does. Compressed files (``.gz``) are sent as they are."""
    old, new = base_iri.encode(), base_url.encode()

    async def wrapped(scope, receive, send):  # noqa: ANN001, ANN202
        if scope["type"] != "http":
            return await app(scope, receive, send)
        # HEAD is answered as GET, without the body: its Content-Length is the rewritten body's
        head_only = scope["method"] == "HEAD"
        if head_only:
            scope = {**scope, "method": "GET"}
        start: dict = {}
        chunks: list[bytes] = []

        async def rewriting(message):  # noqa: ANN001, ANN202
            if message["type"] == "http.response.start":
                ctype = next((v for k, v in message.get("headers", []) if k.lower() == b"content-type"), b"")
                if b"charset" not in ctype and b"json" not in ctype and b"xml" not in ctype:
                    start["pass"] = True
                    return await send(message)
                start["message"] = message
                return None
            if start.get("pass") or message["type"] != "http.response.body":
                if head_only and message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return None
            body = b"".join(chunks).replace(old, new)
            head = start["message"]
            headers = [(k, v) for k, v in head.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**head, "headers": headers})
            return await send({"type": "http.response.body", "body": b"" if head_only else body})
        return await app(scope, receive, rewriting)
    return wrapped


def security_headers(app):  # noqa: ANN001, ANN202 - a pure ASGI middleware
    """Add the Content-Security-Policy (and nosniff) to every HTTP answer."""
    async def wrapped(scope, receive, send):  # noqa: ANN001, ANN202
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def send_with_headers(message):  # noqa: ANN001, ANN202
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": list(message.get("headers", []))
                           + [h for h in SECURITY_HEADERS if h[0] not in names]}
            await send(message)
        return await app(scope, receive, send_with_headers)
    return wrapped


class SiteFiles(StaticFiles):
    """The files of output/site/, without StaticFiles' own 404 page (``404.html`` is for static
    hosts): a miss is answered by the server's not-found handler (JSON, or HTML for a browser)."""

    def lookup_path(self, path: str):  # noqa: ANN202
        if path.strip("/") == "404.html":
            return "", None
        return super().lookup_path(path)


class App:
    """Holds the store (for pages) and the worker pool (for queries) of one output/ folder."""

    def __init__(self, config: Config, output: Path, options: ServeOptions) -> None:
        self.config = config
        from kg.publish.writer import live_output  # a build killed mid-swap keeps the old tree readable

        self.output = live_output(Path(output))
        self.options = options
        self.site = self.output / "site"
        trig = self.output / "dataset.trig"
        if not trig.exists():
            raise MissingSourceError(f"{trig}: no such file", hint="Run `kg build` first.")
        self.store = OxigraphStore.from_trig(trig, {**PREFIXES, "kg": config.base_iri + "id/"})  # as the workers
        self.prefixes = self.store.prefixes
        self.graphs = self.store.graph_names()
        self.id_base = config.base_iri + "id/"
        self.pool = WorkerPool(trig, self.prefixes, options.workers)
        self.checker = CheckPool(self.graphs, self.prefixes)
        self.dumps = {p.name for p in self.output.iterdir() if p.is_file()}
        self.releases = config.root / "releases"
        self.names = _names(self.site)  # {path under /id/: label}, for 404 suggestions
        self.data_triples = _data_triples(self.store.store, config.base_iri + "id/dataset")
        from kg.publish.pages import environment

        self.env = environment()

    # --- SPARQL protocol -------------------------------------------------------------------
    async def _read_body(self, request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                raise ApiError(400, "bad_request", "Content-Length is not a number")
            if int(length) > self.options.max_request:
                raise self._too_large(int(length))
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.options.max_request:
                raise self._too_large(len(body))
        return bytes(body)

    def _too_large(self, size: int) -> ApiError:
        return ApiError(413, "request_too_large",
                        f"the request is {size} bytes, more than the limit of {self.options.max_request}",
                        "Send a shorter query; `kg serve --max-request` raises the limit.")

    async def sparql(self, request: Request) -> Response:
        """The SPARQL 1.1 Protocol, in four steps: read the request (``_read_request``: pure checks of
        method, size, parameters and body), the query page for a browser, the policy (off the event
        loop), then negotiation (``_formats``) and the run in a worker (``_run``)."""
        params, query = await self._read_request(request)
        accept = request.headers.get("accept")
        override = _override(params)
        if (request.method in ("GET", "HEAD") and override is None
                and wants_html(accept, {**neg.RESULT_TYPES, **neg.GRAPH_TYPES})):
            # a browser: the query page, which reads ?query= itself (pre-filled and run)
            return self.site_file("query.html", {"Vary": "Accept"})
        if query is None:
            return self.describe_service(request, accept, override)
        query = self.to_dataset(query)
        default_graphs = tuple(v for k, v in params if k == "default-graph-uri")
        named_graphs = tuple(v for k, v in params if k == "named-graph-uri")
        for g in default_graphs + named_graphs:
            if g not in self.graphs:
                raise ApiError(400, "unknown_graph", f"no graph named <{g}> in this store: only the graphs this store "
                               "holds can be named (no remote graph is fetched)",
                               "The service description (GET /sparql without a query) lists the named graphs.")
        # the policy, off the event loop; relative IRIs resolve against this endpoint's URL
        base_iri = str(request.url.replace(query="", fragment=""))
        verdict = await self.checker.check(query, base_iri)
        if verdict[0] == "refused":
            _, what, code, message, hint = verdict
            status = 400 if what == "malformed" or code == "unknown_graph" else 403
            raise ApiError(status, code, message, hint)
        info = verdict[1]
        rfmt, gfmt = self._formats(info.form, accept, override)
        # the worker runs the canonical text the policy checked, never the text as sent
        job = Job(info.query, rfmt or "json", gfmt or "turtle", default_graphs, named_graphs,
                  self.options.max_rows, self.options.max_bytes, base_iri)
        fmt, body = await self._run(job)
        headers = {"Vary": "Accept"}
        download = next((v for k, v in params if k == "download"), None)
        if download is not None:  # the query page's download links
            name = _SAFE_NAME.sub("-", download).strip("-.")[:60] or "results"
            headers["Content-Disposition"] = f'attachment; filename="{name}{mt.BY_NAME[fmt].suffix}"'
        return Response(body, media_type=neg.media_type(fmt), headers=headers)

    async def _read_request(self, request: Request) -> tuple[list[tuple[str, str]], str | None]:
        """``(parameters, the query or None)`` of a protocol request, or the ApiError that refuses it:
        the method, the size of the query string and body, the body's media type, updates, and
        exactly one query."""
        if request.method not in ("GET", "HEAD", "POST"):
            raise ApiError(405, "method_not_allowed", f"{request.method} is not allowed on /sparql",
                           "Query with GET or POST (SPARQL 1.1 Protocol); the graph is read-only.",
                           {"Allow": ALLOWED_METHODS})
        raw_qs = request.scope.get("query_string", b"")
        if len(raw_qs) > self.options.max_request:
            raise self._too_large(len(raw_qs))
        params = _parse_qs(raw_qs, "query string")
        query: str | None = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "")
            media = ctype.split(";")[0].strip().lower()
            body = await self._read_body(request)
            if media == "application/x-www-form-urlencoded":
                params += _parse_qs(body, "form body")
            elif media == "application/sparql-query":
                query = _decode_query_body(body, ctype)
            elif media == "application/sparql-update":
                raise ApiError(403, "update_refused", "updates are not allowed here: the graph is read-only",
                               "Send a SELECT, ASK, CONSTRUCT or DESCRIBE query.")
            else:
                raise ApiError(415, "unsupported_media_type",
                               f"a POST must be application/x-www-form-urlencoded or application/sparql-query, "
                               f"not {media or 'without a Content-Type'}",
                               "See the SPARQL 1.1 Protocol, section 2.1.")
        names = [k for k, _ in params]
        if "update" in names or "using-graph-uri" in names or "using-named-graph-uri" in names:
            raise ApiError(403, "update_refused", "updates are not allowed here: the graph is read-only",
                           "Send a SELECT, ASK, CONSTRUCT or DESCRIBE query.")
        queries = [v for k, v in params if k == "query"]
        if query is not None:
            if queries:
                raise ApiError(400, "bad_request", "the query is given both in the body and as a parameter")
            queries = [query]
        if len(queries) > 1:
            raise ApiError(400, "bad_request", "more than one query parameter", "Send exactly one query.")
        return params, (queries[0] if queries else None)

    @staticmethod
    def _formats(form: str, accept: str | None, override: str | None) -> tuple[str | None, str | None]:
        """``(result format, graph format)`` for a query of ``form``: the override (``?format=``,
        ``?_mediatype=``) or the negotiated one; 406 when the client accepts none of the offers."""
        offers = neg.RESULT_TYPES if form in ("SELECT", "ASK") else neg.GRAPH_TYPES
        if override is not None:
            chosen = mt.override(override, offers)
            if chosen is None:
                raise ApiError(406, "not_acceptable", f"cannot answer a {form} query as {override!r}",
                               "Name one of: " + ", ".join(offers) + " (with ?format= or ?_mediatype=)")
            return chosen, chosen
        rfmt, gfmt = neg.result_format(accept), neg.graph_format(accept)
        if (form in ("SELECT", "ASK") and rfmt is None) or (form in ("CONSTRUCT", "DESCRIBE") and gfmt is None):
            raise ApiError(406, "not_acceptable", f"cannot answer a {form} query as {accept}",
                           "Accept one of: " + ", ".join(t[0] for t in offers.values()))
        return rfmt, gfmt

    async def _run(self, job: Job) -> tuple[str, bytes]:
        """``(format, body)`` of the job's answer from a worker; the worker's limits and failures as
        ApiErrors (503 for the time limit and a busy pool, the worker's own status otherwise)."""
        try:
            reply = await self.pool.run(job, self.options.timeout)
        except QueryTimeout:
            raise ApiError(503, "query_timeout",
                           f"the query ran longer than the limit of {self.options.timeout:g} s and was stopped",
                           "Make it more selective (bind variables, add LIMIT) or raise `kg serve --timeout`.") from None
        except PoolBusy:
            raise ApiError(503, "busy", "every query worker stayed busy past the time limit",
                           "Retry in a few seconds.", {"Retry-After": "2"}) from None
        if reply[0] == "error":
            _, status, code, message, hint = reply
            raise ApiError(status, code, message, hint)
        _, _kind, fmt, body = reply
        return fmt, body

    def describe_service(self, request: Request, accept: str | None, override: str | None = None) -> Response:
        fmt = neg.graph_format(accept) if override is None else mt.override(override, neg.GRAPH_TYPES)
        if fmt is None and override is not None:
            raise ApiError(406, "not_acceptable", f"cannot describe the service as {override!r}",
                           "Name one of: " + ", ".join(neg.GRAPH_TYPES) + " (with ?format= or ?_mediatype=)")
        if fmt is None:
            raise ApiError(406, "not_acceptable", f"cannot describe the service as {accept}",
                           "Accept one of: " + ", ".join(t[0] for t in neg.GRAPH_TYPES.values()))
        endpoint = str(request.url.replace(query="", fragment=""))
        limits = {k: v for k, v in asdict(self.options).items() if k not in ("host", "port")}
        triples = service_description(endpoint, self.graphs, self.id_base + "dataset", len(self.store), limits)
        body = write_graph(triples, fmt, {"sd": PREFIXES["sd"], "void": PREFIXES["void"], "dcterms": PREFIXES["dcterms"]})
        return Response(body, media_type=neg.media_type(fmt), headers={"Vary": "Accept"})

    # --- linked data ----------------------------------------------------------------------
    def _exists(self, iri: str) -> bool:
        return self.store.mentions(iri)

    def _published(self, rest: str) -> bool:
        """Whether ``/id/<rest>`` is a resource: in the store, or described by a page the build wrote
        (a resource of the dataset's description only, e.g. ``dataset/served``)."""
        if not rest or ".." in rest.split("/"):
            return False
        return self._exists(self.id_base + rest) or (self.site / "id" / (rest + ".html")).is_file()

    async def resource(self, request: Request) -> Response:
        raw = request.scope.get("raw_path") or request.url.path.encode()
        rest = raw.decode("latin-1").split("?", 1)[0][len("/id/"):]
        iri = self.id_base + rest
        fmt = None
        if not self._published(rest):
            stem, dot, suffix = rest.rpartition(".")
            if dot and "." + suffix in neg.SUFFIXES and self._published(stem):
                rest, iri, fmt = stem, self.id_base + stem, neg.SUFFIXES["." + suffix]
            else:
                raise ApiError(404, "not_found", f"<{iri}> is not a resource of this dataset",
                               "The landing page (/) lists the kinds of resources; /sparql finds them.")
        headers = {"Vary": "Accept", "Link": mt.link_header("/id/" + rest, neg.RESOURCE_TYPES)}
        override = _override(_parse_qs(request.scope.get("query_string", b""), "query string"))
        if fmt is None and override is not None:
            fmt = mt.override(override, neg.RESOURCE_TYPES)
            if fmt is None:
                raise ApiError(406, "not_acceptable", f"cannot describe the resource as {override!r}",
                               "Name one of: " + ", ".join(neg.RESOURCE_TYPES) + " (with ?format= or ?_mediatype=)")
        if fmt is None:
            fmt = neg.negotiate(request.headers.get("accept"), neg.RESOURCE_TYPES)
            if fmt is None:
                raise ApiError(406, "not_acceptable", "cannot describe the resource in the accepted formats",
                               "Accept one of: " + ", ".join(t[0] for t in neg.RESOURCE_TYPES.values()))
        # the description the build wrote beside the page (kg.publish.resource_rdf): the same bytes
        # as the static site's; RDF/XML is converted from its N-Triples
        name = "html" if fmt == "html" else ("ntriples" if fmt == "rdfxml" else fmt)
        path = self.site / "id" / (rest + mt.BY_NAME[name].suffix)
        if not path.is_file():
            raise ApiError(404, "not_found", f"no {mt.BY_NAME[name].label} description was built for <{iri}>",
                           "Run `kg build`.")
        body = path.read_bytes()
        if fmt == "rdfxml":
            triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            body = write_graph(triples, fmt, self.prefixes)
        return Response(body, media_type=neg.media_type(fmt), headers=headers)

    async def graph(self, request: Request) -> Response:
        """A named graph's IRI (``/graph/...``): its triples, in the negotiated graph format; a browser
        is sent to the query page, opened on a query listing the graph's triples."""
        iri = self.config.base_iri + request.url.path.lstrip("/")
        if iri not in self.graphs:
            raise ApiError(404, "not_found", f"<{iri}> is not a named graph of this dataset",
                           "GET /sparql (the service description) lists the named graphs.")
        accept = request.headers.get("accept")
        override = _override(_parse_qs(request.scope.get("query_string", b""), "query string"))
        if override is None and wants_html(accept, neg.GRAPH_TYPES):
            from urllib.parse import quote

            query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{self.local_iri(iri)}> {{ ?s ?p ?o }} }} LIMIT 500"
            return Response(status_code=303, headers={"Location": "/query?query=" + quote(query), "Vary": "Accept"})
        fmt = neg.graph_format(accept) if override is None else mt.override(override, neg.GRAPH_TYPES)
        if fmt is None:
            raise ApiError(406, "not_acceptable", "cannot send the graph in the accepted formats",
                           "Accept one of: " + ", ".join(t[0] for t in neg.GRAPH_TYPES.values()))
        triples = sorted((q.triple for q in self.store.store.quads_for_pattern(None, None, None, ox.NamedNode(iri))), key=str)
        return Response(write_graph(triples, fmt, self.prefixes), media_type=neg.media_type(fmt),
                        headers={"Vary": "Accept"})

    async def dump(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.dumps or name.startswith("."):
            raise ApiError(404, "not_found", f"no dump named {name!r}", "The landing page (/) lists the dumps.")
        return self.file(self.output / name)

    async def release(self, request: Request) -> Response:
        """``/dumps/releases/<version>/<file>``: a file of a release (``kg release``)."""
        version, name = request.path_params["version"], request.path_params["name"]
        path = self.releases / version / name
        if version.startswith(".") or name.startswith(".") or not path.is_file():
            raise ApiError(404, "not_found", f"no file {name!r} in release {version!r}",
                           "The landing page (/) lists the releases and their files.")
        return self.file(path)

    def file(self, path: Path, headers: dict[str, str] | None = None) -> Response:
        return FileResponse(path, media_type=mt.file_type(path.name), headers=headers)

    def site_file(self, name: str, headers: dict[str, str] | None = None) -> Response:
        path = self.site / name
        if not path.is_file():
            raise ApiError(404, "not_found", f"no {name} in {self.site}", "Run `kg build`: it writes the site.")
        return self.file(path, headers)

    async def page(self, request: Request) -> Response:
        name = {"/": "index.html", "/query": "query.html", "/ontology": "ontology.html"}[request.url.path]
        return self.site_file(name)

    async def reader(self, request: Request) -> Response:
        """``/read/<essay>`` (and ``/read/<essay>.html``): the essay's reader page."""
        name = request.path_params["name"].removesuffix(".html")
        path = self.site / "read" / f"{name}.html"
        if not name or name.startswith(".") or not path.is_file():
            raise ApiError(404, "not_found", f"no reader page for {name!r}",
                           "The reader pages are listed at /read/index.html (essays with a reading-order.txt).")
        return self.file(path)

    # --- --base-url: the dataset's IRIs resolved on this server ------------------------------
    def to_local(self, body: bytes) -> bytes:
        """``body`` with the dataset's IRIs (``base_iri``) made local (``--base-url``); unchanged without it."""
        if not self.options.base_url:
            return body
        return body.replace(self.config.base_iri.encode(), self.options.base_url.encode())

    def to_dataset(self, query: str) -> str:
        """A query with local IRIs (``--base-url``) turned back into the dataset's."""
        if not self.options.base_url:
            return query
        return query.replace(self.options.base_url, self.config.base_iri)

    def local_iri(self, iri: str) -> str:
        return self.to_local(iri.encode()).decode()

    # --- not found: JSON for programs, an HTML page with suggestions for browsers -------------
    def suggestions(self, path: str, limit: int = 8) -> list[dict]:
        """Local resources whose path or label is close to the path asked for."""
        rest = path.split("/id/", 1)[-1].strip("/").removesuffix(".html")
        words = rest.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ").lower()
        by_path = difflib.get_close_matches(rest, list(self.names), n=limit, cutoff=0.6)
        lower = {}
        for p, label in self.names.items():
            lower.setdefault(label.lower(), p)
        by_label = [lower[m] for m in difflib.get_close_matches(words, list(lower), n=limit, cutoff=0.5)]
        by_word = [p for p in self.names if words and len(words) > 3 and words in self.names[p].lower()]
        seen: list[str] = []
        for p in by_path + by_label + by_word:
            if p not in seen:
                seen.append(p)
        return [{"href": "/id/" + p, "label": self.names[p], "path": "id/" + p} for p in seen[:limit]]

    def not_found_page(self, request: Request, message: str) -> Response:
        html = self.env.get_template("404.html").render(
            root="", site={"title": self.config.title, "base": self.config.base_iri}, message=message,
            suggestions=self.suggestions(request.url.path))
        return Response(html.encode(), status_code=404, media_type="text/html; charset=utf-8",
                        headers={"Vary": "Accept"})

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "triples": len(self.store), "data_triples": self.data_triples,
                             "triples_note": "triples: every triple /sparql serves, the dataset description "
                                             "included (what COUNT(*) counts); data_triples: the data alone "
                                             "(void:triples of the dataset)",
                             "workers": len(self.pool.workers), "workers_killed": self.pool.killed})


def create_app(config: Config, output: Path | None = None, options: ServeOptions | None = None) -> Starlette:
    """The ASGI app serving ``output`` (default ``config.output_dir``)."""
    state = App(config, output or config.output_dir, options or ServeOptions())

    @asynccontextmanager
    async def lifespan(_app: Starlette):  # noqa: ANN202
        await asyncio.gather(state.pool.start(), state.checker.start())
        try:
            yield
        finally:
            state.pool.close()
            state.checker.close()

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        if exc.status == 404 and wants_html(request.headers.get("accept")):
            return state.not_found_page(request, exc.message)
        headers = {**(exc.headers or {}), "Vary": "Accept"} if exc.status in (404, 406) else exc.headers
        return error_response(exc.status, exc.code, exc.message, exc.hint, headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404 and wants_html(request.headers.get("accept")):
            return state.not_found_page(request, f"nothing at {request.url.path}")
        headers = {**(exc.headers or {}), "Vary": "Accept"} if exc.status_code == 404 else exc.headers
        return error_response(exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"), str(exc.detail),
                              "The landing page (/) links everything this server offers.", headers)

    async def server_error(_request: Request, exc: Exception) -> Response:
        return error_response(500, "internal_error", f"{type(exc).__name__}: {exc}", "This is a bug; please report it.")

    site = SiteFiles(directory=state.site, html=True, check_dir=False)
    routes = [
        # every method reaches state.sparql, which answers 405 with Allow for the others
        Route("/sparql", state.sparql, methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
        Route("/id/{rest:path}", state.resource, methods=["GET"]),
        Route("/dumps/{name}", state.dump, methods=["GET"]),
        Route("/dumps/releases/{version}/{name}", state.release, methods=["GET"]),
        Route("/graph/{rest:path}", state.graph, methods=["GET"]),
        Route("/", state.page, methods=["GET"]),
        Route("/query", state.page, methods=["GET"]),
        Route("/ontology", state.page, methods=["GET"]),
        Route("/health", state.health, methods=["GET"]),
        Route("/read/{name}", state.reader, methods=["GET"]),
        Mount("/", app=site),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False,
                             allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["Accept", "Content-Type"],
                             expose_headers=["Content-Type", "Content-Length"])]
    middleware.append(Middleware(security_headers))
    if state.options.base_url:
        middleware.append(Middleware(local_iris, base_iri=config.base_iri, base_url=state.options.base_url))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={ApiError: api_error, HTTPException: http_error, 500: server_error})
    app.state.kg = state
    return app


def serve(config: Config, output: Path | None = None, options: ServeOptions | None = None) -> None:
    """Run the app with uvicorn until interrupted (the EDGE: binds a socket)."""
    import uvicorn

    options = options or ServeOptions()
    app = create_app(config, output, options)
    # h11 rather than httptools: httptools refuses a request line over ~80 KB with its own plain-text
    # 400, while with h11 and a large enough buffer the app itself answers an oversized GET with 413
    # in the one error shape (about 13% fewer requests/s on a trivial query; see docs/serving.md).
    uvicorn.run(app, host=options.host, port=options.port, log_level="warning", access_log=False,
                http="h11", h11_max_incomplete_event_size=max(4 * 1024 * 1024, options.max_request * 4),
                timeout_graceful_shutdown=2)


__all__ = ["ServeOptions", "create_app", "error_response", "serve"]
