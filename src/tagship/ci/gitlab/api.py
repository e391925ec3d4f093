"""The GitLab REST v4 calls tagship makes, in tagship's own values: a `HostClient`
(tagship/ci/api.py) for one project.

Check runs are the jobs of the commit's pipelines, statuses the commit's statuses (jobs and
external ones); pull requests are merge requests (by iid); a workflow run is a pipeline, and
a run's identity in the ledger is a job (CI_JOB_ID). Releases: GitLab has no drafts, and
creating a release for a missing tag would create the tag, so a "draft" lives in this client
until it is published: its files go to the project's generic package registry as they are
attached, and publishing creates the GitLab release once, with a link to each file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tagship.ci.api import Commit, WorkflowRun
from tagship.ci.gitlab.pipeline.jobs import PREFIX
from tagship.ci.gitlab.releases import READ, WRITE, GitLabReleases
from tagship.ci.gitlab.session import number, text
from tagship.core.checks import CheckSignal, CheckState
from tagship.core.ci_identity import RunFacts
from tagship.core.notes import MergedPull

_RUNNING = {"created", "pending", "running", "waiting_for_resource", "preparing", "scheduled"}
_CONCLUSIONS = {"success": "success", "failed": "failure", "canceled": "cancelled"}
_STATES = {"success": CheckState.PASSED, "skipped": CheckState.SKIPPED}


def job_state(status: str) -> CheckState:
    """A job's or commit status's state (created ... success, failed, canceled, skipped,
    manual): a manual job that never ran is pending, not passed."""
    if status in _RUNNING or status == "manual":
        return CheckState.PENDING
    return _STATES.get(status, CheckState.FAILED)


def check_name(job: str) -> str:
    """The required check a job reports: tagship's pipeline names its check jobs
    `tagship-<check>` (pipeline/jobs.py), the checks are named without the prefix."""
    return job.removeprefix(PREFIX)


def _signal(raw: dict[str, Any], source: str) -> CheckSignal:
    status = text(raw, "status")
    at = text(raw, "finished_at") or text(raw, "started_at") or text(raw, "created_at")
    url = text(raw, "web_url") or text(raw, "target_url")
    name = check_name(text(raw, "name"))
    return CheckSignal(name, job_state(status), status, at, number(raw, "id"), url, source)


def _merge_request(raw: dict[str, Any]) -> MergedPull:
    author = raw.get("author")
    labels = raw.get("labels")
    return MergedPull(
        number(raw, "iid"),
        text(raw, "title"),
        text(author, "username", "ghost") if isinstance(author, dict) else "ghost",
        tuple(
            label
            for label in (labels if isinstance(labels, list) else ())
            if isinstance(label, str)
        ),
        text(raw, "web_url"),
    )


class GitLabClient(GitLabReleases):
    """The REST calls tagship makes of one GitLab project."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # each environment's successful deployments, as (pipeline id, sha), once read
        self._deployments: dict[str, frozenset[tuple[int, str]]] = {}

    # -- commits and checks ----------------------------------------------------------------

    def commit_sha(self, ref: str) -> str | None:
        raw = self.found(f"/repository/commits/{quote(ref, safe='')}", f"resolving {ref!r}", READ)
        return text(raw, "id") or None if isinstance(raw, dict) else None

    def check_runs(self, sha: str) -> list[CheckSignal]:
        pipelines = self.pages("/pipelines", f"listing pipelines of {sha[:12]}", READ, sha=sha)
        return [
            _signal(job, "job")
            for pipeline in pipelines
            for job in self.pages(
                f"/pipelines/{number(pipeline, 'id')}/jobs",
                f"listing jobs of pipeline {number(pipeline, 'id')}",
                READ,
                include_retried="true",
            )
        ]

    def statuses(self, sha: str) -> list[CheckSignal]:
        found = self.pages(
            f"/repository/commits/{sha}/statuses", f"listing statuses of {sha[:12]}", READ
        )
        return [_signal(raw, "status") for raw in found]

    def compare(self, base: str, head: str) -> list[Commit] | None:
        raw = self.found(
            "/repository/compare",
            f"comparing {base}...{head}",
            READ,
            params={"from": base, "to": head},
        )
        commits = raw.get("commits") if isinstance(raw, dict) else None
        if not isinstance(commits, list):
            return None
        return [Commit(text(c, "id"), text(c, "message")) for c in commits if isinstance(c, dict)]

    def tag_exists(self, tag: str) -> bool:
        return (
            self.found(f"/repository/tags/{quote(tag, safe='')}", f"looking up tag {tag}", READ)
            is not None
        )

    # -- merge requests --------------------------------------------------------------------

    def pull_labels(self, number: int) -> list[str] | None:
        raw = self.found(f"/merge_requests/{number}", f"reading merge request !{number}", READ)
        return None if not isinstance(raw, dict) else list(_merge_request(raw).labels)

    def merged_pulls_of(self, sha: str) -> list[MergedPull]:
        found = self.pages(
            f"/repository/commits/{sha}/merge_requests",
            f"listing merge requests of commit {sha[:12]}",
            READ,
        )
        return [_merge_request(raw) for raw in found if raw.get("state") == "merged"]

    def merged_pull(self, number: int) -> MergedPull | None:
        raw = self.found(f"/merge_requests/{number}", f"reading merge request !{number}", READ)
        if not isinstance(raw, dict) or raw.get("state") != "merged":
            return None
        return _merge_request(raw)

    def pull_files(self, number: int) -> list[str]:
        diffs = self.pages(
            f"/merge_requests/{number}/diffs", f"listing the files of merge request !{number}", READ
        )
        paths = (text(d, key) for d in diffs for key in ("new_path", "old_path"))
        return list(dict.fromkeys(path for path in paths if path))

    def open_pull(self, head: str, base: str, title: str, body: str) -> str:
        """Open a merge request from `head` into `base`; a rerun finds the open one."""
        what, params = (
            f"finding the merge request from {head}",
            {"source_branch": head, "state": "opened"},
        )
        open_ones = self.pages("/merge_requests", what, READ, **params)
        if open_ones:
            return text(open_ones[0], "web_url")
        payload = {
            "source_branch": head,
            "target_branch": base,
            "title": title,
            "description": body,
        }
        raw = self.json(
            "POST", "/merge_requests", f"opening a merge request from {head}", WRITE, json=payload
        )
        return text(raw, "web_url") if isinstance(raw, dict) else ""

    # -- pipelines and jobs ----------------------------------------------------------------

    def workflow_runs(self, workflow: str, *, branch: str) -> list[WorkflowRun] | None:
        """Push pipelines for `branch` (or tag), newest first (`workflow`: the pipeline file,
        one per project on GitLab, used as the name)."""
        found = self.pages(
            "/pipelines",
            f"listing pipelines of {branch}",
            READ,
            ref=branch,
            source="push",
            order_by="id",
            sort="desc",
        )
        runs = []
        for raw in found:
            status = text(raw, "status")
            done = status not in _RUNNING and status != "manual"
            runs.append(
                WorkflowRun(
                    number(raw, "id"),
                    workflow,
                    "completed" if done else "in_progress",
                    _CONCLUSIONS.get(status, status) if done else None,
                    text(raw, "web_url"),
                    text(raw, "sha"),
                    text(raw, "created_at"),
                )
            )
        return sorted(runs, key=lambda r: (r.created_at, r.id), reverse=True)

    def workflow_run(self, run_id: int, environment: str | None = None) -> RunFacts | None:
        """What GitLab says about job `run_id` of this project (a job of another project is a
        404 here), and whether its pipeline deployed to `environment`; None when it knows no
        such job."""
        job = self.found(f"/jobs/{run_id}", f"reading job {run_id}", READ)
        if not isinstance(job, dict):
            return None
        # the job names its pipeline; the pipeline says what started it and at which commit
        owner = job.get("pipeline")
        pid = number(owner, "id") if isinstance(owner, dict) else 0
        pipeline = self.found(f"/pipelines/{pid}", f"reading pipeline {pid}", READ) if pid else None
        pipeline = pipeline if isinstance(pipeline, dict) else {}
        project = self.found("", "reading the project", READ)
        project = project if isinstance(project, dict) else {}
        config = text(project, "ci_config_path") or ".gitlab-ci.yml"
        full = text(project, "path_with_namespace", self.project)
        return RunFacts(
            full,
            config,
            text(pipeline, "sha"),
            text(job, "ref") or None,
            text(pipeline, "source"),
            1,
            self._deployed(pid, text(pipeline, "sha"), environment) if environment else None,
        )

    def _deployed(self, pipeline: int, sha: str, environment: str) -> frozenset[str]:
        """{environment} when a job of `pipeline` deployed to it successfully at `sha`, else
        empty. A GitLab job names no environment; its deployment does, with the job that
        made it (`deployable`) and that job's pipeline (GET /projects/:id/deployments)."""
        made = self._deployments.get(environment)
        if made is None:  # listed once per environment, however many runs are audited
            found = self.pages(
                "/deployments",
                f"listing the deployments to {environment}",
                READ,
                environment=environment,
                status="success",
            )
            made = self._deployments[environment] = frozenset(
                (number(owner, "id"), text(deployment, "sha"))
                for deployment in found
                if isinstance(job := deployment.get("deployable"), dict)
                and isinstance(owner := job.get("pipeline"), dict)
                and isinstance(target := deployment.get("environment"), dict)
                and text(target, "name") == environment
                and text(deployment, "status") == "success"
            )
        return frozenset((environment,)) if pipeline and (pipeline, sha) in made else frozenset()
