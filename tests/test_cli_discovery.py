"""pyproject.toml found from any subdirectory when -C is not given, as uv and ruff find theirs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.discover import project_directory

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from conftest import Cli, MakeRepo

BUILD = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'


def _member(name: str) -> str:
    return f'{BUILD}[project]\nname = "{name}"\nversion = "0.1.0"\n'


def test_from_a_nested_source_directory(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo()
    nested = repo.write("src/sample_pkg/__init__.py", "").parent
    monkeypatch.chdir(nested)
    result = cli("version", "--tag")
    assert (result.code, result.out) == (0, "v0.4.22\n"), result.err
    status = cli("status")
    assert status.code == 0, status.err
    assert "project\tsample-pkg" in status.out


def test_in_a_repository_of_several_the_package_you_are_in(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
            "libs/a/pyproject.toml": _member("a"),
            "libs/b/pyproject.toml": _member("b"),
            "libs/b/src/b/__init__.py": "",
            "docs/index.md": "# docs\n",
        }
    )
    monkeypatch.chdir(repo.path / "libs" / "b" / "src" / "b")
    assert cli("version", "--tag").out == "b-v0.1.0\n"
    # outside every package, at the root's level: every package is in view, as at the root
    monkeypatch.chdir(repo.path / "docs")
    packages = cli("packages")
    assert packages.code == 0, packages.err
    assert packages.out.splitlines()[2:-1] == ["a\tlibs/a", "b\tlibs/b"]


def test_never_above_the_repository(tmp_path: Path, make_repo: MakeRepo) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'stray'\n")
    repo = make_repo({"README.md": "no project here\n"})
    inner = repo.write("src/x/y.py", "").parent
    assert project_directory(inner) == inner  # the stray file above the work tree is ignored
    assert project_directory(repo.path) == repo.path


def test_an_explicit_directory_is_taken_as_given(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo()
    nested = repo.write("src/sample_pkg/__init__.py", "").parent
    monkeypatch.chdir(repo.path)
    result = cli("-C", str(nested), "version")
    assert result.code == 2
    assert f"no pyproject.toml at {nested / 'pyproject.toml'}" in result.err
