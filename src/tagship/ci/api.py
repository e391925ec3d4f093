"""What tagship asks of a CI host's API, in tagship's own values: the protocol every host's
client implements (GitHub's: ci/github/api.py), and the values it answers with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from tagship.core.checks import CheckSignal
    from tagship.core.ci_identity import RunFacts
    from tagship.core.notes import MergedPull


class NotFoundError(ServiceError):
    """The host answered that a resource that can be absent is not there (404, or 422 for an
    unknown commit)."""

    def __init__(self, message: str, hint: str | None = None, *, need: str = "") -> None:
        super().__init__(message, hint)
        self.need = need  # the permission or scope that would have shown it, if the host said


@dataclass(frozen=True)
class Commit:
    """A commit as the host lists it in a comparison."""

    sha: str
    message: str


@dataclass(frozen=True)
class Asset:
    id: int
    name: str
    size: int
    digest: str | None = None  # "sha256:<hex>" as the host computed it; None when it says none


@dataclass(frozen=True)
class Release:
    """A release on the host (drafts included)."""

    id: int
    tag_name: str
    name: str
    body: str
    draft: bool
    prerelease: bool
    html_url: str
    upload_url: str
    assets: tuple[Asset, ...] = ()
    # GitHub's immutable releases: True once published with the setting on; None: not said
    immutable: bool | None = None


@dataclass(frozen=True)
class WorkflowRun:
    """A run of one of the host's pipelines (a GitHub workflow run)."""

    id: int
    name: str
    status: str
    conclusion: str | None
    html_url: str
    head_sha: str
    created_at: str


class HostClient(Protocol):
    """The calls the gates, notes, releases, hotfixes and the audit make of a host."""

    @property
    def full_name(self) -> str: ...

    # whether the host keeps draft releases between runs (GitHub); one without drafts gets
    # its draft from the run that publishes it (GitLab: ci/gitlab/releases.py)
    keeps_drafts: bool
    # the host as messages name it (GitHub, GitLab)
    title: str

    def commit_sha(self, ref: str) -> str | None: ...

    def check_runs(self, sha: str) -> list[CheckSignal]: ...

    def statuses(self, sha: str) -> list[CheckSignal]: ...

    def pull_labels(self, number: int) -> list[str] | None: ...

    def compare(self, base: str, head: str) -> list[Commit] | None: ...

    def merged_pulls_of(self, sha: str) -> list[MergedPull]: ...

    def merged_pull(self, number: int) -> MergedPull | None: ...

    def pull_files(self, number: int) -> list[str]: ...

    def releases(self) -> list[Release]: ...

    def release(self, release_id: int) -> Release | None: ...

    def tag_exists(self, tag: str) -> bool: ...

    def create_release(self, tag: str, name: str, body: str, *, target: str) -> Release: ...

    def update_release(self, release_id: int, what: str, **fields: Any) -> Release | None: ...

    def delete_asset(self, asset_id: int) -> None: ...

    def upload_asset(
        self, release: Release, name: str, data: bytes, content_type: str
    ) -> Asset: ...

    def open_pull(self, head: str, base: str, title: str, body: str) -> str: ...

    def workflow_runs(self, workflow: str, *, branch: str) -> list[WorkflowRun] | None: ...

    # `environment`: the one the run must have deployed to, where the host can say
    def workflow_run(self, run_id: int, environment: str | None = None) -> RunFacts | None: ...
