"""`--format json` of the commands that speak to GitHub (a local stand-in of its REST API), and
of the rollback options (a real released project; a Cloud Run stand-in; a real Alembic
database on SQLite): one document each, in the envelope, with docs/json.md's fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import github_payloads as gh
from cloud_run_api import PROJECT, REGION, SERVICE, FakeCloudRun
from conftest import STATIC_PYPROJECT
from json_kit import document
from rollback_kit import merge, released_project
from test_rollback_migrate import write_environment

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

REPO = f"/repos/{gh.FULL}"
SHA = "a" * 40


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    made = make_repo({"pyproject.toml": STATIC_PYPROJECT})
    made.tag("v0.4.22")
    return made


def _json(cli: Cli, repo: Repo, label: str, *args: str, code: int = 0) -> dict[str, Any]:
    result = cli("-C", str(repo.path), *label.split(), *args, "--format", "json")
    return document(result, label, code)


def test_checks_and_label_check(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    github.expect_request(f"{REPO}/commits/main").respond_with_json(gh.commit(SHA))
    github.expect_request(f"{REPO}/commits/{SHA}/check-runs").respond_with_json(
        gh.check_runs(gh.check_run("lint", conclusion="failure", rid=1))
    )
    github.expect_request(f"{REPO}/commits/{SHA}/statuses").respond_with_json([])
    failed = _json(cli, repo, "checks", code=1)
    assert (failed["sha"], failed["passed"]) == (SHA, False)
    github.expect_request(f"{REPO}/issues/7/labels").respond_with_json(
        [gh.label("release:minor", 1)]
    )
    labelled = _json(cli, repo, "label-check", "--pr", "7")
    assert (labelled["pull_request"], labelled["label"]) == (7, "release:minor")


def test_github_release_publish_and_wait_workflow(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    releases = [gh.release(7, "v0.5.0", draft=True), gh.release(1, "v0.4.22")]
    github.expect_request(f"{REPO}/releases", method="GET").respond_with_json(releases)
    github.expect_request(f"{REPO}/git/ref/tags/v0.5.0").respond_with_json(gh.git_ref("v0.5.0"))
    github.expect_request(f"{REPO}/compare/v0.4.22...v0.5.0").respond_with_json(gh.comparison())
    for method in ("PATCH", "GET"):  # publishing, then the release read back
        github.expect_request(f"{REPO}/releases/7", method=method).respond_with_json(
            gh.release(7, "v0.5.0")
        )
    published = _json(cli, repo, "github-release publish", "v0.5.0")
    assert (published["tag"], published["already"], published["latest"]) == ("v0.5.0", False, True)
    runs = f"{REPO}/actions/workflows/publish-pypi.yml/runs"
    github.expect_request(runs).respond_with_json(gh.workflow_runs(gh.workflow_run(41, "v0.5.0")))
    waited = _json(cli, repo, "wait-workflow", "--tag", "v0.5.0", "--interval", "0.01")
    assert (waited["conclusion"], waited["url"]) == (
        "success",
        f"https://github.com/{gh.FULL}/actions/runs/41",
    )


def test_rollback_revert_and_patch(cli: Cli, make_repo: MakeRepo) -> None:
    released = released_project(make_repo)
    bad = merge(released, "bad", "bad.py", "BAD = 1\n", 5)
    reverted = _json(cli, released, "rollback revert", bad, "--release", "1.3.0")
    assert (reverted["reverted"], reverted["pushed"]) == ([bad], False)
    patch = _json(cli, released, "rollback patch", "1.2.3")
    assert (patch["branch"], patch["tag"]) == ("hotfix/1.2.4", "v1.2.4")


def test_rollback_cloud_run(
    cli: Cli, make_repo: MakeRepo, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGSHIP_CLOUD_RUN_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    FakeCloudRun(httpserver)
    released = released_project(make_repo)
    where = ("--service", SERVICE, "--region", REGION, "--to-revision", "api-00001-abc")
    moved = _json(cli, released, "rollback cloud-run", *where)
    assert (moved["applied"], moved["after"][0]) == (
        True,
        {"revision": "api-00001-abc", "percent": 100, "tag": ""},
    )
    assert moved["ledger_seq"] == 1


def test_rollback_migrate(cli: Cli, make_repo: MakeRepo) -> None:
    released = released_project(make_repo)
    write_environment(released.path)
    (released.path / ".gitignore").write_text("app.db\n__pycache__/\n")
    released.commit("migrations")
    moved = _json(cli, released, "rollback migrate", "--revision", "b2000002")
    assert (moved["direction"], moved["reached"], moved["applied"]) == (
        "upgrade",
        "b2000002",
        True,
    )
