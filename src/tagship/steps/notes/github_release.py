"""Steps 7 and 8 of the release flow: wait for the publish workflow, publish the Release."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tagship.adapters.ledger_store import ledger_head
from tagship.ci.clients import host_client
from tagship.core.errors import GateError, IntegrityError, UsageError
from tagship.core.ledger import anchor_line
from tagship.core.notes import build_notes, render_markdown
from tagship.core.polling import Pending, poll
from tagship.core.progress import ignore
from tagship.core.versions import try_version_from_tag, version_from_tag
from tagship.core.words import plural
from tagship.steps.ledger.record import ledger_records, record_tag_event
from tagship.steps.notes.release_assets import (
    attach,
    differing,
    missing,
    release_assets,
    release_details,
)
from tagship.steps.notes.release_notes import github_pulls, previous_release_tag

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from packaging.version import Version

    from tagship.ci.api import HostClient, Release, WorkflowRun
    from tagship.core.config import IndexConfig
    from tagship.core.progress import Progress
    from tagship.steps.notes.release_assets import AssetFile, Attached
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class Published:
    release: Release  # as GitHub shows it after publishing (read back)
    latest: bool
    manifest_uploaded: bool
    already: bool = False  # it was published before: nothing was changed
    attached: tuple[Attached, ...] = ()
    # assets a release published before lacks: an immutable release takes none later
    missing: tuple[str, ...] = ()


def _newer_final_exists(releases: list[Release], tag_format: str, version: Version) -> bool:
    for release in releases:
        other = try_version_from_tag(release.tag_name, tag_format)
        if other is not None and not release.draft and not other.is_prerelease and other > version:
            return True
    return False


def _gone(tag: str) -> GateError:
    return GateError(
        f"the draft release for {tag} was deleted meanwhile",
        hint="create it again with tagship notes --github, then rerun the publish",
    )


def publish_release(
    workspace: Workspace,
    client: HostClient,
    tag: str,
    *,
    assets: tuple[AssetFile, ...] = (),
    ledger_head: str | None = None,
) -> Published:
    """Refresh the draft's notes, attach every asset, then publish the draft of `tag` in one
    call and read it back. Nothing is sent to a published release: a rerun that finds it
    published changes nothing (immutable releases refuse any change).

    It is `latest` unless it is a pre-release or a hotfix of an older line.
    """
    tag_format = workspace.config.tag_format
    version = version_from_tag(tag, tag_format)
    releases = client.releases()
    for release in releases:
        if release.tag_name == tag and not release.draft:
            return _already(release, assets)
    draft = next((r for r in releases if r.draft and r.tag_name == tag), None)
    if draft is None and not client.keeps_drafts:
        # a host without drafts: this run's draft, its notes built below from the merges
        draft = client.create_release(tag, tag, "", target=tag)
    if draft is None:
        raise GateError(
            f"there is no draft release for {tag} in {client.full_name}",
            hint="create it with tagship notes --github and review it first (step 3)",
        )
    if not client.tag_exists(tag):
        raise GateError(
            f"tag {tag} does not exist on {client.title} ({client.full_name})",
            hint=f"publishing would create it elsewhere; push it first: git push origin {tag}",
        )
    since = previous_release_tag(workspace, version)
    base = since if since is not None else workspace.require_git().root_commit()
    notes = build_notes(
        github_pulls(client, base, tag),
        workspace.config.release_labels,
        current=version,
        since=since,
    )
    footer = [] if since is None else [f"**Full changelog**: {since}...{tag}", ""]
    if ledger_head is not None:
        # the anchor `tagship ledger verify` checks: a cut-off ledger tail cannot hide
        footer.append(anchor_line(ledger_head))
    # every asset on the draft before the one call that publishes it
    attached = attach(client, draft, assets, tag)
    latest = not version.is_prerelease and not _newer_final_exists(releases, tag_format, version)
    published = client.update_release(
        draft.id,
        f"publishing the release {tag}",
        tag_name=tag,
        name=tag,
        body=render_markdown(notes, footer=footer),
        draft=False,
        prerelease=version.is_prerelease,
        make_latest="true" if latest else "false",
    )
    if published is None:
        raise _gone(tag)
    shown = client.release(published.id) or published  # as GitHub holds it now
    return Published(shown, latest, manifest_uploaded=False, attached=attached)


def _already(release: Release, assets: tuple[AssetFile, ...]) -> Published:
    """A release published before (an earlier attempt, or by hand): left as it is; the
    assets it lacks are reported (it takes none now)."""
    lacking = tuple(missing(release, assets))
    return Published(release, latest=False, manifest_uploaded=False, already=True, missing=lacking)


def check_published(done: Published, assets: tuple[AssetFile, ...]) -> None:
    """IntegrityError when the published release holds other bytes than `assets` under one of
    their names, or (just published) lacks one of them."""
    release = done.release
    other = differing(release, assets)
    lacking = [] if done.already else missing(release, assets)
    if other or lacking:
        said = ", ".join(
            [*(f"{n} (other bytes)" for n in other), *(f"{n} (missing)" for n in lacking)]
        )
        raise IntegrityError(
            f"the published release {release.tag_name} does not hold the released files: {said}",
            hint="a published release cannot change: investigate, and release the next patch "
            "version (tagship hotfix start) if its assets must be right",
        )


def release_on_github(
    workspace: Workspace, tag: str, manifest: Path | None, index: IndexConfig | None = None
) -> Published:
    """Publish the draft GitHub Release of `tag` with the job's token, anchored to the
    ledger's head, with the manifest, the attestations `index` holds and the configured files
    attached first; record it as GitHub shows it (once: a rerun that finds the record adds
    none)."""
    assets = release_assets(workspace, manifest, index)
    client = host_client(
        workspace.ci,
        workspace.config,
        command="github-release publish",
        permission="contents: write and pull-requests: read",
    )
    head = ledger_head(workspace.git) if workspace.git is not None else None
    done = publish_release(workspace, client, tag, assets=assets, ledger_head=head)
    if manifest is not None:
        done = replace(done, manifest_uploaded=any(a.name == manifest.name for a in done.attached))
    if workspace.git is not None and not _recorded(workspace, tag):
        record_tag_event(workspace, "github-release", tag, details=release_details(done.release))
    # after the record: what GitHub holds is recorded even when it is not what was sent
    check_published(done, assets)
    return done


def _recorded(workspace: Workspace, tag: str) -> bool:
    return any(
        r.event.kind == "github-release" and r.event.tag == tag for r in ledger_records(workspace)
    )


def released_summary(done: Published) -> str:
    url = done.release.html_url
    if done.already:
        lacking = ", ".join(done.missing)
        taken = f"; it lacks {lacking}: a published release takes no asset" if lacking else ""
        return f"{url} (already published){taken}"
    immutable = ", immutable" if done.release.immutable else ""
    assets = plural(len(done.attached), "asset")
    return f"{url} ({assets} attached before publishing{immutable})"


def wait_for_workflow(
    client: HostClient,
    tag: str,
    workflow: str,
    *,
    timeout: float,
    interval: float = 15.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    progress: Progress = ignore,
) -> WorkflowRun:
    """The finished newest push run of `workflow` for `tag`; PollTimeoutError (exit 3) when none
    finished within `timeout` seconds."""

    def probe() -> WorkflowRun | Pending:
        runs = client.workflow_runs(workflow, branch=tag)
        if runs is None:
            raise UsageError(
                f"workflow {workflow} not found in {client.full_name}",
                hint="pass the file name under .github/workflows with --workflow",
            )
        if runs and runs[0].status == "completed":
            return runs[0]
        where = f"still {runs[0].status}: {runs[0].html_url}" if runs else "no run started"
        return Pending(f"{workflow} for {tag} has not finished ({where})")

    return poll(
        probe, timeout=timeout, interval=interval, sleep=sleep, clock=clock, progress=progress
    ).value
