"""Hostile local state: --debug keeps every exit code; files that are FIFOs or devices, a
version-files pattern that backtracks without end, a `dist` that is a file, and a revert of
a repository's first commit. Each runs the real `tagship` program, with a timeout: a hang
fails the test instead of the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import CliResult, git
from hostile import assert_refused
from rollback_kit import records, released_project, state

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import MakeRepo

    Setup = Callable[[MakeRepo], list[str]]

TAGSHIP = Path(sys.executable).with_name("tagship")  # the installed console script
TIMEOUT = 20.0


def tagship(*args: str, timeout: float = TIMEOUT) -> CliResult:
    """The real program in a child process; a run past `timeout` fails the test."""
    try:
        done = subprocess.run(
            [str(TAGSHIP), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"tagship {' '.join(args)} still ran after {timeout} s")
    return CliResult(done.returncode, done.stdout, done.stderr)


# --- 7: --debug shows the traceback, and exits as the error would without it -------------


def _no_pyproject(make_repo: MakeRepo) -> list[str]:
    repo = make_repo()
    (repo.path / "pyproject.toml").unlink()
    return ["-C", str(repo.path), "version"]


def _corrupt_index(make_repo: MakeRepo) -> list[str]:
    repo = make_repo()
    (repo.path / ".git" / "index").write_bytes(b"garbage")
    return ["-C", str(repo.path), "status"]


def _broken_origin(make_repo: MakeRepo) -> list[str]:
    repo = make_repo()  # urllib raises ValueError on the mistyped IPv6 host: a crash
    git(repo.path, "remote", "set-url", "origin", "https://[::1/owner/repo.git")
    return ["-C", str(repo.path), "version"]


def _unknown_tag(make_repo: MakeRepo) -> list[str]:
    repo = make_repo()
    return ["-C", str(repo.path), "check-tag", "v9.9.9"]


@pytest.mark.parametrize(
    ("make", "code", "line"),
    [
        (_unknown_tag, 1, "tagship: error: "),
        (_no_pyproject, 2, "tagship: error: no pyproject.toml at "),
        (_corrupt_index, 3, "tagship: error: git status "),
        (_broken_origin, 70, "tagship: internal error: ValueError: Invalid IPv6 URL "),
    ],
)
@pytest.mark.parametrize("debug", [False, True])
def test_debug_keeps_the_exit_code(
    make_repo: MakeRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make: Setup,
    code: int,
    line: str,
    *,
    debug: bool,
) -> None:
    monkeypatch.setenv("TAGSHIP_CACHE_DIR", str(tmp_path / "cache"))
    args = make(make_repo)
    result = tagship(*(["--debug"] if debug else []), *args)
    assert result.code == code, result.err
    last = result.err.splitlines()[-1]
    assert last.startswith(line), result.err
    assert ("Traceback (most recent call last):" in result.err) is debug
    crashes = tmp_path / "cache" / "crashes"
    if code == 70:
        # the traceback goes to a log, or with --debug on the screen instead
        assert last.endswith("(traceback above; please report it)") is debug
        assert crashes.exists() is not debug
    else:
        assert not crashes.exists()
    if not debug:
        assert result.err.count("\n") == 1


def test_debug_in_github_actions_masks_and_stops_workflow_commands(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo()
    leaked = "ghs_0123456789abcdef"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "runner-temp"))
    monkeypatch.setenv("GITHUB_TOKEN", leaked)
    # a token pasted into the wrong variable: int() puts it into the exception's message
    monkeypatch.setenv("GIT_CONFIG_COUNT", leaked)
    result = tagship("--debug", "-C", str(repo.path), "version")
    assert result.code == 70
    assert leaked not in result.err
    assert result.err.startswith("::group::tagship traceback\n::stop-commands::")
    assert "in github_actions_auth" in result.err
    assert result.err.splitlines()[-1].endswith("(traceback above; please report it)")
    assert not (tmp_path / "runner-temp").exists()


# --- 10: rollback revert refuses what is never a release rollback ------------------------


def test_revert_refuses_the_first_commit(make_repo: MakeRepo) -> None:
    repo = make_repo()  # reverted, its only commit touching pyproject.toml deletes it
    root = git(repo.path, "rev-parse", "HEAD")
    repo.write("app.py", "VALUE = 1\n")
    repo.commit("app")
    before = state(repo.path)
    result = tagship("-C", str(repo.path), "rollback", "revert", root[:10])
    line = assert_refused(result, 2)
    assert f"commit {root[:12]} ({root[:10]}) is a root commit (it has no parent)" in line
    assert state(repo.path) == before
    assert records(repo.path) == []


def test_revert_refuses_the_root_of_a_merged_history(make_repo: MakeRepo) -> None:
    repo = released_project(make_repo)
    git(repo.path, "switch", "--quiet", "--orphan", "docs")
    repo.write("docs.md", "# Docs\n")
    other_root = repo.commit("docs")
    git(repo.path, "switch", "--quiet", "main")
    git(repo.path, "merge", "--quiet", "--allow-unrelated-histories", "-m", "Merge docs", "docs")
    before = state(repo.path)
    result = tagship("-C", str(repo.path), "rollback", "revert", "docs")
    line = assert_refused(result, 2)
    assert f"commit {other_root[:12]} (docs) is a root commit (it has no parent)" in line
    assert state(repo.path) == before


def test_revert_refuses_a_commit_off_the_branch(make_repo: MakeRepo) -> None:
    repo = released_project(make_repo)
    git(repo.path, "switch", "--quiet", "-c", "elsewhere")
    repo.write("other.py", "OTHER = 1\n")
    elsewhere = repo.commit("elsewhere")
    git(repo.path, "switch", "--quiet", "main")
    before = state(repo.path)
    result = tagship("-C", str(repo.path), "rollback", "revert", elsewhere)
    line = assert_refused(result, 2)
    assert f"commit {elsewhere[:12]} ({elsewhere}) is not on main" in line
    assert state(repo.path) == before
