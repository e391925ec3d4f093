"""Proof for a repository of several packages: the workflows `tagship init` writes for a uv
workspace of three run job by job (`workflow_harness.py`). A pull request touching one package
runs that package's checks and skips the others'; the push to main runs every package's; the
dry run is dispatched for one package, the maintainer tags it, and the release on the tag
publishes that package alone, the dry run's bytes, with a clean audit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import git
from harness_samples import WORKSPACE, Sample
from test_workflow_harness import (  # noqa: F401 - indexes and project are fixtures
    OWNER,
    Project,
    _head,
    _sha256s,
    indexes,
    project,
)
from workflow_harness import dispatch_event, pull_request_event, push_event, run_workflow

if TYPE_CHECKING:
    from pathlib import Path

    from index_proxy import TrustedIndex
    from workflow_harness import RunResult

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PACKAGES = ("ws-app", "ws-core", "ws-extra")
CHECKS = ("lint", "tests")


def _ran(result: RunResult) -> dict[str, str]:
    """Each job's name and conclusion."""
    return {job.name: job.conclusion for job in result.jobs.values()}


def _checks(packages: tuple[str, ...], conclusion: str) -> dict[str, str]:
    return {f"{check} ({name})": conclusion for check in CHECKS for name in packages}


@pytest.mark.parametrize("sample", [WORKSPACE], ids=[WORKSPACE.id])
def test_one_package_of_a_workspace_through_the_generated_workflows(
    sample: Sample,
    project: Project,  # noqa: F811 - the fixture imported above
    indexes: dict[str, TrustedIndex],  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    assert project.sample is sample
    repo, github, full = project.repo, project.github, project.full
    base = _head(project)
    # a pull request changing ws-core: its checks run, and ws-app's (it depends on ws-core);
    # ws-extra's are skipped
    git(repo.path, "switch", "--quiet", "--create", "feature/core")
    repo.write("packages/ws-core/src/ws_core/more.py", '"""More."""\n')
    repo.commit("Add more to ws-core")
    merge = git(repo.path, "rev-parse", "HEAD")
    git(repo.path, "push", "--quiet", "origin", f"{merge}:refs/pull/1/merge")
    pull = pull_request_event(full, 1, merge, "feature/core", [], base=base)
    checked = project.run("ci.yml", pull)
    wanted = {"packages": "success", **_checks(("ws-app", "ws-core"), "success")}
    assert _ran(checked) == {**wanted, **_checks(("ws-extra",), "skipped")}
    # the release label is the repository's check, one for every package
    project.github.merged_pull(1, merge, ("release:minor",))
    labels = project.run("release-label.yml", pull)
    assert _ran(labels) == {"release-label": "success"}

    # merged: on the release branch every package is checked
    git(repo.path, "switch", "--quiet", "main")
    git(repo.path, "merge", "--quiet", "--ff-only", "feature/core")
    repo.push()
    sha = _head(project)
    main = project.run("ci.yml", push_event(full, "refs/heads/main", sha))
    assert _ran(main) == {"packages": "success", **_checks(PACKAGES, "success")}

    github.merged_pull(1, sha, ("release:minor",))  # merged as main's head
    project.run("release-draft.yml", push_event(full, "refs/heads/main", sha))
    tag = "ws-core-v0.1.0"
    if not any(r["tag_name"] == tag and r["draft"] for r in github.releases):
        github.draft(tag)  # a first release: notes --github drafts the version after it
    project.run("publish-testpypi.yml", dispatch_event(full, "main", sha, {"package": "ws-core"}))

    token = {"GITHUB_TOKEN": github.maintainer_token(), "GITHUB_API_URL": github.api_url}
    project.tagship("--package", "ws-core", "tag", "--checks", "local", **token)
    tagged = git(repo.origin, "rev-parse", f"refs/tags/{tag}^{{commit}}")
    project.run("publish-pypi.yml", push_event(full, f"refs/tags/{tag}", tagged))

    testpypi, pypi = _sha256s(tmp_path / "testpypi"), _sha256s(tmp_path / "pypi")
    assert pypi == testpypi, "PyPI holds other bytes than the dry run put on TestPyPI"
    assert sorted(pypi) == ["ws_core-0.1.0-py3-none-any.whl", "ws_core-0.1.0.tar.gz"]
    audit = project.tagship("--package", "ws-core", "audit", "--index", "pypi", **token)
    assert "0.1.0\tok" in audit
    assert git(repo.origin, "tag", "-l") == tag  # no other package was tagged
    assert [i.refused for i in indexes.values()] == [[], []]
    assert OWNER in full

    # a change tagship cannot read: the packages job fails, and every check fails with it
    # (skipped, they would pass branch protection)
    git(repo.path, "switch", "--quiet", "--create", "feature/broken")
    repo.write("packages/ws-extra/pyproject.toml", "oops = [\n")
    repo.commit("Break ws-extra's pyproject.toml")
    broken = git(repo.path, "rev-parse", "HEAD")
    git(repo.path, "push", "--quiet", "origin", f"{broken}:refs/pull/2/merge")
    event = pull_request_event(full, 2, broken, "feature/broken", [], base=tagged)
    ci = repo.path / ".github" / "workflows" / "ci.yml"
    failed = run_workflow(ci, event, project.machine, github, parallel=2)
    assert set(_ran(failed).values()) == {"failure"}, _ran(failed)
