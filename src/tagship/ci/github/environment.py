"""GitHub Actions' variables, read here and nowhere else: the job's facts into a CIRun.

GitHub Actions sets GITHUB_ACTIONS=true in every job: that alone means "in a GitHub Actions
job" (official uploads, workflow commands, the job's identity). The token comes from the
workflow's GITHUB_TOKEN, else the gh CLI's GH_TOKEN, in a job or on a laptop.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.core.ci_identity import GITHUB_ACTIONS, GITHUB_RULES
from tagship.core.ci_run import CIRun

if TYPE_CHECKING:
    from collections.abc import Mapping

HOST = "github"
DEFAULT_SERVER_URL = "https://github.com"
# where a GitHub token comes from, in order
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
# where a job with `id-token: write` asks for its OIDC token, and the bearer it sends
OIDC_VARIABLES = ("ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
# what carries a credential in a job: never passed to code tagship does not control
CREDENTIAL_VARIABLES = (
    *TOKEN_VARIABLES,
    *OIDC_VARIABLES,
    "ACTIONS_RUNTIME_TOKEN",
)
# the user name a token is sent with in git's Basic Authorization header
TOKEN_USER = "x-access-token"  # noqa: S105 - a user name, not a secret


def read(env: Mapping[str, str], /) -> CIRun:
    """The GitHub Actions job `env` describes, with the token. Outside a job (`host` None)
    the variables still count where they were set by hand: GITHUB_REPOSITORY names the
    repository, GITHUB_API_URL a GitHub Enterprise or a stand-in."""
    in_job = env.get("GITHUB_ACTIONS") == "true"
    source = next((name for name in TOKEN_VARIABLES if env.get(name)), None)
    return CIRun(
        host=HOST if in_job else None,
        in_ci=in_job,
        workflow_commands=in_job,
        event=env.get("GITHUB_EVENT_NAME", ""),
        ref=env.get("GITHUB_REF", ""),
        ref_type=env.get("GITHUB_REF_TYPE", ""),
        ref_name=env.get("GITHUB_REF_NAME", ""),
        sha=env.get("GITHUB_SHA") or None,
        repository=env.get("GITHUB_REPOSITORY") or None,
        run_id=env.get("GITHUB_RUN_ID") or None,
        run_attempt=env.get("GITHUB_RUN_ATTEMPT") or None,
        actor=env.get("GITHUB_ACTOR") or None,
        workflow_ref=env.get("GITHUB_WORKFLOW_REF") or None,
        # GitHub exports no variable naming the job's environment: the generated workflows
        # set TAGSHIP_ENVIRONMENT next to `environment:`
        environment=env.get("TAGSHIP_ENVIRONMENT") or None,
        server_url=(env.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL).rstrip("/"),
        api_url=env.get("GITHUB_API_URL") or None,
        event_path=_path(env, "GITHUB_EVENT_PATH"),
        output_path=_path(env, "GITHUB_OUTPUT"),
        summary_path=_path(env, "GITHUB_STEP_SUMMARY"),
        temp_dir=_path(env, "RUNNER_TEMP"),
        oidc_request_url=env.get(OIDC_VARIABLES[0]) or None,
        oidc_request_token=env.get(OIDC_VARIABLES[1]) or None,
        token=env[source] if source else None,
        token_source=source,
        api_host=HOST if in_job or source else None,
    )


def _path(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name)
    return Path(value) if value else None


# the module building the host's API client (imported only when a command needs it)
CLIENT = "tagship.ci.github.client"
# the module with its Trusted Publishing rules (tagship/ci/trusted.py)
TRUSTED = "tagship.ci.github.trusted"
# the actor kind of its records in the ledger, and the audit's rules for their identity
ACTOR_KIND = GITHUB_ACTIONS
IDENTITY = GITHUB_RULES
# every variable GitHub Actions sets in a job starts with one of these
PREFIXES = ("GITHUB_", "ACTIONS_", "RUNNER_")


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
    """The variables of a job of `workflow` on `tag`, as GitHub Actions sets them (a stand-in
    job: the demo's release, with no token); `run_id`: the run's, unique in the ledger."""
    return {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": repository,
        "GITHUB_WORKFLOW_REF": f"{repository}/.github/workflows/{workflow}@refs/tags/{tag}",
        "GITHUB_REF": f"refs/tags/{tag}",
        "GITHUB_REF_TYPE": "tag",
        "GITHUB_REF_NAME": tag,
        "GITHUB_SHA": sha,
        "GITHUB_RUN_ID": run_id,
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_ACTOR": actor,
        "TAGSHIP_ENVIRONMENT": environment,
    }
