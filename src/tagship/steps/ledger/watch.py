"""`tagship watch`: read the ledger's releases, each index's page once and the host's
releases once, then apply core.watch's rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.http import Http, policy_from_env
from tagship.adapters.index import SimpleIndex
from tagship.ci.clients import repository_client
from tagship.ci.github.environment import TOKEN_VARIABLES
from tagship.core.config import credentials
from tagship.core.official import is_official
from tagship.core.watch import (
    PROVENANCE_SINCE,
    STATUS_SINCE,
    WatchReport,
    host_findings,
    published_on_host,
    release_findings,
    released,
    serves,
    status_findings,
)
from tagship.steps.ledger.record import ledger_records

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tagship.ci.api import HostClient
    from tagship.core.watch import Finding, Released
    from tagship.workspace import Workspace

HOST = "github"


def watch_workspace(
    workspace: Workspace,
    indexes: Sequence[str] | None = None,
    *,
    http: Http | None = None,
    host: HostClient | None = None,
) -> WatchReport:
    """The drift between the ledger's releases of the workspace's project and what each
    index and the GitHub Releases show now. `indexes`: only these (dry runs included);
    `host`: the client to ask (default: one from the run's token, or none without one)."""
    for name in indexes or ():  # a name given must be a configured index (exit 2)
        workspace.config.index(name)
    records = ledger_records(workspace)  # a broken chain stops the watch (exit 4)
    releases = released(records, workspace.name, indexes)
    findings: list[Finding] = []
    notes: list[str] = []
    with http or Http(policy_from_env(workspace.env)) as client:  # TAGSHIP_HTTP_* apply
        for index_name in dict.fromkeys(r.index for r in releases):
            mine = [r for r in releases if r.index == index_name]
            findings += _index(workspace, index_name, mine, client, notes)
    published = published_on_host(records, workspace.name)
    hosted: tuple[str, ...] = ()
    if published:
        client_of_host = host or _host_client(workspace, notes)
        if client_of_host is not None:
            findings += host_findings(HOST, published, client_of_host.releases())
            hosted = tuple(published)
    if not releases:
        notes.append(f"the ledger records no release of {workspace.name} to watch")
    return WatchReport(workspace.name, tuple(releases), hosted, tuple(findings), tuple(notes))


def _index(
    workspace: Workspace, name: str, releases: list[Released], http: Http, notes: list[str]
) -> list[Finding]:
    index = workspace.config.indexes.get(name)
    if index is None:
        notes.append(f"index {name} is in the ledger but not configured: not checked")
        return []
    page = SimpleIndex(index.simple_url, http, credentials(name, workspace.env)).project(
        workspace.name
    )
    status = page.status if page is not None else None
    api = (page.api_version if page is not None else None) or "HTML"
    if page is not None and not serves(page.api_version, STATUS_SINCE):
        notes.append(f"{name} states no project status (PEP 792 needs simple API 1.4: {api})")
    found = status_findings(name, status.status, status.reason) if status is not None else []
    # PEP 740 attestations are due where tagship's publish makes them (an official index,
    # `attestations` on): elsewhere their absence is no drift
    due = is_official(index) and workspace.config.attestations
    if due and page is not None and not serves(page.api_version, PROVENANCE_SINCE):
        notes.append(f"{name} lists no attestations (PEP 740 needs simple API 1.3: {api})")
        due = False
    listed = page.files if page is not None else None
    for release in releases:
        found += release_findings(release, listed, attestations_due=due)
    return found


def _host_client(workspace: Workspace, notes: list[str]) -> HostClient | None:
    config = workspace.config
    if config.github_owner is None or config.github_repository is None:
        notes.append("GitHub Releases not checked: no GitHub repository is known")
        return None
    client = repository_client(workspace.ci, f"{config.github_owner}/{config.github_repository}")
    if client is None:
        notes.append(
            f"GitHub Releases not checked: no GitHub token (set {' or '.join(TOKEN_VARIABLES)})"
        )
    return client
