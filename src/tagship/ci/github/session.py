"""The HTTP side of the GitHub adapter: the client, bounded retries, one-line errors.

Base URL and token from the CI run (environment.py reads GITHUB_API_URL, for GitHub Enterprise
and test servers, and GITHUB_TOKEN or GH_TOKEN). Rate limits and 5xx answers are retried a
bounded number of times; the sleep and the clock are injected so tests never wait.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, TypeVar

from typing_extensions import Self

from tagship.adapters.http_rules import require_secure
from tagship.ci.api import NotFoundError
from tagship.core.answers import GITHUB_ANSWER
from tagship.core.errors import ConfigError, ServiceError, TagshipError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from githubkit import GitHub
    from githubkit.response import Response
    from pydantic import ValidationError

    from tagship.core.ci_run import CIRun
    from tagship.core.config import Config

T = TypeVar("T")
S = TypeVar("S", bound="GitHubSession")
DEFAULT_API_URL = "https://api.github.com"
_UPLOADS_URL = "https://uploads.github.com"  # where github.com's releases take their assets
_LISTED = 100_000  # the most validation problems gathered to show the first few


def _problems(exc: ValidationError) -> str:
    """`: 0.id: Field required; ...; and N more problems`: the first few, and how many more.
    Past _LISTED problems only their count: listing them would cost more than they did."""
    count = exc.error_count()
    if count > _LISTED:
        return f" ({count} problems)"
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    shown = [f"{'.'.join(map(str, e['loc'])) or 'the answer'}: {e['msg']}" for e in errors[:3]]
    more = f"; and {count - len(shown)} more problems" if count > len(shown) else ""
    return ": " + "; ".join(shown) + more


def _own_origins(base_url: str) -> frozenset[tuple[str, str, int]]:
    """Where the token may go: the API's origin, and on github.com its upload host (GitHub
    Enterprise serves uploads under the API's own origin)."""
    from tagship.adapters.http_guard import origin  # noqa: PLC0415 - imports httpx

    api = origin(base_url)
    if api == origin(DEFAULT_API_URL):
        return frozenset({api, origin(_UPLOADS_URL)})
    return frozenset({api})


class GitHubSession:
    """A githubkit client for one repository, and the chokepoint every call goes through."""

    def __init__(
        self,
        owner: str,
        repository: str,
        token: str,
        *,
        base_url: str = DEFAULT_API_URL,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        attempts: int = 4,
        max_wait: float = 90.0,
    ) -> None:
        from githubkit import GitHub  # noqa: PLC0415 - heavy; only commands that talk to GitHub

        from tagship.adapters.http_guard import (  # noqa: PLC0415 - imports httpx
            bound_answers,
            credentials_only_to,
            json_answers,
            judge_hop,
        )

        self.owner, self.repo = owner, repository
        try:
            self.base_url = require_secure(base_url).rstrip("/")
        except ConfigError as exc:
            # the token would travel in clear text
            raise ConfigError(
                f"GitHub API URL: {exc.message}", hint="set GITHUB_API_URL to an https:// URL"
            ) from None
        self._sleep, self._clock = sleep, clock
        self._attempts, self._max_wait = attempts, max_wait
        # our own bounded retry below replaces githubkit's; the HTTP cache would hide updates;
        # every hop judged and every answer bounded as Http's are (adapters/http_guard.py)
        self._gh: GitHub[Any] = GitHub(
            token,
            base_url=self.base_url + "/",
            user_agent="tagship",
            timeout=30.0,
            auto_retry=False,
            http_cache=False,
            event_hooks={
                "request": [
                    judge_hop,
                    credentials_only_to(
                        _own_origins(self.base_url), hint="is GITHUB_API_URL a GitHub REST API?"
                    ),
                ],
                "response": [
                    bound_answers(GITHUB_ANSWER.max_bytes),
                    json_answers(GITHUB_ANSWER),
                ],
            },
        )

    @classmethod
    def from_run(
        cls,
        ci: CIRun,
        config: Config,
        *,
        command: str,
        permission: str,
        **kw: Any,
    ) -> Self:
        """A client for the configured repository; ConfigError naming what is missing."""
        token = ci.token
        if token is None:
            raise ConfigError(
                f"tagship {command} needs a GitHub token: set GITHUB_TOKEN or GH_TOKEN",
                hint=f"in a workflow: env GITHUB_TOKEN: ${{{{ github.token }}}} with "
                f"permissions {permission}; a classic token needs the `repo` scope",
            )
        if not config.github_owner or not config.github_repository:
            raise ConfigError(
                "cannot tell which GitHub repository this is",
                hint="set GITHUB_REPOSITORY=owner/name, [tool.tagship.github] owner and "
                "repository, or a GitHub `origin` remote",
            )
        base = ci.api_url or DEFAULT_API_URL
        return cls(config.github_owner, config.github_repository, token, base_url=base, **kw)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    # -- the retry and error chokepoint ----------------------------------------------------

    def _call(self, what: str, permission: str, request: Callable[[], T]) -> T:
        from githubkit.exception import (  # noqa: PLC0415
            RateLimitExceeded,
            RequestError,
            RequestFailed,
            RequestTimeout,
        )
        from pydantic import ValidationError  # noqa: PLC0415

        for attempt in range(1, self._attempts + 1):
            last = attempt == self._attempts
            try:
                return request()
            except RateLimitExceeded as exc:
                wait = self._rate_limit_wait(exc.response.headers)
                if last or wait > self._max_wait:
                    raise ServiceError(
                        f"GitHub rate limit hit while {what} (retry in {wait:.0f} s)",
                        hint="wait for the limit to reset, or use a token with a higher limit",
                    ) from None
                self._sleep(wait)
            except RequestFailed as exc:
                status = exc.response.status_code
                if status < 500 or last:  # noqa: PLR2004 - 5xx is GitHub's side: retry
                    raise self._failure(what, permission, exc.response) from None
                self._sleep(min(2.0 ** (attempt - 1), self._max_wait))
            except (RequestTimeout, RequestError) as exc:
                if isinstance(exc.exc, TagshipError):  # a hook's refusal: final, not retried
                    raise exc.exc from None
                if last:
                    cause = getattr(exc, "exc", exc)
                    raise ServiceError(
                        f"cannot reach GitHub at {self.base_url} while {what}: {cause}",
                        hint="check the network and GITHUB_API_URL",
                    ) from exc
                self._sleep(min(2.0 ** (attempt - 1), self._max_wait))
            except ValidationError as exc:
                raise ServiceError(
                    f"GitHub's answer while {what} does not have the documented shape"
                    + _problems(exc),
                    hint="is GITHUB_API_URL a GitHub REST API?",
                ) from None
        raise AssertionError  # pragma: no cover - the last attempt returns or raises

    def _rate_limit_wait(self, headers: Mapping[str, str]) -> float:
        retry_after = headers.get("retry-after")
        if retry_after is not None and retry_after.strip().isdigit():
            return float(retry_after)
        reset = headers.get("x-ratelimit-reset")
        if reset is not None and reset.strip().isdigit():
            return max(0.0, float(reset) - self._clock()) + 1.0
        return 60.0  # GitHub's advice when it says nothing

    def _failure(self, what: str, permission: str, response: Response[Any]) -> ServiceError:
        status = response.status_code
        try:
            message = str(response.json().get("message", "")).strip()
            # a 422 says what failed validation in `errors` ("tag_name was used by an
            # immutable release")
            details = response.json().get("errors")
            first = details[0] if isinstance(details, list) and details else None
            if isinstance(first, dict) and isinstance(first.get("message"), str):
                message = f"{message}: {first['message'].strip()}"[:300]
        except (ValueError, AttributeError):
            message = ""
        said = f" ({status}: {message})" if message else f" ({status})"
        accepted = response.headers.get("x-accepted-github-permissions") or permission
        scopes = response.headers.get("x-accepted-oauth-scopes")
        if scopes is not None and scopes.strip():
            has = response.headers.get("x-oauth-scopes", "").strip() or "none"
            need = f"the `{scopes.strip()}` scope (the token has: {has})"
        else:
            need = f"the {accepted} permission"
        if status == 401:  # noqa: PLR2004
            return ServiceError(
                f"GitHub rejected the token while {what}{said}",
                hint="GITHUB_TOKEN/GH_TOKEN is invalid or expired",
            )
        if status == 403:  # noqa: PLR2004
            return ServiceError(
                f"GitHub refused {what}{said}: the token lacks {need}",
                hint=f"grant {need} (workflow `permissions:`) or use a token that has it",
            )
        # 422 is GitHub's answer for a commit it does not know
        if status in (404, 422):
            return NotFoundError(
                f"GitHub found nothing while {what}{said}",
                hint=f"check that {self.full_name} exists and the token has {need}",
                need=need,
            )
        return ServiceError(f"GitHub failed while {what}{said}")

    def _repo_missing(self) -> ServiceError | None:
        """After a 404: the error when the repository itself is missing or hidden, else None."""
        try:
            self._call(
                f"reading {self.full_name}",
                "metadata: read",
                lambda: self._gh.request("GET", f"/repos/{self.owner}/{self.repo}"),
            )
        except NotFoundError as exc:
            return ServiceError(
                f"GitHub repository {self.full_name} not found, or the token lacks {exc.need}",
                hint="check GITHUB_REPOSITORY / [tool.tagship.github] and the token's access "
                "(a classic token needs the `repo` scope for private repositories)",
            )
        return None

    def _found(self, what: str, permission: str, request: Callable[[], T]) -> T | None:
        """`request`, or None when GitHub says it does not exist (in an existing repository)."""
        try:
            return self._call(what, permission, request)
        except NotFoundError:
            missing = self._repo_missing()
            if missing is not None:
                raise missing from None
            return None

    def _all(self, what: str, permission: str, pages: Callable[[], list[T]]) -> list[T]:
        # a retried listing starts again from the first page: a page never comes in twice
        result = self._found(what, permission, pages)
        if result is None:
            raise NotFoundError(f"GitHub found nothing while {what}")
        return result
