"""`tagship init` meets a repository where it is: the release branch from origin's default
branch (else the branch checked out), the tag format from the repository's own tags, each
said with its reason, overridable by flag, written into [tool.tagship], and carried by the
generated workflows; `status` then finds the last release. Real git repositories throughout."""

from __future__ import annotations

import json
import os
import subprocess
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from conftest import git
from tagship.core.pyproject import loads
from workflow_lint import assert_linted

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, CliResult

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "sample-pkg"
version = "{version}"
"""


def _ok(result: CliResult) -> CliResult:
    assert result.code == 0, result.out + result.err
    return result


def _commit(work: Path, message: str, date: str | None = None) -> None:
    git(work, "add", "--all")
    _git_at(work, date, "commit", "--quiet", "--allow-empty", "-m", message)


def _tag(work: Path, name: str, date: str | None = None) -> None:
    """An annotated tag made at `date` (its creator date orders the tags)."""
    _git_at(work, date, "tag", "-a", name, "-m", f"release {name}")


def _git_at(work: Path, date: str | None, *args: str) -> None:
    env = dict(os.environ)
    if date is not None:
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = date
    done = subprocess.run(["git", *args], cwd=work, env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr


def _project(tmp_path: Path, *, branch: str = "main", version: str = "1.0.0") -> Path:
    """A repository of one package on `branch`, without a remote."""
    work = tmp_path / "work"
    git(tmp_path, "init", "--quiet", f"--initial-branch={branch}", str(work))
    (work / "pyproject.toml").write_text(PYPROJECT.format(version=version))
    _commit(work, "initial")
    return work


def _with_origin(work: Path, tmp_path: Path, head: str) -> Path:
    """A bare origin holding the work tree's branches, its HEAD naming `head`."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", str(origin))
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "--quiet", "origin", "--all")
    git(origin, "symbolic-ref", "HEAD", f"refs/heads/{head}")
    return origin


def _workflow(work: Path, name: str) -> dict[Any, Any]:
    data = yaml.safe_load((work / ".github/workflows" / name).read_text())
    assert isinstance(data, dict)
    data["on"] = data.pop(True)  # YAML 1.1 reads `on` as true
    return data


def _tagship(work: Path) -> dict[str, Any]:
    table = loads((work / "pyproject.toml").read_text())["tool"]["tagship"]
    assert isinstance(table, dict)
    return table


def _assert_releases_from(work: Path, branch: str) -> None:
    """Every generated workflow runs on `branch` and the dry run's gate takes it."""
    assert _workflow(work, "ci.yml")["on"]["push"]["branches"] == [branch, "hotfix/*"]
    assert _workflow(work, "release-draft.yml")["on"]["push"]["branches"] == [branch]
    dry_run = (work / ".github/workflows/publish-testpypi.yml").read_text()
    assert f"branch:{branch}|branch:hotfix/*)" in dry_run


def test_a_clone_releases_from_origins_default_branch(tmp_path: Path, cli: Cli) -> None:
    seed = _project(tmp_path, branch="master")
    _with_origin(seed, tmp_path, "master")
    work = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(tmp_path / "origin.git"), str(work))
    result = _ok(cli("-C", str(work), "init"))
    assert (
        'release-branch = "master": origin\'s default branch (refs/remotes/origin/HEAD)'
        in result.out.splitlines()
    )
    assert _tagship(work)["release-branch"] == "master"
    _assert_releases_from(work, "master")
    # later commands read what init wrote: the release-branch gate passes on master
    config = _ok(cli("-C", str(work), "config")).out
    assert any(
        line.startswith("release-branch") and "master" in line for line in config.split("\n")
    )
    # and init, run again, finds nothing to change
    _ok(cli("-C", str(work), "init", "--check"))


def test_origin_is_asked_when_the_clone_does_not_record_its_default(
    tmp_path: Path, cli: Cli
) -> None:
    work = _project(tmp_path, branch="develop")
    git(work, "switch", "--quiet", "--create", "feature/adopt-tagship")
    _with_origin(work, tmp_path, "develop")
    result = _ok(cli("-C", str(work), "init"))
    assert (
        'release-branch = "develop": origin\'s default branch (git ls-remote --symref origin)'
        in result.out
    )
    _assert_releases_from(work, "develop")


def test_without_origin_the_branch_checked_out(tmp_path: Path, cli: Cli) -> None:
    work = _project(tmp_path, branch="trunk")
    result = _ok(cli("-C", str(work), "init"))
    assert 'release-branch = "trunk": the branch checked out (no origin remote)' in result.out
    _assert_releases_from(work, "trunk")


def test_detached_without_origin_keeps_the_default(tmp_path: Path, cli: Cli) -> None:
    work = _project(tmp_path, branch="trunk")
    git(work, "switch", "--quiet", "--detach", "HEAD")
    result = _ok(cli("-C", str(work), "init"))
    assert (
        'release-branch = "main": the default: HEAD is detached and no origin remote' in result.out
    )
    _assert_releases_from(work, "main")


def test_an_unreachable_origin_is_said_and_the_branch_checked_out_used(
    tmp_path: Path, cli: Cli
) -> None:
    work = _project(tmp_path, branch="master")
    git(work, "remote", "add", "origin", str(tmp_path / "gone.git"))
    result = _ok(cli("-C", str(work), "init"))
    line = next(x for x in result.out.splitlines() if x.startswith("release-branch"))
    assert line.startswith('release-branch = "master": the branch checked out (cannot ask origin')


def test_bare_tags_and_status_finds_the_last_release(tmp_path: Path, cli: Cli) -> None:
    work = _project(tmp_path, branch="master", version="0.9.0")
    _tag(work, "0.9.0", "2024-01-01T00:00:00")
    (work / "pyproject.toml").write_text(PYPROJECT.format(version="1.0.0"))
    _commit(work, "release 1.0.0", "2024-02-01T00:00:00")
    _tag(work, "1.0.0", "2024-02-01T00:00:00")
    git(work, "tag", "not-a-release")  # tags that are no release are no vote
    _commit(work, "a fix", "2024-03-01T00:00:00")
    _commit(work, "another", "2024-03-02T00:00:00")
    result = _ok(cli("-C", str(work), "init"))
    assert 'tag-format = "{version}": the 2 newest release tags look like 1.0.0' in result.out
    assert _tagship(work)["tag-format"] == "{version}"
    # the publish workflow runs on a release tag, never on any tag of the repository
    assert _workflow(work, "publish-pypi.yml")["on"] == {"push": {"tags": ["[0-9]*"]}}
    assert_linted(work)
    _ok(cli("-C", str(work), "doctor"))  # the trigger matches the release tags
    _commit(work, "adopt tagship", "2024-03-03T00:00:00")
    status = json.loads(_ok(cli("-C", str(work), "status", "--format", "json")).out)
    assert (status["last_release_tag"], status["commits_since_release"]) == ("1.0.0", 3)
    assert _ok(cli("-C", str(work), "check-tag", "1.0.0")).out.splitlines()[0] == (
        "tag 1.0.0 matches version 1.0.0"
    )


def test_v_tags_keep_the_default(tmp_path: Path, cli: Cli) -> None:
    work = _project(tmp_path)
    _tag(work, "v1.0.0")
    result = _ok(cli("-C", str(work), "init"))
    assert 'tag-format = "v{version}": the 1 newest release tags look like v1.0.0' in result.out
    assert _workflow(work, "publish-pypi.yml")["on"] == {"push": {"tags": ["v*"]}}


def test_no_tags_keep_the_default(tmp_path: Path, cli: Cli) -> None:
    work = _project(tmp_path)
    result = _ok(cli("-C", str(work), "init"))
    assert 'tag-format = "v{version}": the default: no tags yet' in result.out
    assert _tagship(work)["tag-format"] == "v{version}"


def test_the_newest_style_wins_in_a_repository_that_changed_its_tags(
    tmp_path: Path, cli: Cli
) -> None:
    work = _project(tmp_path, version="2.1.0")
    for month, name in enumerate(("sample-pkg-1.0", "sample-pkg-1.1", "v1.2.0", "2.0.0"), 1):
        _tag(work, name, f"2023-0{month}-01T00:00:00")
    _tag(work, "2.1.0", "2023-06-01T00:00:00")
    result = _ok(cli("-C", str(work), "init"))
    assert 'tag-format = "{version}": 2 of the 5 newest release tags look like 2.1.0' in result.out


def test_a_higher_version_tagged_long_ago_is_not_the_last_release(tmp_path: Path, cli: Cli) -> None:
    # httpx tagged 1.0.0.beta0 in 2021, then went on releasing 0.x
    work = _project(tmp_path, version="0.18.0")
    _tag(work, "1.0.0.beta0", "2021-01-01T00:00:00")
    _commit(work, "back to 0.x", "2021-02-01T00:00:00")
    _tag(work, "0.18.0", "2021-02-01T00:00:00")
    _commit(work, "a fix", "2021-03-01T00:00:00")
    _ok(cli("-C", str(work), "init"))
    status = json.loads(_ok(cli("-C", str(work), "status", "--format", "json")).out)
    assert (status["last_release_tag"], status["commits_since_release"]) == ("0.18.0", 1)


def test_flags_override_and_go_into_an_existing_block(tmp_path: Path, cli: Cli) -> None:
    work = _project(tmp_path, branch="master")
    _tag(work, "1.0.0")
    text = PYPROJECT.format(version="1.0.0") + '\n[tool.tagship]\nhotfix-branches = "maint/*"\n'
    (work / "pyproject.toml").write_text(text)
    _commit(work, "configure")
    result = _ok(
        cli(
            "-C",
            str(work),
            "init",
            "--release-branch",
            "stable",
            "--tag-format",
            "release-{version}",
        )
    )
    assert 'release-branch = "stable": given with --release-branch' in result.out
    assert 'tag-format = "release-{version}": given with --tag-format' in result.out
    after = (work / "pyproject.toml").read_text()
    assert after.startswith(text)  # every byte before stays; the keys join the block
    assert _tagship(work) == {
        "hotfix-branches": "maint/*",
        "release-branch": "stable",
        "tag-format": "release-{version}",
    }
    assert _workflow(work, "publish-pypi.yml")["on"] == {"push": {"tags": ["release-*"]}}
    # run again without flags: what is written is what counts, and nothing changes
    again = _ok(cli("-C", str(work), "init"))
    assert 'release-branch = "stable": set in pyproject.toml' in again.out
    assert "wrote" not in again.out


def test_inferred_keys_join_an_existing_block(tmp_path: Path, cli: Cli) -> None:
    work = _project(tmp_path, branch="master")
    _tag(work, "1.0.0")
    text = PYPROJECT.format(version="1.0.0") + '\n[tool.tagship]\nhotfix-branches = "maint/*"\n'
    (work / "pyproject.toml").write_text(text)
    _commit(work, "configure")
    _ok(cli("-C", str(work), "init"))
    assert _tagship(work) == {
        "hotfix-branches": "maint/*",
        "release-branch": "master",
        "tag-format": "{version}",
    }


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--release-branch", "-rf", "--release-branch '-rf' starts with '-'"),
        ("--release-branch", "a..b", "--release-branch 'a..b' is not a branch name"),
        ("--tag-format", "release", "tag-format 'release' must hold {version} once"),
        ("--tag-format", "a b{version}", "makes tag names git rejects"),
    ],
)
def test_bad_flags_are_refused_before_anything_is_written(
    tmp_path: Path, cli: Cli, flag: str, value: str, message: str
) -> None:
    work = _project(tmp_path)
    before = (work / "pyproject.toml").read_bytes()
    result = cli("-C", str(work), "init", f"{flag}={value}")
    assert result.code == 2
    assert message in result.err
    assert len(result.err.splitlines()) == 1
    assert not (work / ".github").exists()
    assert (work / "pyproject.toml").read_bytes() == before
