"""EDGE: reads ontology/, shapes/, data/ and the essays' texts. Syntax errors become
``SourceSyntaxError`` with file, line and column; nothing else in the package reads files."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.config import Config
from kg.cookbook import load_cookbook
from kg.errors import MissingSourceError, Position, SourceError, SourceSyntaxError
from kg.reading import load_reading_order

TEXT_NAME = "source.txt"


@dataclass(frozen=True)
class EssaySource:
    """One essay: its id (the folder name), its text and its curated graph."""

    id: str
    folder: Path
    text: str
    sha256: str
    files: tuple[Path, ...]
    graph: Graph
    #: The reading order (reading-order.txt), optional: see kg.reading and docs/curation.md.
    reading: object = None

    @property
    def text_path(self) -> Path:
        return self.folder / TEXT_NAME


@dataclass(frozen=True)
class Sources:
    ontology: Graph
    shapes: Graph
    essays: tuple[EssaySource, ...]
    ontology_files: tuple[Path, ...]
    shapes_files: tuple[Path, ...]
    #: {name: graph} from data/enrichments/<name>.ttl (written by `kg link --enrich`), each
    #: published in its own named graph.
    enrichments: dict[str, Graph] = field(default_factory=dict)
    #: The cookbook (queries/*.rq) and the bytes of releases/index.json, which the site shows; read
    #: here, at the edge, so that the page renderer stays pure.
    cookbook: tuple = ()
    releases_index: bytes = b""
    #: The private key that signs the nanopublications (``nanopub_key``), base64 DER; "" unsigned.
    nanopub_key: str = field(default="", repr=False)

    @property
    def data_files(self) -> tuple[Path, ...]:
        return tuple(f for e in self.essays for f in e.files)


def _position(path: Path, exc: BadSyntax) -> Position:
    buf = exc._str
    if isinstance(buf, bytes):
        buf = buf.decode("utf-8", "replace")
    i = min(exc._i, len(buf))
    line = buf.count("\n", 0, i) + 1
    column = i - (buf.rfind("\n", 0, i) + 1) + 1
    return Position(path, line, column)


def parse_turtle(path: Path, graph: Graph | None = None, text: str | None = None) -> Graph:
    """Parse one Turtle file into ``graph`` (a new one by default)."""
    graph = Graph() if graph is None else graph
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise MissingSourceError(f"{path}: no such file") from None
        except UnicodeDecodeError as exc:
            raise SourceError(f"{path}: not UTF-8 (byte {exc.start})") from None
    base = path.resolve().as_uri()
    if _parse_fast(text, base, graph):
        return graph
    try:
        graph.parse(data=text, format="turtle", publicID=base)
    except BadSyntax as exc:
        raise SourceSyntaxError(_position(path, exc), exc._why or "bad syntax") from None
    except Exception as exc:  # rdflib raises plain errors for some bad terms (e.g. a bad IRI)
        raise SourceSyntaxError(Position(path, 1, 1), f"{type(exc).__name__}: {exc}") from None
    return graph


#: What pyoxigraph reads differently from rdflib: it lower-cases language tags and makes
#: ``"x"^^xsd:string`` the plain literal "x" (rdflib keeps both apart). Files with either go to rdflib.
_RDFLIB_ONLY = re.compile(r"""["']@[A-Za-z0-9-]*[A-Z]|\^\^\s*(?:[A-Za-z][\w.-]*:string\b|<[^>]*XMLSchema#string>)""")
_PREFIX_DECL = re.compile(r"(?:@prefix|(?<![\w@])PREFIX)\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _parse_fast(text: str, base: str, graph: Graph) -> bool:
    """Parse with pyoxigraph (about 10x faster than rdflib's Turtle parser) into ``graph``: the same
    triples and prefix bindings as rdflib's parser. False, with ``graph`` untouched, when the file has
    a syntax error (rdflib then parses it again to name the line and column) or something
    pyoxigraph reads differently (``_RDFLIB_ONLY``)."""
    if _RDFLIB_ONLY.search(text):
        return False
    import pyoxigraph as ox

    try:
        parser = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=base)
        quads = list(parser)
        prefixes = dict(parser.prefixes)
    except (SyntaxError, ValueError):
        return False
    cache: dict = {}

    def term(t):  # noqa: ANN001, ANN202
        hit = cache.get(t)
        if hit is None:
            if isinstance(t, ox.NamedNode):
                hit = URIRef(t.value)
            elif isinstance(t, ox.BlankNode):
                hit = BNode()  # a fresh node per label and file, as rdflib's parser makes
            elif t.language:
                hit = Literal(t.value, lang=t.language)
            elif t.datatype.value == _XSD_STRING:
                hit = Literal(t.value)
            else:
                hit = Literal(t.value, datatype=URIRef(t.datatype.value))
            cache[t] = hit
        return hit

    graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in quads)
    order = list(dict.fromkeys(m.group(1) or "" for m in _PREFIX_DECL.finditer(text)))
    for prefix in [*(p for p in order if p in prefixes), *(p for p in prefixes if p not in order)]:
        graph.bind(prefix, prefixes[prefix])  # as rdflib's parser does after parsing, in file order
    return True


def parse_files(paths: list[Path] | tuple[Path, ...]) -> Graph:
    graph = Graph()
    for path in paths:
        parse_turtle(path, graph)
    return graph


def parse_shapes(paths: list[Path] | tuple[Path, ...]) -> Graph:
    """Shapes files, each checked for SPARQL that may not run (``kg.shapes_policy``: no SERVICE, no
    update); a refused query is named at its file and line."""
    from kg.shapes_policy import check_shapes

    graph = Graph()
    for path in paths:
        one = parse_turtle(path)
        text = path.read_text(encoding="utf-8")

        def at(_s, _p, o, path=path, text=text) -> str | None:  # noqa: ANN001
            first = str(o).strip().splitlines()[0] if str(o).strip() else ""
            first = re.split(r"[\\\"']", first)[0]  # up to what the file may write escaped
            i = text.find(first) if len(first) >= 6 else -1
            return None if i < 0 else str(Position(path, text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i)))

        check_shapes(one, str(path), at)
        parse_turtle(path, graph, text)  # as parse_files does: the same triples and prefixes
    return graph


def turtle_files(folder: Path) -> tuple[Path, ...]:
    if not folder.is_dir():
        raise MissingSourceError(f"{folder}: no such folder")
    return tuple(sorted(folder.glob("*.ttl")))


def read_text(path: Path) -> tuple[str, str]:
    """The text of an essay and its sha256; the text must be UTF-8."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MissingSourceError(f"{path}: no such file", hint=f"Each essay folder needs its text as {TEXT_NAME}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 (byte {exc.start})") from None
    return text, hashlib.sha256(raw).hexdigest()


def load_essay(folder: Path) -> EssaySource:
    text, digest = read_text(folder / TEXT_NAME)
    files = turtle_files(folder)
    return EssaySource(folder.name, folder, text, digest, files, parse_files(files), load_reading_order(folder, text))


def load_sources(config: Config) -> Sources:
    essays_dir = config.essays_dir
    if not essays_dir.is_dir():
        raise MissingSourceError(f"{essays_dir}: no such folder", hint="Curated essays live in data/essays/<essay-id>/.")
    folders = sorted(p for p in essays_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise MissingSourceError(f"{essays_dir}: no essay folders")
    ontology_files = turtle_files(config.ontology_dir)
    shapes_files = turtle_files(config.shapes_dir)
    return Sources(
        ontology=parse_files(ontology_files),
        shapes=parse_shapes(shapes_files),
        essays=tuple(load_essay(f) for f in folders),
        ontology_files=ontology_files,
        shapes_files=shapes_files,
        enrichments=load_enrichments(config.data_dir / "enrichments"),
        cookbook=tuple(load_cookbook(config.queries_dir)),
        releases_index=_read_optional(config.root / "releases" / "index.json"),
        nanopub_key=read_signing_key(config),
    )


def read_signing_key(config: Config) -> str:
    """The RSA private key of ``nanopub_key`` as nanopub keeps it (base64 DER, one line): a key file
    of ``np setup`` (``~/.nanopub/id_rsa``) or a PEM file; "" when no key is configured."""
    if not config.nanopub_key:
        return ""
    from base64 import b64decode
    from binascii import Error as Base64Error

    from Crypto.PublicKey import RSA

    path = config.root / config.nanopub_key
    if not path.is_file():
        raise MissingSourceError(f"{path}: no such file (nanopub_key in kg.toml)",
                                 hint="Point nanopub_key at an RSA private key, or leave it empty to publish unsigned.")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    body = "".join(line.strip() for line in lines if not line.startswith("-----"))
    try:
        RSA.import_key(b64decode(body, validate=True))
    except (ValueError, IndexError, TypeError, Base64Error):
        raise SourceError(f"{path}: not an RSA private key (nanopub_key in kg.toml)",
                          hint="Use the id_rsa of `np setup` or a PEM RSA private key.") from None
    return body


def _read_optional(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


def load_enrichments(folder: Path) -> dict[str, Graph]:
    """``data/enrichments/<name>.ttl`` by name; an absent folder is no enrichment."""
    if not folder.is_dir():
        return {}
    return {path.stem: parse_turtle(path) for path in turtle_files(folder)}
