"""Burning a Trusted Publishing upload token once its uploads are done.

Warehouse (pypi/warehouse PR #20197, `warehouse/oidc/views.py` `burn_oidc_issued_token`,
route `oidc.burn_token`): `POST {index}/_/oidc/burn-token` with the JSON body
`{"token": "<the minted token>"}` revokes a token the index minted for a trusted publisher.
It answers `202 {"message": "Accepted", "errors": []}` whatever the outcome (an unknown or
malformed token too), so a 202 says the index took the request, not that a token died.

Best effort: a minted token expires within 15 minutes anyway, so a burn that fails is
reported and never raised; the bounded wait keeps a slow index from holding the release.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.http import response_excerpt
from tagship.adapters.secrets import scrub
from tagship.adapters.trusted_publishing import index_base
from tagship.core.answers import TOKEN_ANSWER
from tagship.core.errors import TagshipError

if TYPE_CHECKING:
    from tagship.adapters.http import Http

BURN_SECONDS = 10.0  # retries of a 5xx or a lost connection stop by then
BURNED = "burned"


@dataclass(frozen=True)
class Burn:
    """What became of the burn request: `burned`, or why not (no secret in it)."""

    burned: bool
    detail: str

    @property
    def outcome(self) -> str:
        """The ledger's words: `burned`, or `not burned: <why>`."""
        return BURNED if self.burned else f"not burned: {self.detail}"


def burn_token(http: Http, upload_url: str, token: str) -> Burn:
    """Ask the index that minted `token` (for `upload_url`) to revoke it."""
    base = index_base(upload_url)
    url = f"{base}/_/oidc/burn-token"
    try:
        with http.until(time.monotonic() + BURN_SECONDS):
            answer = http.request("POST", url, limits=TOKEN_ANSWER, json={"token": token})
    except TagshipError as error:  # the index unreachable, or an address the policy refuses
        return Burn(burned=False, detail=scrub(error.message, {token}))
    if answer.is_success:
        return Burn(burned=True, detail=f"{base} accepted the burn (HTTP {answer.status_code})")
    excerpt = response_excerpt(answer, secrets={token})
    return Burn(burned=False, detail=f"{url} answered HTTP {answer.status_code}: {excerpt}")
