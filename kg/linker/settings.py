"""The linker's settings: table ``[link]`` of ``kg.toml``, then command-line overrides. A frozen
value, passed down; the base URLs of the services are settings so that tests point them at a fake
server on loopback."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kg.errors import ConfigError


@dataclass(frozen=True)
class LinkSettings:
    wikidata_api: str = "https://www.wikidata.org/w/api.php"
    viaf_url: str = "https://viaf.org/viaf"
    openlibrary_url: str = "https://openlibrary.org"
    contact: str = "https://w3id.org/arthur-kg/"
    rate: float = 1.0
    timeout: float = 20.0
    attempts: int = 4
    backoff: float = 2.0
    max_wait: float = 120.0
    max_bytes: int = 32 * 1024 * 1024
    cache_dir: str = ".kg/link-cache"
    offline: bool = False

    def with_(self, **changes: Any) -> "LinkSettings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def cache_path(self, root: Path) -> Path:
        return (root / self.cache_dir).resolve()


#: What each setting of ``[link]`` means (``kg settings`` prints it).
HELP = {
    "wikidata_api": "Wikidata's API (the tests point it at a fake server on loopback).",
    "viaf_url": "VIAF's base URL.",
    "openlibrary_url": "Open Library's base URL.",
    "contact": "Who to contact about our traffic; goes into the User-Agent (Wikimedia's policy asks for one).",
    "rate": "Requests per second to one host, at most.",
    "timeout": "Seconds to connect and to wait for a response.",
    "attempts": "Attempts per request (the first included) on connection errors, timeouts, 429 and 5xx.",
    "backoff": "First back-off in seconds; doubled at each retry; Retry-After wins when given.",
    "max_wait": "Longest wait accepted (a longer Retry-After makes the request fail).",
    "max_bytes": "Largest response body read.",
    "cache_dir": "The persistent cache of answers (relative to the project root).",
    "offline": "Answer from the cache only; never reach a service.",
}


def load_link_settings(root: Path, overrides: dict[str, Any] | None = None) -> LinkSettings:
    """Read table ``[link]`` of ``<root>/kg.toml`` (optional) and apply ``overrides``."""
    values: dict[str, Any] = {}
    path = root / "kg.toml"
    if path.exists():
        try:
            values = dict(tomllib.loads(path.read_text(encoding="utf-8")).get("link", {}))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    types = {f.name: f.type for f in fields(LinkSettings)}
    defaults = LinkSettings()
    for key, value in values.items():
        if key not in types:
            raise ConfigError(f"{path}: [link]: unknown setting {key!r}", hint=f"Known: {', '.join(sorted(types))}.")
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
            values[key] = value
        if not isinstance(value, expected):
            raise ConfigError(f"{path}: [link]: {key} must be a {expected.__name__}, not {type(value).__name__}")
    settings = defaults.with_(**values).with_(**(overrides or {}))
    for name in ("wikidata_api", "viaf_url", "openlibrary_url"):
        if not getattr(settings, name).startswith(("http://", "https://")):
            raise ConfigError(f"[link] {name} must be an http(s) URL, not {getattr(settings, name)!r}")
    if settings.rate <= 0 or settings.timeout <= 0 or settings.attempts < 1:
        raise ConfigError("[link] rate and timeout must be positive and attempts at least 1")
    return settings
