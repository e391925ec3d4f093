"""GitLab's REST API v4 over tagship's HTTP chokepoint (adapters/http.py): the token's
header, the project's URL-encoded path, pages, bounded answers and errors that say what to fix.

GitLab takes a personal, project or group token in PRIVATE-TOKEN and the job's CI_JOB_TOKEN in
JOB-TOKEN (docs.gitlab.com/api/rest/authentication); a project is named by its id or its
URL-encoded path (`group%2Fsub%2Fproject`); listings are paged with `page`/`per_page` and the
`X-Next-Page` header (empty on the last page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tagship.adapters.http import Http, policy_from_env, response_excerpt
from tagship.ci.api import NotFoundError
from tagship.core.answers import GITHUB_ANSWER
from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import httpx

DEFAULT_API_URL = "https://gitlab.com/api/v4"
PER_PAGE = 100
MAX_ITEMS = 20_000  # the longest listing read: a server whose pages never end is refused
# GitLab's answers are bounded as GitHub's are: pages of 100 objects
ANSWER = GITHUB_ANSWER
_UNAUTHORIZED, _FORBIDDEN, _NOT_FOUND = 401, 403, 404
_OK_FROM, _OK_TO = 200, 300


class GitLabSession:
    """Requests to one GitLab project (`project`: group/sub/name) with one token."""

    def __init__(
        self,
        project: str,
        token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        job_token: bool = False,
        http: Http | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.project = project
        self.api_url = api_url.rstrip("/")
        self._headers = {"JOB-TOKEN" if job_token else "PRIVATE-TOKEN": token}
        self._token = token
        self._http = http or Http(policy_from_env(env or {}))

    @property
    def full_name(self) -> str:
        return self.project

    def url(self, path: str = "") -> str:
        """The project's API URL, `path` appended (each segment already quoted)."""
        return f"{self.api_url}/projects/{quote(self.project, safe='')}{path}"

    def send(self, method: str, path: str, what: str, need: str, **kwargs: Any) -> httpx.Response:
        """The answer to a request about the project; NotFoundError for a 404, ServiceError
        naming `need` (the role or scope) for 401/403, ServiceError for any other failure."""
        answer = self._http.request(
            method, self.url(path), limits=ANSWER, headers=self._headers, **kwargs
        )
        status = answer.status_code
        if _OK_FROM <= status < _OK_TO:
            return answer
        detail = response_excerpt(answer, secrets={self._token})
        if status == _NOT_FOUND:
            raise NotFoundError(
                f"GitLab knows no such thing when {what} in {self.project}: {detail}",
                hint=f"check the project path and that the token may read it ({need})",
                need=need,
            )
        if status in (_UNAUTHORIZED, _FORBIDDEN):
            raise ServiceError(
                f"GitLab refused {what} in {self.project} (HTTP {status})",
                hint=f"the token needs {need}; a job token reaches only what the project's "
                "CI/CD job token settings allow",
            )
        raise ServiceError(
            f"GitLab answered HTTP {status} when {what} in {self.project}: {detail}",
            hint="retry later; check CI_API_V4_URL if it names a stand-in or another server",
        )

    def json(self, method: str, path: str, what: str, need: str, **kwargs: Any) -> Any:
        from tagship.adapters.http_guard import answer_json  # noqa: PLC0415 - imports httpx

        answer = self.send(method, path, what, need, **kwargs)
        if not answer.content:
            return None
        try:
            return answer_json(answer, ANSWER)
        except ValueError:
            raise ServiceError(
                f"GitLab's answer when {what} in {self.project} is not JSON",
                hint="is CI_API_V4_URL a GitLab REST API (…/api/v4)?",
            ) from None

    def found(self, path: str, what: str, need: str, **kwargs: Any) -> Any:
        """The JSON at `path`, or None when GitLab answers 404."""
        try:
            return self.json("GET", path, what, need, **kwargs)
        except NotFoundError:
            return None

    def pages(self, path: str, what: str, need: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a listing (objects only), at most MAX_ITEMS."""
        items: list[dict[str, Any]] = []
        page = "1"
        while page:
            answer = self.send(
                "GET", path, what, need, params={**params, "per_page": PER_PAGE, "page": page}
            )
            from tagship.adapters.http_guard import answer_json  # noqa: PLC0415

            try:
                data = answer_json(answer, ANSWER)
            except ValueError:
                data = None
            if not isinstance(data, list):
                raise ServiceError(
                    f"GitLab's answer when {what} in {self.project} is not a list",
                    hint="is CI_API_V4_URL a GitLab REST API (…/api/v4)?",
                )
            items += [item for item in data if isinstance(item, dict)]
            if len(items) > MAX_ITEMS:
                raise ServiceError(
                    f"GitLab lists more than {MAX_ITEMS} items when {what} in {self.project}: "
                    "tagship reads no more",
                    hint="is CI_API_V4_URL a GitLab REST API?",
                )
            following = answer.headers.get("X-Next-Page", "")
            page = following if following.isdecimal() and following != page and data else ""
        return items


def text(raw: Mapping[str, Any], key: str, default: str = "") -> str:
    """A string field of an answer, `default` when absent or of another type."""
    value = raw.get(key)
    return value if isinstance(value, str) else default


def number(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
