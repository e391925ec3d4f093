"""The GitHub client against a local server speaking GitHub's REST protocol."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import github_payloads as gh
from tagship.ci import read_run
from tagship.ci.github.api import GitHubClient, NotFoundError
from tagship.core.checks import CheckState
from tagship.core.config import Config
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

REPO = f"/repos/{gh.FULL}"
SHA = "a" * 40


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(httpserver: HTTPServer, sleeps: list[float]) -> GitHubClient:
    return GitHubClient(
        gh.OWNER,
        gh.NAME,
        "t0ken",
        base_url=httpserver.url_for("/"),
        sleep=sleeps.append,
        clock=lambda: 1_000_000.0,
    )


def test_pagination_follows_link_headers(httpserver: HTTPServer, client: GitHubClient) -> None:
    page2 = httpserver.url_for(f"{REPO}/commits/{SHA}/check-runs") + "?per_page=100&page=2"
    httpserver.expect_request(
        f"{REPO}/commits/{SHA}/check-runs", query_string={"per_page": "100"}
    ).respond_with_json(
        gh.check_runs(gh.check_run("lint", rid=1), total=2),
        headers={"Link": f'<{page2}>; rel="next", <{page2}>; rel="last"'},
    )
    httpserver.expect_request(
        f"{REPO}/commits/{SHA}/check-runs", query_string={"per_page": "100", "page": "2"}
    ).respond_with_json(gh.check_runs(gh.check_run("tests", "in_progress", rid=2), total=2))
    signals = client.check_runs(SHA)
    assert [(s.name, s.state) for s in signals] == [
        ("lint", CheckState.PASSED),
        ("tests", CheckState.PENDING),
    ]


def test_token_is_sent(httpserver: HTTPServer, client: GitHubClient) -> None:
    httpserver.expect_request(
        f"{REPO}/commits/{SHA}/statuses", headers={"Authorization": "token t0ken"}
    ).respond_with_json([gh.status("docs", "failure")])
    [signal] = client.statuses(SHA)
    assert (signal.name, signal.state, signal.source) == ("docs", CheckState.FAILED, "status")


def test_rate_limit_retry_after_is_honoured(
    httpserver: HTTPServer, client: GitHubClient, sleeps: list[float]
) -> None:
    url = f"{REPO}/issues/7/labels"
    httpserver.expect_ordered_request(url).respond_with_json(
        gh.error("You have exceeded a secondary rate limit.", 403),
        status=403,
        headers={"Retry-After": "7"},
    )
    httpserver.expect_ordered_request(url).respond_with_json([gh.label("release:patch")])
    assert client.pull_labels(7) == ["release:patch"]
    assert sleeps == [7.0]


def test_rate_limit_reset_time_is_honoured(
    httpserver: HTTPServer, client: GitHubClient, sleeps: list[float]
) -> None:
    url = f"{REPO}/issues/7/labels"
    httpserver.expect_ordered_request(url).respond_with_json(
        gh.error("API rate limit exceeded", 403),
        status=403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(1_000_000 + 20)},
    )
    httpserver.expect_ordered_request(url).respond_with_json([])
    assert client.pull_labels(7) == []
    assert sleeps == [21.0]  # until the reset, plus a second of slack


def test_rate_limit_too_far_away_fails_at_once(
    httpserver: HTTPServer, client: GitHubClient, sleeps: list[float]
) -> None:
    httpserver.expect_request(f"{REPO}/issues/7/labels").respond_with_json(
        gh.error("API rate limit exceeded", 429), status=429, headers={"Retry-After": "3600"}
    )
    with pytest.raises(ServiceError, match=r"rate limit hit .* \(retry in 3600 s\)"):
        client.pull_labels(7)
    assert sleeps == []


def test_server_errors_are_retried_then_reported(
    httpserver: HTTPServer, client: GitHubClient, sleeps: list[float]
) -> None:
    httpserver.expect_request(f"{REPO}/releases").respond_with_json(
        gh.error("Server Error", 502), status=502
    )
    with pytest.raises(ServiceError, match=r"GitHub failed while listing releases \(502"):
        client.releases()
    assert sleeps == [1.0, 2.0, 4.0]  # bounded: four attempts in all


def test_server_error_then_success(
    httpserver: HTTPServer, client: GitHubClient, sleeps: list[float]
) -> None:
    httpserver.expect_ordered_request(f"{REPO}/releases").respond_with_data("", status=503)
    httpserver.expect_ordered_request(f"{REPO}/releases").respond_with_json(
        [gh.release(1, "v1.0.0")]
    )
    assert [r.tag_name for r in client.releases()] == ["v1.0.0"]
    assert sleeps == [1.0]


def test_401_names_the_token(httpserver: HTTPServer, client: GitHubClient) -> None:
    httpserver.expect_request(f"{REPO}/releases").respond_with_json(
        gh.error("Bad credentials", 401), status=401
    )
    with pytest.raises(ServiceError, match=r"rejected the token .*Bad credentials") as caught:
        client.releases()
    assert caught.value.hint is not None
    assert "GITHUB_TOKEN" in caught.value.hint


def test_403_names_the_missing_permission(httpserver: HTTPServer, client: GitHubClient) -> None:
    httpserver.expect_request(f"{REPO}/commits/{SHA}/check-runs").respond_with_json(
        gh.error("Resource not accessible by integration", 403),
        status=403,
        headers={"X-Accepted-GitHub-Permissions": "checks=read"},
    )
    with pytest.raises(ServiceError, match="lacks the checks=read permission"):
        client.check_runs(SHA)


def test_404_for_a_missing_scope_names_the_scope(
    httpserver: HTTPServer, client: GitHubClient
) -> None:
    # a classic token without `repo` sees a private repository as missing
    headers = {"X-Accepted-OAuth-Scopes": "repo", "X-OAuth-Scopes": "read:org"}
    httpserver.expect_request(f"{REPO}/releases").respond_with_json(
        gh.error("Not Found", 404), status=404, headers=headers
    )
    httpserver.expect_request(REPO).respond_with_json(
        gh.error("Not Found", 404), status=404, headers=headers
    )
    with pytest.raises(ServiceError) as caught:
        client.releases()
    assert caught.value.message == (
        f"GitHub repository {gh.FULL} not found, or the token lacks "
        "the `repo` scope (the token has: read:org)"
    )
    assert caught.value.exit_code == 3


def test_404_without_scope_headers_names_the_permission(
    httpserver: HTTPServer, client: GitHubClient
) -> None:
    httpserver.expect_request(REPO).respond_with_json(gh.error("Not Found", 404), status=404)
    with pytest.raises(NotFoundError, match="nothing while reading") as caught:
        client._call("reading", "contents: read", lambda: client._gh.request("GET", REPO))
    assert caught.value.need == "the contents: read permission"


def test_unknown_ref_is_none_in_an_existing_repository(
    httpserver: HTTPServer, client: GitHubClient
) -> None:
    httpserver.expect_request(f"{REPO}/commits/nope").respond_with_json(
        gh.error("No commit found for SHA: nope", 422), status=422
    )
    httpserver.expect_request(REPO).respond_with_json({"full_name": gh.FULL})
    assert client.commit_sha("nope") is None


def test_an_incomplete_payload_is_a_service_error(
    httpserver: HTTPServer, client: GitHubClient
) -> None:
    broken = gh.release(1, "v1.0.0")
    del broken["upload_url"]
    httpserver.expect_request(f"{REPO}/releases").respond_with_json([broken])
    with pytest.raises(ServiceError, match="does not have the documented shape"):
        client.releases()


def test_unreachable_server_is_a_service_error(sleeps: list[float]) -> None:
    client = GitHubClient(
        "o", "r", "t", base_url="http://127.0.0.1:9", sleep=sleeps.append, attempts=2
    )
    with pytest.raises(ServiceError, match=r"cannot reach GitHub at http://127\.0\.0\.1:9"):
        client.releases()
    assert sleeps == [1.0]


def test_upload_goes_to_the_release_upload_url(
    httpserver: HTTPServer, client: GitHubClient
) -> None:
    uploads = httpserver.url_for("/uploads").rstrip("/")
    draft = gh.release(5, "v1.0.0", draft=True, upload_base=uploads)
    httpserver.expect_request(f"{REPO}/releases").respond_with_json([draft])
    httpserver.expect_request(
        f"/uploads/repos/{gh.FULL}/releases/5/assets",
        method="POST",
        query_string={"name": "m.json"},
        data=b"{}",
    ).respond_with_json(gh.asset("m.json", 9), status=201)
    [release] = client.releases()
    assert client.upload_asset(release, "m.json", b"{}", "application/json").id == 9


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({}, "tagship notes needs a GitHub token: set GITHUB_TOKEN or GH_TOKEN"),
        ({"GH_TOKEN": "x"}, "cannot tell which GitHub repository"),
    ],
)
def test_from_env_names_what_is_missing(env: dict[str, str], match: str) -> None:
    config = Config(pyproject=Path("pyproject.toml"))
    with pytest.raises(ConfigError, match=match):
        GitHubClient.from_run(read_run(env), config, command="notes", permission="contents: read")


def test_from_env_reads_base_url_and_repository() -> None:
    config = Config(pyproject=Path("pyproject.toml"), github_owner="o", github_repository="r")
    env = {"GITHUB_TOKEN": "x", "GITHUB_API_URL": "https://ghe.example.com/api/v3"}
    client = GitHubClient.from_run(
        read_run(env), config, command="notes", permission="contents: read"
    )
    assert (client.full_name, client.base_url) == ("o/r", "https://ghe.example.com/api/v3")


@pytest.mark.parametrize(
    "url", ["http://ghe.example.com/api/v3", "http://10.0.0.1/api", "ftp://127.0.0.1/"]
)
def test_token_never_goes_to_an_insecure_api_url(url: str) -> None:
    config = Config(pyproject=Path("pyproject.toml"), github_owner="o", github_repository="r")
    env = {"GITHUB_TOKEN": "x", "GITHUB_API_URL": url}
    with pytest.raises(ConfigError, match=f"GitHub API URL: refusing insecure URL {url}") as info:
        GitHubClient.from_run(read_run(env), config, command="notes", permission="contents: read")
    assert "GITHUB_API_URL" in (info.value.hint or "")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_plain_http_is_allowed_on_loopback(host: str) -> None:
    config = Config(pyproject=Path("pyproject.toml"), github_owner="o", github_repository="r")
    env = {"GITHUB_TOKEN": "x", "GITHUB_API_URL": f"http://{host}:8080/api/"}
    client = GitHubClient.from_run(
        read_run(env), config, command="notes", permission="contents: read"
    )
    assert client.base_url == f"http://{host}:8080/api"
