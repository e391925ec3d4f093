"""Preflight: the index's rules for this upload, checked before its first byte is sent.

One read of the project's JSON simple page (status, the files there, their sizes and upload
times), one of each sibling package's (how many projects the run would create), and the files'
own metadata; then every rule of core/preflight_rules.py and core/archive_rules.py. Every
refusal is named at once (PreflightError, exit 1); warnings ride along in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from tagship.core.audit import file_version
from tagship.core.build_output import dist_kind
from tagship.core.errors import EXIT_INTEGRITY, GateError
from tagship.core.official import is_official
from tagship.core.preflight_rules import (
    OTHER_BYTES,
    Finding,
    OnIndex,
    Target,
    Upload,
    name_findings,
    new_project_findings,
    sdist_findings,
    size_findings,
    status_findings,
    window_findings,
)
from tagship.core.release_plan import PREFLIGHT
from tagship.core.words import plural
from tagship.steps.publish.preflight_archives import archive_findings
from tagship.steps.publish.publishing import simple_index

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from tagship.adapters.http import Http
    from tagship.adapters.index import IndexFile, ProjectPage
    from tagship.core.config import IndexConfig
    from tagship.core.ledger import FileEntry
    from tagship.core.manifest import Manifest
    from tagship.workspace import Workspace

NAME = PREFLIGHT


@dataclass(frozen=True)
class PreflightReport:
    """What the preflight found for one upload: the project's status on the index, the files
    already there with the same bytes (a resume), and every finding."""

    target: Target
    status: str
    resumed: tuple[str, ...]
    findings: tuple[Finding, ...]
    # filename -> sha256 in lower case (None: not given) of every file the page listed
    listed: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def failures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "failed")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")


class PreflightError(GateError):
    """The index would refuse the upload: every refusal, one line each, with its fix."""

    def __init__(self, report: PreflightReport) -> None:
        failures = report.failures
        lines = "".join(f"\n  {f.rule}: {f.message}" for f in failures)
        super().__init__(
            f"{report.target.index} would refuse {report.target.project} "
            f"{report.target.version} ({plural(len(failures), 'refusal')}):{lines}",
            hint="nothing was uploaded or tagged; fix each and rerun",
            # other bytes under a release's name is an integrity failure wherever it is found
            exit_code=EXIT_INTEGRITY if any(f.rule == OTHER_BYTES for f in failures) else None,
        )
        self.report = report


def _uploaded(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=timezone.utc)


def on_index(files: Sequence[IndexFile]) -> tuple[OnIndex, ...]:
    """The index's files as the rules read them."""
    return tuple(
        OnIndex(f.filename, file_version(f.filename), f.sha256, f.size, _uploaded(f.upload_time))
        for f in files
    )


def new_projects(
    workspace: Workspace, index: IndexConfig, http: Http, *, this_one: bool
) -> list[str]:
    """The repository's packages the index does not know yet (`this_one`: this package is
    new too, as its page, already read, said)."""
    lookup = simple_index(workspace, index, http)
    others = [n for n in dict.fromkeys(workspace.siblings) if n != workspace.name]
    found = [name for name in others if lookup.project(name) is None]
    return [workspace.name, *found] if this_one else found


def judge(
    target: Target,
    page: ProjectPage | None,
    *,
    now: datetime,
    pypi: bool = True,
    created: Sequence[str] = (),
    archives: Sequence[Finding] = (),
) -> PreflightReport:
    """Every rule, against the project's page (None: not on the index yet). PyPI's own rules
    refuse where they bind (`pypi`: PyPI, TestPyPI, an index declared official) and only warn
    elsewhere: a private index may take what PyPI would not."""
    files = on_index(page.files) if page is not None else ()
    marker = page.status if page is not None else None
    status, reason = (marker.status, marker.reason) if marker is not None else (None, None)
    listed = {f.name: None if f.sha256 is None else f.sha256.lower() for f in files}
    resumed = tuple(u.name for u in target.uploads if listed.get(u.name) == u.sha256.lower())
    pypi_only = [
        *sdist_findings(target, files),
        *window_findings(target, files, now),
        *size_findings(target, files),
        *new_project_findings(target.index, created),
        *archives,
    ]
    if not pypi:
        pypi_only = [replace(f, severity="warning") for f in pypi_only]
    findings = [
        *status_findings(target, status, reason),
        *name_findings(target, files),
        *pypi_only,
    ]
    shown = status or ("active" if page is not None else "new")
    return PreflightReport(target, shown, resumed, tuple(findings), listed)


def preflight(
    workspace: Workspace,
    target: Target,
    index: IndexConfig,
    *,
    http: Http,
    directory: Path | None = None,
    now: datetime | None = None,
) -> PreflightReport:
    """Read the index and judge `target` (its files' metadata too when `directory` holds
    them); raises PreflightError when anything would be refused."""
    page = simple_index(workspace, index, http).project(target.project)
    created = (
        new_projects(workspace, index, http, this_one=page is None) if workspace.siblings else ()
    )
    archives = archive_findings(directory, target.uploads) if directory is not None else []
    when = now or datetime.now(timezone.utc)
    pypi = is_official(index)
    report = judge(target, page, now=when, pypi=pypi, created=created, archives=archives)
    if report.failures:
        raise PreflightError(report)
    return report


def manifest_target(index: IndexConfig, manifest: Manifest) -> Target:
    uploads = tuple(Upload(f.name, f.kind, f.size, f.sha256) for f in manifest.files)
    return Target(index.name, manifest.project, manifest.version, uploads)


def entries_target(
    index: IndexConfig, project: str, version: str, files: Sequence[FileEntry]
) -> Target:
    """A target from a ledger record's files (the dry run's, which the release promotes)."""
    uploads = tuple(Upload(f.name, dist_kind(f.name), f.size, f.sha256) for f in files)
    return Target(index.name, project, version, uploads)


def preflight_manifest(
    workspace: Workspace, manifest: Manifest, directory: Path, index: IndexConfig, *, http: Http
) -> PreflightReport:
    """The flows' step before the publish: the manifest's files in `directory`."""
    return preflight(
        workspace, manifest_target(index, manifest), index, http=http, directory=directory
    )


def preflight_summary(report: PreflightReport) -> str:
    target = report.target
    files = plural(len(target.uploads), "file")
    text = f"{target.project} is {report.status} on {target.index}; {files} pass its rules"
    if report.resumed:
        text += f" ({len(report.resumed)} already there with the same bytes: a resume)"
    return text + "".join(f"; warning: {w.message}" for w in report.warnings)
