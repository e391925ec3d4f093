"""The audit of a GitLab record checks the environment too: GitLab's job names none, so the
recorded job's pipeline must hold a successful deployment of that environment, by one of its
jobs, at the published commit (GET /projects/:id/deployments, each with its `deployable` job
and that job's pipeline). The record job deploys nothing: the publish job of its pipeline did.
Real git and a real ledger; GitLab is the stand-in."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tagship.ci.gitlab.api import GitLabClient
from test_gitlab_audit import PROJECT, _audit, _published, gitlab, repo

if TYPE_CHECKING:
    from conftest import Cli, Repo
    from gitlab_standin import GitLabStandIn

__all__ = ["gitlab", "repo"]  # the fixtures of the GitLab audit tests

FORGED = "ci-identity-forged"


def _record_job(repo: Repo, gitlab: GitLabStandIn, *, deploys: str, **changes: str) -> int:
    """Publish v1.0.0 as the pipeline does: a publish job deploying to `deploys` (nothing
    when empty), and the record job, without an environment, whose id the ledger keeps."""
    commit, job = _published(repo, gitlab, **{"CI_ENVIRONMENT_NAME": "", **changes})
    del gitlab.deployments[:]  # _published's job deployed: this pipeline's publish job does
    pipeline = gitlab.jobs[job]["pipeline"]["id"]
    gitlab.job(pipeline, "tagship-release-publish", environment=deploys)
    assert gitlab.pipelines[pipeline]["sha"] == commit
    return job


def _forged(report: dict[str, Any]) -> str:
    (version,) = report["versions"]
    assert version["status"] == FORGED
    (detail,) = {f["detail"] for f in version["findings"]}
    return str(detail)


def test_the_pipelines_deployment_to_the_indexs_environment_passes(
    repo: Repo, gitlab: GitLabStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the index `local` has no environment of its own: its publish job deploys to `local`
    _record_job(repo, gitlab, deploys="local")
    code, report, err = _audit(cli, repo, gitlab, monkeypatch)
    assert (code, err) == (0, "")
    assert report["versions"][0]["status"] == "ok"
    asked = [path for _, path in gitlab.requests if path.endswith("/deployments")]
    assert asked == [f"/api/v4/projects/{PROJECT.replace('/', '%2F')}/deployments"]


@pytest.mark.parametrize(
    "deploys",
    ["", "testpypi"],
    ids=["nothing-deployed", "another-environment"],
)
def test_a_pipeline_that_deployed_nothing_there_is_forged(
    repo: Repo, gitlab: GitLabStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch, deploys: str
) -> None:
    job = _record_job(repo, gitlab, deploys=deploys)
    code, report, _ = _audit(cli, repo, gitlab, monkeypatch)
    assert code == 4
    assert _forged(report) == (
        f"record #1 names run {job} of {PROJECT}, but GitLab says its pipeline made no "
        "successful deployment to environment local"
    )


def test_the_recorded_environment_is_the_one_checked(
    repo: Repo, gitlab: GitLabStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a record claiming environment pypi, whose pipeline deployed only to the index's own
    job = _record_job(repo, gitlab, deploys="local", CI_ENVIRONMENT_NAME="pypi")
    code, report, _ = _audit(cli, repo, gitlab, monkeypatch)
    assert code == 4
    assert _forged(report).endswith(
        f"run {job} of {PROJECT}, but GitLab says its pipeline made no successful "
        "deployment to environment pypi"
    )


@pytest.mark.parametrize("where", ["failed", "other-pipeline", "other-commit"])
def test_only_a_successful_deployment_of_that_pipeline_at_that_commit_counts(
    repo: Repo, gitlab: GitLabStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    job = _record_job(repo, gitlab, deploys="")
    owner = gitlab.pipelines[gitlab.jobs[job]["pipeline"]["id"]]
    if where == "failed":
        gitlab.job(owner["id"], "tagship-release-publish", "failed", environment="local")
    elif where == "other-pipeline":  # another pipeline of the same tag and commit
        other = gitlab.pipeline(owner["sha"], owner["ref"], tag=True)
        gitlab.job(other, "tagship-release-publish", environment="local")
    else:
        publish = gitlab.job(owner["id"], "tagship-release-publish", environment="local")
        gitlab.deployments[-1]["sha"] = "e" * 40
        assert gitlab.jobs[publish]
    code, report, _ = _audit(cli, repo, gitlab, monkeypatch)
    assert code == 4
    assert "no successful deployment to environment local" in _forged(report)


def test_json_names_the_finding(
    repo: Repo, gitlab: GitLabStandIn, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record_job(repo, gitlab, deploys="")
    _, report, _ = _audit(cli, repo, gitlab, monkeypatch)
    assert FORGED in json.dumps(report["versions"][0]["findings"])


def test_the_client_says_where_a_jobs_pipeline_deployed(gitlab: GitLabStandIn) -> None:
    sha = "c" * 40
    pipeline = gitlab.pipeline(sha, "v1.0.0", tag=True)
    record = gitlab.job(pipeline, "tagship-release-record")
    gitlab.job(pipeline, "tagship-release-publish", environment="pypi")
    api = GitLabClient(gitlab.path, gitlab.token("read"), api_url=gitlab.api_url)
    deployed = {env: api.workflow_run(record, env) for env in ("pypi", "testpypi")}
    assert {env: facts.deployed if facts else None for env, facts in deployed.items()} == {
        "pypi": frozenset({"pypi"}),
        "testpypi": frozenset(),
    }
    # nothing asked, nothing said: the deployments are not read
    before = len(gitlab.requests)
    facts = api.workflow_run(record)
    assert facts is not None
    assert facts.deployed is None
    assert not [p for _, p in gitlab.requests[before:] if p.endswith("/deployments")]


def test_each_environments_deployments_are_listed_once(gitlab: GitLabStandIn) -> None:
    api = GitLabClient(gitlab.path, gitlab.token("read"), api_url=gitlab.api_url)
    records = []
    for n in range(3):
        pipeline = gitlab.pipeline(f"{n}" * 40, f"v1.0.{n}", tag=True)
        records.append(gitlab.job(pipeline, "tagship-release-record"))
        gitlab.job(pipeline, "tagship-release-publish", environment="pypi")
    found = [api.workflow_run(record, "pypi") for record in records]
    assert [facts.deployed if facts else None for facts in found] == [frozenset({"pypi"})] * 3
    assert len([p for _, p in gitlab.requests if p.endswith("/deployments")]) == 1
