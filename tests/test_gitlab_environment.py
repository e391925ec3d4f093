"""The GitLab job's facts from GitLab's predefined variables, through the CI-host seam."""

from __future__ import annotations

from tagship.adapters.secrets import is_credential_variable
from tagship.ci import CREDENTIAL_VARIABLES, HOST_PREFIXES, read_run
from tagship.ci.gitlab import environment as gitlab

SHA = "0123456789abcdef0123456789abcdef01234567"
TAG_JOB = {
    "CI": "true",
    "GITLAB_CI": "true",
    "CI_COMMIT_TAG": "v1.2.3",
    "CI_COMMIT_REF_NAME": "v1.2.3",
    "CI_COMMIT_SHA": SHA,
    "CI_PIPELINE_ID": "777",
    "CI_JOB_ID": "4242",
    "CI_PROJECT_PATH": "acme/platform/tools/charm",
    "CI_ENVIRONMENT_NAME": "pypi",
    "CI_PIPELINE_SOURCE": "push",
    "CI_SERVER_URL": "https://gitlab.example.org/",
    "CI_API_V4_URL": "https://gitlab.example.org/api/v4",
    "GITLAB_USER_LOGIN": "maintainer",
    "CI_CONFIG_PATH": ".gitlab-ci.yml",
    "CI_JOB_TOKEN": "job-token-value",
    "PYPI_ID_TOKEN": "eyJ.pypi.token",
    "TESTPYPI_ID_TOKEN": "eyJ.testpypi.token",
}


def test_a_tag_job_in_nested_groups() -> None:
    run = read_run(TAG_JOB)
    assert run.host == "gitlab"
    assert run.in_ci
    assert run.tag == "v1.2.3"
    assert (run.ref, run.ref_type, run.ref_name) == ("refs/tags/v1.2.3", "tag", "v1.2.3")
    assert run.repository == "acme/platform/tools/charm"
    assert (run.run_id, run.run_attempt, run.sha) == ("4242", "1", SHA)
    assert run.environment == "pypi"
    assert run.event == "push"
    assert run.actor == "maintainer"
    assert run.server_url == "https://gitlab.example.org"
    assert run.api_url == "https://gitlab.example.org/api/v4"
    assert run.workflow_ref == "acme/platform/tools/charm/.gitlab-ci.yml@refs/tags/v1.2.3"
    assert run.workflow_file == ".gitlab-ci.yml"
    assert (run.token, run.token_source, run.api_host) == (
        "job-token-value",
        "CI_JOB_TOKEN",
        "gitlab",
    )
    assert dict(run.oidc_tokens) == {"pypi": "eyJ.pypi.token", "testpypi": "eyJ.testpypi.token"}


def test_a_merge_request_pipeline_carries_its_labels() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_COMMIT_REF_NAME": "feature",
        "CI_MERGE_REQUEST_IID": "17",
        "CI_MERGE_REQUEST_REF_PATH": "refs/merge-requests/17/head",
        "CI_MERGE_REQUEST_LABELS": "release:minor, docs,,",
        "CI_PROJECT_PATH": "acme/charm",
    }
    run = read_run(env)
    assert (run.pull_number, run.pull_labels) == (17, ("release:minor", "docs"))
    assert run.ref == "refs/merge-requests/17/head"
    assert run.tag is None
    assert run.ref_type == ""
    # GitLab leaves the variable out when the merge request has no label
    unlabelled = read_run({k: v for k, v in env.items() if k != "CI_MERGE_REQUEST_LABELS"})
    assert unlabelled.pull_labels == ()


def test_a_branch_pipeline() -> None:
    run = read_run({"GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main"})
    assert (run.ref, run.ref_type, run.ref_name) == ("refs/heads/main", "branch", "main")
    assert run.pull_labels is None
    assert run.workflow_ref is None  # no project path: nothing to name


def test_a_forged_or_odd_gitlab_ci_is_no_job() -> None:
    for spelling in ("TRUE", "1", "yes", " true", ""):
        run = read_run({**TAG_JOB, "GITLAB_CI": spelling})
        assert run.host is None, spelling
        # CI=true still makes it a CI service (plain logs), not a GitLab job
        assert run.in_ci
    assert read_run({"CI_COMMIT_TAG": "v1", "CI_JOB_TOKEN": "t"}).host is None
    # a job token outside a job names no API to use it with
    assert read_run({"CI_JOB_TOKEN": "t"}).api_host is None


def test_a_personal_token_set_by_hand_picks_gitlab_outside_a_job() -> None:
    run = read_run({"GITLAB_TOKEN": "glpat-x", "CI_PROJECT_PATH": "acme/charm"})
    assert (run.host, run.api_host, run.token_source) == (None, "gitlab", "GITLAB_TOKEN")
    # a GitHub token wins when both are set by hand (the first host)
    both = read_run({"GITLAB_TOKEN": "glpat-x", "GH_TOKEN": "gho_y"})
    assert (both.api_host, both.token) == ("github", "gho_y")
    # GitLab's job is the run even with a GitHub token in its variables
    assert read_run({**TAG_JOB, "GH_TOKEN": "gho_y"}).host == "gitlab"


def test_malformed_merge_request_iids_are_none() -> None:
    for iid in ("0", "-3", "١٢", "x"):
        assert read_run({"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": iid}).pull_number is None


def test_credentials_are_known_and_prefixes_cover_the_job() -> None:
    for name in ("CI_JOB_TOKEN", "GITLAB_TOKEN", "PYPI_ID_TOKEN", "TESTPYPI_ID_TOKEN"):
        assert name in CREDENTIAL_VARIABLES
        assert is_credential_variable(name)
    assert {"CI_", "GITLAB_"} <= set(HOST_PREFIXES)


def test_stand_in_job_variables_read_back() -> None:
    env = gitlab.job_variables(
        repository="acme/tools/charm", workflow=".gitlab-ci.yml", tag="v2.0.0", sha=SHA,
        environment="pypi", actor="me", run_id="9",
    )  # fmt: skip
    run = read_run(env)
    assert (run.host, run.tag, run.repository, run.run_id, run.environment) == (
        "gitlab", "v2.0.0", "acme/tools/charm", "9", "pypi",
    )  # fmt: skip
