"""EDGE: the linker's only door to the network, and its on-disk cache.

Being a good client: one ``requests.Session``; a descriptive User-Agent with a contact; a timeout
on every request; retries with exponential back-off on connection errors, timeouts, 429 and 5xx,
honouring ``Retry-After``; at most ``rate`` requests per second to one host; redirects followed
only within the same host; bodies larger than ``max_bytes`` refused.

The cache keeps every definitive answer (200, and 404 which means "no such record") as one JSON
file per URL, written atomically (temporary file + ``os.replace``) with the body's sha256. An entry
that does not parse or whose checksum fails is deleted and fetched again, never trusted. With
``offline`` only the cache is read. Every failure is a ``ServiceError`` naming the service and
the identifier it was about.
"""
from __future__ import annotations

import datetime as _dt
import email.utils
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from kg.errors import ServiceError
from kg.files import write_file
from kg.linker.settings import LinkSettings
from kg.options import timeout_message
from kg.version import __version__

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
CACHED_STATUS = frozenset({200, 404})
MAX_REDIRECTS = 5


def user_agent(contact: str) -> str:
    return (f"kg-linker/{__version__} (C. J. Arthur essay knowledge graph; {contact}) "
            f"python-requests/{requests.__version__}")


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    data: Any  # the parsed JSON (None for a 404 without JSON)
    fetched: str  # when the answer was fetched from the service (ISO date-time, UTC)
    from_cache: bool


class Cache:
    """One JSON file per URL under ``folder``; atomic writes; corrupt entries are dropped."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.corrupt = 0

    def path(self, url: str) -> Path:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.folder / key[:2] / f"{key}.json"

    def get(self, url: str) -> dict | None:
        path = self.path(url)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            raw = b""
        try:
            entry = json.loads(raw)
            body = entry["body"]
            ok = (entry["url"] == url and entry["status"] in CACHED_STATUS and isinstance(entry["fetched"], str)
                  and hashlib.sha256(body.encode("utf-8")).hexdigest() == entry["sha256"])
            if ok and entry["status"] == 200:
                json.loads(body)
        except (ValueError, KeyError, TypeError, AttributeError):
            ok = False
        if not ok:
            self.corrupt += 1
            path.unlink(missing_ok=True)
            return None
        return entry

    def put(self, url: str, status: int, body: str, fetched: str) -> None:
        entry = {"url": url, "status": status, "fetched": fetched,
                 "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(), "body": body}
        path = self.path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def canonical_url(url: str, params: dict[str, Any] | None = None) -> str:
    prepared = requests.Request("GET", url, params=sorted((params or {}).items())).prepare()
    return str(prepared.url)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return max(0.0, (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds())


class Client:
    """GET JSON from the services, through the cache."""

    def __init__(self, settings: LinkSettings, cache_dir: Path, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.cache = Cache(cache_dir)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent(settings.contact)
        self.session.headers["Accept"] = "application/json"
        self.sleep = sleep
        self.clock = clock
        self._next: dict[str, float] = {}
        self.requests = 0  # requests sent over the network (not answered from the cache)
        self.waits: list[float] = []  # back-off waits, for the curious and the tests

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------- public

    def get_json(self, service: str, ident: str, url: str, params: dict[str, Any] | None = None) -> Fetched:
        key = canonical_url(url, params)
        entry = self.cache.get(key)
        if entry is not None:
            data = json.loads(entry["body"]) if entry["status"] == 200 else _maybe_json(entry["body"])
            return Fetched(key, entry["status"], data, entry["fetched"], True)
        if self.settings.offline:
            raise ServiceError(f"{service}: {ident}: not in the cache, and --offline forbids fetching ({key})",
                               hint="Run `kg link` once online (or without --offline) to fill the cache.")
        status, body = self._fetch(service, ident, key)
        fetched = now_iso()
        if status == 200:
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise ServiceError(f"{service}: {ident}: invalid JSON in the answer ({exc}) from {key}") from None
        else:
            data = _maybe_json(body)
        self.cache.put(key, status, body, fetched)
        return Fetched(key, status, data, fetched, False)

    # -------------------------------------------------------------- network

    def _throttle(self, host: str) -> None:
        wait = self._next.get(host, 0.0) - self.clock()
        if wait > 0:
            self.sleep(wait)
        self._next[host] = max(self.clock(), self._next.get(host, 0.0)) + 1.0 / self.settings.rate

    def _fetch(self, service: str, ident: str, url: str) -> tuple[int, str]:
        s = self.settings
        where = f"{service}: {ident}"
        last = ""
        for attempt in range(1, s.attempts + 1):
            delay = s.backoff * 2 ** (attempt - 1)
            try:
                response = self._get_following(where, url)
            except requests.ConnectionError as exc:  # a connect time-out is one (and a requests.Timeout)
                last = timeout_message(exc, s.connect_timeout, s.read_timeout) or f"cannot connect ({_reason(exc)})"
            except requests.RequestException as exc:
                last = timeout_message(exc, s.connect_timeout, s.read_timeout) or \
                    f"request failed ({type(exc).__name__}: {exc})"
            else:
                if response[0] in RETRY_STATUS:
                    status, _body, after = response
                    last = f"HTTP {status}"
                    if after is not None:
                        if after > s.max_wait:
                            raise ServiceError(f"{where}: HTTP {status}, asked to retry after {after:g} s "
                                               f"(more than {s.max_wait:g} s); giving up on {url}")
                        delay = after
                else:
                    status, body, _after = response
                    if status in CACHED_STATUS:
                        return status, body
                    raise ServiceError(f"{where}: HTTP {status} from {url}")
            if attempt < s.attempts:
                delay = min(delay, s.max_wait)
                self.waits.append(delay)
                self.sleep(delay)
        raise ServiceError(f"{where}: {last} ({s.attempts} attempt{'s' if s.attempts > 1 else ''}) for {url}",
                           hint="The service may be down or unreachable; try again later, or use --offline "
                                "with what the cache holds.")

    def _get_following(self, where: str, url: str) -> tuple[int, str, float | None]:
        """One GET, following redirects only within the same host; returns status, body, Retry-After."""
        origin = urlsplit(url)
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            self._throttle(urlsplit(current).netloc)
            self.requests += 1
            with self.session.get(current, timeout=(self.settings.connect_timeout, self.settings.read_timeout), allow_redirects=False, stream=True) as r:
                if r.is_redirect:
                    target = urljoin(current, r.headers.get("Location", ""))
                    parts = urlsplit(target)
                    if parts.netloc != origin.netloc or (origin.scheme == "https" and parts.scheme != "https"):
                        to = "another host" if parts.netloc != origin.netloc else "plain http"
                        raise ServiceError(f"{where}: redirected from {origin.netloc} to {to} "
                                           f"({parts.scheme}://{parts.netloc}); not followed ({url})")
                    current = target
                    continue
                body = self._read(where, r, current)
                return r.status_code, body, retry_after(r.headers.get("Retry-After"))
        raise ServiceError(f"{where}: more than {MAX_REDIRECTS} redirects from {url}")

    def _read(self, where: str, r: requests.Response, url: str) -> str:
        limit = self.settings.max_bytes
        length = r.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            raise ServiceError(f"{where}: response of {int(length)} bytes is larger than the limit of {limit} ({url})")
        chunks: list[bytes] = []
        size = 0
        for chunk in r.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise ServiceError(f"{where}: response larger than the limit of {limit} bytes ({url})")
            chunks.append(chunk)
        raw = b"".join(chunks)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ServiceError(f"{where}: the answer is not UTF-8 text ({url})") from None


def _maybe_json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Failed to establish a new connection: ", "NameResolutionError", "Connection refused"):
        if marker in text:
            return text.split(marker, 1)[-1].strip(" ')\"") or marker
    return type(exc).__name__
