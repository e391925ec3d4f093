"""The GitHub OIDC claims PyPI matches a trusted publisher against, and what to fix."""

from __future__ import annotations

import base64
import json
from typing import Any

from tagship.ci.trusted import Publisher

__all__ = ["Publisher", "decode_claims", "mismatches", "publisher_from_claims"]


def decode_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified: only to explain a refusal, never to trust it."""
    try:
        payload = token.split(".")[1]
        padded = payload + "=" * (-len(payload) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def publisher_from_claims(claims: dict[str, Any]) -> Publisher:
    """The publisher PyPI will look for, as the job's token describes it."""
    owner, _, repository = str(claims.get("repository", "")).partition("/")
    # job_workflow_ref: owner/repo/.github/workflows/publish-pypi.yml@refs/tags/v1.2.3
    ref = str(claims.get("job_workflow_ref", ""))
    workflow = ref.split("@", 1)[0].rsplit("/", 1)[-1]
    environment = claims.get("environment")
    return Publisher(
        owner or str(claims.get("repository_owner", "")),
        repository,
        workflow,
        str(environment) if environment else None,
    )


def mismatches(actual: Publisher, expected: Publisher) -> list[str]:
    """What differs between the job's claims and the configured publisher, with the fix."""
    found = []
    if (actual.owner.lower(), actual.repository.lower()) != (
        expected.owner.lower(),
        expected.repository.lower(),
    ):
        found.append(
            f"repository is {actual.owner}/{actual.repository}, the publisher names "
            f"{expected.owner}/{expected.repository} (register the publisher for this repository)"
        )
    if actual.workflow != expected.workflow:
        found.append(
            f"workflow is {actual.workflow or '(unknown)'}, the publisher names "
            f"{expected.workflow} (rename .github/workflows/{actual.workflow} or fix the publisher)"
        )
    if actual.environment != expected.environment:
        found.append(
            f"environment is {actual.environment or '(none)'}, the publisher names "
            f"{expected.environment or '(none)'} "
            f"(set `environment: {expected.environment}` on the publishing job)"
        )
    return found
