"""Trusted Publishing, host-neutral: the publisher an index matches, and what a host provides
to take part (its OIDC token for an audience, its claims read as a publisher, the differences
that explain a refusal). Each host's rules are its `TRUSTED` module (ci/github/trusted.py,
ci/gitlab/trusted.py); `rules_for` picks the run's host's."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from tagship.adapters.http import Http
    from tagship.core.ci_run import CIRun


@dataclass(frozen=True)
class Publisher:
    """A trusted publisher as registered on the index (or as the config expects it): GitHub's
    owner, repository and workflow file; GitLab's namespace, project and top-level pipeline
    file; and the environment, if the publisher names one."""

    owner: str
    repository: str
    workflow: str
    environment: str | None


class PublisherRules(Protocol):
    """What a host's TRUSTED module provides."""

    def oidc_token(self, audience: str, http: Http, ci: CIRun, /) -> str: ...

    def publisher_from_claims(self, claims: dict[str, Any], /) -> Publisher: ...

    def mismatches(self, actual: Publisher, expected: Publisher, /) -> list[str]: ...

    def expected(
        self,
        owner: str,
        repository: str,
        workflow: str | None,
        environment: str | None,
        ci: CIRun,
        /,
    ) -> Publisher: ...


def rules_for(ci: CIRun) -> PublisherRules:
    """The Trusted Publishing rules of the run's host (the first host outside a job)."""
    from tagship.ci import HOSTS  # noqa: PLC0415 - the package imports what uses this

    host = next((h for h in HOSTS if ci.host == h.HOST), HOSTS[0])
    return cast("PublisherRules", import_module(host.TRUSTED))
