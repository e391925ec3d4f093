"""hotfix start / finish and rollback revert on a GitLab project, as on GitHub
(tests/test_hotfix.py, tests/test_rollback_revert.py): real git with a bare origin, the
maintainer's GitLab token set by hand, the GitLab API stand-in holding the releases. The
patch's notes are read from the GitLab release of the patch tag; a GitLab merge commit
(`Merge branch '...' into 'main'`, `See merge request group/project!7`) is reverted and pushed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import git
from gitlab_standin import GitLabStandIn
from rollback_kit import records, released_project

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

PROJECT = "acme/tools/sample-pkg"


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    return released_project(make_repo)


@pytest.fixture
def gitlab(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> GitLabStandIn:
    found = GitLabStandIn(httpserver, path=PROJECT)
    # the maintainer's shell on a GitLab project, as docs/gitlab.md says
    monkeypatch.setenv("GITLAB_TOKEN", found.token("read"))
    monkeypatch.setenv("CI_PROJECT_PATH", PROJECT)
    monkeypatch.setenv("CI_API_V4_URL", found.api_url)
    return found


def _gitlab_release(gitlab: GitLabStandIn, tag: str, sha: str, notes: str) -> None:
    """The release the tag pipeline created on GitLab."""
    gitlab.tags[tag] = sha
    gitlab.releases[tag] = {
        "tag_name": tag, "name": tag, "description": notes,
        "created_at": "2026-12-01T12:00:00Z", "released_at": "2026-12-01T12:00:00Z",
        "upcoming_release": False, "commit": {"id": sha},
        "assets": {"count": 0, "sources": [], "links": []},
    }  # fmt: skip


def test_hotfix_finish_reads_the_notes_of_the_gitlab_release(
    repo: Repo, cli: Cli, gitlab: GitLabStandIn
) -> None:
    started = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert started.code == 0, started.err
    assert "created hotfix/1.2.4 from v1.2.3" in started.out
    assert records(repo.path)[-1].event.kind == "hotfix"
    repo.write("app.py", "VALUE = 2  # fixed\n")
    fix = repo.commit("Fix the crash in VALUE")
    git(repo.path, "push", "--quiet", "origin", "hotfix/1.2.4")
    git(repo.path, "switch", "--quiet", "main")
    git(repo.path, "cherry-pick", "-x", fix)
    repo.push()
    git(repo.path, "switch", "--quiet", "hotfix/1.2.4")

    # no release on GitLab yet, a lightweight tag: nothing names the fixed release
    unfinished = cli("-C", str(repo.path), "hotfix", "finish")
    assert unfinished.code == 1
    assert "[FAIL] notes name the fixed release: no release notes for v1.2.4" in unfinished.out
    assert "Traceback" not in unfinished.err

    _gitlab_release(gitlab, "v1.2.4", fix, "## Fixes\n\n- the crash in VALUE of v1.2.3 (!7)\n")
    finished = cli("-C", str(repo.path), "hotfix", "finish")
    assert finished.code == 0, finished.out + finished.err
    assert f"the release v1.2.4 of {PROJECT} mention v1.2.3" in finished.out
    assert records(repo.path)[-1].event.details["action"] == "finish"
    asked = [path for _, path in gitlab.requests if path.endswith("/releases")]
    assert asked, "hotfix finish did not ask GitLab for the release"


def test_rollback_revert_of_a_gitlab_merge_commit(
    repo: Repo, cli: Cli, gitlab: GitLabStandIn
) -> None:
    git(repo.path, "switch", "--quiet", "-c", "fix-import")
    repo.write("broken.py", "import missing\n")
    repo.commit("Import the missing module")
    git(repo.path, "switch", "--quiet", "main")
    message = (
        "Merge branch 'fix-import' into 'main'\n\nImport the missing module\n\n"
        f"See merge request {PROJECT}!7"
    )
    git(repo.path, "merge", "--quiet", "--no-ff", "-m", message, "fix-import")
    merged = git(repo.path, "rev-parse", "HEAD")
    repo.push()
    gitlab.commit(merged, message)

    result = cli("-C", str(repo.path), "rollback", "revert", merged[:10], "--push")
    assert result.code == 0, result.err
    assert f"reverted {merged[:12]} on main" in result.out
    assert git(repo.path, "log", "-1", "--format=%s") == (
        "Revert \"Merge branch 'fix-import' into 'main'\""
    )
    assert not (repo.path / "broken.py").exists()
    assert git(repo.origin, "rev-parse", "main") == git(repo.path, "rev-parse", "HEAD")
    assert records(repo.path)[-1].event.kind.startswith("rollback")
