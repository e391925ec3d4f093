"""What running the generated GitLab pipeline end to end showed missing between the parts
(tests/test_gitlab_pipeline_e2e.py runs it whole), each pinned here on its own: a check job
reports as its check, verify-install gets the build's files, the expected publisher names the
run's top-level pipeline file, and the draft gate does not ask GitLab for drafts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import yaml

from conftest import git
from gitlab_standin import GitLabStandIn
from tagship.ci import host_title, read_run
from tagship.ci.gitlab.api import GitLabClient
from tagship.ci.gitlab.trusted import expected
from tagship.core.checks import CheckState
from tagship.steps.gates.checks import github_checks

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo

PROJECT = "acme/tools/sample-pkg"
SHA = "a" * 40


def test_a_check_job_reports_as_its_check(httpserver: HTTPServer) -> None:
    gitlab = GitLabStandIn(httpserver, path=PROJECT)
    gitlab.commit(SHA)
    pipeline = gitlab.pipeline(SHA, "main")
    gitlab.job(pipeline, "tagship-lint")
    gitlab.job(pipeline, "tagship-tests", "failed")
    api = GitLabClient(PROJECT, gitlab.token("read"), api_url=gitlab.api_url)
    report = github_checks(api, "main", ["lint", "tests", "typecheck"], sha=SHA)
    states = {result.name: result.state for result in report.results}
    assert states == {
        "lint": CheckState.PASSED,
        "tests": CheckState.FAILED,
        "typecheck": CheckState.MISSING,
    }


def test_verify_install_needs_the_build_for_its_files(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo()
    git(repo.path, "remote", "set-url", "origin", f"https://gitlab.com/{PROJECT}.git")
    assert cli("-C", str(repo.path), "init", "--host", "gitlab").code == 0
    pipeline = yaml.safe_load((repo.path / ".gitlab/tagship.gitlab-ci.yml").read_text())
    for kind in ("release", "dry-run"):
        needs = pipeline[f"tagship-{kind}-verify-install"]["needs"]
        assert needs == [f"tagship-{kind}-build", f"tagship-{kind}-publish"]
        assert pipeline[f"tagship-{kind}-build"]["artifacts"]["paths"] == ["dist/"]


@pytest.mark.parametrize("config_path", [".gitlab-ci.yml", "ci/pipeline.yml"])
def test_the_expected_publisher_names_the_runs_top_level_pipeline_file(config_path: str) -> None:
    job = {"CI_PROJECT_PATH": PROJECT, "CI_CONFIG_PATH": config_path, "CI_COMMIT_TAG": "v1.0.0"}
    ci = read_run({"GITLAB_CI": "true", **job})
    # publish-pypi.yml is the built-in index's workflow: GitHub's file, never GitLab's
    publisher = expected("", "", "publish-pypi.yml", "pypi", ci)
    assert (publisher.owner, publisher.repository) == ("acme/tools", "sample-pkg")
    assert (publisher.workflow, publisher.environment) == (config_path, "pypi")


def test_check_tag_on_gitlab_skips_the_draft_gate(
    cli: Cli, make_repo: MakeRepo, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo()
    gitlab = GitLabStandIn(httpserver, path=PROJECT)
    monkeypatch.setenv("GITLAB_TOKEN", gitlab.token("read"))
    monkeypatch.setenv("CI_PROJECT_PATH", PROJECT)
    monkeypatch.setenv("CI_API_V4_URL", gitlab.api_url)
    done = cli("-C", str(repo.path), "check-tag", "v0.4.22")
    assert done.code == 0, done.err
    assert "no draft release" not in done.out + done.err
    assert not [path for _, path in gitlab.requests if path.endswith("/releases")]


def test_messages_name_the_runs_host() -> None:
    # `tag`'s required checks say where they were read: "all passed (GitLab)"
    assert host_title(read_run({"GITLAB_CI": "true", "CI_PROJECT_PATH": PROJECT})) == "GitLab"
    assert host_title(read_run({"GITLAB_TOKEN": "t", "CI_PROJECT_PATH": PROJECT})) == "GitLab"
    assert host_title(read_run({})) == "GitHub"
