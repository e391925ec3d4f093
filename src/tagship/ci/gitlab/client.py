"""GitLab's API client built from the run (`ci/clients.py` dispatches here by host name)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tagship.ci.gitlab.api import GitLabClient
from tagship.ci.gitlab.environment import JOB_TOKEN
from tagship.ci.gitlab.session import DEFAULT_API_URL
from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.ci.api import HostClient
    from tagship.core.ci_run import CIRun
    from tagship.core.config import Config


def from_run(ci: CIRun, config: Config, *, command: str, permission: str) -> HostClient:
    """The client for the run's project (CI_PROJECT_PATH), else the configured one."""
    if ci.token is None:
        raise ConfigError(
            f"tagship {command} needs a GitLab token: set GITLAB_TOKEN, or run in a GitLab job "
            "(CI_JOB_TOKEN)",
            hint=f"a project or personal access token with the `api` scope ({permission})",
        )
    project = ci.repository
    if not project and config.github_owner and config.github_repository:
        project = f"{config.github_owner}/{config.github_repository}"
    if not project:
        raise ConfigError(
            "cannot tell which GitLab project this is",
            hint="set CI_PROJECT_PATH=group/project, or [tool.tagship.github] owner and repository",
        )
    return for_repository(ci, project, ci.token, sleep=time.sleep)


def for_repository(
    ci: CIRun,
    repository: str,
    token: str,
    *,
    sleep: Callable[[float], None],  # noqa: ARG001 - retries wait in adapters/http
) -> HostClient:
    """A client for project `repository` (group/sub/name) with `token`."""
    return GitLabClient(
        repository,
        token,
        api_url=ci.api_url or DEFAULT_API_URL,
        job_token=ci.token_source == JOB_TOKEN and token == ci.token,
    )
