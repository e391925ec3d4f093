"""The GitLab REST v4 client against the GitLab stand-in: what the gates, notes, releases and
the audit ask of the host, in tagship's own values."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from gitlab_standin import GitLabStandIn
from tagship.ci import read_run
from tagship.ci.api import NotFoundError
from tagship.ci.clients import host_client, repository_client
from tagship.ci.gitlab.api import GitLabClient
from tagship.core.checks import CheckState
from tagship.core.config import load_config
from tagship.core.errors import ConfigError, ServiceError
from tagship.steps.gates.checks import github_checks, wait_for_checks

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_httpserver import HTTPServer

A, B, C = "a" * 40, "b" * 40, "c" * 40


@pytest.fixture
def gitlab(httpserver: HTTPServer) -> GitLabStandIn:
    stand_in = GitLabStandIn(httpserver, path="acme/platform/charm")
    for sha, message in ((A, "first"), (B, "feat: labels (!3)"), (C, "fix: thing (!4)")):
        stand_in.commit(sha, message)
    stand_in.tags["v1.0.0"] = A
    return stand_in


def client(gitlab: GitLabStandIn, access: str = "write") -> GitLabClient:
    return GitLabClient(gitlab.path, gitlab.token(access), api_url=gitlab.api_url)


def test_the_project_path_is_url_encoded_and_refs_resolve(gitlab: GitLabStandIn) -> None:
    api = client(gitlab)
    assert api.full_name == "acme/platform/charm"
    assert api.commit_sha("main") == C
    assert api.commit_sha("v1.0.0") == A
    assert api.commit_sha("nope") is None
    assert api.tag_exists("v1.0.0")
    assert not api.tag_exists("v9.9.9")
    assert all(
        path.startswith("/api/v4/projects/acme%2Fplatform%2Fcharm") for _, path in gitlab.requests
    )


def test_required_checks_from_the_commits_pipelines(gitlab: GitLabStandIn) -> None:
    mr_pipeline = gitlab.pipeline(C, "feature-4", source="merge_request_event")
    push = gitlab.pipeline(C, "main")
    gitlab.job(mr_pipeline, "lint", "failed")
    gitlab.job(push, "lint", "failed", finished_at="2026-12-01T10:01:00Z")
    gitlab.job(push, "lint", "success", finished_at="2026-12-01T10:05:00Z")  # the retry
    gitlab.job(push, "tests", "running", finished_at=None)
    gitlab.job(push, "docs", "manual", finished_at=None)
    external = {"id": 1, "name": "external/ci", "status": "success", "target_url": "https://ci"}
    gitlab.statuses[C] = [{**external, "created_at": "2026-12-01T09:00:00Z"}]
    report = github_checks(client(gitlab), "main", ["lint", "tests", "docs", "external/ci", "gone"])
    states = {r.name: r.state for r in report.results}
    assert states == {
        "lint": CheckState.PASSED,
        "tests": CheckState.PENDING,
        "docs": CheckState.PENDING,  # a manual job that never ran has not passed
        "external/ci": CheckState.PASSED,
        "gone": CheckState.MISSING,
    }
    assert report.sha == C


def test_a_failed_required_job_fails_the_wait(gitlab: GitLabStandIn) -> None:
    push = gitlab.pipeline(C, "main")
    gitlab.job(push, "tests", "failed")
    gitlab.job(push, "build", "canceled")
    report = wait_for_checks(client(gitlab), "main", ["tests", "build"], timeout=5)
    assert [r.state for r in report.results] == [CheckState.FAILED, CheckState.FAILED]


def test_pages_are_followed(gitlab: GitLabStandIn) -> None:
    gitlab.per_page_cap = 2
    push = gitlab.pipeline(C, "main")
    for n in range(5):
        gitlab.job(push, f"job{n}")
    assert {s.name for s in client(gitlab).check_runs(C)} == {f"job{n}" for n in range(5)}


def test_merge_requests_labels_files_and_the_notes(gitlab: GitLabStandIn) -> None:
    gitlab.merge_request(3, labels=("feature", "release"), merged_as=B, files=("a.py", "b.py"))
    gitlab.merge_request(4, labels=("fix",), merged_as=C, title="Fix thing")
    gitlab.merge_request(5, labels=("wip",), state="opened")
    api = client(gitlab)
    assert api.pull_labels(3) == ["feature", "release"]
    assert api.pull_labels(99) is None
    assert api.pull_files(3) == ["a.py", "b.py"]
    merged = api.merged_pulls_of(C)
    assert [(p.number, p.title, p.author, p.labels) for p in merged] == [
        (4, "Fix thing", "dev", ("fix",))
    ]
    assert api.merged_pull(5) is None  # open, not merged
    assert api.merged_pull(3) is not None
    commits = api.compare("v1.0.0", "main")
    assert commits is not None
    assert [c.sha for c in commits] == [B, C]
    assert api.compare("v0", "main") is None


def test_a_release_is_created_once_after_its_files_with_links(gitlab: GitLabStandIn) -> None:
    api = client(gitlab)
    draft = api.create_release("v1.0.0", "charm 1.0.0", "notes", target=A)
    assert draft.draft
    # nothing is on GitLab yet: there are no draft releases there
    assert gitlab.releases == {}
    asset = api.upload_asset(draft, "charm-1.0.0.tar.gz", b"sdist", "application/gzip")
    assert asset.digest is not None
    assert asset.digest.startswith("sha256:")
    assert [r.tag_name for r in api.releases() if r.draft] == ["v1.0.0"]
    published = api.update_release(draft.id, "publishing v1.0.0", body="final notes", draft=False)
    assert published is not None
    assert not published.draft
    held = gitlab.releases["v1.0.0"]
    assert held["description"] == "final notes"
    assert [link["name"] for link in held["assets"]["links"]] == ["charm-1.0.0.tar.gz"]
    assert gitlab.packages == {"release-files/v1.0.0/charm-1.0.0.tar.gz": b"sdist"}
    assert [a.name for a in published.assets] == ["charm-1.0.0.tar.gz"]
    again = api.update_release(published.id, "notes", body="edited")
    assert again is not None
    assert again.body == "edited"
    # a fresh client (a later job) sees the published release
    assert [r.tag_name for r in client(gitlab).releases()] == ["v1.0.0"]


def test_publishing_never_creates_the_tag(gitlab: GitLabStandIn) -> None:
    api = client(gitlab)
    draft = api.create_release("v2.0.0", "v2.0.0", "notes", target=C)
    with pytest.raises(ServiceError, match="HTTP 422"):
        api.update_release(draft.id, "publishing v2.0.0", draft=False)
    assert "v2.0.0" not in gitlab.tags
    assert gitlab.releases == {}


def test_open_merge_request_is_found_on_a_rerun(gitlab: GitLabStandIn) -> None:
    api = client(gitlab)
    url = api.open_pull("docs-links", "main", "Docs links", "body")
    assert url.endswith("/-/merge_requests/1")
    assert api.open_pull("docs-links", "main", "Docs links", "body") == url
    assert len(gitlab.merge_requests) == 1


def test_pipelines_and_jobs_for_the_ledger(gitlab: GitLabStandIn) -> None:
    gitlab.tags["v1.1.0"] = C
    pipeline = gitlab.pipeline(C, "v1.1.0", tag=True)
    job = gitlab.job(pipeline, "release", environment="pypi")  # and its deployment
    api = client(gitlab)
    runs = api.workflow_runs(".gitlab-ci.yml", branch="v1.1.0")
    assert runs is not None
    assert [(r.id, r.status, r.conclusion, r.head_sha) for r in runs] == [
        (pipeline, "completed", "success", C)
    ]
    facts = api.workflow_run(job)
    assert facts is not None
    assert (facts.repository, facts.path, facts.head_sha, facts.head_branch, facts.event) == (
        "acme/platform/charm", ".gitlab-ci.yml", C, "v1.1.0", "push",
    )  # fmt: skip
    assert api.workflow_run(1) is None


def test_tokens_go_in_gitlabs_headers_and_refusals_say_why(
    gitlab: GitLabStandIn, httpserver: HTTPServer
) -> None:
    read_only = client(gitlab, "read")
    with pytest.raises(ServiceError, match=r"refused .* \(HTTP 403\)") as refused:
        read_only.open_pull("x", "main", "t", "b")
    assert "api (Developer)" in str(refused.value.hint)
    stranger = GitLabClient(gitlab.path, "not-a-token", api_url=gitlab.api_url)
    with pytest.raises(ServiceError, match="HTTP 401"):
        stranger.check_runs(C)
    job_token = gitlab.token("read")
    as_job = GitLabClient(gitlab.path, job_token, api_url=gitlab.api_url, job_token=True)
    assert as_job.commit_sha("main") == C
    sent = httpserver.log[-1][0]
    assert sent.headers.get("JOB-TOKEN") == job_token
    assert "PRIVATE-TOKEN" not in sent.headers
    with pytest.raises(NotFoundError):
        GitLabClient("acme/other", job_token, api_url=gitlab.api_url).json("GET", "", "x", "y")


def test_the_seam_chooses_gitlabs_client_by_host(gitlab: GitLabStandIn, tmp_path: Path) -> None:
    token = gitlab.token("read")
    env = {"GITLAB_CI": "true", "CI_PROJECT_PATH": gitlab.path, "CI_API_V4_URL": gitlab.api_url,
           "CI_JOB_TOKEN": token}  # fmt: skip
    ci = read_run(env)
    config = load_config(tmp_path / "pyproject.toml", {})
    api = host_client(ci, config, command="checks", permission="read_api")
    assert isinstance(api, GitLabClient)
    assert api.commit_sha("main") == C
    assert isinstance(repository_client(ci, gitlab.path), GitLabClient)
    no_token = read_run({k: v for k, v in env.items() if k != "CI_JOB_TOKEN"})
    with pytest.raises(ConfigError, match="needs a GitLab token"):
        host_client(no_token, config, command="checks", permission="read_api")
