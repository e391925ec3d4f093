"""The GitLab pipeline `init` writes passes GitLab's CI JSON schema, as gitlab-ci-local checks
it (`gitlab-ci-local --list` refuses a pipeline the schema refuses): for a fresh project, for
a project with its own `.gitlab-ci.yml` (stages and an include already there), and for one
releasing from master with bare tags. There is no zizmor or actionlint for GitLab.

gitlab-ci-local runs on Node 22: `make gitlab-ci-local` installs both under .tools/node
(tests/gitlab_ci_local.py finds them); without them the tests skip, saying so (under make,
GITLAB_CI_LOCAL_REQUIRED, they fail)."""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING

import yaml

from conftest import STATIC_PYPROJECT, git
from gitlab_ci_local import tool

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo


def _listed(repo: Repo, *args: str) -> list[str]:
    """The jobs gitlab-ci-local lists once the schema passed (the test fails when it does not)."""
    command = tool()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CI_", "GITLAB_", "GCL_"))}
    done = subprocess.run(
        [*command, "--list", *args],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "json schema validated" in done.stderr, done.stderr
    return [ln.split()[0] for ln in done.stdout.splitlines() if ln.startswith("tagship-")]


def _adopt(cli: Cli, repo: Repo, *args: str) -> None:
    git(repo.path, "remote", "set-url", "origin", "git@gitlab.com:acme/sample.git")
    done = cli("-C", str(repo.path), "init", *args)
    assert done.code == 0, done.out + done.err
    repo.commit("adopt tagship")  # gitlab-ci-local reads the files git tracks


CHECKS = [
    "tagship-lint",
    "tagship-typecheck",
    "tagship-tests",
    "tagship-package-build",
    "tagship-docs-validation",
    "tagship-build-validation",
]
RELEASE = [
    "tagship-release-gate",
    "tagship-release-build",
    "tagship-release-publish",
    "tagship-release-verify-install",
    "tagship-release-record",
    "tagship-release-gitlab-release",
]
DRY_RUN = [
    "tagship-dry-run-build",
    "tagship-dry-run-publish",
    "tagship-dry-run-verify-install",
    "tagship-dry-run-record",
]


def test_fresh_project(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo()
    _adopt(cli, repo, "--release-branch", "main")
    # a branch pipeline on the default branch: the checks and the dry run (by hand)
    assert _listed(repo) == [*CHECKS, *DRY_RUN]
    # a tag of the format starts the release; another tag does not
    # (gitlab-ci-local sets no CI_COMMIT_TAG itself: the variable stands for the tag's pipeline)
    tagged = _listed(repo, "--variable", "CI_COMMIT_TAG=v1.2.3")
    assert [job for job in tagged if job.startswith("tagship-release-")] == RELEASE
    assert not any(
        j.startswith("tagship-release-") for j in _listed(repo, "--variable", "CI_COMMIT_TAG=1.2.3")
    )


def test_project_with_its_own_pipeline(cli: Cli, make_repo: MakeRepo) -> None:
    own = (
        "# ours\nstages: [build, test]\n\ninclude:\n  - local: ci/lint.yml\n\n"
        "unit:\n  stage: test\n  script:\n    - echo unit\n"
    )
    lint = "lint:\n  stage: build\n  script:\n    - echo lint\n"
    repo = make_repo(
        {"pyproject.toml": STATIC_PYPROJECT, ".gitlab-ci.yml": own, "ci/lint.yml": lint}
    )
    _adopt(cli, repo, "--release-branch", "main")
    data = yaml.safe_load((repo.path / ".gitlab-ci.yml").read_text())
    assert data["stages"] == [
        "build",
        "test",
        "tagship-checks",
        "tagship-dry-run",
        "tagship-release",
    ]
    assert _listed(repo) == [*CHECKS, *DRY_RUN]


def test_master_with_bare_tags(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo()
    git(repo.path, "branch", "-m", "main", "master")
    _adopt(cli, repo, "--release-branch", "master", "--tag-format", "{version}")
    pipeline = yaml.safe_load((repo.path / ".gitlab/tagship.gitlab-ci.yml").read_text())
    rule = pipeline["tagship-release-publish"]["rules"][0]["if"]
    assert rule == r"$CI_COMMIT_TAG =~ /^[0-9]+(\.[0-9]+)*([._+!-]?[0-9A-Za-z]+)*$/"
    # master is the project's default branch (gitlab-ci-local reads origin's HEAD)
    git(repo.path, "update-ref", "refs/remotes/origin/master", "HEAD")
    git(repo.path, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/master")
    assert _listed(repo) == [*CHECKS, *DRY_RUN]
    tagged = _listed(repo, "--variable", "CI_COMMIT_TAG=1.2.3")
    assert [job for job in tagged if job.startswith("tagship-release-")] == RELEASE
