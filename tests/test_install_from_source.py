"""tagship installs from its source until it is on PyPI: from a git URL (`git+file://`
stands in for `git+https://github.com/...`) into a fresh virtual environment, with the demo
extra, whose metadata is there; the command runs; and without pypiserver the demo's hint
names a requirement that installs it."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from importlib.metadata import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import tagship
from conftest import git

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent


def _clone(into: Path) -> Path:
    """This source tree as a git repository of its own (tracked files and new ones, as
    committed), so the URL installs the code under test."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for relative in filter(None, listed.split("\0")):
        source = ROOT / relative
        if source.is_file():  # a file deleted in the work tree is gone from the clone too
            (into / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / relative)
    git(into, "init", "--quiet", "--initial-branch=main")
    git(into, "add", "--all")
    git(into, "commit", "--quiet", "-m", "tagship")
    return into


def _uv(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uv", *args], capture_output=True, text=True, check=False
    )


def test_the_demo_extra_is_declared() -> None:
    declared = metadata("tagship")
    assert "demo" in (declared.get_all("Provides-Extra") or [])
    required = [Requirement(text) for text in declared.get_all("Requires-Dist") or []]
    assert any(
        r.name == "pypiserver" and r.marker is not None and r.marker.evaluate({"extra": "demo"})
        for r in required
    )


def test_install_from_a_git_url_with_the_demo_extra(tmp_path: Path) -> None:
    clone = _clone(tmp_path / "tagship")
    venv = tmp_path / "venv"
    python = str(venv / "bin" / "python")
    assert _uv("venv", "--quiet", "--python", sys.executable, str(venv)).returncode == 0
    url = f"git+file://{clone}"
    done = _uv("pip", "install", "--quiet", "--python", python, f"tagship[demo] @ {url}")
    assert done.returncode == 0, done.stderr
    shown = subprocess.run(
        [str(venv / "bin" / "tagship"), "--version"], capture_output=True, text=True, check=False
    )
    assert shown.returncode == 0
    assert (shown.stdout + shown.stderr).strip() == f"tagship {tagship.__version__}"
    assert (venv / "bin" / "pypi-server").is_file()  # what the demo runs

    # without it, the demo names what to install, and that installs it
    assert _uv("pip", "uninstall", "--quiet", "--python", python, "pypiserver").returncode == 0
    demo = subprocess.run(
        [str(venv / "bin" / "tagship"), "demo"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=120,
    )
    assert demo.returncode == 2
    error = demo.stderr.strip().splitlines()[-1]
    head = "tagship: error: pypiserver is not installed next to tagship "
    head += "(hint: install tagship with its demo extra: pip install "
    assert error.startswith(head), demo.stderr
    wanted, *_ = shlex.split(error.removeprefix(head))
    assert wanted.startswith(f"tagship[demo] @ {url}@")  # at the commit it came from
    assert _uv("pip", "install", "--quiet", "--python", python, wanted).returncode == 0
    assert (venv / "bin" / "pypi-server").is_file()
