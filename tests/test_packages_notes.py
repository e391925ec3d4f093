"""Release notes and the draft GitHub Release of one package of several: only the pull
requests that changed its directory, against a local stand-in for GitHub's REST API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

import github_payloads as gh
from conftest import git

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

REPO = f"/repos/{gh.FULL}"
C1, C2, C3 = "1" * 40, "2" * 40, "3" * 40
ROOT = '[project]\nname = "root-app"\nversion = "1.0.0"\n\n[tool.tagship]\npackages = ["libs/*"]\n'


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    made = make_repo(
        {
            "pyproject.toml": ROOT,
            "libs/a/pyproject.toml": '[project]\nname = "a"\nversion = "0.1.0"\n',
            "libs/b/pyproject.toml": '[project]\nname = "b"\nversion = "0.1.0"\n',
        }
    )
    for tag in ("a-v0.1.0", "b-v0.1.0", "root-app-v1.0.0"):
        git(made.path, "tag", "-a", tag, "-m", tag)
    git(made.path, "push", "--quiet", "origin", "--tags")
    return made


def _serve(server: HTTPServer, basehead: str) -> None:
    """Three merged pull requests: one changes a, one renames a file from b into a's
    directory, one changes only the root's own files."""
    server.expect_request(f"{REPO}/compare/{basehead}").respond_with_json(gh.comparison(C1, C2, C3))
    pulls = {
        C1: (gh.pull(11, "Faster a", ("release:minor",)), [gh.pull_file("libs/a/x.py")]),
        C2: (
            gh.pull(12, "Move y", ("release:patch",)),
            [gh.pull_file("libs/a/y.py", previous="libs/b/y.py")],
        ),
        C3: (gh.pull(13, "Root docs", ("release:patch",)), [gh.pull_file("README.md")]),
    }
    for sha, (pull, files) in pulls.items():
        server.expect_request(f"{REPO}/commits/{sha}/pulls").respond_with_json([pull])
        server.expect_request(f"{REPO}/pulls/{pull['number']}/files").respond_with_json(files)


def _numbers(out: str) -> list[int]:
    data: dict[str, Any] = json.loads(out)
    return sorted(p["number"] for pulls in data["sections"].values() for p in pulls)


def test_notes_of_a_package_list_only_the_pulls_that_touched_it(
    cli: Cli, repo: Repo, github: HTTPServer
) -> None:
    path = str(repo.path)
    _serve(github, "a-v0.1.0...main")
    a = cli("-C", path, "--package", "a", "notes", "--format", "json")
    assert a.code == 0, a.err
    assert _numbers(a.out) == [11, 12]
    assert json.loads(a.out)["next_tag"] == "a-v0.2.0"
    _serve(github, "b-v0.1.0...main")
    assert _numbers(cli("-C", path, "--package", "b", "notes", "--format", "json").out) == [12]
    # the root package's directory holds the others: their files are not its own
    _serve(github, "root-app-v1.0.0...main")
    root = cli("-C", path, "--package", "root-app", "notes", "--format", "json")
    assert _numbers(root.out) == [13]


def test_each_package_gets_a_draft_of_its_own(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    _serve(github, "b-v0.1.0...main")
    github.expect_request(f"{REPO}/releases", method="GET").respond_with_json(
        [gh.release(1, "a-v0.2.0", draft=True)]
    )
    github.expect_request(f"{REPO}/releases", method="POST").respond_with_json(
        gh.release(2, "b-v0.1.1", draft=True), status=201
    )
    result = cli("-C", str(repo.path / "libs" / "b"), "notes", "--github")
    assert result.code == 0, result.err
    assert "created draft release b-v0.1.1" in result.out
    assert "another draft" not in result.out  # a's draft is a's
    [sent] = [
        json.loads(r.get_data())
        for r, _ in github.log
        if (r.method, r.path) == ("POST", f"{REPO}/releases")
    ]
    assert sent["tag_name"] == "b-v0.1.1"
    assert "Move y (#12)" in sent["body"]
