"""`tagship dry-run`: gate -> build -> verify -> publish to the test index -> wait ->
verify-install -> record. The record ties the commit, the version and the files' hashes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core import release_plan as plan
from tagship.flows.publishing_tail import build, publish_wait_install
from tagship.steps.gates.dependency_gate import NAME, dependencies_on_index
from tagship.steps.gates.gates import (
    checks_passed,
    guarded,
    policy_as_committed,
    release_branch,
    release_version,
    tree_clean,
)
from tagship.steps.gates.version_new import NAME as VERSION_IS_NEW
from tagship.steps.gates.version_new import dry_run_version_is_new

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.adapters.http import Http
    from tagship.adapters.process import Runner
    from tagship.flows.options import FlowOptions
    from tagship.flows.pipeline import Pipeline
    from tagship.workspace import Workspace


def dry_run(
    pipeline: Pipeline,
    workspace: Workspace,
    options: FlowOptions,
    *,
    http: Http,
    runner: Runner,
    mask: Callable[[str], None],
) -> None:
    """The body of publish-testpypi.yml, runnable locally against a non-official index."""
    index = workspace.config.index(options.index)
    gates = [
        guarded("policy as committed", lambda: policy_as_committed(workspace, index)),
        guarded("release version", lambda: release_version(workspace)),
        guarded("release branch", lambda: release_branch(workspace)),
        guarded("tree clean", lambda: tree_clean(workspace, options.out_dir)),
        guarded("required checks", lambda: checks_passed(workspace, runner, options.checks)),
        # before anything is built or uploaded: a tagged version would burn on the test index
        guarded(
            VERSION_IS_NEW,
            lambda: dry_run_version_is_new(workspace, http, index, options.out_dir),
        ),
    ]
    if workspace.siblings:  # a package of several: what it needs of the others is there
        gates.append(guarded(NAME, lambda: dependencies_on_index(workspace, http)))
    pipeline.gates(gates)
    steps = plan.dry_run_steps(index.name)
    if pipeline.dry_run:
        pipeline.would((s.name, s.would) for s in steps[1:])
        return
    # a compiled project is not compiled again for the build `tagship build` just made
    manifest = build(pipeline, workspace, options, runner, reuse=True)
    publish_wait_install(
        pipeline,
        workspace,
        manifest,
        options,
        index,
        http=http,
        runner=runner,
        mask=mask,
        dry_run=True,
    )
