"""A maturin project's build jobs: maturin's own action builds the sdist and the wheels.

maturin cross-compiles and tags its wheels itself (manylinux in its containers, musllinux,
macOS, Windows), so its action takes the place of cibuildwheel; the gather job and everything
after it are the same as for any compiled project (ci/github/workflows/build_matrix.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagship.ci.github.workflows.workflow_jobs import READ, keep_step, setup_steps
from tagship.core.yaml_text import Commented

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.ci.github.workflows.workflow_jobs import Toolchain

# pinned by commit like every action; the comment names the release (v1 is the same commit)
MATURIN_ACTION = Commented(
    "PyO3/maturin-action@e83996d129638aa358a18fbd1dfb82f0b0fb5d3b", "v1.51.0"
)
# a pinned maturin, as maturin-action's hardening advice says: the newest in its manifest
MATURIN_VERSION = "v1.13.1"
# (runner, cargo target, manylinux input); "auto" lets maturin pick the lowest compatible
# manylinux, and is ignored off Linux
PLATFORMS = (
    ("ubuntu-latest", "x86_64", "auto"),
    ("ubuntu-latest", "aarch64", "auto"),
    ("ubuntu-latest", "x86_64", "musllinux_1_2"),
    ("ubuntu-latest", "aarch64", "musllinux_1_2"),
    ("macos-14", "aarch64", "auto"),
    ("macos-15-intel", "x86_64", "auto"),
    ("windows-latest", "x64", "auto"),
)
_ROW = [f"${{{{ matrix.platform.{key} }}}}" for key in ("runner", "target", "manylinux")]


@dataclass(frozen=True)
class WheelBuilder:
    """What builds a compiled project's wheels: cibuildwheel, or maturin's own action for a
    maturin project (`locked`: its Cargo.lock is in the repository, so the build uses it;
    `pythons`: the interpreters its macOS and Windows jobs build for)."""

    maturin: bool = False
    locked: bool = False
    pythons: tuple[str, ...] = ()


def _maturin_step(name: str, inputs: dict[str, str], env: Mapping[str, str]) -> dict[str, Any]:
    step: dict[str, Any] = {
        "name": name,
        "uses": MATURIN_ACTION,
        "with": {"maturin-version": MATURIN_VERSION, **inputs},
    }
    if env:
        step["env"] = dict(env)
        # Linux builds run in a container: the version settings must be passed in
        step["with"]["docker-options"] = " ".join(f"-e {name}" for name in sorted(env))
    return step


def maturin_sdist_job(tools: Toolchain, needs: Any, env: Mapping[str, str]) -> dict[str, Any]:
    """The sdist, by `maturin sdist` (it gathers the crate's sources as cargo packages them)."""
    checkout = setup_steps(tools, history=True)[0]
    build = _maturin_step("Build the sdist", {"command": "sdist", "args": "--out sdist"}, env)
    return {
        "name": "sdist",
        "needs": needs,
        "runs-on": PLATFORMS[0][0],
        "permissions": READ,
        "steps": [checkout, build, keep_step("build-sdist", "sdist/")],
    }


def maturin_wheels_job(
    tools: Toolchain, needs: Any, env: Mapping[str, str], builder: WheelBuilder
) -> dict[str, Any]:
    """The wheels, one job per platform; `--compatibility pypi` makes maturin refuse what
    PyPI would, and `--locked` builds with the repository's Cargo.lock when it has one. The
    Linux jobs find every interpreter of their manylinux container; the others find the
    Pythons `requires-python` allows, set up beside each other."""
    checkout, python = setup_steps(tools, history=True)[:2]
    if builder.pythons:
        python = {**python, "with": {"python-version": "\n".join(builder.pythons) + "\n"}}
    args = "--release --out wheelhouse --find-interpreter --compatibility pypi"
    inputs = {
        "target": "${{ matrix.platform.target }}",
        "manylinux": "${{ matrix.platform.manylinux }}",
        "args": args + (" --locked" if builder.locked else ""),
    }
    rows = [{"runner": r, "target": t, "manylinux": m} for r, t, m in PLATFORMS]
    return {
        "name": "wheels " + " ".join(_ROW),
        "needs": needs,
        "strategy": {"matrix": {"platform": rows}},
        "runs-on": "${{ matrix.platform.runner }}",
        "permissions": READ,
        "steps": [
            checkout,
            python,
            _maturin_step("Build the wheels", inputs, env),
            keep_step("build-wheels-" + "-".join(_ROW), "wheelhouse/"),
        ],
    }
