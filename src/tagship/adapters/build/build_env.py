"""A reused build environment: the backend's requirements installed once, bytecode compiled,
and reused by the next builds of any project with the same requirements for a day.

A fresh isolated environment per build (what `uv build` and `python -m build` make) spends
most of a small project's build importing the backend from source in every hook process.
The reused one is still isolated from the user's packages: it holds exactly the resolved
`[build-system] requires`, is written once into a private directory and only then published
by a rename, and is never installed into again. After REUSE_SECONDS it is built anew, so
new backend releases arrive as they would with a fresh environment, a day later at most.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.core.errors import ConfigError, GateError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    from tagship.adapters.process import Runner

REUSE_SECONDS = 24 * 3600
FORMAT = 1  # bump when the layout changes: older environments are then never reused
MARKER = "tagship-build-env.json"
# PEP 517/518: a project without [build-system] is built by setuptools' legacy backend
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
LEGACY_REQUIRES = ("setuptools>=40.8.0",)
# what decides which packages a resolution picks, besides the requirements themselves;
# hashed into the key only (they may hold credentials), never stored
_RESOLUTION_VARIABLES = (
    "UV_INDEX",
    "UV_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_EXTRA_INDEX_URL",
    "UV_FIND_LINKS",
    "UV_CONSTRAINT",
    "UV_BUILD_CONSTRAINT",
    "UV_OVERRIDE",
    "UV_PRERELEASE",
    "UV_EXCLUDE_NEWER",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_CONSTRAINT",
)


@dataclass(frozen=True)
class BuildSystem:
    """A project's `[build-system]`, PEP 517 defaults applied."""

    requires: tuple[str, ...]
    backend: str
    backend_path: tuple[str, ...]


@dataclass(frozen=True)
class BuildEnvironment:
    """A ready reused build environment: its Python and the build system it holds."""

    python: Path
    system: BuildSystem


def build_system(data: Mapping[str, Any], pyproject: Path) -> BuildSystem:
    """The `[build-system]` table of `data`, the parsed `pyproject`; a wrong type is a
    ConfigError."""
    table = data.get("build-system")
    if table is None:
        return BuildSystem(LEGACY_REQUIRES, LEGACY_BACKEND, ())
    requires = table.get("requires", list(LEGACY_REQUIRES))
    backend = table.get("build-backend", LEGACY_BACKEND)
    backend_path = table.get("backend-path", [])
    for key, value in (("requires", requires), ("backend-path", backend_path)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(
                f"`build-system.{key}` in {pyproject} must be a list of strings",
                hint='e.g. requires = ["hatchling"]',
            )
    if not isinstance(backend, str) or not backend:
        raise ConfigError(
            f"`build-system.build-backend` in {pyproject} must be a module name",
            hint='e.g. build-backend = "hatchling.build"',
        )
    return BuildSystem(tuple(requires), backend, tuple(backend_path))


def cache_root(env: Mapping[str, str]) -> Path:
    """Where reused environments live: TAGSHIP_CACHE_DIR, else the user's cache directory."""
    if env.get("TAGSHIP_CACHE_DIR"):
        return Path(env["TAGSHIP_CACHE_DIR"])
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "tagship" / "cache"
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".cache")
    return Path(base) / "tagship"


def env_key(requires: tuple[str, ...], python: str, env: Mapping[str, str]) -> str:
    """Environments are shared by requirement set, interpreter and index configuration."""
    facts = {
        "format": FORMAT,
        "requires": sorted(requires),
        "python": os.path.realpath(python),
        # an interpreter upgraded in place keeps its path, not its binary
        "binary": _mtime(python),
        "resolution": [env.get(name, "") for name in _RESOLUTION_VARIABLES],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:24]


def _mtime(path: str) -> int:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return 0


def _python_in(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _made_at(venv: Path) -> int:
    """When the environment was made: the stamp its directory is named with."""
    stamp = venv.name.rsplit("-", 1)[-1]
    return int(stamp) if stamp.isdigit() else 0


def _usable(venv: Path, now: float) -> bool:
    # the marker is written last before the directory is published: it means complete
    fresh = 0 <= now - _made_at(venv) < REUSE_SECONDS
    return fresh and (venv / MARKER).is_file() and _python_in(venv).exists()


def _retire(root: Path, key: str, now: float) -> None:
    # an environment is deleted only long after it stopped being chosen, so a build still
    # running in it (BUILD_TIMEOUT is far shorter) never loses it
    for old in root.glob(f"{key}-*"):
        if now - _made_at(old) > 2 * REUSE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    for abandoned in root.glob(".new-*"):  # left by a build that was killed
        with contextlib.suppress(OSError):
            if now - abandoned.stat().st_mtime > 2 * REUSE_SECONDS:
                shutil.rmtree(abandoned, ignore_errors=True)


def reused_environment(
    system: BuildSystem,
    *,
    uv: Path,
    python: str,
    env: Mapping[str, str],
    runner: Runner,
    clock: Callable[[], float] = time.time,
) -> BuildEnvironment:
    """A ready build environment holding `system.requires`, created when there
    is none younger than REUSE_SECONDS. Raises GateError when the requirements cannot be
    installed (the installer's last line says why), OSError when the cache is not writable."""
    root = cache_root(env) / "build-envs"
    key = env_key(system.requires, python, env)
    now = clock()
    for venv in sorted(root.glob(f"{key}-*"), key=_made_at, reverse=True):
        if _usable(venv, now):
            return BuildEnvironment(_python_in(venv), system)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".new-{uuid.uuid4().hex}"
    venv = root / f"{key}-{int(now)}"
    try:
        steps = [
            [str(uv), "venv", "--quiet", "--relocatable", "--python", python, str(staging)],
            [str(uv), "pip", "install", "--quiet", "--compile-bytecode",
             "--python", str(_python_in(staging)), "--", *system.requires],
        ]  # fmt: skip
        for argv in steps if system.requires else steps[:1]:
            done = runner(argv, env=env, timeout=600.0)
            if not done.ok:
                raise GateError(
                    "cannot install the build requirements "
                    f"({', '.join(system.requires)}): {done.tail(1) or 'no output'}",
                    hint="check [build-system] requires and that the package index is reachable",
                )
        facts = {"created": now, "requires": list(system.requires), "python": python}
        (staging / MARKER).write_text(json.dumps(facts), encoding="utf-8")
        try:
            staging.rename(venv)
        except OSError:
            # another build published an environment of the same second first: use it
            if not _usable(venv, now):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _retire(root, key, now)
    return BuildEnvironment(_python_in(venv), system)


def satisfies(environment: BuildEnvironment, requirements: Iterable[str]) -> bool:
    """Whether the environment already holds every requirement a backend asks for beyond
    `[build-system] requires` (maturin asks for cffi, older setuptools for wheel): then the
    reused environment builds, as a PEP 517 frontend would skip installing them. A requirement
    that cannot be parsed counts as missing, so the fresh environment's installer judges it."""
    # asked only when a backend wants more: the imports stay off every other command's start
    import importlib.metadata  # noqa: PLC0415

    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    root = environment.python.parent.parent
    sites = [str(p) for p in (*root.glob("lib/python*/site-packages"), root / "Lib/site-packages")]
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions(path=sites)
        if dist.metadata["Name"]
    }
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            return False
        # markers are judged for the Python running tagship, which builds with its own version
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        version = installed.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            return False
    return True
