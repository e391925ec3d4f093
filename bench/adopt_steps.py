"""The steps of one adoption, each a command run to completion and judged by its exit code
(used by bench/adopt.py)."""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tagship.ci import CREDENTIAL_VARIABLES, HOST_PREFIXES

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

STEP_TIMEOUT = 1800.0  # one build of a compiled project may take minutes, never an hour
TIMED_OUT = 124  # as timeout(1) says it
_FAILED_STEP = re.compile(r"^\[failed\] (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Step:
    """One step's outcome: its exit code, the first line saying what went wrong, its time."""

    name: str
    command: str
    exit_code: int
    error: str
    seconds: float
    tail: str = ""  # the last lines of a failed step's output, to read in the report

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def first_error(stdout: str, stderr: str) -> str:
    """tagship's one error line; else the step that failed in a flow's live lines; else the
    last line the command printed on stderr."""
    for text in (stderr, stdout):
        for line in text.splitlines():
            if line.startswith(("tagship: error:", "fatal:", "error:")):
                return line.strip()
    failed = _FAILED_STEP.search(stdout)
    if failed:
        return failed.group(1).strip()
    lines = [line.strip() for line in (stderr or stdout).splitlines() if line.strip()]
    return lines[-1] if lines else ""


def clean_env(env: Mapping[str, str]) -> dict[str, str]:
    """The maintainer's shell: no variables of a CI job or a token of the caller's own."""
    return {
        k: v
        for k, v in env.items()
        if not k.startswith((*HOST_PREFIXES, "TAGSHIP_")) and k not in (*CREDENTIAL_VARIABLES, "CI")
    }


@dataclass
class Steps:
    """The steps run so far for one repository; the first that fails ends the adoption."""

    env: dict[str, str] = field(default_factory=lambda: clean_env(os.environ))
    done: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.done)

    def run(
        self,
        name: str,
        argv: Sequence[str],
        cwd: Path,
        *,
        env: Mapping[str, str] | None = None,
        record: bool = True,
        quiet: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run `argv` as the step `name`; a helper command (`record` false) is recorded only
        when it fails, a probe (`quiet`) never."""
        start = time.monotonic()
        try:
            done = subprocess.run(
                list(argv),
                cwd=cwd,
                env=dict(env if env is not None else self.env),
                capture_output=True,
                text=True,
                errors="replace",
                timeout=STEP_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            done = subprocess.CompletedProcess(
                argv, TIMED_OUT, "", f"timed out after {STEP_TIMEOUT:g} s"
            )
        if not quiet and (record or done.returncode != 0):
            self.add(name, argv, done, time.monotonic() - start)
        return done

    def add(
        self,
        name: str,
        argv: Sequence[str],
        done: subprocess.CompletedProcess[str],
        seconds: float,
    ) -> None:
        code = done.returncode
        error = first_error(done.stdout, done.stderr) if code else ""
        output = (done.stdout + done.stderr).splitlines()
        tail = "\n".join(output[-15:]) if code else ""
        self.done.append(Step(name, " ".join(argv), code, error, round(seconds, 1), tail))

    def fail(self, name: str, error: str) -> None:
        """A step the harness itself does (an edit, a lookup) that could not be done."""
        self.done.append(Step(name, "(harness)", 1, error, 0.0))

    def git(self, cwd: Path, *args: str, step: str = "clone") -> str | None:
        """A git command of the harness: its output, or None after recording it failed."""
        done = self.run(step, ["git", *args], cwd, record=False)
        return done.stdout.rstrip("\n") if done.returncode == 0 else None

    def probe(self, cwd: Path, *args: str) -> bool:
        """A git question whose "no" is an answer, not a failure."""
        return self.run("probe", ["git", *args], cwd, record=False, quiet=True).returncode == 0
