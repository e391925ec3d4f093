"""Checking PEP 740 provenance: the attestations an index (PyPI's integrity API) holds for a
file, against the publisher the project expects (GitHub repository and publish workflow).

Verification runs offline, against the Sigstore production trust root that sigstore-python
ships, so the audit never talks to Sigstore. The call into pypi-attestations is the boundary:
`check_provenance` takes the verifier as a parameter, `sigstore_verify` by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.core.audit import (
    PROVENANCE_INVALID,
    PROVENANCE_PUBLISHER_DIFFERS,
    FileProvenance,
    Finding,
)
from tagship.core.ci_identity import shown

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeAlias

    from pydantic import ValidationError
    from pypi_attestations import Attestation, AttestationBundle

    # (attestation, expected publisher, file name, its SHA-256) -> None if verified, else why not
    Verifier: TypeAlias = Callable[[Attestation, "ExpectedPublisher", str, str], str | None]


@dataclass(frozen=True)
class ExpectedPublisher:
    """Who must have signed: the project's GitHub repository and the index's workflow file."""

    repository: str  # owner/name
    workflow: str  # file name under .github/workflows
    environment: str | None = None

    def __str__(self) -> str:
        return f"{self.repository} (workflow {self.workflow})"


def sigstore_verify(
    attestation: Attestation, expected: ExpectedPublisher, filename: str, sha256: str
) -> str | None:
    """Verify one attestation offline: Sigstore signature and certificate chain, transparency
    log entry, signer identity (repository and workflow), and the file's name and digest."""
    # pypi-attestations pulls in sigstore and cryptography (~0.7 s): only when there is work
    from pypi_attestations import Distribution, GitHubPublisher  # noqa: PLC0415

    publisher = GitHubPublisher(
        repository=expected.repository,
        workflow=expected.workflow,
        environment=expected.environment,
    )
    try:
        attestation.verify(publisher, Distribution(name=filename, digest=sha256), offline=True)
    except Exception as exc:  # noqa: BLE001 - a forged document can make sigstore, cryptography
        # or pydantic raise many kinds of error; each one means "not verified", never a crash
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where + ': ' if where else ''}{first['msg']}{more}"


def _signer(bundle: AttestationBundle) -> tuple[str, str] | None:
    """(repository, workflow) of a GitHub publisher, None for any other kind."""
    from pypi_attestations import GitHubPublisher  # noqa: PLC0415

    publisher = bundle.publisher
    if isinstance(publisher, GitHubPublisher):
        return publisher.repository, publisher.workflow
    return None


def check_provenance(
    document: bytes,
    expected: ExpectedPublisher,
    filename: str,
    sha256: str | None,
    verify: Verifier = sigstore_verify,
) -> FileProvenance:
    """One file's provenance document: findings (none when every attestation verifies), and
    the GitHub publishers it names, for the audit to hold against the file's ledger record."""
    from pydantic import ValidationError  # noqa: PLC0415
    from pypi_attestations import Provenance  # noqa: PLC0415

    try:
        provenance = Provenance.model_validate_json(document)
    except ValidationError as exc:
        detail = f"malformed provenance: {_first_error(exc)}"
        return FileProvenance((Finding(PROVENANCE_INVALID, filename, detail),))
    signers = frozenset(
        signer for bundle in provenance.attestation_bundles if (signer := _signer(bundle))
    )
    if not any(bundle.attestations for bundle in provenance.attestation_bundles):
        detail = "the provenance holds no attestation"
        return FileProvenance((Finding(PROVENANCE_INVALID, filename, detail),), signers)
    if sha256 is None:
        detail = "the index gives no SHA-256 to verify the attestations against"
        return FileProvenance((Finding(PROVENANCE_INVALID, filename, detail),), signers)
    findings = []
    for bundle in provenance.attestation_bundles:
        signer = _signer(bundle)
        # GitHub owner and repository names are case-insensitive; workflow file names are not
        if signer is None or (signer[0].lower(), signer[1]) != (
            expected.repository.lower(),
            expected.workflow,
        ):
            named = (
                f"{shown(signer[0])} (workflow {shown(signer[1])})"
                if signer
                else shown(bundle.publisher.kind)
            )
            detail = f"attested by {named}, expected {expected}"
            findings.append(Finding(PROVENANCE_PUBLISHER_DIFFERS, filename, detail))
            continue
        for number, attestation in enumerate(bundle.attestations, start=1):
            reason = verify(attestation, expected, filename, sha256)
            if reason is not None:
                detail = f"attestation {number} does not verify: {reason}"
                findings.append(Finding(PROVENANCE_INVALID, filename, detail))
    return FileProvenance(tuple(findings), signers)
