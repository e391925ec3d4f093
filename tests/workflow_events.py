"""The events that start workflow runs in the harness, shaped as GitHub sends them (the
fields tagship and the emulated actions read), and the runs they start."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True)
class Event:
    """What triggers a run: `push`, `workflow_dispatch` or `pull_request` of `ref` at `sha`."""

    name: str
    ref: str
    sha: str
    payload: Mapping[str, Any]
    inputs: Mapping[str, str] = field(default_factory=dict)

    @property
    def ref_name(self) -> str:
        return self.ref.split("/", 2)[2]

    @property
    def ref_type(self) -> str:
        return "tag" if self.ref.startswith("refs/tags/") else "branch"

    @property
    def head_branch(self) -> str:
        """What GitHub lists as the run's branch: the branch, tag or pull request head."""
        if self.name == "pull_request":
            return str(self.payload["pull_request"]["head"]["ref"])
        return self.ref_name

    @property
    def repository(self) -> str:
        return str(self.payload["repository"]["full_name"])


@dataclass(frozen=True)
class RunInfo:
    """One workflow run, as GitHub's API describes it."""

    id: int
    attempt: int
    workflow: str  # the file name under .github/workflows
    name: str
    event: Event


def _repository(full: str) -> dict[str, Any]:
    owner, name = full.split("/")
    return {"full_name": full, "name": name, "owner": {"login": owner}, "default_branch": "main"}


def push_event(full: str, ref: str, sha: str) -> Event:
    """A push of `ref` (a branch or tag) of repository `full` to `sha`."""
    payload = {
        "ref": ref,
        "before": "0" * 40,
        "after": sha,
        "created": True,
        "deleted": False,
        "forced": False,
        "head_commit": {"id": sha},
        "pusher": {"name": "octocat"},
        "repository": _repository(full),
    }
    return Event("push", ref, sha, payload)


def dispatch_event(full: str, branch: str, sha: str, inputs: Mapping[str, str]) -> Event:
    """`workflow_dispatch` on `branch` (at `sha`) with `inputs`."""
    ref = f"refs/heads/{branch}"
    payload = {"inputs": dict(inputs), "ref": ref, "repository": _repository(full)}
    return Event("workflow_dispatch", ref, sha, payload, dict(inputs))


def pull_request_event(
    full: str, number: int, sha: str, head: str, labels: list[str], *, base: str = ""
) -> Event:
    """`opened` of pull request `number` from branch `head` into main (at commit `base`);
    `sha` is its merge commit (refs/pull/N/merge on origin)."""
    pull = {
        "number": number,
        "head": {"ref": head, "sha": sha},
        "base": {"ref": "main", **({"sha": base} if base else {})},
        "labels": [{"name": label} for label in labels],
    }
    payload = {
        "action": "opened",
        "number": number,
        "pull_request": pull,
        "repository": _repository(full),
    }
    return Event("pull_request", f"refs/pull/{number}/merge", sha, payload)


def oidc_claims(run: RunInfo, environment: str | None) -> dict[str, object]:
    """The claims of GitHub's OIDC token for a job of `run` (the audience is asked for)."""
    event, full = run.event, run.event.repository
    workflow_ref = f"{full}/.github/workflows/{run.workflow}@{event.ref}"
    subject = f"environment:{environment}" if environment else f"ref:{event.ref}"
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": "https://token.actions.githubusercontent.com",
        "sub": f"repo:{full}:{subject}",
        "repository": full,
        "repository_owner": full.split("/")[0],
        "repository_id": "1296269",
        "repository_owner_id": "2",
        "ref": event.ref,
        "ref_type": event.ref_type,
        "sha": event.sha,
        "workflow": run.name,
        "workflow_ref": workflow_ref,
        "workflow_sha": event.sha,
        "job_workflow_ref": workflow_ref,
        "job_workflow_sha": event.sha,
        "event_name": event.name,
        "run_id": str(run.id),
        "run_number": "1",
        "run_attempt": str(run.attempt),
        "actor": "octocat",
        "actor_id": "1",
        "runner_environment": "github-hosted",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    if environment:
        claims["environment"] = environment
    return claims
