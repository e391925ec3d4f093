"""Attacks on `tagship setup github` through a hostile `origin` URL: an owner or repository
that is a path traversal (`..`, `%2e%2e`, an encoded slash, a query) must not steer the
requests to other API paths; such a remote names no GitHub repository."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import CHARMOS, git
from github_setup_standin import SettingsStandIn
from tagship.core.config import github_repo_from_url

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo

HOSTILE = [
    "git@github.com:../...git",
    "git@github.com:o/...git",
    "https://github.com/%2e%2e/%2e%2e.git",
    "https://github.com/o/r%2f..%2f..%2fuser",
    "https://github.com/o/r%3Fx=1",
    "https://github.com/o/r%23frag",
    "ssh://git@github.com/o%00/r.git",
    "git@github.com:o/r\nx.git",
    "https://github.com/-o/r.git",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_a_traversal_names_no_repository(url: str) -> None:
    assert github_repo_from_url(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git@github.com:pypa/sampleproject.git", ("pypa", "sampleproject")),
        ("https://github.com/o-1/r.e_p-o.git", ("o-1", "r.e_p-o")),
        ("https://github.com/O/.github", ("O", ".github")),
    ],
)
def test_genuine_names_still_read(url: str, expected: tuple[str, str]) -> None:
    assert github_repo_from_url(url) == expected


@pytest.mark.parametrize("url", HOSTILE[:5])
def test_setup_from_a_hostile_origin_requests_no_other_path(
    cli: Cli,
    make_repo: MakeRepo,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    settings = SettingsStandIn(httpserver)
    # the GitHub repository is only known from the remote
    repo = make_repo({"pyproject.toml": CHARMOS.partition("[tool.tagship.github]")[0]})
    assert cli("-C", str(repo.path), "init").code == 0
    git(repo.path, "remote", "set-url", "origin", url)
    result = cli("-C", str(repo.path), "setup", "github")
    assert result.code == 2, result.out + result.err
    assert len(result.err.splitlines()) == 1
    assert "Traceback" not in result.err
    assert settings.log == []  # no request at all
    assert "github" in result.err.lower(), result.err
