"""The foundation commands end to end through the real CLI, on real git repositories."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from conftest import STATIC_PYPROJECT, Cli, MakeRepo, git

if TYPE_CHECKING:
    from pathlib import Path


def test_status_table_and_json(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    repo.tag("v0.4.21")
    repo.commit("one")
    repo.commit("two")
    repo.write("untracked.txt", "x")
    result = cli("-C", str(repo.path), "status", "--format", "json")
    assert result.code == 0, result.err
    status = json.loads(result.out)
    assert status["version"] == "0.4.22"
    assert status["expected_tag"] == "v0.4.22"
    assert (status["tag_local"], status["tag_remote"]) == (False, False)
    assert (status["branch"], status["clean"]) == ("main", False)
    assert status["dirty_files"] == ["untracked.txt"]
    assert (status["last_release_tag"], status["commits_since_release"]) == ("v0.4.21", 2)
    table = cli("-C", str(repo.path), "status")
    assert "expected tag\tv0.4.22" in table.out
    assert "tag on origin\tno" in table.out


def test_status_sees_the_tag_on_the_remote(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    repo.tag("v0.4.22", push=True)
    status = json.loads(cli("-C", str(repo.path), "status", "--format", "json").out)
    assert (status["tag_local"], status["tag_remote"], status["clean"]) == (True, True, True)
    assert status["commits_since_release"] == 0


def test_version_and_expected_tag(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    assert cli("-C", str(repo.path), "version").out == "0.4.22\n"
    assert cli("-C", str(repo.path), "version", "--tag").out == "v0.4.22\n"


def test_check_tag_from_argument_and_github_ref(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo()
    ok = cli("-C", str(repo.path), "check-tag", "v0.4.22")
    assert (ok.code, ok.out.splitlines()[0]) == (0, "tag v0.4.22 matches version 0.4.22")
    bad = cli("-C", str(repo.path), "check-tag", "v0.4.23")
    assert bad.code == 1
    assert bad.err.startswith(
        "tagship: error: tag v0.4.23 does not match pyproject version 0.4.22 (expected tag v0.4.22)"
    )
    monkeypatch.setenv("GITHUB_REF", "refs/tags/v0.4.22")
    assert cli("-C", str(repo.path), "check-tag").code == 0
    monkeypatch.setenv("GITHUB_REF", "refs/heads/main")
    branch = cli("-C", str(repo.path), "check-tag")
    assert branch.code == 2
    assert "GITHUB_REF is not a tag ref (refs/heads/main)" in branch.err


def test_bump_commit(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    result = cli("-C", str(repo.path), "bump", "patch", "--commit")
    assert result.code == 0, result.err
    assert "bumped 0.4.22 -> 0.4.23" in result.out
    assert git(repo.path, "log", "-1", "--format=%s") == "Bump version to 0.4.23"
    assert git(repo.path, "status", "--porcelain") == ""
    assert 'version = "0.4.23"' in (repo.path / "pyproject.toml").read_text()


def test_bump_commit_refuses_to_sweep_in_other_changes(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    edited = STATIC_PYPROJECT + "\n# work in progress\n"
    repo.write("pyproject.toml", edited)
    result = cli("-C", str(repo.path), "bump", "patch", "--commit")
    assert result.code == 1
    assert "uncommitted changes" in result.err
    assert (repo.path / "pyproject.toml").read_text() == edited


def test_bump_commit_needs_a_branch(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    git(repo.path, "checkout", "--quiet", "--detach")
    result = cli("-C", str(repo.path), "bump", "patch", "--commit")
    assert result.code == 1
    assert "HEAD is detached" in result.err
    assert (repo.path / "pyproject.toml").read_text() == STATIC_PYPROJECT


def test_bump_refuses_a_local_version(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    result = cli("-C", str(repo.path), "bump", "1.2.3+local")
    assert result.code == 2
    assert "version 1.2.3+local has a local part (+local); package indexes reject it" in result.err
    assert result.err.count("\n") == 1
    assert (repo.path / "pyproject.toml").read_text() == STATIC_PYPROJECT


def test_config_command_shows_sources(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    result = cli(
        "-C", str(repo.path), "--set", "release-branch=trunk", "config", "--format", "json"
    )
    rows = {row["key"]: row for row in json.loads(result.out)["settings"]}
    assert rows["release-branch"] == {
        "key": "release-branch",
        "value": "trunk",
        "source": "command line",
    }
    assert rows["tag-format"]["source"] == "default"
    assert rows["indexes.pypi.workflow"]["value"] == "publish-pypi.yml"


BAD_PROJECTS = [
    ("missing", None, 2, "no pyproject.toml at"),
    ("not-toml", '[project]\nname = "x"\nversion = 1.0.0\n', 2, "is not valid TOML"),
    ("no-project", "[tool.black]\nline-length = 88\n", 2, r"has no \[project\] table"),
    ("no-version", '[project]\nname = "x"\n', 2, "has no version and does not declare it dynamic"),
    ("bad-version", '[project]\nname = "x"\nversion = "one"\n', 2, "invalid PEP 440 version 'one'"),
    (
        "unknown-key",
        '[project]\nname = "x"\nversion = "1.0"\n[tool.tagship]\nbranch = "m"\n',
        2,
        "unknown key `tool.tagship.branch`",
    ),
]


@pytest.mark.parametrize(
    ("label", "text", "code", "message"), BAD_PROJECTS, ids=[b[0] for b in BAD_PROJECTS]
)
@pytest.mark.parametrize(
    "command", [("version",), ("status",), ("bump", "patch"), ("check-tag", "v1.0")]
)
def test_bad_projects_fail_in_one_line_and_change_nothing(
    tmp_path: Path,
    cli: Cli,
    label: str,
    text: str | None,
    code: int,
    message: str,
    command: tuple[str, ...],
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    if text is not None:
        pyproject.write_text(text)
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "commit", "--quiet", "--allow-empty", "-m", "empty")
    result = cli("-C", str(tmp_path), *command)
    assert result.code == code, (label, result.err)
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("tagship: error: ")
    assert "Traceback" not in result.err
    assert re.search(message, lines[0]), lines[0]
    assert (pyproject.read_text() if text is not None else None) == text


def test_invalid_toml_names_the_line(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = 1.0.0\n')
    assert "line 3" in cli("-C", str(tmp_path), "version").err


def test_wrong_tag_format(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    result = cli("-C", str(repo.path), "check-tag", "release-0.4.22")
    assert result.code == 2
    assert "is not in the tag format 'v{version}'" in result.err


def test_not_a_git_repository(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "pyproject.toml").write_text(STATIC_PYPROJECT)
    result = cli("-C", str(tmp_path), "status")
    assert result.code == 2
    assert "is not inside a git repository" in result.err
    assert cli("-C", str(tmp_path), "version").code == 0  # reading the version needs no git


def test_repository_without_commits(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "pyproject.toml").write_text(STATIC_PYPROJECT)
    git(tmp_path, "init", "--quiet")
    result = cli("-C", str(tmp_path), "status")
    assert (result.code, "make a first commit" in result.err) == (2, True)


def test_debug_shows_the_traceback(tmp_path: Path, cli: Cli) -> None:
    result = cli("--debug", "-C", str(tmp_path), "version")
    assert result.code == 2
    assert "Traceback (most recent call last):" in result.err
    assert result.err.splitlines()[-1].startswith("tagship: error: no pyproject.toml at ")


def test_usage_errors_exit_2(cli: Cli) -> None:
    with pytest.raises(SystemExit) as info:
        cli("no-such-command")
    assert info.value.code == 2


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys; from tagship.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('rich', 'tomlkit', 'httpx', 'packaging.version', 'tagship.workspace')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *help_text, heavy = done.stdout.splitlines()
    assert heavy == ""
    assert any("check-tag" in text for text in help_text)


def test_python_dash_m_entry_point(make_repo: MakeRepo) -> None:
    repo = make_repo()
    done = subprocess.run(
        [sys.executable, "-m", "tagship", "-C", str(repo.path), "version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "0.4.22\n")


def test_status_when_origin_cannot_be_reached(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    repo = make_repo()
    git(repo.path, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    result = cli("-C", str(repo.path), "status", "--format", "json")
    assert result.code == 0, result.err
    status = json.loads(result.out)
    assert status["tag_remote"] is None
    assert "cannot list tags of remote 'origin'" in status["remote_problem"]
    table = cli("-C", str(repo.path), "status")
    assert "tag on origin\tcannot list tags of remote 'origin'" in table.out


def test_status_without_origin(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "pyproject.toml").write_text(STATIC_PYPROJECT)
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", "--all")
    git(tmp_path, "commit", "--quiet", "-m", "one")
    assert "tag on origin\tno origin remote" in cli("-C", str(tmp_path), "status").out


def test_status_on_a_terminal_is_a_table_that_keeps_brackets(make_repo: MakeRepo) -> None:
    """On a terminal the table is drawn by rich; "[project]" must not vanish as markup."""
    repo = make_repo()
    primary, replica = os.openpty()
    with os.fdopen(primary, "rb", buffering=0) as reader:
        done = subprocess.run(
            [sys.executable, "-m", "tagship", "-C", str(repo.path), "status"],
            stdout=replica,
            stderr=subprocess.PIPE,
            env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
            check=False,
        )
        os.close(replica)
        chunks = []
        while True:
            try:
                chunk = reader.read(4096)
            except OSError:  # the terminal closed: everything has been read
                break
            if not chunk:
                break
            chunks.append(chunk)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert done.returncode == 0, done.stderr
    assert "┃" in shown or "│" in shown  # rich's box drawing, not tab-separated lines
    assert "pyproject.toml [project].version" in shown
