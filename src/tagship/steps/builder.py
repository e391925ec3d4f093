"""The build frontend: uv when it is installed, PyPA `build` otherwise; both isolate the backend."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tagship.core.errors import ConfigError, GateError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.adapters.process import Completed, Runner

BuilderChoice = Literal["auto", "uv", "build"]
BUILD_TIMEOUT = 1800.0  # a backend compiling extensions can take long; a hang should not


@dataclass(frozen=True)
class Builder:
    """A build frontend ready to run: its command prefix and its version."""

    name: Literal["uv", "build"]
    command: tuple[str, ...]
    version: str  # e.g. "uv 0.9.5" or "build 1.2.2"

    def argv(self, project: Path, out_dir: Path, python: str) -> list[str]:
        """Build the sdist, then the wheel from that sdist (as PyPA recommends)."""
        if self.name == "uv":
            # the running interpreter, so uv never picks (or downloads) another Python
            return [*self.command, "build", "--no-progress", "--python", python,
                    "--out-dir", str(out_dir), str(project)]  # fmt: skip
        return [*self.command, "--outdir", str(out_dir), str(project)]


def find_uv(env: Mapping[str, str], python: str = sys.executable) -> Path | None:
    """uv on PATH, else beside the interpreter (installed as a wheel into the same venv)."""
    found = shutil.which("uv", path=env.get("PATH", os.defpath))
    if found:
        return Path(found)
    beside = Path(python).parent / ("uv.exe" if sys.platform == "win32" else "uv")
    return beside if beside.is_file() and os.access(beside, os.X_OK) else None


def _first_words(done: Completed, count: int) -> str:
    return " ".join(done.stdout.split()[:count])


def select_builder(
    choice: BuilderChoice,
    env: Mapping[str, str],
    runner: Runner,
    python: str = sys.executable,
) -> Builder:
    """The frontend to use. `auto` prefers uv; a frontend asked for by name must exist."""
    if choice in ("auto", "uv"):
        uv = find_uv(env, python)
        if uv is not None:
            done = runner([str(uv), "--version"], env=env)
            if done.ok:
                return Builder("uv", (str(uv),), _first_words(done, 2))
        if choice == "uv":
            raise ConfigError(
                "uv is not installed (not on PATH, nor beside the Python running tagship)",
                hint="pip install uv, or use --builder build",
            )
    done = runner([python, "-m", "build", "--version"], env=env)
    if not done.ok:
        raise GateError(
            "no build frontend: uv is not installed and `python -m build` fails "
            f"({done.tail(1) or 'no output'})",
            hint="pip install uv (or: pip install build)",
        )
    return Builder("build", (python, "-m", "build"), _first_words(done, 2))
