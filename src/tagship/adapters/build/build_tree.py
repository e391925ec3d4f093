"""Where a project is built: a checkout of the commit in a directory of its own, never the
work tree.

Backends write into the tree they build (setuptools' `egg-info` and `build/`, a
`_version.py`) and pack what they find there (untracked files, an old `dist/`). A checkout of
the commit in the user's cache keeps the work tree untouched and the sdist to what is
committed. It is a linked worktree (`git worktree add --detach`), not an archive, so backends
that read git (setuptools-scm and its file finder, hatch-vcs, pdm's scm source, versioningit)
see the history and tags of a clone and compute the same version and files. It is kept
between builds and reset to the commit for each (tracked files restored, everything else
deleted): that costs a few milliseconds where a new checkout costs a write of every file.
Its path is stable per project, because compiled extensions embed the directory they were
built in.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tagship.adapters.build.build_env import cache_root
from tagship.adapters.git_export import GitExport

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from tagship.adapters.git import Git
    from tagship.adapters.process import Runner

RETIRE_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class ProjectDirectory:
    """A project's own directory in the cache (a hash of the project's path names it)."""

    path: Path

    @property
    def checkout(self) -> Path:
        """Where the commit being built is checked out."""
        return self.path / "tree"

    @property
    def ask(self) -> Path:
        """A second checkout of the same commit, where the backend is asked for the sdist's
        requirements while the sdist builds in the first (setuptools writes into the tree
        it is asked in)."""
        return self.path / "ask"

    @property
    def scratch(self) -> Path:
        """Room for unpacked sdists and hook output, emptied by whoever uses it."""
        return self.path / "scratch"

    @property
    def versions(self) -> Path:
        """The versions the backend computed, per commit (backend_version.py)."""
        return self.path / "versions.json"


def project_directory(env: Mapping[str, str], project: Path) -> ProjectDirectory:
    """The cache directory of the project at `project`."""
    digest = hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:16]
    return ProjectDirectory(cache_root(env) / "projects" / digest)


@contextmanager
def locked(directory: ProjectDirectory) -> Iterator[ProjectDirectory]:
    """`directory`, held against other tagship processes building or asking this project's
    backend, for the block. Not re-entrant: a holder must not ask for it again."""
    directory.path.mkdir(parents=True, exist_ok=True)
    lock = directory.path / "lock"
    with lock.open("a") as handle:
        if sys.platform != "win32":  # Windows builds of one project are not serialised
            import fcntl  # noqa: PLC0415 - POSIX only

            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        os.utime(lock)  # in use: not retired
        _retire(directory.path.parent, time.time())
        yield directory


def _retire(projects: Path, now: float) -> None:
    # a project not built for a month (a deleted clone, a temporary one) gives back its disk
    for old in projects.iterdir():
        with contextlib.suppress(OSError):
            if now - (old / "lock").stat().st_mtime > RETIRE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)


def checked_out(
    git: GitExport, commit: str, project: Path, directory: ProjectDirectory, *, ask: bool = False
) -> Path:
    """The project's directory inside a checkout of exactly `commit` in `directory` (held
    with `locked`); with `ask`, in its second checkout."""
    tree = directory.ask if ask else directory.checkout
    if not (tree.is_dir() and git.reset_worktree(tree, commit)):
        shutil.rmtree(tree, ignore_errors=True)
        git.add_worktree(tree, commit)
    return tree / project.resolve().relative_to(git.root.resolve())


class BuildProject(Protocol):
    """What a build reads of the project: the workspace is one (it lives above, and asks this
    package for the version a backend computes)."""

    @property
    def root(self) -> Path: ...

    @property
    def env(self) -> Mapping[str, str]: ...

    def require_git(self) -> Git: ...


@dataclass(frozen=True)
class BuildSource:
    """What the backend builds: `tree`, with `scratch` for the unpacked sdist, and `ask`, a
    copy of `tree` to ask the backend's requirements of meanwhile (None: ask `tree` first)."""

    tree: Path
    scratch: Path
    ask: Path | None = None


@contextmanager
def build_source(
    workspace: BuildProject,
    commit: str,
    *,
    in_place: bool,
    runner: Runner,
    notice: Callable[[str], None],
) -> Iterator[BuildSource]:
    """A checkout of `commit` in the project's directory, or the work tree itself for a
    trial build of uncommitted changes (`in_place`); the project's directory is held for the
    block."""
    git = workspace.require_git()
    with ExitStack() as stack:
        try:
            directory = stack.enter_context(
                locked(project_directory(workspace.env, workspace.root))
            )
        except OSError as error:
            # a read-only or full cache costs a stable path, never the build
            notice(f"no build directory in the cache ({error}): building in a temporary one")
            temporary = stack.enter_context(tempfile.TemporaryDirectory(prefix="tagship-"))
            directory = ProjectDirectory(Path(temporary))
        if in_place:
            yield BuildSource(workspace.root, directory.scratch)
            return
        export = GitExport(git.root, runner, workspace.env)
        tree = checked_out(export, commit, workspace.root, directory)
        ask = checked_out(export, commit, workspace.root, directory, ask=True)
        yield BuildSource(tree, directory.scratch, ask)
