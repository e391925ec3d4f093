"""A project whose version comes from git tags (hatch-vcs): dev builds between tags, and the
release flow with the version about to be tagged given explicitly."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

from conftest import git
from tagship.adapters.local_index import running_index
from tagship.flows.stand_ins import ci_identity

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo

pytestmark = pytest.mark.integration
CHECKS = ("lint", "typecheck", "tests", "package-build", "docs-validation", "build-validation")


@pytest.fixture
def scm_project(make_repo: MakeRepo, tmp_path: Path) -> Iterator[Repo]:
    with running_index(tmp_path / "test-index") as test, running_index(tmp_path / "prod") as prod:
        checks = "".join(f'{name} = "{sys.executable} -c pass"\n' for name in CHECKS)
        pyproject = (
            '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n'
            'build-backend = "hatchling.build"\n\n'
            '[project]\nname = "scm-demo"\ndynamic = ["version"]\n'
            'description = "versions from tags"\nreadme = "README.md"\n\n'
            '[tool.hatch.version]\nsource = "vcs"\n\n'
            f"[tool.tagship.checks]\n{checks}\n"
            f'[tool.tagship.indexes.testpypi]\nupload-url = "{test.upload_url}"\n'
            f'simple-url = "{test.simple_url}"\nofficial = false\n\n'
            f'[tool.tagship.indexes.pypi]\nupload-url = "{prod.upload_url}"\n'
            f'simple-url = "{prod.simple_url}"\nofficial = false\n'
        )
        repo = make_repo(
            {
                "pyproject.toml": pyproject,
                "README.md": "# scm-demo\n",
                "src/scm_demo/__init__.py": '"""Versions from tags."""\n',
                ".gitignore": "dist/\n",
            }
        )
        repo.tag("v1.0.0", push=True)
        repo.write("src/scm_demo/__init__.py", '"""Versions from tags, changed."""\n')
        repo.commit("a change after 1.0.0")
        repo.push()
        yield repo


def test_a_dev_build_between_tags_verifies(scm_project: Repo, cli: Cli) -> None:
    version = cli("-C", str(scm_project.path), "version").out.strip()
    assert version.startswith("1.0.1.dev1+g")
    result = cli("-C", str(scm_project.path), "build")
    assert result.code == 0, result.out + result.err
    assert f"scm_demo-{version}.tar.gz" in result.out  # the version hatch-vcs gives


def test_release_flow_with_the_version_about_to_be_tagged(
    scm_project: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(scm_project.path)
    untold = cli("-C", path, "dry-run", "--checks", "local")
    assert untold.code == 1
    assert "has a local part: pass --version X.Y.Z" in untold.err
    dry = cli("-C", path, "dry-run", "--checks", "local", "--version", "1.1.0")
    assert dry.code == 0, dry.out + dry.err
    assert "scm_demo-1.1.0.tar.gz" in dry.out, dry.out
    tagged = cli("-C", path, "tag", "--checks", "local", "--version", "1.1.0")
    assert tagged.code == 0, tagged.out + tagged.err
    assert "refs/tags/v1.1.0" in git(scm_project.path, "ls-remote", "--tags", "origin")
    sha = git(scm_project.path, "rev-parse", "HEAD")
    for key, value in ci_identity({}, "v1.1.0", sha).items():
        monkeypatch.setenv(key, value)
    released = cli("-C", path, "release")
    assert released.code == 0, released.out + released.err
    assert "[passed] rebuild cross-check: byte-identical" in released.out


def test_version_option_is_refused_for_a_static_version(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    result = cli("-C", str(repo.path), "dry-run", "--version", "9.0.0")
    assert result.code == 2
    assert "--version is for versions that come from git tags" in result.err
