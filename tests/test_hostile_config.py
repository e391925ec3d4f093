"""Config values are judged where the config is parsed: a branch name git would refuse (or
read as an option), a glob that does not compile, an index URL that is not http(s), a Python
version that is none, an index or workflow name that cannot be one, and a project name the
index would refuse. Each is one line, exit 2, naming the key; nothing is written."""

from __future__ import annotations

import random
import subprocess
from typing import TYPE_CHECKING

import pytest

from hostile import assert_refused, snapshot
from tagship.core.config_values import ref_problem

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo

PROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "charmos"
version = "0.4.22"

"""
LOCAL = "[tool.tagship.indexes.local]\n"
URLS = "upload-url = 'http://127.0.0.1/'\nsimple-url = 'http://127.0.0.1/simple/'\n"
# what the refusal names -> the config text
HOSTILE = {
    "release-branch read as an option": (
        "tool.tagship.release-branch",
        "[tool.tagship]\nrelease-branch = '-rf'\n",
    ),
    "release-branch with a newline": (
        "tool.tagship.release-branch",
        '[tool.tagship]\nrelease-branch = "main\\nevil"\n',
    ),
    "release-branch with ..": (
        "tool.tagship.release-branch",
        "[tool.tagship]\nrelease-branch = 'a..b'\n",
    ),
    "release-branch ending in .lock": (
        "tool.tagship.release-branch",
        "[tool.tagship]\nrelease-branch = 'main.lock'\n",
    ),
    "release-branch with @{": (
        "tool.tagship.release-branch",
        "[tool.tagship]\nrelease-branch = 'main@{1}'\n",
    ),
    "release-branch empty": (
        "tool.tagship.release-branch",
        "[tool.tagship]\nrelease-branch = ''\n",
    ),
    "hotfix-branches that does not compile": (
        "tool.tagship.hotfix-branches",
        "[tool.tagship]\nhotfix-branches = '['\n",
    ),
    "hotfix-branches read as an option": (
        "tool.tagship.hotfix-branches",
        "[tool.tagship]\nhotfix-branches = '-*'\n",
    ),
    "hotfix-branches with a space": (
        "tool.tagship.hotfix-branches",
        "[tool.tagship]\nhotfix-branches = 'hot fix/*'\n",
    ),
    "an ftp upload URL": (
        "tool.tagship.indexes.local.upload-url",
        LOCAL + "upload-url = 'ftp://127.0.0.1/legacy/'\nsimple-url = 'http://127.0.0.1/simple/'\n",
    ),
    "a file simple URL": (
        "tool.tagship.indexes.local.simple-url",
        LOCAL + "upload-url = 'http://127.0.0.1/'\nsimple-url = 'file://127.0.0.1/simple/'\n",
    ),
    "an ftp dependency index": (
        "tool.tagship.dependency-index",
        "[tool.tagship]\ndependency-index = 'ftp://127.0.0.1/simple/'\n",
    ),
    "a python-version that is no version": (
        "tool.tagship.python-version",
        "[tool.tagship]\npython-version = 'banana'\n",
    ),
    "a python-version with a shell tail": (
        "tool.tagship.python-version",
        "[tool.tagship]\npython-version = '3.12; curl evil'\n",
    ),
    "a python-version without a minor": (
        "tool.tagship.python-version",
        "[tool.tagship]\npython-version = '3'\n",
    ),
    "an index name that is no variable name": (
        "tool.tagship.indexes.a b",
        "[tool.tagship.indexes.'a b']\n" + URLS,
    ),
    "a workflow outside .github/workflows": (
        "tool.tagship.indexes.pypi.workflow",
        "[tool.tagship.indexes.pypi]\nworkflow = '../../../escaped.yml'\n",
    ),
    "a workflow that GitHub does not run": (
        "tool.tagship.indexes.pypi.workflow",
        "[tool.tagship.indexes.pypi]\nworkflow = 'publish.sh'\n",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_config_value_is_refused_naming_its_key(
    cli: Cli, make_repo: MakeRepo, case: str
) -> None:
    key, policy = HOSTILE[case]
    repo = make_repo({"pyproject.toml": PROJECT + policy})
    before = snapshot(repo.path.parent)
    for command in (("config",), ("init",), ("status",)):
        error = assert_refused(cli("-C", str(repo.path), *command), 2)
        assert f"`{key}`" in error, error
        assert "pyproject.toml" in error
    assert snapshot(repo.path.parent) == before


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("release-branch=-rf", "tool.tagship.release-branch"),
        ("hotfix-branches=[", "tool.tagship.hotfix-branches"),
        ("python-version=3.x", "tool.tagship.python-version"),
    ],
)
def test_a_hostile_override_is_refused_naming_set(
    cli: Cli, make_repo: MakeRepo, override: str, key: str
) -> None:
    repo = make_repo({"pyproject.toml": PROJECT})
    error = assert_refused(cli("-C", str(repo.path), "--set", override, "config"), 2)
    assert f"`{key}`" in error
    assert "--set" in error


@pytest.mark.parametrize("name", ["Bad Name!", "-charmos", "charmos-", "char mos", "ä", ""])
def test_a_project_name_the_index_would_refuse_is_refused(
    cli: Cli, make_repo: MakeRepo, name: str
) -> None:
    repo = make_repo({"pyproject.toml": PROJECT})
    before = snapshot(repo.path)
    error = assert_refused(cli("-C", str(repo.path), "init", f"--project={name}"), 2)
    assert "--project" in error
    assert snapshot(repo.path) == before
    assert not (repo.path / ".github").exists()


def test_ordinary_values_still_load(cli: Cli, make_repo: MakeRepo) -> None:
    policy = (
        "[tool.tagship]\n"
        "release-branch = 'release/2.x'\n"
        "hotfix-branches = 'maint/[0-9]*.x'\n"
        "python-version = '3.13.1'\n"
        "dependency-index = 'HTTPS://mirror.example.com/simple/'\n"
        "[tool.tagship.indexes.local-mirror_2]\n"
        "upload-url = 'http://127.0.0.1:8080/'\nsimple-url = 'http://127.0.0.1:8080/simple/'\n"
        "[tool.tagship.indexes.pypi]\nworkflow = 'release.yaml'\n"
    )
    repo = make_repo({"pyproject.toml": PROJECT + policy})
    result = cli("-C", str(repo.path), "config")
    assert result.code == 0, result.err
    assert "release/2.x" in result.out
    assert "maint/[0-9]*.x" in result.out
    init = cli("-C", str(repo.path), "init", "--project", "Charm_OS.sdk")
    assert init.code == 0, init.err
    assert (repo.path / ".github/workflows/release.yaml").is_file()


def test_branch_names_are_judged_as_git_judges_them(tmp_path: Path) -> None:
    # seeded random names from the characters and pieces git's rules are about; `git branch`
    # refuses "@" alone although check-ref-format --branch expands it
    pieces = [*"ab/.-@{}~^:?*[\\ \t$()`'!#l", "lock", ".lock", "..", "@{", "HEAD"]
    rng = random.Random(24)  # noqa: S311 - a repeatable sample, no secret
    names = {"", "@", "HEAD", "-rf", "main", "release/2.x"}
    while len(names) < 400:
        names.add("".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))))
    for name in sorted(names):
        done = subprocess.run(
            ["git", "check-ref-format", f"refs/heads/{name}"],
            cwd=tmp_path,
            capture_output=True,
            check=False,
        )
        git_takes = done.returncode == 0 and name not in ("@", "HEAD") and name[:1] != "-"
        assert (ref_problem(name) is None) == git_takes, name
