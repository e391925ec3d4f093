"""A hand-written .gitlab-ci.yml run by gitlab-ci-local (tests/gitlab_ci_local.py): a tag pipeline
whose `pypi` job exchanges its id token with the PyPI stand-in, a manual job, a job its rules
exclude, and the variables each job sees compared with what GitLab gives."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from gitlab_checkout import JOB_TOKEN, Checkout, Trigger, checkout
from gitlab_ci_local import planned, run
from gitlab_oidc import GitLabPublisher, GitLabPublishers
from index_proxy import TrustedIndex

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import MakeRepo, Repo

pytestmark = pytest.mark.integration

PROJECT = "charm-group/sdk/charmos"
PIPELINE = """\
stages: [check, dry-run, release]

check:
  stage: check
  image: python:3.12
  script:
    - python ci/record.py

docs:
  stage: check
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - python ci/record.py

dry-run:
  stage: dry-run
  when: manual
  environment: testpypi
  id_tokens:
    TESTPYPI_ID_TOKEN:
      aud: testpypi
  script:
    - python ci/record.py

publish-pypi:
  stage: release
  image: python:3.12
  environment:
    name: pypi
  id_tokens:
    PYPI_ID_TOKEN:
      aud: pypi
  rules:
    - if: $CI_COMMIT_TAG
  script:
    - python ci/record.py
    # as PyPI documents it for GitLab, the `id` package finding the job's PYPI_ID_TOKEN; but in
    # lower case: id 1.6 checks the token's audience against its argument (`id PYPI` fails)
    - oidc_token=$(python -m id pypi)
    - python ci/mint.py "$oidc_token"
"""
# what each job saw, written where the test reads it
RECORD = """\
import json, os, pathlib
seen = {k: v for k, v in os.environ.items() if k.startswith(("CI_", "GITLAB_"))}
seen["tokens"] = sorted(k for k in os.environ if k.endswith("_ID_TOKEN"))
seen["cwd"] = os.getcwd()
folder = pathlib.Path(os.environ["RECORD_DIR"])
(folder / (os.environ["CI_JOB_NAME"] + ".json")).write_text(json.dumps(seen))
"""
# the exchange of PyPI's GitLab example (`curl -X POST .../_/oidc/mint-token -d '{"token":...}'`,
# a form Content-Type), after asking the audience as publishing tools do
MINT = """\
import json, os, sys, urllib.error, urllib.request
base = os.environ["PYPI_URL"]
audience = json.load(urllib.request.urlopen(base + "/_/oidc/audience"))["audience"]
body = json.dumps({"token": sys.argv[1]}).encode()
try:
    answer = json.load(urllib.request.urlopen(base + "/_/oidc/mint-token", body))
except urllib.error.HTTPError as error:
    sys.exit(f"mint-token {error.code}: {error.read().decode()}")
print("minted for audience", audience, "expires", answer["expires"])
"""


@pytest.fixture
def project(make_repo: MakeRepo) -> Repo:
    repo = make_repo(
        {".gitlab-ci.yml": PIPELINE, "ci/record.py": RECORD, "ci/mint.py": MINT}, name="charmos"
    )
    repo.tag("v1.0.0", push=True)
    return repo


@pytest.fixture
def pypi(httpserver: HTTPServer) -> Iterator[TrustedIndex]:
    registered = GitLabPublishers(
        (GitLabPublisher("charm-group/sdk", "charmos", environment="pypi"),)
    )
    # no upload in these tests: nothing listens behind the index
    index = TrustedIndex(httpserver, "http://127.0.0.1:9", registered, "pypi")
    yield index
    index.close()


def _pipeline(
    project: Repo, tmp_path: Path, trigger: Trigger, index: TrustedIndex, **options: Any
) -> tuple[Checkout, Any, Path]:
    record = tmp_path / "record"
    record.mkdir()
    clone = checkout(project.origin, PROJECT, trigger, tmp_path / "runner")
    variables = {"RECORD_DIR": str(record), "PYPI_URL": index.url}
    done = run(clone, variables=variables, api_url=index.url + "/api/v4", **options)
    return clone, done, record


def _seen(record: Path, job: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((record / f"{job}.json").read_text())
    return data


def test_a_tag_pipeline_runs_its_jobs_with_the_variables_gitlab_gives(
    project: Repo, tmp_path: Path, pypi: TrustedIndex
) -> None:
    clone, done, record = _pipeline(project, tmp_path, Trigger("v1.0.0"), pypi)

    assert done.code == 0, done.log
    # the manual dry run waits for a hand, the docs job's rules exclude it on a tag
    assert done.ran() == ["check", "publish-pypi"]
    publish = _seen(record, "publish-pypi")
    assert publish["CI_COMMIT_TAG"] == "v1.0.0"
    assert publish["CI_COMMIT_REF_NAME"] == "v1.0.0"
    assert "CI_COMMIT_BRANCH" not in publish  # GitLab sets no branch in a tag pipeline
    assert publish["CI_COMMIT_SHA"] == clone.sha
    assert publish["CI_ENVIRONMENT_NAME"] == "pypi"
    assert publish["CI_PROJECT_PATH"] == PROJECT
    assert publish["CI_PROJECT_NAMESPACE"] == "charm-group/sdk"
    assert publish["CI_SERVER_URL"] == "https://gitlab.com"
    assert publish["CI_API_V4_URL"] == pypi.url + "/api/v4"
    assert publish["CI_JOB_TOKEN"] == JOB_TOKEN
    assert publish["GITLAB_CI"] == "true"
    assert publish["CI_CONFIG_PATH"] == ".gitlab-ci.yml"
    assert publish["CI_PIPELINE_SOURCE"] == "push"
    assert publish["CI_COMMIT_REF_PROTECTED"] == "true"
    assert publish["CI_PROJECT_DIR"] == publish["cwd"]
    # a job's id tokens reach that job only, as on GitLab
    assert publish["tokens"] == ["PYPI_ID_TOKEN"]
    assert _seen(record, "check")["tokens"] == []
    assert _seen(record, "check")["CI_ENVIRONMENT_NAME"] == ""
    assert "minted for audience pypi" in done.job_log("publish-pypi")
    (claims,) = pypi.exchanges
    assert claims["ci_config_ref_uri"] == (f"gitlab.com/{PROJECT}//.gitlab-ci.yml@refs/tags/v1.0.0")
    assert (claims["environment"], claims["sha"]) == ("pypi", clone.sha)
    assert pypi.refused == []
    # the runner's clone stays clean: gitlab-ci-local's folder is excluded
    assert (clone.path / ".gitlab-ci-local").is_dir()
    assert not project.path.joinpath(".gitlab-ci-local").exists()


def test_a_manual_job_runs_when_asked_on_the_default_branch(
    project: Repo, tmp_path: Path, pypi: TrustedIndex
) -> None:
    trigger = Trigger("main", ref_type="branch", source="web")
    _, done, record = _pipeline(project, tmp_path, trigger, pypi, manual=["dry-run"])

    assert done.code == 0, done.log
    assert done.ran() == ["check", "docs", "dry-run"]  # no tag: no release job
    dry_run = _seen(record, "dry-run")
    assert dry_run["CI_COMMIT_BRANCH"] == "main"
    assert "CI_COMMIT_TAG" not in dry_run
    assert (dry_run["CI_ENVIRONMENT_NAME"], dry_run["tokens"]) == (
        "testpypi",
        ["TESTPYPI_ID_TOKEN"],
    )
    assert dry_run["CI_PIPELINE_SOURCE"] == "web"


def test_a_publisher_registered_for_another_environment_refuses_the_job(
    project: Repo, tmp_path: Path, httpserver: HTTPServer
) -> None:
    registered = GitLabPublishers(
        (GitLabPublisher("charm-group/sdk", "charmos", environment="release"),)
    )
    index = TrustedIndex(httpserver, "http://127.0.0.1:9", registered, "pypi")
    try:
        _, done, _ = _pipeline(project, tmp_path, Trigger("v1.0.0"), index)
    finally:
        index.close()

    assert done.code != 0
    assert "FAIL" in done.log
    log = done.job_log("publish-pypi")
    assert "mint-token 422" in log
    assert "invalid-publisher" in log
    assert "Publisher with matching claims was not found" in log
    assert index.refused == ["token exchange: Publisher with matching claims was not found"]
    assert index.minted == set()


def test_a_job_its_rules_leave_out_is_refused_by_name(
    project: Repo, tmp_path: Path, pypi: TrustedIndex
) -> None:
    # gitlab-ci-local would run it: a job named on its command line skips its rules
    with pytest.raises(ValueError, match="GitLab would create no job docs in this pipeline"):
        _pipeline(project, tmp_path, Trigger("v1.0.0"), pypi, jobs=["docs"])


def test_workflow_rules_that_leave_out_tags_create_no_tag_pipeline(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    # fdroidserver's rules: branch pipelines only (gitlab-ci-local alone runs every job)
    branches_only = "workflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH\n\n" + PIPELINE
    repo = make_repo({".gitlab-ci.yml": branches_only}, name="branches")
    repo.tag("v1.0.0", push=True)

    tag = checkout(repo.origin, PROJECT, Trigger("v1.0.0"), tmp_path / "tag")
    branch = checkout(repo.origin, PROJECT, Trigger("main", ref_type="branch"), tmp_path / "main")

    assert planned(tag) == []
    assert run(tag).ran() == []
    assert planned(branch) == ["check", "docs", "dry-run"]
