"""Which index a publish record is for: its name and its normalised upload URL.

A record binds to the index it was made for, so that the audit of one index never accepts a
record of another (a `stage` record does not cover a file found on `prod`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tagship.core.errors import ConfigError
from tagship.core.official import normalise_host

if TYPE_CHECKING:
    from tagship.core.config import IndexConfig
    from tagship.core.ledger import Event

UPLOAD_URL = "upload-url"  # the publish record's detail naming the index's upload URL
_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=64)  # an audit normalises every publish record's URL, nearly all alike
def normalise_url(url: str) -> str:
    """An index URL as records name it: scheme in lower case, the host as a resolver reads it
    (core.official.normalise_host), no default port, a path ending in `/`. User info, query
    and fragment are dropped: they may hold credentials, and no record may."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigError(
            f"malformed index URL {url!r}: {exc}", hint="check the index's upload-url"
        ) from None
    if not parts.hostname:
        raise ConfigError(f"index URL {url!r} names no host", hint="write it as https://HOST/PATH")
    scheme = parts.scheme.lower()
    host = normalise_host(parts.hostname)
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host += f":{port}"
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{scheme}://{host}{path}"


def index_details(index: IndexConfig) -> dict[str, str]:
    """What a publish record adds to its details to name the index it was made for."""
    return {UPLOAD_URL: normalise_url(index.upload_url)}


def recorded_url(event: Event) -> str | None:
    """The normalised upload URL an event names; None when it names none (or a broken one)."""
    recorded = event.details.get(UPLOAD_URL)
    try:
        return None if recorded is None else normalise_url(recorded)
    except ConfigError:
        return None
