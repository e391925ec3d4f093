"""Burning the Trusted Publishing token after the last upload (`POST /_/oidc/burn-token`,
warehouse PR #20197), against local stand-ins for GitHub's OIDC token service and PyPI's
audience, mint, burn and upload endpoints: burned after the uploads, recorded in the ledger,
and a burn that fails is a warning, never a failed publish; the token is shown nowhere."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from werkzeug import Response

from ledger_kit import ledger_lines
from oidc import CLAIMS, burn_answer, github_actions, jwt
from releases import make_release

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest
    from pytest_httpserver import HTTPServer
    from werkzeug import Request

    from conftest import Cli, MakeRepo, Repo

MINTED = "pypi-minted-secret-token-burn-0123456789"


class PyPIStandIn:
    """PyPI's Trusted Publishing and upload endpoints on `server`; `events` in order."""

    def __init__(
        self,
        server: HTTPServer,
        burn: Callable[[Request], Response] | None = None,
        *,
        refuse_uploads: bool = False,
    ) -> None:
        self.refuse_uploads = refuse_uploads
        self.events: list[str] = []
        self.burned: list[str] = []
        server.expect_request("/_/oidc/audience").respond_with_json({"audience": "pypi"})
        server.expect_request("/github-oidc").respond_with_json({"value": jwt(CLAIMS)})
        server.expect_request("/_/oidc/mint-token", method="POST").respond_with_handler(self._mint)
        server.expect_request("/_/oidc/burn-token", method="POST").respond_with_handler(
            burn or self._burn
        )
        server.expect_request("/simple/pub-pkg/").respond_with_data("", status=404)
        server.expect_request("/legacy/", method="POST").respond_with_handler(self._upload)

    def _mint(self, _: Request) -> Response:
        self.events.append("mint")
        body = json.dumps({"success": True, "token": MINTED, "expires": 900})
        return Response(body, 200, content_type="application/json")

    def _burn(self, request: Request) -> Response:
        self.events.append("burn")
        return burn_answer(request, self.burned)

    def _upload(self, request: Request) -> Response:
        auth = request.authorization
        ok = auth is not None and auth.password == MINTED and MINTED not in self.burned
        if self.refuse_uploads:
            self.events.append("refused")
            return Response("400 Invalid distribution file.", 400)
        self.events.append(f"upload {request.form['filetype']}" if ok else "refused")
        return Response("OK", 200) if ok else Response("403 Invalid token", 403)


def _repo(make_repo: MakeRepo, httpserver: HTTPServer) -> Repo:
    extra = (
        "attestations = false\n"  # Sigstore is out of reach here: test_attestations has it
        f'[tool.tagship.indexes.pypi]\nupload-url = "{httpserver.url_for("/legacy/")}"\n'
        f'simple-url = "{httpserver.url_for("/simple/")}"\n'
    )
    return make_release(make_repo, "http://127.0.0.1:9/", "http://127.0.0.1:9/", extra=extra).repo


def _upload_token(repo: Repo) -> str:
    """What the last ledger record, the publish's, says became of the upload token."""
    event = json.loads(ledger_lines(repo)[-1])["event"]
    assert event["kind"] == "publish"
    return str(event["details"]["upload-token"])


def test_the_token_is_burned_after_the_last_upload_and_recorded(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_actions(monkeypatch, httpserver)
    pypi = PyPIStandIn(httpserver)
    repo = _repo(make_repo, httpserver)
    result = cli("-C", str(repo.path), "publish", "--to", "pypi")
    assert result.code == 0, result.err
    assert pypi.events[0] == "mint"
    assert sorted(pypi.events[1:3]) == ["upload bdist_wheel", "upload sdist"]
    assert pypi.events[3:] == ["burn"]  # after the last upload, once
    assert pypi.burned == [MINTED]
    assert "upload token burned" in result.out
    assert _upload_token(repo) == "burned"
    # only GitHub's mask command names the token; the ledger never does
    assert result.out.count(MINTED) == 1
    assert MINTED not in result.err
    assert all(MINTED.encode() not in raw for raw in ledger_lines(repo))


def test_a_burn_that_fails_is_a_warning_and_the_publish_stands(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_actions(monkeypatch, httpserver)
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "2")
    monkeypatch.setenv("TAGSHIP_HTTP_BACKOFF", "0")

    def unavailable(request: Request) -> Response:
        pypi.events.append("burn")  # the index echoes what it was sent: still masked
        return Response(f"503 down, token {request.get_data(as_text=True)}", 503)

    pypi = PyPIStandIn(httpserver, unavailable)
    repo = _repo(make_repo, httpserver)
    result = cli("-C", str(repo.path), "publish", "--to", "pypi")
    assert result.code == 0, result.err
    assert pypi.events[-2:] == ["burn", "burn"]  # retried, then given up
    assert "warning: the upload token was not burned" in result.out
    assert "HTTP 503" in result.out
    assert _upload_token(repo).startswith("not burned: ")
    assert "HTTP 503" in _upload_token(repo)
    assert result.out.count(MINTED) == 1  # the mask command
    assert all(MINTED.encode() not in raw for raw in ledger_lines(repo))


def test_a_burn_that_times_out_is_a_warning(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_actions(monkeypatch, httpserver)
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "1")
    monkeypatch.setenv("TAGSHIP_HTTP_TIMEOUT", "0.5")

    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return burn_answer(request, [])

    PyPIStandIn(httpserver, slow)
    repo = _repo(make_repo, httpserver)
    result = cli("-C", str(repo.path), "publish", "--to", "pypi")
    assert result.code == 0, result.err
    assert "warning: the upload token was not burned" in result.out
    assert "timed out" in result.out.lower() or "timeout" in result.out.lower()
    assert _upload_token(repo).startswith("not burned: ")


def test_a_failed_upload_still_burns_the_token(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_actions(monkeypatch, httpserver)
    pypi = PyPIStandIn(httpserver, refuse_uploads=True)
    result = cli("-C", str(_repo(make_repo, httpserver).path), "publish", "--to", "pypi")
    assert result.code == 3, result.err
    assert pypi.events == ["mint", "refused", "burn"]
    assert pypi.burned == [MINTED]
    assert MINTED not in result.err
