"""The GitLab settings the release policy needs, read through REST v4 with a token that may
read the project (`read_api`): its default branch, protected tags and protected environments.

Shapes as GitLab documents them (docs.gitlab.com/api/protected_tags,
/api/protected_environments, /api/projects): a protected tag is `{name, create_access_levels}`
(`name` may be a wildcard), a protected environment `{name, deploy_access_levels,
required_approval_count, approval_rules: [{required_approvals, ...}]}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tagship.adapters.http import Http
from tagship.adapters.http_rules import require_secure

if TYPE_CHECKING:
    from collections.abc import Mapping


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
        self._base = f"{require_secure(api_url).rstrip('/')}/projects/{quote(path, safe='')}"
        self._token = token
        self._http = http or Http()

    def _get(self, suffix: str, what: str) -> Any:
        response = self._http.get(
            f"{self._base}{suffix}",
            headers={"PRIVATE-TOKEN": self._token},
            params={"per_page": 100},
        )
        if response.status_code in (401, 403, 404):
            return Denied(
                f"GitLab answered {response.status_code} to reading {what}",
                "use a GITLAB_TOKEN of a Maintainer with the read_api scope (a job's own "
                "token may not read the settings)",
            )
        if response.status_code != 200:  # noqa: PLR2004
            return Denied(
                f"GitLab answered {response.status_code} to reading {what}",
                "try again; check the GitLab server's status",
            )
        try:
            return json.loads(response.content)
        except ValueError:
            return Denied(f"GitLab's answer about {what} is not JSON", "check the API URL")

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
