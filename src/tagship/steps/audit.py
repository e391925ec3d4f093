"""`tagship audit`: gather the index's files and the evidence, then apply core.audit."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tagship.adapters.http import Http
from tagship.adapters.index import SimpleIndex
from tagship.adapters.provenance import ExpectedPublisher, check_provenance, sigstore_verify
from tagship.core.audit import PROVENANCE_INVALID, AuditReport, Evidence, Finding, audit
from tagship.core.config import credentials
from tagship.steps.ledger_check import ledger_state

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from tagship.adapters.git import Git
    from tagship.adapters.index import IndexFile
    from tagship.adapters.provenance import Verifier
    from tagship.core.config import Config, IndexConfig
    from tagship.workspace import Workspace


def release_ref_patterns(config: Config) -> list[str]:
    """for-each-ref globs of the release and hotfix branches, local and remote-tracking."""
    patterns = []
    for branch in (config.release_branch, config.hotfix_branches):
        patterns += [f"refs/heads/{branch}", f"refs/remotes/*/{branch}"]
    return patterns


def gather_evidence(git: Git, config: Config) -> Evidence:
    """The verified ledger, the tags as they are now, the commits on release branches."""
    tags = git.tag_records()
    state = ledger_state(git, tags={t.name: t.message for t in tags})
    return Evidence(
        records=state.records,
        tags={t.name: t.commit for t in tags},
        release_commits=git.reachable_commits(release_ref_patterns(config)),
        tag_format=config.tag_format,
        ledger_problem=state.problem,
    )


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    # The audit allocates ~20 acyclic objects per file, all freed by reference counting;
    # the cyclic collector would rescan that growing heap again and again (a third of the
    # time at 10,000 releases), so it pauses for the audit.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def expected_publisher(config: Config, index: IndexConfig) -> ExpectedPublisher | str:
    """Who must have signed the index's attestations, or why that is not known."""
    if config.github_owner is None or config.github_repository is None:
        return "no GitHub repository is known (git remote origin, or [tool.tagship.github])"
    if index.workflow is None:
        return f"index {index.name} has no publish workflow configured (workflow = ...)"
    return ExpectedPublisher(
        f"{config.github_owner}/{config.github_repository}", index.workflow, index.environment
    )


def check_files(
    files: Sequence[IndexFile],
    documents: Mapping[str, bytes],
    expected: ExpectedPublisher | str,
    verify: Verifier,
) -> dict[str, tuple[Finding, ...]]:
    """The provenance findings of each file that has a provenance document."""
    checked: dict[str, tuple[Finding, ...]] = {}
    for file in files:
        document = documents.get(file.filename)
        if document is None:
            continue
        if isinstance(expected, str):
            detail = f"its attestations cannot be verified: {expected}"
            checked[file.filename] = (Finding(PROVENANCE_INVALID, file.filename, detail),)
        else:
            checked[file.filename] = check_provenance(
                document, expected, file.filename, file.sha256, verify
            )
    return checked


def audit_workspace(
    workspace: Workspace,
    index_name: str,
    http: Http | None = None,
    verify: Verifier = sigstore_verify,
) -> AuditReport:
    """Audit every file of the project on the index named `index_name`; where the index
    offers PEP 740 provenance, `verify` checks each attestation (offline Sigstore by default)."""
    with _without_cyclic_gc():
        return _audit(workspace, index_name, http, verify)


def _audit(
    workspace: Workspace, index_name: str, http: Http | None, verify: Verifier
) -> AuditReport:
    git = workspace.require_git()
    index = workspace.config.index(index_name)
    evidence = gather_evidence(git, workspace.config)
    with http or Http() as client:
        lookup = SimpleIndex(index.simple_url, client, credentials(index.name, workspace.env))
        page = lookup.project(workspace.name)
        files = page.files if page is not None else ()
        # one request per file that names a provenance URL; none for an index without any
        documents = {
            file.filename: document
            for file in files
            if file.provenance is not None and (document := lookup.provenance(file)) is not None
        }
    expected = expected_publisher(workspace.config, index)
    checked = check_files(files, documents, expected, verify)
    return audit(workspace.name, index.name, files, evidence, checked)
