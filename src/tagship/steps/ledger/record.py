"""Recording flow actions in the ledger, and reading back the dry runs it holds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tagship.adapters.ledger_store import append_event, append_events, read_ledger
from tagship.core.errors import IntegrityError
from tagship.core.ledger import Event, FileEntry
from tagship.core.replays import WORK_TREE
from tagship.core.versions import version_from_tag
from tagship.steps.ledger.outbox import write_outbox
from tagship.steps.ledger.tree_state import work_tree

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from tagship.core.ledger import Record
    from tagship.core.manifest import Manifest
    from tagship.workspace import Workspace


def _overrides(workspace: Workspace) -> dict[str, str]:
    """`--set` keys of this run, so a record says when the policy was not the committed one."""
    keys = workspace.config.overridden
    return {"command-line-overrides": ", ".join(keys)} if keys else {}


def manifest_digest(manifest: Manifest) -> str:
    """SHA-256 of the manifest's canonical JSON: names one build's exact bytes."""
    return hashlib.sha256(manifest.to_json().encode("utf-8")).hexdigest()


def file_entries(manifest: Manifest) -> tuple[FileEntry, ...]:
    return tuple(FileEntry(f.name, f.size, f.sha256) for f in manifest.files)


def manifest_event(
    workspace: Workspace,
    kind: str,
    manifest: Manifest,
    *,
    index: str | None = None,
    details: Mapping[str, str] | None = None,
) -> Event:
    """An event about `manifest`'s release, with the state of the work tree (unless
    `details` states it: a publish says what it checked)."""
    tree = {} if WORK_TREE in (details or {}) else work_tree(workspace, manifest)
    return Event(
        kind=kind,
        project=manifest.project,
        version=manifest.version,
        tag=manifest.tag,
        commit=manifest.commit,
        index=index,
        files=file_entries(manifest),
        details={
            "manifest-sha256": manifest_digest(manifest),
            **_overrides(workspace),
            **tree,
            **(details or {}),
        },
    )


@dataclass(frozen=True)
class Appended:
    """What became of an event: recorded (the record), already recorded, deferred to a later
    job's `tagship record`, or nowhere to record it (not a git repository)."""

    status: Literal["recorded", "already-recorded", "deferred", "no-repository"]
    record: Record | None = None


def _may_repeat(event: Event) -> bool:
    return event.kind == "publish" and "uploaded" not in event.details.values()


def already_recorded(records: Iterable[Record], event: Event) -> bool:
    """A publish that uploaded nothing, of bytes a record of the same index already names:
    a rerun leaves the first record alone."""
    if not _may_repeat(event):
        return False
    same = ("manifest-sha256", "upload-url")
    return any(
        r.event.kind == "publish"
        and r.event.index == event.index
        and all(r.event.details.get(k) == event.details.get(k) for k in same)
        for r in records
    )


def append(workspace: Workspace, event: Event) -> Appended:
    """Record `event`: in the ledger (pushed to origin), or in the workspace's outbox for a
    later job to append (a job that may not write to the repository)."""
    if workspace.outbox is not None:
        write_outbox(workspace.outbox, event)
        return Appended("deferred")
    if workspace.git is None:
        return Appended("no-repository")
    # only a publish that uploaded nothing can repeat a record: only then is the ledger read
    if _may_repeat(event) and already_recorded(ledger_records(workspace), event):
        return Appended("already-recorded")
    return Appended("recorded", append_event(workspace.git, event, workspace.env))


def append_all(workspace: Workspace, events: Sequence[Event]) -> list[Appended]:
    """Record `events` in order, in one ledger commit pushed once (the record step's events
    land together); a publish that repeats a record is left out, as `append` does."""
    git = workspace.require_git()
    repeated = (
        {i for i, e in enumerate(events) if already_recorded(ledger_records(workspace), e)}
        if any(_may_repeat(e) for e in events)
        else set()
    )
    kept = [e for i, e in enumerate(events) if i not in repeated]
    stored = iter(append_events(git, kept, workspace.env) if kept else [])
    return [
        Appended("already-recorded") if i in repeated else Appended("recorded", next(stored))
        for i in range(len(events))
    ]


def record(
    workspace: Workspace,
    kind: str,
    manifest: Manifest,
    *,
    index: str | None = None,
    details: Mapping[str, str] | None = None,
) -> Appended:
    """Record an event about `manifest`'s release (see `append`)."""
    event = manifest_event(workspace, kind, manifest, index=index, details=details)
    return append(workspace, event)


def record_tag_event(
    workspace: Workspace,
    kind: str,
    tag: str,
    *,
    commit: str | None = None,
    details: Mapping[str, str] | None = None,
) -> Record:
    """Append an event about a release tag (at `commit`, default: where the tag points)
    when no build manifest is at hand."""
    git = workspace.require_git()
    event = Event(
        kind=kind,
        project=workspace.name,
        version=str(version_from_tag(tag, workspace.config.tag_format)),
        tag=tag,
        commit=commit or git.tag_target(tag),
        details={**_overrides(workspace), **work_tree(workspace), **(details or {})},
    )
    return append_event(git, event, workspace.env)


def ledger_records(workspace: Workspace) -> tuple[Record, ...]:
    """The verified records; a broken chain stops every flow that relies on it."""
    check = read_ledger(workspace.require_git())
    if check.problem is not None:
        raise IntegrityError(
            f"the ledger is broken at record {check.problem.position}: {check.problem.message}",
            hint="run tagship ledger verify",
        )
    return tuple(check.records)


def dry_runs(workspace: Workspace, version: str) -> list[Record]:
    """Successful dry-run records of `version`, newest first."""
    found = [
        r
        for r in ledger_records(workspace)
        if r.event.kind == "dry-run" and r.event.version == version and r.event.result == "ok"
    ]
    return found[::-1]
