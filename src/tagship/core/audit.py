"""The audit rules: did every file on the index come from a recorded CI run of a release tag?

Pure: the caller reads the index, the ledger, the tags and the commits reachable from the
release branches, and passes them in. A file is `ok` when some ledger `publish` record
- lists it with the same name and SHA-256,
- was made for this index (its name and normalised upload URL),
- was made in GitHub Actions (not on a maintainer's machine), by a run GitHub confirms
  (when the caller could ask GitHub: see core.ci_identity),
- names a tag that exists and still points to the record's commit,
- whose version is the file's version,
- and that commit is reachable from the release branch or a hotfix branch.
When the caller checked the index's PEP 740 provenance, its findings join the file's, and
the attestations' publisher must be the record's repository and workflow. A record made
from a dirty work tree fails, and so does every version a replayed run attempt claims (one
run attempt, one set of bytes: see core.replays).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from tagship.core.ci_identity import (
    CI_IDENTITY_FORGED,
    GITHUB_ACTIONS,
    GITHUB_RULES,
    NOT_VERIFIED,
    IdentityRules,
    claim_problems,
    claimed_run,
    identity_problems,
    shown,
)
from tagship.core.index_url import normalise_url, recorded_url
from tagship.core.replays import dirty_tree, replayed_versions, tree_unknown
from tagship.core.versions import try_version_from_tag
from tagship.core.words import plural

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from tagship.core.ci_identity import RunClaim, RunFacts
    from tagship.core.config import IndexConfig
    from tagship.core.ledger import Actor, FileEntry, Record

NOT_IN_LEDGER = "not-in-ledger"
HASH_DIFFERS = "hash-differs"
INDEX_DIFFERS = "index-differs"
NOT_FROM_CI = "not-from-ci"
TAG_MISSING_OR_MOVED = "tag-missing-or-moved"
TAG_VERSION_DIFFERS = "tag-version-differs"
NOT_ON_RELEASE_BRANCH = "not-on-release-branch"
YANKED = "yanked"
LEDGER_TAMPERED = "ledger-tampered"
PROVENANCE_INVALID = "provenance-invalid"
PROVENANCE_PUBLISHER_DIFFERS = "provenance-publisher-differs"
RUN_REPLAYED = "run-replayed"
DIRTY_TREE = "dirty-tree"
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
    repository: str | None = None  # the project's GitHub repository (owner/name), if known
    # GitHub's answer for each run `runs_to_check` named (None: no such run); None: not asked
    runs: Mapping[RunClaim, RunFacts | None] | None = None
    # each CI host's identity rules, by the actor kind its records carry
    identity_rules: Mapping[str, IdentityRules] = field(
        default_factory=lambda: {GITHUB_ACTIONS: GITHUB_RULES}
    )


@dataclass(frozen=True)
class FileProvenance:
    """The provenance check of one file: its findings (none: every attestation verified) and
    the publishers its attestations name, as (repository, workflow file)."""

    findings: tuple[Finding, ...]
    signers: frozenset[tuple[str, str]] = frozenset()


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
    """Lookups over the ledger records of one project, for the index `name` at `url`."""

    def __init__(
        self, project: str, records: Sequence[Record], name: str, url: str, environment: str
    ) -> None:
        self.index, self.url = name, url
        self.environment = environment  # where its publish job deploys
        self.by_hash: dict[str, list[tuple[Record, FileEntry]]] = {}
        self.elsewhere: dict[str, list[Record]] = {}  # publish records of other indexes
        self.names: set[str] = set()
        self.yanks: dict[str, str] = {}
        self._problems: dict[tuple[str, str | None], list[Finding]] = {}
        names: dict[str, bool] = {}  # project name as written -> is it this project
        for record in records:
            event = record.event
            mine = names.get(event.project)
            if mine is None:
                mine = names[event.project] = canonicalize_name(event.project) == project
            if not mine or event.result != "ok":
                continue
            if event.kind == "publish":
                here = event.index == name and recorded_url(event) == url
                for entry in event.files:
                    if here:
                        self.by_hash.setdefault(entry.sha256, []).append((record, entry))
                        self.names.add(entry.name)
                    else:
                        self.elsewhere.setdefault(entry.sha256, []).append(record)
            elif event.kind == "yank" and event.index == name:
                self.yanks[_normalise(event.version)] = event.details.get("reason", "")

    def problems(self, record: Record, version: str | None, evidence: Evidence) -> list[Finding]:
        """`_problems`, once per record and version (a record covers a wheel and an sdist)."""
        key = (record.hash, version)
        found = self._problems.get(key)
        if found is None:
            found = self._problems[key] = _problems(record, version, evidence, self.environment)
        return found

    def candidates(self, file: ListedFile) -> list[Record]:
        """The records of this index that list `file` with its name and hash."""
        found = self.by_hash.get(file.sha256 or "", ())
        return [record for record, entry in found if entry.name == file.filename]


def _tag_version(tag: str, tag_format: str) -> str | None:
    prefix, _, suffix = tag_format.partition("{version}")
    if tag.startswith(prefix) and tag.endswith(suffix):
        raw = tag[len(prefix) : len(tag) - len(suffix)]
        if _PLAIN.fullmatch(raw):
            return raw  # the common case, without parsing
    version = try_version_from_tag(tag, tag_format)
    return None if version is None else str(version)


def _attested(actor: Actor, seq: int, signers: Collection[tuple[str, str]]) -> list[Finding]:
    """Each attestation publisher that is not the record's repository and workflow."""
    # GitHub owner and repository names are case-insensitive; workflow file names are not
    claimed = ((actor.repository or "").lower(), actor.workflow)
    return [
        Finding(
            PROVENANCE_PUBLISHER_DIFFERS,
            None,
            f"attested by {shown(repository)} (workflow {shown(workflow)}), but record #{seq} "
            f"names a run of {shown(actor.repository)} (workflow {shown(actor.workflow)})",
        )
        for repository, workflow in sorted(signers)
        if (repository.lower(), workflow) != claimed
    ]


def _problems(
    record: Record, version: str | None, evidence: Evidence, environment: str
) -> list[Finding]:
    event, found = record.event, []
    rules = evidence.identity_rules.get(record.actor.kind)
    if record.actor.is_ci and rules is None:
        detail = f"record #{record.seq} claims a run of {shown(record.actor.kind)}, a CI host "
        found.append(Finding(CI_IDENTITY_FORGED, None, detail + "tagship does not know"))
    elif record.actor.is_ci and rules is not None:
        claims = identity_problems(
            record.actor, event, evidence.repository, evidence.runs, rules, environment=environment
        )
        found += [Finding(kind, None, f"record #{record.seq} {detail}") for kind, detail in claims]
    else:
        where = record.actor.host or "an unknown host"
        found.append(
            Finding(NOT_FROM_CI, None, f"record #{record.seq} was made locally on {where}")
        )
    dirty = dirty_tree(record)
    if dirty is not None:
        found.append(Finding(DIRTY_TREE, None, dirty))
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


def _unrecorded(file: ListedFile, ledger: _Ledger) -> Finding:
    """Why no record of this index covers the file."""
    name = file.filename
    if name in ledger.names:
        detail = f"the index serves SHA-256 {(file.sha256 or '')[:12]}, the ledger recorded another"
        return Finding(HASH_DIFFERS, name, detail)
    others = ledger.elsewhere.get(file.sha256 or "")
    if others:
        where = ", ".join(
            f"#{r.seq} for {shown(r.event.index)} at {shown(recorded_url(r.event) or 'no URL')}"
            for r in others
        )
        detail = f"no record for {ledger.index} at {ledger.url} lists it, only {where}"
        return Finding(INDEX_DIFFERS, name, detail)
    detail = f"no publish record for {ledger.index}: uploaded by other means"
    return Finding(NOT_IN_LEDGER, name, detail)


def _check_file(
    file: ListedFile,
    version: str | None,
    ledger: _Ledger,
    evidence: Evidence,
    signers: Collection[tuple[str, str]],
) -> list[Finding]:
    if file.sha256 is None:
        return [Finding(HASH_DIFFERS, file.filename, "the index gives no SHA-256 for it")]
    candidates = ledger.candidates(file)
    if not candidates:
        return [_unrecorded(file, ledger)]
    best: list[Finding] | None = None
    for record in candidates:
        problems = ledger.problems(record, version, evidence)
        if signers and record.actor.is_ci:
            problems = problems + _attested(record.actor, record.seq, signers)
        if not problems:
            return []
        if best is None or len(problems) < len(best):
            best = problems
    return [Finding(f.kind, file.filename, f.detail) for f in best or ()]


def _provenance_note(files: Sequence[ListedFile], checked: Mapping[str, FileProvenance]) -> str:
    if not checked:
        return "the index offers no PEP 740 provenance: no attestation was verified"
    verified = sum(not found.findings for found in checked.values())
    return f"PEP 740 provenance: {verified} of {len(files)} files with verified attestations"


def _identity_note(evidence: Evidence) -> str:
    rules = evidence.identity_rules
    kinds = {r.actor.kind for r in evidence.records if r.actor.kind in rules}
    named = {rules[kind].host: rules[kind] for kind in kinds}
    hosts = sorted(named)
    if evidence.runs is None:
        # the token of each host the records name (GitHub's when they name none)
        wanted = [named[host] for host in hosts] or [GITHUB_RULES]
        return "CI identities not verified: " + "; ".join(
            f"no {r.host} token ({' or '.join(r.tokens)})" for r in wanted
        )
    return f"CI identities checked with {' and '.join(hosts) or 'GitHub'}: " + plural(
        len(evidence.runs), "run"
    )


def _ledger(project: str, index: IndexConfig, evidence: Evidence) -> _Ledger:
    url = normalise_url(index.upload_url)
    # the environment of the index's publish job, as the generated pipelines name it
    environment = index.environment or index.name
    return _Ledger(canonicalize_name(project), evidence.records, index.name, url, environment)


def runs_to_check(
    project: str, index: IndexConfig, files: Sequence[ListedFile], evidence: Evidence
) -> frozenset[RunClaim]:
    """The GitHub Actions runs the records that could cover `files` claim: what to ask GitHub
    before `audit` (claims that are missing or malformed are findings, never requests)."""
    ledger = _ledger(project, index, evidence)
    return frozenset(
        claimed_run(record.actor, ledger.environment)
        for file in files
        for record in ledger.candidates(file)
        if record.actor.kind in evidence.identity_rules
        and record.actor.is_ci
        and not claim_problems(
            record.actor,
            record.event,
            evidence.repository,
            evidence.identity_rules[record.actor.kind],
        )
    )


def audit(
    project: str,
    index: IndexConfig,
    files: Sequence[ListedFile],
    evidence: Evidence,
    provenance: Mapping[str, FileProvenance] | None = None,
) -> AuditReport:
    """Check every listed file of `index` against the evidence; one report per version.

    `provenance`, when given, holds the provenance check of each file that has provenance on
    the index; None when provenance was not checked."""
    ledger = _ledger(project, index, evidence)
    replayed = replayed_versions(evidence.records, canonicalize_name(project), _normalise)
    grouped: dict[str, list[ListedFile]] = {}
    for file in files:
        grouped.setdefault(file_version(file.filename) or UNKNOWN_VERSION, []).append(file)
    reports = []
    for version, listed in grouped.items():
        findings: list[Finding] = []
        notes: list[str] = [] if evidence.runs is not None else [NOT_VERIFIED]
        if evidence.ledger_problem is not None:
            findings.append(Finding(LEDGER_TAMPERED, None, evidence.ledger_problem))
        known = None if version == UNKNOWN_VERSION else version
        findings += [Finding(RUN_REPLAYED, None, why) for why in replayed.get(version, ())]
        for file in listed:
            checked = (provenance or {}).get(file.filename)
            signers = checked.signers if checked is not None else frozenset()
            findings += _check_file(file, known, ledger, evidence, signers)
            unknown = (tree_unknown(record) for record in ledger.candidates(file))
            notes += [note for note in unknown if note is not None and note not in notes]
            if provenance:  # an index with no provenance at all gets one note for the report
                if checked is not None:
                    findings += checked.findings
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
    report_notes = [_identity_note(evidence)] if files else []
    if provenance is not None and files:
        report_notes.append(_provenance_note(files, provenance))
    return AuditReport(
        project, index.name, tuple(reports), evidence.ledger_problem, tuple(report_notes)
    )
