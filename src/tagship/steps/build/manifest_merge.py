"""One manifest from the files several build jobs made (`tagship manifest merge`).

A compiled project's wheels come from a matrix of jobs (cibuildwheel on each platform) and its
sdist from one more job. The gather job downloads each job's files into a directory of its
own and merges them: every distribution file of the source directories is copied into the
output directory, verified as `tagship build` verifies its own files (one version, one sdist,
wheel tags PyPI accepts, one wheel per tag set, ...), and hashed into the manifest. From there
publish, verify-install and audit work on it as on any build. Like a build, the merge changes
the output directory only once every file passed.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.core.errors import GateError, IntegrityError, UsageError
from tagship.core.manifest import MANIFEST_NAME, Manifest
from tagship.core.versions import tag_for
from tagship.steps.build.artifacts import (
    DistFile,
    check_build_directory,
    dist_files,
    hash_file,
    manifest_entry,
    move_into,
)
from tagship.steps.verify.verify import VerifyReport, verify_artifacts
from tagship.steps.verify.wheel_install import owned_top_level

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tagship.steps.build.artifacts import Digest
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class MergeResult:
    """A merged build directory: its manifest and its verification."""

    directory: Path
    manifest: Manifest
    report: VerifyReport
    sources: int


def merged_summary(result: MergeResult) -> str:
    files = len(result.manifest.files)
    return f"{files} files from {result.sources} directories (verified)"


def _collect(sources: Sequence[Path]) -> dict[str, Path]:
    """Every distribution file of the sources by name. A file of the same name in two
    sources must be the same bytes (a job that ran twice); anything but a distribution is
    refused, as is a source that holds none."""
    found: dict[str, tuple[Path, Digest]] = {}
    for source in sources:
        if not source.is_dir():
            raise UsageError(
                f"{source} is not a directory",
                hint="pass the directories the build jobs' files were downloaded to",
            )
        files = dist_files(source)
        if not files:
            raise GateError(f"{source} holds no distribution files", hint="did its job build?")
        for dist in files:
            if dist.kind is None:
                raise GateError(
                    f"{dist.path} is neither a wheel nor an sdist",
                    hint="merge only the build jobs' output directories",
                )
            digest = hash_file(dist.path)  # a link or a FIFO is refused here, unread
            earlier = found.setdefault(dist.name, (dist.path, digest))
            if earlier[1] != digest:
                raise IntegrityError(
                    f"{dist.name} is in {earlier[0].parent} and in {source} with other bytes",
                    hint="two jobs built the same file differently: build each file in one job",
                )
    return {name: path for name, (path, _) in found.items()}


def _replaced(out_dir: Path, names: set[str]) -> list[Path]:
    """What the merge replaces in `out_dir`: only files it is about to write again."""
    if not out_dir.is_dir():
        return []
    present = dist_files(out_dir)
    other = [d.name for d in present if d.name not in names]
    if other:
        raise GateError(
            f"{out_dir} holds files that are not among the merged ones: {', '.join(other[:3])}",
            hint="merge into an empty directory: --out DIR",
        )
    manifest = out_dir / MANIFEST_NAME
    return [d.path for d in present] + ([manifest] if manifest.exists() else [])


def merge_manifest(workspace: Workspace, out_dir: Path, sources: Sequence[Path]) -> MergeResult:
    """Copy every distribution file of `sources` into `out_dir`, verify them together against
    the project and its expected version (see `Workspace.expected_version`), and write their
    manifest for HEAD. GateError (exit 1) on any problem, before `out_dir` changes."""
    git = workspace.require_git()
    out_dir = out_dir.resolve()
    check_build_directory(out_dir)
    sources = [s.resolve() for s in sources]
    found = _collect(sources)
    replaced = _replaced(out_dir, set(found))
    version = workspace.expected_version()
    with tempfile.TemporaryDirectory(prefix="tagship-merge-") as tmp:
        staging = Path(tmp)
        for name, path in found.items():
            shutil.copyfile(path, staging / name)
        report = verify_artifacts(
            staging,
            workspace.name,
            version,
            allow_top_level=workspace.config.allow_top_level,
            owned_top_level=owned_top_level(workspace),
        )
        report.raise_for_problems()
        staged = dist_files(staging)
        manifest = Manifest(
            project=workspace.name,
            version=str(version),
            tag=tag_for(version, workspace.config.tag_format),
            commit=git.head_sha(),
            dirty=False,  # the jobs built the files; nothing is built from this work tree
            source_date_epoch=git.commit_time(),
            builder=f"tagship manifest merge of {len(sources)} directories",
            build_backend=workspace.meta.backend,
            backend_version=report.generator or "unknown",
            files=tuple(manifest_entry(d) for d in staged),
        )
        move_into(out_dir, staged, replaced, manifest)
    files = tuple(DistFile(out_dir / d.name, d.kind) for d in report.files)
    final = VerifyReport(out_dir, files, report.problems, report.generator)
    return MergeResult(out_dir, manifest, final, len(sources))
