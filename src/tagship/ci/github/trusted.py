"""GitHub's Trusted Publishing rules (tagship/ci/trusted.py): the job asks GitHub's token
service for its OIDC token; PyPI matches owner, repository, workflow file and environment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.trusted_publishing import github_oidc_token as oidc_token
from tagship.ci.github.claims import Publisher, mismatches, publisher_from_claims

if TYPE_CHECKING:
    from tagship.core.ci_run import CIRun

__all__ = ["expected", "mismatches", "oidc_token", "publisher_from_claims"]


def expected(
    owner: str,
    repository: str,
    workflow: str | None,
    environment: str | None,
    ci: CIRun,  # noqa: ARG001 - GitHub's publisher is all in the config
    /,
) -> Publisher:
    return Publisher(owner, repository, workflow or "", environment)
