"""The release on GitLab, which has no drafts: the tag pipeline's `publish_release` builds the
notes from the merged merge requests' labels, stores each file in the generic package
registry and creates the GitLab release once, with a link to each; a rerun changes nothing.
Real git (the work tree and a bare origin), the GitLab stand-in for the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import STATIC_PYPROJECT, git
from gitlab_standin import GitLabStandIn
from tagship.ci.gitlab.api import GitLabClient
from tagship.core.errors import GateError
from tagship.steps.notes.github_release import publish_release
from tagship.steps.notes.release_assets import AssetFile
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import MakeRepo, Repo

PROJECT = "acme/charm"


@pytest.fixture
def project(make_repo: MakeRepo, httpserver: HTTPServer) -> tuple[Repo, GitLabStandIn]:
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT})
    gitlab = GitLabStandIn(httpserver, path=PROJECT)
    feature = repo.commit("Add the thing")
    fix = repo.commit("Fix the thing")
    repo.push("main")
    # GitLab's view of the same history, oldest first
    for sha in git(repo.path, "rev-list", "--reverse", "HEAD").split():
        gitlab.commit(sha, git(repo.path, "log", "-1", "--format=%s", sha))
    gitlab.merge_request(1, labels=("release:minor",), merged_as=feature, title="Add the thing")
    gitlab.merge_request(2, labels=("release:patch",), merged_as=fix, title="Fix the thing")
    return repo, gitlab


def test_the_tag_pipeline_creates_the_release_once_with_links(
    project: tuple[Repo, GitLabStandIn],
) -> None:
    repo, gitlab = project
    repo.tag("v1.0.0", push=True)
    gitlab.tags["v1.0.0"] = git(repo.path, "rev-parse", "HEAD")
    workspace = open_workspace(repo.path, env={})
    client = GitLabClient(PROJECT, gitlab.token(), api_url=gitlab.api_url)
    assets = (AssetFile("manifest.json", b"{}", "application/json"),)
    done = publish_release(workspace, client, "v1.0.0", assets=assets)
    held = gitlab.releases["v1.0.0"]
    assert "Add the thing" in held["description"]
    assert "Fix the thing" in held["description"]
    assert [link["name"] for link in held["assets"]["links"]] == ["manifest.json"]
    assert gitlab.packages == {"release-files/v1.0.0/manifest.json": b"{}"}
    assert done.release.tag_name == "v1.0.0"
    assert not done.release.draft
    # a rerun (a later job) finds it published and sends nothing
    writes = [r for r in gitlab.requests if r[0] != "GET"]
    again = GitLabClient(PROJECT, gitlab.token(), api_url=gitlab.api_url)
    publish_release(workspace, again, "v1.0.0", assets=assets)
    assert [r for r in gitlab.requests if r[0] != "GET"] == writes


def test_a_tag_missing_on_gitlab_is_refused_before_any_file(
    project: tuple[Repo, GitLabStandIn],
) -> None:
    repo, gitlab = project
    repo.tag("v1.0.0")  # not pushed: GitLab does not know it
    workspace = open_workspace(repo.path, env={})
    client = GitLabClient(PROJECT, gitlab.token(), api_url=gitlab.api_url)
    with pytest.raises(GateError, match=r"tag v1\.0\.0 does not exist"):
        publish_release(workspace, client, "v1.0.0", assets=(AssetFile("m.json", b"{}", "x"),))
    assert gitlab.packages == {}
    assert gitlab.releases == {}
