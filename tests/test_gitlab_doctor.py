"""`tagship doctor` on a GitLab project: tagship's pipeline as `init` writes it and included
from `.gitlab-ci.yml`; with a GITLAB_TOKEN, the project's protected tags, the `pypi`
environment protected with approval and the default branch, read from a local stand-in
speaking GitLab's REST v4 shapes (docs.gitlab.com/api/protected_tags,
/api/protected_environments, /api/projects). Real git repositories throughout."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from conftest import git

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, CliResult, MakeRepo, Repo

# the stand-in sees the path decoded; tagship sends acme%2Ftools%2Fsample, as GitLab wants it
PROJECT = "/api/v4/projects/acme/tools/sample"
OWN = ".gitlab/tagship.gitlab-ci.yml"


@pytest.fixture
def adopted(cli: Cli, make_repo: MakeRepo) -> Repo:
    """A project on gitlab.com with the pipeline `init` writes, committed."""
    repo = make_repo()
    git(repo.path, "remote", "set-url", "origin", "https://gitlab.com/acme/tools/sample.git")
    done = cli("-C", str(repo.path), "init", "--release-branch", "main")
    assert done.code == 0, done.out + done.err
    repo.commit("adopt tagship")
    return repo


def _doctor(cli: Cli, repo: Repo, *args: str) -> CliResult:
    return cli("-C", str(repo.path), "doctor", *args)


def _rules(result: CliResult) -> list[str]:
    document = json.loads(result.out)
    fields = document.get("result", document)
    return [f["rule"] for f in fields["findings"]]


def test_pipeline_as_written_is_clean_without_a_token(cli: Cli, adopted: Repo) -> None:
    result = _doctor(cli, adopted)
    assert result.code == 0, result.out + result.err
    assert "GitLab settings skipped (no GITLAB_TOKEN with CI_API_V4_URL)" in result.out


def test_pipeline_drift_and_missing_include(cli: Cli, adopted: Repo) -> None:
    own = adopted.path / OWN
    own.write_text(own.read_text().replace("when: manual", "when: on_success"))
    (adopted.path / ".gitlab-ci.yml").write_text("unit:\n  script: [true]\n")
    result = _doctor(cli, adopted, "--format", "json")
    assert result.code == 1, result.out + result.err
    assert _rules(result) == ["gitlab-include", "gitlab-pipeline"]
    text = _doctor(cli, adopted)
    assert f"{OWN}:0: gitlab-pipeline: differs from what `tagship init` writes" in text.out
    assert "fix: run `tagship init` and commit the result" in text.out


def _token(monkeypatch: pytest.MonkeyPatch, server: HTTPServer) -> None:
    """A maintainer's token set by hand, with the API it is for (the stand-in)."""
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-t0ken")
    monkeypatch.setenv("CI_API_V4_URL", server.url_for("/api/v4"))


def _serve(
    server: HTTPServer, *, tags: list[str], approvals: int | None, branch: str = "main"
) -> None:
    server.expect_request(PROJECT).respond_with_json({"id": 7, "default_branch": branch})
    server.expect_request(f"{PROJECT}/protected_tags").respond_with_json(
        [{"name": name, "create_access_levels": [{"access_level": 40}]} for name in tags]
    )
    environments = (
        []
        if approvals is None
        else [
            {
                "name": "pypi",
                "deploy_access_levels": [{"access_level": 40}],
                "required_approval_count": approvals,
            }
        ]
    )
    server.expect_request(f"{PROJECT}/protected_environments").respond_with_json(environments)


def test_settings_fall_short(
    cli: Cli, adopted: Repo, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _token(monkeypatch, httpserver)
    _serve(httpserver, tags=["release-*"], approvals=None, branch="master")
    result = _doctor(cli, adopted, "--format", "json")
    assert result.code == 1, result.out + result.err
    assert _rules(result) == [
        "gitlab-default-branch",
        "gitlab-environment-approval",
        "gitlab-protected-tags",
    ]
    assert all(req.headers["PRIVATE-TOKEN"] == "glpat-t0ken" for req, _ in httpserver.log)
    text = _doctor(cli, adopted)
    assert "environment pypi is not protected: a pushed tag publishes to pypi" in text.out
    assert "no protected tag matches v1.2.3" in text.out


def test_settings_as_the_policy_needs(
    cli: Cli, adopted: Repo, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _token(monkeypatch, httpserver)
    _serve(httpserver, tags=["v*"], approvals=1)
    result = _doctor(cli, adopted)
    assert result.code == 0, result.out + result.err
    assert "checked by tagship policy rules, GitLab settings" in result.out


def test_a_token_that_may_not_read(
    cli: Cli, adopted: Repo, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _token(monkeypatch, httpserver)
    httpserver.expect_request(PROJECT).respond_with_json({"default_branch": "main"})
    httpserver.expect_request(f"{PROJECT}/protected_tags").respond_with_json({}, status=403)
    httpserver.expect_request(f"{PROJECT}/protected_environments").respond_with_json(
        {"message": "403 Forbidden"}, status=403
    )
    result = _doctor(cli, adopted, "--format", "json")
    assert result.code == 1
    assert _rules(result) == ["gitlab-permission", "gitlab-permission"]
