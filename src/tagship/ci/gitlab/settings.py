"""The GitLab settings the release policy needs, read through REST v4 with a token that may
read the project (`read_api`): its default branch, protected tags and protected environments.

Shapes as GitLab documents them (docs.gitlab.com/api/protected_tags,
/api/protected_environments, /api/projects): a protected tag is `{name, create_access_levels}`
(`name` may be a wildcard), a protected environment `{name, deploy_access_levels,
required_approval_count, approval_rules: [{required_approvals, ...}]}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagship.adapters.http_rules import require_secure
from tagship.ci.gitlab.session import GitLabSession
from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.adapters.http import Http

# what reading the settings takes (a job's own token may not read them)
_NEED = "a GITLAB_TOKEN of a Maintainer with the read_api scope"


@dataclass(frozen=True)
class Denied:
    """A setting the token may not read (or the project was not found): what and how to fix."""

    message: str
    hint: str


@dataclass(frozen=True)
class ProtectedEnvironment:
    name: str
    approvals: int  # how many approvals a deployment needs (0: none)


@dataclass(frozen=True)
class Settings:
    """What doctor reads; each a Denied when the token may not read it."""

    default_branch: str | Denied | None
    protected_tags: tuple[str, ...] | Denied
    protected_environments: tuple[ProtectedEnvironment, ...] | Denied


def _approvals(entry: Mapping[str, Any]) -> int:
    rules = entry.get("approval_rules") or []
    by_rules = sum(int(r.get("required_approvals") or 0) for r in rules if isinstance(r, dict))
    return max(int(entry.get("required_approval_count") or 0), by_rules)


class GitLabSettings:
    """The project `path` on the server whose API is `api_url` (…/api/v4)."""

    def __init__(self, api_url: str, path: str, token: str, *, http: Http | None = None) -> None:
        # the host's own session: its bounded answers, its errors naming what the token needs
        self._session = GitLabSession(path, token, api_url=require_secure(api_url), http=http)

    def _get(self, suffix: str, what: str) -> Any:
        try:
            return self._session.json(
                "GET", suffix, f"reading {what}", _NEED, params={"per_page": 100}
            )
        except ServiceError as error:  # NotFoundError included: a project hidden from it
            return Denied(error.message, error.hint or "")

    def read(self) -> Settings:
        project = self._get("", "the project")
        branch = project if isinstance(project, Denied) else _text(project, "default_branch")
        tags = self._get("/protected_tags", "protected tags")
        if not isinstance(tags, Denied):
            tags = tuple(str(t.get("name")) for t in _entries(tags))
        environments = self._get("/protected_environments", "protected environments")
        if not isinstance(environments, Denied):
            environments = tuple(
                ProtectedEnvironment(str(e.get("name")), _approvals(e))
                for e in _entries(environments)
            )
        return Settings(branch, tags, environments)


def _entries(answer: Any) -> list[Mapping[str, Any]]:
    return [e for e in answer if isinstance(e, dict)] if isinstance(answer, list) else []


def _text(answer: Any, key: str) -> str | None:
    value = answer.get(key) if isinstance(answer, dict) else None
    return value if isinstance(value, str) else None
