"""The build frontend: uv when it is installed, PyPA `build` otherwise; both isolate the backend.

`auto` with uv runs the PEP 517 hooks itself in a reused build environment (build_env.py),
each hook in a fresh process as PEP 517 asks, and falls back to `uv build` when the backend
wants requirements beyond `[build-system] requires`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tagship.adapters.archives import UnreadableArchiveError, can_unpack_safely, unpack_sdist
from tagship.adapters.build.build_env import satisfies
from tagship.core.errors import ConfigError, GateError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    import pyproject_hooks

    from tagship.adapters.build.build_env import BuildEnvironment, BuildSystem
    from tagship.adapters.process import Completed, Runner

BuilderChoice = Literal["auto", "uv", "build"]
BUILD_TIMEOUT = 1800.0  # a backend compiling extensions can take long; a hang should not
TAIL_LINES = 15


class BuildFailedError(GateError):
    """The backend failed; `output` holds the last lines it printed."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message, hint="the backend's last lines of output are shown above")
        self.output = output


def build_failure(project: str, frontend: str, done: Completed) -> BuildFailedError:
    """The error for a build command that exited non-zero, with its last lines of output."""
    output = "\n".join((done.stdout + "\n" + done.stderr).strip().splitlines()[-TAIL_LINES:])
    last = output.splitlines()[-1].strip() if output else "no output"
    return BuildFailedError(
        f"building {project} failed ({frontend} exited {done.returncode}): {last}", output
    )


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


def find_program(name: str, env: Mapping[str, str], python: str = sys.executable) -> Path | None:
    """A program on PATH, else beside the interpreter (installed into the same venv)."""
    found = shutil.which(name, path=env.get("PATH", os.defpath))
    if found:
        return Path(found)
    beside = Path(python).parent / (f"{name}.exe" if sys.platform == "win32" else name)
    return beside if beside.is_file() and os.access(beside, os.X_OK) else None


def find_uv(env: Mapping[str, str], python: str = sys.executable) -> Path | None:
    """uv on PATH, else beside the interpreter (installed as a wheel into the same venv)."""
    return find_program("uv", env, python)


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


def can_run_hooks() -> bool:
    """The wheel is built from the unpacked sdist, which must unpack safely."""
    return can_unpack_safely()


def hook_env(environment: BuildEnvironment, env: Mapping[str, str]) -> dict[str, str]:
    """`env` with the environment's scripts directory first on PATH, as `uv build` and
    `python -m build` arrange it: meson-python runs `meson` and `ninja`, scikit-build-core
    `cmake`, maturin `maturin`, installed there from the build requirements."""
    scripts = str(environment.python.parent)
    return {**env, "PATH": os.pathsep.join([scripts, env.get("PATH", os.defpath)])}


def hook_caller(
    environment: BuildEnvironment,
    source: Path,
    *,
    name: str,
    env: Mapping[str, str],
    runner: Runner,
) -> pyproject_hooks.BuildBackendHookCaller:
    """The hooks of `environment`'s backend for the source tree `source`, each run in a fresh
    process; one that fails raises the BuildFailedError of project `name`."""
    import pyproject_hooks  # noqa: PLC0415 - only builds and version questions need it

    system = environment.system
    base = hook_env(environment, env)

    def call(
        cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        where = Path(cwd) if cwd else None
        environ = {**base, **(extra_environ or {})}
        done = runner(list(cmd), cwd=where, env=environ, timeout=BUILD_TIMEOUT)
        if not done.ok:
            raise build_failure(name, system.backend, done)

    backend_path = list(system.backend_path) or None
    python = str(environment.python)
    return pyproject_hooks.BuildBackendHookCaller(
        str(source), system.backend, backend_path, call, python
    )


@contextmanager
def backend_errors(system: BuildSystem) -> Iterator[None]:
    """A backend that cannot be imported, or lacks a hook it must have, as a GateError."""
    import pyproject_hooks  # noqa: PLC0415

    try:
        yield
    except pyproject_hooks.BackendUnavailable as error:
        raise GateError(
            f"the build backend {system.backend!r} cannot be imported "
            f"({str(error).splitlines()[0]})",
            hint="check [build-system] build-backend and requires (and backend-path)",
        ) from None
    except (pyproject_hooks.HookMissing, pyproject_hooks.UnsupportedOperation) as error:
        raise GateError(
            f"the build backend {system.backend!r} cannot build this project ({error!r})",
            hint="use a PEP 517 backend that builds both an sdist and a wheel",
        ) from None


def build_with_hooks(
    environment: BuildEnvironment,
    project: Path,
    into: Path,
    *,
    scratch: Path,
    name: str,
    env: Mapping[str, str],
    runner: Runner,
    notice: Callable[[str], None],
    ask: Path | None = None,
) -> bool:
    """Build the sdist of `project`, then the wheel from that sdist (unpacked in `scratch`),
    into `into` with the backend of `environment`; the backend's warnings go to `notice`.
    `ask`: a copy of `project` the sdist's requirements are asked of while it builds.
    False, leaving `into` empty, when the backend asks for requirements the environment does
    not hold: the build then needs a fresh environment."""

    def caller(root: Path) -> pyproject_hooks.BuildBackendHookCaller:
        return hook_caller(environment, root, name=name, env=env, runner=runner)

    with backend_errors(environment.system), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        built = _sdist_then_wheel(
            caller, project, into, scratch, environment, ask=ask, notice=notice
        )
    for warning in caught:
        notice(f"warning from {environment.system.backend}: {warning.message}")
    if not built:
        for leftover in into.iterdir():
            leftover.unlink()
    return built


def _unpack(sdist: Path, into: Path) -> Path:
    try:
        unpack_sdist(sdist, into)
    except UnreadableArchiveError as error:  # the data filter refuses links out, devices, ...
        raise GateError(
            f"the backend built an sdist that cannot be unpacked safely: {sdist.name}: "
            f"{error.cause}",
            hint="check what the backend puts into the sdist (links, absolute paths)",
        ) from None
    tops = list(into.iterdir())
    if len(tops) != 1 or not tops[0].is_dir():
        raise GateError(
            f"{sdist.name} does not hold exactly one top-level directory",
            hint="an sdist unpacks to {name}-{version}/: check the backend's sdist settings",
        )
    return tops[0]


def _sdist_then_wheel(
    caller: Callable[[Path], Any],
    project: Path,
    into: Path,
    scratch: Path,
    environment: BuildEnvironment,
    *,
    ask: Path | None,
    notice: Callable[[str], None],
) -> bool:
    if ask is None:
        if not satisfies(environment, caller(project).get_requires_for_build_sdist()):
            return False
        notice(f"building the sdist with {environment.system.backend}")
        sdist = into / caller(project).build_sdist(str(into))
    else:
        # asked of a copy of the tree while the sdist builds (one hook's start-up hidden,
        # neither sees the other's side effects): the sdist counts only if nothing more
        # was required, and so does its failure
        notice(f"building the sdist with {environment.system.backend}")
        with ThreadPoolExecutor(max_workers=2) as pool:
            requires = pool.submit(caller(ask).get_requires_for_build_sdist)
            built = pool.submit(caller(project).build_sdist, str(into))
            if not satisfies(environment, requires.result()):
                return False
            sdist = into / built.result()
    notice(f"building the wheel from {sdist.name}")
    # the wheel's requirements are asked of one pristine copy of the sdist while another
    # builds: one hook's start-up hidden, and neither sees the other's side effects
    # (setuptools writes egg-info); the wheel counts only if nothing more was required.
    # The copy that builds is at the project's own path, not a random one: compilers embed it
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        with tempfile.TemporaryDirectory(prefix="tagship-sdist-") as tmp:
            asked = _unpack(sdist, Path(tmp))
            building = _unpack(sdist, scratch / "wheel")
            with ThreadPoolExecutor(max_workers=2) as pool:
                requires = pool.submit(caller(asked).get_requires_for_build_wheel)
                wheel = pool.submit(caller(building).build_wheel, str(into))
                if not satisfies(environment, requires.result()):
                    return False  # the wheel built without them does not count, nor its failure
                wheel.result()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return True
