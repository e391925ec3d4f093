"""`tagship demo`: the whole release policy on the embedded default.

A sample package, a bare git repository as `origin`, and two real local indexes (pypiserver)
standing in for TestPyPI and PyPI. The production release runs with the environment a
GitHub Actions job on the tag would have, so its ledger records carry a CI identity and the
audit can prove where every file came from.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING

from tagship.adapters.http import Http, RetryPolicy
from tagship.adapters.local_index import running_index
from tagship.core.ci_env import GITHUB_TOKEN_VARIABLES
from tagship.core.errors import GateError
from tagship.flows.dry_run import dry_run
from tagship.flows.options import FlowOptions
from tagship.flows.pipeline import Pipeline
from tagship.flows.release import release
from tagship.flows.sample import SampleIndex, create_sample
from tagship.flows.tag import tag_release
from tagship.steps.audit import audit_workspace
from tagship.steps.bump import BumpResult, bump_version
from tagship.steps.gates import checks_passed
from tagship.steps.hotfix import start_hotfix
from tagship.steps.ledger_check import ledger_state, require_valid
from tagship.steps.release_notes import local_notes
from tagship.steps.rollback_plan import rollback_plan
from tagship.steps.rollback_revert import revert
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from tagship.adapters.process import Runner
    from tagship.flows.pipeline import StepReport
    from tagship.workspace import Workspace

# variables of the caller's own CI or GitHub session that must not leak into the demo
_LEAKY = ("GITHUB_", "ACTIONS_", "TAGSHIP_", "RUNNER_")


def _clean_env(env: Mapping[str, str]) -> dict[str, str]:
    return {
        k: v
        for k, v in env.items()
        if not k.startswith(_LEAKY) and k not in (*GITHUB_TOKEN_VARIABLES, "CI")
    }


def ci_identity(env: Mapping[str, str], tag: str, sha: str) -> dict[str, str]:
    """The environment of the publish-pypi.yml job on `tag` (no token: nothing to leak)."""
    return {
        **env,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "demo/demo-pkg",
        "GITHUB_WORKFLOW_REF": f"demo/demo-pkg/.github/workflows/publish-pypi.yml@refs/tags/{tag}",
        "GITHUB_REF": f"refs/tags/{tag}",
        "GITHUB_REF_TYPE": "tag",
        "GITHUB_REF_NAME": tag,
        "GITHUB_SHA": sha,
        "GITHUB_RUN_ID": "1",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_ACTOR": "demo-maintainer",
        "TAGSHIP_ENVIRONMENT": "pypi",
    }


def _sub(name: str, echo: Callable[[StepReport], None]) -> Pipeline:
    return Pipeline(name, on_step=echo)


def run_demo(
    pipeline: Pipeline,
    base: Path,
    env: Mapping[str, str],
    *,
    runner: Runner,
    echo: Callable[[StepReport], None],
) -> None:
    """Every step of the policy, in order, on a fresh sample. Servers stop on any exit."""
    env = _clean_env(env)
    with ExitStack() as stack:
        indexes: dict[str, SampleIndex] = {}

        def start() -> str:
            for name in ("testpypi", "pypi"):
                server = stack.enter_context(running_index(base / "indexes" / name))
                indexes[name] = SampleIndex(name, server.upload_url, server.simple_url)
            return ", ".join(f"{n} at {i.simple_url}" for n, i in indexes.items())

        pipeline.step("local indexes", start, str)

        def sample() -> Workspace:
            repo = create_sample(base / "sample", indexes=list(indexes.values()), runner=runner)
            return open_workspace(repo.work, env=env, runner=runner)

        def sampled(workspace: Workspace) -> str:
            origin = workspace.require_git().remote_url()
            return f"{workspace.root} (origin {origin}); PR #1 merged with release:minor"

        workspace = pipeline.step("1. merged PR", sample, sampled)
        http = stack.enter_context(Http(RetryPolicy(attempts=3, base_delay=0.2, timeout=30)))
        bumped = _maintainer_steps(pipeline, workspace, http=http, runner=runner, echo=echo)
        _ci_release(pipeline, bumped, http=http, runner=runner, echo=echo)


def _maintainer_steps(
    pipeline: Pipeline,
    workspace: Workspace,
    *,
    http: Http,
    runner: Runner,
    echo: Callable[[StepReport], None],
) -> Workspace:
    """Steps 2 to 6 as the maintainer runs them; returns the project as bumped."""
    git = workspace.require_git()

    def checks() -> str:
        gate = checks_passed(workspace, runner, "local")
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

    def flow(name: str, body: Callable[[Pipeline], None]) -> Callable[[], str]:
        def action() -> str:
            sub = _sub(name, echo)
            body(sub)
            steps = sub.report().steps
            skipped = sum(s.status == "skipped" for s in steps)
            return f"{len(steps) - skipped} steps passed, {skipped} skipped"

        return action

    options = FlowOptions(workspace.root / "dist", "testpypi", "local", wait_timeout=30)
    pipeline.step("2. required checks", checks, str)
    pipeline.step("3. release notes", notes, str)
    pipeline.step("4. bump version", bump, lambda d: f"{d.old} -> {d.new}, committed and pushed")
    bumped = open_workspace(workspace.root, env=workspace.env, runner=runner)
    dry = flow(
        "dry-run",
        lambda p: dry_run(p, bumped, options, http=http, runner=runner, mask=print_nothing),
    )
    pipeline.step("5. TestPyPI dry run", dry, str)
    tag = flow(
        "tag",
        lambda p: tag_release(
            p, bumped, http=http, runner=runner, checks="local", production="pypi",
            build_dir=options.out_dir,
        ),
    )  # fmt: skip
    pipeline.step("6. tag", tag, str)
    return bumped


def print_nothing(_: str) -> None:
    """No secret exists in the demo: there is nothing to mask."""


def _ci_release(
    pipeline: Pipeline,
    workspace: Workspace,
    *,
    http: Http,
    runner: Runner,
    echo: Callable[[StepReport], None],
) -> None:

    def in_ci() -> Workspace:
        git = workspace.require_git()
        return replace(
            workspace, env=ci_identity(workspace.env, workspace.expected_tag(), git.head_sha())
        )

    def publish() -> str:
        ci = in_ci()
        options = FlowOptions(ci.root / "dist", "pypi", "local", wait_timeout=30)
        sub = _sub("release", echo)
        release(sub, ci, options, tag=None, http=http, runner=runner, mask=print_nothing)
        return f"released {ci.expected_tag()} as publish-pypi.yml would, on the tag"

    def audit() -> str:
        report = audit_workspace(workspace, "pypi", http)
        if not report.ok:
            raise GateError(f"audit found {report.findings} problem(s) on the production index")
        files = sum(len(v.files) for v in report.versions)
        return f"{files} file(s) of {len(report.versions)} version(s) came from recorded CI runs"

    def ledger() -> str:
        state = require_valid(ledger_state(workspace.require_git()))
        return f"{len(state.records)} records, chain and {len(state.anchors)} anchor(s) valid"

    pipeline.step("7. release from CI", publish, str)
    pipeline.step("8. audit", audit, str)
    pipeline.step("ledger verify", ledger, str)
    _aftercare(pipeline, workspace)


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
