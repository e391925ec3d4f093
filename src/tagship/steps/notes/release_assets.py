"""What the GitHub Release gets, attached to the draft before the one call that publishes it.

GitHub's immutable releases take no asset once published (`422 Cannot upload assets to an
immutable release`), and a deleted immutable release burns its tag for good: so every asset is
on the draft first, and nothing is uploaded, changed or deleted after publishing. The assets:
the manifest, the PEP 740 provenance the index holds for each released file (its attestations,
as `<file>.provenance.json`), and the files `[tool.tagship.github] release-assets` names. A
rerun keeps an asset the draft already holds with the same bytes and stops, before publishing,
at one with other bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.ci.api import NotFoundError
from tagship.core.errors import GateError, IntegrityError
from tagship.core.manifest import Manifest
from tagship.core.official import is_official
from tagship.steps.notes.asset_paths import asset_paths

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.ci.api import HostClient, Release
    from tagship.core.config import IndexConfig
    from tagship.workspace import Workspace

PROVENANCE_SUFFIX = ".provenance.json"
_TYPES = {".json": "application/json", ".whl": "application/zip", ".gz": "application/gzip"}


@dataclass(frozen=True)
class AssetFile:
    """One file the Release gets: its name there, its bytes, their media type."""

    name: str
    data: bytes
    content_type: str

    @property
    def digest(self) -> str:
        """As GitHub writes an asset's `digest`."""
        return "sha256:" + hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Attached:
    name: str
    digest: str
    action: str  # "uploaded", "kept" (already on the draft), "replaced" (no digest to compare)


def release_assets(
    workspace: Workspace, manifest: Path | None, index: IndexConfig | None
) -> tuple[AssetFile, ...]:
    """The Release's assets, read before anything is attached: a pattern matching nothing, or
    a released file with other bytes than the manifest's, stops here."""
    found: dict[str, AssetFile] = {}
    parsed = None
    if manifest is not None and manifest.is_file():
        data = manifest.read_bytes()
        _add(found, AssetFile(manifest.name, data, "application/json"))
        # parsed only when its files matter: for their provenance, or the configured files
        if (
            index is not None and _attested(workspace, index)
        ) or workspace.config.github_release_assets:
            parsed = Manifest.from_json(data.decode(), str(manifest))
        if index is not None and parsed is not None:
            for name, document in _provenance(workspace, index, parsed).items():
                _add(found, AssetFile(name + PROVENANCE_SUFFIX, document, "application/json"))
    root = workspace.root
    top = workspace.git.root if workspace.git is not None else root
    for pattern in workspace.config.github_release_assets:
        paths = asset_paths(pattern, root, top)
        if not paths:
            raise GateError(
                f"[tool.tagship.github] release-assets pattern {pattern!r} matches no file in "
                f"{root}: nothing was published",
                hint="build the files first, or fix the pattern: a published Release takes "
                "no asset later",
            )
        for path in paths:
            entry = parsed.file(path.name) if parsed is not None else None
            data = path.read_bytes()
            if entry is not None and hashlib.sha256(data).hexdigest() != entry.sha256:
                raise IntegrityError(
                    f"{path} is not the file the manifest names (sha256 {entry.sha256}): "
                    "nothing was published",
                    hint="attach the released files: download the verified files again",
                )
            content_type = _TYPES.get(path.suffix, "application/octet-stream")
            _add(found, AssetFile(path.name, data, content_type))
    return tuple(found.values())


def _add(found: dict[str, AssetFile], asset: AssetFile) -> None:
    other = found.get(asset.name)
    if other is not None and other.data != asset.data:
        raise GateError(
            f"two different files would be the Release's asset {asset.name}: nothing was published",
            hint="[tool.tagship.github] release-assets must name each file once",
        )
    found[asset.name] = asset


def _attested(workspace: Workspace, index: IndexConfig) -> bool:
    # where the publish step signs attestations (steps/publish/publishing.attestations_for):
    # an official index, from a CI host's job, attestations on
    official = is_official(index) and workspace.ci.host is not None
    return official and workspace.config.attestations


def _provenance(workspace: Workspace, index: IndexConfig, manifest: Manifest) -> dict[str, bytes]:
    """The PEP 740 provenance `index` holds for the manifest's files, where tagship attested
    them: what PyPI shows, next to the Release's files."""
    from tagship.adapters.http import Http, policy_from_env  # noqa: PLC0415 - imports httpx
    from tagship.steps.publish.publishing import simple_index  # noqa: PLC0415

    if not _attested(workspace, index):
        return {}
    names = {f.name: f.sha256 for f in manifest.files}
    with Http(policy_from_env(workspace.env)) as http:
        lookup = simple_index(workspace, index, http)
        page = lookup.project(manifest.project)
        files = [] if page is None else [f for f in page.files if f.filename in names]
        documents = {
            f.filename: document
            for f in files
            if f.sha256 == names[f.filename] and (document := lookup.provenance(f)) is not None
        }
    return dict(sorted(documents.items()))


def attach(
    client: HostClient, draft: Release, assets: tuple[AssetFile, ...], tag: str
) -> tuple[Attached, ...]:
    """Attach `assets` to the draft of `tag`; one the draft holds with the same digest is kept,
    one with another digest stops everything (IntegrityError), before it is published."""
    held = {a.name: a for a in draft.assets}
    done = []
    for asset in assets:
        there = held.get(asset.name)
        if there is not None and there.digest is not None:
            if there.digest != asset.digest:
                raise IntegrityError(
                    f"the draft release {tag} already holds {asset.name} with other bytes "
                    f"({there.digest}, not {asset.digest}): nothing was published",
                    hint="find out who attached it; remove it from the draft (a draft may "
                    "still change), then rerun",
                )
            done.append(Attached(asset.name, asset.digest, "kept"))
            continue
        if there is not None:  # a host that gives no digest: the draft may still change
            client.delete_asset(there.id)
        try:
            sent = client.upload_asset(draft, asset.name, asset.data, asset.content_type)
        except NotFoundError:
            raise _refused(client, draft, tag, asset.name) from None
        if sent.digest is not None and sent.digest != asset.digest:
            raise IntegrityError(
                f"{client.title} holds {asset.name} with other bytes than were sent "
                f"({sent.digest}, not {asset.digest}): the draft release {tag} was not published",
                hint="remove the asset from the draft and rerun",
            )
        done.append(Attached(asset.name, asset.digest, "uploaded" if there is None else "replaced"))
    return tuple(done)


def _refused(client: HostClient, draft: Release, tag: str, name: str) -> GateError:
    now = client.release(draft.id)
    if now is None:
        return GateError(
            f"the draft release for {tag} was deleted meanwhile",
            hint="create it again with tagship notes --github, then rerun the publish",
        )
    if not now.draft:
        return GateError(
            f"release {tag} was published by someone else while tagship attached {name}: a "
            "published release takes no more assets (immutable releases)",
            hint="leave it as it is; if the missing assets matter, release the next patch "
            "version (tagship hotfix start)",
        )
    return GateError(
        f"{client.title} refused {name} on the draft release {tag}",
        hint="check the asset's name and the token's contents: write, then rerun",
    )


def differing(release: Release, assets: tuple[AssetFile, ...]) -> list[str]:
    """The assets `release` shows with other bytes than `assets` (by GitHub's digest)."""
    wanted = {a.name: a.digest for a in assets}
    return [
        a.name
        for a in release.assets
        if a.name in wanted and a.digest is not None and a.digest != wanted[a.name]
    ]


def missing(release: Release, assets: tuple[AssetFile, ...]) -> list[str]:
    """The assets `release` lacks."""
    held = {a.name for a in release.assets}
    return [a.name for a in assets if a.name not in held]


def release_details(release: Release) -> dict[str, str]:
    """The ledger's record of a published Release as GitHub shows it."""
    immutable = {True: "true", False: "false", None: "not said"}[release.immutable]
    details = {"url": release.html_url, "immutable": immutable}
    for asset in release.assets:
        details[f"asset:{asset.name}"] = asset.digest or "no digest"
    return details
