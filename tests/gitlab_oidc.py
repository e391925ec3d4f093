"""GitLab's `id_tokens` and PyPI's GitLab Trusted Publisher, as stand-ins.

`id_token(...)` mints a token with the claims GitLab documents for a job's `id_tokens`
(docs.gitlab.com/ci/secrets/id_token_authentication: `sub`, `project_path`, `ref_path`,
`ci_config_ref_uri`, `environment`, `jti`, ...). The signature is fake: like the GitHub
stand-in (tests/oidc.py), only the claims matter to the exchange.

`GitLabPublisher.refusal(claims)` judges a token as warehouse does
(warehouse/oidc/models/gitlab.py and models/_core.py, pypi/warehouse at 6b62157): the required
claims must be present; the publisher is looked up by namespace and project (case-insensitive),
the workflow file path taken from `ci_config_ref_uri`, and the issuer; a publisher registered
for an environment wins over one registered for none; then `sub`, `project_path` and
`ci_config_ref_uri` (which must end in `@` + `ref_path` or `@` + `sha`) are checked. The answer
is warehouse's error description, for `tests/index_proxy.py` to send as `invalid-publisher`.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from oidc import jwt

GITLAB_COM = "https://gitlab.com"
# warehouse's _WORKFLOW_FILEPATH_RE: the path after the `//` that ends the project, before `@`
_WORKFLOW_FILEPATH = re.compile(r"(?<=\/\/)(.*[^/]\.(yml|yaml))(?=@)")
# warehouse: check_claims_existence, required verifiable and unverifiable claims
_REQUIRED = ("sub", "project_path", "ci_config_ref_uri", "jti", "ref_path", "sha")


@dataclass(frozen=True)
class Job:
    """What GitLab knows of a job when it mints the job's token."""

    project_path: str  # group[/subgroup]/project
    ref: str  # the tag or branch name
    sha: str
    ref_type: str = "tag"  # or "branch"
    environment: str = ""
    config_path: str = ".gitlab-ci.yml"  # the project's CI/CD configuration file
    protected: bool = True
    issuer: str = GITLAB_COM
    pipeline_source: str = "push"

    @property
    def ref_path(self) -> str:
        return f"refs/{'tags' if self.ref_type == 'tag' else 'heads'}/{self.ref}"


def id_token_claims(job: Job, audience: str) -> dict[str, object]:
    """The claims of an id token GitLab mints for `job` with `aud: audience`."""
    now = int(time.time())
    host = job.issuer.removeprefix("https://")
    namespace = job.project_path.rsplit("/", 1)[0]
    claims: dict[str, object] = {
        "iss": job.issuer,
        "sub": f"project_path:{job.project_path}:ref_type:{job.ref_type}:ref:{job.ref}",
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "jti": str(uuid.uuid4()),
        "namespace_id": "1",
        "namespace_path": namespace,
        "project_id": "1217",  # gitlab-ci-local's CI_PROJECT_ID
        "project_path": job.project_path,
        "user_id": "1000",
        "user_login": "local",
        "user_email": "local@gitlab.com",
        "user_access_level": "maintainer",
        "pipeline_id": "1001",
        "pipeline_source": job.pipeline_source,
        "job_id": "1",
        "ref": job.ref,
        "ref_type": job.ref_type,
        "ref_path": job.ref_path,
        "ref_protected": str(job.protected).lower(),
        "runner_id": 1,
        "runner_environment": "self-hosted",
        "sha": job.sha,
        "project_visibility": "private",
        "ci_config_ref_uri": f"{host}/{job.project_path}//{job.config_path}@{job.ref_path}",
        "ci_config_sha": job.sha,
    }
    if job.environment:
        claims |= {
            "environment": job.environment,
            "environment_protected": str(job.protected).lower(),
            "deployment_tier": "other",
            "environment_action": "start",
        }
    return claims


def id_token(job: Job, audience: str) -> str:
    return jwt(id_token_claims(job, audience))


@dataclass(frozen=True)
class GitLabPublisher:
    """A GitLab Trusted Publisher as registered on PyPI (warehouse's GitLabPublisher)."""

    namespace: str
    project: str
    workflow_filepath: str = ".gitlab-ci.yml"
    environment: str = ""  # "" accepts a token from any environment, or none
    issuer_url: str = GITLAB_COM

    @property
    def project_path(self) -> str:
        return f"{self.namespace}/{self.project}"


@dataclass(frozen=True)
class GitLabPublishers:
    """The GitLab publishers registered for a project; `refusal` is None when one matches."""

    registered: tuple[GitLabPublisher, ...]

    def refusal(self, claims: dict[str, Any]) -> str | None:
        missing = next((name for name in _REQUIRED if claims.get(name) is None), None)
        if missing is not None:
            return f"Missing claim {missing!r}"
        found = _lookup(self.registered, claims)
        if isinstance(found, str):
            return found
        return _verify(found, claims)


def _lookup(
    registered: tuple[GitLabPublisher, ...], claims: dict[str, Any]
) -> GitLabPublisher | str:
    match = _WORKFLOW_FILEPATH.search(str(claims["ci_config_ref_uri"]))
    if match is None:
        return "Could not extract workflow filename from OIDC claims"
    namespace, _, project = str(claims["project_path"]).rpartition("/")
    candidates = [
        p
        for p in registered
        if p.namespace.lower() == namespace.lower()
        and p.project.lower() == project.lower()
        and p.workflow_filepath == match.group(0)
        and p.issuer_url == claims.get("iss")
    ]
    environment = claims.get("environment")
    # the most specific first: registered for this environment, then for any
    specific = [p for p in candidates if environment and p.environment == environment]
    general = [p for p in candidates if not p.environment]
    return next(iter(specific + general), "Publisher with matching claims was not found")


def _verify(publisher: GitLabPublisher, claims: dict[str, Any]) -> str | None:
    # `sub` is project_path:GROUP/PROJECT[:more]: only its first two parts are compared
    sub = str(claims["sub"]).split(":")
    wanted = f"project_path:{publisher.project_path}".lower()
    if len(sub) < 2 or not all(sub[:2]) or ":".join(sub[:2]).lower() != wanted:
        return "Check failed for required claim 'sub'"
    if str(claims["project_path"]).lower() != publisher.project_path.lower():
        return "Check failed for required claim 'project_path'"
    host = publisher.issuer_url.removeprefix("https://")
    truth = f"{host}/{publisher.project_path}//{publisher.workflow_filepath}"
    expected = {f"{truth}@{ref}" for ref in (claims["ref_path"], claims["sha"]) if ref}
    if claims["ci_config_ref_uri"] not in expected:
        return (
            "The ci_config_ref_uri claim does not match, expecting one of "
            f"{sorted(expected)!r}, got {claims['ci_config_ref_uri']!r}"
        )
    if publisher.environment and claims.get("environment") != publisher.environment:
        return "Check failed for optional claim 'environment'"
    return None
