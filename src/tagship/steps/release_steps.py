"""Publish, wait, verify-install and record: one function each, with the ledger record it
leaves. The flows chain them; `tagship publish`, `wait` and `verify-install` each run one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core.config import credentials
from tagship.core.errors import GateError
from tagship.steps.publish import publish, require_ci_for_official
from tagship.steps.publishing import attestations_for, simple_index, upload_credentials
from tagship.steps.record import record
from tagship.steps.verify_install import InstallTarget, verify_install
from tagship.steps.wait import wait_visible

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tagship.adapters.http import Http
    from tagship.adapters.process import Runner
    from tagship.core.config import IndexConfig
    from tagship.core.ledger import Record
    from tagship.core.manifest import Manifest
    from tagship.steps.publish import FileOutcome, PublishResult
    from tagship.steps.verify_install import Installer, InstallReport
    from tagship.steps.wait import WaitResult
    from tagship.workspace import Workspace


def _record(
    workspace: Workspace, kind: str, manifest: Manifest, index: str, details: dict[str, str]
) -> None:
    # outside a git repository there is no ledger to write to; the flows require one
    if workspace.git is not None:
        record(workspace, kind, manifest, index=index, details=details)


def publish_files(
    workspace: Workspace,
    manifest: Manifest,
    directory: Path,
    index: IndexConfig,
    *,
    http: Http,
    mask: Callable[[str], None],
    on_file: Callable[[FileOutcome], None] | None = None,
) -> PublishResult:
    """Upload the manifest's files the index lacks (Trusted Publishing for an official index
    in GitHub Actions), and record what happened to each."""
    require_ci_for_official(index, workspace.env)  # before asking anyone for a token
    result = publish(
        manifest,
        directory,
        index,
        env=workspace.env,
        http=http,
        lookup=simple_index(workspace, index, http),
        auth=upload_credentials(workspace, index, http, mask),
        attestations=attestations_for(workspace, index, manifest, directory),
        on_file=on_file,
    )
    _record(workspace, "publish", manifest, index.name, {f.name: f.action for f in result.files})
    return result


def published_summary(result: PublishResult) -> str:
    sent = sum(f.action == "uploaded" for f in result.files)
    return f"{sent} uploaded, {len(result.files) - sent} already there, on {result.index}"


def wait_for_files(
    workspace: Workspace, manifest: Manifest, index: IndexConfig, *, http: Http, timeout: float
) -> WaitResult:
    """Poll the index until it shows every file with the manifest's hash; record it."""
    lookup = simple_index(workspace, index, http)
    done = wait_visible(manifest, lookup, index.name, timeout=timeout, option="--wait-timeout")
    _record(workspace, "wait", manifest, index.name, {"polls": str(done.polls)})
    return done


def waited_summary(result: WaitResult) -> str:
    return f"visible after {result.polls} poll(s), {result.seconds:.1f} s"


def install_release(
    workspace: Workspace,
    manifest: Manifest,
    directory: Path,
    index: IndexConfig,
    *,
    runner: Runner,
    installer: Installer,
) -> InstallReport:
    """Install the release from `index` in a clean venv and check it; record the outcome."""
    target = InstallTarget(
        index.name,
        index.simple_url,
        credentials(index.name, workspace.env),
        workspace.config.dependency_index,
    )
    report = verify_install(
        manifest,
        directory,
        target,
        runner=runner,
        env=workspace.env,
        smoke_command=workspace.config.smoke_command,
        installer=installer,
    )
    outcome = "ok" if report.ok else "failed"
    _record(workspace, "verify-install", manifest, index.name, {"result": outcome})
    return report


def require_installed(report: InstallReport) -> InstallReport:
    """The report when every check passed; otherwise the first failure as a closed gate."""
    failed = [c for c in report.checks if not c.ok]
    if failed:
        raise GateError(
            f"the release does not install cleanly: {failed[0].name}: {failed[0].detail}",
            hint="fix the package, bump the version and release anew",
        )
    return report


def installed_summary(report: InstallReport) -> str:
    return "; ".join(f"{c.name}: {'' if c.ok else 'FAILED: '}{c.detail}" for c in report.checks)


def record_dry_run(workspace: Workspace, manifest: Manifest, index: IndexConfig) -> Record:
    """The record `tagship tag` requires: this commit and version went through the dry run."""
    return record(workspace, "dry-run", manifest, index=index.name)


def recorded_summary(saved: Record) -> str:
    return f"ledger record {saved.seq}: {saved.event.version} at {(saved.event.commit or '')[:12]}"
