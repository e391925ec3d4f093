"""The project being released: its pyproject, its policy and its git work tree, read once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagship.adapters.git import Git
from tagship.adapters.git_base import host_auth
from tagship.adapters.process import Runner, run
from tagship.adapters.project_files import load_pyproject, read_exact, read_pyproject
from tagship.ci import read_run
from tagship.core.ci_run import CIRun
from tagship.core.config import Config, load_config
from tagship.core.errors import ConfigError, GateError, UsageError
from tagship.core.names import normalized_name
from tagship.core.packages import named_format
from tagship.core.version_source import (
    ProjectMeta,
    VersionSource,
    declared_version,
    detect,
    has_literal,
    version_in,
    writable_path,
)
from tagship.core.versions import (
    NAME_PLACEHOLDER,
    parse_version,
    scm_version,
    tag_for,
    tag_glob,
    try_version_from_tag,
    version_from_tag,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from packaging.version import Version

    from tagship.adapters.git import Describe


# setuptools-scm cuts "g" and the commit id to 10 characters
_SCM_NODE = 9


@dataclass
class _Memo:
    """What the workspace derived from the project's files, shared with its copies (they
    differ in the environment only, which no file-held value depends on)."""

    version: Version | None = None


@dataclass(frozen=True)
class Workspace:
    """Everything a command needs to know about the project, resolved once."""

    config: Config
    meta: ProjectMeta
    git: Git | None
    env: Mapping[str, str]
    # pyproject.toml as parsed when the workspace was opened: nothing parses it again
    pyproject_data: Mapping[str, Any] = field(repr=False)
    # the CI run tagship is in, read from `env` once when the workspace was opened
    ci: CIRun = field(default_factory=CIRun, compare=False)
    # origin's URL when the workspace was opened (None: no origin), asked of git once
    origin_url: str | None = field(default=None, compare=False)
    _memo: _Memo = field(default_factory=_Memo, repr=False, compare=False)
    # runs the build backend when the version is its to compute
    runner: Runner = field(default=run, repr=False, compare=False)
    # where this run's ledger events go instead of the ledger, for a later job to append
    # (`--record-to`: the publishing job holds no token that may write the repository)
    outbox: Path | None = field(default=None, compare=False)
    # the package's files (absolute) when the repository holds several packages, so history,
    # notes and status see only its changes; (): the whole repository
    paths: tuple[Path, ...] = ()
    # directories inside `paths` that are other packages' (a root that is a package too)
    excluded: tuple[Path, ...] = ()
    # the names of the repository's other packages (normalised)
    siblings: tuple[str, ...] = ()
    # where the command runs (-C): its path options are relative to it (None: the root)
    directory: Path | None = field(default=None, compare=False)
    # the repository root's pyproject.toml (its path, as parsed) for a member in a directory of
    # its own: a package of several inherits its [tool.tagship], and the tools its checks run
    # find its configuration
    inherited: tuple[Path, Mapping[str, Any]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def pathspecs(self) -> tuple[str, ...]:
        """`paths` as git takes them (absolute paths inside the work tree)."""
        return (*(str(p) for p in self.paths), *(f":(exclude){p}" for p in self.excluded))

    @property
    def root(self) -> Path:
        return self.config.project_dir

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def package_of_several(self) -> str | None:
        """The package's name when the repository holds others too, else None."""
        return normalized_name(self.meta.name) if self.siblings else None

    def require_git(self) -> Git:
        if self.git is None:
            raise ConfigError(
                f"{self.root} is not inside a git repository",
                hint="tagship releases from git: run it in a clone of the project",
            )
        return self.git

    def version(self) -> Version:
        """The project's version, read where it lives: from a file or the build backend
        once, from git tags on every call (a flow creates tags, and `releasing` pins the
        version in `env`)."""
        source = self.meta.source
        if source.kind == "scm":
            return self._scm_version()
        if self._memo.version is None:
            self._memo.version = self._read_version(source)
        return self._memo.version

    def expected_version(self) -> Version:
        """The version the artifacts must carry: the tag's in a tag-triggered CI run, else
        HEAD's."""
        if self.ci.tag is not None:
            return version_from_tag(self.ci.tag, self.config.tag_format)
        return self.version()

    def _read_version(self, source: VersionSource) -> Version:
        if source.kind == "backend":
            return self._backend_version(None)
        if source.kind in ("static", "poetry"):
            return parse_version(declared_version(source, self.pyproject_data), where=source.where)
        text = read_exact(writable_path(source))
        if source.imported and self.git is not None and not has_literal(source, text):
            return self._backend_version(None)  # the backend imports the module: ask it
        return parse_version(version_in(source, text), where=source.where)

    def _backend_version(self, described: Describe | None) -> Version:
        # imported here: only versions the backend computes need the build machinery
        from tagship.adapters.build.backend_version import backend_version  # noqa: PLC0415

        return backend_version(self, described, runner=self.runner)

    def version_rewritten(self, version: Version) -> None:
        """`bump` rewrote the version where it lives: this workspace and its copies now
        report `version` (the file is not read again)."""
        self._memo.version = version

    def _pretend_variables(self) -> tuple[str, ...]:
        # the overrides setuptools-scm (and so hatch-vcs) and pdm-backend honour
        dist = normalized_name(self.name).replace("-", "_").upper()
        return (
            f"SETUPTOOLS_SCM_PRETEND_VERSION_FOR_{dist}",
            "SETUPTOOLS_SCM_PRETEND_VERSION",
            f"PDM_BUILD_SCM_VERSION_{dist}",
            "PDM_BUILD_SCM_VERSION",
        )

    def releasing(self, version: str | None) -> Workspace:
        """The workspace as it builds `version` before its tag exists: for a version from git
        tags, the backends are told it (their pretend-version variables); None: unchanged."""
        if version is None:
            return self
        kind = self.meta.source.kind
        if kind != "scm":
            raise UsageError(
                f"--version is for versions that come from git tags; this one is in "
                f"{self.meta.source.where}",
                hint="change it where the backend reads it, and commit"
                if kind == "backend"
                else "bump it instead: tagship bump X.Y.Z --commit",
            )
        chosen = parse_version(version, where="--version")
        if chosen.local is not None or chosen.is_devrelease:
            raise UsageError(f"--version {chosen} is not a release version", hint="e.g. 1.4.0")
        pinned = dict.fromkeys(self._pretend_variables(), str(chosen))
        return replace(self, env={**self.env, **pinned})

    def _scm_version(self) -> Version:
        # the same overrides the backends honour, so CI pins agree with the build
        for var in self._pretend_variables():
            if self.env.get(var):
                return parse_version(self.env[var], where=f"environment variable {var}")
        git = self.require_git()
        nearest = git.describe("*")  # any tag: a version scheme may read tags of any form
        if nearest.distance == 0 and nearest.tag is not None:
            on_tag = try_version_from_tag(nearest.tag, self.config.tag_format)
            if on_tag is not None:  # every scheme gives a release tag's commit its version
                return on_tag
        try:
            return self._backend_version(nearest)
        except (ConfigError, GateError):
            pass  # offline without a build environment, no uv, a failing backend
        # setuptools-scm's default scheme, as the backend would most likely spell it
        described = git.describe(tag_glob(self.config.tag_format))
        tag_version = (
            None
            if described.tag is None
            else try_version_from_tag(described.tag, self.config.tag_format)
        )
        return scm_version(tag_version, described.distance, git.head_sha()[:_SCM_NODE])

    def expected_tag(self) -> str:
        return tag_for(self.version(), self.config.tag_format)

    def release_tags(self, *, merged_into: str | None = None) -> list[tuple[Version, str]]:
        """(version, tag) of every release tag, oldest version first."""
        git = self.require_git()
        found = []
        for tag in git.tags(tag_glob(self.config.tag_format), merged_into=merged_into):
            version = try_version_from_tag(tag, self.config.tag_format)
            if version is not None:
                found.append((version, tag))
        return sorted(found)


@dataclass(frozen=True)
class Membership:
    """A package's place in a repository of several: the root pyproject.toml it inherits
    `[tool.tagship]` from (None: it is the root), its directory, the members' directories
    inside it, and the other packages' names."""

    inherited: tuple[Path, Mapping[str, Any]] | None
    paths: tuple[Path, ...]
    excluded: tuple[Path, ...]
    siblings: tuple[str, ...]


def open_workspace(
    project_dir: Path,
    *,
    env: Mapping[str, str],
    overrides: tuple[str, ...] = (),
    runner: Runner = run,
    read: Callable[[Path], str] = read_pyproject,
    member: Membership | None = None,
    ci: CIRun | None = None,
    data: dict[str, Any] | None = None,
) -> Workspace:
    """Load the project at `project_dir` (its pyproject.toml, read once with `read`) and its
    git work tree, if any. A `member` of a repository of several packages inherits the
    root's `[tool.tagship]` and sees only its own paths of the history. `data`: the
    pyproject as the repository already parsed it (it is not read again)."""
    pyproject = project_dir.resolve() / "pyproject.toml"
    data = load_pyproject(pyproject, read) if data is None else data
    ci = read_run(env) if ci is None else ci
    try:
        git: Git | None = Git.discover(pyproject.parent, runner, host_auth(env, ci))
    except ConfigError:
        git = None
    origin = git.remote_url() if git is not None else None
    config = load_config(
        pyproject,
        data,
        ci_repository=ci.repository,
        overrides=overrides,
        origin_url=origin,
        inherited=member.inherited if member else None,
        several=member is not None,
    )
    meta = detect(data, pyproject, is_file=Path.is_file)
    if NAME_PLACEHOLDER in config.tag_format:
        config = replace(config, tag_format=named_format(config.tag_format, meta.name))
    if member is None:
        return Workspace(config, meta, git, env, data, ci=ci, origin_url=origin, runner=runner)
    return Workspace(
        config,
        meta,
        git,
        env,
        data,
        ci=ci,
        origin_url=origin,
        runner=runner,
        paths=member.paths,
        excluded=member.excluded,
        siblings=member.siblings,
        inherited=member.inherited,
    )
