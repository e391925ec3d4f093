"""What `status` and `notes` say comes next: a development version is heading for its final
release (1.2.0.dev3 is heading for 1.2.0), never suggested itself; the reason given for the
next version is true; the per-package table has a header when piped."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from conftest import git
from rollback_kit import PYPROJECT, merge, set_version

if TYPE_CHECKING:
    from conftest import Cli, CliResult, MakeRepo, Repo


def _ok(result: CliResult) -> CliResult:
    assert result.code == 0, result.out + result.err
    return result


_PAST_MINOR = "the project's version; the labels ask for a minor bump of 1.0.0"


def _summary(cli: Cli, repo: Repo) -> str:
    return _ok(cli("-C", str(repo.path), "notes", "--local")).out.splitlines()[0]


def test_status_expects_the_release_a_dev_version_heads_for(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT.format(version="1.1.0", extra="")})
    repo.tag("v1.1.0")
    set_version(repo, "1.2.0.dev3")
    repo.commit("start 1.2.0")
    status = json.loads(_ok(cli("-C", str(repo.path), "status", "--format", "json")).out)
    assert (status["version"], status["expected_tag"]) == ("1.2.0.dev3", "v1.2.0")
    assert (status["last_release_tag"], status["commits_since_release"]) == ("v1.1.0", 1)


@pytest.mark.parametrize(
    ("version", "label", "summary"),
    [
        # the first release: the project's version, no bump of anything
        ("0.1.0", "release:minor", "suggested next version: 0.1.0 (the first release)"),
        (
            "1.2.0.dev3",
            "release:minor",
            "suggested next version: 1.2.0 (the first release)",
        ),
    ],
)
def test_notes_on_a_first_release(
    make_repo: MakeRepo, cli: Cli, version: str, label: str, summary: str
) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT.format(version=version, extra="")})
    merge(repo, "feature", "feature.py", "X = 1\n", 1, label)
    assert _summary(cli, repo).endswith(summary)


@pytest.mark.parametrize(
    ("version", "summary"),
    [
        ("1.0.0", "suggested next version: 1.1.0 (minor bump of 1.0.0)"),
        ("2.0.0", f"suggested next version: 2.0.0 ({_PAST_MINOR})"),
        # bumped ahead to a development version: heading for 2.0.0, never 2.0.0.dev1
        ("2.0.0.dev1", f"suggested next version: 2.0.0 ({_PAST_MINOR})"),
        ("1.1.0.dev2", "suggested next version: 1.1.0 (minor bump of 1.0.0)"),
    ],
)
def test_notes_say_why_the_next_version(
    make_repo: MakeRepo, cli: Cli, version: str, summary: str
) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT.format(version="1.0.0", extra="")})
    repo.tag("v1.0.0")
    set_version(repo, version)
    repo.commit("version")
    merge(repo, "feature", "feature.py", "X = 1\n", 7, "release:minor")
    assert _summary(cli, repo).endswith(summary)


MEMBER = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
"""


def test_package_table_suggests_final_versions_under_a_header(
    make_repo: MakeRepo, cli: Cli
) -> None:
    repo = make_repo(
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
            "libs/a/pyproject.toml": MEMBER.format(name="lib-a", version="0.3.0.dev1"),
            "libs/b/pyproject.toml": MEMBER.format(name="lib-b", version="1.0.0"),
        }
    )
    git(repo.path, "tag", "-a", "lib-a-v0.2.0", "-m", "r")
    git(repo.path, "tag", "-a", "lib-b-v1.0.0", "-m", "r")
    lines = _ok(cli("-C", str(repo.path), "status")).out.splitlines()
    assert lines == [
        "# release status of 2 packages",
        "package\tdirectory\tversion\tlast tag\tcommits since\trelease\trequires",
        "lib-a\tlibs/a\t0.3.0.dev1\tlib-a-v0.2.0\t0\tyes: 0.3.0\t",
        "lib-b\tlibs/b\t1.0.0\tlib-b-v1.0.0\t0\tno\t",
        "next: tagship --package lib-a bump 0.3.0, then its dry-run",
    ]
