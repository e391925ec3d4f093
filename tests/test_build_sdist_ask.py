"""The sdist's requirements are asked of a second checkout of the commit while the sdist
builds: every hook still runs, what the asking writes never reaches the sdist, and an sdist
built without a requirement the backend asked for does not count."""

from __future__ import annotations

import tarfile
from typing import TYPE_CHECKING

import pytest

from buildkit import SAMPLES

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo

pytestmark = pytest.mark.integration

HATCH_FILES = {".gitignore": "dist/\n", **SAMPLES["hatchling"][0]}
# hatchling, with each hook noting where it ran; asking for the sdist's requirements writes
# into the tree it is asked in, as setuptools' egg_info does
LOGGING_BACKEND = """\
import os
from pathlib import Path

import hatchling.build as _hatch
from hatchling.build import *  # noqa: F403


def _note(hook):
    with open(os.environ["HOOK_LOG"], "a") as log:
        log.write(f"{hook} {Path.cwd().name}\\n")


def get_requires_for_build_sdist(config_settings=None):
    _note("get_requires_for_build_sdist")
    Path("asked.txt").write_text("written while asked\\n")
    return _hatch.get_requires_for_build_sdist(config_settings)


def build_sdist(sdist_directory, config_settings=None):
    _note("build_sdist")
    return _hatch.build_sdist(sdist_directory, config_settings)


def get_requires_for_build_wheel(config_settings=None):
    _note("get_requires_for_build_wheel")
    return _hatch.get_requires_for_build_wheel(config_settings)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _note("build_wheel")
    return _hatch.build_wheel(wheel_directory, config_settings, metadata_directory)
"""
# asks for a requirement the reused environment lacks, and its sdist needs it
ASKING_BACKEND = """\
from hatchling.build import *  # noqa: F403
import hatchling.build as _hatch


def get_requires_for_build_sdist(config_settings=None):
    return ["tomli-w"]


def build_sdist(sdist_directory, config_settings=None):
    import tomli_w  # noqa: F401 - absent from the reused environment: this build fails there
    return _hatch.build_sdist(sdist_directory, config_settings)
"""


def _in_tree(backend: str) -> dict[str, str]:
    pyproject = HATCH_FILES["pyproject.toml"].replace(
        'build-backend = "hatchling.build"',
        'build-backend = "tree_backend"\nbackend-path = ["."]',
    )
    return {**HATCH_FILES, "pyproject.toml": pyproject, "tree_backend.py": backend}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("TAGSHIP_CACHE_DIR", str(root))
    return root


@pytest.mark.usefixtures("cache")
def test_every_hook_runs_and_the_asking_leaves_nothing_in_the_sdist(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "hooks.log"
    monkeypatch.setenv("HOOK_LOG", str(log))
    repo = make_repo(_in_tree(LOGGING_BACKEND))
    result = cli("-C", str(repo.path), "build")
    assert result.code == 0, result.err
    ran = sorted(log.read_text().splitlines())
    hooks = sorted(line.split()[0] for line in ran)
    assert hooks == sorted(
        [
            "get_requires_for_build_sdist",
            "build_sdist",
            "get_requires_for_build_wheel",
            "build_wheel",
        ]
    )
    assert "get_requires_for_build_sdist ask" in ran  # the second checkout
    assert "build_sdist tree" in ran
    (sdist,) = (repo.path / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    assert not [name for name in names if name.endswith("asked.txt")]
    assert any(name.endswith("tree_backend.py") for name in names)
    assert not (repo.path / "asked.txt").exists()  # nor the work tree


@pytest.mark.usefixtures("cache")
def test_an_sdist_built_without_what_the_backend_asked_for_does_not_count(
    make_repo: MakeRepo, cli: Cli
) -> None:
    repo = make_repo(_in_tree(ASKING_BACKEND))
    result = cli("-C", str(repo.path), "build")
    assert result.code == 0, result.err
    assert "asks for more build requirements: building in a fresh one" in result.err
    assert len(list((repo.path / "dist").glob("*.tar.gz"))) == 1
