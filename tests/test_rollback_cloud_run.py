"""rollback cloud-run through the real google-cloud-run client (REST transport) against a
local Cloud Run Admin API stand-in; and the missing-extra error."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from cloud_run_api import NAME, PROJECT, REGION, SERVICE, FakeCloudRun
from rollback_kit import records, released_project, state
from tagship.adapters.cloud_run import CloudRunAdmin
from tagship.core.errors import ConfigError

if TYPE_CHECKING:
    from types import ModuleType

    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> FakeCloudRun:
    monkeypatch.setenv("TAGSHIP_CLOUD_RUN_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    return FakeCloudRun(httpserver)


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    return released_project(make_repo)


def _rollback(cli: Cli, repo: Repo, revision: str, *extra: str) -> tuple[int, str, str]:
    result = cli(
        "-C", str(repo.path), "rollback", "cloud-run", "--service", SERVICE,
        "--region", REGION, "--to-revision", revision, *extra,
    )  # fmt: skip
    return result.code, result.out, result.err


def test_dry_run_shows_the_split_and_changes_nothing(
    repo: Repo, cli: Cli, api: FakeCloudRun
) -> None:
    code, out, err = _rollback(cli, repo, "api-00001-abc", "--dry-run")
    assert code == 0, err
    assert f"service {NAME}" in out
    assert "traffic now: api-00003-abc=10%, api-00002-abc=90%, LATEST=0% (tag canary)" in out
    assert "would be:    api-00001-abc=100%, LATEST=0% (tag canary)" in out
    assert "dry run: nothing changed" in out
    assert api.patches == []
    assert records(repo.path) == []


def test_rollback_moves_all_traffic_and_records_the_split(
    repo: Repo, cli: Cli, api: FakeCloudRun
) -> None:
    code, out, err = _rollback(cli, repo, "api-00001-abc", "--release", "1.3.0")
    assert code == 0, err
    assert "traffic is:  api-00001-abc=100%, LATEST=0% (tag canary)" in out
    (sent,) = api.patches
    assert sent["etag"] == '"etag-1"'  # guards against a concurrent change
    assert sent["traffic"][0] == {"type": 2, "revision": "api-00001-abc", "percent": 100}
    assert sent["traffic"][1]["tag"] == "canary"
    record = records(repo.path)[-1]
    assert (record.event.kind, record.event.version) == ("rollback-cloud-run", "1.3.0")
    assert record.event.details["from"] == (
        "api-00003-abc=10%, api-00002-abc=90%, LATEST=0% (tag canary)"
    )
    assert record.event.details["to"] == "api-00001-abc=100%, LATEST=0% (tag canary)"
    assert record.event.details["service"] == NAME
    # the same request again: all traffic is already there, nothing is sent or recorded
    code, out, _ = _rollback(cli, repo, f"{NAME}/revisions/api-00001-abc")
    assert code == 0
    assert "all traffic already goes to api-00001-abc: nothing to do" in out
    assert len(api.patches) == 1
    assert len(records(repo.path)) == 1


def test_an_unknown_revision_is_refused(repo: Repo, cli: Cli, api: FakeCloudRun) -> None:
    before = state(repo.path)
    code, _, err = _rollback(cli, repo, "api-00009-zzz")
    assert code == 2
    assert "service api in europe-west1 has no revision 'api-00009-zzz'" in err
    assert "api-00003-abc, api-00002-abc, api-00001-abc" in err
    assert api.patches == []
    assert state(repo.path) == before
    assert records(repo.path) == []


def test_an_unknown_service_and_a_missing_project(
    repo: Repo, cli: Cli, api: FakeCloudRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli(
        "-C", str(repo.path), "rollback", "cloud-run", "--service", "nope",
        "--region", REGION, "--to-revision", "x",
    )  # fmt: skip
    assert result.code == 2
    assert "Cloud Run says service" in result.err
    assert api.patches == []
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT")
    code, _, err = _rollback(cli, repo, "api-00001-abc")
    assert code == 2
    assert "which Google Cloud project?" in err


def test_a_concurrent_change_fails_without_a_record(
    repo: Repo, cli: Cli, api: FakeCloudRun
) -> None:
    api.change_after_get = 2  # someone else changes the service between read and write
    code, _, err = _rollback(cli, repo, "api-00001-abc")
    assert code == 3
    assert "Cloud Run failed on the traffic update" in err
    assert "etag mismatch" in err
    assert err.count("\n") == 1
    assert records(repo.path) == []


def test_the_missing_extra_is_named() -> None:
    def absent(name: str) -> ModuleType:
        raise ModuleNotFoundError(name)

    with pytest.raises(ConfigError) as caught:
        CloudRunAdmin.connect({}, importer=absent)
    assert caught.value.message == (
        "tagship rollback cloud-run needs google-cloud-run, which is not installed"
    )
    assert caught.value.hint == "pip install 'tagship[cloudrun]'"


def test_the_missing_extra_through_the_real_cli(repo: Repo) -> None:
    # a separate interpreter with the google package blocked, as if the extra were absent
    code = (
        "import sys; sys.modules['google'] = None; sys.modules['google.cloud'] = None\n"
        "from tagship.cli import main\n"
        f"sys.exit(main(['-C', {str(repo.path)!r}, 'rollback', 'cloud-run', '--service', 's',"
        " '--region', 'r', '--project', 'p', '--to-revision', 'x']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "tagship: error: tagship rollback cloud-run needs google-cloud-run, which is not "
        "installed (hint: pip install 'tagship[cloudrun]')\n"
    )
