"""`tagship audit`: gather the index's files and the evidence, then apply core.audit."""

from __future__ import annotations

import dataclasses
import gc
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tagship.adapters.http import Http, policy_from_env
from tagship.adapters.index import SimpleIndex
from tagship.adapters.provenance import ExpectedPublisher, check_provenance, sigstore_verify
from tagship.ci import IDENTITY_RULES
from tagship.ci.clients import repository_client
from tagship.core.audit import (
    PROVENANCE_INVALID,
    AuditReport,
    Evidence,
    FileProvenance,
    Finding,
    audit,
    runs_to_check,
)
from tagship.core.config import credentials
from tagship.steps.ledger.ledger_check import ledger_state

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from typing import TypeAlias

    from tagship.adapters.git import Git
    from tagship.adapters.index import IndexFile
    from tagship.adapters.provenance import Verifier
    from tagship.ci.api import HostClient
    from tagship.core.ci_identity import RunClaim, RunFacts
    from tagship.core.ci_run import CIRun
    from tagship.core.config import Config, IndexConfig
    from tagship.workspace import Workspace

    # GitHub's answer about each claimed run; None when GitHub cannot be asked (no token)
    RunLookup: TypeAlias = Callable[[Iterable[RunClaim]], dict[RunClaim, RunFacts | None] | None]


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
    known = config.github_owner is not None and config.github_repository is not None
    return Evidence(
        records=state.records,
        tags={t.name: t.commit for t in tags},
        release_commits=git.reachable_commits(release_ref_patterns(config)),
        tag_format=config.tag_format,
        ledger_problem=state.problem,
        repository=f"{config.github_owner}/{config.github_repository}" if known else None,
        identity_rules=IDENTITY_RULES,
    )


def github_runs(ci: CIRun, *, sleep: Callable[[float], None] = time.sleep) -> RunLookup:
    """Ask the CI host's API (the run's API URL and token) about each run once:
    one request per run, one client per repository."""

    def lookup(claims: Iterable[RunClaim]) -> dict[RunClaim, RunFacts | None] | None:
        if ci.token is None:
            return None
        clients: dict[str, HostClient | None] = {}
        found: dict[RunClaim, RunFacts | None] = {}
        for claim in sorted(claims, key=lambda c: (c.repository, c.run_id)):
            if claim.repository not in clients:
                clients[claim.repository] = repository_client(ci, claim.repository, sleep=sleep)
            client = clients[claim.repository]
            found[claim] = (
                client.workflow_run(claim.run_id, claim.environment) if client is not None else None
            )
        return found

    return lookup


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
) -> dict[str, FileProvenance]:
    """The provenance check of each file that has a provenance document."""
    checked: dict[str, FileProvenance] = {}
    for file in files:
        document = documents.get(file.filename)
        if document is None:
            continue
        if isinstance(expected, str):
            detail = f"its attestations cannot be verified: {expected}"
            finding = Finding(PROVENANCE_INVALID, file.filename, detail)
            checked[file.filename] = FileProvenance((finding,))
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
    runs: RunLookup | None = None,
) -> AuditReport:
    """Audit every file of the project on the index named `index_name`; where the index
    offers PEP 740 provenance, `verify` checks each attestation (offline Sigstore by default);
    `runs` asks GitHub about the runs the records claim (github_runs by default)."""
    with _without_cyclic_gc():
        return _audit(workspace, index_name, http, verify, runs or github_runs(workspace.ci))


def _audit(
    workspace: Workspace, index_name: str, http: Http | None, verify: Verifier, runs: RunLookup
) -> AuditReport:
    git = workspace.require_git()
    index = workspace.config.index(index_name)
    evidence = gather_evidence(git, workspace.config)
    with http or Http(policy_from_env(workspace.env)) as client:  # TAGSHIP_HTTP_* apply
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
    claims = runs_to_check(workspace.name, index, files, evidence)
    evidence = dataclasses.replace(evidence, runs=runs(claims))
    return audit(workspace.name, index, files, evidence, checked)
