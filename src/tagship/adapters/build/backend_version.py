"""The version as the build backend computes it, asked of its PEP 517 metadata hook.

Between tags, a version from git tags is spelled by the backend's version scheme
(setuptools-scm, hatch-vcs, pdm's scm source, each with its settings); other versions only
the backend can compute (in setup.py, scikit-build-core's regex provider, meson.build,
Cargo.toml, flit's `__version__` imported from another module). Re-implementing those would
drift from what gets built, so tagship asks: `prepare_metadata_for_build_wheel` (a backend
without it builds a wheel instead) in the reused build environment, on a checkout of HEAD as
builds use it. The answer is cached per commit, nearest tag, build requirements and the
variables that override versions.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import warnings
from dataclasses import replace
from email.parser import BytesHeaderParser
from typing import TYPE_CHECKING, Any, Protocol

from tagship.adapters.build.build_env import build_system, env_key, reused_environment
from tagship.adapters.build.build_tree import (
    BuildProject,
    checked_out,
    locked,
    project_directory,
)
from tagship.adapters.build.builder import (
    BuildFailedError,
    backend_errors,
    can_run_hooks,
    find_uv,
    hook_caller,
)
from tagship.adapters.files import write_atomic
from tagship.adapters.git_export import GitExport
from tagship.adapters.process import without_secrets
from tagship.core.errors import ConfigError
from tagship.core.versions import parse_version

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from packaging.version import Version

    from tagship.adapters.build.build_env import BuildEnvironment
    from tagship.adapters.git import Describe
    from tagship.adapters.process import Runner
    from tagship.core.config import Config

FORMAT = 1  # bump when the cache's meaning changes: older answers are then never used
KEPT = 64  # answers kept per project, the newest
# variables by which setuptools-scm, pdm-backend and versioningit take overrides
_VERSION_VARIABLES = ("SETUPTOOLS_SCM_", "PDM_BUILD_SCM_", "VERSIONINGIT_")


class VersionedProject(BuildProject, Protocol):
    """What asking the backend for the version reads of the project (the workspace is one)."""

    @property
    def name(self) -> str: ...

    @property
    def pyproject_data(self) -> Mapping[str, Any]: ...

    @property
    def config(self) -> Config: ...


def backend_version(
    workspace: VersionedProject,
    described: Describe | None,
    *,
    runner: Runner,
    python: str = sys.executable,
) -> Version:
    """The version the backend gives HEAD, where HEAD stands from its nearest tag being
    `described` (None: the version does not depend on tags).

    Raises ConfigError when it cannot be asked (no uv, no git, an unwritable cache),
    GateError when the build environment cannot be made or the backend fails."""
    git = workspace.require_git()
    commit = git.head_sha()
    system = build_system(workspace.pyproject_data, workspace.config.pyproject)
    env = without_secrets(workspace.env)
    key = _key(commit, described, env_key(system.requires, python, env), env)
    directory = project_directory(env, workspace.root)
    known = _answers(directory.versions).get(key)
    if known is not None:
        return parse_version(known, where=str(directory.versions))
    uv = find_uv(env, python)
    if uv is None or not can_run_hooks():
        raise ConfigError(
            f"the version of {workspace.name} is computed by its build backend, and asking "
            "the backend needs uv",
            hint="pip install uv",
        )

    def environment(more: tuple[str, ...]) -> BuildEnvironment:
        wanted = replace(system, requires=system.requires + more)
        return reused_environment(wanted, uv=uv, python=python, env=env, runner=runner)

    export = GitExport(git.root, runner, workspace.env)
    try:
        base = environment(())
        with locked(directory):
            text = _ask(
                base,
                checked_out(export, commit, workspace.root, directory),
                directory.scratch,
                environment,
                name=workspace.name,
                env=env,
                runner=runner,
            )
            version = parse_version(text, where=f"the metadata {system.backend} computed")
            _remember(directory.versions, key, str(version))
    except OSError as error:
        raise ConfigError(
            f"cannot ask the build backend for the version: {error}",
            hint="check that the cache directory is writable (TAGSHIP_CACHE_DIR)",
        ) from None
    return version


def _key(commit: str, described: Describe | None, environment: str, env: Mapping[str, str]) -> str:
    facts = {
        "format": FORMAT,
        "commit": commit,
        "nearest": None if described is None else [described.tag, described.distance],
        "environment": environment,
        # may hold a pinned version, never a credential; hashed, not stored
        "variables": sorted((k, v) for k, v in env.items() if k.startswith(_VERSION_VARIABLES)),
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:32]


def _answers(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or damaged: asked again
    answers = data.get("versions") if isinstance(data, dict) else None
    return dict(answers) if isinstance(answers, dict) else {}


def _remember(path: Path, key: str, version: str) -> None:
    answers = _answers(path)
    answers.pop(key, None)
    answers[key] = version
    newest = dict(list(answers.items())[-KEPT:])
    write_atomic(path, json.dumps({"versions": newest}, indent=1))


def _ask(
    environment: BuildEnvironment,
    tree: Path,
    scratch: Path,
    more: Callable[[tuple[str, ...]], BuildEnvironment],
    *,
    name: str,
    env: Mapping[str, str],
    runner: Runner,
) -> str:
    """The version in the metadata the backend prepares for a wheel of `tree`; in an
    environment with `more` requirements when the backend fails without those it asks for."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    caller = hook_caller(environment, tree, name=name, env=env, runner=runner)
    # a backend's warnings concern its builds: the build reports them
    with backend_errors(environment.system), warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            # metadata rarely needs more than [build-system] requires: asking first what
            # more it needs would double the cost of every question
            dist_info = caller.prepare_metadata_for_build_wheel(str(scratch))
        except BuildFailedError:
            extra = tuple(caller.get_requires_for_build_wheel())
            if not extra:
                raise
            wider = hook_caller(more(extra), tree, name=name, env=env, runner=runner)
            dist_info = wider.prepare_metadata_for_build_wheel(str(scratch))
    raw = (scratch / dist_info / "METADATA").read_bytes()
    shutil.rmtree(scratch, ignore_errors=True)
    version = BytesHeaderParser().parsebytes(raw)["Version"]
    return str(version or "")
