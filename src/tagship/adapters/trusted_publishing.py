"""PyPI Trusted Publishing: the CI host's OIDC token exchanged for a short-lived upload token.

The protocol: GET {index}/_/oidc/audience, get the job's OIDC token with that audience from
the host (GitHub: from ACTIONS_ID_TOKEN_REQUEST_URL with ACTIONS_ID_TOKEN_REQUEST_TOKEN; each
host's way is its `PublisherRules`, tagship/ci/trusted.py), POST it to
{index}/_/oidc/mint-token. The minted token lives 15 minutes and is never printed or stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tagship.adapters.http import response_excerpt
from tagship.adapters.secrets import scrub
from tagship.ci.github.claims import decode_claims
from tagship.ci.github.environment import OIDC_VARIABLES
from tagship.core.answers import TOKEN_ANSWER
from tagship.core.errors import ConfigError, GateError, ServiceError

if TYPE_CHECKING:
    import httpx

    from tagship.adapters.http import Http
    from tagship.ci.trusted import Publisher, PublisherRules
    from tagship.core.ci_run import CIRun

# what GitHub gives a job that may ask for OIDC tokens (`permissions: id-token: write`)
_REQUEST_URL, _REQUEST_TOKEN = OIDC_VARIABLES  # named in errors; read at the seam


def index_base(upload_url: str) -> str:
    """https://upload.pypi.org/legacy/ -> https://pypi.org (where the OIDC endpoints live)."""
    parts = urlsplit(upload_url)
    host = parts.netloc.removeprefix("upload.")
    path = parts.path.rstrip("/").removesuffix("/legacy")
    return urlunsplit((parts.scheme, host, path, "", "")).rstrip("/")


def _json(response: httpx.Response) -> dict[str, Any]:
    """A token service's JSON object, {} when it sent none; ServiceError past TOKEN_ANSWER."""
    from tagship.adapters.http_guard import answer_json  # noqa: PLC0415 - imports httpx

    try:
        data = answer_json(response, TOKEN_ANSWER)
    except ValueError:  # not JSON
        return {}
    return data if isinstance(data, dict) else {}


def github_oidc_token(audience: str, http: Http, ci: CIRun) -> str:
    """The job's OIDC token for `audience`, from GitHub's token service (the request URL and
    token GitHub gives a job with `id-token: write`), read as every answer is: bounded."""
    url, token = ci.oidc_request_url, ci.oidc_request_token
    if not (url and token):
        raise GateError(
            f"no GitHub OIDC token is available in this job ({_REQUEST_URL} or "
            f"{_REQUEST_TOKEN} is not set)",
            hint="the publishing job needs `permissions: id-token: write`",
        )
    parts = urlsplit(url)  # the audience joins the query GitHub's URL already has
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), ("audience", audience)])
    answer = http.get(
        parts._replace(query=query).geturl(),
        limits=TOKEN_ANSWER,
        headers={"Authorization": f"bearer {token}"},
    )
    value = _json(answer).get("value")
    if answer.status_code != 200 or not isinstance(value, str) or not value:  # noqa: PLR2004
        raise GateError(
            f"cannot get a GitHub OIDC token: the token service answered HTTP "
            f"{answer.status_code}: {response_excerpt(answer, secrets={token})}",
            hint="the publishing job needs `permissions: id-token: write`",
        )
    return value


def mint_token(
    http: Http, upload_url: str, expected: Publisher, ci: CIRun, rules: PublisherRules
) -> str:
    """Exchange the job's OIDC token (from the host, by `rules`) for an upload token on the
    index; a refused publisher is explained by what the token's claims say."""
    base = index_base(upload_url)
    answer = http.get(f"{base}/_/oidc/audience", limits=TOKEN_ANSWER)
    audience = _json(answer).get("audience")
    if answer.status_code != 200 or not isinstance(audience, str):  # noqa: PLR2004
        raise ServiceError(
            f"{base} does not offer Trusted Publishing (audience: HTTP {answer.status_code})",
            hint="check the index's upload-url, or publish with a token from the environment",
        )
    oidc = rules.oidc_token(audience, http, ci)
    minted = http.request(
        "POST", f"{base}/_/oidc/mint-token", limits=TOKEN_ANSWER, json={"token": oidc}
    )
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
        actual = rules.publisher_from_claims(decode_claims(oidc))
        wrong = rules.mismatches(actual, expected)
        raise ConfigError(
            message,
            hint="; ".join(wrong)
            if wrong
            else "the job's claims match the configuration: register this trusted publisher "
            f"on the index ({expected.owner}/{expected.repository}, {expected.workflow}, "
            f"environment {expected.environment or '(none)'})",
        )
    raise ServiceError(message, hint="see the index's Trusted Publishing troubleshooting page")
