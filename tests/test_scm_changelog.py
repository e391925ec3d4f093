"""`notes --version` and the changelog of a project whose version comes from git tags
(setuptools-scm): real git repositories, the real backend, the real towncrier."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from conftest import STATIC_PYPROJECT, git
from rollback_kit import merge
from tagship.core.config import RELEASE_LABELS
from tagship.core.notes import MergedPull, build_notes

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo

pytestmark = pytest.mark.integration

SCM = """\
[build-system]
requires = ["setuptools>=64", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "scm-news"
dynamic = ["version"]

[tool.setuptools_scm]
version_file = "src/scm_news/_version.py"
"""
TOWNCRIER = """
[tool.towncrier]
package = "scm_news"
package_dir = "src"
directory = "changes"
filename = "CHANGES.md"
"""
CHANGES = "# Changes\n\n<!-- towncrier release notes start -->\n"


def _scm_project(make_repo: MakeRepo, pyproject: str, changelog: tuple[str, str]) -> Repo:
    """Released as v1.0.0 (a tag), then a change that no pull request merged."""
    repo = make_repo(
        {
            "pyproject.toml": pyproject,
            # the version module is written by the build: a clone does not have it
            "src/scm_news/__init__.py": "from ._version import version as __version__\n",
            ".gitignore": "src/scm_news/_version.py\n*.egg-info/\n",
            changelog[0]: changelog[1],
            "changes/7.feature.md": "Sails.\n",
        }
    )
    repo.tag("v1.0.0", push=True)
    repo.write("changes/8.bugfix.md", "Rudder.\n")
    repo.commit("a direct change after 1.0.0")
    return repo


@pytest.fixture
def towncrier_project(make_repo: MakeRepo) -> Repo:
    return _scm_project(make_repo, SCM + TOWNCRIER, ("CHANGES.md", CHANGES))


def test_the_changelog_of_an_scm_version_needs_the_version(
    towncrier_project: Repo, cli: Cli
) -> None:
    result = cli("-C", str(towncrier_project.path), "notes", "--local", "--changelog")
    assert result.code == 2
    assert "no merged pull request since v1.0.0 suggests the version" in result.err
    assert "the version comes from git tags (1.0.1.dev1+g" in result.err
    assert "(hint: pass --version X.Y.Z, the version you will tag)" in result.err
    assert result.err.count("\n") == 1
    assert git(towncrier_project.path, "status", "--porcelain") == ""


def test_towncrier_writes_the_notes_of_the_given_version(towncrier_project: Repo, cli: Cli) -> None:
    path = towncrier_project.path
    result = cli("-C", str(path), "notes", "--local", "--changelog", "--version", "1.1.0")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (
        "0 pull requests since v1.0.0 (0 skipped); releasing 1.1.0 (--version)"
    )
    assert "towncrier wrote the 1.1.0 notes from its fragments" in result.out
    text = (path / "CHANGES.md").read_text()
    assert "1.1.0" in text
    assert "- Sails. (#7)" in text
    assert "- Rudder. (#8)" in text
    assert not (path / "changes/7.feature.md").exists()


def test_a_plain_changelog_gets_the_given_version_s_section(make_repo: MakeRepo, cli: Cli) -> None:
    repo = _scm_project(make_repo, SCM, ("CHANGELOG.md", "# Changelog\n\n## 1.0.0 (2024-01-02)\n"))
    merge(repo, "sails", "sails.txt", "sails", 21, "release:minor")
    result = cli("-C", str(repo.path), "notes", "--local", "--changelog", "--version", "2.0.0")
    assert result.code == 0, result.err
    assert "added the 2.0.0 section to CHANGELOG.md" in result.out
    text = (repo.path / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n\n## 2.0.0 (")
    assert "- The sails change (#21) @someone\n" in text


def test_a_version_below_the_labels_is_said(make_repo: MakeRepo, cli: Cli) -> None:
    repo = _scm_project(make_repo, SCM, ("CHANGELOG.md", "# Changelog\n"))
    merge(repo, "sails", "sails.txt", "sails", 21, "release:minor")
    result = cli("-C", str(repo.path), "notes", "--local", "--version", "1.0.1")
    assert result.code == 0, result.err
    assert "releasing 1.0.1 (--version)" in result.out
    warning = "warning: the labels call for 1.1.0 (minor bump of 1.0.0); --version says 1.0.1"
    assert warning in result.out.splitlines()


def test_a_version_not_above_the_last_release_is_refused(towncrier_project: Repo, cli: Cli) -> None:
    result = cli("-C", str(towncrier_project.path), "notes", "--local", "--version", "1.0.0")
    assert result.code == 2
    assert result.err == (
        "tagship: error: --version 1.0.0 is not above the last release v1.0.0 "
        "(hint: pass a version above 1.0.0)\n"
    )


def test_notes_version_is_for_versions_from_git_tags(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT})
    result = cli("-C", str(repo.path), "notes", "--local", "--version", "1.0.0")
    assert result.code == 2
    assert "--version is for versions that come from git tags" in result.err
    assert "bump it instead" in result.err


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        ("1.2.1.dev3+g0123456789", "1.2.1"),  # between tags of a version from git tags
        ("1.3.0.dev0", "1.3.0"),  # the release a file says the work is towards
        ("1.3.0rc1.dev2", "1.3.0rc1"),
        ("1.1.0", "1.2.1"),  # below the labels' bump: the labels win
    ],
)
def test_a_dev_version_suggests_its_release(project: str, expected: str) -> None:
    notes = build_notes(
        [MergedPull(1, "Fix", "dev", ("release:patch",))],
        RELEASE_LABELS,
        current=Version("1.2.0"),
        since="v1.2.0",
        project_version=Version(project),
    )
    assert notes.next_version == Version(expected)
