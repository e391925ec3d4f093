"""`tagship init` on a GitLab project: the host chosen by flag or inferred (origin on GitLab,
or a `.gitlab-ci.yml` and no `.github/workflows`), tagship's pipeline written as its own file
and included from the project's `.gitlab-ci.yml` by a minimal edit that keeps every byte the
project wrote, a second run changing nothing, and a file that cannot be edited safely refused
with the line to add. Real git repositories throughout."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import yaml

from conftest import STATIC_PYPROJECT, git

if TYPE_CHECKING:
    from conftest import Cli, CliResult, MakeRepo, Repo

GITLAB_ORIGIN = "git@gitlab.com:acme/tools/sample.git"
OWN = ".gitlab/tagship.gitlab-ci.yml"
TOP = ".gitlab-ci.yml"
INCLUDE = "  - local: .gitlab/tagship.gitlab-ci.yml"

PROJECT_PIPELINE = """\
# the project's own pipeline: its comments and order must stay
stages:
  - build   # compile first
  - test

include:
  - template: Security/SAST.gitlab-ci.yml   # GitLab's scanner

variables:
  FOO: "bar"

unit:
  stage: test
  script:
    - echo "run the tests"
"""


def _ok(result: CliResult) -> CliResult:
    assert result.code == 0, result.out + result.err
    return result


def _on_gitlab(repo: Repo) -> Repo:
    """The repository with origin on gitlab.com (never contacted: the branch is given)."""
    git(repo.path, "remote", "set-url", "origin", GITLAB_ORIGIN)
    return repo


def _init(cli: Cli, repo: Repo, *args: str) -> CliResult:
    return cli("-C", str(repo.path), "init", "--release-branch", "main", *args)


def test_fresh_project_on_gitlab(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _on_gitlab(make_repo())
    result = _ok(_init(cli, repo))
    assert "host: gitlab (origin is on gitlab.com)" in result.out.splitlines()
    assert (repo.path / TOP).read_text() == f"include:\n{INCLUDE}\n"
    pipeline = yaml.safe_load((repo.path / OWN).read_text())
    assert not (repo.path / ".github").exists()  # nothing of GitHub's
    # the seven checks, prefixed; the label check on merge requests only
    checks = [name for name, job in pipeline.items() if job_stage(job) == "tagship-checks"]
    assert checks == [
        "tagship-lint",
        "tagship-typecheck",
        "tagship-tests",
        "tagship-package-build",
        "tagship-docs-validation",
        "tagship-build-validation",
        "tagship-release-label",
    ]
    label = pipeline["tagship-release-label"]
    assert label["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert pipeline["tagship-tests"]["rules"] == [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'},
        {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"},
    ]
    # a check that runs no tagship command does not install tagship
    assert not any("tagship-requirements" in s for s in pipeline["tagship-tests"]["script"])
    # the dry run is started by hand, on the default branch, in testpypi
    dry = pipeline["tagship-dry-run-build"]
    assert dry["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "when": "manual"}]
    test_publish = pipeline["tagship-dry-run-publish"]
    assert test_publish["environment"]["name"] == "testpypi"
    assert test_publish["id_tokens"] == {
        "TESTPYPI_ID_TOKEN": {"aud": "testpypi"},
        "SIGSTORE_ID_TOKEN": {"aud": "sigstore"},
    }
    # the release on a tag of the format, in pypi (production); only publish holds a token
    publish = pipeline["tagship-release-publish"]
    assert publish["rules"] == [
        {"if": r"$CI_COMMIT_TAG =~ /^v[0-9]+(\.[0-9]+)*([._+!-]?[0-9A-Za-z]+)*$/"}
    ]
    assert publish["environment"]["name"] == "pypi"
    assert publish["environment"]["deployment_tier"] == "production"
    assert publish["id_tokens"] == {
        "PYPI_ID_TOKEN": {"aud": "pypi"},
        "SIGSTORE_ID_TOKEN": {"aud": "sigstore"},
    }
    # GitLab keeps no drafts: the release is created once production succeeded
    release = pipeline["tagship-release-gitlab-release"]
    assert release["script"][-1] == 'tagship github-release publish "$CI_COMMIT_TAG"'
    assert release["needs"] == [
        "tagship-release-build",
        "tagship-release-verify-install",
        "tagship-release-record",
    ]
    holders = [name for name, job in pipeline.items() if "id_tokens" in job_dict(job)]
    assert holders == ["tagship-release-publish", "tagship-dry-run-publish"]
    assert pipeline["tagship-release-gate"]["script"][-1] == 'tagship check-tag "$CI_COMMIT_TAG"'
    # the image pinned by digest; nothing set at the top level for the project's jobs
    assert "@sha256:" in pipeline[".tagship-python"]["image"]
    # the project's defaults and global variables stay out of tagship's jobs
    assert pipeline[".tagship-python"]["inherit"] == {"default": False, "variables": False}
    assert not {"default", "variables", "workflow"} & set(pipeline)
    # the checklist: GitLab's publisher form with the top-level file PyPI matches
    assert "pypi\tsample-pkg\tacme/tools\tsample\t.gitlab-ci.yml\tpypi" in result.out
    assert "v*\tMaintainers" in result.out
    assert result.out.splitlines()[-1] == "next: commit the files, then tagship doctor"

    repo.commit("adopt tagship")
    again = _ok(_init(cli, repo))
    assert f"unchanged {OWN}" in again.out
    assert f"unchanged {TOP}" in again.out
    assert git(repo.path, "status", "--porcelain") == ""
    checked = _ok(_init(cli, repo, "--check"))
    assert "files match the config" in checked.out


def job_stage(job: object) -> object:
    return job_dict(job).get("stage")


def job_dict(job: object) -> dict[str, object]:
    return job if isinstance(job, dict) else {}


def test_project_pipeline_kept_with_one_include_and_the_stages(
    cli: Cli, make_repo: MakeRepo
) -> None:
    repo = _on_gitlab(make_repo({"pyproject.toml": STATIC_PYPROJECT, TOP: PROJECT_PIPELINE}))
    _ok(_init(cli, repo))
    text = (repo.path / TOP).read_text()
    # every line the project wrote is there, in its order; the additions are lines of their own
    assert [ln for ln in text.splitlines() if ln in PROJECT_PIPELINE.splitlines()] == (
        PROJECT_PIPELINE.splitlines()
    )
    added = [ln for ln in text.splitlines() if ln not in PROJECT_PIPELINE.splitlines()]
    assert added == [
        "  - tagship-checks",
        "  - tagship-dry-run",
        "  - tagship-release",
        INCLUDE,
    ]
    data = yaml.safe_load(text)
    assert data["stages"] == [
        "build",
        "test",
        "tagship-checks",
        "tagship-dry-run",
        "tagship-release",
    ]
    assert data["include"][-1] == {"local": OWN}
    repo.commit("adopt tagship")
    _ok(_init(cli, repo))
    assert git(repo.path, "status", "--porcelain") == ""


def test_pipeline_file_without_remote_chooses_gitlab(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT, TOP: "unit:\n  script: [true]\n"})
    git(repo.path, "remote", "remove", "origin")
    result = _ok(_init(cli, repo))
    assert f"host: gitlab ({TOP} is there and .github/workflows is not)" in result.out
    assert (repo.path / TOP).read_text() == f"unit:\n  script: [true]\ninclude:\n{INCLUDE}\n"
    assert "(unknown: set origin to the GitLab project)" in result.out


def test_host_flag_wins_over_the_remote(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _on_gitlab(make_repo())
    result = _ok(_init(cli, repo, "--host", "github"))
    assert "host: github (given with --host)" in result.out
    assert (repo.path / ".github/workflows/ci.yml").is_file()
    assert not (repo.path / TOP).exists()


def test_github_flags_refused_on_gitlab(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _on_gitlab(make_repo())
    result = _init(cli, repo, "--owner", "acme")
    assert result.code == 2, result.out + result.err
    assert "--owner is for GitHub's workflows, not gitlab" in result.err
    assert not (repo.path / TOP).exists()


def test_unsafe_pipeline_file_refused(cli: Cli, make_repo: MakeRepo) -> None:
    for text, why in (
        ("- just\n- a list\n", "is not a YAML mapping"),
        ("include:\n  local: other.yml\n", "has an include: that is not a list"),
        ("stages: build\n", "has a stages: that is not a list"),
    ):
        repo = _on_gitlab(make_repo({"pyproject.toml": STATIC_PYPROJECT, TOP: text}, name=why[:6]))
        result = _init(cli, repo)
        assert result.code == 2, result.out + result.err
        assert f"{TOP} {why}: init did not change it" in result.err
        assert "Traceback" not in result.err
        assert (repo.path / TOP).read_text() == text
        assert not (repo.path / OWN).exists()  # nothing half done


def test_json_carries_the_checklist(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _on_gitlab(make_repo())
    result = _ok(_init(cli, repo, "--format", "json"))
    document = json.loads(result.out)
    fields = document.get("result", document)
    assert {f["path"] for f in fields["files"]} >= {OWN, TOP, "pyproject.toml"}
    forms = fields["checklist"][0]["rows"]
    assert forms[0]["Top-level pipeline file path"] == ".gitlab-ci.yml"
    assert forms[0]["Namespace"] == "acme/tools"


def test_compiled_project_refused(cli: Cli, make_repo: MakeRepo) -> None:
    compiled = STATIC_PYPROJECT + "\n[tool.cibuildwheel]\nbuild = 'cp313-*'\n"
    repo = _on_gitlab(make_repo({"pyproject.toml": compiled}))
    result = _init(cli, repo)
    assert result.code == 2, result.out + result.err
    assert "init for gitlab does not build platform wheels yet" in result.err
    assert not (repo.path / TOP).exists()


def test_check_jobs_install_the_project_with_pip(cli: Cli, make_repo: MakeRepo) -> None:
    """GitLab's images have pip, not uv (GitHub's jobs get uv from setup-uv): the project's
    tools install with pip, and PEP 735 groups with a pip that reads them."""
    repo = _on_gitlab(make_repo())
    pyproject = repo.path / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8")
        + '\n[dependency-groups]\ndev = ["pytest"]\n\n[tool.pytest.ini_options]\n',
        encoding="utf-8",
    )
    (repo.path / "tests").mkdir()
    (repo.path / "tests" / "test_a.py").write_text("def test_a() -> None: ...\n", "utf-8")
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-qm", "tests")
    _ok(_init(cli, repo))
    jobs = yaml.safe_load((repo.path / OWN).read_text(encoding="utf-8"))
    script = jobs["tagship-tests"]["script"]
    assert script[:2] == [
        'python -m pip install "pip>=25.1"',
        "python -m pip install --editable . --group dev",
    ], script
    lines = [
        line for job in jobs.values() if isinstance(job, dict) for line in job.get("script", [])
    ]
    assert not [line for line in lines if line.startswith("uv ")]
