"""What makes a tag releasable: the tag being released, its ledger record and branch, the
recorded dry run it releases, and (when rebuilding) the rebuild's bytes against it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core.errors import GateError, UsageError
from tagship.core.index_url import normalise_url, recorded_url
from tagship.core.official import is_official
from tagship.steps.build.reproduce import known_unreproducible
from tagship.steps.ledger.audit import release_ref_patterns
from tagship.steps.ledger.record import dry_runs, ledger_records

if TYPE_CHECKING:
    from tagship.core.config import IndexConfig
    from tagship.core.ledger import Record
    from tagship.core.manifest import Manifest
    from tagship.workspace import Workspace


def release_tag(workspace: Workspace, tag: str | None) -> str:
    """The tag being released: given, or the one GitHub Actions checked out."""
    if tag:
        return tag
    if workspace.ci.tag is not None:
        return workspace.ci.tag
    raise UsageError(
        "no tag to release: pass --tag or run on a tag push (GITHUB_REF=refs/tags/...)",
        hint="tagship release runs in publish-pypi.yml on the tag",
    )


def releasable(workspace: Workspace, tag: str, commit: str) -> str:
    """The tag went through `tagship tag` (a ledger record) and its commit is on a release
    branch: a tag pushed by hand, or from a feature branch, is not released."""
    git = workspace.require_git()
    tagged = [
        r
        for r in ledger_records(workspace)
        if r.event.kind == "tag" and r.event.tag == tag and r.event.commit == commit
    ]
    if not tagged:
        raise GateError(
            f"{tag} at {commit[:12]} has no tag record in the ledger: it was not created by "
            "tagship tag",
            # a tag name is never reused: an immutable GitHub Release keeps it for good
            hint="leave it unreleased; bump to the next version and tag that with tagship tag, "
            "which checks every gate",
        )
    if commit not in git.reachable_commits(release_ref_patterns(workspace.config)):
        config = workspace.config
        raise GateError(
            f"{commit[:12]} is not on {config.release_branch} or a {config.hotfix_branches} "
            "branch (fetch them: actions/checkout with fetch-depth: 0)",
            hint="release from the release branch or a hotfix branch",
        )
    return f"tag record {tagged[-1].seq}; {commit[:12]} is on a release branch"


def _dry_runs_for(
    workspace: Workspace, version: str, commit: str, production: IndexConfig
) -> list[Record]:
    """Successful dry runs of this commit and version, newest first, made to another index
    than `production`; for an official production index, only those made in CI."""
    official = is_official(production)
    found = [
        r
        for r in dry_runs(workspace, version)
        if r.event.commit == commit
        and r.event.index != production.name
        and (r.actor.is_ci or not official)
    ]
    if not found:
        where = " from CI" if official else ""
        raise GateError(
            f"no successful dry run{where} of {version} is recorded for commit {commit[:12]}",
            hint="run the TestPyPI dry run (publish-testpypi.yml) on that commit first",
        )
    return found


def promotable_dry_run(
    workspace: Workspace, version: str, commit: str, production: IndexConfig
) -> tuple[Record, IndexConfig]:
    """The newest dry run whose files can be promoted, and the test index they are fetched
    from: configured under the name the record gives, at the upload URL it records. A dry run
    made to another index or URL proved nothing about the files found where it points now."""
    found = _dry_runs_for(workspace, version, commit, production)
    for record in found:
        index = workspace.config.indexes.get(record.event.index or "")
        if index is not None and recorded_url(record.event) == normalise_url(index.upload_url):
            return record, index
    newest = found[0].event
    configured = workspace.config.indexes.get(newest.index or "")
    now = normalise_url(configured.upload_url) if configured else "not configured"
    raise GateError(
        f"dry run record {found[0].seq} of {version} was made to {newest.index} at "
        f"{recorded_url(newest) or '(no URL recorded)'}, but {newest.index} is now {now}: "
        "a dry run counts only for the index it was made to",
        hint="run the dry run again on this commit (publish-testpypi.yml), then release",
    )


def same_bytes_as_dry_run(workspace: Workspace, built: Manifest, production: IndexConfig) -> str:
    """Compare the rebuild with the files the recorded dry run published (`release-artifacts
    = "rebuild"`)."""
    dry = _dry_runs_for(workspace, built.version, built.commit, production)[0]
    then = {f.name: f.sha256 for f in dry.event.files}
    now = {f.name: f.sha256 for f in built.files}
    differing = sorted(n for n in then.keys() | now.keys() if then.get(n) != now.get(n))
    if not differing:
        return f"byte-identical to dry run record {dry.seq}"
    reasons = [known_unreproducible(built.build_backend, n) for n in differing]
    known = next((r for r in reasons if r), None)
    message = f"the rebuild differs from the dry run's files: {', '.join(differing)}"
    config = workspace.config
    if config.identical_rebuild_required:
        raise GateError(
            message + (f" ({known})" if known else ""),
            hint="make the build reproducible, promote the dry run's files instead "
            '(release-artifacts = "promote"), or set require-identical-rebuild = false',
        )
    if config.require_identical_rebuild is False:
        return message + " (allowed: require-identical-rebuild = false)"
    return message + ' (allowed: with release-artifacts = "promote" a rebuild is only compared)'
