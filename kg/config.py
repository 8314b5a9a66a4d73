"""One frozen configuration value, read and checked at the edge and passed down.

Settings come from ``kg.toml`` (table ``[kg]``) at the project root; ``SOURCE_DATE_EPOCH``, when set,
overrides the build date so that reproducible-build tooling can pin it. Nothing here is global.
"""
from __future__ import annotations

import datetime as _dt
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kg.errors import ConfigError
from kg.files import read_utf8
from kg.iris import is_http_iri

#: The base under which curated files write their IRIs; the build rewrites it to ``base_iri``.
CURATED_BASE = "https://w3id.org/arthur-kg/"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("base_iri", CURATED_BASE, "Base IRI of every published resource (must end with '/')."),
    Setting("title", "C. J. Arthur, 'The Revolution Betrayed': a knowledge graph", "Dataset title."),
    Setting(
        "description",
        "The persons, works, concepts, quotations and argument of C. J. Arthur's essay on Trotsky's "
        "The Revolution Betrayed, each anchored in the essay's text.",
        "Dataset description.",
    ),
    Setting("version", "0.1.0", "Version of the dataset (not of the software)."),
    Setting("license", "https://creativecommons.org/licenses/by/4.0/", "Licence IRI of the dataset."),
    Setting("creator", "The essay knowledge graph curators", "Name of the dataset's creator."),
    Setting("modified", "2026-11-25", "Build date written to the metadata (YYYY-MM-DD); "
            "SOURCE_DATE_EPOCH overrides it."),
    Setting("dump_base_url", "", "Where the dumps are downloadable; default: <base_iri>dumps/."),
    Setting("sparql_endpoint", "", "Public SPARQL endpoint to advertise (void:sparqlEndpoint)."),
    Setting("nanopub_key", "", "RSA private key file (relative to the project) that signs the claims' "
            "nanopublications; empty: they are published unsigned."),
    Setting("nanopub_signer", "", "IRI of who signs the nanopublications (npx:signedBy, e.g. an ORCID); "
            "default: the curators, <base_iri>id/agent/curators."),
    Setting("keywords", "linked data, knowledge graph", "Keywords of the dataset, separated by commas "
            "(the releases' CITATION.cff)."),
)


@dataclass(frozen=True)
class Config:
    root: Path
    base_iri: str = CURATED_BASE
    title: str = SETTINGS[1].default
    description: str = SETTINGS[2].default
    version: str = "0.1.0"
    license: str = SETTINGS[4].default
    creator: str = SETTINGS[5].default
    modified: str = "2026-11-25"
    dump_base_url: str = ""
    sparql_endpoint: str = ""
    nanopub_key: str = ""
    nanopub_signer: str = ""
    keywords: str = "linked data, knowledge graph"
    quiet: bool = field(default=False, compare=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def essays_dir(self) -> Path:
        return self.root / "data" / "essays"

    @property
    def ontology_dir(self) -> Path:
        return project_or_packaged(self.root, "ontology")

    @property
    def shapes_dir(self) -> Path:
        return project_or_packaged(self.root, "shapes")

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def dumps_url(self) -> str:
        return self.dump_base_url or self.base_iri + "dumps/"

    def with_(self, **changes: Any) -> "Config":
        return replace(self, **changes)


def packaged(name: str) -> Path:
    """The shipped copy of ``shapes/`` or ``ontology/``: the package data of an installed wheel
    (``kg/_data/<name>``, copied from the repository's folder when the wheel is built, see setup.py),
    else, in a source checkout, the repository's own folder: one copy of the truth."""
    here = Path(__file__).resolve().parent
    inside = here / "_data" / name
    return inside if inside.is_dir() else here.parent / name


def project_or_packaged(root: Path, name: str) -> Path:
    """``root/<name>`` when the project has it, else the shipped one (``packaged``). Something at
    that path that is not a folder (a file, a broken link) is the project's own and is named as
    broken when read, never replaced in silence by the shipped copy."""
    own = root / name
    return own if own.exists() or own.is_symlink() else packaged(name)


#: Settings whose (non-empty) value must be an http(s) IRI, as base_iri must.
IRI_SETTINGS = ("license", "dump_base_url", "sparql_endpoint", "nanopub_signer")


def _check(values: dict[str, Any], source: str) -> dict[str, Any]:
    known = {s.name for s in SETTINGS}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{source}: [kg] unknown setting {key!r}", hint=f"Known settings: {', '.join(sorted(known))}.")
        if not isinstance(value, str):
            raise ConfigError(f"{source}: [kg] {key} must be a string, not {type(value).__name__} {value!r}")
    base = values.get("base_iri", CURATED_BASE)
    if not is_http_iri(base) or not base.endswith("/"):
        raise ConfigError(f"{source}: base_iri {base!r} must be an http(s) IRI ending with '/'")
    for key in IRI_SETTINGS:
        if values.get(key) and not is_http_iri(values[key]):
            raise ConfigError(f"{source}: {key} {values[key]!r} must be an http(s) IRI (no spaces, quotes or <>)")
    if "modified" in values:
        try:
            _dt.date.fromisoformat(values["modified"])
        except ValueError:
            raise ConfigError(f"{source}: modified {values['modified']!r} is not a YYYY-MM-DD date") from None
    return values


#: The tables of ``kg.toml`` and who reads each: ``[kg]`` here (``load_config``), ``[link]``
#: ``kg.linker.settings.LinkSettings``, ``[serve]`` ``kg.options.ServeOptions``, ``[publish]``
#: ``kg.options.PublishOptions``; every one through ``read_table``.
TABLES = ("kg", "link", "serve", "publish")


def read_table(root: Path | str, table: str) -> tuple[Path, dict[str, Any]]:
    """Table ``table`` of ``<root>/kg.toml`` (empty when the file or the table is absent), with the
    file's path for messages. A file that does not parse, a table that is not a table and a table
    no command reads are each one ``ConfigError`` naming the file (exit 2)."""
    path = Path(root).resolve() / "kg.toml"
    if not (path.exists() or path.is_symlink()):
        return path, {}
    try:
        doc = tomllib.loads(read_utf8(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    for name, value in doc.items():
        if name not in TABLES:
            raise ConfigError(f"{path}: unknown table [{name}]", hint=f"Known tables: {', '.join(TABLES)}.")
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: '{name}' must be a table ([{name}]), not a {type(value).__name__}")
    return path, dict(doc.get(table, {}))


def typed_values(cls: type, values: dict[str, Any], source: str, table: str) -> dict[str, Any]:
    """``values`` checked against the fields of the options dataclass ``cls``, each of the type of
    its default (an integer is taken where a number is: ``timeout = 5``). An unknown key or a value
    of another type is one ``ConfigError`` naming ``source`` and ``[table] key`` (exit 2)."""
    defaults = cls()
    known = [f.name for f in fields(cls)]
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{source}: [{table}] unknown setting {key!r}", hint=f"Known: {', '.join(sorted(known))}.")
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{source}: [{table}] {key} must be {_TYPE_NAMES.get(expected, expected.__name__)}, "
                              f"not {type(value).__name__} {value!r}")
        low, high = getattr(cls, "RANGES", {}).get(key, (None, None))
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"at least {low:g}" if high is None else f"between {low:g} and {high:g}"
            raise ConfigError(f"{source}: [{table}] {key} must be {bounds}, not {value!r}")
        choices = getattr(cls, "CHOICES", {}).get(key)
        if choices and value not in choices:
            raise ConfigError(f"{source}: [{table}] {key} must be one of {', '.join(choices)}, not {value!r}")
        out[key] = value
    return out


_TYPE_NAMES = {float: "a number", int: "a whole number", str: "a string", bool: "true or false"}


def load_options(cls: type, table: str, root: Path | str, overrides: dict[str, Any] | None = None) -> Any:
    """The options dataclass ``cls`` from table ``[table]`` of ``kg.toml``, then ``overrides`` (the
    command line's flags; ``None`` means not given): flag > kg.toml > the class's default."""
    path, values = read_table(root, table)
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    return replace(cls(), **{**typed_values(cls, values, str(path), table),
                             **typed_values(cls, given, "command line", table)})


def load_config(root: Path | str = ".", overrides: dict[str, Any] | None = None,
                environ: dict[str, str] | None = None) -> Config:
    """Read ``kg.toml`` under ``root`` (optional), apply ``overrides``, check every value."""
    root = Path(root).resolve()
    environ = os.environ if environ is None else environ
    path, values = read_table(root, "kg")
    values = _check({**values, **{k: v for k, v in (overrides or {}).items() if k != "quiet"}}, str(path))
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            values["modified"] = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
        except (ValueError, OverflowError, OSError):  # not a number, or a date past year 9999
            raise ConfigError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds "
                              "since 1970 giving a date before year 10000") from None
    quiet = bool((overrides or {}).get("quiet", False))
    names = {f.name for f in fields(Config)}
    return Config(root=root, quiet=quiet, **{k: v for k, v in values.items() if k in names})
