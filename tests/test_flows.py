"""The release flow as gated commands on real git repositories and real local indexes:
dry-run -> tag -> release, and every gate that must stop it."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from typing import TYPE_CHECKING

import pytest

import github_payloads as gh
from conftest import git
from faults import Fault, FaultProxy, serve
from release_world import as_ci, bump, files_on, ok, release_world, tagged_in_ci
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import read_ledger
from tagship.core.release_plan import ReleaseStep, dry_run_steps, release_steps

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli
    from release_world import World
    from tagship.core.config import ReleaseArtifacts
    from tagship.core.ledger import Record

pytestmark = pytest.mark.integration


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with release_world(tmp_path) as made:
        yield made


def _steps_after_gates(out: str, gates: int) -> list[str]:
    """The names of the steps a flow showed as they ended, after its `gates` gates."""
    shown = re.findall(r"^\[(?:passed|failed|skipped|would run)\] (.+?): ", out, re.MULTILINE)
    return shown[gates:]


def _remote_tags(world: World) -> str:
    return git(world.sample.work, "ls-remote", "--tags", "origin")


def test_dry_run_tag_release_audit_and_rerun(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    bump(world, cli)
    dry = ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    assert "[passed] record: ledger record" in dry.out
    assert _steps_after_gates(dry.out, 6) == [s.name for s in dry_run_steps("testpypi")[1:]]
    assert len(files_on(world.test_index)) == 2
    tag = ok(cli("-C", world.path, "tag", "--checks", "local"))
    assert "[passed] dry run recorded" in tag.out
    assert "refs/tags/v0.2.0" in _remote_tags(world)
    message = git(world.sample.work, "tag", "-l", "--format=%(contents)", "v0.2.0")
    assert "tagship-manifest-sha256: " in message
    assert "tagship-ledger-head: " in message
    as_ci(world, monkeypatch, "v0.2.0")
    shutil.rmtree(world.sample.work / "dist")  # the tag's job starts from a fresh checkout
    released = ok(cli("-C", world.path, "release"))
    assert _steps_after_gates(released.out, 3) == [s.name for s in release_steps("pypi")[1:]]
    dry_seq = next(r.seq for r in _records(world) if r.event.kind == "dry-run")
    promoted = f"from testpypi (dry run record {dry_seq}; 2 fetched): every byte as recorded"
    assert promoted in released.out
    assert "[passed] rebuild cross-check: byte-identical" in released.out
    assert "[passed] verify-install" in released.out
    assert "[passed] docs links" in released.out
    on_pypi = files_on(world.prod_index)
    assert on_pypi == files_on(world.test_index)
    (published,) = [
        r for r in _records(world) if r.event.kind == "publish" and r.event.index == "pypi"
    ]
    assert published.event.details["promoted-from"] == str(dry_seq)
    assert published.event.details["rebuild-check"] == "byte-identical"
    rerun = ok(cli("-C", world.path, "release"))
    assert f"(dry run record {dry_seq}; 0 fetched, 2 already in dist with those bytes)" in rerun.out
    assert "0 uploaded, 2 already there" in rerun.out
    assert files_on(world.prod_index) == on_pypi
    monkeypatch.delenv("GITHUB_ACTIONS")
    audit = cli("-C", world.path, "audit", "--index", "pypi")
    assert audit.code == 0, audit.out + audit.err
    assert ok(cli("-C", world.path, "ledger", "verify")).code == 0


def test_dirty_tree_stops_the_dry_run(world: World, cli: Cli) -> None:
    bump(world, cli)
    (world.sample.work / "scratch.txt").write_text("wip")
    result = cli("-C", world.path, "dry-run", "--checks", "local")
    assert result.code == 1
    assert "gate 'tree clean' is closed: uncommitted changes: scratch.txt" in result.err
    assert files_on(world.test_index) == {}


def test_wrong_branch_stops_the_dry_run(world: World, cli: Cli) -> None:
    git(world.sample.work, "switch", "--quiet", "feature/loud")
    result = cli("-C", world.path, "dry-run", "--checks", "local")
    assert result.code == 1
    assert "on feature/loud, releases come from main or hotfix/*" in result.err


def test_failing_checks_stop_the_dry_run(world: World, cli: Cli) -> None:
    failing = f"checks.tests={sys.executable} -c 'raise SystemExit(1)'"
    result = cli("-C", world.path, "--set", failing, "dry-run", "--checks", "local")
    assert result.code == 1
    assert "required checks" in result.err
    assert "tests failed" in result.err
    assert files_on(world.test_index) == {}


def test_tag_without_a_dry_run_creates_nothing(world: World, cli: Cli) -> None:
    bump(world, cli)
    result = cli("-C", world.path, "tag", "--checks", "local")
    assert result.code == 1
    assert "no successful dry run recorded for 0.2.0" in result.err + result.out
    assert git(world.sample.work, "tag", "-l", "v0.2.0") == ""
    assert "v0.2.0" not in _remote_tags(world)


def test_a_dry_run_made_to_another_index_url_does_not_open_the_tag_gate(
    world: World, cli: Cli
) -> None:
    """The tag gate asks what the release will: the dry run's index, at the URL it records."""
    bump(world, cli)
    ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    moved = ("--set", "indexes.testpypi.upload-url=http://127.0.0.1:9/")
    result = cli("-C", world.path, *moved, "tag", "--checks", "local")
    assert result.code == 1
    assert "a dry run counts only for the index it was made to" in result.out
    assert git(world.sample.work, "tag", "-l", "v0.2.0") == ""
    assert "v0.2.0" not in _remote_tags(world)


def test_dry_run_of_another_commit_does_not_count(world: World, cli: Cli) -> None:
    bump(world, cli)
    ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    (world.sample.work / "README.md").write_text("# changed after the dry run\n")
    git(world.sample.work, "commit", "--quiet", "-am", "late change")
    git(world.sample.work, "push", "--quiet", "origin", "main")
    result = cli("-C", world.path, "tag", "--checks", "local")
    assert result.code == 1
    assert "was recorded for commit" in result.out
    assert git(world.sample.work, "tag", "-l", "v0.2.0") == ""


def test_unpushed_head_and_released_version_close_the_tag_gates(world: World, cli: Cli) -> None:
    # v0.1.0 is already tagged in the sample: tagging the same version again is refused
    result = cli("-C", world.path, "tag", "--checks", "local")
    assert result.code == 1
    assert "[failed] version is new: tag v0.1.0 already exists" in result.out
    assert cli("-C", world.path, "bump", "minor", "--commit").code == 0  # not pushed
    unpushed = cli("-C", world.path, "tag", "--checks", "local", "--dry-run")
    assert unpushed.code == 1
    assert "[failed] HEAD pushed: origin/main is at" in unpushed.out


def test_tag_already_on_the_remote(world: World, cli: Cli, tmp_path: Path) -> None:
    bump(world, cli)
    other = tmp_path / "other-clone"
    git(tmp_path, "clone", "--quiet", str(world.sample.origin), str(other))
    git(other, "tag", "v0.2.0")
    git(other, "push", "--quiet", "origin", "v0.2.0")
    result = cli("-C", world.path, "tag", "--checks", "local")
    assert result.code == 1
    assert "tag v0.2.0 is already on origin" in result.out


def test_a_rebuild_that_differs_is_reported_or_refused_as_the_policy_says(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = (
        "import tempfile, uuid\n"
        "from hatchling.builders.hooks.plugin.interface import BuildHookInterface\n\n\n"
        "class Stamp(BuildHookInterface):\n"
        "    def initialize(self, version, build_data):\n"
        "        path = tempfile.mkdtemp() + '/stamp.txt'\n"
        "        open(path, 'w').write(uuid.uuid4().hex)\n"
        "        build_data['force_include'][path] = 'demo_pkg/stamp.txt'\n"
    )
    work = world.sample.work
    (work / "hatch_build.py").write_text(hook)
    with (work / "pyproject.toml").open("a") as handle:
        handle.write("\n[tool.hatch.build.targets.wheel.hooks.custom]\n")
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", "an unreproducible wheel")
    tagged_in_ci(world, cli, monkeypatch)
    # rebuilding (today's behaviour, kept as release-artifacts = "rebuild"): refused
    rebuild = ("--set", "release-artifacts=rebuild")
    refused = cli("-C", world.path, *rebuild, "release")
    assert refused.code == 1
    assert "the rebuild differs from the dry run's files: demo_pkg-0.2.0-py3-none-any.whl" in (
        refused.err
    )
    # promoting, with the cross-check required explicitly: refused before anything is published
    strict = cli("-C", world.path, "--set", "require-identical-rebuild=true", "release")
    assert strict.code == 1
    differs = (
        "differs: first differing member demo_pkg/stamp.txt of "
        "demo_pkg-0.2.0-py3-none-any.whl (content)"
    )
    assert f"[failed] rebuild cross-check: the rebuild of v0.2.0 {differs}" in strict.out
    assert files_on(world.prod_index) == {}
    # promoting (the default): the dry run's bytes go to production, the difference is reported
    promoted = ok(cli("-C", world.path, "release"))
    assert f"[passed] rebuild cross-check: {differs}" in promoted.out
    assert files_on(world.prod_index) == files_on(world.test_index)
    publish = [r for r in _records(world) if r.event.kind == "publish" and r.event.index == "pypi"]
    assert publish[-1].event.details["rebuild-check"] == differs


def test_unreachable_index_stops_with_exit_3(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "1")
    bump(world, cli)
    dead = ("--set", "indexes.testpypi.upload-url=http://127.0.0.1:9/")
    result = cli("-C", world.path, *dead, "dry-run", "--checks", "local")
    assert result.code == 3
    *progress, error = result.err.splitlines()  # the build's progress, then one error line
    assert error.startswith("tagship: error: ")
    assert not [ln for ln in progress if "error" in ln]
    assert "[failed] publish to testpypi" in result.out


def test_release_killed_mid_publish_finishes_on_rerun(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    tagged_in_ci(world, cli, monkeypatch)
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "2")
    monkeypatch.setenv("TAGSHIP_HTTP_BACKOFF", "0")
    plan = {n: Fault("reset") for n in range(1, 10)}  # the first file lands, then the line dies
    with serve(FaultProxy(world.prod_index.url, plan)) as proxy:
        via = ("--set", f"indexes.pypi.upload-url={proxy.url}/")
        first = cli("-C", world.path, *via, "release")
        assert first.code == 3
        assert "publish incomplete" in first.err
        assert len(files_on(world.prod_index)) == 1
        proxy.plan.clear()
        second = cli("-C", world.path, *via, "release")
    assert second.code == 0, second.err
    assert "1 uploaded, 1 already there" in second.out
    assert files_on(world.prod_index) == files_on(world.test_index)


def test_pending_checks_on_github_close_the_gate(
    world: World, cli: Cli, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    bump(world, cli)
    sha = git(world.sample.work, "rev-parse", "HEAD")
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.FULL)
    repo = f"/repos/{gh.FULL}"
    runs = [
        gh.check_run(name, rid=n, sha=sha)
        for n, name in enumerate(("lint", "typecheck", "package-build", "docs-validation"), 1)
    ]
    runs.append(gh.check_run("tests", "in_progress", rid=9, sha=sha))
    httpserver.expect_request(f"{repo}/commits/{sha}/check-runs").respond_with_json(
        gh.check_runs(*runs)
    )
    httpserver.expect_request(f"{repo}/commits/{sha}/statuses").respond_with_json([])
    httpserver.expect_request(f"{repo}/releases").respond_with_json([])
    result = cli("-C", world.path, "tag", "--checks", "github", "--dry-run")
    assert result.code == 1
    assert "[failed] required checks: tests pending, build-validation missing (GitHub)" in (
        result.out
    )
    assert "[failed] draft release: no draft release for v0.2.0" in result.out


def _declared_commands(steps: tuple[ReleaseStep, ...], tag: str) -> list[list[str]]:
    """The tagship commands the publish workflow's jobs run, as argument lists."""
    return [
        shlex.split(s.run.replace('"$GITHUB_REF_NAME"', tag))[1:]
        for s in steps
        if s.run and s.run.startswith("tagship ")
    ]


@pytest.mark.parametrize("artifacts", ["promote", "rebuild"])
def test_the_generated_workflows_commands_release_the_same_way(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch, artifacts: ReleaseArtifacts
) -> None:
    """The declared steps of publish-testpypi.yml, then of publish-pypi.yml, one command
    each, as the workflows' jobs run them (the GitHub Release needs GitHub: left out)."""
    bump(world, cli)
    path = ("-C", world.path, "--set", f"release-artifacts={artifacts}")
    for command in _declared_commands(dry_run_steps("testpypi"), "v0.2.0"):
        ok(cli(*path, *command))
    ok(cli(*path, "tag", "--checks", "local"))
    as_ci(world, monkeypatch, "v0.2.0")
    shutil.rmtree(world.sample.work / "dist")  # a job on the tag starts from a fresh checkout
    ran = [
        ok(cli(*path, *command)).out
        for command in _declared_commands(release_steps("pypi", artifacts), "v0.2.0")
        if command[0] != "github-release"
    ]
    if artifacts == "promote":
        assert "2 fetched): every byte as recorded" in ran[1]
        assert "[passed] rebuild cross-check: byte-identical" in ran[2]
    else:
        assert "byte-identical to dry run record" in ran[2]
    assert files_on(world.prod_index) == files_on(world.test_index)
    assert "[passed] docs links" in ran[-1]
    monkeypatch.delenv("GITHUB_ACTIONS")
    ok(cli(*path, "audit", "--index", "pypi"))


def test_same_as_dry_run_refuses_a_commit_tagship_did_not_tag(world: World, cli: Cli) -> None:
    bump(world, cli)
    ok(cli("-C", world.path, "build"))
    result = cli("-C", world.path, "verify-artifacts", "--same-as-dry-run")
    assert result.code == 1
    assert "has no tag record in the ledger: it was not created by tagship tag" in result.err


def test_a_tag_pushed_by_hand_from_a_feature_branch_is_not_released(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = world.sample.work
    git(work, "switch", "--quiet", "feature/loud")
    ok(cli("-C", world.path, "bump", "minor", "--commit"))
    for command in (
        ("build",),
        ("publish", "--to", "testpypi"),
        ("verify-install", "--index", "testpypi", "--record-dry-run"),
    ):
        ok(cli("-C", world.path, *command))
    git(work, "tag", "-a", "v0.2.0", "-m", "by hand")
    git(work, "push", "--quiet", "origin", "feature/loud", "v0.2.0")
    as_ci(world, monkeypatch, "v0.2.0")
    result = cli("-C", world.path, "release")
    assert result.code == 1
    assert "[failed] tagged by tagship" in result.out
    assert files_on(world.prod_index) == {}


def test_an_official_release_needs_a_dry_run_made_in_ci(world: World, cli: Cli) -> None:
    bump(world, cli)
    ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    ok(cli("-C", world.path, "tag", "--checks", "local"))
    official = (
        "--set",
        f"indexes.real.upload-url={world.prod_index.upload_url}",
        "--set",
        f"indexes.real.simple-url={world.prod_index.simple_url}",
        "--set",
        "indexes.real.official=true",
    )
    result = cli(
        "-C", world.path, *official, "verify-artifacts", "--same-as-dry-run", "--index", "real"
    )
    assert result.code == 1
    assert "no successful dry run from CI of 0.2.0" in result.err


def test_release_dry_run_shows_the_docs_diff_and_changes_nothing(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    tagged_in_ci(world, cli, monkeypatch)
    result = ok(cli("-C", world.path, "release", "--dry-run"))
    assert "-Install it with `pip install demo-pkg==0.1.0` (tag v0.1.0)." in result.out
    assert "+Install it with `pip install demo-pkg==0.2.0` (tag v0.2.0)." in result.out
    assert "[would run] publish to pypi" in result.out
    assert files_on(world.prod_index) == {}
    assert "tagship/docs-v0.2.0" not in git(world.sample.work, "branch", "--list")


def test_release_with_github_opens_the_docs_pull_request(
    world: World, cli: Cli, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tagged_in_ci(world, cli, monkeypatch)
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.FULL)
    repo = f"/repos/{gh.FULL}"
    # the Release was published by an earlier attempt of the job: it is left as it is
    httpserver.expect_request(f"{repo}/releases").respond_with_json([gh.release(1, "v0.2.0")])
    pull_url = f"https://github.com/{gh.FULL}/pull/7"
    httpserver.expect_request(f"{repo}/pulls", method="POST").respond_with_json(
        {"html_url": pull_url, "number": 7}, status=201
    )
    released = ok(cli("-C", world.path, "release"))
    assert "(already published)" in released.out
    assert f"[passed] docs pull request: {pull_url}" in released.out
    (sent,) = [r.get_json() for r, _ in httpserver.log if r.method == "POST"]
    assert (sent["head"], sent["base"], sent["title"]) == (
        "tagship/docs-v0.2.0",
        "main",
        "Point docs at v0.2.0",
    )
    # a rerun of the job finds the branch and the open pull request instead of failing
    httpserver.clear_all_handlers()
    httpserver.expect_request(f"{repo}/releases").respond_with_json([gh.release(1, "v0.2.0")])
    httpserver.expect_request(f"{repo}/pulls", method="POST").respond_with_json(
        {"message": "Validation Failed", "errors": [{"message": "A pull request already exists"}]},
        status=422,
    )
    httpserver.expect_request(
        f"{repo}/pulls",
        method="GET",
        query_string={"head": f"{gh.OWNER}:tagship/docs-v0.2.0", "state": "open"},
    ).respond_with_json([{"html_url": pull_url}])
    rerun = ok(cli("-C", world.path, "release"))
    assert "[skipped] docs links: already rewritten on branch tagship/docs-v0.2.0" in rerun.out
    assert f"[passed] docs pull request: {pull_url}" in rerun.out


def test_release_without_a_draft_stops_before_anything_is_published(
    world: World, cli: Cli, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tagged_in_ci(world, cli, monkeypatch)
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.FULL)
    httpserver.expect_request(f"/repos/{gh.FULL}/releases").respond_with_json([])
    released = cli("-C", world.path, "release")
    assert released.code == 1
    assert "[failed] draft release: no draft release for v0.2.0" in released.out
    assert files_on(world.prod_index) == {}
    # the workflow's gate job asks the same question first
    gate = cli("-C", world.path, "check-tag", "v0.2.0")
    assert gate.code == 1
    assert "no draft release for v0.2.0: run tagship notes --github" in gate.err
    httpserver.clear_all_handlers()
    httpserver.expect_request(f"/repos/{gh.FULL}/releases").respond_with_json(
        [gh.release(1, "v0.2.0", draft=True)]
    )
    assert (
        "draft release: a draft release for v0.2.0 exists"
        in ok(cli("-C", world.path, "check-tag", "v0.2.0")).out
    )


def test_set_cannot_loosen_the_policy_of_an_official_release(world: World, cli: Cli) -> None:
    bump(world, cli)
    official = ("--set", "indexes.pypi.official=true", "--set", "required-checks=[]")
    result = cli("-C", world.path, *official, "tag", "--checks", "local")
    assert result.code == 1
    assert (
        "[failed] policy as committed: --set indexes.pypi.official, required-checks" in result.out
    )
    assert git(world.sample.work, "tag", "-l", "v0.2.0") == ""


def test_overrides_for_a_local_index_are_recorded(world: World, cli: Cli) -> None:
    bump(world, cli)
    ok(cli("-C", world.path, "--set", "required-checks=[]", "dry-run", "--checks", "local"))
    records = read_ledger(Git(world.sample.work)).records
    dry = [r for r in records if r.event.kind == "dry-run"]
    assert dry[-1].event.details["command-line-overrides"] == "required-checks"


def _records(world: World) -> tuple[Record, ...]:
    return read_ledger(Git(world.sample.work)).records


def _kinds(world: World) -> list[str]:
    return [r.event.kind for r in _records(world)]


def test_jobs_without_write_tokens_record_through_the_record_job(world: World, cli: Cli) -> None:
    """publish, wait and verify-install leave their events in outboxes (their jobs hold no
    token that may write the repository); `tagship record` appends them as its own job."""
    bump(world, cli)
    path = ("-C", world.path)
    ok(cli(*path, "build"))
    before = _kinds(world)
    ok(cli(*path, "publish", "--index", "testpypi", "--record-to", "outbox/publish.jsonl"))
    ok(cli(*path, "wait", "--index", "testpypi", "--record-to", "outbox/verify.jsonl"))
    ok(
        cli(*path, "verify-install", "--index", "testpypi", "--record-dry-run",
            "--record-to", "outbox/verify.jsonl")
    )  # fmt: skip
    assert _kinds(world) == before  # nothing in the ledger yet
    recorded = ok(cli(*path, "record", "outbox"))
    assert "(publish, wait, verify-install, dry-run)" in recorded.out
    assert _kinds(world)[len(before) :] == ["publish", "wait", "verify-install", "dry-run"]
    assert list((world.sample.work / "outbox").iterdir()) == []  # consumed: a rerun adds none
    assert "nothing to record" in ok(cli(*path, "record", "outbox")).out
    # the dry run so recorded is the one the tag gate requires
    assert "[passed] dry run recorded" in ok(cli(*path, "tag", "--checks", "local")).out


def test_the_record_job_refuses_what_another_commit_or_a_forger_wrote(
    world: World, cli: Cli
) -> None:
    bump(world, cli)
    path = ("-C", world.path)
    ok(cli(*path, "build"))
    ok(cli(*path, "publish", "--index", "testpypi", "--record-to", "outbox/publish.jsonl"))
    outbox = world.sample.work / "outbox"
    before = _kinds(world)
    git(world.sample.work, "commit", "--quiet", "--allow-empty", "-m", "moved on")
    moved = cli(*path, "record", "outbox")
    assert moved.code == 4
    assert "not demo-pkg at" in moved.err
    assert _kinds(world) == before
    assert (outbox / "publish.jsonl").exists()  # kept for a record from the right checkout
    (outbox / "publish.jsonl").write_text('{"kind": "publish"}\n')
    forged = cli(*path, "record", "outbox")
    assert forged.code == 4
    assert "outbox/publish.jsonl:1 is not an event tagship wrote" in forged.err
    assert _kinds(world) == before


def test_a_flow_that_fails_after_publishing_still_records_the_publish(
    world: World, cli: Cli
) -> None:
    bump(world, cli)
    failing = "smoke-command=python -c 'raise SystemExit(3)'"
    result = cli("-C", world.path, "--set", failing, "dry-run", "--checks", "local")
    assert result.code == 1
    assert "[failed] verify-install" in result.out
    assert _kinds(world)[-3:] == ["publish", "wait", "verify-install"]
    records = read_ledger(Git(world.sample.work)).records
    assert records[-1].event.details["result"] == "failed"
