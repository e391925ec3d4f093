"""PyPI's Trusted Publishing in front of a real pypiserver: `/_/oidc/audience`,
`/_/oidc/mint-token` and `/_/oidc/burn-token` served here, everything else forwarded, uploads
only with a minted (and not burned) token.

The exchange checks the job's OIDC claims against the registered publisher as PyPI does
(repository, workflow file from `job_workflow_ref`, environment) and answers a mismatch with
PyPI's `invalid-publisher` error; a GitLab job's token is judged by `gitlab_oidc.GitLabPublishers`.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from werkzeug import Response

from gitlab_oidc import GITLAB_COM, GitLabPublishers
from oidc import burn_answer

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer
    from werkzeug import Request


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return data


@dataclass(frozen=True)
class Registration:
    """A trusted publisher as registered on the index."""

    repository: str  # owner/name
    workflow: str  # file name under .github/workflows
    environment: str


@dataclass
class TrustedIndex:
    """`server` answering as an index with Trusted Publishing, backed by `backend`."""

    server: HTTPServer
    backend: str  # the pypiserver's base URL
    publisher: Registration | GitLabPublishers
    audience: str
    minted: set[str] = field(default_factory=set)
    exchanges: list[dict[str, Any]] = field(default_factory=list)  # the claims presented
    refused: list[str] = field(default_factory=list)
    burned: list[str] = field(default_factory=list)  # tokens revoked after use
    used_jti: set[str] = field(default_factory=set)  # a job's token is exchanged once

    def __post_init__(self) -> None:
        self.server.expect_request(re.compile(".*")).respond_with_handler(self._handle)
        self._client = httpx.Client(base_url=self.backend, timeout=60.0)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def close(self) -> None:
        self._client.close()

    def _handle(self, request: Request) -> Response:
        if request.path == "/_/oidc/audience":
            return _json({"audience": self.audience})
        if request.path == "/_/oidc/mint-token" and request.method == "POST":
            return self._mint(request)
        if request.path == "/_/oidc/burn-token" and request.method == "POST":
            return burn_answer(request, self.burned)
        if request.method == "POST":
            auth = request.authorization
            live = self.minted.difference(self.burned)  # a burned token uploads no more
            if auth is None or auth.username != "__token__" or auth.password not in live:
                self.refused.append(f"upload without a minted token ({request.path})")
                return Response("403 Invalid or non-existent authentication information.", 403)
        return self._forward(request)

    def _mint(self, request: Request) -> Response:
        try:
            # warehouse reads the body as JSON whatever its Content-Type: PyPI's own GitLab
            # example posts it with `curl -d`
            token = str(json.loads(request.get_data() or b"{}").get("token", ""))
            claims = _claims(token)
        except (AttributeError, IndexError, ValueError):
            return _invalid("invalid-payload", "the token is not a JWT")
        self.exchanges.append(claims)
        if isinstance(self.publisher, GitLabPublishers):
            return self._mint_gitlab(claims, self.publisher)
        workflow = str(claims.get("job_workflow_ref", "")).split("@", 1)[0]
        wrong = [
            what
            for what, ok in (
                ("audience", claims.get("aud") == self.audience),
                ("repository", claims.get("repository") == self.publisher.repository),
                ("workflow", workflow == f"{self.publisher.repository}/.github/workflows/"
                 f"{self.publisher.workflow}"),
                ("environment", claims.get("environment") == self.publisher.environment),
            )
            if not ok
        ]  # fmt: skip
        if wrong:
            self.refused.append(f"token exchange: {', '.join(wrong)} differ")
            return _invalid("invalid-publisher", "valid token, but no corresponding publisher")
        return self._grant()

    def _mint_gitlab(self, claims: dict[str, Any], publishers: GitLabPublishers) -> Response:
        # warehouse's mint_token_from_oidc and mint_token, in their order
        issuers = {GITLAB_COM} | {p.issuer_url for p in publishers.registered}
        if claims.get("iss") not in issuers:
            return _invalid("invalid-payload", "unknown trusted publishing issuer")
        if claims.get("aud") != self.audience or not all(
            claims.get(name) for name in ("iat", "exp")
        ):
            self.refused.append("token exchange: audience differs")
            return _invalid("invalid-token", "malformed or invalid token")
        why = publishers.refusal(claims)
        if why is not None:
            self.refused.append(f"token exchange: {why}")
            return _invalid(
                "invalid-publisher", f"valid token, but no corresponding publisher ({why})"
            )
        if claims["jti"] in self.used_jti:
            return _invalid("invalid-reuse-token", "invalid token: already used")
        self.used_jti.add(claims["jti"])
        return self._grant()

    def _grant(self) -> Response:
        minted = f"pypi-{secrets.token_urlsafe(32)}"
        self.minted.add(minted)
        return _json({"success": True, "token": minted, "expires": 900})

    def _forward(self, request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() == "content-type"}
        answer = self._client.request(
            request.method,
            request.full_path.rstrip("?"),
            content=request.get_data(),
            headers=headers,
        )
        body = answer.content.replace(self.backend.encode(), self.url.encode())
        out = Response(body, answer.status_code, content_type=answer.headers.get("content-type"))
        if "location" in answer.headers:
            out.headers["Location"] = answer.headers["location"].replace(self.backend, self.url)
        return out


def _json(data: object, status: int = 200) -> Response:
    return Response(json.dumps(data), status, content_type="application/json")


def _invalid(code: str, description: str) -> Response:
    body = {
        "message": "Token request failed",
        "errors": [{"code": code, "description": description}],
    }
    return _json(body, 422)
