"""The linker's settings: table ``[link]`` of ``kg.toml``, then command-line overrides. A frozen
value, passed down; the base URLs of the services are settings so that tests point them at a fake
server on loopback."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kg.config import load_options
from kg.errors import ConfigError
from kg.options import TIMEOUT_RANGE


@dataclass(frozen=True)
class LinkSettings:
    wikidata_api: str = "https://www.wikidata.org/w/api.php"
    viaf_url: str = "https://viaf.org/viaf"
    openlibrary_url: str = "https://openlibrary.org"
    contact: str = "https://w3id.org/arthur-kg/"
    rate: float = 1.0
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    attempts: int = 4
    backoff: float = 2.0
    max_wait: float = 120.0
    max_bytes: int = 32 * 1024 * 1024
    cache_dir: str = ".kg/link-cache"
    offline: bool = False

    RANGES = {"rate": (0.001, None), "connect_timeout": TIMEOUT_RANGE, "read_timeout": TIMEOUT_RANGE,
              "attempts": (1, None), "backoff": (0.0, None), "max_wait": (0.0, None), "max_bytes": (1, None)}

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
    "connect_timeout": "Seconds to open a connection to a service.",
    "read_timeout": "Seconds to wait for a service's answer to one request.",
    "attempts": "Attempts per request (the first included) on connection errors, timeouts, 429 and 5xx.",
    "backoff": "First back-off in seconds; doubled at each retry; Retry-After wins when given.",
    "max_wait": "Longest wait accepted (a longer Retry-After makes the request fail).",
    "max_bytes": "Largest response body read.",
    "cache_dir": "The persistent cache of answers (relative to the project root).",
    "offline": "Answer from the cache only; never reach a service.",
}


def load_link_settings(root: Path, overrides: dict[str, Any] | None = None) -> LinkSettings:
    """Read table ``[link]`` of ``<root>/kg.toml`` (optional) and apply ``overrides`` (the flags;
    ``None`` is not given), through the one kg.toml loader (``kg.config.load_options``)."""
    settings = load_options(LinkSettings, "link", root, overrides)
    for name in ("wikidata_api", "viaf_url", "openlibrary_url"):
        if not getattr(settings, name).startswith(("http://", "https://")):
            raise ConfigError(f"{Path(root).resolve() / 'kg.toml'}: [link] {name} must be an http(s) URL, "
                              f"not {getattr(settings, name)!r}")
    return settings
