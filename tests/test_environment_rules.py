"""The single rules about the environment and the work tree: GitHub Actions, the GitHub
token, index credential names, and which uncommitted paths are build output."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tagship.adapters.git_base import host_auth
from tagship.adapters.process import without_secrets
from tagship.ci import read_run
from tagship.core.build_output import is_build_output
from tagship.core.config import credential_variables, credentials
from tagship.core.manifest import MANIFEST_NAME
from tagship.steps.gates.gates import tree_clean
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from conftest import MakeRepo


def test_github_actions_is_what_github_sets() -> None:
    assert read_run({"GITHUB_ACTIONS": "true"}).host == "github"
    assert read_run({"CI": "true"}).host is None
    assert read_run({"CI": "1"}).in_ci
    assert read_run({"GITHUB_ACTIONS": "true"}).in_ci
    assert not read_run({}).in_ci


@pytest.mark.parametrize(
    ("env", "token"),
    [
        ({"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}, "a"),
        ({"GITHUB_TOKEN": "", "GH_TOKEN": "b"}, "b"),
        ({"GITHUB_TOKEN": ""}, None),
        ({}, None),
    ],
)
def test_the_github_token(env: dict[str, str], token: str | None) -> None:
    assert read_run(env).token == token


def test_git_in_actions_takes_the_same_token() -> None:
    env = {"GITHUB_ACTIONS": "true", "GH_TOKEN": "t"}
    auth = host_auth(env, read_run(env))
    assert auth is not None
    assert "GIT_CONFIG_VALUE_0" in auth


def test_credential_variables_are_read_and_scrubbed_by_one_rule() -> None:
    username, password, token = credential_variables("my-index")
    assert (username, password, token) == (
        "TAGSHIP_INDEX_MY_INDEX_USERNAME",
        "TAGSHIP_INDEX_MY_INDEX_PASSWORD",
        "TAGSHIP_INDEX_MY_INDEX_TOKEN",
    )
    env = {username: "me", password: "secret", "GH_TOKEN": "g", "PATH": "/bin"}
    found = credentials("my-index", env)
    assert found is not None
    assert (found.username, found.password) == ("me", "secret")
    assert without_secrets(env) == {"PATH": "/bin"}


@pytest.mark.parametrize(
    ("path", "output"),
    [
        ("dist/", True),
        ("dist", True),
        ("dist/pkg-1.0.tar.gz", True),
        ("distribution.txt", False),
        ("src/dist/x.py", False),
    ],
)
def test_build_output_paths(path: str, output: bool) -> None:
    assert is_build_output(path, ["dist"]) is output


def test_tree_clean_ignores_build_output_as_build_does(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.write("out/pkg-0.4.22.tar.gz", "")
    repo.write(f"earlier/{MANIFEST_NAME}", "{}")  # an earlier tagship build directory
    workspace = open_workspace(repo.path, env={})
    assert tree_clean(workspace, repo.path / "out").verdict == "passed"
    repo.write("stray.txt", "x")
    gate = tree_clean(workspace, repo.path / "out")
    assert (gate.verdict, gate.why) == ("failed", "uncommitted changes: stray.txt")
