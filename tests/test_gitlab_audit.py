"""`tagship audit` of a GitLab project: each record's CI identity (a GitLab job) looked up on
the GitLab stand-in: the job exists in the project, ran the top-level pipeline at the
published commit, for the tag, from a push pipeline. Real git, a real ledger."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import pytest

from conftest import STATIC_PYPROJECT, git
from gitlab_standin import GitLabStandIn
from tagship.adapters.git import Git
from tagship.adapters.index import JSON_TYPE
from tagship.adapters.ledger_store import append_event, read_ledger
from tagship.core.index_url import index_details
from tagship.core.ledger import Event, FileEntry, anchor_line
from tagship.core.replays import CLEAN, WORK_TREE
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

PROJECT = "acme/tools/charm"
SDIST = "sample_pkg-1.0.0.tar.gz"


def _sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _job_env(commit: str, job: int, **changes: str) -> dict[str, str]:
    env = {
        "GITLAB_CI": "true",
        "CI_PROJECT_PATH": PROJECT,
        "CI_CONFIG_PATH": ".gitlab-ci.yml",
        "CI_COMMIT_TAG": "v1.0.0",
        "CI_COMMIT_REF_NAME": "v1.0.0",
        "CI_COMMIT_SHA": commit,
        "CI_JOB_ID": str(job),
        "CI_PIPELINE_SOURCE": "push",
        "CI_ENVIRONMENT_NAME": "pypi",
        "GITLAB_USER_LOGIN": "maintainer",
    }
    return {k: v for k, v in {**env, **changes}.items() if v}


def _published(repo: Repo, gitlab: GitLabStandIn, **changes: str) -> tuple[str, int]:
    """Record the publish of v1.0.0 by a GitLab job (its variables with `changes`), tag it
    with the ledger's anchor, push; the commit and the job's id."""
    commit = repo.commit("release 1.0.0")
    repo.push("main")
    pipeline = gitlab.pipeline(commit, "v1.0.0", tag=True)
    job = gitlab.job(pipeline, "release", environment="pypi")
    bound = index_details(open_workspace(repo.path, env={}).config.index("local"))
    event = Event(
        "publish", "sample-pkg", "1.0.0", tag="v1.0.0", commit=commit, index="local",
        files=(FileEntry(SDIST, 10, _sha(SDIST)),), details={**bound, WORK_TREE: CLEAN},
    )  # fmt: skip
    record = append_event(Git(repo.path), event, _job_env(commit, job, **changes))
    git(repo.path, "tag", "-f", "-a", "v1.0.0", "-m", f"v1.0.0\n\n{anchor_line(record.hash)}")
    repo.push("--force", "refs/tags/v1.0.0")
    return commit, job


@pytest.fixture
def gitlab(httpserver: HTTPServer) -> GitLabStandIn:
    stand_in = GitLabStandIn(httpserver, path=PROJECT)
    files = [{"filename": SDIST, "url": f"/f/{SDIST}", "hashes": {"sha256": _sha(SDIST)}}]
    page = json.dumps({"meta": {"api-version": "1.1"}, "name": "sample-pkg", "files": files})
    httpserver.expect_request("/simple/sample-pkg/").respond_with_data(page, content_type=JSON_TYPE)
    return stand_in


@pytest.fixture
def repo(make_repo: MakeRepo, httpserver: HTTPServer) -> Repo:
    config = (
        f'\n[tool.tagship.indexes.local]\nsimple-url = "{httpserver.url_for("/simple/")}"\n'
        'upload-url = "http://127.0.0.1:1/"\n'
    )
    return make_repo({"pyproject.toml": STATIC_PYPROJECT + config})


def _audit(
    cli: Cli, repo: Repo, gitlab: GitLabStandIn, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, dict[str, Any], str]:
    # a maintainer's audit: a GitLab token set by hand, the project and the API named
    monkeypatch.setenv("GITLAB_TOKEN", gitlab.token("read"))
    monkeypatch.setenv("CI_PROJECT_PATH", PROJECT)
    monkeypatch.setenv("CI_API_V4_URL", gitlab.api_url)
    result = cli("-C", str(repo.path), "audit", "--index", "local", "--format", "json")
    return result.code, json.loads(result.out) if result.out else {}, result.err


def test_a_genuine_gitlab_job_passes(
    repo: Repo, gitlab: GitLabStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, job = _published(repo, gitlab)
    (record,) = read_ledger(Git(repo.path)).records
    assert (record.actor.kind, record.actor.repository, record.actor.run_id) == (
        "gitlab-ci", PROJECT, str(job),
    )  # fmt: skip
    assert (record.actor.workflow, record.actor.ref) == (".gitlab-ci.yml", "refs/tags/v1.0.0")
    code, report, err = _audit(cli, repo, gitlab, monkeypatch)
    assert (code, err) == (0, "")
    (version,) = report["versions"]
    assert version["status"] == "ok"
    assert report["notes"][0] == "CI identities checked with GitLab: 1 run"
    asked = [path for _, path in gitlab.requests if "/jobs/" in path]
    assert asked == [f"/api/v4/projects/acme%2Ftools%2Fcharm/jobs/{job}"]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ("sha", "it ran at "),
        ("ref", "it ran for v0.9.0, not refs/tags/v1.0.0"),
        ("source", "it was triggered by web, not push"),
        ("config", "it ran ci/other.yml, not .gitlab-ci.yml"),
        ("gone", "there is no such run"),
    ],
)
def test_a_job_that_is_not_the_claimed_one_is_forged(
    repo: Repo, gitlab: GitLabStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch,
    change: str, said: str,
) -> None:  # fmt: skip
    _, job = _published(repo, gitlab)
    facts = gitlab.jobs[job]
    pipeline = gitlab.pipelines[facts["pipeline"]["id"]]
    if change == "sha":
        pipeline["sha"] = "e" * 40
    elif change == "ref":
        facts["ref"] = "v0.9.0"
    elif change == "source":
        pipeline["source"] = "web"
    elif change == "config":
        gitlab.ci_config_path = "ci/other.yml"
    else:
        del gitlab.jobs[job]
    code, report, _ = _audit(cli, repo, gitlab, monkeypatch)
    assert code == 4
    (version,) = report["versions"]
    assert version["status"] == "ci-identity-forged"
    (detail,) = {f["detail"] for f in version["findings"]}
    assert detail.startswith(f"record #1 names run {job} of {PROJECT}, but GitLab says ")
    assert said in detail


def test_a_record_naming_another_project_is_forged_without_asking(
    repo: Repo, gitlab: GitLabStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _published(repo, gitlab, CI_PROJECT_PATH="someone/else")
    code, report, _ = _audit(cli, repo, gitlab, monkeypatch)
    assert code == 4
    (version,) = report["versions"]
    assert "names a run of someone/else, not of acme/tools/charm" in json.dumps(version)
    assert not [path for _, path in gitlab.requests if "/jobs/" in path]
