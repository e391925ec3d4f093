"""A database's Alembic environment (extra `db`): where it stands, and moving it to a revision.

Alembic runs in-process and runs the project's own `env.py`, so the database URL, engine and
options are whatever the project configured. A relative `script_location` is taken relative
to the alembic.ini (Alembic itself would take it relative to the current directory).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tagship.adapters.extras import Importer, import_extra
from tagship.core.errors import ConfigError, ServiceError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

Direction = Literal["upgrade", "downgrade", "none"]
BASE = "base"


@dataclass(frozen=True)
class Migration:
    """A move from one revision to another (None: the empty database, `base`)."""

    start: str | None
    target: str | None
    direction: Direction


class AlembicDatabase:
    """The database an alembic.ini and its env.py point at."""

    def __init__(self, ini: Path, *, importer: Importer | None = None) -> None:
        extra = {"importer": importer} if importer is not None else {}
        import_extra("alembic", extra="db", package="alembic", command="rollback migrate", **extra)
        from alembic.config import Config  # noqa: PLC0415 - optional dependency
        from alembic.script import ScriptDirectory  # noqa: PLC0415
        from alembic.util import CommandError  # noqa: PLC0415

        if not ini.is_file():
            raise UsageError(
                f"no Alembic configuration at {ini}",
                hint="pass --config path/to/alembic.ini",
            )
        self._errors: tuple[type[Exception], ...] = (CommandError,)
        self.config = Config(str(ini))
        location = self.config.get_main_option("script_location")
        if location is None:
            raise ConfigError(f"{ini} sets no script_location", hint="see alembic init")
        if ":" not in location and not Path(location).is_absolute():
            self.config.set_main_option("script_location", str(ini.parent / location))
        try:
            self.script = ScriptDirectory.from_config(self.config)
        except CommandError as exc:
            raise ConfigError(f"{ini}: {exc}") from None

    def _guard(self, what: str, call: Callable[[], Any]) -> Any:
        from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

        caught: tuple[type[Exception], ...] = (*self._errors, SQLAlchemyError)
        try:
            return call()
        except caught as exc:
            text = f"Alembic failed to {what}: {exc}".splitlines()[0]
            raise ServiceError(text, hint="see the migration's log output above") from exc

    def current(self) -> str | None:
        """The database's revision (None: empty); UsageError when it has several heads."""
        from alembic.runtime.environment import EnvironmentContext  # noqa: PLC0415

        heads: list[str] = []

        def look(_: Any, context: Any) -> list[Any]:
            heads.extend(context.get_current_heads())
            return []

        def run() -> None:
            with EnvironmentContext(self.config, self.script, fn=look, dont_mutate=True):
                self.script.run_env()

        self._guard("read the database's revision", run)
        if len(heads) > 1:
            raise UsageError(
                f"the database is at several revisions ({', '.join(heads)})",
                hint="migrate each branch by hand with alembic",
            )
        return heads[0] if heads else None

    def resolve(self, revision: str) -> str | None:
        """The full id of `revision` (a prefix, `head` or `base` too); None for base."""
        if revision == BASE:
            return None
        try:
            found = self.script.get_revision(revision)
        except self._errors as exc:
            raise UsageError(
                f"unknown Alembic revision {revision!r}: {exc}".splitlines()[0],
                hint="list them with: alembic history",
            ) from None
        if found is None:
            raise UsageError(f"{revision!r} names no single Alembic revision")
        name: str = found.revision
        return name

    def _lineage(self, revision: str) -> set[str]:
        return {s.revision for s in self.script.walk_revisions(base=BASE, head=revision)}

    def plan(self, target: str | None) -> Migration:
        """Which way the database must move to reach `target`."""
        start = self.current()
        if start == target:
            return Migration(start, target, "none")
        if target is None or (start is not None and target in self._lineage(start)):
            return Migration(start, target, "downgrade")
        if start is None or start in self._lineage(target):
            return Migration(start, target, "upgrade")
        raise UsageError(
            f"revision {target} is on another branch than the database's {start}",
            hint="migrate across branches by hand with alembic",
        )

    def apply(self, migration: Migration) -> str | None:
        """Run the migration; returns the revision the database is at afterwards."""
        from alembic import command  # noqa: PLC0415

        target = migration.target or BASE
        if migration.direction == "upgrade":
            self._guard(f"upgrade to {target}", lambda: command.upgrade(self.config, target))
        elif migration.direction == "downgrade":
            self._guard(f"downgrade to {target}", lambda: command.downgrade(self.config, target))
        return self.current()
