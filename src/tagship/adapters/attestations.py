"""PEP 740 publish attestations: one Sigstore-signed statement per file, signed with the
GitHub Actions job's own identity (an OIDC token with audience `sigstore`).

Signing talks to Sigstore's public services (Fulcio, Rekor), which cannot be reached from
tests: the signer is the boundary, and tests hand the publish step attestations of their own.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


@contextmanager
def sigstore_signer(identity_token: str) -> Iterator[Callable[[Path], dict[str, Any]]]:
    """Sign with Sigstore's production instance as the identity the token names; the yielded
    function turns a built file into its attestation as JSON (the upload API's shape)."""
    # pypi-attestations pulls in sigstore and cryptography: ~0.7 s, only when signing
    from pypi_attestations import Attestation, AttestationError, Distribution  # noqa: PLC0415
    from sigstore.models import ClientTrustConfig  # noqa: PLC0415
    from sigstore.oidc import IdentityToken  # noqa: PLC0415
    from sigstore.sign import SigningContext  # noqa: PLC0415

    try:
        context = SigningContext.from_trust_config(ClientTrustConfig.production())
        identity = IdentityToken(identity_token)
    except Exception as exc:  # sigstore raises many kinds; all mean "cannot sign"
        raise ServiceError(
            f"cannot set up Sigstore signing: {exc}",
            hint="set attestations = false in [tool.tagship] to publish without attestations",
        ) from exc
    with context.signer(identity, cache=True) as signer:

        def sign(path: Path) -> dict[str, Any]:
            try:
                attestation = Attestation.sign(signer, Distribution.from_file(path))
            except AttestationError as exc:
                raise ServiceError(
                    f"signing the attestation of {path.name} failed: {exc}"
                ) from None
            signed: dict[str, Any] = attestation.model_dump(mode="json")
            return signed

        yield sign
