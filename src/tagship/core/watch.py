"""`tagship watch`'s rules: what the ledger says was released, against what the index and the
host show now. Pure: the steps layer reads the ledger, the index's page and the host.

The index's side is its JSON simple API as warehouse writes it (`_simple_detail` in
`warehouse/packaging/utils.py`): PEP 792 `project-status`, PEP 592 `yanked`, PEP 740
`provenance` and each file's `sha256`. A quarantined release (PyPI, since May 2026) or project
has no marker of its own there: warehouse leaves its files out, so a recorded file the page
no longer lists is what a quarantine (or a deletion) looks like.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from packaging.utils import canonicalize_name

from tagship.core.printable import printable
from tagship.core.words import plural

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from tagship.core.ledger import Record

# what a finding is about
PROJECT_STATUS = "project-status"
NOT_LISTED = "not-listed"
HASH_DIFFERS = "hash-differs"
YANKED = "yanked"
NO_ATTESTATION = "no-attestation"
GITHUB_RELEASE = "github-release"
ACTIVE = "active"
# the simple API versions (PEP 629 `api-version`) that carry each field, as warehouse raised
# them: PEP 740 `provenance` in 1.3 (commit e04b7bb16), PEP 792 `project-status` in 1.4
# (b71031f03); an older index, or a mirror, says nothing of them, which is no drift
PROVENANCE_SINCE = (1, 3)
STATUS_SINCE = (1, 4)


class WatchedFile(Protocol):
    """A file as the index lists it (adapters.index.IndexFile fits)."""

    @property
    def filename(self) -> str: ...
    @property
    def sha256(self) -> str | None: ...
    @property
    def yanked(self) -> str | None: ...
    @property
    def provenance(self) -> str | None: ...


class HostRelease(Protocol):
    """A release on the CI host (ci.api.Release fits)."""

    @property
    def tag_name(self) -> str: ...
    @property
    def draft(self) -> bool: ...


@dataclass(frozen=True)
class Finding:
    """One drift: `where` is the index's name or the host's; `version` None for the project."""

    kind: str
    where: str
    version: str | None
    detail: str

    def line(self) -> str:
        return f"{self.where} {self.version or '(project)'}: {self.detail}"


@dataclass(frozen=True)
class Released:
    """A release the ledger records on one index: its files' SHA-256 by name, as published."""

    index: str
    version: str
    files: Mapping[str, str]
    yank_recorded: bool = False  # the ledger records a yank of it on that index


@dataclass(frozen=True)
class WatchReport:
    project: str
    releases: tuple[Released, ...]
    hosted: tuple[str, ...]  # the tags whose GitHub Release was checked
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]  # what was not checked, and why

    @property
    def ok(self) -> bool:
        return not self.findings


def serves(api_version: str | None, since: tuple[int, int]) -> bool:
    """Whether a page of simple API `api_version` (None: an HTML page) carries the fields
    added in version `since`."""
    major, _, minor = (api_version or "").partition(".")
    if not (major.isdigit() and minor.split(".")[0].isdigit()):
        return False
    return (int(major), int(minor.split(".")[0])) >= since


def released(
    records: Sequence[Record], project: str, indexes: Collection[str] | None = None
) -> list[Released]:
    """The project's successful publishes, one per index and version (files of several
    publish records merged, the later hash winning), in the ledger's order. Without
    `indexes`, every index but where a version went only through its dry run."""
    name = canonicalize_name(project)
    mine = [r.event for r in records if canonicalize_name(r.event.project) == name]
    dry = {(e.index, e.version) for e in mine if e.kind == "dry-run"}
    yanks = {(e.index, e.version) for e in mine if e.kind == "yank"}
    found: dict[tuple[str, str], dict[str, str]] = {}
    for event in mine:
        if event.kind != "publish" or event.result != "ok" or event.index is None:
            continue
        key = (event.index, event.version)
        if (event.index not in indexes) if indexes is not None else key in dry:
            continue
        found.setdefault(key, {}).update({f.name: f.sha256.lower() for f in event.files})
    return [Released(i, v, files, (i, v) in yanks) for (i, v), files in found.items()]


def status_findings(index: str, status: str | None, reason: str | None) -> list[Finding]:
    """The project's PEP 792 status: anything but active is drift (no marker: active)."""
    if status is None or status == ACTIVE:
        return []
    why = f" ({reason})" if reason else ""
    return [Finding(PROJECT_STATUS, index, None, f"the project is {status} on {index}{why}")]


def release_findings(
    release: Released, listed: Sequence[WatchedFile] | None, *, attestations_due: bool
) -> list[Finding]:
    """One release's files against the index's page (None: the index knows no such project)."""
    shown = {f.filename: f for f in listed or ()}
    where, version = release.index, release.version
    missing = sorted(n for n in release.files if n not in shown)
    if len(missing) == len(release.files):
        why = "the index does not know the project" if listed is None else "quarantined or deleted"
        count = plural(len(missing), "recorded file")
        return [Finding(NOT_LISTED, where, version, f"none of its {count} is listed ({why})")]
    found = [Finding(NOT_LISTED, where, version, f"{n} is not listed") for n in missing]
    for name, sha256 in sorted(release.files.items()):
        file = shown.get(name)
        if file is None:
            continue
        if file.sha256 is not None and file.sha256.lower() != sha256:
            given = printable(file.sha256.lower())  # the index's text, hex or not
            detail = f"{name} has sha256 {given}, the ledger records {sha256}"
            found.append(Finding(HASH_DIFFERS, where, version, detail))
        if file.yanked is not None and not release.yank_recorded:
            reason = f": {file.yanked}" if file.yanked else ""
            detail = f"{name} is yanked{reason} (no yank is recorded)"
            found.append(Finding(YANKED, where, version, detail))
        if attestations_due and file.provenance is None:
            detail = f"{name} has no attestation (PEP 740 provenance)"
            found.append(Finding(NO_ATTESTATION, where, version, detail))
    return found


def host_findings(
    host: str, published: Mapping[str, str], releases: Sequence[HostRelease]
) -> list[Finding]:
    """Each GitHub Release the ledger records as published (tag -> version) must still be
    there, and not a draft."""
    by_tag = {r.tag_name: r for r in releases}
    found = []
    for tag, version in published.items():
        release = by_tag.get(tag)
        if release is None:
            found.append(Finding(GITHUB_RELEASE, host, version, f"the release of {tag} is gone"))
        elif release.draft:
            detail = f"the release of {tag} is a draft again"
            found.append(Finding(GITHUB_RELEASE, host, version, detail))
    return found


def published_on_host(records: Sequence[Record], project: str) -> dict[str, str]:
    """Tag -> version of the project's GitHub Releases the ledger records as published."""
    name = canonicalize_name(project)
    return {
        r.event.tag: r.event.version
        for r in records
        if r.event.kind == "github-release"
        and r.event.tag is not None
        and r.event.result == "ok"
        and canonicalize_name(r.event.project) == name
    }
