"""The static site as a whole, so that every IRI a reader meets resolves on any static host: where
each of the dataset's IRIs lives in the site (``site_path``), the copies of the dumps and releases the
pages link to (``static_copies``), and the content-negotiation rules for common hosts
(``host_rules``: Apache ``.htaccess``, and ``_redirects``/``_headers`` for Netlify or Cloudflare
Pages), all derived from the one media-type table (``kg.mediatypes``)."""
from __future__ import annotations


from kg.iris import link_href, rel
from kg.mediatypes import FILE_TYPES, STATIC_ALTERNATES
from kg.jsontext import dumps as json_text

#: the files of output/ the site copies under ``site/dumps/`` (what the landing page links to)
NOT_COPIED = ("site/", "maps/", "nanopubs/", "SHA256SUMS", "validation-report.")


def site_path(iri: str, base_iri: str) -> str | None:
    """Where the dataset's IRI ``iri`` lives in the site (a path relative to the site root, with its
    fragment), or None when it is not one of the dataset's IRIs or has no page (a named graph)."""
    if not iri.startswith(base_iri):
        return None
    rest = iri[len(base_iri):]
    path, hash_, fragment = rest.partition("#")
    frag = hash_ + fragment
    if path.startswith("id/") and len(path) > 3:
        return f"{path}.html{frag}"
    if path == "ontology":
        return f"ontology.html{frag}"
    if path.startswith("dumps/") and len(path) > 6 and not frag:
        return path
    return None


def href(iri: str, base_iri: str, page: str, root: str | None = None) -> str | None:
    """The link a page at ``page`` (or whose way to the site root is ``root``, e.g. ``../..``) makes
    to ``iri``: relative for the dataset's own IRIs (so that it opens on the static site and on
    ``kg serve`` alike), the IRI itself for an external one, None for one a page must not link to
    (shown as text)."""
    local = site_path(iri, base_iri)
    if local is None:
        return link_href(iri)
    return f"{root}/{local}" if root is not None else rel(page, local)


def site_copy(name: str) -> str | None:
    """Where the site holds its copy of the published file ``name`` (None: it holds none)."""
    if "/" not in name and not name.startswith(NOT_COPIED) and name != "ontology.html":
        return "site/dumps/" + name
    return None


def static_copies(files: dict[str, bytes], releases: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` plus ``site/dumps/<name>`` for each published file the landing page lists (the dumps,
    the description, the ontology, the context, the exports) and ``site/dumps/releases/<v>/<name>``
    for each file of ``releases`` ({"<v>/<name>": bytes})."""
    out = dict(files)
    for name, data in files.items():
        if (copy := site_copy(name)) is not None:
            out[copy] = data
    for name, data in sorted(releases.items()):
        out["site/dumps/releases/" + name] = data
    return out


def host_rules() -> dict[str, bytes]:
    """Content negotiation and media types for static hosts, beside the pages: ``.htaccess``
    (Apache: the Accept header picks ``x.ttl``/``x.jsonld``/``x.nt``/``x.html`` for ``/id/…/x``),
    ``_redirects`` and ``_headers`` (Netlify, Cloudflare Pages: they cannot read Accept, so an
    extensionless IRI gives the page and the RDF is at the suffixed URL its ``Link`` header names)."""
    types = sorted((s, t) for s, t in FILE_TYPES.items() if s not in (".html",))
    ht = ["# Apache: content negotiation for the dataset's IRIs (written by kg build; see docs/serving.md)",
          "Options -MultiViews", "DirectoryIndex index.html", "ErrorDocument 404 /404.html"]
    ht += [f"AddType {t} {s}" for s, t in types]
    ht += ["<IfModule mod_headers.c>", '  Header append Vary "Accept"', "</IfModule>",
           "RewriteEngine On"]
    for m in STATIC_ALTERNATES:
        accepted = "|".join(a.replace("+", "\\+") for a in m.accepted if a != "text/plain")
        ht += [f"# {m.label}", f"RewriteCond %{{HTTP_ACCEPT}} ({accepted})",
               "RewriteCond %{HTTP_ACCEPT} !text/html",
               f"RewriteCond %{{DOCUMENT_ROOT}}/$1{m.suffix} -f",
               f"RewriteRule ^(id/.+|ontology)$ $1{m.suffix} [L]" if m.name == "turtle" else
               f"RewriteRule ^(id/.+)$ $1{m.suffix} [L]"]
    ht += ["# every other client (a browser): the page",
           "RewriteCond %{DOCUMENT_ROOT}/$1.html -f", "RewriteRule ^(id/.+|ontology|query)$ $1.html [L]", ""]
    red = ["# Netlify / Cloudflare Pages: the dataset's IRIs without a suffix (written by kg build)",
           "/ontology  /ontology.html  200", "/query  /query.html  200", "/id/*  /id/:splat.html  200", ""]
    hd = ["# Netlify / Cloudflare Pages: media types of the descriptions and dumps (written by kg build)",
          "/*", "  Vary: Accept"]
    for s, t in types:
        hd += [f"/*{s}", f"  Content-Type: {t}{'; charset=utf-8' if t.startswith('text/') else ''}"]
    hd.append("")
    return {".htaccess": "\n".join(ht).encode(), "_redirects": "\n".join(red).encode(),
            "_headers": "\n".join(hd).encode()}


def dataset_jsonld(meta, ds, config, creator: str) -> str:  # noqa: ANN001 - an rdflib Graph and node
    """The landing page's schema.org ``Dataset`` (JSON-LD, as Google Dataset Search reads it), from the
    dataset's VoID/DCAT description ``meta``; "" when there is none. Safe inside ``<script>``."""
    if ds is None:
        return ""
    from rdflib.namespace import DCAT, DCTERMS, OWL

    def one(p) -> str:  # noqa: ANN001
        v = meta.value(ds, p)
        return str(v) if v is not None else ""
    downloads = []
    for dist in sorted(meta.objects(ds, DCAT.distribution)):
        url, media = meta.value(dist, DCAT.downloadURL), meta.value(dist, DCTERMS.format)
        if url is not None:
            downloads.append({"@type": "DataDownload", "contentUrl": str(url),
                              "encodingFormat": str(media or "application/octet-stream")})
    doc = {
        "@context": "https://schema.org/", "@type": "Dataset", "@id": str(ds),
        "name": one(DCTERMS.title), "description": one(DCTERMS.description), "url": config.base_iri,
        "license": one(DCTERMS.license), "version": one(OWL.versionInfo), "dateModified": one(DCTERMS.modified),
        "keywords": [k.strip() for k in config.keywords.split(",") if k.strip()],
        "creator": {"@type": "Organization", "name": creator or config.creator},
        "isAccessibleForFree": True, "distribution": downloads,
    }
    return json_text(doc, sort_keys=True).replace("</", "<\\/")


def alternates(name: str) -> list[dict]:
    """A page's alternate links (``<link rel="alternate">`` and the format links): its description
    in each static format, beside it."""
    return [{"href": f"{name}{m.suffix}", "type": m.sent, "label": m.label} for m in STATIC_ALTERNATES]


__all__ = ["alternates", "host_rules", "href", "rel", "site_path", "static_copies"]
