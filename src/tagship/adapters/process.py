"""The one place that starts processes. Everything else receives a Runner."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from tagship.adapters.secrets import is_credential_variable, scrub, secrets_in
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path


_log = logging.getLogger(__name__)  # -v shows each process: what ran, where, how it ended


def _printable(text: str) -> str:
    # output is decoded with surrogateescape: bytes that are not UTF-8 show as U+FFFD
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True)
class Completed:
    """What a finished process left behind: its output as UTF-8, with any other bytes kept
    as surrogates (a path with a latin-1 name names the same file)."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    # credentials the process could have echoed: tail() and reason() mask them
    secrets: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def _shown(self) -> str:
        return scrub(_printable(self.stderr.strip() or self.stdout.strip()), self.secrets)

    def tail(self, lines: int = 10) -> str:
        """The last lines of output, for error messages (credentials masked)."""
        return "\n".join(self._shown().splitlines()[-lines:])

    def reason(self) -> str:
        """The most telling line of the output: git puts `fatal:`/`error:` first, then advice."""
        text = [line.strip() for line in self._shown().splitlines()]
        text = [line for line in text if line]
        telling = next((line for line in text if line.startswith(("fatal:", "error:"))), None)
        return telling or (text[-1] if text else "")


class Runner(Protocol):
    """Runs a command to completion; never through a shell."""

    def __call__(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> Completed: ...


def run(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    stdin: str | None = None,
) -> Completed:
    """Run `args` and capture its output, decoded as UTF-8 whatever the locale. A missing
    program or a timeout raises."""
    argv = tuple(args)
    _log.debug("run %s%s", shlex.join(argv), f" (in {cwd})" if cwd is not None else "")
    started = time.monotonic()
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            input=stdin,
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(
            f"{argv[0]} is not installed or not on PATH", hint=f"install {argv[0]} and retry"
        ) from None
    except subprocess.TimeoutExpired:
        raise ServiceError(f"{argv[0]} did not finish within {timeout} s") from None
    _log.debug("%s exited %d after %.2f s", argv[0], done.returncode, time.monotonic() - started)
    inherited = os.environ if env is None else env
    return Completed(argv, done.returncode, done.stdout, done.stderr, secrets_in(inherited))


class Service:
    """A long-running process (a local index server) that is always stopped on exit."""

    def __init__(self, args: Sequence[str], *, cwd: Path | None = None) -> None:
        try:
            self._process = subprocess.Popen(
                list(args),
                cwd=cwd,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        except FileNotFoundError:
            raise ConfigError(
                f"{args[0]} is not installed or not on PATH", hint=f"install {args[0]} and retry"
            ) from None

    def exited(self) -> str | None:
        """The process's last error output if it has exited, else None."""
        if self._process.poll() is None:
            return None
        err = self._process.stderr.read() if self._process.stderr else ""
        return f"exit {self._process.returncode}: {err.strip()[-500:]}"

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()


def without_secrets(env: Mapping[str, str]) -> dict[str, str]:
    """`env` less every credential tagship knows of (tokens, index passwords, git auth)."""
    return {name: value for name, value in env.items() if not is_credential_variable(name)}
