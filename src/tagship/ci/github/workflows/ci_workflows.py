"""The workflows around the release: the required checks, the release-label check, and the
draft GitHub Release kept current from the merged pull requests."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from tagship.ci.github.workflows.workflow_jobs import JOB_TOKEN, READ, job, setup_steps
from tagship.ci.pipeline_values import calls_tagship
from tagship.core.infer_checks import LABEL_CHECK, job_command, unfound_message
from tagship.core.yaml_text import Commented

if TYPE_CHECKING:
    from collections.abc import Sequence
    from collections.abc import Set as AbstractSet

    from tagship.ci.github.workflows.workflow_jobs import Toolchain
    from tagship.core.config import Config
    from tagship.core.infer_checks import CheckPlan

ON_PULL_REQUEST = "${{ github.event_name == 'pull_request' }}"


def ci_workflow(
    config: Config, tools: Toolchain, plans: Sequence[CheckPlan], reused: AbstractSet[str]
) -> dict[str, Any] | None:
    """One job per required check, named as branch protection requires it; the checks the
    project's own workflows run (`reused`) and the label check are not repeated. None when
    nothing is left to run."""
    checks = check_jobs(config, tools, plans, reused)
    return ci_frame(config, checks) if checks else None


def check_jobs(
    config: Config,
    tools: Toolchain,
    plans: Sequence[CheckPlan],
    reused: AbstractSet[str],
    pyproject: str | None = None,
) -> dict[str, Any]:
    """The jobs of the required checks, by check name (all but `reused` and the label's);
    `pyproject`: how the jobs' messages name the file the checks are set in."""
    checks: dict[str, Any] = {}
    for plan in plans:
        if plan.name == LABEL_CHECK or plan.name in reused:
            continue
        where = pyproject or str(config.pyproject.name)
        unfound = plan.unfound is not None
        command = _unfound_step(plan, where) if unfound else job_command(plan, where)
        if not plan.command:
            steps = []  # nothing to install for a job that only reports
        else:
            calls = calls_tagship(command)
            steps = setup_steps(tools, history=calls, more=plan.setup, tagship=calls)
        checks[plan.name] = job(plan.name, READ, [*steps, {"name": plan.name, "run": command}])
    return checks


def _unfound_step(plan: CheckPlan, pyproject: str) -> str:
    """A check the project has no tool for passes, saying so in its log (a notice on the run)
    and its step summary: branch protection that requires its name stays satisfiable."""
    message = shlex.quote(unfound_message(plan, pyproject))
    return f'msg={message}\necho "::notice::$msg"\necho "$msg" >> "$GITHUB_STEP_SUMMARY"\n'


def ci_frame(config: Config, jobs: dict[str, Any]) -> dict[str, Any]:
    """The CI workflow around its `jobs`: when it runs, and how its runs queue."""
    return {
        "name": "CI",
        "on": {
            "push": {"branches": [config.release_branch, config.hotfix_branches]},
            # label changes are the release-label workflow's: they do not rerun these checks
            "pull_request": {"types": ["opened", "synchronize", "reopened"]},
            "merge_group": {},
        },
        "permissions": {},
        # a newer push to a pull request replaces its run; the release branch's runs all finish
        "concurrency": {"group": "ci-${{ github.ref }}", "cancel-in-progress": ON_PULL_REQUEST},
        "jobs": jobs,
    }


def label_workflow(
    config: Config, tools: Toolchain, plans: Sequence[CheckPlan]
) -> dict[str, Any] | None:
    """`release-label`: exactly one release label, rechecked whenever the labels change."""
    plan = next((p for p in plans if p.name == LABEL_CHECK), None)
    if plan is None:
        return None
    check = {
        "name": "Exactly one release label",
        "if": "github.event_name == 'pull_request'",
        "run": job_command(plan, str(config.pyproject.name)),
        "env": {"GITHUB_TOKEN": JOB_TOKEN},
    }
    # a merge queue needs the check on its merge commit; the labels were checked on the PR
    queued = {
        "name": "Checked on the pull request",
        "if": "github.event_name == 'merge_group'",
        "run": 'echo "the release label was checked on the pull request before it was queued"',
    }
    permissions = {
        "contents": "read",
        "pull-requests": Commented("read", "the labels of the pull request"),
    }
    return {
        "name": "Release label",
        "on": {
            "pull_request": {
                "types": ["opened", "synchronize", "reopened", "labeled", "unlabeled"]
            },
            "merge_group": {},
        },
        "permissions": {},
        "concurrency": {
            "group": "release-label-${{ github.ref }}",
            "cancel-in-progress": ON_PULL_REQUEST,
        },
        "jobs": {
            LABEL_CHECK: job(
                LABEL_CHECK, permissions, [*setup_steps(tools, history=False), check, queued]
            )
        },
    }


def draft_workflow(config: Config, tools: Toolchain) -> dict[str, Any]:
    """The draft GitHub Release, regenerated from the merged pull requests on every push to
    the release branch: the maintainer reviews it (policy step 3) before tagging."""
    permissions = {
        "contents": Commented("write", "create and update the draft release"),
        "pull-requests": Commented("read", "the merged pull requests and their labels"),
    }
    update = {
        "name": "Update the draft release",
        "run": "tagship notes --github",
        "env": {"GITHUB_TOKEN": JOB_TOKEN},
    }
    return {
        "name": "Release notes",
        "on": {"push": {"branches": [config.release_branch]}, "workflow_dispatch": {}},
        "permissions": {},
        # one update at a time, each to completion: the last push's notes win
        "concurrency": {"group": "release-notes", "cancel-in-progress": False},
        "jobs": {
            "draft": job("draft release", permissions, [*setup_steps(tools, history=True), update])
        },
    }
