"""rollback migrate: a real Alembic environment on a real SQLite database."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest

from rollback_kit import records, released_project
from tagship.adapters.alembic_db import AlembicDatabase
from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

    from conftest import Cli, MakeRepo, Repo

INI = """\
[alembic]
script_location = migrations
sqlalchemy.url = sqlite:///%(here)s/app.db
"""
ENV = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
engine = engine_from_config(
    config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
"""
SCRIPT = """\
from alembic import op

revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    op.execute("{up}")


def downgrade():
    op.execute("{down_sql}")
"""
ADD_EMAIL = "ALTER TABLE users ADD COLUMN email TEXT"
REVISIONS = (
    ("a1000001", None, "CREATE TABLE users (id INTEGER)", "DROP TABLE users"),
    ("b2000002", "a1000001", ADD_EMAIL, "ALTER TABLE users DROP COLUMN email"),
    ("c3000003", "b2000002", "CREATE TABLE flags (name TEXT)", "DROP TABLE flags"),
)


def write_environment(root: Path) -> None:
    (root / "alembic.ini").write_text(INI)
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV)
    (root / "migrations" / "script.py.mako").write_text("")
    for rev, down, up, down_sql in REVISIONS:
        text = SCRIPT.format(rev=rev, down=down, up=up, down_sql=down_sql)
        (versions / f"{rev}.py").write_text(text)


def db_revision(root: Path) -> str | None:
    with sqlite3.connect(root / "app.db") as connection:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    connection.close()
    return rows[0][0] if rows else None


def tables(root: Path) -> set[str]:
    with sqlite3.connect(root / "app.db") as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    connection.close()
    return {row[0] for row in rows}


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    repo = released_project(make_repo)
    write_environment(repo.path)
    (repo.path / ".gitignore").write_text("app.db\n__pycache__/\n")
    repo.commit("migrations")
    return repo


def _migrate(cli: Cli, repo: Repo, revision: str, *extra: str) -> tuple[int, str, str]:
    result = cli("-C", str(repo.path), "rollback", "migrate", "--revision", revision, *extra)
    return result.code, result.out, result.err


def test_upgrade_then_downgrade_records_from_and_to(repo: Repo, cli: Cli) -> None:
    code, out, err = _migrate(cli, repo, "head")
    assert code == 0, err
    assert "upgraded the database from base to c3000003" in out
    assert db_revision(repo.path) == "c3000003"
    assert {"users", "flags"} <= tables(repo.path)
    code, out, err = _migrate(cli, repo, "b2", "--release", "1.3.0")  # a prefix is enough
    assert code == 0, err
    assert "downgraded the database from c3000003 to b2000002" in out
    assert db_revision(repo.path) == "b2000002"
    assert "flags" not in tables(repo.path)
    up, down = records(repo.path)[-2:]
    assert up.event.details == {
        "config": "alembic.ini",
        "direction": "upgrade",
        "from": "base",
        "to": "c3000003",
    }
    assert (down.event.kind, down.event.version) == ("rollback-migration", "1.3.0")
    assert (down.event.details["from"], down.event.details["to"]) == ("c3000003", "b2000002")


def test_dry_run_and_no_op_change_nothing(repo: Repo, cli: Cli) -> None:
    assert _migrate(cli, repo, "b2000002")[0] == 0
    code, out, _ = _migrate(cli, repo, "base", "--dry-run")
    assert code == 0
    assert "would downgrade the database from b2000002 to base (dry run)" in out
    assert db_revision(repo.path) == "b2000002"
    code, out, _ = _migrate(cli, repo, "b2000002")
    assert "already at b2000002: nothing to do" in out
    assert len(records(repo.path)) == 1


def test_unknown_revision_and_missing_config(repo: Repo, cli: Cli) -> None:
    code, _, err = _migrate(cli, repo, "zz999")
    assert code == 2
    assert "unknown Alembic revision 'zz999'" in err
    assert err.count("\n") == 1
    assert not (repo.path / "app.db").exists() or db_revision(repo.path) is None
    code, _, err = _migrate(cli, repo, "head", "--config", "nope.ini")
    assert code == 2
    assert "no Alembic configuration at" in err
    assert records(repo.path) == []


def test_a_failing_migration_is_a_service_error_without_a_record(repo: Repo, cli: Cli) -> None:
    bad = repo.path / "migrations" / "versions" / "d4000004.py"
    bad.write_text(
        SCRIPT.format(rev="d4000004", down="c3000003", up="CREATE TABLE users (x)", down_sql="")
    )
    code, _, err = _migrate(cli, repo, "d4000004")
    assert code == 3
    assert "Alembic failed to upgrade to d4000004" in err
    assert records(repo.path) == []


def test_the_missing_extra_is_named(tmp_path: Path) -> None:
    def absent(name: str) -> ModuleType:
        raise ModuleNotFoundError(name)

    with pytest.raises(ConfigError) as caught:
        AlembicDatabase(tmp_path / "alembic.ini", importer=absent)
    assert caught.value.message == "tagship rollback migrate needs alembic, which is not installed"
    assert caught.value.hint == "pip install 'tagship[db]'"
