"""`tagship wait`: its timeout hint names its own option, it takes `--interval`, and its
deadline bounds the HTTP retries too (a dead index used to keep `--timeout 0` busy for
seconds of retries). A real pypiserver, and a port where nothing listens."""

from __future__ import annotations

import shutil
import time
from typing import TYPE_CHECKING

import pytest

from releases import make_release
from servers import free_port, running_pypiserver
from tagship.adapters.http import Http, RetryPolicy

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo

pytestmark = pytest.mark.integration


def test_the_timeout_hint_names_wait_s_own_option_and_interval_is_taken(
    cli: Cli, make_repo: MakeRepo, tmp_path: Path
) -> None:
    with running_pypiserver(tmp_path / "index") as index:
        release = make_release(make_repo, index.upload_url, index.simple_url)
        result = cli(
            "-C", str(release.repo.path), "wait", "--index", "local",
            "--timeout", "0.3", "--interval", "0.1",
        )  # fmt: skip
    assert result.code == 3, result.err
    assert "with a longer --timeout (it was 0.3 s)" in result.err
    assert "--wait-timeout" not in result.err
    # pauses of 0.1 then 0.2 s: three looks in 0.3 s
    assert "timed out after 0.3 s (3 polls)" in result.err


def test_one_poll_is_one_poll(cli: Cli, make_repo: MakeRepo, tmp_path: Path) -> None:
    with running_pypiserver(tmp_path / "index") as index:
        release = make_release(make_repo, index.upload_url, index.simple_url)
        for built in release.dist.glob("pub_pkg-*"):
            shutil.copy2(built, index.directory)
        result = cli("-C", str(release.repo.path), "wait", "--index", "local")
    assert result.code == 0, result.err
    assert "local shows all 2 files of pub-pkg 1.0.0 with the manifest's hashes (1 poll, " in (
        result.out
    )


def test_a_dead_index_does_not_outlast_a_zero_timeout(cli: Cli, make_repo: MakeRepo) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    release = make_release(make_repo, f"{dead}/", f"{dead}/simple/")
    start = time.monotonic()
    result = cli("-C", str(release.repo.path), "wait", "--index", "local", "--timeout", "0")
    took = time.monotonic() - start
    assert result.code == 3, result.err
    assert "check that the server is up and reachable" in result.err
    # one attempt, no retry pauses (before: 5 attempts, 3.75 to 7.5 s of pauses)
    assert took < 2.0, f"{took:.1f} s"


def test_a_deadline_ends_the_retries_of_a_busy_server(httpserver: HTTPServer) -> None:
    """A 503 asking for 7 s more: within a deadline 1 s away, the answer is given back at
    once; outside it, the client waits as asked; the deadline ends with its block."""
    slept: list[float] = []
    httpserver.expect_ordered_request("/busy").respond_with_data("", 503, {"Retry-After": "7"})
    httpserver.expect_ordered_request("/busy").respond_with_data("", 503, {"Retry-After": "7"})
    httpserver.expect_ordered_request("/busy").respond_with_data("done", 200)
    with Http(RetryPolicy(attempts=2), sleep=slept.append) as http:
        with http.until(time.monotonic() + 1.0):
            assert http.get(httpserver.url_for("/busy")).status_code == 503
        assert slept == []
        assert http.get(httpserver.url_for("/busy")).text == "done"
    assert slept == [7.0]
