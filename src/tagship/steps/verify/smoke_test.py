"""The smoke test verify-install runs once the release is installed and imported: the
project's own command (`[tool.tagship.verify-install] smoke`, or its older name
`smoke-command`), else the test cibuildwheel runs on each wheel it builds (`[tool.cibuildwheel]
test-command`), so a project that tests its wheels there needs no second command.

cibuildwheel's test runs as cibuildwheel runs it: through the shell, `{project}` (the
repository) and `{package}` (the package's directory) filled in, `before-test` first in the
repository, `test-requires`, `test-groups` and the `test-extras`' requirements installed from
the dependency index, then the command in an empty working directory holding only
`test-sources`, so the tests import the installed release and not the source tree. The test
requirements come after the import check: they cannot supply a dependency the release
forgot to declare.
"""

from __future__ import annotations

import platform
import shlex
import shutil
import sys
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from typing import TYPE_CHECKING

from tagship.adapters.archives import open_wheel
from tagship.core.cibuildwheel_test import cibuildwheel_test, fill
from tagship.steps.verify.install_probes import Check

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from typing import Any

    from tagship.adapters.process import Completed
    from tagship.core.config import Config
    from tagship.steps.verify.install_probes import Installed

CIBUILDWHEEL = "[tool.cibuildwheel] test-command"
_PLATFORMS = {"linux": "linux", "darwin": "macos", "win32": "windows"}


@dataclass(frozen=True)
class SmokeTest:
    """A command proving the installed release works, and what it needs."""

    command: str
    origin: str
    # cibuildwheel's commands are shell lines (`&&`); the project's own are split as words
    shell_line: bool = False
    requires: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    # paths from `base` copied into the test's working directory
    sources: tuple[str, ...] = ()
    before: str | None = None
    base: Path | None = None

    @property
    def changes_environment(self) -> bool:
        """It installs (or runs before-test) in the environment the import check reads."""
        return bool(self.requires or self.extras or self.before)


def smoke_test(
    config: Config, pyproject: Mapping[str, Any], package: Path, project: Path
) -> SmokeTest | None:
    """The smoke test of the configuration, or of `[tool.cibuildwheel]`; None for none."""
    settings = config.verify_install
    if not settings.smoke_enabled:
        return None
    if settings.smoke is not None:
        return SmokeTest(settings.smoke, "verify-install.smoke")
    if config.smoke_command is not None:
        return SmokeTest(config.smoke_command, "smoke-command")
    test = cibuildwheel_test(pyproject, _PLATFORMS.get(sys.platform, "linux"))
    if test is None or test.skips(build_identifier()):
        return None
    paths = {"project": str(project), "package": str(package)}
    return SmokeTest(
        fill(test.command, **paths),
        CIBUILDWHEEL,
        shell_line=True,
        requires=test.requires,
        extras=test.extras,
        sources=test.sources,
        before=fill(test.before, **paths) if test.before else None,
        base=project,
    )


def build_identifier() -> str:
    """cibuildwheel's name of a build for this interpreter and machine (`cp311-manylinux_x86_64`),
    which `test-skip` selectors match."""
    python = "pp" if sys.implementation.name == "pypy" else "cp"
    version = f"{python}{sys.version_info.major}{sys.version_info.minor}"
    machine = platform.machine().lower()
    if sys.platform == "win32":
        arch = {"amd64": "win_amd64", "arm64": "win_arm64"}.get(machine, "win32")
        return f"{version}-{arch}"
    if sys.platform == "darwin":
        return f"{version}-macosx_{machine}"
    libc = "manylinux" if platform.libc_ver()[0] == "glibc" else "musllinux"
    return f"{version}-{libc}_{machine}"


def _argv(command: str, *, shell_line: bool) -> list[str]:
    if not shell_line:
        return shlex.split(command)
    return ["cmd", "/d", "/c", command] if sys.platform == "win32" else ["sh", "-c", command]


def extra_requirements(wheel: Path, extras: tuple[str, ...]) -> list[str]:
    """The requirements the wheel's METADATA declares for `extras`, on this interpreter."""
    if not extras:
        return []
    from packaging.requirements import Requirement  # noqa: PLC0415 - only for test-extras

    with open_wheel(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        headers = BytesHeaderParser().parsebytes(archive.read(name))
    found = []
    for line in headers.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        marker, requirement.marker = requirement.marker, None
        if marker is not None and any(marker.evaluate({"extra": e}) for e in extras):
            found.append(str(requirement))
    return found


def _sources(smoke: SmokeTest, into: Path) -> str | None:
    """Copy the test sources into `into`; what went wrong, if anything."""
    base = (smoke.base or into).resolve()
    for relative in smoke.sources:
        source = (base / relative).resolve()
        if not source.is_relative_to(base) or not source.exists():
            return f"test-sources: {relative} is not a path inside {base}"
        target = into / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target)
    return None


def run_smoke(
    installed: Installed,
    smoke: SmokeTest,
    wheel: Path,
    install: Callable[[list[str]], Completed],
) -> list[Check]:
    """Run the smoke test in the environment: its requirements first, then the command."""
    checks: list[Check] = []
    shown = smoke.command if smoke.origin != CIBUILDWHEEL else f"{smoke.command} ({CIBUILDWHEEL})"
    if smoke.before is not None:
        done = installed.run(_argv(smoke.before, shell_line=True), cwd=smoke.base)
        if not done.ok:
            said = done.tail(1) or f"exit {done.returncode}"
            return [Check("smoke command", ok=False, detail=f"before-test: {said}")]
    requires = [*smoke.requires, *extra_requirements(wheel, smoke.extras)]
    if requires:
        done = install(requires)
        detail = " ".join(requires) if done.ok else f"{' '.join(requires)}: {done.tail(1)}"
        checks.append(Check("test requirements", done.ok, detail))
        if not done.ok:
            return checks
    cwd = installed.cwd / "smoke"
    cwd.mkdir(exist_ok=True)
    problem = _sources(smoke, cwd)
    if problem is not None:
        return [*checks, Check("smoke command", ok=False, detail=problem)]
    command = fill(smoke.command, wheel=str(wheel)) if smoke.shell_line else smoke.command
    done = installed.run(
        _argv(command, shell_line=smoke.shell_line), cwd=cwd if smoke.shell_line else None
    )
    said = done.tail(1) or f"exit {done.returncode}"
    checks.append(Check("smoke command", done.ok, shown if done.ok else f"{shown}: {said}"))
    return checks
