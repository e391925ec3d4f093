"""`tagship audit`: gather the index's files and the evidence, then apply core.audit."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tagship.adapters.http import Http
from tagship.adapters.index import SimpleIndex
from tagship.core.audit import AuditReport, Evidence, audit
from tagship.core.config import credentials
from tagship.steps.ledger_check import ledger_state

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tagship.adapters.git import Git
    from tagship.core.config import Config
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


def audit_workspace(workspace: Workspace, index_name: str, http: Http | None = None) -> AuditReport:
    """Audit every file of the project on the index named `index_name`."""
    with _without_cyclic_gc():
        return _audit(workspace, index_name, http)


def _audit(workspace: Workspace, index_name: str, http: Http | None) -> AuditReport:
    git = workspace.require_git()
    index = workspace.config.index(index_name)
    evidence = gather_evidence(git, workspace.config)
    with http or Http() as client:
        lookup = SimpleIndex(index.simple_url, client, credentials(index.name, workspace.env))
        page = lookup.project(workspace.name)
    files = page.files if page is not None else ()
    return audit(workspace.name, index.name, files, evidence)
