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
    quiet: bool = field(default=False, compare=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def essays_dir(self) -> Path:
        return self.root / "data" / "essays"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

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


#: Settings whose (non-empty) value must be an http(s) IRI, as base_iri must.
IRI_SETTINGS = ("license", "dump_base_url", "sparql_endpoint")
def _check(values: dict[str, Any], source: str) -> dict[str, Any]:
    known = {s.name for s in SETTINGS}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{source}: unknown setting {key!r}", hint=f"Known settings: {', '.join(sorted(known))}.")
        if not isinstance(value, str):
            raise ConfigError(f"{source}: setting {key!r} must be a string, not {type(value).__name__}")
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


def load_config(root: Path | str = ".", overrides: dict[str, Any] | None = None,
                environ: dict[str, str] | None = None) -> Config:
    """Read ``kg.toml`` under ``root`` (optional), apply ``overrides``, check every value."""
    root = Path(root).resolve()
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = root / "kg.toml"
    if path.exists() or path.is_symlink():
        try:
            table = tomllib.loads(read_utf8(path)).get("kg", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: 'kg' must be a table ([kg]), not a {type(table).__name__}")
        values = dict(table)
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
