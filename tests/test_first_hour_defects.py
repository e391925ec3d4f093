"""Small defects a newcomer met in the first hour (issue 26), each as it was met: `notes`
without a token, a suggested version that was already released, a wheel's dependencies
counted with those only its extras add, and `1 polls`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from buildkit import rewrite_wheel
from conftest import git
from releases import make_release, seal
from servers import running_pypiserver
from tagship.core.requires import split_requires
from tagship.core.words import plural

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo

PYPROJECT = '[project]\nname = "p"\nversion = "0.1.0"\n'


def test_notes_without_a_token_points_at_local(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    result = cli("-C", str(repo.path), "notes")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert result.err.startswith("tagship: error: tagship notes needs a GitHub token")
    assert "(hint: or run `tagship notes --local`" in result.err


def test_a_version_tagged_outside_the_history_is_not_suggested_again(
    cli: Cli, make_repo: MakeRepo
) -> None:
    """0.1.0 was tagged on a release branch never merged back: the notes of main start at
    the first commit, and the next version is past 0.1.0, not 0.1.0 again."""
    repo = make_repo({"pyproject.toml": PYPROJECT})
    git(repo.path, "checkout", "--quiet", "-b", "release")
    repo.write("fix.txt", "fix\n")
    repo.commit("A fix on the release branch")
    repo.tag("v0.1.0")
    git(repo.path, "checkout", "--quiet", "main")
    repo.write("x.txt", "x\n")
    repo.commit("Add x (#1)\n\nRelease-Label: release:minor")
    result = cli("-C", str(repo.path), "notes", "--local")
    assert result.code == 0, result.err
    assert (
        "suggested next version: 0.2.0 (minor bump of 0.1.0, tagged already but not in this "
        "history)"
    ) in result.out
    git(repo.path, "tag", "-d", "v0.1.0")  # never released: it is the first release
    first = cli("-C", str(repo.path), "notes", "--local")
    assert "suggested next version: 0.1.0 (the first release)" in first.out


@pytest.mark.integration
def test_dependencies_only_in_extras_are_not_counted_as_installed(
    cli: Cli, make_repo: MakeRepo, tmp_path: Path
) -> None:
    with running_pypiserver(tmp_path / "index") as index:
        release = make_release(make_repo, index.upload_url, index.simple_url, name="extras-pkg")
        wanted = b'Requires-Dist: rich>=13; extra == "cli"\nRequires-Dist: click; extra == "cli"\n'
        (wheel,) = release.dist.glob("*.whl")
        rewrite_wheel(
            wheel,
            lambda name, data: (
                data.replace(b"Summary:", wanted + b"Summary:")
                if name.endswith("/METADATA")
                else data
            ),
            fix_record=True,
        )
        seal(release.dist, "extras-pkg", "1.0.0")
        path = str(release.repo.path)
        assert cli("-C", path, "publish", "--to", "local").code == 0
        result = cli("-C", path, "verify-install", "--index", "local")
    assert result.code == 0, result.err
    assert (
        "dependencies\tok\tnone but in extras; 2 only with the extra cli (not installed)"
    ) in result.out


def test_split_requires() -> None:
    found = split_requires(
        ["a>=1", "b; python_version < '3.11'", "c; extra == 'x'", 'd ; extra=="y" and os_name']
    )
    assert found.unconditional == ("a>=1", "b; python_version < '3.11'")
    assert found.in_extras == ("c; extra == 'x'", 'd ; extra=="y" and os_name')
    assert found.extras == ("x", "y")
    assert found.describe("2 from URL") == (
        "2 from URL; 2 only with the extras x, y (not installed)"
    )
    assert split_requires(["a"]).describe("1 from URL") == "1 from URL"


def test_plural() -> None:
    assert [plural(n, "poll") for n in (0, 1, 2)] == ["0 polls", "1 poll", "2 polls"]
    assert plural(1, "file matches", "files match") == "1 file matches"
    assert plural(3, "file matches", "files match") == "3 files match"
