"""The "publish incomplete" line says what is really on the index: a file that landed although
its answer was lost is named there, not reported as "nothing"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from faults import Fault, FaultProxy, serve
from hostile import assert_refused
from releases import make_release
from servers import PypiServer, running_pypiserver

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path_factory.mktemp("summary-index")) as server:
        yield server


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "2")
    monkeypatch.setenv("TAGSHIP_HTTP_BACKOFF", "0.01")


def _summary(error: str) -> tuple[list[str], list[str]]:
    """(on the index, not uploaded) as the error line lists them."""
    found = re.search(r"; on the index: (.*?); not uploaded: (.*?) \(hint", error)
    assert found is not None, error
    on, pending = (part.split(", ") if part != "nothing" else [] for part in found.groups())
    return on, pending


def _on_disk(directory: Path, project: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(project))


@pytest.mark.parametrize("landed", [1, 2], ids=["first-landed", "both-landed"])
def test_files_that_landed_unanswered_are_on_the_index_in_the_summary(
    index: PypiServer, make_repo: MakeRepo, cli: Cli, landed: int
) -> None:
    # every upload reaches the index, and every answer from the `landed`-th file on is a 500
    project = f"summary-{landed}"
    plan = {n: Fault("500", after=True) for n in range(landed - 1, 20)}
    with serve(FaultProxy(index.url, plan)) as proxy:
        release = make_release(make_repo, f"{proxy.url}/", f"{proxy.url}/simple/", name=project)
        result = cli("-C", str(release.repo.path), "publish", "--to", "local")
    error = assert_refused(result, 3)
    on, pending = _summary(error)
    there = _on_disk(index.directory, project.replace("-", "_"))
    assert sorted(on) == there
    assert sorted(on + pending) == sorted(f.name for f in release.manifest.files)
    assert len(there) >= landed


def test_a_summary_whose_index_cannot_be_read_again_says_so(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli
) -> None:
    # an index that knows no such project, refuses the upload with a 500, and then cannot
    # list the project any more: what is on it is not known, and the line says so
    listing = "/simple/gone/"
    httpserver.expect_oneshot_request(listing).respond_with_data("", status=404)
    httpserver.expect_request(listing).respond_with_data("down", status=503)
    httpserver.expect_request("/", method="POST").respond_with_data("broken", status=500)
    upload, simple = httpserver.url_for("/"), httpserver.url_for("/simple/")
    release = make_release(make_repo, upload, simple, name="gone")
    error = assert_refused(cli("-C", str(release.repo.path), "publish", "--to", "local"), 3)
    assert "on the index: unknown (" in error
    names = ", ".join(sorted(f.name for f in release.manifest.files))
    assert f"; not confirmed: {names} (hint:" in error
