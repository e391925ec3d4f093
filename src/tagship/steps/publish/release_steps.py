"""Publish, wait, verify-install and record: one function each, with the ledger record it
leaves. The flows chain them; `tagship publish`, `wait` and `verify-install` each run one."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from tagship.adapters.token_burn import BURNED
from tagship.core.config import credentials
from tagship.core.errors import GateError, IntegrityError
from tagship.core.index_url import index_details
from tagship.core.official import is_official, require_ci_for_official
from tagship.core.progress import ignore
from tagship.core.words import plural
from tagship.steps.ledger.outbox import clear_outboxes, read_outboxes
from tagship.steps.ledger.record import Appended, append_all, record
from tagship.steps.ledger.tree_state import require_clean_for_official
from tagship.steps.publish.publishing import simple_index
from tagship.steps.publish.wait import FIRST_DELAY, wait_visible

# each CI job runs one of these steps in a process of its own: what only one step needs
# (the preflight's rules, the upload, the clean install) is imported by that step alone

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from tagship.adapters.http import Http
    from tagship.adapters.process import Runner
    from tagship.core.config import IndexConfig
    from tagship.core.manifest import Manifest
    from tagship.core.progress import Progress
    from tagship.steps.publish.publish import FileOutcome, Ledger, PublishResult
    from tagship.steps.publish.wait import WaitResult
    from tagship.steps.verify.verify import Expected
    from tagship.steps.verify.verify_install import Installer, InstallReport
    from tagship.workspace import Workspace


def publish_files(
    workspace: Workspace,
    manifest: Manifest,
    directory: Path,
    index: IndexConfig,
    *,
    http: Http,
    mask: Callable[[str], None],
    on_file: Callable[[FileOutcome], None] | None = None,
    progress: Progress = ignore,
    on_warning: Callable[[str], None] | None = None,
    preflighted: bool = False,
    listed: Mapping[str, str | None] | None = None,
) -> PublishResult:
    """Upload the manifest's files the index lacks (Trusted Publishing for an official index
    in GitHub Actions) once they pass verification and the preflight (unless `preflighted`:
    the flow ran it as a step of its own, and passes on the index's files it read as
    `listed`), and record what happened to each."""
    from tagship.steps.publish.preflight import preflight_manifest  # noqa: PLC0415 - see above
    from tagship.steps.publish.publish import publish  # noqa: PLC0415
    from tagship.steps.publish.publishing import (  # noqa: PLC0415
        attestations_for,
        burn_upload_token,
        upload_credentials,
    )

    require_publishable(workspace, index)  # before asking anyone for a token
    tree = require_clean_for_official(workspace, manifest, index, directory)
    expected = expected_artifacts(workspace)
    if not preflighted:  # the index's rules, before a token is minted or a byte is sent
        from tagship.steps.verify.verify import verify_build  # noqa: PLC0415 - as in publish

        verify_build(directory, manifest, expected)  # the preflight reads verified files only
        report = preflight_manifest(workspace, manifest, directory, index, http=http)
        for warning in report.warnings:
            if on_warning is not None:
                on_warning(f"{warning.rule}: {warning.message}")
        listed = report.listed
    auth = upload_credentials(workspace, index, http, mask)
    try:
        result = publish(
            manifest,
            directory,
            index,
            expected=expected,
            ci=workspace.ci,
            http=http,
            lookup=simple_index(workspace, index, http),
            auth=auth,
            attestations=attestations_for(workspace, index, manifest, directory),
            on_file=on_file,
            progress=progress,
            listed=listed,
            verified=not preflighted,  # verified above, before the preflight
        )
    except Exception:
        burn_upload_token(workspace, index, http, auth)  # never raises: the failure stands
        raise
    # after the last upload, before the record: the record says whether it was burned
    result = replace(result, token_burn=burn_upload_token(workspace, index, http, auth))
    return replace(result, ledger=_record_publish(workspace, manifest, index, result, tree))


def expected_artifacts(workspace: Workspace) -> Expected:
    """What the release's files must be: this project, the version due, its allowed entries."""
    from tagship.steps.verify.verify import Expected  # noqa: PLC0415 - wait and install need it not
    from tagship.steps.verify.wheel_install import owned_top_level  # noqa: PLC0415 - as Expected

    return Expected(
        workspace.name,
        workspace.expected_version(),
        workspace.config.allow_top_level,
        owned_top_level(workspace),
    )


def require_publishable(workspace: Workspace, index: IndexConfig) -> None:
    """Official indexes take uploads only from GitHub Actions, and only from the project's git
    repository, whose ledger records them: checked before anything is read."""
    require_ci_for_official(index, workspace.ci)
    if workspace.git is None and is_official(index):
        raise GateError(
            f"publishing to {index.name} (an official index) needs the project's git "
            f"repository, whose ledger records the upload: {workspace.root} is not in one",
            hint="publish from a clone of the project, as the release workflow does",
        )


def _record_publish(
    workspace: Workspace,
    manifest: Manifest,
    index: IndexConfig,
    result: PublishResult,
    tree: Mapping[str, str],
) -> Ledger:
    details = {**{f.name: f.action for f in result.files}, **index_details(index), **tree}
    if result.token_burn is not None:  # what became of the minted token, never the token
        details["upload-token"] = result.token_burn
    promotion = manifest.promotion
    if promotion is not None:  # the dry run's files, not a build: say which dry run's
        details["promoted-from"] = str(promotion.dry_run_record)
        details["rebuild-check"] = promotion.rebuild_check or "not run"
    return record(workspace, "publish", manifest, index=index.name, details=details).status


_LEDGER_NOTES = {
    "recorded": "",
    "already-recorded": "; the ledger already records this publish",
    "no-repository": "; nothing recorded in the ledger (not a git repository)",
    "deferred": "; its record is appended by the record step",
    None: "",
}


def published_summary(result: PublishResult) -> str:
    sent = result.uploaded
    return (
        f"{sent} uploaded, {len(result.files) - sent} already there, on {result.index}"
        + _LEDGER_NOTES[result.ledger]
        + _burn_note(result.token_burn)
    )


def _burn_note(outcome: str | None) -> str:
    if outcome is None:
        return ""
    if outcome == BURNED:
        return "; upload token burned"
    return f"; warning: the upload token was {outcome} (it expires within 15 minutes)"


def wait_for_files(
    workspace: Workspace,
    manifest: Manifest,
    index: IndexConfig,
    *,
    http: Http,
    timeout: float,
    progress: Progress = ignore,
    interval: float = FIRST_DELAY,
    option: str = "--wait-timeout",
) -> WaitResult:
    """Poll the index until it shows every file with the manifest's hash; record it. The
    requests' retries end by the deadline too; `option` names the one that set `timeout`."""
    lookup = simple_index(workspace, index, http)
    with http.until(time.monotonic() + timeout):
        done = wait_visible(
            manifest,
            lookup,
            index.name,
            timeout=timeout,
            interval=interval,
            option=option,
            progress=progress,
        )
    record(workspace, "wait", manifest, index=index.name, details={"polls": str(done.polls)})
    return done


def waited_summary(result: WaitResult) -> str:
    return f"visible after {plural(result.polls, 'poll')}, {result.seconds:.1f} s"


def install_release(
    workspace: Workspace,
    manifest: Manifest,
    directory: Path,
    index: IndexConfig,
    *,
    runner: Runner,
    installer: Installer,
    progress: Progress = ignore,
) -> InstallReport:
    """Install the release from `index` in a clean venv and check it; record the outcome."""
    from tagship.steps.verify.install_report import install_details  # noqa: PLC0415 - see above
    from tagship.steps.verify.smoke_test import smoke_test  # noqa: PLC0415
    from tagship.steps.verify.verify_install import InstallTarget, verify_install  # noqa: PLC0415

    target = InstallTarget(
        index.name,
        index.simple_url,
        credentials(index.name, workspace.env),
        workspace.config.dependency_index,
    )
    project = workspace.git.root if workspace.git is not None else workspace.root
    report = verify_install(
        manifest,
        directory,
        target,
        runner=runner,
        env=workspace.env,
        settings=workspace.config.verify_install,
        smoke=smoke_test(workspace.config, workspace.pyproject_data, workspace.root, project),
        installer=installer,
        progress=progress,
    )
    details = install_details(report)
    record(workspace, "verify-install", manifest, index=index.name, details=details)
    return report


def require_installed(
    report: InstallReport, manifest: Manifest, *, dry_run: bool = False
) -> InstallReport:
    """The report when every check passed; otherwise the first failure as a closed gate,
    saying how to go on."""
    if not report.ok:
        from tagship.steps.verify.install_report import install_failure  # noqa: PLC0415

        raise install_failure(report, manifest.version, "dry-run" if dry_run else "release")
    return report


def installed_summary(report: InstallReport) -> str:
    return "; ".join(f"{c.name}: {'' if c.ok else 'FAILED: '}{c.detail}" for c in report.checks)


def record_dry_run(workspace: Workspace, manifest: Manifest, index: IndexConfig) -> Appended:
    """The record `tagship tag` requires: this commit and version went through the dry run;
    the index's upload URL too, so the release promotes only from where the dry run was."""
    return record(workspace, "dry-run", manifest, index=index.name, details=index_details(index))


def recorded_summary(done: Appended) -> str:
    if done.record is None:
        return f"the dry run's record: {done.status}"
    event = done.record.event
    return f"ledger record {done.record.seq}: {event.version} at {(event.commit or '')[:12]}"


def append_outbox(workspace: Workspace, folder: Path) -> list[Appended]:
    """Append what earlier jobs (or steps) wrote to the outboxes in `folder`, in order. Only
    events of this project at HEAD's commit are taken: an outbox cannot speak for others."""
    git = workspace.require_git()
    head = git.head_sha()
    events = read_outboxes(folder)
    for event in events:
        if event.project != workspace.name or event.commit != head:
            raise IntegrityError(
                f"the outbox holds an event for {event.project} at {(event.commit or '?')[:12]}"
                f", not {workspace.name} at {head[:12]}: nothing was recorded",
                hint="record from a checkout of the commit the jobs released",
            )
    done = append_all(replace(workspace, outbox=None), events)
    clear_outboxes(folder)
    return done


def appended_summary(done: list[Appended]) -> str:
    kept = [a.record for a in done if a.record is not None]
    if not done:
        return "nothing to record"
    seqs = f"ledger records {kept[0].seq}-{kept[-1].seq}" if kept else "no new ledger record"
    kinds = ", ".join(a.record.event.kind for a in done if a.record is not None)
    skipped = len(done) - len(kept)
    return f"{seqs} ({kinds})" + (f"; {skipped} already recorded" if skipped else "")
