"""Rollback option 5: a database mitigation migration with Alembic, recorded with its
revisions before and after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.ledger_store import append_event
from tagship.core.ledger import Event
from tagship.steps.rollback.common import recordable

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.adapters.alembic_db import AlembicDatabase, Migration
    from tagship.core.ledger import Record
    from tagship.workspace import Workspace

EVENT = "rollback-migration"


@dataclass(frozen=True)
class MigrationResult:
    migration: Migration
    reached: str | None  # the database's revision afterwards
    applied: bool
    record: Record | None = None


def migrate(
    workspace: Workspace,
    database: AlembicDatabase,
    *,
    revision: str,
    config_path: Path,
    version: str | None,
    dry_run: bool,
) -> MigrationResult:
    """Upgrade or downgrade the database to `revision` and record from and to revisions."""
    migration = database.plan(database.resolve(revision))
    if dry_run or migration.direction == "none":
        return MigrationResult(migration, migration.start, applied=False)
    git = recordable(workspace)
    reached = database.apply(migration)
    event = Event(
        kind=EVENT,
        project=workspace.name,
        version=version or str(workspace.version()),
        details={
            "config": _shown(config_path, workspace.root),
            "direction": migration.direction,
            "from": migration.start or "base",
            "to": reached or "base",
        },
    )
    return MigrationResult(
        migration, reached, applied=True, record=append_event(git, event, workspace.env)
    )


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
