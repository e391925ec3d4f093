"""How the generated workflows install tagship: uv, from a hash-locked requirements file.

`init` locks `tagship==<this version>` and everything it needs, with the hash of every file
(`uv pip compile --universal --generate-hashes` against the dependency index), once per
tagship version and Python; each job then installs exactly those files
(`uv pip install --require-hashes`). A project can install tagship from elsewhere instead
(`install-tagship` in [tool.tagship]: a git URL, a path); tagship itself installs from its
own checkout.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.build.builder import find_uv
from tagship.adapters.installed_from import installed_from
from tagship.core.errors import ConfigError, GateError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.adapters.process import Runner

LOCK_FILE = ".github/tagship-requirements.txt"
_MARK = "# tagship-lock:"
OFFLINE = "TAGSHIP_OFFLINE"  # set: init never asks an index, and keeps the lock it has


@dataclass(frozen=True)
class Install:
    """The `Install tools` command, the lock file to write (None: keep what is there or
    none is needed), the uv version the jobs set up, and what init should say about it."""

    command: str
    lock: str | None
    uv_version: str
    warning: str | None = None


def source_example() -> str:
    """An `install-tagship` value that would work: the git URL and commit this tagship was
    installed from (a runner reaches https only), else the shape of one."""
    source = installed_from()
    if source.url.startswith("https://") and source.commit:
        return f'install-tagship = "git+{source.url}@{source.commit}"'
    return 'install-tagship = "git+https://github.com/OWNER/tagship@vX.Y.Z"'


def lock_head(label: str, requirements: str) -> str:
    """What the lock's header names: `label`, and a digest of the requirements it pins, so a
    changed requirement makes a new lock."""
    return f"{label} (requirements {hashlib.sha256(requirements.encode()).hexdigest()[:12]})"


def lock_header(requirement: str, python: str) -> str:
    return f"{_MARK} {requirement} for Python {python}"


def lock_is_current(text: str | None, requirement: str, python: str) -> bool:
    """The lock names this requirement and Python, and every pin carries a hash."""
    if not text or lock_header(requirement, python) not in text.splitlines():
        return False
    pins = [ln for ln in text.splitlines() if ln and not ln.startswith((" ", "#"))]
    return bool(pins) and all(ln.rstrip().endswith("\\") for ln in pins)


def lock_problem(text: str | None, head: str, python: str) -> str | None:
    """Why the lock `text` is not the one the jobs need (None: it is): missing, or stale."""
    if text is None:
        return "is missing"
    if lock_is_current(text, head, python):
        return None
    return f"does not lock {head} for Python {python}"


def _locked_command(self_install: bool, lock_file: str = LOCK_FILE) -> str:
    command = f"uv pip install --system --require-hashes --no-deps -r {lock_file}"
    if self_install:  # tagship releasing itself: its own checkout, on the locked dependencies
        command += "\nuv pip install --system --no-deps --no-build-isolation ."
    return command


def _uv_version(uv: str, runner: Runner, env: Mapping[str, str]) -> str:
    done = runner([uv, "--version"], env=env)
    words = done.stdout.split()
    if not done.ok or len(words) < 2:  # noqa: PLR2004 - "uv 0.9.5 (...)"
        raise ConfigError(f"`{uv} --version` failed: {done.tail(1)}")
    return words[1]


def _compile(
    uv: str, requirements: str, python: str, index: str, *, runner: Runner, env: Mapping[str, str]
) -> tuple[str | None, str]:
    """(lock text, None) or (None, why it could not be made)."""
    argv = [uv, "pip", "compile", "-", "--universal", "--generate-hashes", "--no-header"]
    # resolved for `python`'s markers, run by this interpreter: uv then looks for no other
    argv += ["--quiet", "--python", sys.executable, "--python-version", python]
    # uv itself comes from the setup-uv step of every job
    argv += ["--index-url", index, "--no-emit-package", "uv"]
    done = runner(argv, env=env, stdin=requirements, timeout=300.0)
    if not done.ok:
        return None, done.tail(1).strip() or f"uv exited {done.returncode}"
    return done.stdout, ""


def plan_install(
    *,
    source: str | None,
    self_install: bool,
    label: str,
    also: tuple[str, ...] = (),
    requirements: str,
    python: str,
    index: str,
    current_lock: str | None,
    runner: Runner,
    env: Mapping[str, str],
    check: bool = False,
    lock_file: str = LOCK_FILE,
) -> Install:
    """What the jobs run to install tagship. `requirements` is what the lock pins: tagship
    at this version, or for tagship itself its own dependencies and build requirements;
    `label` names them in the lock's header, so a changed requirement makes a new lock.
    `also`: what tagship's extras add, installed beside a `source` (which names no extras).
    A lock that cannot be made is refused (the jobs could not install tagship); `check`
    makes none and refuses one that is missing or stale. `lock_file`: where the lock lives
    (another host keeps it beside its own pipeline files)."""
    uv = find_uv(env)
    if uv is None:
        raise ConfigError(
            "tagship init needs uv to lock the workflows' tools", hint="pip install uv"
        )
    uv_version = _uv_version(str(uv), runner, env)
    if source:
        quoted = " ".join(f'"{requirement}"' for requirement in (source, *also))
        return Install(f"uv pip install --system {quoted}", None, uv_version)
    command = _locked_command(self_install, lock_file)
    head = lock_head(label, requirements)
    problem = lock_problem(current_lock, head, python)
    if problem is None:
        return Install(command, None, uv_version)
    if env.get(OFFLINE):  # the maintainer's choice, said in a note: no index is asked
        why = f"{OFFLINE} is set: {lock_file} was not refreshed for {head}"
        return Install(command, None, uv_version, why)
    if check:
        raise GateError(
            f"{lock_file} {problem}: the workflows install tagship from it",
            hint="run `tagship init` and commit the result",
        )
    text, why = _compile(str(uv), requirements, python, index, runner=runner, env=env)
    if text is None:
        raise ConfigError(
            f"cannot lock {head} from {index} ({why}): the workflows could not install "
            "tagship, nothing written",
            hint=f"publish tagship there, or set install-tagship in [tool.tagship] to a source "
            f"that installs it ({source_example()})",
        )
    header = (
        f"{lock_header(head, python)}\n"
        "# Written by `tagship init`: what the workflows install, every file hash-checked.\n"
    )
    return Install(command, header + text, uv_version)
