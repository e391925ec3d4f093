"""What every HTTP exchange is held to, whichever client sends it (`Http`, githubkit's).

httpx event hooks, so they see every hop of a redirect and every transport (a proxy from
the environment brings its own): each hop is judged as the configured URL is (https, or
plain http on loopback), a request that carries a body never follows a redirect, and an
answer's bytes are capped as they arrive. Answers are asked for without content coding: a
compressed one would unfold past any cap. Credentials never go on to another origin: httpx
drops Authorization on a redirect that leaves its origin (tests/test_hostile_http.py holds
it to that), and a client whose URLs come from its answers is kept to its own origins
(credentials_only_to).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from tagship.adapters.http_rules import LIMIT, request_secrets, require_secure
from tagship.adapters.secrets import scrub
from tagship.core.answers import json_excess
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tagship.core.answers import AnswerLimits

# LIMIT, a request extension, is the most bytes the final answer may have; None when the
# caller reads a bounded part of it itself (a download). Redirects copy it to the next hop.
_FROM = "tagship.redirected-from"  # set on a hop that answered with a redirect
_BODILESS = frozenset({"GET", "HEAD"})
_SHOWN = 200  # characters of a Location shown in a message
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _where(request: httpx.Request) -> str:
    return scrub(f"{request.method} {request.url}", request_secrets(request))


def refused(request: httpx.Request, why: str) -> ServiceError:
    """The refusal of an answer beyond its limits, naming the request."""
    return ServiceError(
        f"refusing the answer to {_where(request)}: {why}",
        hint="no genuine answer is that large: check that the URL is the right server's",
    )


def origin(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of `url`, the port spelled out."""
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)


def judge_hop(request: httpx.Request) -> None:
    """Request hook: the first hop and every redirect's, before any name is resolved."""
    request.headers["Accept-Encoding"] = "identity"
    came_from = request.extensions.get(_FROM)
    url = str(request.url)
    try:
        require_secure(url)
    except ConfigError as exc:
        if came_from is None:
            raise
        raise ConfigError(
            f"refusing to follow a redirect from {came_from} to {scrub(url, ())}: "
            "only https, or http on loopback, is allowed",
            hint="the server redirects to an insecure address: configure its https:// address",
        ) from exc


def credentials_only_to(
    origins: frozenset[tuple[str, str, int]], hint: str
) -> Callable[[httpx.Request], None]:
    """Request hook for a client whose URLs also come from its answers (githubkit follows
    a page's `Link: rel="next"`, uploads to a release's `upload_url`): a request that would
    carry the credentials to any other origin is refused."""

    def hook(request: httpx.Request) -> None:
        if "authorization" in request.headers and origin(str(request.url)) not in origins:
            raise ConfigError(
                f"refusing to send credentials to {scrub(str(request.url), ())}: "
                "it is not an address of the service they are for",
                hint=hint,
            )

    return hook


class _CappedStream(httpx.SyncByteStream):
    """An answer's bytes as they arrive, refused past `cap`."""

    def __init__(self, inner: httpx.SyncByteStream, cap: int, request: httpx.Request) -> None:
        self._inner, self._cap, self._request = inner, cap, request

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self._inner:
            seen += len(chunk)
            if seen > self._cap:
                raise refused(self._request, f"it is larger than {self._cap >> 20} MiB")
            yield chunk

    def close(self) -> None:
        self._inner.close()


def _no_redirect_with_a_body(response: httpx.Response) -> None:
    # an upload re-sent on a 307 goes wherever Location says: it is never followed
    request = response.request
    location = scrub(response.headers["location"], request_secrets(request))[:_SHOWN]
    raise ServiceError(
        f"{_where(request)} answered HTTP {response.status_code}, a redirect to {location}: "
        f"tagship never follows a redirect of a {request.method}",
        hint="configure the URL the server really takes it at",
    )


def bound_answers(default: int) -> Callable[[httpx.Response], None]:
    """Response hook: refuse a redirect of a request with a body, mark where a redirect
    comes from, and cap the answer at its request's LIMIT (`default` when it sets none;
    always `default` for a redirect's own body, which the client reads whole)."""

    def hook(response: httpx.Response) -> None:
        request = response.request
        redirect = response.has_redirect_location
        if redirect and request.method not in _BODILESS:
            _no_redirect_with_a_body(response)
        if redirect:
            request.extensions[_FROM] = str(request.url)
        cap = default if redirect else request.extensions.get(LIMIT, default)
        if cap is None:  # a download: its raw bytes, read up to its own limit
            return
        coding = response.headers.get("content-encoding", "identity").strip().lower()
        if coding not in ("", "identity"):
            raise ServiceError(
                f"{_where(request)} answered with Content-Encoding {coding[:_SHOWN]}, which "
                "tagship did not ask for (a compressed answer unfolds past any size limit)",
                hint="the server ignores `Accept-Encoding: identity`: report it to its operators",
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise refused(request, f"it is larger than {cap >> 20} MiB")
        if isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _CappedStream(response.stream, cap, request)

    return hook


def measure_json(response: httpx.Response, limits: AnswerLimits) -> None:
    """ServiceError naming the request when the answer, read as JSON, is beyond `limits`:
    measured before anything parses it."""
    excess = json_excess(response.content, limits)
    if excess is not None:
        raise refused(response.request, excess)


def answer_json(response: httpx.Response, limits: AnswerLimits) -> Any:
    """The answer's JSON once measured (measure_json); ValueError when it is not JSON."""
    measure_json(response, limits)
    return json.loads(response.content)


def json_answers(limits: AnswerLimits) -> Callable[[httpx.Response], None]:
    """Response hook for a client whose every answer is parsed as JSON (githubkit's): the
    answer is read, within its byte cap, and measured."""

    def hook(response: httpx.Response) -> None:
        if not response.has_redirect_location:
            response.read()
            measure_json(response, limits)

    return hook
