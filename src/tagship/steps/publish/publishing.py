"""Glue for the publishing commands: which credentials, which index, which manifest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tagship.adapters.attestations import sigstore_signer
from tagship.adapters.http import Http, policy_from_env
from tagship.adapters.index import SimpleIndex
from tagship.adapters.token_burn import burn_token
from tagship.adapters.trusted_publishing import mint_token
from tagship.ci.trusted import Publisher, rules_for
from tagship.core.config import Credentials, credentials
from tagship.core.official import is_official

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from pathlib import Path

    from tagship.core.config import IndexConfig
    from tagship.core.manifest import Manifest
    from tagship.workspace import Workspace


def expected_publisher(workspace: Workspace, index: IndexConfig) -> Publisher:
    """The publisher the index should hold, as the run's host names it."""
    config = workspace.config
    return rules_for(workspace.ci).expected(
        config.github_owner or "",
        config.github_repository or "",
        index.workflow,
        index.environment,
        workspace.ci,
    )


def mints_token(workspace: Workspace, index: IndexConfig) -> bool:
    """Whether uploads to `index` use a token minted by Trusted Publishing."""
    return is_official(index) and workspace.ci.host is not None


def upload_credentials(
    workspace: Workspace, index: IndexConfig, http: Http, mask: Callable[[str], None]
) -> Credentials | None:
    """Trusted Publishing for official indexes in a CI host's job; else the environment's."""
    if mints_token(workspace, index):
        expected = expected_publisher(workspace, index)
        token = mint_token(http, index.upload_url, expected, workspace.ci, rules_for(workspace.ci))
        mask(token)
        return Credentials("__token__", token)
    return credentials(index.name, workspace.env)


def burn_upload_token(
    workspace: Workspace, index: IndexConfig, http: Http, auth: Credentials | None
) -> str | None:
    """Burn the minted upload token once the uploads are done; the ledger's words for what
    happened (`burned`, `not burned: why`), None when no token was minted."""
    if auth is None or not mints_token(workspace, index):
        return None
    return burn_token(http, index.upload_url, auth.password).outcome


def attestations_for(
    workspace: Workspace,
    index: IndexConfig,
    manifest: Manifest,
    directory: Path,
    *,
    signer_factory: Callable[[str], AbstractContextManager[Callable[[Path], dict[str, Any]]]]
    | None = None,
) -> dict[str, list[object]] | None:
    """PEP 740 attestations for an official index in GitHub Actions (unless turned off with
    `attestations = false`), one per file, signed as the job; None when none are due."""
    official = is_official(index) and workspace.ci.host is not None
    if not (official and workspace.config.attestations):
        return None

    factory = signer_factory or sigstore_signer
    with Http(policy_from_env(workspace.env)) as http:
        token = rules_for(workspace.ci).oidc_token("sigstore", http, workspace.ci)
    with factory(token) as sign:
        return {f.name: [sign(directory / f.name)] for f in manifest.files}


def simple_index(workspace: Workspace, index: IndexConfig, http: Http) -> SimpleIndex:
    return SimpleIndex(index.simple_url, http, credentials(index.name, workspace.env))
