"""Attacks on the Trusted Publishing token burn: an index that echoes the token in every
form it can, redirects the burn elsewhere or answers with terminal escapes; the token is in
no output, ledger record or step summary, and never reaches another host."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from ledger_kit import ledger_lines
from oidc import github_actions
from test_token_burn import MINTED, PyPIStandIn, _repo, _upload_token

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from werkzeug import Request

    from conftest import Cli, MakeRepo


@pytest.fixture
def elsewhere() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def _nowhere(text: str) -> None:
    forms = (MINTED, quote(MINTED, safe=""), base64.b64encode(MINTED.encode()).decode())
    assert not any(form in text for form in forms), text


def _run(cli: Cli, make_repo: MakeRepo, server: HTTPServer, summary: Path) -> tuple[str, str]:
    repo = _repo(make_repo, server)
    result = cli("-C", str(repo.path), "publish", "--to", "pypi")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert "warning: the upload token was not burned" in result.out
    # only GitHub's `::add-mask::` command names the token
    out = result.out.replace(f"::add-mask::{MINTED}", "")
    for text in (out, result.err, summary.read_text(encoding="utf-8")):
        _nowhere(text)
    for raw in ledger_lines(repo):
        _nowhere(raw.decode())
    return out, _upload_token(repo)


def test_an_echo_of_the_token_in_any_form_is_masked(
    httpserver: HTTPServer,
    make_repo: MakeRepo,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    github_actions(monkeypatch, httpserver)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    def echo(request: Request) -> Response:
        token = json.loads(request.get_data())["token"]
        forms = (token, quote(token, safe=""), base64.b64encode(token.encode()).decode())
        return Response(f"400 \x1b[2Jbad token {' '.join(forms)} \x1b]8;;x\x07", 400)

    PyPIStandIn(httpserver, echo)
    out, recorded = _run(cli, make_repo, httpserver, summary)
    assert "HTTP 400" in recorded
    assert "\x1b" not in out
    assert "\x1b" not in recorded


@pytest.mark.parametrize("status", [302, 307, 308])
def test_a_redirected_burn_is_not_followed(
    httpserver: HTTPServer,
    elsewhere: HTTPServer,
    make_repo: MakeRepo,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    status: int,
) -> None:
    github_actions(monkeypatch, httpserver)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    elsewhere.expect_request("/steal").respond_with_data("thanks", 202)

    def moved(request: Request) -> Response:
        token = json.loads(request.get_data())["token"]
        target = elsewhere.url_for(f"/steal?t={token}")
        return Response("", status, headers={"Location": target})

    PyPIStandIn(httpserver, moved)
    _, recorded = _run(cli, make_repo, httpserver, summary)
    assert elsewhere.log == []  # nothing reached the other host
    assert recorded.startswith("not burned: ")
    assert "never follows a redirect" in recorded
