"""Build once: the sdist and wheel of HEAD, verified, hashed into the manifest.

A compiled project's Linux wheel is repaired into a manylinux one when auditwheel is there
(repair.py).

The backend builds a checkout of HEAD outside the work tree (build_tree.py), except in a
trial build of uncommitted changes (`allow_dirty`), which builds the work tree as it is. The
build runs into a private staging directory; the output directory changes only when the build
and its verification (and, with `reproducible`, the second build) succeeded.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename
from packaging.utils import parse_sdist_filename as _sdist_name
from packaging.utils import parse_wheel_filename as _wheel_name

from tagship.adapters.build.build_env import build_system, reused_environment
from tagship.adapters.build.build_tree import build_source
from tagship.adapters.build.builder import (
    BUILD_TIMEOUT,
    BuilderChoice,
    build_failure,
    build_with_hooks,
    can_run_hooks,
    select_builder,
)
from tagship.adapters.process import run, without_secrets
from tagship.core.errors import GateError
from tagship.core.manifest import MANIFEST_NAME, Manifest
from tagship.core.versions import tag_for
from tagship.steps.build.artifacts import (
    DistFile,
    check_build_directory,
    dist_files,
    manifest_entry,
    move_into,
    release_changes,
)
from tagship.steps.build.repair import repair_linux_wheels
from tagship.steps.build.reproduce import check_reproducible
from tagship.steps.verify.verify import VerifyReport, verify_artifacts
from tagship.steps.verify.wheel_install import owned_top_level

if TYPE_CHECKING:
    from collections.abc import Callable

    from packaging.version import Version

    from tagship.adapters.build.build_env import BuildEnvironment
    from tagship.adapters.build.build_tree import BuildSource
    from tagship.adapters.build.builder import Builder
    from tagship.adapters.process import Runner
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class BuildResult:
    """A finished build: where its files are, its manifest and its verification."""

    directory: Path
    manifest: Manifest
    report: VerifyReport
    reproducible: bool | None  # None: not checked


def built_summary(result: BuildResult) -> str:
    names = ", ".join(f.name for f in result.manifest.files)
    return f"{names} (verified, SOURCE_DATE_EPOCH {result.manifest.source_date_epoch})"


def _version_of(name: str) -> Version | None:
    try:
        return _wheel_name(name)[1] if name.endswith(".whl") else _sdist_name(name)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, ValueError):
        return None


def _previous_files(out_dir: Path, version: Version, *, clean: bool) -> list[Path]:
    """What a successful build replaces in `out_dir`; refuses what must not be touched."""
    check_build_directory(out_dir)
    if not out_dir.is_dir():
        return []
    present = dist_files(out_dir)
    foreign = [d.name for d in present if d.kind is None]
    if foreign:
        raise GateError(
            f"{out_dir} holds files that are not build output: {', '.join(foreign[:3])}",
            hint="build into a directory of its own: --out DIR",
        )
    other = [d.name for d in present if _version_of(d.name) != version]
    if other and not clean:
        raise GateError(
            f"{out_dir} holds files of another version: {', '.join(other[:3])}",
            hint="pass --clean to remove them, or build into a fresh directory: --out DIR",
        )
    manifest = out_dir / MANIFEST_NAME
    return [d.path for d in present] + ([manifest] if manifest.exists() else [])


def _reused_environment(
    choice: BuilderChoice,
    chosen: Builder,
    workspace: Workspace,
    *,
    runner: Runner,
    python: str,
    progress: Callable[[str], None],
) -> BuildEnvironment | None:
    """The reused build environment `auto` builds in, when uv can make one."""
    if choice != "auto" or chosen.name != "uv" or not workspace.config.reuse_build_env:
        return None
    if not can_run_hooks():
        return None
    system = build_system(workspace.pyproject_data, workspace.config.pyproject)
    env = without_secrets(workspace.env)
    uv = Path(chosen.command[0])
    try:
        return reused_environment(system, uv=uv, python=python, env=env, runner=runner)
    except OSError as error:
        # a read-only or full cache costs speed, never the build
        progress(f"no reused build environment ({error}): building in a fresh one")
        return None


def _run_build(
    builder: Builder,
    workspace: Workspace,
    source: BuildSource,
    into: Path,
    *,
    env: dict[str, str],
    runner: Runner,
    python: str,
    reused: BuildEnvironment | None,
    progress: Callable[[str], None],
) -> str:
    """Build `source` into `into` with `env`; returns what built it."""
    if reused is not None:
        if build_with_hooks(
            reused,
            source.tree,
            into,
            scratch=source.scratch,
            ask=source.ask,
            name=workspace.name,
            env=env,
            runner=runner,
            notice=progress,
        ):
            return f"{builder.version}, reused build environment"
        backend = reused.system.backend
        progress(f"{backend} asks for more build requirements: building in a fresh one")
    done = runner(builder.argv(source.tree, into, python), env=env, timeout=BUILD_TIMEOUT)
    if not done.ok:
        raise build_failure(workspace.name, builder.name, done)
    return builder.version


def build_artifacts(
    workspace: Workspace,
    out_dir: Path,
    *,
    clean: bool = False,
    reproducible: bool = False,
    allow_dirty: bool = False,
    builder: BuilderChoice = "auto",
    runner: Runner = run,
    python: str = sys.executable,
    progress: Callable[[str], None] = lambda _: None,
) -> BuildResult:
    """Build, verify and hash the sdist and wheel of HEAD into `out_dir`.

    Raises GateError (dirty tree, stale output directory, failing backend, failed
    verification, irreproducible build) before `out_dir` is changed.
    """
    git = workspace.require_git()
    out_dir = out_dir.resolve()
    commit, epoch = git.head_sha(), git.commit_time()
    dirty = release_changes(git.root, git.dirty_files(), out_dir)
    if dirty and not allow_dirty:
        raise GateError(
            f"the work tree has uncommitted changes ({', '.join(dirty[:3])}): "
            "a release build must be of HEAD",
            hint="commit or stash them, or pass --allow-dirty for a trial build",
        )
    version = workspace.expected_version()
    replaced = _previous_files(out_dir, version, clean=clean)
    chosen = select_builder(builder, workspace.env, runner, python)
    progress(f"building {workspace.name} {version} with {chosen.version}")
    reused = _reused_environment(
        builder, chosen, workspace, runner=runner, python=python, progress=progress
    )

    # the backend runs the project's build code: it gets no credential
    env = {**without_secrets(workspace.env), "SOURCE_DATE_EPOCH": str(epoch)}
    # staged outside the work tree, so no backend can pick a half-written file into an sdist
    with (
        build_source(
            workspace, commit, in_place=bool(dirty), runner=runner, notice=progress
        ) as source,
        tempfile.TemporaryDirectory(prefix="tagship-build-") as tmp,
    ):

        def build_into(into: Path) -> str:
            built_by = _run_build(
                chosen,
                workspace,
                source,
                into,
                env=env,
                runner=runner,
                python=python,
                reused=reused,
                progress=progress,
            )
            repaired = repair_linux_wheels(
                into, env=env, runner=runner, python=python, notice=progress
            )
            return f"{built_by}, repaired by {repaired}" if repaired else built_by

        staging = Path(tmp)
        built_by = build_into(staging)
        if workspace.meta.source.kind == "scm" and version.local is not None:
            version = _backend_dev_version(staging, version, commit)
        progress("verifying the artifacts")
        report = verify_artifacts(
            staging,
            workspace.name,
            version,
            allow_top_level=workspace.config.allow_top_level,
            owned_top_level=owned_top_level(workspace),
        )
        report.raise_for_problems()
        built = [d for d in dist_files(staging) if d.kind is not None]
        if reproducible:
            progress("building a second time to compare")
            names = [d.name for d in built]
            check_reproducible(staging, names, build_into, workspace.meta.backend)
        manifest = Manifest(
            project=workspace.name,
            version=str(version),
            tag=tag_for(version, workspace.config.tag_format),
            commit=commit,
            dirty=bool(dirty),
            source_date_epoch=epoch,
            builder=built_by,
            build_backend=workspace.meta.backend,
            backend_version=report.generator or "unknown",
            files=tuple(manifest_entry(d) for d in built),
        )
        progress(f"writing {out_dir / MANIFEST_NAME}")
        move_into(out_dir, built, replaced, manifest)
    files = tuple(DistFile(out_dir / d.name, d.kind) for d in report.files)
    final = VerifyReport(out_dir, files, report.problems, report.generator)
    return BuildResult(out_dir, manifest, final, True if reproducible else None)


def _backend_dev_version(staging: Path, predicted: Version, commit: str) -> Version:
    """Between tags, a version from git tags carries a local label the backend spells its own
    way; tagship asks the backend for it, but guesses when it cannot, and a trial build of
    uncommitted changes adds a `.dYYYYMMDD`: adopt the built version when it is the same dev
    release of this very commit."""
    for dist in dist_files(staging):
        built = _version_of(dist.name)
        if built is None or built.public != predicted.public or built.local is None:
            continue
        label = built.local.split(".")[0]
        if label.startswith("g") and len(label) > 4 and commit.startswith(label[1:]):  # noqa: PLR2004
            return built
    return predicted
