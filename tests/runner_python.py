"""The Python a GitLab runner's image would give tagship's jobs, made once per test session.

A virtual environment with pip (the jobs run `python -m pip install ...`), tagship installed
from a wheel of this checkout (the jobs' install line names that wheel: `install-tagship`),
and the project's own check tools, so that the jobs' installs find everything in place and no
two jobs write the same files at once.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

TAGSHIP = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class RunnerPython:
    wheel: Path  # tagship, built from this checkout
    python: Path  # the interpreter the jobs find first on PATH
    version: str  # X.Y


def _run(*argv: str | Path) -> None:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed: {done.stdout}{done.stderr}")


def runner_python(root: Path, tools: Sequence[str] = ()) -> RunnerPython:
    """Build tagship's wheel and the runner's Python (with `tools`) under `root`."""
    uv = Path(sys.executable).parent / "uv"
    _run(uv, "build", "--wheel", "--quiet", "--out-dir", root / "wheel", TAGSHIP)
    (wheel,) = (root / "wheel").glob("tagship-*.whl")
    venv = root / "python"
    _run(uv, "venv", "--seed", "--quiet", "-p", sys.executable, venv)
    python = venv / "bin" / "python"
    _run(uv, "pip", "install", "--quiet", "--compile-bytecode", "-p", python, wheel, *tools)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return RunnerPython(wheel, python, version)
