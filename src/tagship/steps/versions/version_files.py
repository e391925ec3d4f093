"""Every file a bump changes, with its new text, computed before anything is written.

The version's own file (pyproject.toml, or a hatch/pdm/setuptools version file) first; then
`uv.lock` (the project's own entry, in the nearest lock up to the repository's top),
`__version__` literals of the project's own import package(s), and the `version-files` of
`[tool.tagship]`. Every file is inside the repository and none is a symlink (a bump writes a
new file in its place).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path, PurePath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from tagship.adapters.pattern_search import search_pattern
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
    from tagship.core.version_carriers import VersionFile
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


def _import_names(workspace: Workspace, data: dict[str, Any], pyproject: Path) -> set[str]:
    """The names the project's own import package may have: flit's module, or the project's
    name with `_` or nothing for its dashes (demo-lib: demo_lib, demolib)."""
    module = str(table(data, "tool.flit.module", pyproject).get("name", ""))
    name = normalized_name(workspace.name)
    return {name.replace("-", "_"), name.replace("-", ""), *([module] if module else [])}


def _find_where(data: dict[str, Any], pyproject: Path) -> list[str]:
    """setuptools' `packages.find` directories, when it is told where to look."""
    packages = table(data, "tool.setuptools", pyproject).get("packages")
    where = packages.get("where", []) if isinstance(packages, dict) else []
    return [str(w) for w in where] if isinstance(where, list) else []


def _packages_in(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if (p / "__init__.py").is_file())


def package_dirs(workspace: Workspace) -> tuple[list[Path], list[Path]]:
    """(own, others): the project's own top-level import packages, and the other packages
    beside them (vendored, helpers), whose `__version__` is the project's only when it equals
    the version.

    Own: the packages the backend is told (hatch's wheel `packages`, setuptools' `packages`)
    that carry the project's import name (the only one, when just one is told); else the
    package of that name under src/, setuptools' `where` or the root. Others: the rest of the
    told packages, or every other package under src/ (or `where`)."""
    root, data = workspace.root, dict(workspace.pyproject_data)
    pyproject = workspace.config.pyproject
    names = _import_names(workspace, data, pyproject)
    named = _hatch_packages(data, pyproject) or _setuptools_packages(data, pyproject)
    if named:
        told = [root / p for p in named if (root / p / "__init__.py").is_file()]
        own = [p for p in told if p.name in names] or (told if len(told) == 1 else [])
        return own, [p for p in told if p not in own]
    bases = [root / w for w in _find_where(data, pyproject)] or [root / "src"]
    own = [
        b / n for b in [*bases, root] for n in sorted(names) if (b / n / "__init__.py").is_file()
    ]
    others = [p for b in bases if b != root for p in _packages_in(b) if p not in own]
    return own, others


def version_literals(workspace: Workspace, version: Version) -> list[tuple[Path, str]]:
    """(file, version) of each `__version__` literal that duplicates the project's version,
    the version's own file aside: every literal of the project's own package(s) (a stale one
    is still theirs), and a literal of another package only when it equals `version`."""
    own_file = workspace.meta.source.path
    own, others = package_dirs(workspace)
    found = []
    for package in [*own, *others]:
        for name in LITERAL_FILES:
            path = package / name
            if not path.is_file() or path == own_file:
                continue
            literal = literal_version(read_exact(path))
            if literal is not None and (package in own or Version(literal) == version):
                found.append((path, literal))
    return found


def stale_literal(workspace: Workspace, version: Version) -> None:
    """GateError when a `__version__` literal of the project's own package disagrees with
    `version` (another package's literal is its own business)."""
    for path, found in version_literals(workspace, version):
        if Version(found) != version:
            raise GateError(
                f"{_shown(workspace, path)} says __version__ = {found!r}, "
                f"but the version is {version}",
                hint=f"set it to {version} and commit (tagship bump keeps it in step)",
            )


def repository_top(workspace: Workspace) -> Path:
    """The directory nothing of a bump may leave: the git work tree's top, or the project
    directory when there is no git."""
    git = workspace.git
    return (git.root if git is not None else workspace.root).resolve()


def _shown(workspace: Workspace, path: Path) -> str:
    """`path` as the user names it: relative to the project directory."""
    return Path(os.path.relpath(path, workspace.root)).as_posix()


def find_lock(workspace: Workspace) -> Path | None:
    """The `uv.lock` that records the project: the nearest one from the project directory up
    to the repository's top (a uv workspace has one, at its root, for every member)."""
    top = repository_top(workspace)
    directory = workspace.root.resolve()
    while directory.is_relative_to(top):
        if (directory / LOCK).is_file():
            return directory / LOCK
        if directory == top:
            break
        directory = directory.parent
    return None


def _refuse_link(workspace: Workspace, path: Path, named: str) -> None:
    """ConfigError unless `path` is a file of the repository that is not a symlink (a bump
    writes a new file in its place: a link would become a copy, or lead outside)."""
    top = repository_top(workspace)
    resolved = path.resolve()
    if not resolved.is_relative_to(top):
        raise ConfigError(
            f"{named} is outside the repository {top}",
            hint="bump only changes files of the repository",
        )
    if path.is_symlink():
        raise ConfigError(
            f"{named} is a symlink to {resolved.relative_to(top).as_posix()}",
            hint="name the file it points to instead",
        )


def _version_file(workspace: Workspace, entry: VersionFile) -> Path:
    """The file of a `version-files` entry, which must be inside the repository."""
    named = f"version-files: {entry.path}"
    if PurePath(entry.path).is_absolute() or PureWindowsPath(entry.path).is_absolute():
        raise ConfigError(
            f"{named} is an absolute path",
            hint="name it relative to the project directory, inside the repository",
        )
    path = workspace.root / entry.path
    _refuse_link(workspace, path, named)
    if not path.is_file():
        raise ConfigError(
            f"{named} does not exist in {workspace.root}",
            hint="fix the path (relative to the project directory) in [tool.tagship]",
        )
    return path.resolve()


def plan_edits(workspace: Workspace, current: Version, new: Version) -> tuple[FileEdit, ...]:
    """Every file's new text; raises (having written nothing) when one cannot be rewritten."""
    source, old, version = workspace.meta.source, str(current), str(new)
    originals: dict[Path, str] = {}
    texts: dict[Path, str] = {}
    labels: dict[Path, list[str]] = {}
    found: dict[Path, str] = {}

    def text_of(path: Path) -> str:
        # `path` is resolved (one file, one edit); whether it was a link was asked before
        if path not in texts:
            originals[path] = texts[path] = read_exact(path)
        return texts[path]

    def checked(path: Path) -> Path:
        _refuse_link(workspace, path, _shown(workspace, path))
        return path.resolve()

    def change(path: Path, what: str, was: str, update: str) -> None:
        # a file that carries the version twice is one edit, from its first reading
        texts[path] = update
        labels.setdefault(path, []).append(what)
        found.setdefault(path, was)

    path = checked(writable_path(source))
    change(path, source.where, old, rewrite(source, text_of(path), version))
    lock = find_lock(workspace)
    if lock is not None:
        lock = checked(lock)
        done = rewrite_uv_lock(text_of(lock), lock, workspace.name, version)
        if done is not None:
            change(lock, f"{_shown(workspace, lock)} entry of {workspace.name}", done[1], done[0])
    for literal, was in version_literals(workspace, current):
        where = f"__version__ in {_shown(workspace, literal)}"
        path = checked(literal)
        change(path, where, was, rewrite_literal(text_of(path), version))
    for entry in workspace.config.version_files:
        path = _version_file(workspace, entry)
        text = text_of(path)
        edited = path in labels
        search = functools.partial(
            search_pattern,
            what=f"version-files: the pattern of {entry.path}",
            env=workspace.env,
            runner=workspace.runner,
        )
        if edited:  # e.g. the `__version__` module a bump2version setup lists: its own
            rewrite_version_file(originals[path], entry, old, version, search=search)  # as was
        updated = rewrite_version_file(text, entry, old, version, search=search, edited=edited)
        change(path, f"version-files {entry.path}", old, updated)
    return tuple(
        FileEdit(p, ", ".join(labels[p]), found[p], originals[p], texts[p])
        for p in labels
        if texts[p] != originals[p]
    )
