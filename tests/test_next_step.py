"""Every report ends with the next step, the command's own choice of it (status, init, doctor,
publish, wait, verify-artifacts, a planned dry run, hotfix start, rollback plan); a failure
ends with its hint instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from releases import make_release
from servers import PypiServer, running_pypiserver

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, CliResult, MakeRepo, Repo

PYPROJECT = '[project]\nname = "nextpkg"\nversion = "1.0.0"\n'


def _last(result: CliResult) -> str:
    assert result.code == 0, result.out + result.err
    return result.out.splitlines()[-1]


def test_status_says_what_the_release_state_asks_for(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    path = str(repo.path)
    assert _last(cli("-C", path, "status")) == "next: tagship dry-run: the test release of 1.0.0"
    repo.write("notes.txt", "draft\n")
    assert _last(cli("-C", path, "status")) == (
        "next: commit or stash the changes: a release is built from a clean tree"
    )
    (repo.path / "notes.txt").unlink()
    repo.tag("v1.0.0")
    assert _last(cli("-C", path, "status")) == (
        "next: v1.0.0 exists: tagship bump patch (or minor, major) moves on"
    )
    (repo.path / "pyproject.toml").write_text(PYPROJECT.replace("1.0.0", "1.1.0.dev0"))
    repo.commit("start 1.1.0")
    assert _last(cli("-C", path, "status")) == (
        "next: tagship bump 1.1.0, the release it heads for; then tagship dry-run"
    )
    # machines get the document, not a sentence after it
    assert "next:" not in cli("-C", path, "status", "--format", "json").out


def test_init_then_doctor(charmos: Repo, cli: Cli) -> None:
    path = str(charmos.path)
    # the charmos fixture ran init already: nothing new is written the second time
    assert _last(cli("-C", path, "init")) == "next: tagship doctor"
    assert _last(cli("-C", path, "doctor")) == "next: tagship dry-run: the first test release"


def test_a_fresh_init_says_to_commit_the_files(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    assert _last(cli("-C", str(repo.path), "init")) == (
        "next: commit the files, then tagship doctor"
    )


def test_a_failure_ends_with_its_hint_not_a_next_step(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    (repo.path / ".github" / "workflows").mkdir(parents=True)
    (repo.path / ".github" / "workflows" / "publish-pypi.yml").write_text("on: push\njobs: {}\n")
    result = cli("-C", str(repo.path), "doctor")
    assert result.code == 1
    assert "next:" not in result.out + result.err
    assert result.err.splitlines()[-1].endswith("(hint: fix each finding listed above)")


def test_hotfix_start_and_rollback_plan(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    repo.tag("v1.0.0", push=True)
    path = str(repo.path)
    assert _last(cli("-C", path, "rollback", "plan", "1.0.0")) == (
        "next: run the tagship commands of the option you choose, in the order above"
    )
    assert _last(cli("-C", path, "hotfix", "start", "v1.0.0")) == (
        "next: apply the smallest safe fix, push the branch, run the required checks and the "
        "TestPyPI dry run, tag v1.0.1, then run tagship hotfix finish"
    )


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "packages") as server:
        yield server


@pytest.mark.integration
def test_publish_then_wait_then_install(
    index: PypiServer,
    make_repo: MakeRepo,
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    release = make_release(
        make_repo, index.upload_url, index.simple_url, extra="required-checks = []"
    )
    path = str(release.repo.path)
    planned = cli("-C", path, "dry-run", "--dry-run", "--index", "local", "--checks", "local")
    assert _last(planned) == (
        "next: tagship dry-run, without --dry-run: build, publish to local, verify"
    )
    assert _last(cli("-C", path, "publish", "--to", "local")) == (
        "next: tagship wait --index local: until the index shows every file"
    )
    assert _last(cli("-C", path, "wait", "--index", "local", "--timeout", "5")) == (
        "next: tagship verify-install --index local: install it in a clean venv"
    )
    assert _last(cli("-C", path, "verify-artifacts")) == (
        "next: tagship publish --index INDEX, or tagship dry-run to do it all"
    )
    shown = summary.read_text()
    assert "### Published to local" in shown
    # a command with no summary of its own still leaves its outcome there
    assert "### tagship wait: ok" in shown
    assert "### tagship verify-artifacts: ok" in shown
