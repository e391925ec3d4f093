"""`tagship doctor` on a host whose pipeline the adoption registry writes (ci/adoption.py):
its files as `init` writes them, then, with the host's token, its settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.version import Version

from tagship.steps.pipeline_files import pipeline_inputs, read_file

if TYPE_CHECKING:
    from tagship.ci.adoption import Pipeline
    from tagship.ci.github.policy import Finding
    from tagship.workspace import Workspace


def pipeline_doctor(workspace: Workspace, pipeline: Pipeline) -> tuple[list[Finding], str | None]:
    """The findings, and why the host's settings were not read (None: they were)."""
    inputs = pipeline_inputs(workspace, pipeline.top_file)
    expected = next(
        f.text for f in pipeline.plan(workspace.config, inputs).files if f.path == pipeline.own_file
    )
    files = {path: read_file(workspace, path) for path in (pipeline.own_file, pipeline.top_file)}
    findings = pipeline.pipeline_findings(files, expected)
    skipped = pipeline.skipped_because(workspace.ci, workspace.origin_url)
    if skipped is None:
        findings.extend(
            pipeline.settings_findings(
                workspace.config, workspace.ci, workspace.origin_url, Version("1.2.3")
            )
        )
    return findings, skipped
