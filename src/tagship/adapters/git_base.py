"""What every part of the git adapter shares: the work tree and the one way to run git."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.process import Runner, run
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.adapters.process import Completed


class GitBase:
    """A git work tree. Every command runs as `git -C root ...` through the runner."""

    def __init__(self, root: Path, runner: Runner = run) -> None:
        self.root = root
        self._runner = runner

    def _run(self, *args: str) -> Completed:
        return self._runner(["git", "-C", str(self.root), *args])

    def _out(self, *args: str) -> str:
        done = self._run(*args)
        if not done.ok:
            raise ServiceError(f"git {' '.join(args)} failed: {done.tail(1)}")
        return done.stdout.strip()

    def head_sha(self, ref: str = "HEAD") -> str:
        done = self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if not done.ok:
            raise ConfigError(
                f"{ref!r} does not name a commit in {self.root}",
                hint="make a first commit, or name an existing branch, tag or sha",
            )
        return done.stdout.strip()
