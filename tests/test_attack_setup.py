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

    from conftest import Cli, MakeRepo, Repo

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


@pytest.mark.parametrize("name", ["pypi", "testpypi"])
def test_an_existing_stricter_environment_is_never_loosened(
    cli: Cli, charmos: Repo, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Reviewers, self-review prevented and a wait timer, but no deployment branch policy:
    a PUT adding one replaces the environment's whole protection, so it must carry them."""
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    settings = SettingsStandIn(httpserver)
    settings._put_environment(  # the state GitHub holds
        name,
        {
            "wait_timer": 600,
            "prevent_self_review": True,
            "reviewers": [{"type": "User", "id": 41}, {"type": "User", "id": 42}],
        },
    )
    before = list(settings.environments[name]["protection_rules"])
    result = cli("-C", str(charmos.path), "setup", "github")
    assert result.code == 0, result.err
    after = settings.environments[name]["protection_rules"]
    kinds = {r["type"]: r for r in after}
    for rule in before:
        kept = kinds.get(rule["type"])
        assert kept is not None, (rule, after)
        for key in ("wait_timer", "prevent_self_review"):
            assert kept.get(key) == rule.get(key), (rule, kept)
        if rule["type"] == "required_reviewers":
            ids = sorted(r["reviewer"]["id"] for r in kept["reviewers"])
            assert ids == [41, 42]


def test_reviewers_it_cannot_read_stop_the_setup_before_any_change(
    cli: Cli, charmos: Repo, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer in a shape githubkit's models do not take (the stand-in's team, as an API
    change would send it) must not read as no reviewers, which a PUT would then drop."""
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    settings = SettingsStandIn(httpserver)
    settings._put_environment(  # the state GitHub holds
        "pypi", {"wait_timer": 600, "reviewers": [{"type": "Team", "id": 900}]}
    )
    result = cli("-C", str(charmos.path), "setup", "github")
    assert result.code == 3, result.err
    assert len(result.err.splitlines()) == 1
    assert "reviewers of environment pypi" in result.err
    assert settings.writes == []
