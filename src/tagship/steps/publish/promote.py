"""Promote the dry run's files: the release publishes the bytes the dry run proved.

The dry run's ledger record names the test index it published to and every file's size and
SHA-256. Promotion fetches those files from that index into the build directory, streaming,
and refuses (exit 4, nothing published) a file the index no longer has or holds with other
bytes; where the index offers PEP 740 provenance, it must name this repository and the test
index's workflow. The files then pass the verification every publish passes, and the
manifest names the promotion. A rerun keeps the files an earlier run fetched and checked.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.provenance import sigstore_verify
from tagship.core.build_output import dist_kind
from tagship.core.errors import GateError, IntegrityError
from tagship.core.manifest import MANIFEST_NAME, Manifest, Promotion, name_problem
from tagship.core.versions import tag_for
from tagship.core.words import plural
from tagship.steps.build.artifacts import (
    check_build_directory,
    dist_files,
    hash_file,
    manifest_entry,
    write_manifest,
)
from tagship.steps.gates.release_checks import promotable_dry_run
from tagship.steps.ledger.audit import check_files, expected_publisher
from tagship.steps.publish.publishing import simple_index
from tagship.steps.publish.release_steps import expected_artifacts
from tagship.steps.verify.verify import verify_artifacts

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.adapters.http import Http
    from tagship.adapters.index import IndexFile, SimpleIndex
    from tagship.adapters.provenance import Verifier
    from tagship.core.config import IndexConfig
    from tagship.core.ledger import FileEntry, Record
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class Promoted:
    """The dry run's files in the build directory, checked, verified and in the manifest."""

    directory: Path
    manifest: Manifest
    dry_run: Record
    index: str  # the test index they came from
    fetched: int  # downloaded; the others were in the directory already, with those bytes
    provenance: str


def promoted_summary(done: Promoted) -> str:
    names = ", ".join(f.name for f in done.manifest.files)
    kept = len(done.manifest.files) - done.fetched
    again = f", {kept} already in {done.directory.name} with those bytes" if kept else ""
    return (
        f"{names} from {done.index} (dry run record {done.dry_run.seq}; {done.fetched} "
        f"fetched{again}): every byte as recorded, verified; {done.provenance}"
    )


def promote(
    workspace: Workspace,
    directory: Path,
    production: IndexConfig,
    *,
    http: Http,
    verify: Verifier = sigstore_verify,
) -> Promoted:
    """Fetch the files of HEAD's recorded dry run into `directory`, check and verify them,
    and write their manifest. IntegrityError (exit 4) when the test index lacks a file or
    holds other bytes, ServiceError (exit 3) when it cannot be reached. `verify` checks each
    PEP 740 attestation (offline Sigstore by default)."""
    git = workspace.require_git()
    check_build_directory(directory)
    expected = expected_artifacts(workspace)
    commit = git.head_sha()
    dry, index = promotable_dry_run(workspace, str(expected.version), commit, production)
    entries = _checked_entries(dry)
    lookup = simple_index(workspace, index, http)
    page = lookup.project(workspace.name)
    listed = {f.filename: f for f in (page.files if page is not None else ())}
    _make_room(directory, {e.name for e in entries})
    fetched = sum(
        _fetch(lookup, listed.get(e.name), e, directory, dry=dry, index=index.name) for e in entries
    )
    # the index's page may not say the hash: the provenance is checked against the record's
    files = [dataclasses.replace(listed[e.name], sha256=e.sha256) for e in entries]
    provenance = _provenance(workspace, index, lookup, files, verify)
    report = verify_artifacts(
        directory,
        expected.name,
        expected.version,
        allow_top_level=expected.allow_top_level,
        owned_top_level=expected.owned_top_level,
    )
    report.raise_for_problems()
    manifest = Manifest(
        project=workspace.name,
        version=str(expected.version),
        tag=tag_for(expected.version, workspace.config.tag_format),
        commit=commit,
        dirty=False,
        source_date_epoch=git.commit_time(),
        builder=f"promoted from {index.name}",
        build_backend=workspace.meta.backend,
        backend_version=report.generator or "unknown",
        files=tuple(manifest_entry(d) for d in report.files),
        promotion=Promotion(dry.seq, index.name),
    )
    write_manifest(directory, manifest)
    return Promoted(directory, manifest, dry, index.name, fetched, provenance)


def _checked_entries(dry: Record) -> tuple[FileEntry, ...]:
    """The record's files; a name that is not a bare distribution file name (a forged
    record's `../x`) is never opened."""
    for entry in dry.event.files:
        problem = name_problem(entry.name, dist_kind(entry.name) or "sdist")
        if problem is not None:
            raise IntegrityError(
                f"dry run record {dry.seq} lists a file tagship cannot promote: {problem}",
                hint="investigate the ledger (tagship ledger verify), then run the dry run again",
            )
    return dry.event.files


def _make_room(directory: Path, keep: set[str]) -> None:
    """Remove other build output (and the manifest, which no longer describes the directory)
    before anything is fetched; never a file that is not build output."""
    directory.mkdir(parents=True, exist_ok=True)
    foreign = [d.name for d in dist_files(directory) if d.kind is None]
    if foreign:
        raise GateError(
            f"{directory} holds files that are not build output: {', '.join(foreign[:3])}",
            hint="promote into a directory of its own: --dir DIR",
        )
    (directory / MANIFEST_NAME).unlink(missing_ok=True)
    for dist in dist_files(directory):
        if dist.name not in keep:
            dist.path.unlink()


def _holds(path: Path, entry: FileEntry) -> bool:
    try:
        digest = hash_file(path)
    except FileNotFoundError:
        return False
    return (digest.size, digest.sha256) == (entry.size, entry.sha256)


def _fetch(
    lookup: SimpleIndex,
    file: IndexFile | None,
    entry: FileEntry,
    directory: Path,
    *,
    dry: Record,
    index: str,
) -> bool:
    """Download one file unless the directory holds its recorded bytes already; True when
    downloaded. The bytes land under their name only once their hash is the record's."""
    if file is None:
        raise _missing(entry, index, dry)
    if file.sha256 is not None and file.sha256.lower() != entry.sha256:
        raise _other_bytes(entry, index, file.sha256.lower(), dry)
    target = directory / entry.name
    if _holds(target, entry):
        return False
    part = directory / f".{entry.name}.part"  # hidden: never taken for build output
    try:
        with part.open("wb") as handle:
            if not lookup.download(file, handle, limit=entry.size):
                raise _missing(entry, index, dry)
        digest = hash_file(part)
        if (digest.size, digest.sha256) != (entry.size, entry.sha256):
            longer = f"(more than the recorded {entry.size} bytes)"
            raise _other_bytes(
                entry, index, longer if digest.size > entry.size else digest.sha256, dry
            )
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
    return True


def _missing(entry: FileEntry, index: str, dry: Record) -> IntegrityError:
    return IntegrityError(
        f"{entry.name} is not on {index} any more (dry run record {dry.seq} has sha256 "
        f"{entry.sha256}): nothing was published",
        hint="the files the dry run proved are gone: release a new version from a new dry run",
    )


def _other_bytes(entry: FileEntry, index: str, found: str, dry: Record) -> IntegrityError:
    return IntegrityError(
        f"{entry.name} on {index} is not the file the dry run proved: {index} sha256 {found}, "
        f"dry run record {dry.seq} sha256 {entry.sha256}: nothing was published",
        hint=f"the file on {index} was replaced: investigate it, then release a new version "
        "from a new dry run",
    )


def _provenance(
    workspace: Workspace,
    index: IndexConfig,
    lookup: SimpleIndex,
    files: list[IndexFile],
    verify: Verifier,
) -> str:
    """Where the index offers PEP 740 provenance, every attestation must verify and name this
    repository and the index's workflow (as the audit checks it)."""
    documents = {
        f.filename: document
        for f in files
        if f.provenance is not None and (document := lookup.provenance(f)) is not None
    }
    if not documents:
        return f"{index.name} offers no PEP 740 provenance"
    publisher = expected_publisher(workspace.config, index)
    checked = check_files(files, documents, publisher, verify)
    for name, result in checked.items():
        if result.findings:
            raise IntegrityError(
                f"the PEP 740 provenance of {name} on {index.name} does not hold: "
                f"{result.findings[0].detail}: nothing was published",
                hint="the files must come from this repository's dry run workflow: "
                "investigate, then release a new version from a new dry run",
            )
    return f"PEP 740 provenance of {plural(len(documents), 'file')} verified ({publisher})"
