"""Every file a bump changes, with its new text, computed before anything is written.

The version's own file (pyproject.toml, or a hatch/pdm/setuptools version file) first; then
`uv.lock` (the project's own entry), `__version__` literals in the import package(s) the wheel
would contain, and the `version-files` of `[tool.tagship]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from tagship.adapters.project_files import read_exact
from tagship.core.errors import ConfigError, GateError
from tagship.core.names import normalized_name
from tagship.core.pyproject import table
from tagship.core.version_carriers import (
    LITERAL_FILES,
    literal_version,
    rewrite_literal,
    rewrite_uv_lock,
    rewrite_version_file,
)
from tagship.core.version_source import rewrite, writable_path

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.workspace import Workspace

LOCK = "uv.lock"


@dataclass(frozen=True)
class FileEdit:
    """One file's rewrite: what carries the version there, and the text before and after."""

    path: Path
    what: str
    old: str  # the version the file held
    before: str
    after: str


def _hatch_packages(data: dict[str, Any], pyproject: Path) -> list[str]:
    wheel = table(data, "tool.hatch.build.targets.wheel", pyproject)
    packages = wheel.get("packages", [])
    return [str(p) for p in packages] if isinstance(packages, list) else []


def _setuptools_packages(data: dict[str, Any], pyproject: Path) -> list[str]:
    tool = table(data, "tool.setuptools", pyproject)
    packages, dirs = tool.get("packages"), tool.get("package-dir", {})
    if not isinstance(packages, list) or not isinstance(dirs, dict):
        return []
    top = {str(p).split(".", 1)[0] for p in packages}
    base = str(dirs.get("", "."))
    return [str(dirs.get(name, f"{base}/{name}")) for name in sorted(top)]


def package_dirs(workspace: Workspace) -> list[Path]:
    """The top-level import packages the wheel would contain: as the backend is told (hatch's
    wheel `packages`, setuptools' `packages`), else the project's name under src/ or the root,
    else every package directly under src/."""
    root, data = workspace.root, dict(workspace.pyproject_data)
    pyproject = workspace.config.pyproject
    named = _hatch_packages(data, pyproject) or _setuptools_packages(data, pyproject)
    candidates = [root / p for p in named]
    if not candidates:
        module = str(table(data, "tool.flit.module", pyproject).get("name", ""))
        module = module or normalized_name(workspace.name).replace("-", "_")
        candidates = [root / "src" / module, root / module]
        if not any((c / "__init__.py").is_file() for c in candidates) and (root / "src").is_dir():
            candidates = sorted(p for p in (root / "src").iterdir() if p.is_dir())
    return [c for c in candidates if (c / "__init__.py").is_file()]


def version_literals(workspace: Workspace) -> list[tuple[Path, str]]:
    """(file, version) of each `__version__` literal of the package(s), the version's own file
    aside."""
    own = workspace.meta.source.path
    found = []
    for package in package_dirs(workspace):
        for name in LITERAL_FILES:
            path = package / name
            if path.is_file() and path != own:
                version = literal_version(read_exact(path))
                if version is not None:
                    found.append((path, version))
    return found


def stale_literal(workspace: Workspace, version: Version) -> None:
    """GateError when a `__version__` literal of the package disagrees with `version`."""
    for path, found in version_literals(workspace):
        if Version(found) != version:
            raise GateError(
                f"{_relative(workspace, path)} says __version__ = {found!r}, "
                f"but the version is {version}",
                hint=f"set it to {version} and commit (tagship bump keeps it in step)",
            )


def _relative(workspace: Workspace, path: Path) -> str:
    return path.relative_to(workspace.root).as_posix()


def plan_edits(workspace: Workspace, current: Version, new: Version) -> tuple[FileEdit, ...]:
    """Every file's new text; raises (having written nothing) when one cannot be rewritten."""
    source, old, version = workspace.meta.source, str(current), str(new)
    originals: dict[Path, str] = {}
    texts: dict[Path, str] = {}
    labels: dict[Path, list[str]] = {}
    found: dict[Path, str] = {}

    def text_of(path: Path) -> str:
        if path not in texts:
            originals[path] = texts[path] = read_exact(path)
        return texts[path]

    def change(path: Path, what: str, was: str, update: str) -> None:
        # a file that carries the version twice is one edit, from its first reading
        texts[path] = update
        labels.setdefault(path, []).append(what)
        found.setdefault(path, was)

    path = writable_path(source)
    change(path, source.where, old, rewrite(source, text_of(path), version))
    lock = workspace.root / LOCK
    if lock.is_file():
        done = rewrite_uv_lock(text_of(lock), lock, workspace.name, version)
        if done is not None:
            change(lock, f"{LOCK} entry of {workspace.name}", done[1], done[0])
    for path, was in version_literals(workspace):
        where = f"__version__ in {_relative(workspace, path)}"
        change(path, where, was, rewrite_literal(text_of(path), version))
    for entry in workspace.config.version_files:
        path = workspace.root / entry.path
        if not path.is_file():
            raise ConfigError(
                f"version-files: {entry.path} does not exist in {workspace.root}",
                hint="fix the path (relative to the project directory) in [tool.tagship]",
            )
        updated = rewrite_version_file(text_of(path), entry, old, version)
        change(path, f"version-files {entry.path}", old, updated)
    return tuple(
        FileEdit(p, ", ".join(labels[p]), found[p], originals[p], texts[p])
        for p in labels
        if texts[p] != originals[p]
    )
