"""EDGE: reads ontology/, shapes/, data/ and the essays' texts. Syntax errors become
``SourceSyntaxError`` with file, line and column; nothing else in the package reads files."""
from __future__ import annotations

import hashlib
import re
from base64 import b64decode
from binascii import Error as Base64Error
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from Crypto.PublicKey import RSA
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.config import Config
from kg.cookbook import load_cookbook
from kg.datatypes import lexical_error
from kg.errors import IllTypedError, MissingSourceError, Position, SourceError, SourceSyntaxError
from kg.validation.positions import SourceIndex, too_deep
from kg.files import decode_utf8, list_folder, read_bytes, read_utf8
from kg.tripleindex import indexed_graph
from kg.model import TEXT_NAME, EssaySource, Release, Sources, parse_index
from kg.reading import load_reading_order
from kg.shapes_policy import check_shapes


def _position(path: Path, exc: BadSyntax) -> Position:
    buf = exc._str
    if isinstance(buf, bytes):
        buf = buf.decode("utf-8", "replace")
    i = min(exc._i, len(buf))
    line = buf.count("\n", 0, i) + 1
    column = i - (buf.rfind("\n", 0, i) + 1) + 1
    return Position(path, line, column)


#: How deep ``[ ]`` and ``( )`` may nest in a source file: far more than curated data needs, far less
#: than what makes recursive readers (ours, rdflib's, pySHACL's) run out of stack or time.
MAX_NESTING = 64


@dataclass(frozen=True)
class IllTyped:
    """A typed literal whose lexical form is not one of its datatype's, and where it is written."""

    position: Position
    subject: object
    predicate: URIRef
    literal: Literal
    reason: str

    def __str__(self) -> str:
        return f"{self.position}: {self.reason} (the object of {self.predicate.n3()})"


def parse_turtle(path: Path, graph: Graph | None = None, text: str | None = None,
                 ill_typed: list[IllTyped] | None = None) -> Graph:
    """Parse one Turtle file into ``graph`` (a new one by default). The file must be Turtle as the
    W3C grammar has it (pyoxigraph's strict parser checks it and names the line and column of the
    first error); files that pyoxigraph reads differently from rdflib are then read by rdflib.
    Every typed literal must have a lexical form of its datatype (``kg.datatypes``): one that has not
    is an ``IllTypedError`` (exit 1) with its place, or is appended to ``ill_typed`` when given."""
    graph = indexed_graph() if graph is None else graph
    if text is None:
        text = read_utf8(path)
    deep = too_deep(text, MAX_NESTING)
    if deep is not None:
        raise SourceError(f"{path}:{deep[0]}:{deep[1]}: [ ] or ( ) nested deeper than {MAX_NESTING} levels",
                          hint="Curated data never needs such nesting: give the inner nodes IRIs.")
    base = path.resolve().as_uri()
    if not _parse_fast(path, text, base, graph, ill_typed):
        try:
            graph.parse(data=text, format="turtle", publicID=base)
        except BadSyntax as exc:
            raise SourceSyntaxError(_position(path, exc), exc._why or "bad syntax") from None
        except Exception as exc:  # noqa: BLE001 - rdflib raises plain errors for some bad terms
            raise SourceSyntaxError(Position(path, 1, 1), f"{type(exc).__name__}: {exc}") from None
    if "rest" in text and _list_cycle(graph):
        line, column = _rest_cycle_place(path, text)
        raise SourceError(f"{path}:{line}:{column}: an RDF list whose rdf:rest leads back into itself (it never ends)")
    return graph


def _list_cycle(graph: Graph) -> bool:
    """Whether following rdf:rest from some node comes back to a node already on the way."""
    done: set = set()
    for start in set(graph.subjects(RDF.rest)):
        seen = set()
        node = start
        while node is not None and node != RDF.nil and node not in done:
            if node in seen:
                return True
            seen.add(node)
            node = graph.value(node, RDF.rest, any=True)
        done |= seen
    return False


def _rest_cycle_place(path: Path, text: str) -> tuple[int, int]:
    """Where the rdf:rest that closes a loop is written (the first rdf:rest when it cannot be told)."""
    index = SourceIndex()
    index.add_file(path, text)
    rests = [st for st in index.all_statements() if st.predicate == RDF.rest]
    nxt = {st.subject: st for st in rests}
    for st in rests:
        seen = {st.subject}
        step = st
        while step is not None:
            if step.object in seen:
                return step.object_at.line, step.object_at.column
            seen.add(step.object)
            step = nxt.get(step.object)
    return (rests[0].at.line, rests[0].at.column) if rests else (1, 1)


_OX_POSITION = re.compile(r"^Parser error at line \d+ (?:between columns \d+ and \d+|column \d+): ")


def _ox_syntax_error(path: Path, exc: SyntaxError, text: str) -> SourceSyntaxError:
    """pyoxigraph's syntax error as ours: its line and column (1-based, in characters) and reason.
    An error at the end of the file (a statement cut short) is shown where the text stops, not on
    the empty line after it."""
    line, column = exc.lineno or 1, exc.offset or 1
    body = text.rstrip()
    last = body.count("\n") + 1
    if line > last or (line == last and column > len(body) - body.rfind("\n")):
        line, column = last, len(body) - body.rfind("\n")
    reason = _OX_POSITION.sub("", str(exc.msg or exc)).strip() or "bad syntax"
    return SourceSyntaxError(Position(path, line, column), reason)


#: What pyoxigraph reads differently from rdflib: it lower-cases language tags and makes
#: ``"x"^^xsd:string`` the plain literal "x" (rdflib keeps both apart). Files with either go to rdflib.
_RDFLIB_ONLY = re.compile(r"""["']@[A-Za-z0-9-]*[A-Z]|\^\^\s*(?:[A-Za-z][\w.-]*:string\b|<[^>]*XMLSchema#string>)""")
_PREFIX_DECL = re.compile(r"(?:@prefix|(?<![\w@])PREFIX)\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _parse_fast(path: Path, text: str, base: str, graph: Graph, ill_typed: list[IllTyped] | None = None) -> bool:
    """Parse with pyoxigraph (about 10x faster than rdflib's Turtle parser) into ``graph``: the same
    triples and prefix bindings as rdflib's parser. A syntax error is raised with pyoxigraph's line
    and column; False, with ``graph`` untouched, when the file has something pyoxigraph reads
    differently (``_RDFLIB_ONLY``): rdflib reads it."""
    try:
        parser = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=base)
        quads = list(parser)
        prefixes = dict(parser.prefixes)
    except SyntaxError as exc:
        raise _ox_syntax_error(path, exc, text) from None
    except ValueError as exc:
        raise SourceSyntaxError(Position(path, 1, 1), str(exc)) from None
    bad = _ill_typed(path, text, quads)
    if bad and ill_typed is None:
        raise IllTypedError([str(b) for b in bad])
    if bad:
        ill_typed.extend(bad)
    if _RDFLIB_ONLY.search(text):
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


def _ill_typed(path: Path, text: str, quads: list) -> list[IllTyped]:
    """The typed literals of ``quads`` (pyoxigraph's) that are ill-typed, each with its place."""
    seen: dict = {}
    bad = []
    for q in quads:
        o = q.object
        if not isinstance(o, ox.Literal) or o.language:
            continue
        key = (o.value, o.datatype.value)
        if key not in seen:
            seen[key] = lexical_error(*key)
        if seen[key] is not None:
            bad.append((q, seen[key]))
    if not bad:
        return []
    index = SourceIndex()
    index.add_file(path, text)
    places = {}
    for st in index.all_statements():
        if isinstance(st.object, Literal) and st.object.datatype is not None:
            places.setdefault((str(st.object), str(st.object.datatype)), []).append(st.object_at)
    out = []
    for q, reason in bad:
        o = q.object
        as_read = Literal(o.value, datatype=URIRef(o.datatype.value))  # as rdflib (and the reader) normalise it
        at = places.get((str(as_read), o.datatype.value))
        place = at.pop(0) if at and len(at) > 1 else at[0] if at else None
        if place is None:  # the position reader missed it: the first line holding the lexical form
            line = next((n for n, t in enumerate(text.splitlines(), 1) if o.value in t), 1)
            position = Position(path, line, 1)
        else:
            position = Position(path, place.line, place.column)
        subject = URIRef(q.subject.value) if isinstance(q.subject, ox.NamedNode) else BNode()
        out.append(IllTyped(position, subject, URIRef(q.predicate.value),
                            Literal(o.value, datatype=URIRef(o.datatype.value), normalize=False), reason))
    return sorted(out, key=lambda b: (b.position.line, b.position.column))


def parse_files(paths: list[Path] | tuple[Path, ...], ill_typed: list[IllTyped] | None = None) -> Graph:
    graph = indexed_graph()
    for path in paths:
        parse_turtle(path, graph, ill_typed=ill_typed)
    return graph


def parse_shapes(paths: list[Path] | tuple[Path, ...]) -> Graph:
    """Shapes files, each checked for SPARQL that may not run (``kg.shapes_policy``: no SERVICE, no
    update); a refused query is named at its file and line."""
    graph = Graph()
    for path in paths:
        text = read_utf8(path)
        # the first file is read into the graph and checked there (it holds only that file's triples;
        # a refused query raises before the graph is returned): one parse fewer for the usual one file
        one = parse_turtle(path, graph, text) if not len(graph) else parse_turtle(path, text=text)

        def at(_s, _p, o, path=path, text=text) -> str | None:  # noqa: ANN001
            first = str(o).strip().splitlines()[0] if str(o).strip() else ""
            first = re.split(r"[\\\"']", first)[0]  # up to what the file may write escaped
            i = text.find(first) if len(first) >= 6 else -1
            return None if i < 0 else str(Position(path, text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i)))

        check_shapes(one, str(path), at)
        if one is not graph:
            parse_turtle(path, graph, text)  # as parse_files does: the same triples and prefixes
    return graph


def turtle_files(folder: Path) -> tuple[Path, ...]:
    return list_folder(folder, ".ttl")


def read_text(path: Path) -> tuple[str, str]:
    """The text of an essay and its sha256; the text must be UTF-8."""
    raw = read_bytes(path, hint=f"Each essay folder needs its text as {TEXT_NAME}.")
    return decode_utf8(path, raw), hashlib.sha256(raw).hexdigest()


#: An essay's id is its folder's name and becomes part of IRIs (the essay's graph, its text).
ESSAY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def load_essay(folder: Path, ill_typed: list[IllTyped] | None = None, lazy: bool = False) -> EssaySource:
    """The essay of ``folder``; with ``lazy``, its Turtle files are parsed and checked when its graph
    is first asked for (``EssaySource.graph``): a build that finds the essay's enrichment in its cache,
    under a key of these files' bytes, never asks (the same bytes parsed and passed every check when
    the entry was made), and a file that does not parse stops the build there with the same error.
    Lazy, its ill-typed literals are appended to ``ill_typed`` when it is parsed (``kg validate``'s
    process that enriches the essays parses them there, and sends them back)."""
    if not ESSAY_ID.fullmatch(folder.name):
        raise SourceError(f"{folder}: an essay folder's name becomes part of IRIs: use letters, digits, "
                          "'-', '_' and '.' only (no spaces)")
    files = turtle_files(folder)
    if not files:
        raise MissingSourceError(f"{folder}: no .ttl file in this essay folder",
                                 hint="An essay folder holds the curated Turtle files and source.txt.")
    text, digest = read_text(folder / TEXT_NAME)

    def graph() -> Graph:
        parsed = parse_files(files, ill_typed)
        if not len(parsed):
            raise MissingSourceError(f"{folder}: its .ttl files hold no statement",
                                     hint="An essay folder holds the curated Turtle files and source.txt.")
        return parsed
    return EssaySource(folder.name, folder, text, digest, files, graph if lazy else graph(),
                       load_reading_order(folder, text))


def essay_folders(essays_dir: Path) -> list[Path]:
    """The essay folders of ``essays_dir`` (hidden ones left out); a broken symbolic link among them is
    an error, not a folder skipped in silence."""
    try:
        entries = sorted(p for p in essays_dir.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        raise SourceError(f"{essays_dir}: cannot be listed ({exc.strerror})") from None
    for p in entries:
        if p.is_symlink() and not p.exists():
            raise SourceError(f"{p}: a broken symbolic link (or a loop) among the essay folders")
    folders = [p for p in entries if p.is_dir()]
    if not folders:
        raise MissingSourceError(f"{essays_dir}: no essay folders",
                                 hint="Curated essays live in data/essays/<essay-id>/.")
    return folders


def load_sources(config: Config, *, folders: list[Path] | None = None, ill_typed: list[IllTyped] | None = None,
                 data_only: bool = False, lazy: bool = False) -> Sources:
    """Everything a build reads. ``kg validate`` reads through here too: ``folders``, the essays to read
    (default: every essay folder); ``ill_typed``, where ill-typed literals are appended instead of
    raised; ``data_only``, only what is validated (the ontology, where there is an ontology/ folder,
    and the essays: no shapes, enrichments, cookbook, releases index or signing key); ``lazy``, each
    essay's Turtle parsed when first needed (``load_essay``)."""
    essays_dir = config.essays_dir
    if folders is None and not essays_dir.is_dir():
        why = "is not a folder" if essays_dir.exists() else "no such folder"
        raise MissingSourceError(f"{essays_dir}: {why}", hint="Curated essays live in data/essays/<essay-id>/.")
    folders = essay_folders(essays_dir) if folders is None else folders
    if data_only:
        ontology_files = turtle_files(config.ontology_dir) if config.ontology_dir.is_dir() else ()
        ontology = parse_files(ontology_files, ill_typed)
        return Sources(ontology, Graph(), tuple(load_essay(f, ill_typed, lazy) for f in folders), ontology_files, ())
    ontology_files = turtle_files(config.ontology_dir)  # a build needs the ontology and the shapes
    shapes_files = turtle_files(config.shapes_dir)
    if not shapes_files:
        raise MissingSourceError(f"{config.shapes_dir}: no .ttl file (the SHACL shapes the data are validated with)")
    return Sources(
        ontology=parse_files(ontology_files, ill_typed),
        shapes=parse_shapes(shapes_files),
        essays=tuple(load_essay(f, ill_typed, lazy) for f in folders),
        ontology_files=ontology_files,
        shapes_files=shapes_files,
        enrichments=load_enrichments(config.data_dir / "enrichments"),
        cookbook=tuple(load_cookbook(config.queries_dir)),
        releases=read_releases(config.root / "releases" / "index.json"),
        release_files=read_release_files(config.root / "releases"),
        nanopub_key=read_signing_key(config),
    )


def read_signing_key(config: Config) -> str:
    """The RSA private key of ``nanopub_key`` as nanopub keeps it (base64 DER, one line): a key file
    of ``np setup`` (``~/.nanopub/id_rsa``) or a PEM file; "" when no key is configured."""
    if not config.nanopub_key:
        return ""
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
    return read_bytes(path) if path.exists() or path.is_symlink() else b""


def read_release_files(folder: Path) -> dict[str, bytes]:
    """Every file of ``releases/<version>/`` as {"<version>/<name>": bytes} (none without the folder);
    a file that cannot be read is a ``SourceError`` naming it (``kg.files``)."""
    out: dict[str, bytes] = {}
    if folder.is_dir():
        for version in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for f in sorted(p for p in version.iterdir() if p.is_file() and not p.name.startswith(".")):
                out[f"{version.name}/{f.name}"] = read_bytes(f)
    return out


def read_releases(path: Path) -> tuple[Release, ...]:
    """The releases listed in ``releases/index.json`` (none when there is no index), newest first;
    a ``SourceError`` naming the file when it is not an index."""
    data = _read_optional(path)
    try:
        return parse_index(data)
    except (ValueError, TypeError, AttributeError) as exc:
        raise SourceError(f"{path}: not a releases index ({exc})",
                          hint="kg release writes this file; restore it from git.") from None


def load_enrichments(folder: Path) -> dict[str, Graph]:
    """``data/enrichments/<name>.ttl`` by name; an absent folder is no enrichment."""
    if not folder.is_dir():
        return {}
    return {path.stem: parse_turtle(path) for path in turtle_files(folder)}
