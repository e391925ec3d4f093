"""The audit rules: did every file on the index come from a recorded CI run of a release tag?

Pure: the caller reads the index, the ledger, the tags and the commits reachable from the
release branches, and passes them in. A file is `ok` when some ledger `publish` record
- lists it with the same name and SHA-256,
- was made in GitHub Actions (not on a maintainer's machine),
- names a tag that exists and still points to the record's commit,
- whose version is the file's version,
- and that commit is reachable from the release branch or a hotfix branch.
When the caller checked the index's PEP 740 provenance, its findings join the file's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from tagship.core.versions import try_version_from_tag

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from tagship.core.ledger import FileEntry, Record

NOT_IN_LEDGER = "not-in-ledger"
HASH_DIFFERS = "hash-differs"
NOT_FROM_CI = "not-from-ci"
TAG_MISSING_OR_MOVED = "tag-missing-or-moved"
TAG_VERSION_DIFFERS = "tag-version-differs"
NOT_ON_RELEASE_BRANCH = "not-on-release-branch"
YANKED = "yanked"
LEDGER_TAMPERED = "ledger-tampered"
PROVENANCE_INVALID = "provenance-invalid"
PROVENANCE_PUBLISHER_DIFFERS = "provenance-publisher-differs"
UNKNOWN_VERSION = "(unknown)"
_PLAIN = re.compile(r"(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*")  # a PEP 440 normal form


class ListedFile(Protocol):
    """A file as the index lists it (adapters.index.IndexFile fits)."""

    @property
    def filename(self) -> str: ...
    @property
    def sha256(self) -> str | None: ...
    @property
    def yanked(self) -> str | None: ...


@dataclass(frozen=True)
class Finding:
    """Something wrong with one file (or, without `filename`, the whole version)."""

    kind: str
    filename: str | None
    detail: str


@dataclass(frozen=True)
class VersionReport:
    """One version: its files, its findings; `notes` are facts that are not failures."""

    version: str
    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass(frozen=True)
class AuditReport:
    project: str
    index: str
    versions: tuple[VersionReport, ...]
    ledger_problem: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.versions)

    @property
    def findings(self) -> int:
        return sum(len(v.findings) for v in self.versions)


@dataclass(frozen=True)
class Evidence:
    """What the audit checks a file against, gathered once."""

    records: Sequence[Record]  # the verified part of the ledger
    tags: Mapping[str, str]  # tag -> commit it points to now
    release_commits: Collection[str]  # commits reachable from main or hotfix/*
    tag_format: str
    ledger_problem: str | None = None  # why the ledger cannot be trusted, if it cannot


def file_version(filename: str) -> str | None:
    """The normalised version in a wheel or sdist file name, or None for other files."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        raw = parts[1] if len(parts) in (5, 6) else None  # name-version(-build)-py-abi-plat
    elif filename.endswith((".tar.gz", ".zip")):
        stem = filename.removesuffix(".tar.gz").removesuffix(".zip")
        raw = stem.rpartition("-")[2] if "-" in stem else None
    else:
        raw = None
    return None if raw is None else _parsed_version(raw)


def _parsed_version(raw: str) -> str | None:
    # most releases are plain X.Y.Z, already in normal form: no need to parse them
    if _PLAIN.fullmatch(raw):
        return raw
    try:
        return str(Version(raw))
    except InvalidVersion:
        return None


def _normalise(version: str) -> str:
    return _parsed_version(version) or version


class _Ledger:
    """Lookups over the ledger records of one project."""

    def __init__(self, project: str, records: Sequence[Record]) -> None:
        self.by_hash: dict[str, list[tuple[Record, FileEntry]]] = {}
        self.names: set[str] = set()
        self.yanks: dict[str, str] = {}
        names: dict[str, bool] = {}  # project name as written -> is it this project
        for record in records:
            event = record.event
            mine = names.get(event.project)
            if mine is None:
                mine = names[event.project] = canonicalize_name(event.project) == project
            if not mine or event.result != "ok":
                continue
            if event.kind == "publish":
                for entry in event.files:
                    self.by_hash.setdefault(entry.sha256, []).append((record, entry))
                    self.names.add(entry.name)
            elif event.kind == "yank":
                self.yanks[_normalise(event.version)] = event.details.get("reason", "")


def _tag_version(tag: str, tag_format: str) -> str | None:
    prefix, _, suffix = tag_format.partition("{version}")
    if tag.startswith(prefix) and tag.endswith(suffix):
        raw = tag[len(prefix) : len(tag) - len(suffix)]
        if _PLAIN.fullmatch(raw):
            return raw  # the common case, without parsing
    version = try_version_from_tag(tag, tag_format)
    return None if version is None else str(version)


def _problems(record: Record, version: str | None, evidence: Evidence) -> list[Finding]:
    event, found = record.event, []
    if not record.actor.is_ci:
        where = record.actor.host or "an unknown host"
        found.append(
            Finding(NOT_FROM_CI, None, f"record #{record.seq} was made locally on {where}")
        )
    target = evidence.tags.get(event.tag) if event.tag else None
    if event.tag is None or target is None:
        detail = f"record #{record.seq} names tag {event.tag}, which does not exist"
        found.append(Finding(TAG_MISSING_OR_MOVED, None, detail))
    elif target != event.commit:
        detail = (
            f"tag {event.tag} points to {target[:12]}, but record #{record.seq} published "
            f"from {(event.commit or 'no commit')[:12]}"
        )
        found.append(Finding(TAG_MISSING_OR_MOVED, None, detail))
    if event.tag is not None and _tag_version(event.tag, evidence.tag_format) != version:
        detail = f"tag {event.tag} is not the release tag of version {version}"
        found.append(Finding(TAG_VERSION_DIFFERS, None, detail))
    if event.commit is None or event.commit not in evidence.release_commits:
        detail = f"commit {(event.commit or 'none')[:12]} is not on a release or hotfix branch"
        found.append(Finding(NOT_ON_RELEASE_BRANCH, None, detail))
    return found


def _check_file(
    file: ListedFile, version: str | None, ledger: _Ledger, evidence: Evidence
) -> list[Finding]:
    name = file.filename
    if file.sha256 is None:
        return [Finding(HASH_DIFFERS, name, "the index gives no SHA-256 for it")]
    candidates = [r for r, entry in ledger.by_hash.get(file.sha256, ()) if entry.name == name]
    if not candidates:
        if name in ledger.names:
            detail = f"the index serves SHA-256 {file.sha256[:12]}, the ledger recorded another"
            return [Finding(HASH_DIFFERS, name, detail)]
        return [Finding(NOT_IN_LEDGER, name, "no publish record: uploaded by other means")]
    best: list[Finding] | None = None
    for record in candidates:
        problems = _problems(record, version, evidence)
        if not problems:
            return []
        if best is None or len(problems) < len(best):
            best = problems
    return [Finding(f.kind, name, f.detail) for f in best or ()]


def _provenance_note(files: Sequence[ListedFile], checked: Mapping[str, Sequence[Finding]]) -> str:
    if not checked:
        return "the index offers no PEP 740 provenance: no attestation was verified"
    verified = sum(not found for found in checked.values())
    return f"PEP 740 provenance: {verified} of {len(files)} files with verified attestations"


def audit(
    project: str,
    index: str,
    files: Sequence[ListedFile],
    evidence: Evidence,
    provenance: Mapping[str, Sequence[Finding]] | None = None,
) -> AuditReport:
    """Check every listed file against the evidence; one report per version.

    `provenance`, when given, holds the findings of the provenance check of each file that
    has provenance on the index (none: verified); None when provenance was not checked."""
    canonical = canonicalize_name(project)
    ledger = _Ledger(canonical, evidence.records)
    grouped: dict[str, list[ListedFile]] = {}
    for file in files:
        grouped.setdefault(file_version(file.filename) or UNKNOWN_VERSION, []).append(file)
    reports = []
    for version, listed in grouped.items():
        findings: list[Finding] = []
        notes: list[str] = []
        if evidence.ledger_problem is not None:
            findings.append(Finding(LEDGER_TAMPERED, None, evidence.ledger_problem))
        known = None if version == UNKNOWN_VERSION else version
        for file in listed:
            findings += _check_file(file, known, ledger, evidence)
            if provenance:  # an index with no provenance at all gets one note for the report
                if file.filename in provenance:
                    findings += provenance[file.filename]
                else:
                    notes.append(f"{file.filename} has no PEP 740 provenance on the index")
            if file.yanked is not None:
                reason = file.yanked or "no reason given"
                if known is not None and known in ledger.yanks:
                    notes.append(f"{file.filename} yanked ({reason}), as recorded in the ledger")
                else:
                    detail = f"yanked ({reason}) without a yank record in the ledger"
                    findings.append(Finding(YANKED, file.filename, detail))
        reports.append(
            VersionReport(version, tuple(f.filename for f in listed), tuple(findings), tuple(notes))
        )
    report_notes = () if provenance is None or not files else (_provenance_note(files, provenance),)
    return AuditReport(project, index, tuple(reports), evidence.ledger_problem, report_notes)
