"""The dry run reuses the build of HEAD already in its directory instead of building again.

A compiled project pays a full compile for every build: `tagship build` (a required check run
locally is one) followed by `tagship dry-run` compiled the same commit twice. The files are
reused only when their manifest says they are a clean build of HEAD's commit and version,
the directory holds exactly those files with the manifest's hashes, and they pass the same
verification a fresh build passes; anything else builds afresh, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from tagship.core.errors import TagshipError
from tagship.core.manifest import MANIFEST_NAME
from tagship.steps.build.artifacts import (
    check_manifest,
    dist_files,
    load_manifest,
    release_changes,
)
from tagship.steps.build.build import BuildResult
from tagship.steps.verify.verify import verify_artifacts
from tagship.steps.verify.wheel_install import owned_top_level

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.core.manifest import Manifest
    from tagship.workspace import Workspace


def reusable_build(workspace: Workspace, out_dir: Path) -> BuildResult | None:
    """The verified build of HEAD in `out_dir`, or None when it must be built afresh."""
    out_dir = out_dir.resolve()
    manifest = _clean_build_of_head(workspace, out_dir)
    if manifest is None:
        return None
    if {d.name for d in dist_files(out_dir)} != {f.name for f in manifest.files}:
        return None  # a file more or less than the build made: build the directory afresh
    try:
        check_manifest(out_dir, manifest)  # still the bytes that build hashed
    except TagshipError:
        return None
    report = verify_artifacts(
        out_dir,
        workspace.name,
        Version(manifest.version),
        allow_top_level=workspace.config.allow_top_level,
        owned_top_level=owned_top_level(workspace),
    )
    if report.problems:
        return None  # a fresh build says what is wrong, as it always did
    return BuildResult(out_dir, manifest, report, None)


def _clean_build_of_head(workspace: Workspace, out_dir: Path) -> Manifest | None:
    """The directory's manifest when it is a build (not promoted files) of HEAD, made from a
    clean tree, of the version this run would build."""
    if not (out_dir / MANIFEST_NAME).is_file():
        return None
    try:
        manifest = load_manifest(out_dir)
        version = Version(manifest.version)
    except (TagshipError, InvalidVersion):
        return None
    git = workspace.require_git()
    if manifest.promotion is not None or manifest.dirty or manifest.commit != git.head_sha():
        return None
    if release_changes(git.root, git.dirty_files(), out_dir):
        return None
    if manifest.project != workspace.name or version != workspace.expected_version():
        return None
    return manifest


def reused_summary(result: BuildResult) -> str:
    names = ", ".join(f.name for f in result.manifest.files)
    return (
        f"{names}: reused, the build of {result.manifest.commit[:12]} already in "
        f"{result.directory.name}/ (hashes and verification checked again, not rebuilt)"
    )
