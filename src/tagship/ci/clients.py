"""The host's API clients, built from the run: what the steps call to reach the host's API.

Each host names the module that builds its client (`CLIENT`, in its environment module);
it is imported only when a command talks to the host (githubkit takes ~0.3 s to import)."""

from __future__ import annotations

import time
from importlib import import_module
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.ci.api import HostClient
    from tagship.core.ci_run import CIRun
    from tagship.core.config import Config


class _Builder(Protocol):
    """What a host's CLIENT module provides."""

    def from_run(
        self, ci: CIRun, config: Config, /, *, command: str, permission: str
    ) -> HostClient: ...

    def for_repository(
        self, ci: CIRun, repository: str, token: str, /, *, sleep: Callable[[float], None]
    ) -> HostClient: ...


def _builder(ci: CIRun) -> _Builder:
    """The client module of the run's host, else the host whose token was set, else the
    first host."""
    from tagship.ci import HOSTS  # noqa: PLC0415 - the package imports this module's users

    name = ci.host or ci.api_host
    host = next((h for h in HOSTS if name == h.HOST), HOSTS[0])
    return cast("_Builder", import_module(host.CLIENT))


def host_client(ci: CIRun, config: Config, *, command: str, permission: str) -> HostClient:
    """The host's API client for the configured repository; ConfigError naming what is
    missing (a token, the repository). `permission`: what the token needs, for the hint."""
    return _builder(ci).from_run(ci, config, command=command, permission=permission)


def repository_client(
    ci: CIRun, repository: str, *, sleep: Callable[[float], None] = time.sleep
) -> HostClient | None:
    """A client for `repository` (owner/name) with the run's token; None without a token."""
    if ci.token is None:
        return None
    return _builder(ci).for_repository(ci, repository, ci.token, sleep=sleep)
