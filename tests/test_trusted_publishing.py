"""Trusted Publishing against local stand-ins for GitHub's OIDC token service and PyPI's
`/_/oidc/audience` and `/_/oidc/mint-token` (pytest-httpserver, the documented payloads)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from werkzeug import Response

from oidc import CLAIMS, github_actions, jwt
from releases import make_release
from tagship.ci.github.claims import Publisher, decode_claims, mismatches, publisher_from_claims

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer
    from werkzeug import Request

    from conftest import Cli, MakeRepo

MINTED = "pypi-minted-secret-token-0123456789"


def _serve_oidc(httpserver: HTTPServer, claims: dict[str, object]) -> None:
    httpserver.expect_request("/_/oidc/audience").respond_with_json({"audience": "pypi"})
    httpserver.expect_request(
        "/github-oidc",
        query_string={"api-version": "2.0", "audience": "pypi"},
        headers={"Authorization": "bearer request-token"},
    ).respond_with_json({"count": 1, "value": jwt(claims)})


def _release(make_repo: MakeRepo, httpserver: HTTPServer) -> str:
    upload = httpserver.url_for("/legacy/")
    simple = httpserver.url_for("/simple/")
    # attestations need Sigstore, out of reach here: test_attestations covers them
    extra = (
        "attestations = false\n"
        f'[tool.tagship.indexes.pypi]\nupload-url = "{upload}"\nsimple-url = "{simple}"\n'
    )
    release = make_release(
        make_repo, "http://127.0.0.1:9/", "http://127.0.0.1:9/simple/", extra=extra
    )
    # a new project: the preflight reads its page before a token is asked for
    httpserver.expect_request("/simple/pub-pkg/").respond_with_data("", status=404)
    return str(release.repo.path)


def test_upload_with_a_minted_token(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_actions(monkeypatch, httpserver)
    _serve_oidc(httpserver, CLAIMS)
    exchanged: list[str] = []

    def mint(request: Request) -> Response:
        exchanged.append(request.get_json()["token"])
        return Response(
            json.dumps({"success": True, "token": MINTED}), 200, content_type="application/json"
        )

    uploads: list[dict[str, str]] = []

    def upload(request: Request) -> Response:
        auth = request.authorization
        assert auth is not None
        assert (auth.username, auth.password) == ("__token__", MINTED)
        uploads.append(
            {k: request.form[k] for k in ("name", "version", "filetype", "sha256_digest")}
        )
        assert request.files["content"].filename
        return Response("OK", 200)

    httpserver.expect_request("/_/oidc/mint-token", method="POST").respond_with_handler(mint)
    httpserver.expect_request("/simple/pub-pkg/").respond_with_data("", status=404)
    httpserver.expect_request("/legacy/", method="POST").respond_with_handler(upload)
    path = _release(make_repo, httpserver)
    result = cli("-C", path, "publish", "--to", "pypi")
    assert result.code == 0, result.err
    assert len(exchanged) == 1
    assert decode_claims(exchanged[0])["repository"] == "CharmAIOS/Charm"
    assert sorted(u["filetype"] for u in uploads) == ["bdist_wheel", "sdist"]
    assert {u["name"] for u in uploads} == {"pub-pkg"}
    # the token appears once, in the mask command GitHub hides from logs, and nowhere else
    assert result.out.count(MINTED) == 1
    assert f"::add-mask::{MINTED}\n" in result.out
    assert MINTED not in result.err


def test_invalid_publisher_names_the_claim_to_fix(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_actions(monkeypatch, httpserver)
    wrong: dict[str, object] = {
        **CLAIMS,
        "job_workflow_ref": "CharmAIOS/Charm/.github/workflows/release.yml@refs/tags/v1.0.0",
        "environment": "",
    }
    _serve_oidc(httpserver, wrong)
    errors = {
        "message": "Token request failed",
        "errors": [
            {
                "code": "invalid-publisher",
                "description": "valid token, but no corresponding publisher",
            }
        ],
    }
    httpserver.expect_request("/_/oidc/mint-token", method="POST").respond_with_json(
        errors, status=422
    )
    path = _release(make_repo, httpserver)
    result = cli("-C", path, "publish", "--to", "pypi")
    assert result.code == 2
    # one line for people; a `::error` line is the runner's annotation of the job
    assert len([ln for ln in result.err.splitlines() if not ln.startswith("::")]) == 1
    assert "invalid-publisher: valid token, but no corresponding publisher" in result.err
    assert "workflow is release.yml, the publisher names publish-pypi.yml" in result.err
    assert "set `environment: pypi` on the publishing job" in result.err


def test_missing_id_token_permission(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_actions(monkeypatch, httpserver)
    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    httpserver.expect_request("/_/oidc/audience").respond_with_json({"audience": "pypi"})
    result = cli("-C", _release(make_repo, httpserver), "publish", "--to", "pypi")
    assert result.code == 1
    assert "id-token: write" in result.err


def test_index_without_trusted_publishing(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_actions(monkeypatch, httpserver)
    httpserver.expect_request("/_/oidc/audience").respond_with_data("nope", status=404)
    result = cli("-C", _release(make_repo, httpserver), "publish", "--to", "pypi")
    assert result.code == 3
    assert "does not offer Trusted Publishing" in result.err


@pytest.mark.parametrize(
    ("claims", "expected_fix"),
    [
        ({**CLAIMS, "repository": "fork/Charm"}, "repository is fork/Charm"),
        ({**CLAIMS, "environment": "testpypi"}, "environment is testpypi"),
        (
            {
                **CLAIMS,
                "job_workflow_ref": "Org/shared/.github/workflows/reusable.yml@refs/heads/main",
            },
            "workflow is reusable.yml",
        ),
    ],
)
def test_claim_mismatches(claims: dict[str, object], expected_fix: str) -> None:
    expected = Publisher("CharmAIOS", "Charm", "publish-pypi.yml", "pypi")
    found = mismatches(publisher_from_claims(decode_claims(jwt(claims))), expected)
    assert len(found) == 1
    assert found[0].startswith(expected_fix)
    assert mismatches(publisher_from_claims(CLAIMS), expected) == []


def test_undecodable_tokens_give_no_claims() -> None:
    assert decode_claims("not-a-jwt") == {}
    assert decode_claims("a.!!!.c") == {}
