"""A compiled project's build in the publish workflows: a matrix of wheel jobs, one manifest.

One runner builds wheels for its own platform only, and PyPI takes no plain Linux wheel, so a
compiled project's build job becomes three: an `sdist` job (`uv build --sdist`), a `wheels`
job running cibuildwheel on each kind of GitHub-hosted runner (Linux x86_64 and aarch64, macOS
arm64 and x86_64, Windows), configured only by the project's own `[tool.cibuildwheel]`, and
the `build` job, which gathers their files and runs `tagship manifest merge`: one verified
manifest, uploaded as the pure project's build job uploads it. The jobs after it do not change.
A maturin project's `sdist` and `wheels` jobs use maturin's own action instead
(ci/github/workflows/maturin_jobs.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tagship.adapters.secrets import is_credential_variable
from tagship.ci.github.workflows.maturin_jobs import (
    WheelBuilder,
    maturin_sdist_job,
    maturin_wheels_job,
)
from tagship.ci.github.workflows.workflow_jobs import ACTIONS, READ, keep_step, setup_steps
from tagship.core.release_plan import BUILD
from tagship.core.yaml_text import Commented

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from tagship.ci.github.workflows.workflow_jobs import Toolchain

# pinned by commit like every action; the comment names the release
CIBUILDWHEEL = Commented("pypa/cibuildwheel@1828c10ab37f080699c7b81cea34097c684a7074", "v4.2.0")
# macOS 13 runners are retired: macos-15-intel is GitHub's x86_64 macOS image
RUNNERS = ("ubuntu-latest", "ubuntu-24.04-arm", "macos-14", "macos-15-intel", "windows-latest")
PARTS = "parts"  # each job's artifact is downloaded into a directory of its own under it
MERGE = f"tagship manifest merge --out dist {PARTS}/*"
# backends that build extension modules whatever the project holds
COMPILED_BACKENDS = frozenset({"scikit_build_core.build", "mesonpy", "maturin"})


def _backend(pyproject: Mapping[str, Any]) -> str:
    system = pyproject.get("build-system")
    backend = system.get("build-backend") if isinstance(system, dict) else None
    return backend if isinstance(backend, str) else "setuptools.build_meta"


def wheel_builder(root: Path, pyproject: Mapping[str, Any]) -> WheelBuilder | None:
    """How the project's wheels are built in the publish workflows; None for a pure project."""
    if not is_compiled(root, pyproject):
        return None
    if _backend(pyproject) != "maturin":
        return WheelBuilder()
    tool = pyproject.get("tool")
    maturin = tool.get("maturin") if isinstance(tool, dict) else None
    manifest = maturin.get("manifest-path") if isinstance(maturin, dict) else None
    # Cargo.lock lives beside the Cargo.toml, or at the root of its cargo workspace
    crate = (root / manifest).parent if isinstance(manifest, str) else root
    locks = (crate / "Cargo.lock", root / "Cargo.lock")
    return WheelBuilder(maturin=True, locked=any(lock.is_file() for lock in locks))


def is_compiled(root: Path, pyproject: Mapping[str, Any]) -> bool:
    """Whether the project builds platform wheels, from what it declares: a
    `[tool.cibuildwheel]` table, a backend that compiles, or setuptools with extension modules
    (`[tool.setuptools] ext-modules`, or `ext_modules`/`Extension(` in setup.py)."""
    tool = pyproject.get("tool")
    tool = tool if isinstance(tool, dict) else {}
    if "cibuildwheel" in tool:
        return True
    backend = _backend(pyproject)
    if backend in COMPILED_BACKENDS:
        return True
    if not backend.startswith("setuptools"):
        return False
    setuptools = tool.get("setuptools")
    if isinstance(setuptools, dict) and setuptools.get("ext-modules"):
        return True
    setup = root / "setup.py"
    text = setup.read_text(encoding="utf-8", errors="replace") if setup.is_file() else ""
    return "ext_modules" in text or "Extension(" in text


def _sdist_job(tools: Toolchain, needs: Any, env: Mapping[str, str]) -> dict[str, Any]:
    # no tagship here: uv builds the sdist, the gather job verifies it with the wheels
    steps = setup_steps(tools, history=True)[:-1]
    build = 'SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)" uv build --sdist --out-dir sdist/\n'
    steps.append({"name": "Build the sdist", "run": build, **({"env": dict(env)} if env else {})})
    steps.append(keep_step("build-sdist", "sdist/"))
    job = {"name": "sdist", "needs": needs, "runs-on": RUNNERS[0], "permissions": READ}
    return {**job, "steps": steps}


def _wheels_job(tools: Toolchain, needs: Any, env: Mapping[str, str]) -> dict[str, Any]:
    checkout = setup_steps(tools, history=True)[0]
    build: dict[str, Any] = {
        "name": "Build the wheels",
        "uses": CIBUILDWHEEL,
        "with": {"output-dir": "wheelhouse"},
    }
    if env:
        # Linux builds run in a container: the version settings must be passed in
        build["env"] = {**env, "CIBW_ENVIRONMENT_PASS_LINUX": " ".join(sorted(env))}
    return {
        "name": "wheels ${{ matrix.os }}",
        "needs": needs,
        "strategy": {"matrix": {"os": list(RUNNERS)}},
        "runs-on": "${{ matrix.os }}",
        "permissions": READ,
        "steps": [checkout, build, keep_step("build-wheels-${{ matrix.os }}", "wheelhouse/")],
    }


def with_build_matrix(
    jobs: Mapping[str, Any], tools: Toolchain, builder: WheelBuilder
) -> dict[str, Any]:
    """The publish workflow's `jobs` with the build done by the matrix: the `sdist` and
    `wheels` jobs (needing what the build job needed, with its build step's environment less
    any credential), and the build job gathering their files into one manifest. A workflow
    that builds nothing (a release promoting the dry run's files) stays as it is."""
    build = jobs.get("build", {})
    at = next((i for i, s in enumerate(build.get("steps", [])) if s.get("name") == BUILD), None)
    if at is None:
        return dict(jobs)
    step = build["steps"][at]
    env = {k: v for k, v in step.get("env", {}).items() if not is_credential_variable(k)}
    download = {
        "name": "Download the files of the build jobs",
        "uses": ACTIONS["download-artifact"],
        "with": {"pattern": "build-*", "path": f"{PARTS}/"},
    }
    # the build step becomes the merge, in the same place, with the same environment
    steps = [*build["steps"][:at], download, {**step, "run": MERGE}, *build["steps"][at + 1 :]]
    gathered: dict[str, Any] = {}
    for name, job in jobs.items():
        if name == "build":
            if builder.maturin:
                gathered["sdist"] = maturin_sdist_job(tools, job["needs"], env)
                gathered["wheels"] = maturin_wheels_job(tools, job["needs"], env, builder)
            else:
                gathered["sdist"] = _sdist_job(tools, job["needs"], env)
                gathered["wheels"] = _wheels_job(tools, job["needs"], env)
            gathered[name] = {**job, "needs": ["sdist", "wheels"], "steps": steps}
        else:
            gathered[name] = job
    return gathered
