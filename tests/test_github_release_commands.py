"""`notes`, `github-release publish` and `wait-workflow` against a local GitHub stand-in."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

import github_payloads as gh
from conftest import STATIC_PYPROJECT, Cli, MakeRepo, Repo, git

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

REPO = f"/repos/{gh.FULL}"
C1, C2, C3 = "1" * 40, "2" * 40, "3" * 40


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    made = make_repo()
    made.tag("v0.4.22")
    return made


def _serve_merged(server: HTTPServer, basehead: str) -> None:
    """Three commits since the tag: a feature, a fix and a skipped chore."""
    server.expect_request(f"{REPO}/compare/{basehead}").respond_with_json(gh.comparison(C1, C2, C3))
    pulls = {
        C1: gh.pull(11, "Add streaming", ("release:minor",), author="alice"),
        C2: gh.pull(12, "Fix the crash", ("release:patch",), author="bob"),
        C3: gh.pull(13, "Bump CI", ("release:skip",), author="carol"),
    }
    for sha, pull in pulls.items():
        open_one = gh.pull(99, "still open", merged=False)
        server.expect_request(f"{REPO}/commits/{sha}/pulls").respond_with_json([pull, open_one])


def _sent(server: HTTPServer, method: str, path: str) -> list[Any]:
    return [json.loads(r.get_data()) for r, _ in server.log if (r.method, r.path) == (method, path)]


# -- notes ------------------------------------------------------------------------------------


def test_notes_from_github(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    _serve_merged(github, "v0.4.22...main")
    out = repo.path / "NOTES.md"
    result = cli("-C", str(repo.path), "notes", "--output", str(out))
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (
        "3 pull requests since v0.4.22 (1 skipped); "
        "suggested next version: 0.5.0 (minor bump of 0.4.22)"
    )
    assert out.read_text() == (
        "## New features\n\n- Add streaming (#11) @alice\n\n"
        "## Fixes and maintenance\n\n- Fix the crash (#12) @bob\n"
    )


def test_notes_since_unknown_tag(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    github.expect_request(f"{REPO}/compare/v0.0.1...main").respond_with_json(
        gh.error("Not Found", 404), status=404
    )
    result = cli("-C", str(repo.path), "notes", "--since", "v0.0.1")
    assert result.code == 2
    assert "GitHub cannot compare v0.0.1...main" in result.err


def test_notes_github_creates_the_one_draft(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    _serve_merged(github, "v0.4.22...main")
    github.expect_request(f"{REPO}/releases", method="GET").respond_with_json(
        [gh.release(1, "v0.4.22")]
    )
    github.expect_request(f"{REPO}/releases", method="POST").respond_with_json(
        gh.release(2, "v0.5.0", draft=True), status=201
    )
    result = cli("-C", str(repo.path), "notes", "--github")
    assert result.code == 0, result.err
    assert "created draft release v0.5.0" in result.out
    [sent] = _sent(github, "POST", f"{REPO}/releases")
    assert (sent["tag_name"], sent["draft"], sent["target_commitish"]) == ("v0.5.0", True, "main")
    assert "**Full changelog**: v0.4.22...v0.5.0" in sent["body"]


def test_notes_github_retargets_an_existing_draft(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    _serve_merged(github, "v0.4.22...main")
    # drafts only show up in the listing: the tag lookup answers 404 for them
    github.expect_request(f"{REPO}/releases/tags/v0.4.23").respond_with_json(
        gh.error("Not Found", 404), status=404
    )
    github.expect_request(f"{REPO}/releases", method="GET").respond_with_json(
        [gh.release(3, "v0.4.23", draft=True), gh.release(1, "v0.4.22")]
    )
    github.expect_request(f"{REPO}/releases/3", method="PATCH").respond_with_json(
        gh.release(3, "v0.5.0", draft=True)
    )
    result = cli("-C", str(repo.path), "notes", "--github")
    assert result.code == 0, result.err
    assert "updated draft release v0.5.0" in result.out
    assert _sent(github, "POST", f"{REPO}/releases") == []  # never a second draft
    [patch] = _sent(github, "PATCH", f"{REPO}/releases/3")
    assert patch["tag_name"] == "v0.5.0"


def test_notes_github_recreates_a_draft_deleted_meanwhile(
    cli: Cli, repo: Repo, github: HTTPServer
) -> None:
    _serve_merged(github, "v0.4.22...main")
    listing = f"{REPO}/releases"
    github.expect_oneshot_request(listing, method="GET").respond_with_json(
        [gh.release(3, "v0.5.0", draft=True)]
    )
    github.expect_request(listing, method="GET").respond_with_json([])
    github.expect_request(f"{REPO}/releases/3", method="PATCH").respond_with_json(
        gh.error("Not Found", 404), status=404
    )
    github.expect_request(listing, method="POST").respond_with_json(
        gh.release(4, "v0.5.0", draft=True), status=201
    )
    result = cli("-C", str(repo.path), "notes", "--github")
    assert result.code == 0, result.err
    assert "created draft release v0.5.0" in result.out


def test_notes_github_refuses_when_already_published(
    cli: Cli, repo: Repo, github: HTTPServer
) -> None:
    _serve_merged(github, "v0.4.22...main")
    github.expect_request(f"{REPO}/releases").respond_with_json([gh.release(5, "v0.5.0")])
    result = cli("-C", str(repo.path), "notes", "--github")
    assert result.code == 1
    assert "release v0.5.0 is already published on GitHub" in result.err


def test_notes_local_reads_merge_commits(cli: Cli, repo: Repo) -> None:
    for number, branch, label in ((21, "feat", "release:minor"), (22, "fix", "release:patch")):
        git(repo.path, "switch", "--quiet", "-c", branch)
        repo.write(f"{branch}.txt", branch)
        repo.commit(f"work on {branch}")
        git(repo.path, "switch", "--quiet", "main")
        git(
            repo.path, "merge", "--quiet", "--no-ff", branch,
            "-m", f"Merge pull request #{number} from dev/{branch}",
            "-m", f"The {branch} change\n\nRelease-Label: {label}",
        )  # fmt: skip
    result = cli("-C", str(repo.path), "notes", "--local", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert (data["since"], data["next_version"], data["next_tag"]) == ("v0.4.22", "0.5.0", "v0.5.0")
    assert data["sections"] == {
        "minor": [{"number": 21, "title": "The feat change", "author": "dev"}],
        "patch": [{"number": 22, "title": "The fix change", "author": "dev"}],
    }


def test_notes_output_directory_must_exist(cli: Cli, repo: Repo) -> None:
    result = cli("-C", str(repo.path), "notes", "--local", "--output", "/nonexistent/x.md")
    assert result.code == 2
    assert "directory /nonexistent does not exist" in result.err


# -- github-release publish -------------------------------------------------------------------


def _serve_publish(server: HTTPServer, releases: list[dict[str, Any]], tag: str = "v0.5.0") -> None:
    server.expect_request(f"{REPO}/releases", method="GET").respond_with_json(releases)
    server.expect_request(f"{REPO}/git/ref/tags/{tag}").respond_with_json(gh.git_ref(tag))
    _serve_merged(server, f"v0.4.22...{tag}")


def _serve_published(server: HTTPServer, release: dict[str, Any]) -> None:
    """The draft's publication, and the release as read back after it."""
    path = f"{REPO}/releases/{release['id']}"
    server.expect_request(path, method="PATCH").respond_with_json(release)
    server.expect_request(path, method="GET").respond_with_json(release)


def test_publish_attaches_the_manifest_and_publishes(
    cli: Cli, repo: Repo, github: HTTPServer
) -> None:
    uploads = github.url_for("/uploads").rstrip("/")
    draft = gh.release(
        7, "v0.5.0", draft=True, upload_base=uploads, assets=("tagship-manifest.json",)
    )
    _serve_publish(github, [draft, gh.release(1, "v0.4.22")])
    github.expect_request(f"{REPO}/releases/assets/70", method="DELETE").respond_with_data(
        "", status=204
    )
    github.expect_request(
        f"/uploads/repos/{gh.FULL}/releases/7/assets", method="POST"
    ).respond_with_json(gh.asset("tagship-manifest.json", 71), status=201)
    _serve_published(github, gh.release(7, "v0.5.0", assets=("tagship-manifest.json",)))
    (repo.path / "dist").mkdir()
    (repo.path / "dist" / "tagship-manifest.json").write_text('{"files": []}')
    result = cli("-C", str(repo.path), "github-release", "publish", "v0.5.0")
    assert result.code == 0, result.err
    assert "published release v0.5.0 (latest, attached tagship-manifest.json)" in result.out
    [patch] = _sent(github, "PATCH", f"{REPO}/releases/7")
    assert (patch["draft"], patch["make_latest"], patch["prerelease"]) == (False, "true", False)
    assert "- Add streaming (#11) @alice" in patch["body"]
    uploaded = [r.get_data() for r, _ in github.log if r.path.startswith("/uploads/")]
    assert uploaded == [b'{"files": []}']


def test_publish_an_older_hotfix_line_is_not_latest(
    cli: Cli, make_repo: MakeRepo, github: HTTPServer
) -> None:
    repo = make_repo()
    repo.tag("v0.4.22")
    draft = gh.release(8, "v0.5.0", draft=True)
    _serve_publish(github, [draft, gh.release(6, "v0.6.0")])
    _serve_published(github, gh.release(8, "v0.5.0"))
    result = cli("-C", str(repo.path), "github-release", "publish", "v0.5.0")
    assert result.code == 0, result.err
    assert "(not latest)" in result.out
    assert _sent(github, "PATCH", f"{REPO}/releases/8")[0]["make_latest"] == "false"


def test_publish_a_release_candidate_is_a_prerelease_never_latest(
    cli: Cli, make_repo: MakeRepo, github: HTTPServer
) -> None:
    repo = make_repo()
    repo.tag("v0.4.22")
    draft = gh.release(9, "v0.5.0rc1", draft=True)
    _serve_publish(github, [draft, gh.release(1, "v0.4.22")], tag="v0.5.0rc1")
    _serve_published(github, gh.release(9, "v0.5.0rc1"))
    result = cli("-C", str(repo.path), "github-release", "publish", "v0.5.0rc1")
    assert result.code == 0, result.err
    assert "(not latest)" in result.out
    [patch] = _sent(github, "PATCH", f"{REPO}/releases/9")
    assert (patch["make_latest"], patch["prerelease"]) == ("false", True)


@pytest.mark.parametrize(
    ("releases", "tag_ref_status", "patch_status", "code", "text"),
    [
        ([gh.release(1, "v0.4.22")], 200, 200, 1, "there is no draft release for v0.5.0"),
        ([gh.release(7, "v0.5.0", draft=True)], 404, 200, 1, "tag v0.5.0 does not exist on GitHub"),
        ([gh.release(7, "v0.5.0", draft=True)], 200, 404, 1, "was deleted meanwhile"),
        ([gh.release(7, "v0.5.0")], 200, 200, 0, "release v0.5.0 was already published"),
    ],
)
def test_publish_refusals(
    cli: Cli,
    repo: Repo,
    github: HTTPServer,
    releases: list[dict[str, Any]],
    tag_ref_status: int,
    patch_status: int,
    code: int,
    text: str,
) -> None:
    github.expect_request(f"{REPO}/releases", method="GET").respond_with_json(releases)
    ref = gh.git_ref("v0.5.0") if tag_ref_status == 200 else gh.error("Not Found", 404)
    github.expect_request(f"{REPO}/git/ref/tags/v0.5.0").respond_with_json(
        ref, status=tag_ref_status
    )
    _serve_merged(github, "v0.4.22...v0.5.0")
    github.expect_request(f"{REPO}/releases/7", method="PATCH").respond_with_json(
        gh.error("Not Found", 404), status=patch_status
    )
    result = cli("-C", str(repo.path), "github-release", "publish", "v0.5.0")
    assert result.code == code
    assert text in (result.out if code == 0 else result.err)
    if code:
        assert _sent(github, "PATCH", f"{REPO}/releases/7") == [] or patch_status == 404


# -- wait-workflow ----------------------------------------------------------------------------

RUNS = f"{REPO}/actions/workflows/publish-pypi.yml/runs"


def test_wait_workflow_until_done(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    github.expect_oneshot_request(RUNS).respond_with_json(gh.workflow_runs())
    github.expect_oneshot_request(RUNS).respond_with_json(
        gh.workflow_runs(gh.workflow_run(41, "v0.5.0", "in_progress"))
    )
    github.expect_request(RUNS, query_string={"branch": "v0.5.0", "event": "push",
                                              "per_page": "100"}).respond_with_json(
        gh.workflow_runs(
            gh.workflow_run(40, "v0.5.0", conclusion="failure", created_at="2026-01-01T00:00:00Z"),
            gh.workflow_run(41, "v0.5.0"),
        )
    )  # fmt: skip
    result = cli("-C", str(repo.path), "wait-workflow", "--tag", "v0.5.0", "--interval", "0.01")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (
        f"publish-pypi.yml for v0.5.0 succeeded: https://github.com/{gh.FULL}/actions/runs/41"
    )
    assert result.out.splitlines()[-1].startswith("next: tagship watch: ")


def test_wait_workflow_failed_run(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    github.expect_request(RUNS).respond_with_json(
        gh.workflow_runs(gh.workflow_run(42, "v0.5.0", conclusion="failure"))
    )
    result = cli("-C", str(repo.path), "wait-workflow", "--tag", "v0.5.0")
    assert result.code == 1
    assert "publish-pypi.yml for v0.5.0 concluded failure" in result.err


def test_wait_workflow_times_out(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    github.expect_request(RUNS).respond_with_json(gh.workflow_runs())
    result = cli("-C", str(repo.path), "wait-workflow", "--tag", "v0.5.0", "--timeout", "0")
    assert result.code == 3
    assert result.err == (
        "tagship: error: timed out after 0 s (1 poll): publish-pypi.yml for v0.5.0 has not "
        "finished (no run started) (hint: rerun later, or with a longer --timeout (it was 0 s))\n"
    )


def test_wait_workflow_unknown_workflow(cli: Cli, repo: Repo, github: HTTPServer) -> None:
    github.expect_request(f"{REPO}/actions/workflows/nope.yml/runs").respond_with_json(
        gh.error("Not Found", 404), status=404
    )
    result = cli("-C", str(repo.path), "wait-workflow", "--tag", "v0.5.0", "--workflow", "nope.yml")
    assert result.code == 2
    assert f"workflow nope.yml not found in {gh.FULL}" in result.err


def test_bump_changelog_reads_the_pull_requests_from_github(
    cli: Cli, make_repo: MakeRepo, github: HTTPServer
) -> None:
    changelog = "# Changelog\n\n## [Unreleased]\n\n## [0.4.22] - 2026-01-01\n\n- First.\n"
    made = make_repo({"pyproject.toml": STATIC_PYPROJECT, "CHANGELOG.md": changelog})
    made.tag("v0.4.22")
    _serve_merged(github, "v0.4.22...main")
    result = cli("-C", str(made.path), "bump", "minor", "--changelog")
    assert result.code == 0, result.err
    text = (made.path / "CHANGELOG.md").read_text()
    assert "## [0.5.0] - " in text
    assert "- Add streaming (#11) @alice" in text
    assert "- Fix the crash (#12) @bob" in text
    assert "Bump CI" not in text  # release:skip
    assert text.endswith("## [0.4.22] - 2026-01-01\n\n- First.\n")
