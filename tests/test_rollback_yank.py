"""rollback yank: intent, the management page, and watching a simple index flip to yanked.

pypiserver cannot yank and devpi cannot for private indexes (PITFALLS), so the index here is a
pytest-httpserver speaking the simple API (PEP 503 HTML with PEP 592 `data-yanked`, and PEP
691 JSON with `yanked`) that shows the yank after a few polls, as PyPI does after a maintainer
yanks in its web UI."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version
from werkzeug import Request, Response

from rollback_kit import records, released_project
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import append_event
from tagship.core.config import BUILTIN_INDEXES, IndexConfig
from tagship.core.ledger import Event, FileEntry
from tagship.steps.rollback.yank import management_url

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

FILES = ("sample_pkg-1.2.3.tar.gz", "sample_pkg-1.2.3-py3-none-any.whl", "sample_pkg-1.3.0.tar.gz")
SHA = "c" * 64


class FlippingIndex:
    """A project page whose 1.2.3 files show as yanked from the `flip_after`-th request on."""

    def __init__(self, flip_after: int | None, *, as_json: bool = False) -> None:
        self.flip_after = flip_after
        self.as_json = as_json
        self.polls = 0

    def _yanked(self, name: str) -> bool:
        flipped = self.flip_after is not None and self.polls >= self.flip_after
        return flipped and "1.2.3" in name

    def __call__(self, request: Request) -> Response:
        self.polls += 1
        if self.as_json:
            assert "application/vnd.pypi.simple.v1+json" in request.headers["Accept"]
            files = [
                {
                    "filename": name,
                    "url": f"/files/{name}",
                    "hashes": {"sha256": SHA},
                    "yanked": "broken import" if self._yanked(name) else False,
                }
                for name in FILES
            ]
            body = {"meta": {"api-version": "1.1"}, "name": "sample-pkg", "files": files}
            return Response(json.dumps(body), content_type="application/vnd.pypi.simple.v1+json")
        anchors = "".join(
            f'<a href="/files/{name}#sha256={SHA}"'
            + (' data-yanked="broken import"' if self._yanked(name) else "")
            + f">{name}</a>\n"
            for name in FILES
        )
        return Response(f"<html><body>\n{anchors}</body></html>", content_type="text/html")


@pytest.fixture
def repo(make_repo: MakeRepo, httpserver: HTTPServer) -> Repo:
    index = (
        "\n[tool.tagship.indexes.local]\n"
        f'upload-url = "{httpserver.url_for("/")}"\n'
        f'simple-url = "{httpserver.url_for("/simple/")}"\n'
    )
    return released_project(make_repo, extra=index)


def _serve(httpserver: HTTPServer, index: FlippingIndex) -> None:
    httpserver.expect_request("/simple/sample-pkg/").respond_with_handler(index)


def _yank(cli: Cli, repo: Repo, *extra: str) -> tuple[int, str, str]:
    result = cli(
        "-C", str(repo.path), "rollback", "yank", "1.2.3", "--reason", "broken import",
        "--index", "local", "--interval", "0.01", *extra,
    )  # fmt: skip
    return result.code, result.out, result.err


@pytest.mark.parametrize("as_json", [False, True], ids=["pep503-html", "pep691-json"])
def test_yank_records_intent_then_what_the_index_shows(
    repo: Repo, cli: Cli, httpserver: HTTPServer, as_json: bool
) -> None:
    index = FlippingIndex(flip_after=4, as_json=as_json)
    _serve(httpserver, index)
    # a publish record gives the yank record the files' sizes and hashes
    published = FileEntry(FILES[0], 1234, SHA)
    event = Event("publish", "sample-pkg", "1.2.3", tag="v1.2.3", index="local", files=(published,))
    append_event(Git(repo.path), event, {})
    code, out, err = _yank(cli, repo, "--timeout", "10")
    assert code == 0, err
    assert "local offers no yank operation tagship can use" in out
    assert "waiting up to 10 s for 2 files" in out
    assert index.polls >= 4
    intent, observed = records(repo.path)[-2:]
    assert (intent.event.kind, intent.event.result, intent.event.index) == (
        "yank",
        "intent",
        "local",
    )
    assert intent.event.details == {"reason": "broken import", "files": " ".join(FILES[:2])}
    assert (observed.event.kind, observed.event.result) == ("yank", "observed")
    assert observed.event.details["reason"] == "broken import"
    assert observed.event.files == (published,)
    # a second run finds it yanked and recorded: nothing new is recorded
    code, out, _ = _yank(cli, repo)
    assert code == 0
    assert f"already yanked on local (ledger #{observed.seq})" in out
    assert len(records(repo.path)) == observed.seq


def test_a_yank_that_does_not_happen_times_out_with_the_intent_kept(
    repo: Repo, cli: Cli, httpserver: HTTPServer
) -> None:
    _serve(httpserver, FlippingIndex(flip_after=None))
    code, _, err = _yank(cli, repo, "--timeout", "0.2")
    assert code == 3, err
    assert "timed out after 0.2 s" in err
    assert "2 files of sample-pkg 1.2.3 on local are not yanked" in err
    assert "(the intent is recorded); rerun later, or with a longer --timeout (it was 0.2 s)" in err
    assert [r.event.result for r in records(repo.path)] == ["intent"]
    # rerunning while waiting does not record the same intent twice
    code, out, _ = _yank(cli, repo, "--no-wait")
    assert code == 0
    assert "recorded earlier" in out
    assert len(records(repo.path)) == 1


def test_an_unknown_version_is_refused_before_anything_is_recorded(
    repo: Repo, cli: Cli, httpserver: HTTPServer
) -> None:
    _serve(httpserver, FlippingIndex(flip_after=0))
    result = cli(
        "-C", str(repo.path), "rollback", "yank", "9.9.9", "--reason", "x", "--index", "local"
    )
    assert result.code == 2
    assert "sample-pkg 9.9.9 has no files on index local" in result.err
    assert records(repo.path) == []
    result = cli(
        "-C", str(repo.path), "rollback", "yank", "1.2.3", "--reason", "x", "--index", "nope"
    )
    assert result.code == 2
    assert "unknown index 'nope'" in result.err


def test_management_urls_for_pypi_and_testpypi_only() -> None:
    version = Version("1.2.3")
    assert management_url(BUILTIN_INDEXES["pypi"], "Sample_Pkg", version) == (
        "https://pypi.org/manage/project/sample-pkg/release/1.2.3/"
    )
    assert management_url(BUILTIN_INDEXES["testpypi"], "sample-pkg", version) == (
        "https://test.pypi.org/manage/project/sample-pkg/release/1.2.3/"
    )
    local = IndexConfig("local", "http://127.0.0.1:1/", "http://127.0.0.1:1/simple/")
    assert management_url(local, "sample-pkg", version) is None
