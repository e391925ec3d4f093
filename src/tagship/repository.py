"""The repository of one run: which packages it holds, and the workspace of the one chosen.

The packages are declared by the repository's root pyproject.toml: `packages = [globs]` in
its `[tool.tagship]`, else the members of a uv workspace (`[tool.uv.workspace]`); the root is
a package too when it has a `[project]` table. A repository that declares neither holds the
one project at -C, as tagship always had it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagship.adapters.process import Runner, run
from tagship.adapters.project_files import load_pyproject, read_pyproject
from tagship.ci import read_run
from tagship.core.config import load_config
from tagship.core.errors import ConfigError, UsageError
from tagship.core.names import normalized_name
from tagship.core.packages import (
    Package,
    Packages,
    check_distinct_tags,
    named_format,
    package_of_tag,
)
from tagship.core.pyproject import table
from tagship.core.version_source import detect
from tagship.workspace import Membership, Workspace, open_workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from tagship.core.ci_run import CIRun

_TAGSHIP = "[tool.tagship] packages"
_UV = "[tool.uv.workspace] members"


def _candidates(start: Path) -> list[Path]:
    # the directories that may be the repository's root: `start` and its parents up to the
    # git work tree's top (only `start` outside git: never a stray file above it)
    chain = [start, *start.parents]
    for i, directory in enumerate(chain):
        if (directory / ".git").exists():
            return chain[: i + 1]
    return [start]


def _globs(key: str, value: Any, pyproject: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` in {pyproject} must be a list of strings")
    return tuple(value)


def _declared(
    data: dict[str, Any], pyproject: Path
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(what declares them, member globs, excluded globs); no globs: not a repository root."""
    own = table(data, "tool.tagship", pyproject)
    if "packages" in own:
        return _TAGSHIP, _globs("tool.tagship.packages", own["packages"], pyproject), ()
    if "workspace" in table(data, "tool.uv", pyproject):
        uv = table(data, "tool.uv.workspace", pyproject)
        members = _globs("tool.uv.workspace.members", uv.get("members", []), pyproject)
        excluded = _globs("tool.uv.workspace.exclude", uv.get("exclude", []), pyproject)
        return _UV, members, excluded
    return "", (), ()


def _matches(root: Path, pattern: str) -> list[Path]:
    if pattern.strip("/") in ("", "."):  # the root itself, which Path.glob cannot spell
        return [root]
    return [p for p in root.glob(pattern) if p.is_dir()]


def _directories(
    root: Path, globs: tuple[str, ...], declared_by: str, *, strict: bool
) -> set[Path]:
    """The directories `globs` match; `strict` (tagship's own declaration): a glob that
    matches nothing is a mistake. uv lets a workspace glob match nothing, and so does this."""
    found: set[Path] = set()
    for pattern in globs:
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise ConfigError(f"{declared_by}: {pattern!r} is not inside the repository")
        matched = _matches(root, pattern)
        if not matched and strict:
            raise ConfigError(
                f"{declared_by}: {pattern!r} matches no directory under {root}",
                hint="remove the entry, or fix the glob (relative to the repository root)",
            )
        for path in matched:
            resolved = path.resolve()
            if resolved != root and root not in resolved.parents:
                raise ConfigError(
                    f"{declared_by}: {path.relative_to(root).as_posix()} leads out of the "
                    f"repository (to {resolved})",
                    hint="a package's directory must be inside the repository, not a link out",
                )
            found.add(resolved)
    return found


def _is_uv_package(data: Mapping[str, Any]) -> bool:
    """Whether uv builds this workspace member as a package: `[tool.uv] package`, else a
    declared `[build-system]`. A member that is not one (a virtual root, a dev-only helper)
    is never released, so it is no package of the repository's."""
    uv = data.get("tool", {}).get("uv", {}) if isinstance(data.get("tool"), dict) else {}
    package = uv.get("package") if isinstance(uv, dict) else None
    if isinstance(package, bool):
        return package
    return "project" in data and "build-system" in data


def _package(root: Path, directory: Path, data: dict[str, Any]) -> Package:
    pyproject = directory / "pyproject.toml"
    name = detect(data, pyproject, is_file=Path.is_file).name
    relative = directory.relative_to(root).as_posix()
    return Package(normalized_name(name), directory, relative)


@dataclass(frozen=True)
class _Found:
    packages: Packages
    data: Mapping[Path, dict[str, Any]]  # each package's pyproject.toml, parsed


def _parsed(
    root: Path,
    data: dict[str, Any],
    directories: list[Path],
    declared_by: str,
    load: Callable[[Path], dict[str, Any]],
) -> dict[Path, dict[str, Any]]:
    """Each package directory's parsed pyproject.toml. Declared by tagship, every directory
    must hold one; by uv, only the members uv builds as packages count."""
    strict = declared_by == _TAGSHIP
    parsed: dict[Path, dict[str, Any]] = {}
    for directory in directories:
        if directory != root and not (directory / "pyproject.toml").is_file():
            if not strict:
                continue  # as uv does: a matched directory without a project is no member
            raise ConfigError(
                f"{declared_by}: {directory.relative_to(root).as_posix()} has no pyproject.toml",
                hint="every package directory holds its own pyproject.toml",
            )
        member = data if directory == root else load(directory)
        if strict or _is_uv_package(member):
            parsed[directory] = member
    return parsed


def _members(
    root: Path, data: dict[str, Any], load: Callable[[Path], dict[str, Any]]
) -> _Found | None:
    pyproject = root / "pyproject.toml"
    declared_by, globs, excluded = _declared(data, pyproject)
    if not declared_by:
        return None
    strict = declared_by == _TAGSHIP
    directories = _directories(root, globs, declared_by, strict=strict) if globs else set()
    if excluded:
        exclude = declared_by.replace("members", "exclude")
        directories -= _directories(root, excluded, exclude, strict=strict)
    if "project" in data:
        directories.add(root)
    parsed = _parsed(root, data, sorted(directories), declared_by, load)
    if not parsed and not strict:
        return None  # no member uv builds as a package: the project at -C, as always
    packages = [_package(root, d, parsed[d]) for d in sorted(parsed)]
    seen: dict[str, Package] = {}
    for package in packages:
        if package.name in seen:
            raise ConfigError(
                f"two packages are named {package.name}: {seen[package.name].relative} and "
                f"{package.relative}",
                hint="each package of a repository needs a name of its own",
            )
        seen[package.name] = package
    if not packages:
        raise ConfigError(f"{declared_by} in {pyproject} names no package")
    members = tuple(sorted(packages, key=lambda p: p.name))
    return _Found(Packages(root, members, declared_by), parsed)


def _find(
    start: Path, read: Callable[[Path], str], seen: dict[Path, dict[str, Any]] | None = None
) -> _Found | None:
    """The packages around `start`; every pyproject parsed on the way is kept in `seen`."""
    seen = {} if seen is None else seen

    def load(directory: Path) -> dict[str, Any]:
        if directory not in seen:
            seen[directory] = load_pyproject(directory / "pyproject.toml", read)
        return seen[directory]

    for directory in _candidates(start):
        if not (directory / "pyproject.toml").is_file():
            continue
        found = _members(directory, load(directory), load)
        if found is not None:
            return found
    return None


def find_packages(start: Path, read: Callable[[Path], str] = read_pyproject) -> Packages | None:
    """The packages of the repository around `start`; None: no root declares any."""
    found = _find(start.resolve(), read)
    return None if found is None else found.packages


@dataclass(frozen=True)
class Repository:
    """What -C and --package chose: the packages around the project directory (None when no
    root declares any) and the directory the command runs from."""

    start: Path
    packages: Packages | None
    data: Mapping[Path, dict[str, Any]]

    @property
    def several(self) -> bool:
        return self.packages is not None and self.packages.several

    @property
    def packages_apart(self) -> bool:
        """Whether the workflows at the root serve packages in directories of their own:
        several, or one that is a member of a workspace rather than the root itself."""
        packages = self.packages
        return packages is not None and (
            packages.several or packages.members[0].directory != packages.root
        )

    def unchosen(self, name: str | None) -> bool:
        """Whether every package is in view: several, none named, -C inside none of them."""
        packages = self.packages
        return (
            packages is not None
            and packages.several
            and name is None
            and packages.containing(self.start) is None
        )

    def tag_formats(self, ci: CIRun, overrides: tuple[str, ...]) -> dict[str, str]:
        """Each package's tag format, `{name}` replaced (config only: nothing asks git)."""
        assert self.packages is not None  # noqa: S101 - callers check `several` first
        formats = {}
        for package in self.packages.members:
            config = load_config(
                package.directory / "pyproject.toml",
                self.data[package.directory],
                ci_repository=ci.repository,
                overrides=overrides,
                inherited=self._inherited(package),
                several=self.packages.several,
            )
            formats[package.name] = named_format(config.tag_format, package.name)
        return formats

    def _inherited(self, package: Package) -> tuple[Path, Mapping[str, Any]] | None:
        assert self.packages is not None  # noqa: S101 - only called with packages
        if package.directory == self.packages.root:
            return None
        return self.packages.root / "pyproject.toml", self.data[self.packages.root]


def declared_files(repository: Repository, package: Package) -> tuple[Path, ...]:
    """What a package declares its own outside its directory: `files` in its
    `[tool.tagship]`, paths from the repository's root (a shared schema, a proto file)."""
    assert repository.packages is not None  # noqa: S101 - only asked of a package
    root = repository.packages.root
    pyproject = package.directory / "pyproject.toml"
    declared = table(repository.data[package.directory], "tool.tagship", pyproject).get("files")
    if declared is None:
        return ()
    key = "tool.tagship.files"
    found = []
    for path in _globs(key, declared, pyproject):
        if any(c in path for c in "*?["):
            raise ConfigError(
                f"`{key}` in {pyproject}: {path!r} is a pattern; files are named one by one",
                hint="list each file or directory by its path from the repository's root",
            )
        target = (root / path).resolve()
        if Path(path).is_absolute() or (target != root and root not in target.parents):
            raise ConfigError(
                f"`{key}` in {pyproject}: {path!r} is not inside the repository",
                hint="name files by their path from the repository's root",
            )
        found.append(target)
    return tuple(found)


def open_repository(start: Path, read: Callable[[Path], str] = read_pyproject) -> Repository:
    """The packages around `start` (-C)."""
    resolved = start.resolve()
    seen: dict[Path, dict[str, Any]] = {}  # each pyproject parsed once, for the workspace too
    found = _find(resolved, read, seen)
    if found is None:
        return Repository(resolved, None, seen)
    root = found.packages.root
    if (
        resolved != root
        and (resolved / "pyproject.toml").is_file()
        and found.packages.containing(resolved) is None
    ):
        # a project of its own, in no package's directory
        return Repository(resolved, None, seen)
    data = {**seen, **found.data}
    if root not in data:
        data[root] = load_pyproject(root / "pyproject.toml", read)
    return Repository(resolved, found.packages, data)


def open_package(
    repository: Repository,
    name: str | None,
    *,
    env: Mapping[str, str],
    overrides: tuple[str, ...] = (),
    runner: Runner = run,
    tag: str | None = None,
    ci: CIRun | None = None,
) -> Workspace:
    """The workspace of the package `name`, else the one -C is inside, else the one `tag`
    (a release tag) names; a repository of several packages refuses without a choice."""
    packages = repository.packages
    ci = read_run(env) if ci is None else ci

    def opened(directory: Path, member: Membership | None = None) -> Workspace:
        # the pyproject as the repository parsed it: nothing reads it twice
        data = repository.data.get(directory)
        return open_workspace(
            directory, env=env, overrides=overrides, runner=runner, member=member, ci=ci, data=data
        )

    if packages is None:
        workspace = opened(repository.start)
        if name is not None and normalized_name(name) != normalized_name(workspace.name):
            raise UsageError(
                f"no package {name!r} here: {workspace.root} holds {workspace.name} alone",
                hint="drop --package, or declare the packages in the root's [tool.tagship]",
            )
        return workspace
    formats = repository.tag_formats(ci, overrides) if packages.several else {}
    check_distinct_tags(formats)
    if tag is not None and repository.unchosen(name):
        name = package_of_tag(tag, formats)[0]
    package = packages.choose(name, repository.start)
    if not packages.several:  # the root's configuration still counts for its tools
        inherited = repository._inherited(package)  # noqa: SLF001 - the same module's value
        return replace(opened(package.directory), inherited=inherited)
    member = Membership(
        inherited=repository._inherited(package),  # noqa: SLF001 - the same module's value
        paths=(package.directory, *declared_files(repository, package)),
        excluded=tuple(
            p.directory for p in packages.members if package.directory in p.directory.parents
        ),
        siblings=tuple(n for n in packages.names if n != package.name),
    )
    return opened(package.directory, member)
