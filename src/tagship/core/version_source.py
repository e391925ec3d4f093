"""Where a project's version lives, and how to read and rewrite it there.

Supports a static `[project].version`, and `dynamic = ["version"]` from hatch
(`path`/`vcs`), pdm (`file`/`scm`), setuptools (`attr`/`file`), setuptools-scm and
flit (the module's `__version__`); poetry's `[tool.poetry].version` for projects
without a `[project]` table, or poetry 2's dynamic version. Any other dynamic version
(computed in setup.py, scikit-build-core's regex provider, meson.build, Cargo.toml) is the
build backend's to tell (kind "backend").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from tagship.core.errors import ConfigError, UsageError
from tagship.core.pyproject import table

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    IsFile = Callable[[Path], bool]  # asks the file system: core reads nothing itself

SourceKind = Literal["static", "file", "scm", "poetry", "backend"]

# hatchling's default regex version source
_HATCH_PATTERN = r"""(?i)^(__version__|VERSION) *= *(['"])v?(?P<version>.+?)\2"""
# pdm-backend's default for source = "file"
_PDM_PATTERN = r"""^__version__\s*=\s*(['"])v?(?P<version>.+?)\1"""
_SCM_REQUIRES = ("setuptools_scm", "setuptools-scm", "hatch-vcs", "hatch_vcs")


@dataclass(frozen=True)
class VersionSource:
    """Where the version is read from and written to."""

    kind: SourceKind
    where: str
    path: Path | None = None
    # regex with a `version` group; None means the whole (stripped) file is the version
    pattern: str | None = None
    # the backend imports the module when it holds no literal version (setuptools attr,
    # flit): the backend is then asked
    imported: bool = False


@dataclass(frozen=True)
class ProjectMeta:
    """A project's distribution name, version source and build backend."""

    name: str
    source: VersionSource
    backend: str


def _attr_pattern(attr: str) -> str:
    return rf"""^{re.escape(attr)}\s*(?::[^=\n]+)?=\s*(['"])v?(?P<version>[^'"\n]+)\1"""


def _module_file(
    root: Path,
    module: str,
    package_dirs: dict[str, str],
    is_file: IsFile,
    where: tuple[str, ...] = (),
) -> Path | None:
    parts = module.split(".")
    bases = [package_dirs[""]] if "" in package_dirs else [*where, "src", "."]
    if parts[0] in package_dirs:
        bases = [package_dirs[parts[0]]]
        parts = parts[1:]
    for base in bases:
        stem = root.joinpath(base, *parts)
        for candidate in (stem / "__init__.py", stem.with_suffix(".py")):
            if parts and is_file(candidate):
                return candidate
    return None


def _computed(where: str) -> VersionSource:
    return VersionSource("backend", f"{where}, computed by the build backend")


def _setuptools_source(
    spec: Any, data: dict[str, Any], pyproject: Path, is_file: IsFile
) -> VersionSource:
    root = pyproject.parent
    if isinstance(spec, dict) and isinstance(spec.get("attr"), str):
        module, _, attr = spec["attr"].rpartition(".")
        dirs = table(data, "tool.setuptools", pyproject).get("package-dir", {})
        # `[tool.setuptools.packages.find] where = ["lib"]` puts the packages under lib/
        found = table(data, "tool.setuptools", pyproject).get("packages", {})
        where = found.get("find", {}).get("where", []) if isinstance(found, dict) else []
        bases = tuple(str(w) for w in where) if isinstance(where, list) else ()
        path = _module_file(root, module, dirs if isinstance(dirs, dict) else {}, is_file, bases)
        where = f"setuptools attr {spec['attr']}"
        if path is None:  # a layout tagship does not follow: setuptools finds it
            return _computed(where)
        return VersionSource("file", where, path, _attr_pattern(attr), imported=True)
    if isinstance(spec, dict) and isinstance(spec.get("file"), (str, list)):
        files = spec["file"] if isinstance(spec["file"], list) else [spec["file"]]
        return VersionSource("file", f"setuptools file {files[0]}", root / str(files[0]))
    raise ConfigError(
        f"`tool.setuptools.dynamic.version` in {pyproject} must be {{attr}} or {{file}}"
    )


def _flit_source(
    data: dict[str, Any], pyproject: Path, name: str, is_file: IsFile
) -> VersionSource:
    module_table = table(data, "tool.flit.module", pyproject)
    module = str(module_table.get("name", name.replace("-", "_")))
    path = _module_file(pyproject.parent, module, {}, is_file)
    where = f"flit module {module}.__version__"
    if path is None:
        return _computed(where)
    return VersionSource("file", where, path, _attr_pattern("__version__"), imported=True)


def _dynamic_source(
    data: dict[str, Any], pyproject: Path, name: str, backend: str, is_file: IsFile
) -> VersionSource:
    root = pyproject.parent
    requires = " ".join(str(r) for r in table(data, "build-system", pyproject).get("requires", []))
    hatch = table(data, "tool.hatch.version", pyproject)
    pdm = table(data, "tool.pdm.version", pyproject)
    setuptools_dynamic = table(data, "tool.setuptools.dynamic", pyproject)
    if hatch.get("source") == "vcs":
        return VersionSource("scm", "hatch-vcs (git tags)")
    if isinstance(hatch.get("path"), str) and hatch.get("source", "regex") == "regex":
        pattern = hatch.get("pattern")
        if isinstance(pattern, str) and "(?P<version>" not in pattern:
            raise ConfigError(f"`tool.hatch.version.pattern` in {pyproject} has no version group")
        path = root / hatch["path"]
        chosen = pattern if isinstance(pattern, str) else _HATCH_PATTERN
        return VersionSource("file", f"hatch version path {hatch['path']}", path, chosen)
    if pdm.get("source") == "scm":
        return VersionSource("scm", "pdm scm (git tags)")
    if pdm.get("source") == "file" and isinstance(pdm.get("path"), str):
        return VersionSource(
            "file", f"pdm version file {pdm['path']}", root / pdm["path"], _PDM_PATTERN
        )
    if "version" in setuptools_dynamic:
        return _setuptools_source(setuptools_dynamic["version"], data, pyproject, is_file)
    if "setuptools_scm" in data.get("tool", {}) or any(r in requires for r in _SCM_REQUIRES):
        return VersionSource("scm", "setuptools-scm (git tags)")
    poetry = table(data, "tool.poetry", pyproject)
    if backend.startswith("poetry") and isinstance(poetry.get("version"), str):
        # poetry 2 reads a dynamic version from [tool.poetry].version
        return VersionSource("poetry", f"{pyproject.name} [tool.poetry].version", pyproject)
    if backend.startswith("flit_core"):
        return _flit_source(data, pyproject, name, is_file)
    return VersionSource("backend", f"build backend {backend or 'setuptools'}")


def _toml_type(value: object) -> str:
    kinds = {bool: "a boolean", int: "an integer", float: "a float", list: "an array"}
    kinds |= {dict: "a table", str: "a string"}
    return next((k for t, k in kinds.items() if isinstance(value, t)), "a date or time")


def detect(data: dict[str, Any], pyproject: Path, *, is_file: IsFile) -> ProjectMeta:
    """Find the project's name and where its version lives (`is_file` finds the module
    holding it)."""
    backend = str(table(data, "build-system", pyproject).get("build-backend", ""))
    project = data.get("project")
    if project is None:
        poetry = table(data, "tool.poetry", pyproject)
        if isinstance(poetry.get("name"), str) and isinstance(poetry.get("version"), str):
            where = f"{pyproject.name} [tool.poetry].version"
            return ProjectMeta(poetry["name"], VersionSource("poetry", where, pyproject), backend)
        legacy = any(is_file(pyproject.parent / f) for f in ("setup.py", "setup.cfg"))
        raise ConfigError(
            f"{pyproject} has no [project] table"
            + (" (the metadata lives in setup.py/setup.cfg)" if legacy else ""),
            hint="tagship needs [project] with name and version (or dynamic = ['version']): "
            "see https://packaging.python.org/en/latest/guides/writing-pyproject-toml/",
        )
    if not isinstance(project, dict):
        raise ConfigError(
            f"[project] in {pyproject} must be a table, not {_toml_type(project)}",
            hint='write it as a [project] section with name = "your-package"',
        )
    if "name" not in project:
        raise ConfigError(f"[project] in {pyproject} has no name", hint='add name = "your-package"')
    if not isinstance(project["name"], str):
        raise ConfigError(
            f"[project].name in {pyproject} must be a string, not {_toml_type(project['name'])}",
            hint='write name = "your-package"',
        )
    name = project["name"]
    dynamic = project.get("dynamic", [])
    if isinstance(project.get("version"), str):
        where = f"{pyproject.name} [project].version"
        return ProjectMeta(name, VersionSource("static", where, pyproject), backend)
    if "version" in project:
        raise ConfigError(
            f"[project].version in {pyproject} must be a string, "
            f"not {_toml_type(project['version'])}",
            hint='quote it: version = "0.1.0"',
        )
    if isinstance(dynamic, list) and "version" in dynamic:
        source = _dynamic_source(data, pyproject, name, backend, is_file)
        return ProjectMeta(name, source, backend)
    raise ConfigError(
        f"[project] in {pyproject} has no version and does not declare it dynamic",
        hint='add version = "0.1.0" or dynamic = ["version"] with a version source',
    )


def _span(source: VersionSource, text: str) -> tuple[int, int]:
    """Start and end offsets of the version string inside the file's text."""
    if source.pattern is None:
        stripped = text.strip()
        start = text.find(stripped)
        return start, start + len(stripped)
    match = re.search(source.pattern, text, flags=re.MULTILINE)
    if match is None:
        assert source.path is not None  # noqa: S101 - file sources always carry a path
        raise ConfigError(
            f"no literal version found in {source.path} ({source.where})",
            hint='assign it as a plain string, e.g. __version__ = "1.2.3"',
        )
    return match.start("version"), match.end("version")


def declared_version(source: VersionSource, data: Mapping[str, Any]) -> str:
    """The version string of a static or poetry source, from the parsed pyproject.toml
    (`detect` checked that it is a string)."""
    node = data["project"] if source.kind == "static" else data["tool"]["poetry"]
    return str(node["version"])


def has_literal(source: VersionSource, text: str) -> bool:
    """Whether `text`, the file of a file source, spells the version out."""
    return source.pattern is None or re.search(source.pattern, text, re.MULTILINE) is not None


def version_in(source: VersionSource, text: str) -> str:
    """The version string inside `text`, the file of a file source (not yet validated)."""
    start, end = _span(source, text)
    return text[start:end]


def writable_path(source: VersionSource) -> Path:
    """The file a bump rewrites; a version that lives in git tags or is computed by the
    backend has none."""
    if source.kind == "backend":
        raise UsageError(
            f"the version is computed by the build backend ({source.where}); tagship has no "
            "file to bump",
            hint="change it where the backend reads it, commit, and tag",
        )
    if source.path is None:
        raise UsageError(
            f"the version comes from git tags ({source.where}); there is no file to bump",
            hint="create the release tag instead (tagship tag)",
        )
    return source.path


def rewrite(source: VersionSource, text: str, new: str) -> str:
    """`text` (the file holding the version) with only the version replaced by `new`."""
    if source.kind in ("static", "poetry"):
        return _rewrite_toml(
            text, ("project",) if source.kind == "static" else ("tool", "poetry"), new
        )
    start, end = _span(source, text)
    return text[:start] + new + text[end:]


def _rewrite_toml(text: str, keys: tuple[str, ...], new: str) -> str:
    import tomlkit  # noqa: PLC0415 - only bump needs it; keeps start-up fast
    from tomlkit.items import String  # noqa: PLC0415

    doc = tomlkit.parse(text)
    node: Any = doc
    for key in keys:
        node = node[key]
    old = node["version"]
    if not isinstance(old, String):
        raise ConfigError("the version in pyproject.toml is not a string")
    # keep the original quoting style (basic or literal) of the value
    node["version"] = String.from_raw(new, type_=old.type)
    return tomlkit.dumps(doc)
