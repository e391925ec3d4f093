"""Whether a version is still free: no tag of it here or on origin, no file of it on an index.

`bump` and `dry-run` ask before anything is built or uploaded: a dry run of a version that is
already tagged (a source that lagged behind its last tag) would otherwise publish it to the
test index, which never takes other bytes for it again, and only `tag` would refuse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core.audit import file_version
from tagship.core.errors import GateError
from tagship.core.manifest import MANIFEST_NAME
from tagship.steps.build.artifacts import load_manifest
from tagship.steps.gates.gates import Gate
from tagship.steps.ledger.record import ledger_records
from tagship.steps.publish.publishing import simple_index

if TYPE_CHECKING:
    from pathlib import Path

    from packaging.version import Version

    from tagship.adapters.http import Http
    from tagship.adapters.index import IndexFile
    from tagship.core.config import IndexConfig
    from tagship.workspace import Workspace

NAME = "version is new"


def tag_taken(workspace: Workspace, tag: str, *, origin: bool = True) -> str | None:
    """Why `tag` is taken (it exists here, or on origin); None when it is free (a project
    outside git has no tags to collide with: bump works there, the release gates ask git)."""
    git = workspace.git
    if git is None:
        return None
    if git.tag_target(tag) is not None:
        return f"tag {tag} already exists"
    if origin and workspace.origin_url is not None and tag in git.remote_tags():
        return f"tag {tag} is already on origin"
    return None


def files_on(
    workspace: Workspace, index: IndexConfig, http: Http, version: Version
) -> list[IndexFile]:
    """The files of `version` that `index` holds for the project."""
    page = simple_index(workspace, index, http).project(workspace.name)
    return [f for f in (page.files if page else ()) if file_version(f.filename) == str(version)]


def version_is_new(workspace: Workspace, http: Http, index: IndexConfig) -> Gate:
    """`tag`'s gate: the version is tagged nowhere and not on the production index."""
    version, tag = workspace.version(), workspace.expected_tag()
    taken = tag_taken(workspace, tag)
    if taken is not None:
        return Gate(NAME, "failed", f"{taken}: bump the version")
    found = files_on(workspace, index, http, version)
    if found:
        why = f"{version} is already on {index.name} ({found[0].filename})"
        return Gate(NAME, "failed", why)
    return Gate(NAME, "passed", f"{tag} is not tagged and {version} is not on {index.name}")


def _own_upload(
    workspace: Workspace, index: IndexConfig, found: list[IndexFile], build_dir: Path
) -> str | None:
    """Why the version's files on `index` are this commit's own, so that a rerun of its dry
    run finishes or repeats the upload (the publish still refuses other bytes); None when
    nothing says so."""
    head, version = workspace.require_git().head_sha(), str(workspace.version())
    for record in reversed(ledger_records(workspace)):
        event = record.event
        mine = (event.version, event.index, event.commit) == (version, index.name, head)
        if mine and event.kind in ("publish", "dry-run"):
            return f"record {record.seq} published them from {head[:12]}: a rerun"
    if not (build_dir / MANIFEST_NAME).is_file():
        return None
    built = load_manifest(build_dir)
    if (built.commit, built.version) != (head, version):
        return None
    hashes = {f.name: f.sha256.lower() for f in built.files}
    if all(f.sha256 is not None and hashes.get(f.filename) == f.sha256.lower() for f in found):
        return f"only this commit's files from {build_dir.name}/ are there: a rerun finishes it"
    return None


def dry_run_version_is_new(
    workspace: Workspace, http: Http, index: IndexConfig, build_dir: Path
) -> Gate:
    """The dry run's gate: the version is tagged nowhere, and the test index holds none of
    its files but those an earlier run of this commit's dry run put there."""
    version, tag = workspace.version(), workspace.expected_tag()
    taken = tag_taken(workspace, tag)
    if taken is not None:
        return Gate(NAME, "failed", f"{taken}: the dry run is for the next version, bump it")
    found = files_on(workspace, index, http, version)
    if not found:
        return Gate(NAME, "passed", f"{tag} is not tagged and {version} is not on {index.name}")
    own = _own_upload(workspace, index, found, build_dir)
    if own is not None:
        return Gate(NAME, "passed", f"{version} is on {index.name}, {own}")
    why = f"{version} is already on {index.name} ({found[0].filename}), from another commit"
    return Gate(NAME, "failed", f"{why}: bump the version")


def require_new_version(
    workspace: Workspace,
    version: Version,
    tag: str,
    *,
    origin: bool,
    index: tuple[IndexConfig, Http] | None,
) -> None:
    """`bump`'s refusal of a taken version (GateError, exit 1); `origin`, `index`: ask them
    too (an index with its HTTP client)."""
    taken = tag_taken(workspace, tag, origin=origin)
    if taken is not None:
        raise GateError(f"{version} is taken: {taken}", hint="choose a version not yet released")
    if index is not None:
        config, http = index
        found = files_on(workspace, config, http, version)
        if found:
            raise GateError(
                f"{version} is taken: it is already on {config.name} ({found[0].filename})",
                hint="choose a version not yet released",
            )
