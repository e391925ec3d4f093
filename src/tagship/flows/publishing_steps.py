"""The publish -> wait -> verify-install -> record tail shared by the dry run and the release."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core.config import credentials
from tagship.core.errors import GateError
from tagship.flows.publishing import attestations_for, simple_index, upload_credentials
from tagship.flows.record import record
from tagship.steps.publish import publish
from tagship.steps.verify_install import InstallTarget, verify_install
from tagship.steps.wait import wait_visible

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.adapters.http import Http
    from tagship.adapters.process import Runner
    from tagship.core.config import IndexConfig
    from tagship.core.manifest import Manifest
    from tagship.flows.options import FlowOptions
    from tagship.flows.pipeline import Pipeline
    from tagship.workspace import Workspace


def publish_wait_install(
    pipeline: Pipeline,
    workspace: Workspace,
    manifest: Callable[[], Manifest],
    options: FlowOptions,
    index: IndexConfig,
    *,
    http: Http,
    runner: Runner,
    mask: Callable[[str], None],
) -> None:
    """Publish the built files to `index`, wait for them, prove they install; record each."""

    lookup = simple_index(workspace, index, http)
    directory = options.out_dir

    def upload() -> str:
        auth = upload_credentials(workspace, index, http, mask)
        built = manifest()
        result = publish(
            built,
            directory,
            index,
            env=workspace.env,
            http=http,
            lookup=lookup,
            auth=auth,
            attestations=attestations_for(workspace, index, built, directory),
        )
        actions = {f.name: f.action for f in result.files}
        record(workspace, "publish", built, index=index.name, details=actions)
        sent = sum(a == "uploaded" for a in actions.values())
        return f"{sent} uploaded, {len(actions) - sent} already there, on {index.name}"

    def wait() -> str:
        done = wait_visible(manifest(), lookup, index.name, timeout=options.wait_timeout)
        record(workspace, "wait", manifest(), index=index.name, details={"polls": str(done.polls)})
        return f"visible after {done.polls} poll(s), {done.seconds:.1f} s"

    def install() -> str:
        target = InstallTarget(
            index.name,
            index.simple_url,
            credentials(index.name, workspace.env),
            workspace.config.dependency_index,
        )
        built = manifest()
        report = verify_install(
            built,
            directory,
            target,
            runner=runner,
            env=workspace.env,
            smoke_command=workspace.config.smoke_command,
            installer=options.installer,
        )
        outcome = "ok" if report.ok else "failed"
        record(workspace, "verify-install", built, index=index.name, details={"result": outcome})
        failed = [c for c in report.checks if not c.ok]
        if failed:
            raise GateError(
                f"the release does not install cleanly: {failed[0].name}: {failed[0].detail}",
                hint="fix the package, bump the version and release anew",
            )
        return "; ".join(f"{c.name}: {c.detail}" for c in report.checks)

    pipeline.step(f"publish to {index.name}", upload, would=f"upload the files to {index.name}")
    pipeline.step("wait", wait, would=f"poll {index.simple_url} until every file shows")
    pipeline.step("verify-install", install, would=f"install from {index.name} in a clean venv")
