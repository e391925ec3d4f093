"""What every part of the git adapter shares: the work tree and the one way to run git."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from tagship.adapters.process import Runner, run
from tagship.core.ci_env import github_token, in_github_actions
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from tagship.adapters.process import Completed


def github_actions_auth(env: Mapping[str, str]) -> dict[str, str] | None:
    """The environment for git in a GitHub Actions job that holds a token: pushes to the
    job's server authenticate with it. Checkouts keep no credentials
    (`persist-credentials: false`), and this passes the token through the environment, so it
    is never written to .git/config or shown in a process's arguments. None elsewhere."""
    token = github_token(env)
    if not in_github_actions(env) or token is None:
        return None
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
    return {
        **env,
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": f"http.{server}/.extraheader",
        f"GIT_CONFIG_VALUE_{count}": f"AUTHORIZATION: basic {basic}",
    }


class GitBase:
    """A git work tree. Every command runs as `git -C root ...` through the runner."""

    def __init__(
        self, root: Path, runner: Runner = run, env: Mapping[str, str] | None = None
    ) -> None:
        self.root = root
        self._runner = runner
        self._env = env  # None: git inherits this process's environment

    def _run(self, *args: str, stdin: str | None = None) -> Completed:
        return self._runner(["git", "-C", str(self.root), *args], env=self._env, stdin=stdin)

    def _out(self, *args: str) -> str:
        done = self._run(*args)
        if not done.ok:
            raise ServiceError(f"git {' '.join(args)} failed: {done.reason()}")
        return done.stdout.strip()

    def head_sha(self, ref: str = "HEAD") -> str:
        done = self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if not done.ok:
            raise ConfigError(
                f"{ref!r} does not name a commit in {self.root}",
                hint="make a first commit, or name an existing branch, tag or sha",
            )
        return done.stdout.strip()
