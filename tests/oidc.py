"""Stand-ins for GitHub Actions' OIDC identity: the job's environment and its tokens."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

from werkzeug import Response

if TYPE_CHECKING:
    import pytest
    from pytest_httpserver import HTTPServer
    from werkzeug import Request


def jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


CLAIMS: dict[str, object] = {
    "aud": "pypi",
    "iss": "https://token.actions.githubusercontent.com",
    "repository": "CharmAIOS/Charm",
    "repository_owner": "CharmAIOS",
    "job_workflow_ref": "CharmAIOS/Charm/.github/workflows/publish-pypi.yml@refs/tags/v1.0.0",
    "environment": "pypi",
    "ref": "refs/tags/v1.0.0",
}


def github_actions(monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REPOSITORY", "CharmAIOS/Charm")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token")
    monkeypatch.setenv(
        "ACTIONS_ID_TOKEN_REQUEST_URL", httpserver.url_for("/github-oidc?api-version=2.0")
    )


def burn_answer(request: Request, burned: list[str]) -> Response:
    """PyPI's `POST /_/oidc/burn-token` (warehouse's `burn_oidc_issued_token`): the token
    from a `{"token": ...}` body is noted as burned; the answer is 202 whatever it held."""
    token = (request.get_json(silent=True) or {}).get("token")
    if isinstance(token, str):
        burned.append(token)
    body = json.dumps({"message": "Accepted", "errors": []})
    return Response(body, 202, content_type="application/json")
