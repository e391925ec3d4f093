"""Attacks on `github-release publish`'s release-assets under immutable releases: a pattern
that leaves the repository (`..`, an absolute path), a symbolic link pointing outside it, a
glob reaching into `.git` (where actions/checkout keeps the job's token in `config`). Each
stops with one line before anything is attached or published."""

# ruff: noqa: F811 - the fixtures `repo` and `standin` are test_immutable_releases' own

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from test_immutable_releases import SDIST, TAG, _publish, repo, standin  # noqa: F401 - fixtures

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli, Repo
    from github_standin import GitHubStandIn

SECRET = "AUTHORIZATION: basic c2VjcmV0LXRva2Vu"  # noqa: S105 - a made-up token


def _refused(
    cli: Cli, repo: Repo, standin: GitHubStandIn, httpserver: HTTPServer, pattern: str
) -> str:
    draft = standin.draft(TAG)
    code, out, err = _publish(cli, repo, "--set", f"github.release-assets=[{pattern!r}]")
    assert code in (1, 2), out + err
    assert len(err.splitlines()) == 1, err
    assert "nothing was published" in err or "release-assets" in err
    assert (draft["draft"], draft["assets"]) == (True, [])
    assert [r for r, _ in httpserver.log if r.method != "GET"] == []
    return err


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secrets" / "id_ed25519"
    secret.parent.mkdir()
    secret.write_text(SECRET)
    return secret


def test_a_pattern_leaving_the_repository_is_refused(
    cli: Cli, repo: Repo, standin: GitHubStandIn, httpserver: HTTPServer, outside: Path
) -> None:
    relative = f"../{outside.parent.name}/*"
    err = _refused(cli, repo, standin, httpserver, relative)
    assert "outside" in err


def test_an_absolute_pattern_is_refused(
    cli: Cli, repo: Repo, standin: GitHubStandIn, httpserver: HTTPServer, outside: Path
) -> None:
    err = _refused(cli, repo, standin, httpserver, str(outside))
    assert "internal error" not in err


def test_a_link_to_a_file_outside_is_refused(
    cli: Cli, repo: Repo, standin: GitHubStandIn, httpserver: HTTPServer, outside: Path
) -> None:
    (repo.path / "dist" / "notes.txt").symlink_to(outside)
    err = _refused(cli, repo, standin, httpserver, "dist/*.txt")
    assert "outside" in err
    (repo.path / "dist" / "notes.txt").unlink()
    (repo.path / "linked").symlink_to(outside.parent, target_is_directory=True)
    _refused(cli, repo, standin, httpserver, "linked/*")


@pytest.mark.parametrize("pattern", [".git/config", "**/config", ".git/**/*"])
def test_a_glob_into_git_is_refused(
    cli: Cli, repo: Repo, standin: GitHubStandIn, httpserver: HTTPServer, pattern: str
) -> None:
    config = repo.path / ".git" / "config"
    config.write_text(
        config.read_text() + f'[http "https://github.com/"]\n\textraheader = {SECRET}\n'
    )
    err = _refused(cli, repo, standin, httpserver, pattern)
    assert ".git" in err


def test_files_of_the_project_are_still_attached(
    cli: Cli, repo: Repo, standin: GitHubStandIn
) -> None:
    draft = standin.draft(TAG)
    (repo.path / "dist" / "same.tar.gz").symlink_to(repo.path / "dist" / SDIST)
    code, _, err = _publish(cli, repo, "--set", 'github.release-assets=["dist/*.tar.gz"]')
    assert code == 0, err
    assert {a["name"] for a in draft["assets"]} == {"tagship-manifest.json", SDIST, "same.tar.gz"}
