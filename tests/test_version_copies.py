"""Copies of the version that `bump` does not update are named, not silently left behind: a
bumpversion / bump-my-version `current_version`, a C `#define ...VERSION "X.Y.Z"`, Sphinx's
`release =` in `docs/conf.py`. A warning (exit 0), with `--dry-run` too; listed in
`version-files`, they are bumped and no longer named. Real git repositories, the real CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core.pyproject import loads

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "copies"
version = "1.2.3"
description = "Carries its version in many places"

[tool.bumpversion]
current_version = "1.2.3"
"""
FILES = {
    "src/copies/__init__.py": '"""Copies."""\n',
    ".bumpversion.cfg": "[bumpversion]\ncurrent_version = 1.2.3\ncommit = True\n",
    "setup.cfg": "[metadata]\nname = copies\n\n[bumpversion]\ncurrent_version = 1.2.3\n",
    "docs/conf.py": 'project = "copies"\nversion = "1.2"\nrelease = "1.2.3"\n',
    "src/copies/copies.h": (
        "#ifndef COPIES_H\n"
        '#  define COPIES_VERSION "1.2.3"\n'
        '#define ZLIB_VERSION "1.3.1"\n'  # a vendored library's own version
        '#define COPIES_NAME "1.2.3"\n'  # not a version macro
        "#endif\n"
    ),
}


def _warning(where: str) -> str:
    return (
        f"warning: also holds the old version 1.2.3, not changed: {where} "
        "(add it to version-files to bump it)"
    )


def _warnings(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("warning:")]


def _repo(make_repo: MakeRepo, extra: str = "") -> Repo:
    return make_repo({"pyproject.toml": PYPROJECT + extra, **FILES})


EXPECTED = [
    _warning(".bumpversion.cfg:2"),
    _warning("setup.cfg:5"),
    _warning("pyproject.toml:11"),
    _warning("docs/conf.py:3"),
    _warning("src/copies/copies.h:2"),
]


def test_bump_names_every_copy_it_leaves(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo)
    # an untracked build tree holds copies of its own: not named
    repo.write("build/copies.h", '#define COPIES_VERSION "1.2.3"\n')
    before = {p: (repo.path / p).read_text() for p in FILES}
    dry = cli("-C", str(repo.path), "bump", "patch", "--dry-run")
    assert dry.code == 0, dry.err
    assert _warnings(dry.out) == EXPECTED
    result = cli("-C", str(repo.path), "bump", "patch", "--commit")
    assert result.code == 0, result.err
    assert result.out.startswith("bumped 1.2.3 -> 1.2.4 in pyproject.toml [project].version\n")
    assert _warnings(result.out) == EXPECTED
    # warned, not changed: only what bump owns moved
    assert {p: (repo.path / p).read_text() for p in FILES} == before
    assert loads((repo.path / "pyproject.toml").read_text())["project"]["version"] == "1.2.4"


def test_listed_in_version_files_they_are_bumped(cli: Cli, make_repo: MakeRepo) -> None:
    listed = (
        '\n[tool.tagship]\nversion-files = [".bumpversion.cfg", "setup.cfg", "pyproject.toml",'
        ' "src/copies/copies.h",\n  { path = "docs/conf.py", pattern = '
        '\'release = "(?P<version>[^"]+)"\' }]\n'
    )
    repo = _repo(make_repo, listed)
    result = cli("-C", str(repo.path), "bump", "minor")
    assert result.code == 0, result.err
    assert _warnings(result.out) == []
    assert "current_version = 1.3.0\n" in (repo.path / ".bumpversion.cfg").read_text()
    assert 'release = "1.3.0"' in (repo.path / "docs/conf.py").read_text()
    assert 'version = "1.2"' in (repo.path / "docs/conf.py").read_text()  # Sphinx's X.Y
    assert '#  define COPIES_VERSION "1.3.0"' in (repo.path / "src/copies/copies.h").read_text()
    pyproject = loads((repo.path / "pyproject.toml").read_text())
    assert pyproject["tool"]["bumpversion"]["current_version"] == "1.3.0"


def test_nothing_to_name_says_nothing(cli: Cli, make_repo: MakeRepo) -> None:
    head = PYPROJECT.split("\n[tool.bumpversion]", maxsplit=1)[0] + "\n"
    repo = make_repo(
        {
            "pyproject.toml": head,
            "src/copies/__init__.py": '"""Copies."""\n',
            "docs/conf.py": 'release = "1.0.0"\n',  # another version: not a copy
            "src/copies/other.h": '#define COPIES_VERSION "1.2.3.1"\n',
        }
    )
    result = cli("-C", str(repo.path), "bump", "patch")
    assert result.code == 0, result.err
    assert _warnings(result.out) == []
