"""What every part of the git adapter shares: the work tree and the one way to run git."""

from __future__ import annotations

import base64
import os
from typing import TYPE_CHECKING

from tagship.adapters.process import Runner, run
from tagship.ci import TOKEN_USERS
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from tagship.adapters.process import Completed
    from tagship.core.ci_run import CIRun


def host_auth(env: Mapping[str, str], ci: CIRun) -> dict[str, str] | None:
    """The environment for git in a CI host's job that holds a token: pushes to the
    job's server authenticate with it. Checkouts keep no credentials
    (`persist-credentials: false`), and this passes the token through the environment, so it
    is never written to .git/config or shown in a process's arguments. None elsewhere."""
    token = ci.token
    if ci.host is None or token is None or ci.server_url is None:
        return None
    basic = base64.b64encode(f"{TOKEN_USERS[ci.host]}:{token}".encode()).decode()
    count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
    return {
        **env,
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": f"http.{ci.server_url}/.extraheader",
        f"GIT_CONFIG_VALUE_{count}": f"AUTHORIZATION: basic {basic}",
    }


# what git may take from the caller's environment: how to reach remotes and authenticate,
# which config files to read (and the GIT_CONFIG_* entries the job token is passed in), who
# commits; never which repository, index, object store or namespace (GIT_DIR, GIT_WORK_TREE,
# GIT_INDEX_FILE... as a git hook or `git rebase --exec` sets them), nor tracing
_GIT_KEEPS = frozenset(
    {
        "GIT_ASKPASS",
        "GIT_TERMINAL_PROMPT",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSH_VARIANT",
        "GIT_PROXY_COMMAND",
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "GIT_SSL_NO_VERIFY",
        "GIT_HTTP_PROXY_AUTHMETHOD",
        "GIT_ALLOW_PROTOCOL",
        "GIT_EXEC_PATH",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_CONFIG_COUNT",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    }
)
_GIT_KEEP_PREFIXES = ("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_")


def git_environment(env: Mapping[str, str]) -> dict[str, str]:
    """`env` for git: every GIT_* variable that would point git at another repository, work
    tree or index dropped (the allow-list above is kept), like pre-commit's no_git_env."""
    return {
        name: value
        for name, value in env.items()
        if not name.startswith("GIT_") or name in _GIT_KEEPS or name.startswith(_GIT_KEEP_PREFIXES)
    }


def _failed(args: tuple[str, ...], done: Completed) -> ServiceError:
    return ServiceError(
        f"git {' '.join(args)} failed: {done.reason() or f'exit {done.returncode}'}"
    )


class GitBase:
    """A git work tree. Every command runs as `git -C root ...` through the runner, in
    `env` (default: this process's environment) less the variables git_environment drops.

    Every failure raises ServiceError; only an answer git gives precisely (exit 1 of a
    `--verify --quiet` lookup: no such ref) means "absent"."""

    def __init__(
        self, root: Path, runner: Runner = run, env: Mapping[str, str] | None = None
    ) -> None:
        self.root = root
        self._runner = runner
        self._env = git_environment(os.environ if env is None else env)

    def _run(self, *args: str, stdin: str | None = None) -> Completed:
        return self._runner(["git", "-C", str(self.root), *args], env=self._env, stdin=stdin)

    def _raw(self, *args: str, stdin: str | None = None) -> str:
        """git's output as it is (paths may end in spaces); ServiceError when git fails."""
        done = self._run(*args, stdin=stdin)
        if not done.ok:
            raise _failed(args, done)
        return done.stdout

    def _out(self, *args: str, stdin: str | None = None) -> str:
        return self._raw(*args, stdin=stdin).strip()

    def _lookup(self, *args: str) -> str | None:
        """The output of a query that exits 1 for "no such thing" (rev-parse --verify -q,
        symbolic-ref -q, config --get, show-ref --verify -q): None then; any other failure
        (a corrupt repository, a broken object) is a ServiceError."""
        done = self._run(*args)
        if done.ok:
            return done.stdout.strip()
        if done.returncode == 1:
            return None
        raise _failed(args, done)

    def _paths(self, *args: str) -> list[str]:
        """The NUL-separated paths a `-z` command prints: any name, spaces, quotes, newlines
        and bytes that are not UTF-8 included (kept as surrogates)."""
        return [path for path in self._raw(*args).split("\0") if path]

    def head_sha(self, ref: str = "HEAD") -> str:
        sha = self._lookup("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if sha is None:
            raise ConfigError(
                f"{ref!r} does not name a commit in {self.root}",
                hint="make a first commit, or name an existing branch, tag or sha",
            )
        return sha
