"""`tagship audit` checks CI identities, not claims: each record's GitHub Actions run is looked
up on a local stand-in of GitHub's REST API (complete payloads, validated by githubkit as
GitHub's would be), and each record binds to the index it was made for (name and normalised
upload URL). Real git, real ledger, real pypiserver where files are uploaded."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import pytest

import github_payloads as gh
from conftest import STATIC_PYPROJECT, git
from tagship.adapters.git import Git
from tagship.adapters.index import JSON_TYPE
from tagship.adapters.ledger_store import append_event, read_ledger
from tagship.ci import read_run
from tagship.ci.github.api import GitHubClient
from tagship.core.ci_identity import RunFacts
from tagship.core.errors import ServiceError
from tagship.core.index_url import index_details
from tagship.core.ledger import Event, FileEntry, anchor_line
from tagship.core.replays import CLEAN, WORK_TREE
from tagship.steps.ledger.audit import audit_workspace, github_runs
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

RUN_ID = 4242
WORKFLOW = "publish-pypi.yml"
RUN = f"/repos/{gh.FULL}/actions/runs/{RUN_ID}"
SDIST, WHEEL = "sample_pkg-1.0.0.tar.gz", "sample_pkg-1.0.0-py3-none-any.whl"
NOT_VERIFIED = "CI identity not verified (no token)"


def ci_env(commit: str, tag: str = "v1.0.0", **changes: str) -> dict[str, str]:
    """The environment of the publish job of `tag` in run RUN_ID of gh.FULL, as GitHub sets
    it (`changes` override or, when empty, drop variables)."""
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": gh.FULL,
        "GITHUB_WORKFLOW_REF": f"{gh.FULL}/.github/workflows/{WORKFLOW}@refs/tags/{tag}",
        "GITHUB_RUN_ID": str(RUN_ID),
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_REF": f"refs/tags/{tag}",
        "GITHUB_SHA": commit,
        "GITHUB_ACTOR": "maintainer",
    }
    env.update(changes)
    return {name: value for name, value in env.items() if value}


def sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def project(
    make_repo: MakeRepo, server: HTTPServer, upload_url: str = "http://127.0.0.1:1/"
) -> Repo:
    """The project of gh.FULL, its index `local` served by `server`."""
    config = (
        f'\n[tool.tagship.github]\nowner = "{gh.OWNER}"\nrepository = "{gh.NAME}"\n'
        f'\n[tool.tagship.indexes.local]\nsimple-url = "{server.url_for("/simple/")}"\n'
        f'upload-url = "{upload_url}"\n'
    )
    return make_repo({"pyproject.toml": STATIC_PYPROJECT + config})


def publish_record(
    repo: Repo,
    changes: Mapping[str, str] | None = None,
    *,
    tag: str = "v1.0.0",
    details: Mapping[str, str] | None = None,
    index: str = "local",
) -> str:
    """Commit, record the publish of the version of `tag` (SDIST and WHEEL) by the genuine
    run (its environment with `changes`: see ci_env), tag with the anchor and push; the
    commit sha."""
    version = tag.removeprefix("v")
    commit = repo.commit(f"release {version}")
    repo.push("main")
    names = (SDIST, WHEEL) if version == "1.0.0" else (f"sample_pkg-{version}.tar.gz",)
    if details is None:  # as tagship records it
        bound = index_details(open_workspace(repo.path, env={}).config.index(index))
        details = {**bound, WORK_TREE: CLEAN}
    event = Event(
        "publish",
        "sample-pkg",
        version,
        tag=tag,
        commit=commit,
        index=index,
        files=tuple(FileEntry(name, 10, sha(name)) for name in names),
        details=details,
    )
    record = append_event(Git(repo.path), event, ci_env(commit, tag, **(changes or {})))
    git(repo.path, "tag", "-f", "-a", tag, "-m", f"{tag}\n\n{anchor_line(record.hash)}")
    repo.push("--force", f"refs/tags/{tag}")
    return commit


def serve_page(server: HTTPServer, *names: str) -> None:
    """The project's PEP 691 page, listing `names` (SDIST and WHEEL by default)."""
    files = [
        {"filename": name, "url": f"/f/{name}", "hashes": {"sha256": sha(name)}}
        for name in names or (SDIST, WHEEL)
    ]
    page = json.dumps({"meta": {"api-version": "1.1"}, "name": "sample-pkg", "files": files})
    server.expect_request("/simple/sample-pkg/").respond_with_data(page, content_type=JSON_TYPE)


def serve_run(server: HTTPServer, commit: str, tag: str = "v1.0.0", **changes: Any) -> None:
    """GitHub's answer for run RUN_ID: the genuine run of `tag` at `commit`, or as changed."""
    server.expect_request(RUN).respond_with_json(
        gh.workflow_run(RUN_ID, tag, **{"sha": commit, **changes})
    )


def audit_json(cli: Cli, repo: Repo) -> tuple[int, dict[str, Any], str]:
    result = cli("-C", str(repo.path), "audit", "--index", "local", "--format", "json")
    return result.code, json.loads(result.out) if result.out else {}, result.err


def run_requests(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log if "/actions/runs/" in request.path]


def test_genuine_run_passes_and_is_asked_once(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, github)
    commit = publish_record(repo)
    # a rerun of the publish job records the same run again
    append_event(Git(repo.path), read_ledger(Git(repo.path)).records[-1].event, ci_env(commit))
    serve_page(github)
    serve_run(github, commit)
    code, report, err = audit_json(cli, repo)
    assert (code, err) == (0, "")
    (version,) = report["versions"]
    assert (version["status"], version["notes"]) == ("ok", [])
    assert report["notes"][0] == "CI identities checked with GitHub: 1 run"
    assert run_requests(github) == [RUN]  # two records, two files: one request
    (request,) = [r for r, _ in github.log if r.path == RUN]
    assert request.headers["Authorization"] == "token t0ken"


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"full": "someone/else"}, "it belongs to someone/else"),
        (
            {"workflow": "ci.yml"},
            f"it ran .github/workflows/ci.yml, not .github/workflows/{WORKFLOW}",
        ),
        ({"sha": "e" * 40}, f"it ran at {'e' * 40}, not "),
        ({"tag": "v0.9.0"}, "it ran for v0.9.0, not refs/tags/v1.0.0"),
        ({"event": "pull_request"}, "it was triggered by pull_request, not push"),
        ({"event": "workflow_dispatch"}, "it was triggered by workflow_dispatch, not push"),
    ],
    ids=[
        "other-repository",
        "other-workflow",
        "other-sha",
        "other-ref",
        "pull-request",
        "dispatch",
    ],
)
def test_run_that_is_not_the_claimed_one_is_forged(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli, changes: dict[str, str], said: str
) -> None:
    repo = project(make_repo, github)
    commit = publish_record(repo)
    serve_page(github)
    serve_run(github, commit, **changes)
    code, report, err = audit_json(cli, repo)
    assert code == 4
    assert err.startswith("tagship: error: audit found problems in 1 of 1 version on local")
    (version,) = report["versions"]
    assert version["status"] == "ci-identity-forged"
    details = {f["detail"] for f in version["findings"]}
    assert len(details) == 1  # the same record covers both files
    (detail,) = details
    assert detail.startswith(f"record #1 names run {RUN_ID} of {gh.FULL}, but GitHub says ")
    assert said in detail


@pytest.mark.parametrize(("recorded", "run", "code"), [(3, 2, 4), (2, 3, 0), (2, 2, 0)])
def test_attempt_up_to_the_runs_latest_is_genuine(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli, recorded: int, run: int, code: int
) -> None:
    repo = project(make_repo, github)
    commit = publish_record(repo, {"GITHUB_RUN_ATTEMPT": str(recorded)})
    serve_page(github)
    serve_run(github, commit, attempt=run)  # GitHub gives the run's latest attempt
    result, report, _ = audit_json(cli, repo)
    assert result == code
    if code:
        detail = report["versions"][0]["findings"][0]["detail"]
        assert detail.endswith(f"GitHub says it has {run} attempts, not {recorded}")


def test_run_github_does_not_know_is_forged(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, github)
    publish_record(repo)
    serve_page(github)
    github.expect_request(RUN).respond_with_json(gh.error("Not Found", 404), status=404)
    code, report, _ = audit_json(cli, repo)
    assert code == 4
    (finding, _) = report["versions"][0]["findings"]
    assert finding == {
        "kind": "ci-identity-forged",
        "file": SDIST,
        "detail": f"record #1 names run {RUN_ID} of {gh.FULL}, "
        "but GitHub says there is no such run",
    }


@pytest.mark.parametrize(
    ("dropped", "named"),
    [
        ("GITHUB_RUN_ID", "run id"),
        ("GITHUB_RUN_ATTEMPT", "run attempt"),
        ("GITHUB_WORKFLOW_REF", "workflow file"),
        ("GITHUB_REF", "ref"),
        ("GITHUB_SHA", "sha"),
        ("GITHUB_REPOSITORY", "repository"),
    ],
)
def test_forged_record_without_an_identity_is_a_finding_and_no_request(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli, dropped: str, named: str
) -> None:
    repo = project(make_repo, github)
    publish_record(repo, {dropped: ""})
    serve_page(github)
    code, report, _ = audit_json(cli, repo)
    assert code == 4
    (version,) = report["versions"]
    assert version["status"].startswith("ci-identity-incomplete")
    detail = version["findings"][0]["detail"]
    assert detail.startswith("record #1 claims GitHub Actions but names no ")
    assert named in detail.removeprefix("record #1 claims GitHub Actions but names no ")
    assert run_requests(github) == []


def test_run_of_another_repository_is_refused_without_asking(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, github)
    fork = "attacker/Charm"
    publish_record(repo, {"GITHUB_REPOSITORY": fork})
    serve_page(github)
    code, report, _ = audit_json(cli, repo)
    assert code == 4
    details = [f["detail"] for f in report["versions"][0]["findings"]]
    assert f"record #1 names a run of {fork}, not of {gh.FULL}" in details
    assert run_requests(github) == []


def test_without_a_token_each_version_says_so(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, httpserver)
    publish_record(repo)
    serve_page(httpserver)
    code, report, err = audit_json(cli, repo)
    assert (code, err) == (0, "")
    (version,) = report["versions"]
    assert (version["status"], version["notes"]) == ("ok", [NOT_VERIFIED])
    assert report["notes"][0] == (
        "CI identities not verified: no GitHub token (GITHUB_TOKEN or GH_TOKEN)"
    )
    text = cli("-C", str(repo.path), "audit", "--index", "local")
    assert text.code == 0
    assert NOT_VERIFIED in text.out
    assert [r.path for r, _ in httpserver.log] == ["/simple/sample-pkg/"] * 2


def test_rejected_token_is_a_service_error(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, github)
    publish_record(repo)
    serve_page(github)
    github.expect_request(RUN).respond_with_json(gh.error("Bad credentials", 401), status=401)
    result = cli("-C", str(repo.path), "audit", "--index", "local")
    assert result.code == 3
    assert result.err == (
        f"tagship: error: GitHub rejected the token while reading workflow run {RUN_ID} "
        "(401: Bad credentials) (hint: GITHUB_TOKEN/GH_TOKEN is invalid or expired)\n"
    )


def test_unreachable_github_is_a_service_error(make_repo: MakeRepo, httpserver: HTTPServer) -> None:
    repo = project(make_repo, httpserver)
    publish_record(repo)
    serve_page(httpserver)
    env = {"GITHUB_TOKEN": "t0ken", "GITHUB_API_URL": "http://127.0.0.1:9"}
    sleeps: list[float] = []
    workspace = open_workspace(repo.path, env=env)
    with pytest.raises(ServiceError, match=r"cannot reach GitHub at http://127\.0\.0\.1:9"):
        audit_workspace(workspace, "local", runs=github_runs(read_run(env), sleep=sleeps.append))
    assert sleeps == [1.0, 2.0, 4.0]


def test_client_reads_a_workflow_run(httpserver: HTTPServer) -> None:
    payload = gh.workflow_run(RUN_ID, "v1.0.0", sha="c" * 40, attempt=2)
    httpserver.expect_request(RUN).respond_with_json(payload)
    client = GitHubClient(gh.OWNER, gh.NAME, "t0ken", base_url=httpserver.url_for("/"))
    assert client.workflow_run(RUN_ID) == RunFacts(
        gh.FULL, f".github/workflows/{WORKFLOW}", "c" * 40, "v1.0.0", "push", 2
    )
    del payload["run_attempt"]  # an older GitHub Enterprise: the run has had one attempt
    httpserver.clear()
    httpserver.expect_request(RUN).respond_with_json(payload)
    facts = client.workflow_run(RUN_ID)
    assert facts is not None
    assert facts.run_attempt == 1
