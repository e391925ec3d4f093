"""git for builds: a checkout of one commit outside the work tree, for backends to build in."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tagship.adapters.git_base import GitBase

if TYPE_CHECKING:
    from pathlib import Path

# the repository's own hooks (post-checkout) are the user's, not the build's
_NO_HOOKS = ("-c", f"core.hooksPath={os.devnull}")


class GitExport(GitBase):
    """A linked worktree (`git worktree`) of the work tree's repository."""

    def add_worktree(self, path: Path, commit: str) -> None:
        """A detached checkout of `commit` at `path`, which must not exist. A checkout
        that was deleted without `git worktree remove` is replaced."""
        self._out(
            *_NO_HOOKS, "worktree", "add", "--quiet", "--force", "--detach", str(path), commit
        )

    def reset_worktree(self, path: Path, commit: str) -> bool:
        """The checkout at `path` made exactly `commit`: tracked files restored, everything
        else (a backend's output) deleted. False when `path` is no checkout of this
        repository any longer (the repository moved, or the record of it was pruned)."""
        # named explicitly: without `path`'s own .git, git would look above it for one
        here = ("-C", str(path), f"--git-dir={path / '.git'}")
        checkout = ("checkout", "--quiet", "--force", "--detach", commit)
        return self._run(*here, *_NO_HOOKS, *checkout).ok and self._run(*here, "clean", "-ffdxq").ok
