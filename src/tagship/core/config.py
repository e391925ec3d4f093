"""The release policy as configuration: `[tool.tagship]`, defaults from the charmos policy."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from tagship.core.config_values import check_index_name, check_value
from tagship.core.errors import ConfigError
from tagship.core.github_names import github_names
from tagship.core.install_config import InstallSettings, apply_install_settings, check_one_smoke
from tagship.core.official import check_index_url, check_overrides
from tagship.core.overrides import merge, parse_override
from tagship.core.packages import SEVERAL_TAG_FORMAT
from tagship.core.pyproject import table
from tagship.core.version_carriers import VersionFile, version_files_value
from tagship.core.versions import validate_tag_format

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

DEFAULT = "default"
PYPROJECT = "pyproject"
# the repository root's pyproject.toml, which a package of several inherits from
REPOSITORY = "repository pyproject"
SEVERAL_PACKAGES = "default (several packages)"
ENVIRONMENT = "environment"
COMMAND_LINE = "command line"
# index credentials live in TAGSHIP_INDEX_<NAME>_* variables (credential_variables)
CREDENTIAL_PREFIX = "TAGSHIP_INDEX_"

REQUIRED_CHECKS = (
    "lint",
    "typecheck",
    "tests",
    "package-build",
    "docs-validation",
    "build-validation",
    "release-label",
)
RELEASE_LABELS = ("release:major", "release:minor", "release:patch", "release:skip")
# required check -> the shell command its CI job runs ([tool.tagship.checks]); `release-label`
# is tagship's own check of the pull request's labels
DEFAULT_CHECK_COMMANDS = {
    "lint": "ruff check .",
    "typecheck": "mypy .",
    "tests": "pytest",
    "package-build": "tagship build",
    "docs-validation": "sphinx-build -W -b html docs docs/_build/html",
    "build-validation": "tagship build && tagship verify-artifacts",
    "release-label": "tagship label-check",
}
DEFAULT_CHECK_SETUP = 'uv pip install --system --editable ".[dev]"'
ReleaseArtifacts = Literal["promote", "rebuild"]


@dataclass(frozen=True)
class IndexConfig:
    """A package index tagship can publish to."""

    name: str
    upload_url: str
    simple_url: str
    environment: str | None = None
    workflow: str | None = None
    official: bool = False


BUILTIN_INDEXES = {
    "pypi": IndexConfig(
        "pypi",
        "https://upload.pypi.org/legacy/",
        "https://pypi.org/simple/",
        "pypi",
        "publish-pypi.yml",
        official=True,
    ),
    "testpypi": IndexConfig(
        "testpypi",
        "https://test.pypi.org/legacy/",
        "https://test.pypi.org/simple/",
        "testpypi",
        "publish-testpypi.yml",
        official=True,
    ),
}


@dataclass(frozen=True)
class Credentials:
    """Index credentials, only ever from the environment. The secret never shows in repr."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Config:
    """The effective release policy of one project."""

    pyproject: Path
    tag_format: str = "v{version}"
    release_branch: str = "main"
    hotfix_branches: str = "hotfix/*"
    required_checks: tuple[str, ...] = REQUIRED_CHECKS
    release_labels: tuple[str, ...] = RELEASE_LABELS
    indexes: Mapping[str, IndexConfig] = field(default_factory=lambda: dict(BUILTIN_INDEXES))
    github_owner: str | None = None
    github_repository: str | None = None
    # files (globs from the project's directory) the GitHub Release gets besides the manifest
    # and the attestations: attached to the draft before it is published
    github_release_assets: tuple[str, ...] = ()
    # top-level wheel entries verification accepts: stray-looking ones (tests, docs), names
    # the committed source tree does not own (vendored packages), .pth files
    allow_top_level: tuple[str, ...] = ()
    check_commands: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CHECK_COMMANDS))
    check_setup: str = DEFAULT_CHECK_SETUP
    # the Python of the generated workflows' jobs; None: the newest requires-python allows
    python_version: str | None = None
    # where the workflows install tagship from instead of the hash-locked file (a git URL, a
    # path): None, the lock
    install_tagship: str | None = None
    # verify-install takes the package under test only from the index it was published to,
    # and its dependencies only from here
    dependency_index: str = "https://pypi.org/simple/"
    smoke_command: str | None = None
    # what verify-install imports and runs ([tool.tagship.verify-install])
    verify_install: InstallSettings = field(default_factory=InstallSettings)
    attestations: bool = True
    # what the release on the tag publishes: the dry run's files, fetched from its test index
    # and checked byte for byte ("promote"), or a rebuild that must be those bytes ("rebuild")
    release_artifacts: ReleaseArtifacts = "promote"
    # None (not written): see identical_rebuild_required
    require_identical_rebuild: bool | None = None
    # the release's rebuild cross-check: None (not written) runs it unless the backend cannot
    # rebuild byte-identical files (steps/build/rebuild_policy.py); true always, false never
    rebuild_check: bool | None = None
    # `build` reuses a build environment per requirement set for a day
    # (adapters/build/build_env.py); false: a fresh isolated environment for every build
    reuse_build_env: bool = True
    # files (globs) whose references to the previous release are rewritten after a release
    docs_files: tuple[str, ...] = ()
    # other files that repeat the version, rewritten by bump (core/version_carriers.py)
    version_files: tuple[VersionFile, ...] = ()
    # the repository's packages (directory globs), in the root's pyproject.toml
    packages: tuple[str, ...] = ()
    # a package's files outside its directory (paths from the repository root), whose
    # changes are its own too (a shared schema, a proto file)
    files: tuple[str, ...] = ()
    # where each effective value came from, by dotted TOML key
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def project_dir(self) -> Path:
        return self.pyproject.parent

    @property
    def identical_rebuild_required(self) -> bool:
        """Whether a rebuild that differs from the dry run stops the release: unless set
        explicitly, when the release rebuilds, but not when it promotes (a cross-check)."""
        if self.require_identical_rebuild is None:
            return self.release_artifacts == "rebuild"
        return self.require_identical_rebuild

    @property
    def overridden(self) -> list[str]:
        """The keys set with --set for this run."""
        return sorted(k for k, source in self.sources.items() if source == COMMAND_LINE)

    def index(self, name: str) -> IndexConfig:
        try:
            return self.indexes[name]
        except KeyError:
            raise ConfigError(
                f"unknown index {name!r}; configured: {', '.join(sorted(self.indexes))}",
                hint=f"declare it as [tool.tagship.indexes.{name}] in {self.pyproject}",
            ) from None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _artifacts(value: Any) -> ReleaseArtifacts | None:
    return "promote" if value == "promote" else "rebuild" if value == "rebuild" else None


def _str_list(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


_TYPE_NAMES: dict[Callable[[Any], Any], str] = {
    _str: "a string",
    _bool: "true or false",
    _str_list: "a list of strings",
    _artifacts: '"promote" or "rebuild"',
    version_files_value: "a list of paths or {path, pattern} tables",
}
# TOML key -> (attribute of Config, converter returning None on a wrong type)
TOP_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "tag-format": ("tag_format", _str),
    "release-branch": ("release_branch", _str),
    "hotfix-branches": ("hotfix_branches", _str),
    "required-checks": ("required_checks", _str_list),
    "release-labels": ("release_labels", _str_list),
    "dependency-index": ("dependency_index", _str),
    "smoke-command": ("smoke_command", _str),
    "attestations": ("attestations", _bool),
    "require-identical-rebuild": ("require_identical_rebuild", _bool),
    "release-artifacts": ("release_artifacts", _artifacts),
    "reuse-build-env": ("reuse_build_env", _bool),
    "rebuild-check": ("rebuild_check", _bool),
    "docs-files": ("docs_files", _str_list),
    "version-files": ("version_files", version_files_value),
    "allow-top-level": ("allow_top_level", _str_list),
    "check-setup": ("check_setup", _str),
    "python-version": ("python_version", _str),
    "install-tagship": ("install_tagship", _str),
    "packages": ("packages", _str_list),
    "files": ("files", _str_list),
}
GITHUB_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "owner": ("github_owner", _str),
    "repository": ("github_repository", _str),
    "release-assets": ("github_release_assets", _str_list),
}
INDEX_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "upload-url": ("upload_url", _str),
    "simple-url": ("simple_url", _str),
    "environment": ("environment", _str),
    "workflow": ("workflow", _str),
    "official": ("official", _bool),
}
_TABLES = ("indexes", "github", "checks", "verify-install")


def _where(path: Path, origin: str) -> str:
    # errors blame where the value was written: the file, or a --set override
    if origin in (PYPROJECT, REPOSITORY):
        return f"in {path}"
    return "given with --set on the command line"


def _unknown(key: str, known: list[str], where: str) -> ConfigError:
    close = difflib.get_close_matches(key.rsplit(".", 1)[-1], known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(sorted(known))}"
    return ConfigError(f"unknown key `{key}` {where}", hint=hint)


def _convert(key: str, value: Any, converter: Callable[[Any], Any], path: Path, origin: str) -> Any:
    converted = converter(value)
    if converted is None:
        raise ConfigError(
            f"`{key}` {_where(path, origin)} must be {_TYPE_NAMES[converter]}, "
            f"got {type(value).__name__}"
        )
    return converted


def github_repo_from_url(url: str | None) -> tuple[str, str] | None:
    """(owner, repository) from a GitHub-style remote URL, or None for other remotes."""
    if not url:
        return None
    scp = re.fullmatch(r"[\w.-]+@([\w.-]+):(?P<path>.+)", url)
    if scp is not None:
        path = scp["path"]
    else:
        parts = urlsplit(url)
        if not parts.netloc or parts.scheme == "file":
            return None
        path = parts.path
    segments = [s for s in path.strip("/").removesuffix(".git").split("/") if s]
    if len(segments) != 2 or not github_names(*segments):  # noqa: PLR2004 - owner/repository
        return None
    return segments[0], segments[1]


def _index_entry(
    name: str,
    raw: Any,
    *,
    path: Path,
    origin: str,
    sources: dict[str, str],
    base: IndexConfig | None,
) -> IndexConfig:
    prefix = f"tool.tagship.indexes.{name}"
    check_index_name(prefix, name, _where(path, origin))
    if not isinstance(raw, dict):
        raise ConfigError(f"`{prefix}` {_where(path, origin)} must be a table")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in INDEX_KEYS:
            raise _unknown(f"{prefix}.{key}", list(INDEX_KEYS), _where(path, origin))
        attr, converter = INDEX_KEYS[key]
        values[attr] = _convert(f"{prefix}.{key}", value, converter, path, origin)
        if key in ("upload-url", "simple-url"):
            check_index_url(f"{prefix}.{key}", values[attr], _where(path, origin))
        check_value(f"{prefix}.{key}", values[attr], _where(path, origin))
        sources[f"indexes.{name}.{key}"] = origin
    if base is None:
        missing = [k for k in ("upload-url", "simple-url") if INDEX_KEYS[k][0] not in values]
        if missing:
            raise ConfigError(
                f"index `{prefix}` {_where(path, origin)} needs {' and '.join(missing)}",
                hint=f'add {missing[0]} = "http://..." under [{prefix}]',
            )
        return IndexConfig(name=name, **values)
    return replace(base, **values)


def _checks(
    raw: Any, path: Path, origin: str, values: dict[str, Any], sources: dict[str, str]
) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f"`tool.tagship.checks` {_where(path, origin)} must be a table")
    commands = dict(values.get("check_commands", DEFAULT_CHECK_COMMANDS))
    for name, command in raw.items():
        commands[name] = _convert(f"tool.tagship.checks.{name}", command, _str, path, origin)
        sources[f"checks.{name}"] = origin
    return commands


def _apply(  # noqa: C901 - one flat branch per table of the schema
    raw: Mapping[str, Any], origin: str, path: Path, values: dict[str, Any], sources: dict[str, str]
) -> None:
    for key, value in raw.items():
        if key in TOP_KEYS:
            attr, converter = TOP_KEYS[key]
            values[attr] = _convert(f"tool.tagship.{key}", value, converter, path, origin)
            check_value(f"tool.tagship.{key}", values[attr], _where(path, origin))
            sources[key] = origin
        elif key == "github":
            if not isinstance(value, dict):
                raise ConfigError(f"`tool.tagship.github` {_where(path, origin)} must be a table")
            for sub, subvalue in value.items():
                if sub not in GITHUB_KEYS:
                    where = _where(path, origin)
                    raise _unknown(f"tool.tagship.github.{sub}", list(GITHUB_KEYS), where)
                attr, converter = GITHUB_KEYS[sub]
                values[attr] = _convert(
                    f"tool.tagship.github.{sub}", subvalue, converter, path, origin
                )
                sources[f"github.{sub}"] = origin
        elif key == "indexes":
            if not isinstance(value, dict):
                raise ConfigError(f"`tool.tagship.indexes` {_where(path, origin)} must be a table")
            indexes = dict(values["indexes"])
            for name, entry in value.items():
                indexes[name] = _index_entry(
                    name, entry, path=path, origin=origin, sources=sources, base=indexes.get(name)
                )
            values["indexes"] = indexes
        elif key == "checks":
            values["check_commands"] = _checks(value, path, origin, values, sources)
        elif key == "verify-install":
            where = _where(path, origin)
            values["verify_install"], keys = apply_install_settings(
                values.get("verify_install", InstallSettings()),
                value,
                where,
                partial(_unknown, where=where),
            )
            sources.update(dict.fromkeys(keys, origin))
        else:
            raise _unknown(f"tool.tagship.{key}", [*TOP_KEYS, *_TABLES], _where(path, origin))


def load_config(
    pyproject: Path,
    data: Mapping[str, Any],
    *,
    ci_repository: str | None = None,
    overrides: tuple[str, ...] = (),
    origin_url: str | None = None,
    inherited: tuple[Path, Mapping[str, Any]] | None = None,
    several: bool = False,
) -> Config:
    """Build the effective config: defaults < origin URL < the repository root's pyproject
    (`inherited`, for a package of several) < pyproject < environment < --set."""
    own = table(dict(data), "tool.tagship", pyproject)
    values: dict[str, Any] = {"indexes": dict(BUILTIN_INDEXES)}
    sources: dict[str, str] = {}
    if several:  # a tag must name its package
        values["tag_format"] = SEVERAL_TAG_FORMAT
        sources["tag-format"] = SEVERAL_PACKAGES
    parsed = github_repo_from_url(origin_url)
    if parsed is not None:
        values["github_owner"], values["github_repository"] = parsed
        sources["github.owner"] = sources["github.repository"] = "git remote origin"
    if inherited is not None:
        root, root_data = inherited
        shared = table(dict(root_data), "tool.tagship", root)
        # the root's packages and version files are its own: a member names its own files
        shared = {
            k: v for k, v in shared.items() if k not in {"packages", "version-files", "files"}
        }
        _apply(shared, REPOSITORY, root, values, sources)
    _apply(own, PYPROJECT, pyproject, values, sources)
    repo = ci_repository or ""
    if "/" in repo:
        values["github_owner"], values["github_repository"] = repo.split("/", 1)
        sources["github.owner"] = sources["github.repository"] = ENVIRONMENT
    merged: dict[str, Any] = {}
    for text in overrides:
        merged = merge(merged, parse_override(text))
    committed = values["indexes"]
    _apply(merged, COMMAND_LINE, pyproject, values, sources)
    check_overrides(committed, values["indexes"])
    config = Config(pyproject=pyproject, sources=sources, **values)
    validate_tag_format(config.tag_format)
    check_one_smoke(config.verify_install, config.smoke_command)
    return config


def credentials(index: str, env: Mapping[str, str]) -> Credentials | None:
    """Credentials of an index from TAGSHIP_INDEX_<NAME>_USERNAME / _PASSWORD or _TOKEN."""
    username, password, token = credential_variables(index)
    if env.get(token):
        return Credentials(env.get(username) or "__token__", env[token])
    if env.get(password):
        return Credentials(env.get(username, ""), env[password])
    return None


def credential_variables(index: str) -> tuple[str, str, str]:
    """The names of an index's username, password and token variables: the one place they
    are spelled (every one starts with CREDENTIAL_PREFIX)."""
    stem = CREDENTIAL_PREFIX + index.upper().replace("-", "_")
    return f"{stem}_USERNAME", f"{stem}_PASSWORD", f"{stem}_TOKEN"
