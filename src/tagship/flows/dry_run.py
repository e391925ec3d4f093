"""`tagship dry-run`: gate -> build -> verify -> publish to the test index -> wait ->
verify-install -> record. The record ties the commit, the version and the files' hashes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.flows.gates import (
    checks_passed,
    guarded,
    policy_as_committed,
    release_branch,
    release_version,
    tree_clean,
)
from tagship.flows.publishing_steps import publish_wait_install
from tagship.flows.record import record
from tagship.steps.build import build_artifacts

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tagship.adapters.http import Http
    from tagship.adapters.process import Runner
    from tagship.core.manifest import Manifest
    from tagship.flows.options import FlowOptions
    from tagship.flows.pipeline import Pipeline
    from tagship.workspace import Workspace


class Built:
    """The manifest of this run's build, once the build step has run."""

    def __init__(self) -> None:
        self._manifest: Manifest | None = None

    def set(self, manifest: Manifest) -> None:
        self._manifest = manifest

    def __call__(self) -> Manifest:
        if self._manifest is None:
            raise RuntimeError("the build step has not run")  # a bug in the flow's order
        return self._manifest


def build_step(pipeline: Pipeline, workspace: Workspace, out_dir: Path, runner: Runner) -> Built:
    built = Built()

    def build() -> str:
        result = build_artifacts(workspace, out_dir, clean=True, runner=runner)
        built.set(result.manifest)
        names = ", ".join(f.name for f in result.manifest.files)
        return f"{names} (verified, SOURCE_DATE_EPOCH {result.manifest.source_date_epoch})"

    pipeline.step("build and verify", build, would=f"build the sdist and wheel into {out_dir}")
    return built


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
    pipeline.gates(
        [
            guarded("policy as committed", lambda: policy_as_committed(workspace, index)),
            guarded("release version", lambda: release_version(workspace)),
            guarded("release branch", lambda: release_branch(workspace)),
            guarded("tree clean", lambda: tree_clean(workspace, options.out_dir)),
            guarded("required checks", lambda: checks_passed(workspace, runner, options.checks)),
        ]
    )
    built = build_step(pipeline, workspace, options.out_dir, runner)
    publish_wait_install(
        pipeline, workspace, built, options, index, http=http, runner=runner, mask=mask
    )

    def remember() -> str:
        saved = record(workspace, "dry-run", built(), index=index.name)
        return f"ledger record {saved.seq}: {built().version} at {built().commit[:12]}"

    pipeline.step("record", remember, would="append a dry-run record to the ledger")
