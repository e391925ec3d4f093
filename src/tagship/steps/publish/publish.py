"""Upload exactly the manifest's files to an index, resumably.

Before anything is sent, the build directory passes every check of `verify-artifacts` (exit 1,
or 4 when its bytes are not the manifest's), and every file is looked up on the index: the
same hash is skipped, a different hash stops the publish (exit 4). Files are streamed, never
read whole. Uploads retry transient failures; what could not be sent is reported (exit 3) and
a rerun finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tagship.adapters.http import response_excerpt
from tagship.core.config import credential_variables
from tagship.core.errors import IntegrityError, ServiceError
from tagship.core.official import require_ci_for_official
from tagship.core.preflight_rules import OTHER_BYTES_FIX, other_bytes
from tagship.core.progress import ignore
from tagship.steps.build.artifacts import upload_body
from tagship.steps.publish.upload_progress import CountedUpload

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    import httpx

    from tagship.adapters.http import Http
    from tagship.adapters.index import SimpleIndex
    from tagship.core.ci_run import CIRun
    from tagship.core.config import Credentials, IndexConfig
    from tagship.core.manifest import Manifest, ManifestFile
    from tagship.core.progress import Progress
    from tagship.steps.verify.verify import Expected

Action = Literal["uploaded", "already-there"]
# what the ledger got: a record, none (the same publish is recorded already), one later (the
# record step appends it), or none at all
Ledger = Literal["recorded", "already-recorded", "deferred", "no-repository"]


@dataclass(frozen=True)
class FileOutcome:
    name: str
    sha256: str
    action: Action


@dataclass(frozen=True)
class PublishResult:
    index: str
    project: str
    version: str
    files: tuple[FileOutcome, ...]
    ledger: Ledger | None = None  # set once recorded (steps.release_steps)
    # the minted upload token: `burned`, `not burned: why`; None when none was minted
    token_burn: str | None = None

    @property
    def uploaded(self) -> int:
        return sum(f.action == "uploaded" for f in self.files)


class PublishIncompleteError(ServiceError):
    """Some files reached the index and some did not; a rerun finishes the job. `there`:
    the files on the index, or None when it could not be listed again (`pending` are then
    only not confirmed)."""

    def __init__(self, reason: str, there: list[str] | None, pending: list[str]) -> None:
        if there is None:
            on_index, rest = "unknown (the index could not be listed again)", "not confirmed"
        else:
            on_index, rest = ", ".join(there) or "nothing", "not uploaded"
        super().__init__(
            f"publish incomplete: {reason}; on the index: {on_index}; {rest}: "
            + (", ".join(pending) or "nothing"),
            hint="rerun the same command: files already there are skipped",
        )


def _incomplete(
    reason: str, manifest: Manifest, index: IndexConfig, lookup: SimpleIndex, done: list[str]
) -> ServiceError | IntegrityError:
    """The failure of a publish that stopped half way, saying what is on the index: asked
    again, since an upload whose answer was lost may have landed all the same."""
    try:
        found = index_hashes(lookup, manifest.project)
    except ServiceError:
        return PublishIncompleteError(
            reason, None, [e.name for e in manifest.files if e.name not in done]
        )
    for entry in manifest.files:
        if entry.name in found and found[entry.name] != entry.sha256.lower():
            return conflict(entry, found[entry.name], index.name)
    # a file the index took a moment ago may not be listed yet: `done` counts too
    there = [e.name for e in manifest.files if e.name in found or e.name in done]
    pending = [e.name for e in manifest.files if e.name not in there]
    return PublishIncompleteError(reason, there, pending)


def conflict(entry: ManifestFile, found: str | None, index: str) -> IntegrityError:
    return IntegrityError(other_bytes(entry.name, found, entry.sha256, index), hint=OTHER_BYTES_FIX)


def index_hashes(lookup: SimpleIndex, project: str) -> dict[str, str | None]:
    """Filename -> sha256 in lower case (None when the index gives none) of the project's
    files: hex digits compare in any case."""
    page = lookup.project(project)
    if page is None:
        return {}
    return {f.filename: None if f.sha256 is None else f.sha256.lower() for f in page.files}


def _form(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for key, value in fields:
        data.setdefault(key, []).append(value)
    return data


def _exists_answer(response: httpx.Response) -> bool:
    # pypiserver: 409; devpi: 409; PyPI: 400 "File already exists" (200 for identical bytes)
    return response.status_code == 409 or (  # noqa: PLR2004
        response.status_code == 400 and "already exists" in response.text.lower()  # noqa: PLR2004
    )


def _upload_one(
    *,
    http: Http,
    index: IndexConfig,
    entry: ManifestFile,
    directory: Path,
    auth: Credentials | None,
    attestations: list[object] | None,
    progress: Progress,
) -> httpx.Response:
    # packaging.metadata is slow to import and only uploads need it (`wait` imports this module)
    from tagship.core.upload_form import upload_fields  # noqa: PLC0415
    from tagship.steps.build.dist_metadata import read_core_metadata  # noqa: PLC0415

    fields = upload_fields(
        read_core_metadata(directory / entry.name, entry.kind), entry, attestations
    )
    with upload_body(directory, entry) as checked:
        body = CountedUpload(checked, entry.name, entry.size, progress)
        return http.request(
            "POST",
            index.upload_url,
            data=_form(fields),
            files={"content": (entry.name, body, "application/octet-stream")},
            auth=(auth.username, auth.password) if auth is not None else None,
        )


def publish(
    manifest: Manifest,
    directory: Path,
    index: IndexConfig,
    *,
    expected: Expected,
    ci: CIRun,
    http: Http,
    lookup: SimpleIndex,
    auth: Credentials | None,
    attestations: Mapping[str, list[object]] | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    progress: Progress = ignore,
    listed: Mapping[str, str | None] | None = None,
    verified: bool = False,
) -> PublishResult:
    """Upload the manifest's files that the index does not have yet, once the directory
    passed verification against `expected`; `progress` hears the bytes sent of each;
    `listed`: the index's files as the preflight read them a moment ago (see index_hashes),
    so the index is not asked twice; `verified`: the caller verified the directory against
    `expected` a moment ago, so it is not read twice (each upload still checks every byte
    it sends against the manifest's hash)."""
    require_ci_for_official(index, ci)
    if not verified:
        # the verification (and packaging's metadata parser) only when something is published
        from tagship.steps.verify.verify import verify_build  # noqa: PLC0415

        verify_build(directory, manifest, expected)
    existing = index_hashes(lookup, manifest.project) if listed is None else dict(listed)
    for entry in manifest.files:
        if entry.name in existing and existing[entry.name] != entry.sha256.lower():
            raise conflict(entry, existing[entry.name], index.name)
    done: list[FileOutcome] = []

    def record(outcome: FileOutcome) -> None:
        done.append(outcome)
        if on_file is not None:
            on_file(outcome)

    for entry in manifest.files:
        if entry.name in existing:
            record(FileOutcome(entry.name, entry.sha256, "already-there"))
            continue
        try:
            response = _upload_one(
                http=http,
                index=index,
                entry=entry,
                directory=directory,
                auth=auth,
                attestations=(attestations or {}).get(entry.name),
                progress=progress,
            )
        except ServiceError as exc:
            sent = [f.name for f in done]
            raise _incomplete(exc.message, manifest, index, lookup, sent) from exc
        record(
            _outcome(
                response, entry=entry, index=index, lookup=lookup, manifest=manifest, done=done
            )
        )
    return PublishResult(index.name, manifest.project, manifest.version, tuple(done))


def _outcome(
    response: httpx.Response,
    *,
    entry: ManifestFile,
    index: IndexConfig,
    lookup: SimpleIndex,
    manifest: Manifest,
    done: list[FileOutcome],
) -> FileOutcome:
    if _exists_answer(response):
        # a retried upload that had landed, or a race: the hash decides
        found = index_hashes(lookup, manifest.project).get(entry.name)
        if found != entry.sha256.lower():
            raise conflict(entry, found, index.name)
        return FileOutcome(entry.name, entry.sha256, "already-there")
    if response.is_success:
        return FileOutcome(entry.name, entry.sha256, "uploaded")
    raise _incomplete(_refusal(index, response), manifest, index, lookup, [f.name for f in done])


def _refusal(index: IndexConfig, response: httpx.Response) -> str:
    text = response_excerpt(response)  # an index may echo the credentials it refused
    if response.status_code in (401, 403):
        username, password, token = credential_variables(index.name)
        return (
            f"{index.name} refused the credentials (HTTP {response.status_code}: {text}); "
            f"set {username} and {password}, or {token}"
        )
    return f"{index.name} answered HTTP {response.status_code}: {text}"
