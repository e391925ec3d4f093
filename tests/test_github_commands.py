"""`checks`, `label-check`, `notes`, `github-release publish` and `wait-workflow` end to end:
the real CLI, a real git repository, and a local server speaking GitHub's REST API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

import github_payloads as gh
from conftest import STATIC_PYPROJECT, Cli, MakeRepo, Repo

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

REPO = f"/repos/{gh.FULL}"
SHA = "a" * 40
REQUIRED = '[tool.tagship]\nrequired-checks = ["lint", "tests", "docs"]\n'


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    made = make_repo({"pyproject.toml": STATIC_PYPROJECT + REQUIRED})
    made.tag("v0.4.22")
    return made


def _sent(server: HTTPServer, method: str, path: str) -> list[Any]:
    return [
        json.loads(req.get_data() or b"null")
        for req, _ in server.log
        if req.method == method and req.path == path
    ]


# -- checks -----------------------------------------------------------------------------------


def _serve_checks(server: HTTPServer, runs: list[dict[str, Any]], statuses: list[Any]) -> None:
    server.expect_request(f"{REPO}/commits/main").respond_with_json(gh.commit(SHA))
    server.expect_request(f"{REPO}/commits/{SHA}/check-runs").respond_with_json(
        gh.check_runs(*runs)
    )
    server.expect_request(f"{REPO}/commits/{SHA}/statuses").respond_with_json(statuses)


def test_checks_pass(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    _serve_checks(
        github,
        [gh.check_run("lint", rid=1), gh.check_run("tests", conclusion="skipped", rid=2)],
        [gh.status("docs")],
    )
    result = cli("-C", str(repo.path), "checks")
    assert result.code == 0, result.err
    assert "docs\tpassed\tsuccess" in result.out
    assert "all 3 required checks passed for aaaaaaaaaaaa" in result.out


def test_checks_fail_names_each_check(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    _serve_checks(
        github,
        [gh.check_run("lint", conclusion="failure", rid=1), gh.check_run("tests", "queued", rid=2)],
        [],
    )
    result = cli("-C", str(repo.path), "checks", "--format", "json")
    assert result.code == 1
    assert json.loads(result.out)["passed"] is False
    assert result.err.startswith(
        "tagship: error: required checks not passed for main (aaaaaaaaaaaa): "
        "lint failed, tests pending, docs missing"
    )


def test_checks_wait_until_settled(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    github.expect_request(f"{REPO}/commits/main").respond_with_json(gh.commit(SHA))
    github.expect_request(f"{REPO}/commits/{SHA}/statuses").respond_with_json([gh.status("docs")])
    runs = f"{REPO}/commits/{SHA}/check-runs"
    # the first poll finds tests still running, every later one finds them done
    github.expect_oneshot_request(runs).respond_with_json(
        gh.check_runs(gh.check_run("lint", rid=1), gh.check_run("tests", "in_progress", rid=2))
    )
    github.expect_request(runs).respond_with_json(
        gh.check_runs(gh.check_run("lint", rid=1), gh.check_run("tests", rid=2))
    )
    result = cli("-C", str(repo.path), "checks", "--wait", "--interval", "0.01")
    assert result.code == 0, result.err
    assert "1 pending" in result.err  # the first poll, reported on stderr
    assert "all 3 required checks passed" in result.out


def test_checks_wait_times_out_naming_what_is_pending(
    cli: Cli, repo: Repo, github: HTTPServer
) -> None:
    _serve_checks(github, [gh.check_run("lint", rid=1), gh.check_run("tests", "queued", rid=2)], [])
    result = cli(
        "-C", str(repo.path), "checks", "--wait", "--timeout", "0.05", "--interval", "0.01"
    )
    assert result.code == 3  # a timeout, as for every wait; not a failed check (1)
    assert result.out == ""
    *progress, error = result.err.splitlines()
    assert progress
    assert all(text.startswith("checks of aaaaaaaaaaaa: ") for text in progress)
    assert error.startswith("tagship: error: timed out after 0.05 s (")
    assert error.endswith(
        "required checks of main (aaaaaaaaaaaa) not settled: tests pending, docs missing "
        "(hint: rerun later, or with a longer --timeout (it was 0.05 s))"
    )


def test_checks_unknown_ref(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    github.expect_request(f"{REPO}/commits/nope").respond_with_json(
        gh.error("No commit found for SHA: nope", 422), status=422
    )
    result = cli("-C", str(repo.path), "checks", "--ref", "nope")
    assert (result.code, result.err.splitlines()[0]) == (
        2,
        (
            f"tagship: error: 'nope' does not name a commit in {gh.FULL} "
            "(hint: pass a branch, tag or sha that is pushed to GitHub)"
        ),
    )


def test_checks_repository_not_found(
    cli: Cli, repo: Repo, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.setenv("GITHUB_REPOSITORY", "nobody/nothing")
    httpserver.expect_request("/repos/nobody/nothing/commits/main").respond_with_json(
        gh.error("Not Found", 404), status=404
    )
    httpserver.expect_request("/repos/nobody/nothing").respond_with_json(
        gh.error("Not Found", 404), status=404
    )
    result = cli("-C", str(repo.path), "checks")
    assert result.code == 3
    assert "GitHub repository nobody/nothing not found, or the token lacks" in result.err


def test_checks_without_token(cli: Cli, repo: Repo) -> None:
    result = cli("-C", str(repo.path), "checks")
    assert result.code == 2
    assert "tagship checks needs a GitHub token" in result.err
    assert "checks: read and statuses: read" in result.err


def test_checks_local_runs_commands_in_order(cli: Cli, make_repo: MakeRepo) -> None:
    config = (
        '[tool.tagship]\nrequired-checks = ["lint", "release-label", "tests", "docs"]\n'
        '[tool.tagship.checks]\nlint = "test -f pyproject.toml"\n'
        'tests = "echo boom >&2; exit 3"\ndocs = ""\n'
    )
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT + config})
    result = cli("-C", str(repo.path), "checks", "--local")
    assert result.code == 1
    assert "[1/4] lint: test -f pyproject.toml" in result.err
    assert "[3/4] tests: failed" in result.err
    rows = [ln.split("\t")[:3] for ln in result.out.splitlines()[2:]]
    assert rows == [
        ["lint", "passed", "test -f pyproject.toml"],
        ["release-label", "skipped", "not a local check"],
        ["tests", "failed", "exit 3: boom"],
        ["docs", "skipped", "not a local check"],
    ]
    passing = cli("-C", str(repo.path), "--set", 'checks.tests="true"', "checks", "--local")
    assert passing.code == 0, passing.err


# -- label-check ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "code", "text"),
    [
        (["bug", "release:minor"], 0, "pull request #7 carries release:minor"),
        (["release:minor", "release:patch"], 1, "#7 has 2 release labels"),
        (["bug"], 1, "#7 has no release label (its labels: bug)"),
        ([], 1, "#7 has no release label (its labels: none)"),
    ],
)
def test_label_check(
    cli: Cli, repo: Repo, github: HTTPServer, labels: list[str], code: int, text: str
) -> None:
    github.expect_request(f"{REPO}/issues/7/labels").respond_with_json(
        [gh.label(name, i) for i, name in enumerate(labels)]
    )
    result = cli("-C", str(repo.path), "label-check", "--pr", "7")
    assert result.code == code
    assert text in (result.out if code == 0 else result.err)


def test_label_check_reads_the_event_payload(
    cli: Cli, repo: Repo, github: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = repo.path.parent / "event.json"
    event.write_text(json.dumps({"action": "labeled", "pull_request": {"number": 9}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    github.expect_request(f"{REPO}/issues/9/labels").respond_with_json([gh.label("release:skip")])
    result = cli("-C", str(repo.path), "label-check")
    assert (result.code, result.out.splitlines()[0]) == (0, "pull request #9 carries release:skip")
    assert result.out.splitlines()[-1].startswith("next: tagship notes: ")


def test_label_check_unknown_pull_request(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    github.expect_request(f"{REPO}/issues/404/labels").respond_with_json(
        gh.error("Not Found", 404), status=404
    )
    result = cli("-C", str(repo.path), "label-check", "--pr", "404")
    assert (result.code, result.err) == (
        2,
        f"tagship: error: pull request #404 not found in {gh.FULL}\n",
    )


def test_label_check_needs_a_pull_request(cli: Cli, repo: Repo) -> None:
    result = cli("-C", str(repo.path), "label-check")
    assert result.code == 2
    assert "no pull request to check" in result.err
