"""GitLab's Trusted Publishing rules (tagship/ci/trusted.py): GitLab mints the job's id_tokens
before it starts, one variable per `id_tokens:` entry and audience (PYPI_ID_TOKEN for `pypi`,
TESTPYPI_ID_TOKEN for `testpypi`), so the token is read from the run, never requested."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.ci.gitlab.claims import mismatches, publisher_from_claims
from tagship.ci.gitlab.environment import ID_TOKENS
from tagship.ci.trusted import Publisher
from tagship.core.errors import GateError

if TYPE_CHECKING:
    from tagship.adapters.http import Http
    from tagship.core.ci_run import CIRun

__all__ = ["expected", "mismatches", "oidc_token", "publisher_from_claims"]
_DEFAULT_PIPELINE = ".gitlab-ci.yml"


def oidc_token(audience: str, http: Http, ci: CIRun, /) -> str:  # noqa: ARG001 - no request
    """The job's id_token for `audience`; GateError naming the `id_tokens:` entry to add."""
    token = dict(ci.oidc_tokens).get(audience)
    if token:
        return token
    variable = next((name for name, aud in ID_TOKENS.items() if aud == audience), None)
    entry = f"{variable}: {{aud: {audience}}}" if variable else f"a token with aud {audience}"
    raise GateError(
        f"no GitLab id_token for audience {audience} is available in this job",
        hint=f"add `id_tokens: {entry}` to the publishing job",
    )


def expected(
    owner: str,
    repository: str,
    workflow: str | None,  # noqa: ARG001 - GitHub's workflow file (publish-pypi.yml)
    environment: str | None,
    ci: CIRun,
    /,
) -> Publisher:
    """The publisher as configured: the project (CI_PROJECT_PATH, or owner/repository) split
    at its last slash, the environment, and the run's top-level pipeline file: an index's
    `workflow` names GitHub's file, and GitLab's token names the top-level file whatever
    file the job comes from, so no other file can match."""
    project = ci.repository or f"{owner}/{repository}"
    namespace, _, name = project.rpartition("/")
    return Publisher(namespace, name, _pipeline_file(ci), environment)


def _pipeline_file(ci: CIRun) -> str:
    # the run's workflow_ref names the project, then the pipeline file, then the ref
    if ci.workflow_ref and ci.repository:
        path = ci.workflow_ref.rsplit("@", 1)[0].removeprefix(ci.repository + "/")
        return path or _DEFAULT_PIPELINE
    return _DEFAULT_PIPELINE
