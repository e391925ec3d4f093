"""GitLab CI/CD's variables, read here and nowhere else: the job's facts into a CIRun.

GitLab sets GITLAB_CI=true in every job (docs.gitlab.com/ci/variables/predefined_variables):
that alone means "in a GitLab job"; a GITLAB_CI with any other spelling is not one. The API
token is a personal/project token from GITLAB_TOKEN, else the job's own CI_JOB_TOKEN. OIDC
tokens are minted by GitLab before the job starts, one per `id_tokens:` entry, each for one
audience: tagship's pipeline names them PYPI_ID_TOKEN, TESTPYPI_ID_TOKEN, SIGSTORE_ID_TOKEN.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tagship.core.ci_identity import HEADS, TAGS, IdentityRules
from tagship.core.ci_run import CIRun

if TYPE_CHECKING:
    from collections.abc import Mapping

HOST = "gitlab"
DEFAULT_SERVER_URL = "https://gitlab.com"
# where the API token comes from, in order: a token a maintainer set, then the job's own
TOKEN_VARIABLES = ("GITLAB_TOKEN", "CI_JOB_TOKEN")
JOB_TOKEN = "CI_JOB_TOKEN"  # noqa: S105 - a variable's name, sent as JOB-TOKEN
# the `id_tokens:` variables tagship's pipeline defines, and the audience each is minted for
ID_TOKENS = {
    "PYPI_ID_TOKEN": "pypi",
    "TESTPYPI_ID_TOKEN": "testpypi",
    "SIGSTORE_ID_TOKEN": "sigstore",
}
# what carries a credential in a job: never passed to code tagship does not control
CREDENTIAL_VARIABLES = (
    *TOKEN_VARIABLES,
    *ID_TOKENS,
    "CI_REGISTRY_PASSWORD",
    "CI_DEPENDENCY_PROXY_PASSWORD",
    "CI_DEPLOY_PASSWORD",
)
# git's Basic user for a job token; GitLab accepts any non-empty user with a personal token
TOKEN_USER = "gitlab-ci-token"  # noqa: S105 - a user name, not a secret
# the module building the host's API client (imported only when a command needs it)
CLIENT = "tagship.ci.gitlab.client"
# the module with its Trusted Publishing rules (tagship/ci/trusted.py)
TRUSTED = "tagship.ci.gitlab.trusted"
# the actor kind of its records in the ledger, and the audit's rules for their identity: a
# project in nested groups (GitLab's path characters), the top-level pipeline file by its
# name, a tag released by its push pipeline, a branch also by a pipeline run by hand (web)
ACTOR_KIND = "gitlab-ci"
IDENTITY = IdentityRules(
    "GitLab",
    repository=re.compile(
        r"(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}/){1,20}[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}"
    ),
    workflows="",
    events={TAGS: ("push",), HEADS: ("push", "web")},
    tokens=TOKEN_VARIABLES,
)
# every variable GitLab sets in a job starts with one of these
PREFIXES = ("CI_", "GITLAB_")


def read(env: Mapping[str, str], /) -> CIRun:
    """The GitLab CI/CD job `env` describes, with the token. Outside a job (`host` None) a
    GITLAB_TOKEN set by hand still counts, with CI_PROJECT_PATH and CI_API_V4_URL."""
    in_job = env.get("GITLAB_CI") == "true"
    tag = env.get("CI_COMMIT_TAG", "")
    name = tag or env.get("CI_COMMIT_BRANCH") or env.get("CI_COMMIT_REF_NAME", "")
    ref = _ref(env, tag, name)
    project = env.get("CI_PROJECT_PATH") or None
    config = env.get("CI_CONFIG_PATH") or ".gitlab-ci.yml"
    source = next((var for var in TOKEN_VARIABLES if env.get(var)), None)
    return CIRun(
        host=HOST if in_job else None,
        in_ci=in_job,
        event=env.get("CI_PIPELINE_SOURCE", ""),
        ref=ref,
        ref_type="tag" if tag else ("branch" if name and ref.startswith("refs/heads/") else ""),
        ref_name=name,
        sha=env.get("CI_COMMIT_SHA") or None,
        repository=project,
        run_id=env.get("CI_JOB_ID") or None,
        # a retried GitLab job is a new job with its own id: each id has one attempt
        run_attempt="1" if env.get("CI_JOB_ID") else None,
        actor=env.get("GITLAB_USER_LOGIN") or None,
        workflow_ref=f"{project}/{config}@{ref}" if project and ref else None,
        environment=env.get("CI_ENVIRONMENT_NAME") or None,
        server_url=(env.get("CI_SERVER_URL") or DEFAULT_SERVER_URL).rstrip("/"),
        api_url=env.get("CI_API_V4_URL") or None,
        oidc_tokens=tuple((aud, env[var]) for var, aud in ID_TOKENS.items() if env.get(var)),
        pull_number=_number(env.get("CI_MERGE_REQUEST_IID", "")),
        pull_labels=_labels(env),
        token=env[source] if source else None,
        token_source=source,
        api_host=HOST if in_job or source == TOKEN_VARIABLES[0] else None,
    )


def _ref(env: Mapping[str, str], tag: str, name: str) -> str:
    if tag:
        return f"refs/tags/{tag}"
    if env.get("CI_MERGE_REQUEST_REF_PATH"):
        return env["CI_MERGE_REQUEST_REF_PATH"]
    return f"refs/heads/{name}" if name else ""


def _number(text: str) -> int | None:
    return int(text) if text.isdecimal() and text.isascii() and int(text) > 0 else None


def _labels(env: Mapping[str, str]) -> tuple[str, ...] | None:
    # GitLab sets CI_MERGE_REQUEST_LABELS (comma-separated) only in merge request pipelines,
    # and leaves it out when the merge request has no label
    if "CI_MERGE_REQUEST_IID" not in env:
        return None
    raw = env.get("CI_MERGE_REQUEST_LABELS", "")
    return tuple(label.strip() for label in raw.split(",") if label.strip())


def job_variables(
    *,
    repository: str,
    workflow: str,
    tag: str,
    sha: str,
    environment: str,
    actor: str,
    run_id: str = "1",
) -> dict[str, str]:
    """The variables of a job of the pipeline file `workflow` on `tag`, as GitLab sets them
    (a stand-in job, with no token); `run_id`: the job's id, unique in the ledger."""
    return {
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_PROJECT_PATH": repository,
        "CI_CONFIG_PATH": workflow,
        "CI_COMMIT_TAG": tag,
        "CI_COMMIT_REF_NAME": tag,
        "CI_COMMIT_SHA": sha,
        "CI_PIPELINE_SOURCE": "push",
        "CI_PIPELINE_ID": run_id,
        "CI_JOB_ID": run_id,
        "GITLAB_USER_LOGIN": actor,
        "CI_ENVIRONMENT_NAME": environment,
    }
