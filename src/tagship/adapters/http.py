"""The one HTTP chokepoint: an httpx client with bounded, jittered retries.

Tests inject a transport or point URLs at local servers; nothing patches this module.
"""

from __future__ import annotations

import email.utils
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tagship.adapters.http_rules import LIMIT, malformed, request_secrets, require_secure
from tagship.adapters.secrets import scrub
from tagship.core.answers import INDEX_ANSWER
from tagship.core.durations import seconds
from tagship.core.errors import ConfigError, ServiceError
from tagship.core.printable import printable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    import httpx
    from typing_extensions import Self

    from tagship.core.answers import AnswerLimits

# request extension: the most bytes the final answer may have (adapters/http_guard.py)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts in all, exponential backoff with full jitter, per-try timeout."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    timeout: float = 60.0

    def backoff(self, attempt: int, rng: Callable[[], float]) -> float:
        delay: float = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return delay * (0.5 + rng() / 2)


_POLICY_VARIABLES = {
    "TAGSHIP_HTTP_ATTEMPTS": "attempts",
    "TAGSHIP_HTTP_BACKOFF": "base_delay",
    "TAGSHIP_HTTP_TIMEOUT": "timeout",
}


def _attempts(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{raw!r} is not a whole number >= 1")
    return value


def policy_from_env(env: Mapping[str, str]) -> RetryPolicy:
    """The default policy, tuned by TAGSHIP_HTTP_ATTEMPTS, _BACKOFF (s) and _TIMEOUT (s).

    ConfigError (exit 2) naming the variable for a value that is not usable: durations are
    checked as the command line's are (nan or inf would hang or crash a request).
    """
    values: dict[str, Any] = {}
    for variable, attribute in _POLICY_VARIABLES.items():
        raw = env.get(variable)
        if raw is None:
            continue
        try:
            if attribute == "attempts":
                values[attribute] = _attempts(raw)
            else:
                # a per-try timeout of 0 would fail every request; no delay between tries is fine
                values[attribute] = seconds(raw, positive=attribute == "timeout")
        except ValueError as exc:
            raise ConfigError(f"{variable}={exc}", hint=f"fix or unset {variable}") from None
    return RetryPolicy(**values)


def retry_after(response: httpx.Response, cap: float) -> float | None:
    """Seconds the server asked us to wait (Retry-After as seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (ValueError, TypeError):
            return None  # unreadable: the caller's own backoff applies
        seconds = when.timestamp() - time.time()
    return max(0.0, min(cap, seconds))


def response_excerpt(
    response: httpx.Response, limit: int = 200, secrets: Iterable[str] = ()
) -> str:
    """The start of a response's body on one line, for an error message, with the request's
    credentials and `secrets` masked (an index may echo the Authorization header it refused)
    and its terminal escapes neutralised."""
    shown = {*request_secrets(response.request), *secrets}
    return printable(scrub(" ".join(response.text.split()), shown))[:limit]


def _failure(method: str, url: str, exc: httpx.RequestError, attempts: int = 1) -> str:
    """`METHOD URL failed: Error: text`, with the failed request's credentials masked."""
    try:
        secrets = request_secrets(exc.request)
    except RuntimeError:  # raised before a request existed
        secrets = frozenset()
    after = f" after {attempts} attempts" if attempts > 1 else ""
    text = f"{method} {url} failed{after}: {type(exc).__name__}: {exc}".rstrip(": ")
    return scrub(text, secrets)


def _plain_http_only(request: httpx.Request) -> None:
    # a redirect from a loopback http index to https must not use the unverifying client
    if request.url.scheme != "http":
        raise ConfigError(
            f"refusing to follow a redirect from plain http to {request.url}",
            hint="configure the index's https:// address directly (a local pypiserver "
            "redirects unknown projects to pypi.org unless started with --disable-fallback)",
        )


def _https_only(request: httpx.Request) -> None:
    # a redirect must never downgrade an https exchange to plain http
    if request.url.scheme != "https":
        raise ConfigError(
            f"refusing to follow a redirect from https to {request.url}",
            hint="the index redirected to an insecure address; check its configuration",
        )


class Http:
    """Sends requests, retrying connection errors, timeouts, 5xx and 429 (not other 4xx)."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        user_agent: str = "tagship",
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._rng = rng
        self._transport = transport
        self._user_agent = user_agent
        self._clients: dict[str, httpx.Client] = {}
        self._deadline: float | None = None  # time.monotonic() past which no retry starts

    def _client(self, scheme: str) -> httpx.Client:
        """One client per scheme, made on first use: building the TLS context costs ~70 ms,
        which a run that only talks plain http to a loopback index need not pay."""
        import httpx  # noqa: PLC0415 - keep CLI start-up light

        from tagship.adapters.http_guard import bound_answers, judge_hop  # noqa: PLC0415

        if scheme not in self._clients:
            plain = scheme == "http"
            self._clients[scheme] = httpx.Client(
                transport=self._transport,
                timeout=self.policy.timeout,
                headers={"User-Agent": self._user_agent},
                follow_redirects=True,
                # no TLS happens on this client: the hook refuses any https request on it
                verify=not plain,
                event_hooks={
                    "request": [judge_hop, _plain_http_only if plain else _https_only],
                    "response": [bound_answers(INDEX_ANSWER.max_bytes)],
                },
            )
        return self._clients[scheme]

    @contextmanager
    def until(self, deadline: float) -> Iterator[None]:
        """Within, no pause between attempts runs past `deadline` (a time.monotonic() value):
        a wait's deadline bounds its requests' retries too (each request is still tried)."""
        before, self._deadline = self._deadline, deadline
        try:
            yield
        finally:
            self._deadline = before

    def _pause(self, seconds: float) -> bool:
        """Sleep before the next attempt; False, not sleeping, when that passes the deadline."""
        if self._deadline is not None and time.monotonic() + seconds > self._deadline:
            return False
        self._sleep(seconds)
        return True

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def request(
        self, method: str, url: str, *, limits: AnswerLimits = INDEX_ANSWER, **kwargs: Any
    ) -> httpx.Response:
        """The final response (any status), its body read up to `limits.max_bytes`;
        ServiceError when every attempt failed to connect or the body is larger."""
        extensions = {LIMIT: limits.max_bytes}
        return self._send(
            method,
            url,
            lambda client: client.request(method, url, extensions=extensions, **kwargs),
        )

    def download(self, url: str, into: IO[bytes], *, limit: int, **kwargs: Any) -> httpx.Response:
        """GET `url` into `into` in chunks: a 200's body as sent (no content coding, so no
        bomb unfolds), at most `limit` + 1 bytes, written anew on each attempt (a connection
        lost mid-body is retried like any other). The response, its body consumed."""
        headers = {**kwargs.pop("headers", {}), "Accept-Encoding": "identity"}

        def send(client: httpx.Client) -> httpx.Response:
            # the loop below stops past `limit`: the answer needs no other cap
            stream = client.stream("GET", url, headers=headers, extensions={LIMIT: None}, **kwargs)
            with stream as response:
                if response.status_code == 200:  # noqa: PLR2004
                    into.seek(0)
                    into.truncate()
                    written = 0
                    for chunk in response.iter_raw(_CHUNK):
                        into.write(chunk)
                        written += len(chunk)
                        if written > limit:
                            break
                return response

        return self._send("GET", url, send)

    def _send(
        self, method: str, url: str, send: Callable[[httpx.Client], httpx.Response]
    ) -> httpx.Response:
        """`send` on the client of the URL's scheme, retried (see the class)."""
        import httpx  # noqa: PLC0415

        require_secure(url)
        attempts = max(1, self.policy.attempts)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = send(self._client(urlsplit(url).scheme))
            except httpx.InvalidURL as exc:  # one that urlsplit accepted
                raise malformed(url, str(exc)) from None
            except httpx.TransportError as exc:
                if attempt == attempts or not self._pause(self.policy.backoff(attempt, self._rng)):
                    raise ServiceError(
                        _failure(method, url, exc, attempt),
                        hint="check that the server is up and reachable, then rerun",
                    ) from exc
                continue
            except httpx.TooManyRedirects as exc:
                raise ServiceError(
                    _failure(method, url, exc),
                    hint="the server redirects in a loop; check the URL and the server",
                ) from None
            except httpx.RequestError as exc:  # DecodingError: a Content-Encoding that lies
                raise ServiceError(
                    _failure(method, url, exc),
                    hint="the server sent a response that cannot be read; retry later or "
                    "report it to the server's operators",
                ) from None
            if response.status_code in RETRY_STATUSES and attempt < attempts:
                wait = retry_after(response, self.policy.max_delay)
                if self._pause(
                    wait if wait is not None else self.policy.backoff(attempt, self._rng)
                ):
                    continue
            return response

    def get(
        self, url: str, *, limits: AnswerLimits = INDEX_ANSWER, **kwargs: Any
    ) -> httpx.Response:
        return self.request("GET", url, limits=limits, **kwargs)
