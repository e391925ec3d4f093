"""One package of a three-package uv workspace through the whole release, on real local indexes
and a bare git remote: status -> notes -> bump -> dry run -> tag -> release (as the tag's CI
job) -> audit, and none of the other packages touched."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import pytest

from conftest import git
from release_world import FAST_CHECKS, files_on, ok
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import read_ledger
from tagship.adapters.local_index import running_index
from tagship.adapters.process import run
from tagship.flows.sample import SampleIndex
from tagship.flows.stand_ins import ci_identity
from tagship.flows.workspace_sample import Member, create_workspace_sample

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli

pytestmark = pytest.mark.integration

MEMBERS = (
    Member("ws-core"),
    Member("ws-app", depends=(("ws-core", ">=0.1,<0.2"),)),
    Member("ws-extra"),
)


def _tags(work: Path) -> set[str]:
    return set(git(work, "tag", "-l").split())


def test_one_package_of_three_goes_through_the_whole_release(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        running_index(tmp_path / "test-index") as test,
        running_index(tmp_path / "prod-index") as prod,
    ):
        indexes = [
            SampleIndex("testpypi", test.upload_url, test.simple_url),
            SampleIndex("pypi", prod.upload_url, prod.simple_url),
        ]
        sample = create_workspace_sample(
            tmp_path / "ws", members=MEMBERS, indexes=indexes, checks=FAST_CHECKS, runner=run
        )
        work = str(sample.work)
        before = _tags(sample.work)

        status = json.loads(ok(cli("-C", work, "status", "--format", "json")).out)
        rows = {row["package"]: row for row in status["packages"]}
        assert rows["ws-core"]["next_version"] == "0.2.0"
        assert rows["ws-core"]["requires"] == [
            "releasing 0.2.0 requires releasing ws-app (it pins ws-core>=0.1,<0.2)"
        ]
        assert rows["ws-app"]["next_version"] is None
        assert rows["ws-extra"]["next_version"] is None

        core = ("-C", work, "--package", "ws-core")
        notes = ok(cli(*core, "notes", "--local"))
        assert "suggested next version: 0.2.0 (minor bump of 0.1.0)" in notes.out
        assert "Add greet_twice to ws-core (#1)" in notes.out
        quiet = ok(cli("-C", work, "--package", "ws-extra", "notes", "--local"))
        assert "0 pull requests since ws-extra-v0.1.0; nothing to release" in quiet.out

        ok(cli(*core, "bump", "minor", "--commit"))
        git(sample.work, "push", "--quiet", "origin", "main")
        dry = ok(cli(*core, "dry-run", "--checks", "local"))
        assert "[passed] record: ledger record" in dry.out
        assert sorted(files_on(test)) == [
            "ws_core-0.2.0-py3-none-any.whl",
            "ws_core-0.2.0.tar.gz",
        ]
        tagged = ok(cli(*core, "tag", "--checks", "local"))
        assert "ws-core-v0.2.0" in tagged.out
        assert _tags(sample.work) == {*before, "ws-core-v0.2.0"}

        # the tag's CI job: the package comes from the tag alone (no --package)
        sha = git(sample.work, "rev-parse", "HEAD")
        for key, value in ci_identity({}, "ws-core-v0.2.0", sha).items():
            monkeypatch.setenv(key, value)
        ok(cli("-C", work, "check-tag"))
        shutil.rmtree(sample.work / "packages" / "ws-core" / "dist", ignore_errors=True)
        released = ok(cli("-C", work, "release"))
        assert "[passed] verify-install" in released.out
        assert files_on(prod) == files_on(test)
        monkeypatch.delenv("GITHUB_ACTIONS")
        monkeypatch.delenv("GITHUB_REF")

        _audited_and_only_ws_core_touched(cli, sample.work, before)
        _app_needs_core_on_the_index(cli, sample.work)


def _audited_and_only_ws_core_touched(cli: Cli, path: Path, before: set[str]) -> None:
    work = str(path)
    core = ("-C", work, "--package", "ws-core")
    audit = ok(cli(*core, "audit", "--index", "pypi"))
    assert "audit of ws-core on pypi" in audit.out
    assert _tags(path) == {*before, "ws-core-v0.2.0"}
    records = read_ledger(Git(path)).records
    assert {r.event.project for r in records} == {"ws-core"}
    shown = ok(cli("-C", work, "--package", "ws-app", "ledger", "show", "--format", "json"))
    assert json.loads(shown.out)["records"] == []
    mine = ok(cli(*core, "ledger", "show", "--format", "json"))
    assert len(json.loads(mine.out)["records"]) == len(records)
    every = json.loads(ok(cli("-C", work, "audit", "--index", "pypi", "--format", "json")).out)
    audited = {r["project"]: len(r["versions"]) for r in every["packages"]}
    assert audited == {"ws-app": 0, "ws-core": 1, "ws-extra": 0}
    after = json.loads(ok(cli("-C", work, "status", "--format", "json")).out)
    rows = {row["package"]: row for row in after["packages"]}
    assert rows["ws-core"]["last_release_tag"] == "ws-core-v0.2.0"
    assert rows["ws-core"]["next_version"] is None
    assert rows["ws-app"]["version"] == "0.1.0"


def _app_needs_core_on_the_index(cli: Cli, path: Path) -> None:
    """ws-app's dry run asks the dependency index (production) for the ws-core it pins."""
    app = path / "packages" / "ws-app"
    text = (app / "pyproject.toml").read_text()
    for pin, released in ((">=0.3", False), (">=0.2,<0.3", True)):
        (app / "pyproject.toml").write_text(text.replace(">=0.1,<0.2", pin))
        git(path, "commit", "--quiet", "--all", "-m", f"ws-app needs ws-core{pin}")
        result = cli("-C", str(app), "dry-run", "--checks", "local", "--dry-run")
        gate = next(g for g in result.out.splitlines() if "internal dependencies" in g)
        if released:
            assert gate.startswith("[passed]"), result.out
        else:
            assert result.code == 1
            assert "no such version of ws-core is on" in gate
            assert "release ws-core first" in gate
