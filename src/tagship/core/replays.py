"""One run attempt, one set of bytes: records that replay a CI run's identity, and the state
of the work tree each record carries.

A GitHub Actions run attempt builds once, so every record claiming it lists the same bytes
for a file name, at the same commit. A record with other bytes or another commit under the
same (run id, run attempt) copied the identity through the environment (GITHUB_RUN_ID and
the rest); the ledger cannot tell which record is the run's, so each is suspect. A record
says whether its work tree was clean (`work-tree` in its details); one made before tagship
recorded that says nothing, which the audit notes without failing it. Pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from tagship.core.ci_identity import shown

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from tagship.core.ledger import Record

WORK_TREE = "work-tree"  # the details key
CLEAN, DIRTY = "clean", "dirty"
_SHA = 12  # hex digits of a hash or commit shown


def _bytes_differ(group: Sequence[Record]) -> str | None:
    seen: dict[str, tuple[int, str]] = {}
    for record in group:
        for entry in record.event.files:
            seq, digest = seen.setdefault(entry.name, (record.seq, entry.sha256))
            if digest != entry.sha256:
                return (
                    f"claims two sets of bytes for {shown(entry.name)}: record #{seq} sha256 "
                    f"{digest[:_SHA]}, record #{record.seq} sha256 {entry.sha256[:_SHA]}"
                )
    return None


def _commits_differ(group: Sequence[Record]) -> str | None:
    first = group[0]
    for record in group[1:]:
        if record.event.commit != first.event.commit:
            return (
                f"claims two commits: record #{first.seq} {shown(first.event.commit)[:_SHA]}, "
                f"record #{record.seq} {shown(record.event.commit)[:_SHA]}"
            )
    return None


def replays(records: Iterable[Record]) -> list[tuple[tuple[Record, ...], str]]:
    """Each run attempt whose records (those listing files) disagree: its records, and why."""
    attempts: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        actor = record.actor
        if actor.is_ci and actor.run_id and record.event.files:
            attempts.setdefault((actor.run_id, actor.run_attempt or ""), []).append(record)
    found = []
    for (run, attempt), group in attempts.items():
        why = _bytes_differ(group) or _commits_differ(group)
        if why is not None:
            detail = (
                f"run {shown(run)} attempt {shown(attempt)} {why}: a run attempt builds once, "
                "so a record copied its identity"
            )
            found.append((tuple(group), detail))
    return found


def replayed_versions(
    records: Iterable[Record], project: str, normalise: Callable[[str], str]
) -> dict[str, list[str]]:
    """Version (normalised) -> why, for each replayed run attempt with a record of `project`
    (canonical) at that version."""
    found: dict[str, list[str]] = {}
    for group, detail in replays(records):
        for record in group:
            if canonicalize_name(record.event.project) == project:
                details = found.setdefault(normalise(record.event.version), [])
                if detail not in details:
                    details.append(detail)
    return found


def dirty_tree(record: Record) -> str | None:
    """The finding of a record that says its work tree had uncommitted changes."""
    if record.event.details.get(WORK_TREE) == DIRTY:
        return f"record #{record.seq} was made from a work tree with uncommitted changes"
    return None


def tree_unknown(record: Record) -> str | None:
    """The note of a record that does not say whether its work tree was clean."""
    if WORK_TREE not in record.event.details:
        return (
            f"record #{record.seq} does not say whether its work tree was clean "
            "(made before tagship recorded it)"
        )
    return None
