"""`tagship tag`: the gates of steps 2-6 of the policy, then the annotated tag, pushed.

All gates are evaluated and shown; any closed gate stops the flow before anything is created.
There is no --force: an official release passes every gate or does not happen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.ledger_store import ledger_head
from tagship.core.errors import ServiceError, TagshipError
from tagship.core.ledger import anchor_line
from tagship.steps.gates.gates import (
    Gate,
    checks_passed,
    draft_exists,
    guarded,
    head_pushed,
    policy_as_committed,
    release_branch,
    release_version,
    tree_clean,
)
from tagship.steps.gates.preflight_gate import preflight_gate
from tagship.steps.gates.release_checks import promotable_dry_run
from tagship.steps.gates.version_new import version_is_new
from tagship.steps.ledger.record import dry_runs, record_tag_event
from tagship.steps.publish.preflight import NAME as PREFLIGHT

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.adapters.http import Http
    from tagship.adapters.process import Runner
    from tagship.core.config import IndexConfig
    from tagship.core.ledger import Record
    from tagship.flows.pipeline import Pipeline
    from tagship.steps.gates.gates import ChecksMode
    from tagship.workspace import Workspace


def dry_run_recorded(workspace: Workspace, production: IndexConfig) -> tuple[Gate, Record | None]:
    version, head = str(workspace.version()), workspace.require_git().head_sha()
    found = dry_runs(workspace, version)
    match = next((r for r in found if r.event.commit == head), None)
    if match is not None:
        # the dry run the release will promote: to the index it names, at the URL it records
        # (and from CI for an official production index), checked now, before the tag exists
        match, _ = promotable_dry_run(workspace, version, head, production)
        return Gate("dry run recorded", "passed", f"record {match.seq} at {match.time}"), match
    if found:
        other = (found[0].event.commit or "?")[:12]
        why = f"the dry run of {version} was recorded for commit {other}, HEAD is {head[:12]}"
        return Gate("dry run recorded", "failed", why + ": run tagship dry-run again"), None
    why = f"no successful dry run recorded for {version}: run tagship dry-run first"
    return Gate("dry run recorded", "failed", why), None


def tag_release(
    pipeline: Pipeline,
    workspace: Workspace,
    *,
    http: Http,
    runner: Runner,
    checks: ChecksMode,
    production: str,
    build_dir: Path,
) -> None:
    """Evaluate every gate; when all pass, create and push the annotated tag and record it."""
    try:
        dry_gate, dry = dry_run_recorded(workspace, workspace.config.index(production))
    except TagshipError as exc:  # a gate whose evaluation failed is a closed gate
        dry_gate, dry = Gate("dry run recorded", "failed", exc.message), None
    pipeline.gates(
        [
            guarded(
                "policy as committed",
                lambda: policy_as_committed(workspace, workspace.config.index(production)),
            ),
            guarded("release version", lambda: release_version(workspace)),
            guarded("tree clean", lambda: tree_clean(workspace, build_dir)),
            guarded("release branch", lambda: release_branch(workspace)),
            guarded("HEAD pushed", lambda: head_pushed(workspace)),
            guarded(
                "version is new",
                lambda: version_is_new(workspace, http, workspace.config.index(production)),
            ),
            guarded("required checks", lambda: checks_passed(workspace, runner, checks)),
            dry_gate,
            # the index's rules for the files the release will upload, before the tag exists
            guarded(
                PREFLIGHT,
                lambda: preflight_gate(workspace, http, workspace.config.index(production), dry),
            ),
            guarded("draft release", lambda: draft_exists(workspace, workspace.expected_tag())),
        ]
    )
    tag = workspace.expected_tag()
    if pipeline.dry_run:
        pipeline.would(
            [("record", "append a tag record to the ledger"),
             ("tag", f"create the annotated tag {tag} and push it")]
        )  # fmt: skip
        return
    pipeline.step(
        "record", lambda: record_tag(workspace, tag, dry), lambda r: f"ledger record {r.seq}"
    )
    pipeline.step("tag", lambda: create_tag(workspace, tag, dry), str)


def record_tag(workspace: Workspace, tag: str, dry_run: Record | None) -> Record:
    """Recorded before the tag, so the tag's anchor covers its own record and a pushed tag
    never lacks one; a failed push leaves a record of the attempt, and a rerun tags again."""
    details = {"dry-run-record": str(dry_run.seq) if dry_run else ""}
    commit = workspace.require_git().head_sha()
    return record_tag_event(workspace, "tag", tag, commit=commit, details=details)


def create_tag(workspace: Workspace, tag: str, dry_run: Record | None) -> str:
    """The annotated tag naming the dry run's manifest and the ledger's head, pushed."""
    git = workspace.require_git()
    digest = (dry_run.event.details.get("manifest-sha256", "") if dry_run else "") or "unknown"
    head = ledger_head(git)
    message = f"Release {tag}\n\ntagship-manifest-sha256: {digest}\n"
    if head is not None:
        message += anchor_line(head) + "\n"
    git.create_tag(tag, message)
    try:
        git.push_tag(tag)
    except ServiceError:
        git.delete_tag(tag)  # no local tag that the remote lacks
        raise
    return f"{tag} at {git.head_sha()[:12]}, pushed to origin"
