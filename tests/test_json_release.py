"""A whole release with `--format json` on every command a maintainer and the release jobs run:
the sample project, two real pypiservers as TestPyPI and PyPI, a bare origin. Each command
prints one document in the envelope with the fields docs/json.md lists, nothing else."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pytest

from json_kit import document
from release_world import as_ci, bump, files_on, release_world

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from conftest import Cli
    from release_world import World

pytestmark = pytest.mark.integration


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with release_world(tmp_path) as made:
        yield made


def _runner(world: World, cli: Cli) -> Callable[..., dict[str, Any]]:
    def run(label: str, *args: str, code: int = 0) -> dict[str, Any]:
        result = cli("-C", world.path, *label.split(), *args, "--format", "json")
        return document(result, label, code)

    return run


def _statuses(flow: dict[str, Any]) -> set[str]:
    return {step["status"] for step in flow["steps"]}


def test_a_release_step_by_step(world: World, cli: Cli, tmp_path: Path) -> None:
    run = _runner(world, cli)
    assert run("checks", "--local")["passed"] is True
    bump(world, cli)
    built = run("build")
    assert sorted(f["kind"] for f in built["manifest"]["files"]) == ["sdist", "wheel"]
    assert run("verify-artifacts")["manifest"] is True
    planned = run("dry-run", "--dry-run", "--checks", "local")
    assert (planned["flow"], "would run" in _statuses(planned)) == ("dry-run", True)
    outbox = tmp_path / "outbox"
    published = run("publish", "--index", "testpypi", "--record-to", str(outbox / "p.jsonl"))
    assert {f["action"] for f in published["files"]} == {"uploaded"}
    assert [e["status"] for e in run("record", str(outbox))["events"]] == ["recorded"]
    assert run("wait", "--index", "testpypi")["polls"] >= 1
    installed = run("verify-install", "--index", "testpypi", "--record-dry-run")
    assert all(check["ok"] for check in installed["checks"])
    parts = tmp_path / "parts"
    for number, built_file in enumerate(built["manifest"]["files"]):
        (parts / str(number)).mkdir(parents=True)
        shutil.copy(world.sample.work / "dist" / built_file["name"], parts / str(number))
    merged = run(
        "manifest merge", "--out", str(tmp_path / "merged"), str(parts / "0"), str(parts / "1")
    )
    assert [f["sha256"] for f in merged["manifest"]["files"]] == [
        f["sha256"] for f in built["manifest"]["files"]
    ]


def test_dry_run_tag_release_and_after(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _runner(world, cli)
    bump(world, cli)
    dry = run("dry-run", "--checks", "local")
    assert _statuses(dry) == {"passed"}
    tagged = run("tag", "--checks", "local")
    assert tagged["flow"] == "tag"
    as_ci(world, monkeypatch, "v0.2.0")
    shutil.rmtree(world.sample.work / "dist")  # the tag's job starts from a fresh checkout
    released = run("release")
    assert "failed" not in _statuses(released)
    assert files_on(world.prod_index) == files_on(world.test_index)
    promoted = run("promote")
    assert (promoted["index"], promoted["fetched"]) == ("testpypi", 0)
    assert run("rebuild-check")["identical"] is True
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert run("audit", "--index", "pypi")["versions"]
    assert run("ledger verify")["count"] >= 4
    assert run("docs-links", "v0.2.0")["flow"] == "docs-links"
    yank = run("rollback yank", "0.2.0", "--reason", "broken", "--index", "pypi", "--no-wait")
    assert (yank["yanked"], yank["ledger_seq"]) == (False, None)
    assert yank["intent_seq"] is not None


def test_a_stopped_flow_keeps_its_steps(world: World, cli: Cli) -> None:
    (world.sample.work / "scratch.txt").write_text("wip")
    stopped = _runner(world, cli)("dry-run", "--checks", "local", code=1)
    assert "failed" in _statuses(stopped)
    assert "uncommitted changes: scratch.txt" in stopped["error"]["message"]


@pytest.mark.slow
def test_the_demo(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", "--workdir", str(tmp_path / "demo"), "--format", "json")
    demo = document(result, "demo")
    assert (demo["flow"], _statuses(demo)) == ("demo", {"passed"})
    assert demo["workdir"] == str(tmp_path / "demo")
