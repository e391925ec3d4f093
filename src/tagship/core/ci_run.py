"""The CI run tagship is in, as a value: read once from the environment at the CI-host seam
(`tagship.ci.read_run`) and handed down, so nothing below asks the environment again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

_TAG_REF = "refs/tags/"


@dataclass(frozen=True)
class CIRun:
    """What the CI host says about the job (empty outside one), and the host's API token."""

    # the host's name ("github") inside one of its jobs: official uploads, CI identities and
    # workflow commands happen only there; None elsewhere
    host: str | None = None
    # any CI service (a log, not a person, reads the output), a host's job included
    in_ci: bool = False
    # the job's log reads `::command::` lines (GitHub Actions' workflow commands: masks,
    # annotations, groups); elsewhere such a line is only text, a secret in it shown as is
    workflow_commands: bool = False
    event: str = ""  # what started the run: push, pull_request, workflow_dispatch...
    ref: str = ""  # the full ref: refs/tags/v1.2.3, refs/heads/main
    ref_type: str = ""  # "tag", "branch" or "" when the host does not say
    ref_name: str = ""  # the short name: v1.2.3, main
    sha: str | None = None
    repository: str | None = None  # owner/name
    run_id: str | None = None
    run_attempt: str | None = None
    actor: str | None = None  # who started the run
    workflow_ref: str | None = None  # owner/name/path/to/workflow.yml@ref
    environment: str | None = None  # the deployment environment the job runs in (pypi)
    server_url: str | None = None  # the host's web address (git pushes authenticate there)
    api_url: str | None = None  # the host's REST API, when it says (Enterprise, test servers)
    event_path: Path | None = None  # the event's payload, a JSON file
    output_path: Path | None = None  # where a step's outputs go
    summary_path: Path | None = None  # where a step's summary (Markdown) goes
    temp_dir: Path | None = None  # the job's temporary directory, removed after the job
    # where the job asks the host for an OIDC token (Trusted Publishing), and with what; a
    # job without `id-token: write` has neither
    oidc_request_url: str | None = field(default=None, repr=False)
    oidc_request_token: str | None = field(default=None, repr=False)
    # OIDC tokens the host already put in the job's environment, as (audience, token) pairs
    # (a host that mints them before the job starts, for the audiences its pipeline names)
    oidc_tokens: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    # the merge/pull request the run is for and its labels, when the host's variables say
    # (None: they do not; the event payload may)
    pull_number: int | None = None
    pull_labels: tuple[str, ...] | None = None
    # the host API's token from the environment, in CI or not; never shown
    token: str | None = field(default=None, repr=False)
    # the variable the token came from: a host may want each kind sent its own way
    token_source: str | None = None
    # whose API `token` and `api_url` serve: the job's host, or the host whose token
    # variables were set by hand outside a job (None: no token)
    api_host: str | None = None

    @property
    def tag(self) -> str | None:
        """The tag the run is for (a tag push, a release), else None."""
        if self.ref_type == "tag" and self.ref_name:
            return self.ref_name
        if self.ref.startswith(_TAG_REF):
            return self.ref.removeprefix(_TAG_REF)
        return None

    @property
    def workflow_file(self) -> str | None:
        """The running workflow's file name (publish-pypi.yml), from `workflow_ref`."""
        if not self.workflow_ref:
            return None
        return self.workflow_ref.split("@", 1)[0].rsplit("/", 1)[-1]


NOT_IN_CI = CIRun()
