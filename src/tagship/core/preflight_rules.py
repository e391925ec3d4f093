"""The index's rules for an upload, judged before the first byte is sent: pure, no I/O.

Each rule is PyPI's as warehouse enforces it (pypi/warehouse, read 2026-08):
- project status (PEP 792, `project-status` of the JSON simple API, API 1.4): an archived
  project takes no uploads; a quarantined one takes none from a Trusted Publisher
  (packaging/models.py, Project.__acl__); `deprecated` is a warning (PyPI sets none yet);
- file and project size (constants.py: MAX_FILESIZE 100 MiB, MAX_PROJECT_SIZE 10 GiB, raised
  per project on request; forklift/legacy.py "File too large" / "Project size too large");
- no new file on a release older than 14 days (forklift/legacy.py,
  MAXIMUM_AGE_FOR_NEW_UPLOADS_DAYS, PR #19727); the release's age is its first file's
  `upload-time` (PEP 700);
- a file name the index holds with other bytes is refused ("File already exists"); the same
  bytes are a resume; one sdist per release ("Only one sdist may be uploaded per release");
- new projects: 20 an hour per user through API tokens (config.py,
  PROJECT_CREATE_USER_RATELIMIT_STRING); a pending Trusted Publisher creates its project
  without that limit (oidc/views.py, ratelimited=False).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tagship.core.build_output import Kind

Severity = Literal["failed", "warning"]
MIB, GIB = 1024**2, 1024**3
FILE_LIMIT = 100 * MIB
PROJECT_LIMIT = 10 * GIB
WINDOW = timedelta(days=14)
NEW_PROJECTS_PER_HOUR = 20
LIMITS_URL = "https://docs.pypi.org/project-management/storage-limits"
FILE_LIMIT_URL = f"{LIMITS_URL}#requesting-a-file-size-limit-increase"
PROJECT_LIMIT_URL = f"{LIMITS_URL}#requesting-a-project-size-limit-increase"
# a name on the index with other bytes: exit 4 as the publish's own check, not a closed gate
OTHER_BYTES = "same name, other bytes"
# (why the index refuses, what lifts it)
REFUSING = {
    "archived": ("takes no uploads", "an owner unarchives it in the project's settings"),
    "quarantined": (
        "takes no uploads from a Trusted Publisher",
        "the index's admins lift a quarantine: answer their notice to the owners",
    ),
}


@dataclass(frozen=True)
class Upload:
    """One file about to be uploaded: its name, kind, size and SHA-256."""

    name: str
    kind: Kind | None
    size: int
    sha256: str


@dataclass(frozen=True)
class OnIndex:
    """One file the index holds for the project, as its JSON page lists it."""

    name: str
    version: str | None
    sha256: str | None
    size: int | None
    uploaded: datetime | None


@dataclass(frozen=True)
class Finding:
    """What one rule found: a refusal ("failed") or a warning, one line with its fix."""

    rule: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class Target:
    """The upload as a whole: which index, which project and version, which files."""

    index: str
    project: str
    version: str
    uploads: tuple[Upload, ...]


def status_findings(target: Target, status: str | None, reason: str | None) -> list[Finding]:
    """PEP 792: archived and quarantined refuse, deprecated warns; no marker is active."""
    said = f" ({reason})" if reason else ""
    if status in REFUSING:
        why, fix = REFUSING[status]
        return [
            Finding(
                "project status",
                "failed",
                f"{target.project} on {target.index} is {status}{said} and {why}: {fix}",
            )
        ]
    if status == "deprecated":
        return [
            Finding(
                "project status",
                "warning",
                f"{target.project} on {target.index} is deprecated{said}: installers warn "
                "about it; clear the status if the project lives on",
            )
        ]
    if status not in (None, "active"):
        return [
            Finding(
                "project status",
                "warning",
                f"{target.project} on {target.index} has the status {status!r}, "
                "which tagship does not know: check the project's page",
            )
        ]
    return []


def _size(n: int) -> str:
    return f"{n / GIB:.1f} GB" if n >= GIB else f"{n / MIB:.1f} MB"


def size_findings(target: Target, files: Sequence[OnIndex]) -> list[Finding]:
    """Each new file against the per-file limit, the project's total against its limit. A
    file (or total) already over the default shows the limit was raised: the largest one
    there is then the limit known to hold."""
    there = {f.name for f in files}
    new = [u for u in target.uploads if u.name not in there]
    file_limit = max([FILE_LIMIT, *(f.size or 0 for f in files)])
    found = [
        Finding(
            "file size",
            "failed",
            f"{u.name} is {_size(u.size)}, over PyPI's {_size(file_limit)} limit per "
            f"file: make it smaller, or request a file size limit increase "
            f"({FILE_LIMIT_URL})",
        )
        for u in new
        if u.size > file_limit
    ]
    held = sum(f.size or 0 for f in files)
    total = held + sum(u.size for u in new)
    if total > PROJECT_LIMIT and held > PROJECT_LIMIT:
        found.append(
            Finding(
                "project size",
                "warning",
                f"{target.project} holds {_size(held)} on {target.index}, over the default "
                f"{_size(PROJECT_LIMIT)}: its raised limit is not published, the upload "
                f"takes {_size(total)} (delete old releases, or request more: "
                f"{PROJECT_LIMIT_URL})",
            )
        )
    elif total > PROJECT_LIMIT:
        found.append(
            Finding(
                "project size",
                "failed",
                f"{target.project} would hold {_size(total)} on {target.index}, over PyPI's "
                f"{_size(PROJECT_LIMIT)} limit per project: delete old releases, or request a "
                f"project size limit increase ({PROJECT_LIMIT_URL})",
            )
        )
    return found


OTHER_BYTES_FIX = "never overwrite a release: bump the version and release anew"


def other_bytes(name: str, found: str | None, sha256: str, index: str) -> str:
    """The one wording of a file name the index holds with other bytes (publish's too)."""
    return (
        f"{name} is already on {index} with other bytes: index sha256 "
        f"{found.lower() if found else '(unknown)'}, manifest sha256 {sha256}"
    )


def name_findings(target: Target, files: Sequence[OnIndex]) -> list[Finding]:
    """A name there with other bytes is refused for good (by any index). The same bytes are
    a resume: the publish skips them."""
    there = {f.name: f for f in files}
    return [
        Finding(
            OTHER_BYTES,
            "failed",
            other_bytes(u.name, there[u.name].sha256, u.sha256, target.index)
            + f": {OTHER_BYTES_FIX}",
        )
        for u in target.uploads
        if u.name in there and (there[u.name].sha256 or "").lower() != u.sha256.lower()
    ]


def sdist_findings(target: Target, files: Sequence[OnIndex]) -> list[Finding]:
    """PyPI takes one sdist per release: a second under another name is refused."""
    there = {f.name for f in files}
    ours = {u.name for u in target.uploads}
    sdists = [
        f.name
        for f in files
        if f.version == target.version and f.name.endswith(".tar.gz") and f.name not in ours
    ]
    if not (sdists and any(u.kind == "sdist" and u.name not in there for u in target.uploads)):
        return []
    return [
        Finding(
            "one sdist",
            "failed",
            f"{target.version} already has the sdist {sdists[0]} on {target.index}, and PyPI "
            "takes one sdist per release: bump the version",
        )
    ]


def window_findings(target: Target, files: Sequence[OnIndex], now: datetime) -> list[Finding]:
    """New files for a release the index has held for more than 14 days are refused."""
    release = [f for f in files if f.version == target.version]
    there = {f.name for f in release}
    new = [u.name for u in target.uploads if u.name not in there]
    times = [f.uploaded for f in release if f.uploaded is not None]
    if not (new and times):
        return []
    created = min(times)
    if now - created <= WINDOW:
        return []
    return [
        Finding(
            "14-day window",
            "failed",
            f"{target.version} was first uploaded to {target.index} on {created:%Y-%m-%d}, "
            f"{(now - created).days} days ago, and PyPI takes no new files for a release "
            f"older than 14 days ({len(new)} to add, e.g. {new[0]}): release a new version "
            "(a post release or a patch) with these files",
        )
    ]


def new_project_findings(index: str, new_projects: Sequence[str]) -> list[Finding]:
    """More new projects than the index creates in an hour for one user: the first release of
    a large monorepo stops half way unless each has a pending Trusted Publisher."""
    if len(new_projects) <= NEW_PROJECTS_PER_HOUR:
        return []
    return [
        Finding(
            "new projects",
            "warning",
            f"{len(new_projects)} packages of this repository are new on {index}, and it "
            f"creates at most {NEW_PROJECTS_PER_HOUR} projects an hour per user through API "
            "tokens: register a pending Trusted Publisher for each (not rate limited), or "
            "release them over several hours",
        )
    ]
