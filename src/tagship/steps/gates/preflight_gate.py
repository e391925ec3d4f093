"""`tag`'s preflight gate: before the tag is pushed, the dry run's files (which the release
promotes) against the production index's rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.steps.gates.gates import Gate
from tagship.steps.publish.preflight import NAME, entries_target, preflight, preflight_summary

if TYPE_CHECKING:
    from tagship.adapters.http import Http
    from tagship.core.config import IndexConfig
    from tagship.core.ledger import Record
    from tagship.workspace import Workspace


def preflight_gate(
    workspace: Workspace, http: Http, index: IndexConfig, dry_run: Record | None
) -> Gate:
    """Passed when `index` would take the dry run's files; a PreflightError (every refusal)
    otherwise, which `guarded` shows as the closed gate."""
    if dry_run is None:
        return Gate(NAME, "skipped", "no dry run recorded: its files are what the release uploads")
    event = dry_run.event
    target = entries_target(index, workspace.name, event.version, event.files)
    return Gate(NAME, "passed", preflight_summary(preflight(workspace, target, index, http=http)))
