"""What every request and every hop is judged by, shared by the HTTP chokepoint (http.py)
and its hooks (http_guard.py): secure URLs, the answer-limit extension, a request's secrets."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tagship.adapters.secrets import scrub
from tagship.core.errors import ConfigError
from tagship.core.official import loopback_host, normalise_host

if TYPE_CHECKING:
    import httpx

# request extension: the most bytes the final answer may have (adapters/http_guard.py)
LIMIT = "tagship.answer-limit"


def malformed(url: str, why: str) -> ConfigError:
    return ConfigError(
        f"cannot use the URL {scrub(url, ())}: {why}", hint="write it as https://HOST[:PORT]/PATH"
    )


def require_secure(url: str) -> str:
    """HTTPS everywhere, plain HTTP only on loopback (local indexes and test servers); a URL
    that does not parse, names no host or an impossible port is a ConfigError too."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises for a port out of range or not a number
    except ValueError as exc:
        raise malformed(url, str(exc)) from None
    if not parts.hostname:
        raise malformed(url, "it names no host")
    if parts.scheme == "https":
        return url
    # the host as a resolver reads it: `http://2539978975/` is one of PyPI's addresses
    # a `%` escape reaches the resolver as written (httpx does not decode it): no loopback
    escaped = "%" in parts.hostname
    if parts.scheme == "http" and not escaped and loopback_host(normalise_host(parts.hostname)):
        return url
    raise ConfigError(
        f"refusing insecure URL {scrub(url, ())}: only https, or http on loopback, is allowed",
        hint="use the index's https:// address",
    )


def request_secrets(request: httpx.Request) -> frozenset[str]:
    """The credentials a request carried (its Authorization header, its URL's password):
    what a server's answer may echo."""
    found = {request.url.password or ""}
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    found.add(value)
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            pair = ""
        found |= {pair, pair.partition(":")[2]}
    return frozenset(s for s in found if s)
