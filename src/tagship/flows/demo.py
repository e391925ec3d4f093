"""`tagship demo`: the whole release policy on the embedded default.

A sample package, a bare git repository as `origin`, and two real local indexes (pypiserver)
standing in for TestPyPI and PyPI. The production release runs with the environment a
GitHub Actions job on the tag would have, so its ledger records carry a CI identity and the
audit can prove where every file came from.
"""

from __future__ import annotations

import shlex
import sys
from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING

from tagship.adapters.http import Http, RetryPolicy
from tagship.core.config import REQUIRED_CHECKS
from tagship.core.errors import GateError
from tagship.core.release_plan import REBUILD_CHECK
from tagship.flows.demo_workspace import workspace_release
from tagship.flows.sample import SampleIndex, create_sample
from tagship.flows.stand_ins import (
    LocalRuns,
    audited,
    clean_env,
    counted,
    detail,
    indexes_summary,
    ledger_verified,
    start_indexes,
)
from tagship.steps.gates.gates import checks_passed
from tagship.steps.notes.release_notes import local_notes
from tagship.steps.rollback.hotfix import start_hotfix
from tagship.steps.rollback.plan import rollback_plan
from tagship.steps.rollback.revert import revert
from tagship.steps.versions.bump import BumpResult, bump_version
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from tagship.adapters.process import Runner
    from tagship.flows.pipeline import Pipeline, StepReport
    from tagship.workspace import Workspace


def run_demo(
    pipeline: Pipeline,
    base: Path,
    env: Mapping[str, str],
    *,
    runner: Runner,
    echo: Callable[[StepReport], None],
) -> None:
    """Every step of the policy, in order, on a fresh sample. Servers stop on any exit."""
    env = clean_env(env)
    with ExitStack() as stack:
        indexes = pipeline.step(
            "local indexes", lambda: start_indexes(stack, base / "indexes"), indexes_summary
        )

        def sample() -> Workspace:
            repo = create_sample(base / "sample", indexes=list(indexes.values()), runner=runner)
            return open_workspace(repo.work, env=env, runner=runner)

        def sampled(workspace: Workspace) -> str:
            origin = workspace.require_git().remote_url()
            return f"{workspace.root} (origin {origin}); PR #1 merged with release:minor"

        workspace = pipeline.step("1. merged PR", sample, sampled)
        policy = RetryPolicy(attempts=3, base_delay=0.2, timeout=30)
        runs = LocalRuns(stack.enter_context(Http(policy)), runner, echo)
        bumped = _maintainer_steps(pipeline, workspace, runs)
        _ci_release(pipeline, bumped, runs)
        # a client of its own: the audit closed the one it was lent
        runs = replace(runs, http=stack.enter_context(Http(policy)))
        pipeline.step(
            "setuptools sample",
            lambda: _setuptools_release(base / "setuptools", list(indexes.values()), env, runs),
            str,
        )
        flows = (runs.dry_run, runs.tag, runs.release)
        pipeline.step(
            "uv workspace sample",
            lambda: workspace_release(
                base / "workspace", list(indexes.values()), env, runner, flows
            ),
            str,
        )


def _maintainer_steps(pipeline: Pipeline, workspace: Workspace, runs: LocalRuns) -> Workspace:
    """Steps 2 to 6 as the maintainer runs them; returns the project as bumped."""
    git = workspace.require_git()

    def checks() -> str:
        gate = checks_passed(workspace, runs.runner, "local")
        if gate.verdict != "passed":
            raise GateError(f"required checks: {gate.why}")
        return gate.why

    def notes() -> str:
        drafted = local_notes(workspace)
        pulls = "; ".join(f"#{p.number} {p.title}" for s in drafted.sections for p in s.pulls)
        return f"draft notes since {drafted.since}: {pulls}; next version {drafted.next_version}"

    def bump() -> BumpResult:
        drafted = local_notes(workspace)
        if drafted.next_version is None:
            raise GateError("the release notes hold no change to release")
        done = bump_version(workspace, str(drafted.next_version), commit=True, dry_run=False)
        git.push_branch(git.require_branch())
        return done

    pipeline.step("2. required checks", checks, str)
    pipeline.step("3. release notes", notes, str)
    pipeline.step("4. bump version", bump, lambda d: f"{d.old} -> {d.new}, committed and pushed")
    bumped = open_workspace(workspace.root, env=workspace.env, runner=runs.runner)
    pipeline.step("5. TestPyPI dry run", lambda: runs.dry_run(bumped), counted)
    pipeline.step("6. tag", lambda: runs.tag(bumped), counted)
    return bumped


def _ci_release(pipeline: Pipeline, workspace: Workspace, runs: LocalRuns) -> None:
    def released(sub: Pipeline) -> str:
        return (
            f"released {workspace.expected_tag()} as publish-pypi.yml would, on the tag: the "
            f"dry run's files, promoted; rebuild cross-check: {detail(sub, REBUILD_CHECK)}"
        )

    pipeline.step("7. release from CI", lambda: runs.release(workspace), released)
    pipeline.step("8. audit", lambda: audited(workspace, runs.http), str)
    pipeline.step("ledger verify", lambda: ledger_verified(workspace), str)
    _aftercare(pipeline, workspace)


def _setuptools_release(
    base: Path, indexes: list[SampleIndex], env: Mapping[str, str], runs: LocalRuns
) -> str:
    """A setuptools project, whose sdists no rebuild reproduces, bumped, dry-run, tagged and
    released: the production index gets the files the dry run proved all the same."""
    # the checks were shown on the first sample: stand-ins keep the demo short
    checks = dict.fromkeys(REQUIRED_CHECKS[:-1], f"{shlex.quote(sys.executable)} -c pass")
    repo = create_sample(
        base,
        indexes=indexes,
        checks=checks,
        runner=runs.runner,
        name="demo-setuptools",
        backend="setuptools",
    )
    workspace = open_workspace(repo.work, env=env, runner=runs.runner)
    bump_version(workspace, "minor", commit=True, dry_run=False)
    workspace.require_git().push_branch("main")
    bumped = open_workspace(repo.work, env=env, runner=runs.runner)
    runs.dry_run(bumped)
    runs.tag(bumped)
    verdict = detail(runs.release(bumped), REBUILD_CHECK)
    return (
        f"{bumped.name} {bumped.expected_tag()}: the production index got the files its dry "
        f"run proved; rebuild cross-check: {verdict}"
    )


def _aftercare(pipeline: Pipeline, workspace: Workspace) -> None:
    """A bad release's options: the runbook, a revert on main, a hotfix branch."""

    released = str(workspace.version())

    def plan() -> str:
        runbook = rollback_plan(workspace, released)
        return f"{len(runbook.options)} options for {runbook.tag}: " + ", ".join(
            o.title for o in runbook.options
        )

    def undo() -> str:
        merge = _last_merge(workspace)
        done = revert(workspace, [merge], push=True, version=released)
        return f"reverted {merge[:12]} on {done.branch} as {done.commit[:12]}, pushed"

    def hotfix() -> str:
        started = start_hotfix(lambda: workspace, workspace.expected_tag())
        return f"{started.branch} from {started.fixes}, version {started.version}"

    pipeline.step("rollback plan", plan, str)
    pipeline.step("rollback revert", undo, str)
    pipeline.step("hotfix start", hotfix, str)


def _last_merge(workspace: Workspace) -> str:
    """The newest merged pull request on the branch: the sample's PR #1."""
    return workspace.require_git().merge_commits(None)[-1][0]
