"""Every fault, at every point of a two-file upload: the run ends complete or with a clear
exit 3, and a second run completes with no duplicate and no mismatched file on the index."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pytest

from faults import KINDS, Fault, FaultProxy, serve
from releases import make_release
from servers import PypiServer, running_pypiserver

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import Cli, MakeRepo

pytestmark = pytest.mark.integration
STALL = 1.5  # seconds the proxy stalls; tagship's timeout is below it


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path_factory.mktemp("faults-index")) as server:
        yield server


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "2")
    monkeypatch.setenv("TAGSHIP_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("TAGSHIP_HTTP_TIMEOUT", "0.7")


# a point of the upload: which POST, and whether the request reached the index first
POINTS = {
    "first-file-lost": (0, False),
    "first-file-landed": (0, True),
    "second-file-lost": (1, False),
    "second-file-landed": (1, True),
}


def _files(server: PypiServer, project: str) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in server.directory.iterdir()
        if p.name.startswith(project)
    }


@pytest.mark.parametrize("persistent", [False, True], ids=["once", "persistent"])
@pytest.mark.parametrize("point", sorted(POINTS))
@pytest.mark.parametrize("kind", KINDS)
def test_fault_then_rerun(
    index: PypiServer,
    make_repo: MakeRepo,
    cli: Cli,
    kind: str,
    point: str,
    persistent: bool,
) -> None:
    first_post, after = POINTS[point]
    # once: the fault hits one request and the retry gets through; persistent: every try
    # from that point on fails, so the run must stop with exit 3
    posts = range(first_post, 20) if persistent else [first_post]
    plan = {n: Fault(kind, after=after) for n in posts}
    project = f"f-{kind}-{point}-{int(persistent)}"
    with serve(FaultProxy(index.url, plan, stall_seconds=STALL)) as proxy:
        release = make_release(make_repo, f"{proxy.url}/", f"{proxy.url}/simple/", name=project)
        path = str(release.repo.path)
        first = cli("-C", path, "publish", "--to", "local")
        assert "Traceback" not in first.err
        if persistent:
            assert first.code == 3, first.err
            *progress, _ = first.err.splitlines()  # the bytes sent, then one error line
            assert all(ln.startswith("tagship: uploading ") for ln in progress), first.err
            assert "publish incomplete" in first.err
            assert "rerun the same command" in first.err
        else:
            assert first.code == 0, first.err
        proxy.plan.clear()
        second = cli("-C", path, "publish", "--to", "local")
    assert second.code == 0, second.err
    expected = {f.name: f.sha256 for f in release.manifest.files}
    assert _files(index, project.replace("-", "_")) == expected


def test_a_fault_on_the_index_lookup_is_retried(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    # the proxy only faults POSTs; a dead simple API is the unreachable-index case
    with serve(FaultProxy(index.url, {})) as proxy:
        release = make_release(
            make_repo, f"{proxy.url}/", "http://127.0.0.1:9/simple/", name="lookup-dead"
        )
        result = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert result.code == 3
    assert "127.0.0.1:9" in result.err
    assert _files(index, "lookup_dead") == {}
