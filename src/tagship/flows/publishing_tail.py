"""The build and the publish -> wait -> verify-install tail the dry run and the release share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core import release_plan as plan
from tagship.steps.build import build_artifacts, built_summary
from tagship.steps.release_steps import (
    install_release,
    installed_summary,
    publish_files,
    published_summary,
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
    pipeline: Pipeline, workspace: Workspace, options: FlowOptions, runner: Runner
) -> Manifest:
    """Build HEAD's sdist and wheel into the flow's directory and verify them."""
    built = pipeline.step(
        plan.BUILD,
        lambda: build_artifacts(workspace, options.out_dir, clean=True, runner=runner),
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
) -> None:
    """Publish the built files to `index`, wait for them, prove they install; record each."""
    directory = options.out_dir
    pipeline.step(
        plan.publish_name(index.name),
        lambda: publish_files(workspace, manifest, directory, index, http=http, mask=mask),
        published_summary,
    )
    pipeline.step(
        plan.WAIT,
        lambda: wait_for_files(workspace, manifest, index, http=http, timeout=options.wait_timeout),
        waited_summary,
    )
    pipeline.step(
        plan.VERIFY_INSTALL,
        lambda: require_installed(
            install_release(
                workspace, manifest, directory, index, runner=runner, installer=options.installer
            )
        ),
        installed_summary,
    )
