"""A `Private ::` classifier ("Private :: Do Not Upload") keeps a distribution off PyPI by
design: PyPI refuses the upload. Verification refuses it first, in one line with the exit code
verification uses, so that `build` writes nothing and a dry run uploads nothing. Real builds,
real local indexes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import git
from hostile import assert_refused
from release_world import bump, files_on, release_world

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import Cli, MakeRepo
    from release_world import World

PRIVATE = '"Private :: Do Not Upload"'
PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "secret"
version = "1.0.0"
description = "Kept off PyPI"
readme = "README.md"
classifiers = ["Programming Language :: Python :: 3", {classifier}]
"""
FILES = {
    "README.md": "# secret\n\nKept off PyPI.\n",
    "src/secret/__init__.py": "",
    ".gitignore": "dist/\n",
}
WHY = "and PyPI refuses every upload with a `Private ::` classifier"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with release_world(tmp_path) as made:
        yield made


def test_build_refuses_a_private_classifier(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT.format(classifier=PRIVATE), **FILES})
    error = assert_refused(cli("-C", str(repo.path), "build"), 1)
    assert "METADATA has the classifier 'Private :: Do Not Upload', " + WHY in error
    assert not (repo.path / "dist").exists()  # nothing left to upload


def test_verify_artifacts_refuses_files_built_elsewhere(cli: Cli, make_repo: MakeRepo) -> None:
    # lower case and spaced differently: PyPI refuses it all the same
    classifier = '"private ::  internal"'
    repo = make_repo({"pyproject.toml": PYPROJECT.format(classifier=classifier), **FILES})
    uv = Path(sys.executable).parent / "uv"
    subprocess.run(
        [str(uv), "build", "--quiet", "--out-dir", str(repo.path / "dist"), str(repo.path)],
        check=True,
        capture_output=True,
    )
    result = cli("-C", str(repo.path), "verify-artifacts")
    error = assert_refused(result, 1)
    assert "has the classifier 'private ::  internal', " + WHY in error
    assert "FAIL secret-1.0.0.tar.gz: PKG-INFO has the classifier" in result.err + result.out
    # without it, the same files pass
    repo.write("pyproject.toml", PYPROJECT.format(classifier='"Typing :: Typed"'))
    repo.commit("public after all")
    for built in (repo.path / "dist").iterdir():
        built.unlink()
    subprocess.run(
        [str(uv), "build", "--quiet", "--out-dir", str(repo.path / "dist"), str(repo.path)],
        check=True,
        capture_output=True,
    )
    assert cli("-C", str(repo.path), "verify-artifacts").code == 0


def test_a_dry_run_uploads_nothing(world: World, cli: Cli) -> None:
    bump(world, cli)  # a version not yet tagged: the dry run gets as far as building
    pyproject = Path(world.path) / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace('license = "MIT"\n', f'license = "MIT"\nclassifiers = [{PRIVATE}]\n', 1)
    )
    git(world.sample.work, "commit", "--quiet", "-am", "Keep it private")
    git(world.sample.work, "push", "--quiet", "origin", "main")
    error = assert_refused(cli("-C", world.path, "dry-run", "--checks", "local"), 1)
    assert WHY in error
    assert files_on(world.test_index) == {}
    assert files_on(world.prod_index) == {}
