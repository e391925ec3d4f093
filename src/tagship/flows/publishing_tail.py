"""The build and the publish -> wait -> verify-install tail the dry run and the release share."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.core import release_plan as plan
from tagship.core.progress import Phase
from tagship.flows.pipeline import FlowFailedError
from tagship.steps.build.build import build_artifacts, built_summary
from tagship.steps.build.reuse import reusable_build, reused_summary
from tagship.steps.publish.preflight import NAME as PREFLIGHT
from tagship.steps.publish.preflight import preflight_manifest, preflight_summary
from tagship.steps.publish.release_steps import (
    append_outbox,
    appended_summary,
    install_release,
    installed_summary,
    publish_files,
    published_summary,
    record_dry_run,
    require_installed,
    wait_for_files,
    waited_summary,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.adapters.http import Http
    from tagship.adapters.process import Runner
    from tagship.core.config import IndexConfig
    from tagship.core.manifest import Manifest
    from tagship.flows.options import FlowOptions
    from tagship.flows.pipeline import Pipeline
    from tagship.workspace import Workspace


def build(
    pipeline: Pipeline,
    workspace: Workspace,
    options: FlowOptions,
    runner: Runner,
    *,
    reuse: bool = False,
) -> Manifest:
    """Build HEAD's sdist and wheel into the flow's directory and verify them; with `reuse`,
    a verified build of HEAD already there is taken as it is (reuse.py)."""
    reused = reusable_build(workspace, options.out_dir) if reuse else None
    if reused is not None:
        return pipeline.step(plan.BUILD, lambda: reused, reused_summary).manifest
    built = pipeline.step(
        plan.BUILD,
        lambda: build_artifacts(
            workspace,
            options.out_dir,
            clean=True,
            runner=runner,
            progress=lambda text: pipeline.progress(Phase(text)),
        ),
        built_summary,
    )
    return built.manifest


def publish_wait_install(
    pipeline: Pipeline,
    workspace: Workspace,
    manifest: Manifest,
    options: FlowOptions,
    index: IndexConfig,
    *,
    http: Http,
    runner: Runner,
    mask: Callable[[str], None],
    dry_run: bool = False,
) -> None:
    """Publish the built files to `index`, wait for them, prove they install (and, for the
    dry run, that it passed); the record step then appends their records, as the record job
    does in the workflows. A step that fails still leaves the records of the steps before."""
    directory = options.out_dir
    # the index's rules, before the first byte is uploaded: every refusal named at once
    preflight = pipeline.step(
        PREFLIGHT,
        lambda: preflight_manifest(workspace, manifest, directory, index, http=http),
        preflight_summary,
    )
    with tempfile.TemporaryDirectory(prefix="tagship-outbox-") as folder:
        outbox = Path(folder)
        deferred = replace(workspace, outbox=outbox / "flow.jsonl")
        try:
            pipeline.step(
                plan.publish_name(index.name),
                lambda: publish_files(
                    deferred,
                    manifest,
                    directory,
                    index,
                    http=http,
                    mask=mask,
                    progress=pipeline.progress,
                    preflighted=True,
                    listed=preflight.listed,  # one read of the index for both steps
                ),
                published_summary,
            )
            pipeline.step(
                plan.WAIT,
                lambda: wait_for_files(
                    deferred,
                    manifest,
                    index,
                    http=http,
                    timeout=options.wait_timeout,
                    progress=pipeline.progress,
                ),
                waited_summary,
            )
            pipeline.step(
                plan.VERIFY_INSTALL,
                lambda: require_installed(
                    install_release(
                        deferred, manifest, directory, index, runner=runner,
                        installer=options.installer, progress=pipeline.progress,
                    ),
                    manifest,
                    dry_run=dry_run,
                ),
                installed_summary,
            )  # fmt: skip
            if dry_run:
                record_dry_run(deferred, manifest, index)
        except FlowFailedError:
            append_outbox(workspace, outbox)
            raise
        pipeline.step(plan.RECORD, lambda: append_outbox(workspace, outbox), appended_summary)
