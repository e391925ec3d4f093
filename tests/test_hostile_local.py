"""Hostile local state: --debug keeps every exit code; files that are FIFOs or devices, a
version-files pattern that backtracks without end, a `dist` that is a file, and a revert of
a repository's first commit. Each runs the real `tagship` program, with a timeout: a hang
fails the test instead of the suite."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import STATIC_PYPROJECT, CliResult, git
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
    assert "in host_auth" in result.err
    assert result.err.splitlines()[-1].endswith("(traceback above; please report it)")
    assert not (tmp_path / "runner-temp").exists()


# --- 8: files that are no regular file, patterns that backtrack, a `dist` that is a file ---


@pytest.mark.parametrize("kind", ["FIFO", "link to /dev/zero", "directory"])
def test_a_pyproject_that_is_no_regular_file_is_refused(tmp_path: Path, kind: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    if kind == "FIFO":
        os.mkfifo(pyproject)  # reading it waits for a writer that never comes
    elif kind == "directory":
        pyproject.mkdir()
    else:
        pyproject.symlink_to("/dev/zero")  # reading it never ends
    result = tagship("-C", str(project), "version")
    line = assert_refused(result, 2)
    shown = {
        "FIFO": "a FIFO",
        "link to /dev/zero": "a character device",
        "directory": "a directory",
    }
    assert f"{pyproject} is not a regular file ({shown[kind]})" in line


def test_a_pyproject_larger_than_the_bound_is_refused(tmp_path: Path) -> None:
    padding = "# padding\n" * (2 << 20)  # 20 MiB of comments
    (tmp_path / "pyproject.toml").write_text(STATIC_PYPROJECT + padding)
    line = assert_refused(tagship("-C", str(tmp_path), "version"), 2)
    assert "is larger than 16 MiB" in line


def test_a_version_file_that_is_a_fifo_is_refused(make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            "pyproject.toml": STATIC_PYPROJECT.replace(
                'version = "0.4.22"', 'dynamic = ["version"]'
            )
            + '[tool.hatch.version]\npath = "src/sample_pkg/__about__.py"\n',
            "src/sample_pkg/__init__.py": "",
        }
    )
    os.mkfifo(repo.path / "src" / "sample_pkg" / "__about__.py")
    line = assert_refused(tagship("-C", str(repo.path), "version"), 2)
    assert "__about__.py is not a regular file (a FIFO)" in line


@pytest.mark.parametrize(
    ("path", "command", "code"),
    [
        ("README.md", "check-docs", 1),  # a failed check: the readme is its finding
        (".github/workflows/ci.yml", "doctor", 2),
    ],
)
def test_other_project_files_that_are_fifos_are_refused(
    make_repo: MakeRepo, path: str, command: str, code: int
) -> None:
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT + 'readme = "README.md"\n'})
    (repo.path / path).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(repo.path / path)
    line = assert_refused(tagship("-C", str(repo.path), command), code)
    assert f"{path} is not a regular file (a FIFO)" in line


BIG = "a" * 40_000 + "!"  # 40 kB on one line, ending in what no pattern below wants


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?P<version>(a+)+)$",  # nested quantifiers: exponential
        r"(?P<version>\w+)\w*\w*=",  # three overlapping runs: cubic
    ],
)
def test_a_pattern_that_backtracks_is_stopped(make_repo: MakeRepo, pattern: str) -> None:
    entry = f"[tool.tagship]\nversion-files = [{{ path = 'big.txt', pattern = '{pattern}' }}]\n"
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT + entry, "big.txt": BIG})
    before = state(repo.path)
    started = time.monotonic()
    result = tagship("-C", str(repo.path), "bump", "patch")
    took = time.monotonic() - started
    line = assert_refused(result, 2)
    assert "version-files: the pattern of big.txt did not finish within 5 s" in line
    assert took < 15, took
    assert state(repo.path) == before


def test_a_fair_pattern_still_bumps(make_repo: MakeRepo) -> None:
    pattern = "v(?P<version>[0-9.]+)"
    entry = f"[tool.tagship]\nversion-files = [{{ path = 'docs.md', pattern = '{pattern}' }}]\n"
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT + entry, "docs.md": BIG + "\nv0.4.22\n"})
    result = tagship("-C", str(repo.path), "bump", "patch")
    assert result.code == 0, result.err
    assert (repo.path / "docs.md").read_text().endswith("\nv0.4.23\n")


@pytest.mark.parametrize(
    "command",
    [
        ("build",),
        ("verify-artifacts",),
        ("publish", "--to", "here"),
        ("manifest", "merge", "--out", "dist", "x"),
    ],
)
def test_a_dist_that_is_a_file_is_refused(make_repo: MakeRepo, command: tuple[str, ...]) -> None:
    pyproject = STATIC_PYPROJECT + 'readme = "README.md"\n'
    files = {"pyproject.toml": pyproject, "src/sample_pkg/__init__.py": ""}
    repo = make_repo({**files, "README.md": "# Sample\n"})
    (repo.path / "x").mkdir()  # a build job's (empty) files, for manifest merge
    (repo.path / "dist").write_text("not a directory\n")
    (repo.path / ".git" / "info" / "exclude").write_text("dist\n")
    here = ["--set", 'indexes.here.upload-url="http://127.0.0.1:9/"']
    here += ["--set", 'indexes.here.simple-url="http://127.0.0.1:9/simple/"']
    result = tagship("-C", str(repo.path), *here, *command)
    line = assert_refused(result, 2)
    assert f"{repo.path / 'dist'} is not a directory" in line
    assert (repo.path / "dist").read_text() == "not a directory\n"


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
