"""The GitLab id_token claims PyPI matches a trusted publisher against, and what to fix.

As PyPI's warehouse matches them (warehouse/oidc/models/gitlab.py, `lookup_by_claims`):
namespace and project are `project_path` split at its last slash (nested groups stay in the
namespace), compared without case; the workflow file is the path between `//` and `@` in
`ci_config_ref_uri` (the project's TOP-LEVEL pipeline file, `.gitlab-ci.yml` unless the
project's CI/CD settings name another, even when tagship's jobs come from an included file),
compared exactly; a publisher without an environment matches any job, one with an environment
only a job of that exact environment.
"""

from __future__ import annotations

import re
from typing import Any

from tagship.ci.trusted import Publisher

# warehouse's _WORKFLOW_FILEPATH_RE: after the `//` that ends the project, up to the `@`
_WORKFLOW_FILEPATH = re.compile(r"(?<=//)(.*[^/]\.(?:yml|yaml))(?=@)")


def workflow_filepath(ci_config_ref_uri: str) -> str:
    """gitlab.com/acme/charm//.gitlab-ci.yml@refs/tags/v1 -> .gitlab-ci.yml ('' if none)."""
    found = _WORKFLOW_FILEPATH.search(ci_config_ref_uri)
    return found.group(0) if found else ""


def publisher_from_claims(claims: dict[str, Any]) -> Publisher:
    """The publisher PyPI will look for, as the job's id_token describes it."""
    namespace, _, project = str(claims.get("project_path", "")).rpartition("/")
    environment = claims.get("environment")
    return Publisher(
        namespace,
        project,
        workflow_filepath(str(claims.get("ci_config_ref_uri", ""))),
        str(environment) if environment else None,
    )


def mismatches(actual: Publisher, expected: Publisher) -> list[str]:
    """What differs between the job's claims and the configured publisher, with the fix."""
    found = []
    here = f"{actual.owner}/{actual.repository}"
    there = f"{expected.owner}/{expected.repository}"
    if here.lower() != there.lower():
        found.append(
            f"project is {here}, the publisher names {there} "
            "(register the publisher for this project: namespace and project)"
        )
    if actual.workflow != expected.workflow:
        found.append(
            f"top-level pipeline file is {actual.workflow or '(unknown)'}, the publisher names "
            f"{expected.workflow} (register the project's top-level pipeline file, not an "
            "included one)"
        )
    # a publisher without an environment accepts every job; one with, only its own
    if expected.environment is not None and actual.environment != expected.environment:
        found.append(
            f"environment is {actual.environment or '(none)'}, the publisher names "
            f"{expected.environment} (set `environment: {expected.environment}` on the "
            "publishing job, or register the publisher for this environment)"
        )
    return found
