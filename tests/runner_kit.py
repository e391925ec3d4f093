"""The runner's kit for the workflow harness tests, made once per test session and worker (a
pytest plugin, registered by conftest.py): tagship's wheel built from this checkout, and a Python
with tagship's dependencies. Not a fixture imported by each test module that runs the harness:
an imported session fixture belongs to that module, and is made again for each module."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
# how this machine reaches the package registries (its CA bundle, proxies): jobs keep them
NETWORK = (
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "PIP_CERT",
    "GIT_SSL_CAINFO", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
    "no_proxy",
)  # fmt: skip


@dataclass(frozen=True)
class Kit:
    """Made once per session: tagship's wheel and the runner's Python (tagship's dependencies
    installed, tagship itself not: each job's `Install tools` step installs it)."""

    wheel: Path
    python: Path
    python_version: str
    uv_dir: Path
    uv_version: str
    system_path: str


def run(argv: list[str | Path], env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(a) for a in argv], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{argv} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
    return done.stdout


def network() -> dict[str, str]:
    return {name: os.environ[name] for name in NETWORK if name in os.environ}


def system_path() -> str:
    found = [shutil.which(tool) for tool in ("git", "bash")]
    dirs = [str(Path(f).parent) for f in found if f] + ["/usr/bin", "/bin"]
    return ":".join(dict.fromkeys(dirs))


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Kit:
    root = tmp_path_factory.mktemp("runner-kit")
    env = {"PATH": system_path(), "HOME": str(root), "UV_CACHE_DIR": str(shared_cache / "uv")}
    env.update(network())
    uv = Path(sys.executable).parent / "uv"
    run([uv, "build", "--wheel", "--quiet", "--out-dir", root / "wheel", PROJECT], env)
    (wheel,) = (root / "wheel").glob("tagship-*.whl")
    python = root / "python"
    run([uv, "venv", "--seed", "--relocatable", "--quiet", "-p", sys.executable, python], env)
    interpreter = python / "bin" / "python"
    run([uv, "pip", "install", "--quiet", "--compile-bytecode", "-p", interpreter, wheel], env)
    run([uv, "pip", "uninstall", "--quiet", "-p", interpreter, "tagship"], env)
    (root / "uv").mkdir()
    (root / "uv" / "uv").symlink_to(uv)
    uv_version = run([uv, "--version"], env).split()[1]
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return Kit(wheel, python, version, root / "uv", uv_version, system_path())
