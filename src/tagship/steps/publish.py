"""Upload exactly the manifest's files to an index, resumably.

Before anything is sent, every file is looked up on the index: the same hash is skipped, a
different hash stops the publish (exit 4). Uploads retry transient failures; what could not
be sent is reported (exit 3) and a rerun finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from tagship.core.ci_env import in_github_actions
from tagship.core.config import credential_variables
from tagship.core.errors import GateError, IntegrityError, ServiceError
from tagship.steps.artifacts import check_manifest

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    import httpx

    from tagship.adapters.http import Http
    from tagship.adapters.index import SimpleIndex
    from tagship.core.config import Credentials, IndexConfig
    from tagship.core.manifest import Manifest, ManifestFile

Action = Literal["uploaded", "already-there"]


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


class PublishIncompleteError(ServiceError):
    """Some files reached the index and some did not; a rerun finishes the job."""

    def __init__(self, reason: str, done: list[FileOutcome], pending: list[str]) -> None:
        sent = ", ".join(f.name for f in done) or "nothing"
        super().__init__(
            f"publish incomplete: {reason}; on the index: {sent}; not uploaded: "
            + ", ".join(pending),
            hint="rerun the same command: files already there are skipped",
        )


# PyPI and TestPyPI by address: declaring them `official = false` does not make them local
OFFICIAL_HOSTS = frozenset({"pypi.org", "upload.pypi.org", "test.pypi.org"})


def is_official(index: IndexConfig) -> bool:
    """Declared official, or pointing at PyPI or TestPyPI whatever the declaration says."""
    hosts = {urlsplit(url).hostname for url in (index.upload_url, index.simple_url)}
    return index.official or bool(hosts & OFFICIAL_HOSTS)


def require_ci_for_official(index: IndexConfig, env: Mapping[str, str]) -> None:
    """Official indexes (PyPI, TestPyPI) only take uploads from GitHub Actions."""
    if is_official(index) and not in_github_actions(env):
        raise GateError(
            f"publishing to {index.name} (an official index) is only allowed from GitHub Actions",
            hint="push the release tag and let the publish workflow upload; "
            "locally, publish to a non-official index",
        )


def conflict(entry: ManifestFile, found: str | None, index: str) -> IntegrityError:
    return IntegrityError(
        f"{entry.name} is already on {index} with other bytes: "
        f"index sha256 {found or '(unknown)'}, manifest sha256 {entry.sha256}",
        hint="never overwrite a release: bump the version and release anew",
    )


def index_hashes(lookup: SimpleIndex, project: str) -> dict[str, str | None]:
    """Filename -> sha256 (None when the index gives none) of the project's files."""
    page = lookup.project(project)
    return {} if page is None else {f.filename: f.sha256 for f in page.files}


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
    path: Path,
    auth: Credentials | None,
    attestations: list[object] | None,
) -> httpx.Response:
    # packaging.metadata is slow to import and only uploads need it (`wait` imports this module)
    from tagship.core.upload_form import upload_fields  # noqa: PLC0415
    from tagship.steps.dist_metadata import read_core_metadata  # noqa: PLC0415

    fields = upload_fields(read_core_metadata(path, entry.kind), entry, attestations)
    return http.request(
        "POST",
        index.upload_url,
        data=_form(fields),
        files={"content": (entry.name, path.read_bytes(), "application/octet-stream")},
        auth=(auth.username, auth.password) if auth is not None else None,
    )


def publish(
    manifest: Manifest,
    directory: Path,
    index: IndexConfig,
    *,
    env: Mapping[str, str],
    http: Http,
    lookup: SimpleIndex,
    auth: Credentials | None,
    attestations: Mapping[str, list[object]] | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> PublishResult:
    """Upload the manifest's files that the index does not have yet."""
    require_ci_for_official(index, env)
    check_manifest(directory, manifest)
    existing = index_hashes(lookup, manifest.project)
    for entry in manifest.files:
        if entry.name in existing and existing[entry.name] != entry.sha256:
            raise conflict(entry, existing[entry.name], index.name)
    done: list[FileOutcome] = []

    def record(outcome: FileOutcome) -> None:
        done.append(outcome)
        if on_file is not None:
            on_file(outcome)

    for position, entry in enumerate(manifest.files):
        if entry.name in existing:
            record(FileOutcome(entry.name, entry.sha256, "already-there"))
            continue
        pending = [e.name for e in manifest.files[position:]]
        try:
            response = _upload_one(
                http=http,
                index=index,
                entry=entry,
                path=directory / entry.name,
                auth=auth,
                attestations=(attestations or {}).get(entry.name),
            )
        except ServiceError as exc:
            raise PublishIncompleteError(exc.message, done, pending) from exc
        record(
            _outcome(
                response,
                entry=entry,
                index=index,
                lookup=lookup,
                project=manifest.project,
                done=done,
                pending=pending,
            )
        )
    return PublishResult(index.name, manifest.project, manifest.version, tuple(done))


def _outcome(
    response: httpx.Response,
    *,
    entry: ManifestFile,
    index: IndexConfig,
    lookup: SimpleIndex,
    project: str,
    done: list[FileOutcome],
    pending: list[str],
) -> FileOutcome:
    if _exists_answer(response):
        # a retried upload that had landed, or a race: the hash decides
        found = index_hashes(lookup, project).get(entry.name)
        if found != entry.sha256:
            raise conflict(entry, found, index.name)
        return FileOutcome(entry.name, entry.sha256, "already-there")
    if response.is_success:
        return FileOutcome(entry.name, entry.sha256, "uploaded")
    raise PublishIncompleteError(_refusal(index, response), done, pending)


def _refusal(index: IndexConfig, response: httpx.Response) -> str:
    text = " ".join(response.text.split())[:200]
    if response.status_code in (401, 403):
        username, password, token = credential_variables(index.name)
        return (
            f"{index.name} refused the credentials (HTTP {response.status_code}: {text}); "
            f"set {username} and {password}, or {token}"
        )
    return f"{index.name} answered HTTP {response.status_code}: {text}"
