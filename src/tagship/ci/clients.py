"""The host's API clients, built from the run: what the steps call to reach the host's API
(githubkit, slow to import, only when a command talks to the host)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.ci.api import HostClient
    from tagship.core.ci_run import CIRun
    from tagship.core.config import Config


def host_client(ci: CIRun, config: Config, *, command: str, permission: str) -> HostClient:
    """The host's API client for the configured repository; ConfigError naming what is
    missing (a token, the repository). `permission`: what the token needs, for the hint."""
    # githubkit takes ~0.3 s to import: only commands that talk to the host pay it
    from tagship.ci.github.api import GitHubClient  # noqa: PLC0415

    return GitHubClient.from_run(ci, config, command=command, permission=permission)


def repository_client(
    ci: CIRun, repository: str, *, sleep: Callable[[float], None] = time.sleep
) -> HostClient | None:
    """A client for `repository` (owner/name) with the run's token; None without a token."""
    if ci.token is None:
        return None
    from tagship.ci.github.api import DEFAULT_API_URL, GitHubClient  # noqa: PLC0415

    owner, name = repository.split("/", 1)
    return GitHubClient(owner, name, ci.token, base_url=ci.api_url or DEFAULT_API_URL, sleep=sleep)
