"""In GitHub Actions, git pushes authenticate with the job's token through the environment."""

from __future__ import annotations

import base64
import subprocess
from typing import TYPE_CHECKING

from tagship.adapters.git_base import host_auth
from tagship.ci import read_run

if TYPE_CHECKING:
    from collections.abc import Mapping

    from conftest import MakeRepo


def github_actions_auth(env: Mapping[str, str]) -> dict[str, str] | None:
    """The git environment for a job whose facts the CI-host seam reads from `env`."""
    return host_auth(env, read_run(env))


def test_no_token_or_not_in_actions_changes_nothing() -> None:
    assert github_actions_auth({"GITHUB_TOKEN": "t"}) is None
    assert github_actions_auth({"GITHUB_ACTIONS": "true"}) is None


def test_git_sees_the_header_and_nothing_is_written(make_repo: MakeRepo) -> None:
    repo = make_repo()
    env = github_actions_auth(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_TOKEN": "ghs_secret",
            "GITHUB_SERVER_URL": "https://ghe.example",
        }
    )
    assert env is not None
    done = subprocess.run(
        ["git", "-C", str(repo.path), "config", "--get", "http.https://ghe.example/.extraheader"],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    expected = base64.b64encode(b"x-access-token:ghs_secret").decode()
    assert done.stdout.strip() == f"AUTHORIZATION: basic {expected}"
    assert "ghs_secret" not in (repo.path / ".git" / "config").read_text()
    assert expected not in (repo.path / ".git" / "config").read_text()


def test_existing_git_config_variables_are_kept() -> None:
    env = github_actions_auth(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_TOKEN": "t",
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "core.autocrlf",
            "GIT_CONFIG_VALUE_0": "false",
        }
    )
    assert env is not None
    assert (env["GIT_CONFIG_COUNT"], env["GIT_CONFIG_KEY_0"]) == ("2", "core.autocrlf")
    assert env["GIT_CONFIG_KEY_1"] == "http.https://github.com/.extraheader"
