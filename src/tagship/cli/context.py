"""What every command receives: where the project is, the environment, the runner."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.process import Runner, run
from tagship.ci import read_run
from tagship.repository import Repository, open_package, open_repository

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping

    from tagship.core.ci_run import CIRun
    from tagship.workspace import Workspace


def add_record_to(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--record-to",
        type=Path,
        metavar="FILE",
        help="write the ledger records to FILE for `tagship record` in a later job, "
        "instead of the ledger (a job without a token that may write the repository)",
    )


def with_outbox(workspace: Workspace, record_to: Path | None) -> Workspace:
    """The workspace whose records go to `record_to` (relative to -C) when given."""
    if record_to is None:
        return workspace
    return replace(workspace, outbox=in_project(workspace, record_to))


def in_project(workspace: Workspace, path: Path) -> Path:
    """A path option: relative paths are relative to the directory the command runs in (-C),
    which a package chosen by name need not be (the publish jobs run at the repository's
    root, and build into its `dist`)."""
    return path if path.is_absolute() else (workspace.directory or workspace.root) / path


@dataclass(frozen=True)
class Context:
    """The command line's global options and the process environment."""

    project_dir: Path
    overrides: tuple[str, ...]
    env: Mapping[str, str]
    runner: Runner = field(default=run)
    # --package: the package of a repository of several that the command acts on
    package: str | None = None

    @cached_property
    def ci(self) -> CIRun:
        """The CI run this process is in, read from `env` once (tagship.ci is the seam)."""
        return read_run(self.env)

    def repository(self) -> Repository:
        """The packages around the project directory."""
        return open_repository(self.project_dir)

    def workspace(self, repository: Repository | None = None, tag: str | None = None) -> Workspace:
        """The chosen package's workspace (the one project, in a repository of one). In a
        repository of several with none chosen, a release tag names it: `tag`, else the tag
        the CI run is for, so the publish workflow needs no choice."""
        return self._open(repository or self.repository(), self.package, tag or self.ci.tag)

    def policy_workspace(self, repository: Repository | None = None) -> Workspace:
        """A workspace for a command that reads only what the packages of a repository share
        (the release labels, the release branch): the chosen package's, else the first's
        (one opened, not all)."""
        repository = repository or self.repository()
        if repository.packages is not None and repository.unchosen(self.package):
            return self._open(repository, repository.packages.names[0])
        return self.workspace(repository)

    def every_package(self, repository: Repository) -> tuple[Workspace, ...] | None:
        """Each package's workspace when the repository holds several and the command line
        chose none (a command that can act on all of them); None: use `workspace()`."""
        if repository.packages is None or not repository.unchosen(self.package):
            return None
        return tuple(self._open(repository, name) for name in repository.packages.names)

    def _open(self, repository: Repository, name: str | None, tag: str | None = None) -> Workspace:
        """Package `name`'s workspace, its path options relative to -C."""
        chosen = open_package(
            repository,
            name,
            env=self.env,
            overrides=self.overrides,
            runner=self.runner,
            tag=tag,
            ci=self.ci,
        )
        return replace(chosen, directory=self.project_dir.resolve())
