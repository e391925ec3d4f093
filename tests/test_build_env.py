"""The reused build environment: shared by builds, replaced after a day, never a shortcut
around a backend's extra requirements, and building the same bytes as a fresh environment."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING

import pytest

from buildkit import SAMPLES
from tagship.adapters.build.build_env import (
    LEGACY_BACKEND,
    LEGACY_REQUIRES,
    MARKER,
    REUSE_SECONDS,
    BuildEnvironment,
    BuildSystem,
    build_system,
    env_key,
    satisfies,
)
from tagship.core.errors import ConfigError
from tagship.core.manifest import MANIFEST_NAME
from tagship.core.pyproject import loads

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo

pytestmark = pytest.mark.integration

HATCH_FILES = {".gitignore": "dist/\nout/\n", **SAMPLES["hatchling"][0]}
REUSED = ", reused build environment"
# an in-tree backend (backend-path), and one that asks for one more requirement for a wheel
IN_TREE_BACKEND = "from hatchling.build import *  # noqa: F403\n"
EXTRA_REQUIREMENT = """

def get_requires_for_build_wheel(config_settings=None):
    return ["tomli-w"]
"""
# what the environment holds already, as maturin asks for a declared cffi
HELD_REQUIREMENT = EXTRA_REQUIREMENT.replace('"tomli-w"', '"hatchling", "HATCHLING>=1"')


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own, so it sees only the environments it made."""
    root = tmp_path / "cache"
    monkeypatch.setenv("TAGSHIP_CACHE_DIR", str(root))
    return root


def _manifest(directory: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((directory / MANIFEST_NAME).read_text())
    return data


def _environments(cache: Path) -> list[Path]:
    return sorted((cache / "build-envs").glob("[!.]*"))


def _build(cli: Cli, repo: Repo, *args: str, out: str = "dist") -> dict[str, object]:
    result = cli("-C", str(repo.path), "build", "--out", str(repo.path / out), *args)
    assert result.code == 0, result.err
    return _manifest(repo.path / out)


def test_builds_share_one_environment_and_match_a_fresh_build(
    make_repo: MakeRepo, cli: Cli, cache: Path
) -> None:
    repo = make_repo(HATCH_FILES)
    first = _build(cli, repo)
    assert str(first["builder"]).endswith(REUSED)
    (venv,) = _environments(cache)
    marker = (venv / MARKER).read_text()
    assert json.loads(marker)["requires"] == ["hatchling"]
    assert _build(cli, repo, "--clean") == first
    assert _environments(cache) == [venv]
    assert (venv / MARKER).read_text() == marker  # reused, not rebuilt
    fresh = _build(cli, repo, "--builder", "uv", out="out")
    assert not str(fresh["builder"]).endswith(REUSED)
    assert fresh["files"] == first["files"]  # byte for byte what a fresh environment builds


def test_an_environment_older_than_a_day_is_replaced_then_deleted(
    make_repo: MakeRepo, cli: Cli, cache: Path
) -> None:
    repo = make_repo(HATCH_FILES)
    _build(cli, repo)
    (venv,) = _environments(cache)
    key = venv.name.rsplit("-", 1)[0]
    stale = venv.with_name(f"{key}-{int(time.time() - 2 * REUSE_SECONDS - 60)}")
    venv.rename(stale)
    facts = json.loads((stale / MARKER).read_text())
    facts["created"] = time.time() - REUSE_SECONDS - 60
    (stale / MARKER).write_text(json.dumps(facts))
    assert str(_build(cli, repo, "--clean")["builder"]).endswith(REUSED)
    (replacement,) = _environments(cache)  # a new one; the stale one is gone
    assert replacement != stale
    assert json.loads((replacement / MARKER).read_text())["created"] > facts["created"]


@pytest.mark.parametrize(
    ("backend", "reused"),
    [
        (IN_TREE_BACKEND, True),
        (IN_TREE_BACKEND + EXTRA_REQUIREMENT, False),
        (IN_TREE_BACKEND + HELD_REQUIREMENT, True),
    ],
    ids=["in-tree-backend", "asking-for-more", "asking-for-what-it-holds"],
)
def test_in_tree_backends_and_backends_asking_for_more(
    make_repo: MakeRepo, cli: Cli, cache: Path, backend: str, *, reused: bool
) -> None:
    pyproject = HATCH_FILES["pyproject.toml"].replace(
        'build-backend = "hatchling.build"',
        'build-backend = "tree_backend"\nbackend-path = ["."]',
    )
    assert "backend-path" in pyproject
    repo = make_repo({**HATCH_FILES, "pyproject.toml": pyproject, "tree_backend.py": backend})
    result = cli("-C", str(repo.path), "build")
    assert result.code == 0, result.err
    assert ("asks for more build requirements: building in a fresh one" in result.err) is not reused
    builder = str(_manifest(repo.path / "dist")["builder"])
    assert builder.startswith("uv ")
    # asking for more, the wheel is built by `uv build` in a fresh environment instead
    assert builder.endswith(REUSED) is reused
    assert len(_environments(cache)) == 1  # made for the sdist, which needed nothing more


SCRIPTS_ON_PATH_BACKEND = """\
import os
import shutil
import sys

from hatchling.build import *  # noqa: F403
from hatchling.build import build_sdist as _build_sdist
from hatchling.build import build_wheel as _build_wheel


def _the_environments_script():
    found = shutil.which("setuptools-scm")  # a console script of a build requirement
    if found is None or os.path.dirname(found) != os.path.dirname(sys.executable):
        raise RuntimeError(f"setuptools-scm of the build environment is not on PATH: {found}")


def build_sdist(sdist_directory, config_settings=None):
    _the_environments_script()
    return _build_sdist(sdist_directory, config_settings)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _the_environments_script()
    return _build_wheel(wheel_directory, config_settings, metadata_directory)
"""


def test_the_environments_scripts_are_on_path_for_every_hook(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """meson, ninja, cmake or maturin come from the build requirements: backends look on
    PATH for them."""
    monkeypatch.setenv("PATH", os.defpath)  # none of this run's own scripts
    pyproject = (
        HATCH_FILES["pyproject.toml"]
        .replace('requires = ["hatchling"]', 'requires = ["hatchling", "hatch-vcs"]')
        .replace(
            'build-backend = "hatchling.build"',
            'build-backend = "tree_backend"\nbackend-path = ["."]',
        )
    )
    files = {**HATCH_FILES, "pyproject.toml": pyproject, "tree_backend.py": SCRIPTS_ON_PATH_BACKEND}
    repo = make_repo(files)
    result = cli("-C", str(repo.path), "build")
    assert result.code == 0, result.err
    assert str(_manifest(repo.path / "dist")["builder"]).endswith(REUSED)


UNSAFE_SDIST_BACKEND = """\
import io
import tarfile

from hatchling.build import *  # noqa: F403


def build_sdist(sdist_directory, config_settings=None):
    name = "sample_hatch-0.1.0.tar.gz"
    with tarfile.open(f"{sdist_directory}/{name}", "w:gz") as archive:
        member = tarfile.TarInfo("../escaped.txt")
        member.size = 2
        archive.addfile(member, io.BytesIO(b"hi"))
    return name
"""


def test_an_sdist_that_would_unpack_outside_its_directory(make_repo: MakeRepo, cli: Cli) -> None:
    pyproject = HATCH_FILES["pyproject.toml"].replace(
        'build-backend = "hatchling.build"',
        'build-backend = "tree_backend"\nbackend-path = ["."]',
    )
    files = {**HATCH_FILES, "pyproject.toml": pyproject, "tree_backend.py": UNSAFE_SDIST_BACKEND}
    repo = make_repo(files)
    result = cli("-C", str(repo.path), "build")
    assert result.code == 1
    assert result.err.splitlines()[-1].startswith(
        "tagship: error: the backend built an sdist that cannot be unpacked safely: "
        "sample_hatch-0.1.0.tar.gz: "
    )
    assert not (repo.path / "dist").exists()


def test_reuse_build_env_false_builds_fresh_every_time(
    make_repo: MakeRepo, cli: Cli, cache: Path
) -> None:
    pyproject = HATCH_FILES["pyproject.toml"] + "\n[tool.tagship]\nreuse-build-env = false\n"
    repo = make_repo({**HATCH_FILES, "pyproject.toml": pyproject})
    assert not str(_build(cli, repo)["builder"]).endswith(REUSED)
    assert _environments(cache) == []


def test_a_cache_that_cannot_be_written_costs_speed_not_the_build(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TAGSHIP_CACHE_DIR", str(blocker / "cache"))
    repo = make_repo(HATCH_FILES)
    result = cli("-C", str(repo.path), "build")
    assert result.code == 0, result.err
    assert "tagship: no reused build environment (" in result.err
    assert not str(_manifest(repo.path / "dist")["builder"]).endswith(REUSED)


def test_requirements_that_cannot_be_installed(make_repo: MakeRepo, cli: Cli, cache: Path) -> None:
    pyproject = HATCH_FILES["pyproject.toml"].replace(
        'requires = ["hatchling"]', 'requires = ["hatchling", "tagship-test-no-such-package"]'
    )
    assert "no-such-package" in pyproject
    repo = make_repo({**HATCH_FILES, "pyproject.toml": pyproject})
    result = cli("-C", str(repo.path), "build")
    assert result.code == 1
    last = result.err.splitlines()[-1]
    assert last.startswith(
        "tagship: error: cannot install the build requirements "
        "(hatchling, tagship-test-no-such-package): "
    )
    assert "Traceback" not in result.err
    assert _environments(cache) == []
    assert list((cache / "build-envs").iterdir()) == []  # no half-made environment left


def test_a_build_system_of_the_wrong_shape(make_repo: MakeRepo, cli: Cli, cache: Path) -> None:
    pyproject = HATCH_FILES["pyproject.toml"].replace(
        'requires = ["hatchling"]', 'requires = "hatchling"'
    )
    repo = make_repo({**HATCH_FILES, "pyproject.toml": pyproject})
    result = cli("-C", str(repo.path), "build")
    assert result.code == 2
    assert "`build-system.requires` in " in result.err
    assert "must be a list of strings" in result.err
    assert _environments(cache) == []


def test_build_system_defaults(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    legacy = BuildSystem(LEGACY_REQUIRES, LEGACY_BACKEND, ())
    assert build_system(loads("[project]\nname = 'x'\n"), pyproject) == legacy
    flit = loads("[build-system]\nrequires = ['flit_core>=3.9']\n")
    assert build_system(flit, pyproject) == BuildSystem(("flit_core>=3.9",), LEGACY_BACKEND, ())
    wrong = loads("[build-system]\nrequires = []\nbuild-backend = 3\n")
    with pytest.raises(ConfigError, match=r"build-backend` in .* must be a module name"):
        build_system(wrong, pyproject)


def test_environment_keys() -> None:
    python = sys.executable
    key = env_key(("hatchling",), python, {})
    assert env_key(("hatchling",), python, {"HOME": "/elsewhere"}) == key
    assert env_key(("hatchling", "hatch-vcs"), python, {}) != key
    # another index may resolve other packages; its address is hashed, never stored
    assert env_key(("hatchling",), python, {"UV_INDEX_URL": "https://mirror/simple"}) != key


@pytest.mark.parametrize(
    ("asked", "held"),
    [
        ([], True),
        (["cffi"], True),
        (["CFFI>=1.15,<2"], True),
        (["cffi>=2"], False),  # held, in a version the request excludes
        (["cffi", "wheel"], False),
        (["wheel; python_version < '3'"], True),  # not for this Python
        (["cffi ==="], False),  # unreadable: the fresh environment's installer judges it
    ],
)
def test_what_a_reused_environment_holds(tmp_path: Path, asked: list[str], *, held: bool) -> None:
    site = tmp_path / "venv/lib/python3.12/site-packages"
    info = site / "cffi-1.17.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cffi\nVersion: 1.17.1\n")
    system = BuildSystem(("maturin",), "maturin", ())
    assert satisfies(BuildEnvironment(tmp_path / "venv/bin/python", system), asked) is held
