"""GitHub's API client built from the run (`ci/clients.py` dispatches here by host name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.ci.github.api import DEFAULT_API_URL, GitHubClient

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.ci.api import HostClient
    from tagship.core.ci_run import CIRun
    from tagship.core.config import Config


def from_run(ci: CIRun, config: Config, *, command: str, permission: str) -> HostClient:
    """The client for the configured repository; ConfigError naming what is missing."""
    return GitHubClient.from_run(ci, config, command=command, permission=permission)


def for_repository(
    ci: CIRun, repository: str, token: str, *, sleep: Callable[[float], None]
) -> HostClient:
    """A client for `repository` (owner/name) with `token`."""
    owner, name = repository.split("/", 1)
    return GitHubClient(owner, name, token, base_url=ci.api_url or DEFAULT_API_URL, sleep=sleep)
