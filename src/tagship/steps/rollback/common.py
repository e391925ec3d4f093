"""What every recorded rollback step shares: make sure the record can be written first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.ledger_store import read_ledger
from tagship.core.errors import IntegrityError

if TYPE_CHECKING:
    from tagship.adapters.git import Git
    from tagship.workspace import Workspace


def recordable(workspace: Workspace) -> Git:
    """The work tree whose ledger will take the record; IntegrityError when the ledger is
    broken, checked before acting so a world-changing step never goes unrecorded."""
    git = workspace.require_git()
    check = read_ledger(git)
    if check.problem is not None:
        raise IntegrityError(
            f"the ledger is broken at record {check.problem.position}: {check.problem.message}; "
            "refusing to act without being able to record it",
            hint="run `tagship ledger verify` and restore the ledger ref from a good copy",
        )
    return git
