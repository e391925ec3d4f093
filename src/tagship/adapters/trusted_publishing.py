"""PyPI Trusted Publishing: a GitHub OIDC token exchanged for a short-lived upload token.

The protocol: GET {index}/_/oidc/audience, ask GitHub for an OIDC token with that audience
(through the `id` package, which reads ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN), POST it to
{index}/_/oidc/mint-token. The minted token lives 15 minutes and is never printed or stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from tagship.adapters.http import response_excerpt
from tagship.adapters.secrets import scrub
from tagship.ci.github.claims import Publisher, decode_claims, mismatches, publisher_from_claims
from tagship.core.errors import ConfigError, GateError, ServiceError

if TYPE_CHECKING:
    from tagship.adapters.http import Http


def index_base(upload_url: str) -> str:
    """https://upload.pypi.org/legacy/ -> https://pypi.org (where the OIDC endpoints live)."""
    parts = urlsplit(upload_url)
    host = parts.netloc.removeprefix("upload.")
    path = parts.path.rstrip("/").removesuffix("/legacy")
    return urlunsplit((parts.scheme, host, path, "", "")).rstrip("/")


def _json(response: Any) -> dict[str, Any]:
    try:
        data = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested absurdly deep
        return {}
    return data if isinstance(data, dict) else {}


def github_oidc_token(audience: str) -> str:
    """The job's OIDC token for `audience`, from GitHub's token service."""
    import id as oidc_id  # noqa: PLC0415 - only in CI publishing

    try:
        token = oidc_id.detect_credential(audience=audience)
    except oidc_id.IdentityError as exc:
        raise GateError(
            f"cannot get a GitHub OIDC token: {exc}",
            hint="the publishing job needs `permissions: id-token: write`",
        ) from None
    if not token:
        raise GateError(
            "no GitHub OIDC token is available in this job",
            hint="the publishing job needs `permissions: id-token: write`",
        )
    return str(token)


def mint_token(http: Http, upload_url: str, expected: Publisher) -> str:
    """Exchange the job's OIDC token for an upload token on the index."""
    base = index_base(upload_url)
    answer = http.get(f"{base}/_/oidc/audience")
    audience = _json(answer).get("audience")
    if answer.status_code != 200 or not isinstance(audience, str):  # noqa: PLR2004
        raise ServiceError(
            f"{base} does not offer Trusted Publishing (audience: HTTP {answer.status_code})",
            hint="check the index's upload-url, or publish with a token from the environment",
        )
    oidc = github_oidc_token(audience)
    minted = http.request("POST", f"{base}/_/oidc/mint-token", json={"token": oidc})
    body = _json(minted)
    if minted.status_code == 200 and isinstance(body.get("token"), str):  # noqa: PLR2004
        return str(body["token"])
    listed = body.get("errors")
    errors = [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
    described = "; ".join(f"{e.get('code')}: {e.get('description')}" for e in errors)
    # the index may quote the OIDC token it refused: it is a credential too
    detail = scrub(" ".join(described.split()), {oidc})[:500]
    message = f"{base} refused the token exchange (HTTP {minted.status_code}): " + (
        detail or response_excerpt(minted, secrets={oidc})
    )
    if any(e.get("code") == "invalid-publisher" for e in errors):
        actual = publisher_from_claims(decode_claims(oidc))
        wrong = mismatches(actual, expected)
        raise ConfigError(
            message,
            hint="; ".join(wrong)
            if wrong
            else "the job's claims match the configuration: register this trusted publisher "
            f"on the index ({expected.owner}/{expected.repository}, {expected.workflow}, "
            f"environment {expected.environment or '(none)'})",
        )
    raise ServiceError(message, hint="see the index's Trusted Publishing troubleshooting page")
