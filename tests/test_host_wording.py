"""Messages of host-neutral commands name the project's CI host: GitLab on a GitLab project
(its job, its token set by hand), GitHub otherwise. Real git with a bare origin; GitLab is
the stand-in."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from gitlab_standin import GitLabStandIn
from rollback_kit import released_project
from tagship.ci.gitlab.api import GitLabClient
from tagship.ci.gitlab.environment import read as read_gitlab
from tagship.ci.host_names import project_host_title
from tagship.core.errors import UsageError
from tagship.steps.gates.checks import resolve_ref
from tagship.steps.notes.release_notes import github_pulls
from test_gitlab_audit import _published, gitlab, repo

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

__all__ = ["gitlab", "repo"]  # the GitLab audit's fixtures


def test_hotfix_start_on_a_gitlab_project_says_gitlab(
    make_repo: MakeRepo, cli: Cli, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = released_project(make_repo)
    stand_in = GitLabStandIn(httpserver, path="acme/tools/sample-pkg")
    monkeypatch.setenv("GITLAB_TOKEN", stand_in.token("read"))
    monkeypatch.setenv("CI_PROJECT_PATH", stand_in.path)
    monkeypatch.setenv("CI_API_V4_URL", stand_in.api_url)
    started = cli("-C", str(project.path), "hotfix", "start", "v1.2.3")
    assert started.code == 0, started.err
    assert "so v1.2.4 will not be marked latest on GitLab" in started.out


def test_hotfix_start_elsewhere_still_says_github(make_repo: MakeRepo, cli: Cli) -> None:
    project = released_project(make_repo)
    started = cli("-C", str(project.path), "hotfix", "start", "v1.2.3")
    assert started.code == 0, started.err
    assert "so v1.2.4 will not be marked latest on GitHub" in started.out


@pytest.mark.parametrize(
    ("origin", "files", "title"),
    [
        ("https://gitlab.com/acme/tools/charm.git", (), "GitLab"),
        ("git@gitlab.example.org:acme/charm.git", (), "GitLab"),
        (None, (".gitlab-ci.yml",), "GitLab"),
        ("https://github.com/acme/charm.git", (), "GitHub"),
        (None, (), "GitHub"),
    ],
)
def test_without_a_job_or_token_the_projects_host_is_named(
    tmp_path: Path, origin: str | None, files: tuple[str, ...], title: str
) -> None:
    for name in files:
        (tmp_path / name).write_text("include: []\n")
    assert project_host_title(read_gitlab({}), origin, tmp_path) == title


def test_a_gitlab_job_is_gitlab_whatever_the_remote(tmp_path: Path) -> None:
    job = read_gitlab({"GITLAB_CI": "true", "CI_PROJECT_PATH": "acme/charm"})
    assert project_host_title(job, "https://github.com/acme/charm.git", tmp_path) == "GitLab"


def test_the_audit_without_a_token_names_gitlabs_variables(
    repo: Repo, gitlab: GitLabStandIn, cli: Cli
) -> None:
    _published(repo, gitlab)
    result = cli("-C", str(repo.path), "audit", "--index", "local", "--format", "json")
    report = json.loads(result.out)
    assert (
        "CI identities not verified: no GitLab token (GITLAB_TOKEN or CI_JOB_TOKEN)"
        in report["notes"]
    )
    assert "GitHub" not in json.dumps(report["notes"])


def test_the_host_clients_messages_name_gitlab(gitlab: GitLabStandIn) -> None:
    api = GitLabClient(gitlab.path, gitlab.token("read"), api_url=gitlab.api_url)
    assert api.title == "GitLab"
    with pytest.raises(UsageError) as unknown:
        resolve_ref(api, "nowhere")
    assert unknown.value.hint == "pass a branch, tag or sha that is pushed to GitLab"
    with pytest.raises(UsageError) as compared:
        github_pulls(api, "v0.1.0", "v0.2.0")
    assert str(compared.value).startswith("GitLab cannot compare v0.1.0...v0.2.0 in acme/")
