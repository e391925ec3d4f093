"""Trusted Publishing from a GitLab job: the id_token GitLab put in PYPI_ID_TOKEN exchanged at a
PyPI stand-in (`/_/oidc/audience`, `/_/oidc/mint-token`, the documented payloads), and a
publisher PyPI does not hold refused before any upload, naming the claim that differs as PyPI's
warehouse matches it (warehouse/oidc/models/gitlab.py)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from werkzeug import Response

from oidc import jwt
from releases import make_release
from tagship.ci.gitlab.claims import mismatches, publisher_from_claims, workflow_filepath
from tagship.ci.trusted import Publisher

if TYPE_CHECKING:
    import pytest
    from pytest_httpserver import HTTPServer
    from werkzeug import Request

    from conftest import Cli, MakeRepo

MINTED = "pypi-minted-secret-token-gitlab-0123456789"
PROJECT = "acme/tools/charm"
CLAIMS: dict[str, object] = {
    "iss": "https://gitlab.com",
    "aud": "pypi",
    "sub": f"project_path:{PROJECT}:ref_type:tag:ref:v1.0.0",
    "namespace_path": "acme/tools",
    "project_path": PROJECT,
    "ci_config_ref_uri": f"gitlab.com/{PROJECT}//.gitlab-ci.yml@refs/tags/v1.0.0",
    "ref_path": "refs/tags/v1.0.0",
    "ref": "v1.0.0",
    "ref_type": "tag",
    "sha": "0" * 40,
    "pipeline_id": "777",
    "job_id": "4242",
    "environment": "pypi",
}


def _gitlab_job(monkeypatch: pytest.MonkeyPatch, claims: dict[str, object]) -> None:
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("CI_PROJECT_PATH", PROJECT)
    monkeypatch.setenv("CI_CONFIG_PATH", ".gitlab-ci.yml")
    monkeypatch.setenv("CI_JOB_ID", "4242")
    monkeypatch.setenv("PYPI_ID_TOKEN", jwt(claims))


def _pypi(httpserver: HTTPServer, answer: Response) -> tuple[list[str], list[str]]:
    """The index: its audience, the exchange answering `answer`, and uploads; what was
    exchanged and what was uploaded."""
    exchanged: list[str] = []
    uploaded: list[str] = []

    def mint(request: Request) -> Response:
        exchanged.append(request.get_json()["token"])
        return answer

    def upload(request: Request) -> Response:
        auth = request.authorization
        assert auth is not None
        assert (auth.username, auth.password) == ("__token__", MINTED)
        uploaded.append(request.form["filetype"])
        return Response("OK", 200)

    httpserver.expect_request("/_/oidc/audience").respond_with_json({"audience": "pypi"})
    httpserver.expect_request("/_/oidc/mint-token", method="POST").respond_with_handler(mint)
    httpserver.expect_request("/simple/pub-pkg/").respond_with_data("", status=404)
    httpserver.expect_request("/legacy/", method="POST").respond_with_handler(upload)
    return exchanged, uploaded


def _release(make_repo: MakeRepo, httpserver: HTTPServer) -> str:
    upload, simple = httpserver.url_for("/legacy/"), httpserver.url_for("/simple/")
    extra = (
        "attestations = false\n"
        f'[tool.tagship.indexes.pypi]\nupload-url = "{upload}"\nsimple-url = "{simple}"\n'
    )
    release = make_release(
        make_repo, "http://127.0.0.1:9/", "http://127.0.0.1:9/simple/", extra=extra
    )
    return str(release.repo.path)


def test_a_gitlab_job_publishes_with_a_minted_token(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _gitlab_job(monkeypatch, CLAIMS)
    minted = Response(
        json.dumps({"success": True, "token": MINTED}), 200, content_type="application/json"
    )
    exchanged, uploaded = _pypi(httpserver, minted)
    result = cli("-C", _release(make_repo, httpserver), "publish", "--to", "pypi")
    assert result.code == 0, result.err
    assert exchanged == [jwt(CLAIMS)]
    assert sorted(uploaded) == ["bdist_wheel", "sdist"]
    # GitLab reads no workflow commands: the minted token is never written, not even to mask it
    assert MINTED not in result.out + result.err
    assert "::add-mask::" not in result.out


def test_a_publisher_for_another_environment_fails_before_any_upload(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _gitlab_job(monkeypatch, {**CLAIMS, "environment": "staging"})
    errors = {"message": "Token request failed", "errors": [
        {"code": "invalid-publisher", "description": "valid token, but no corresponding publisher"}
    ]}  # fmt: skip
    refused = Response(json.dumps(errors), 422, content_type="application/json")
    exchanged, uploaded = _pypi(httpserver, refused)
    result = cli("-C", _release(make_repo, httpserver), "publish", "--to", "pypi")
    assert result.code == 2, result.err
    assert len(exchanged) == 1
    assert uploaded == []
    assert len(result.err.strip().splitlines()) == 1
    assert "invalid-publisher" in result.err
    assert "environment is staging, the publisher names pypi" in result.err
    assert "Traceback" not in result.err


def test_a_job_without_the_id_token_says_which_to_add(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _gitlab_job(monkeypatch, CLAIMS)
    monkeypatch.delenv("PYPI_ID_TOKEN")
    _, uploaded = _pypi(httpserver, Response("unused", 500))
    result = cli("-C", _release(make_repo, httpserver), "publish", "--to", "pypi")
    assert result.code == 1
    assert "id_tokens: PYPI_ID_TOKEN: {aud: pypi}" in result.err
    assert uploaded == []


def test_claims_as_warehouse_reads_them() -> None:
    actual = publisher_from_claims(CLAIMS)
    assert actual == Publisher("acme/tools", "charm", ".gitlab-ci.yml", "pypi")
    # the included file is not what PyPI matches: the top-level one is
    assert workflow_filepath("gitlab.com/a/b//ci/release.yml@refs/tags/v1") == "ci/release.yml"
    assert workflow_filepath("gitlab.com/a/b//.yml@v1") == ""
    assert workflow_filepath("gitlab.com/a/b/.gitlab-ci.yml@v1") == ""
    # namespace and project without case; a publisher without environment takes any job
    assert mismatches(actual, Publisher("ACME/Tools", "Charm", ".gitlab-ci.yml", None)) == []
    wrong = mismatches(actual, Publisher("acme", "charm", "tagship.gitlab-ci.yml", "pypi"))
    assert [w.split(",")[0] for w in wrong] == [
        "project is acme/tools/charm",
        "top-level pipeline file is .gitlab-ci.yml",
    ]
    # an environment is matched exactly, as warehouse does
    assert mismatches(actual, Publisher("acme/tools", "charm", ".gitlab-ci.yml", "PyPI"))
