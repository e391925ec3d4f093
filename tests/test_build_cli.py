"""`tagship build` end to end: real git repositories, real backends, and the ways it refuses."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tarfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from buildkit import README_MD, SAMPLES
from conftest import git
from tagship.adapters.build.build_tree import RETIRE_SECONDS
from tagship.adapters.build.builder import find_uv, select_builder
from tagship.core.errors import ConfigError, GateError
from tagship.core.manifest import MANIFEST_NAME

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo

pytestmark = pytest.mark.integration

HATCH_FILES = {".gitignore": "dist/\n", **SAMPLES["hatchling"][0]}
WHEEL = "sample_hatch-0.1.0-py3-none-any.whl"
SDIST = "sample_hatch-0.1.0.tar.gz"


def _hatch(make_repo: MakeRepo, **changes: str) -> Repo:
    return make_repo({**HATCH_FILES, **changes})


def _manifest(repo: Repo) -> dict[str, object]:
    data: dict[str, object] = json.loads((repo.path / "dist" / MANIFEST_NAME).read_text())
    return data


def test_build_reproducible_then_verify(make_repo: MakeRepo, cli: Cli) -> None:
    repo = _hatch(make_repo)
    result = cli("-C", str(repo.path), "build", "--reproducible")
    assert result.code == 0, result.err
    assert f"wheel\t{WHEEL}" in result.out
    assert "reproducible\tyes" in result.out
    assert "tagship: building sample-hatch 0.1.0 with uv " in result.err  # plain progress lines
    assert _manifest(repo)["commit"] == git(repo.path, "rev-parse", "HEAD")
    assert cli("-C", str(repo.path), "verify-artifacts").code == 0


def test_rebuilding_the_same_version_replaces_its_files(make_repo: MakeRepo, cli: Cli) -> None:
    repo = _hatch(make_repo)
    assert cli("-C", str(repo.path), "build").code == 0
    first = _manifest(repo)
    assert cli("-C", str(repo.path), "build").code == 0
    assert _manifest(repo) == first  # same commit, same bytes


def test_other_versions_in_the_output_directory(make_repo: MakeRepo, cli: Cli) -> None:
    repo = _hatch(make_repo)
    stale = repo.path / "dist" / "sample_hatch-0.0.9.tar.gz"
    stale.parent.mkdir()
    stale.write_bytes(b"old")
    result = cli("-C", str(repo.path), "build")
    assert result.code == 1
    assert "holds files of another version: sample_hatch-0.0.9.tar.gz" in result.err
    assert sorted(p.name for p in stale.parent.iterdir()) == [stale.name]  # untouched
    result = cli("-C", str(repo.path), "build", "--clean")
    assert result.code == 0, result.err
    assert sorted(p.name for p in stale.parent.iterdir()) == sorted([MANIFEST_NAME, WHEEL, SDIST])


def test_files_that_are_not_build_output_are_never_removed(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    repo = _hatch(make_repo)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = cli("-C", str(repo.path), "build", "--clean", "--out", str(out))
    assert result.code == 1
    assert "holds files that are not build output: notes.txt" in result.err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_uncommitted_changes_are_refused(make_repo: MakeRepo, cli: Cli) -> None:
    repo = _hatch(make_repo)
    repo.write("README.md", README_MD + "\nMore.\n")
    result = cli("-C", str(repo.path), "build")
    assert result.code == 1
    assert "uncommitted changes (README.md)" in result.err
    assert not (repo.path / "dist").exists()
    result = cli("-C", str(repo.path), "build", "--allow-dirty")
    assert result.code == 0, result.err
    assert _manifest(repo)["dirty"] is True
    # a trial build is of the work tree as it is
    with tarfile.open(repo.path / "dist" / SDIST) as sdist:
        readme = sdist.extractfile("sample_hatch-0.1.0/README.md")
        assert readme is not None
        assert b"More." in readme.read()


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _members(directory: Path) -> list[str]:
    names: list[str] = []
    for path in directory.iterdir():
        if path.name.endswith(".tar.gz"):
            with tarfile.open(path) as sdist:
                names += sdist.getnames()
        elif path.name.endswith(".whl"):
            with zipfile.ZipFile(path) as wheel:
                names += wheel.namelist()
    return names


def test_a_build_leaves_the_work_tree_as_it_was(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    """setuptools writes egg-info into the tree it builds and packs every module it finds
    there: it builds a checkout of HEAD instead, in the cache."""
    ignored = "dist/\nlocal_*.py\n"
    repo = make_repo({**SAMPLES["setuptools"][0], ".gitignore": ignored})
    repo.write("dist/old.txt", "an earlier build's leftover")
    repo.write("src/sample_setuptools/local_settings.py", "SECRET = 1\n")
    before = _tree(repo.path)
    out = tmp_path / "out"
    result = cli("-C", str(repo.path), "build", "--out", str(out))
    assert result.code == 0, result.err
    assert _tree(repo.path) == before
    assert git(repo.path, "status", "--porcelain") == ""
    # the checkout it built, kept for the next build, is in the cache
    checkout = git(repo.path, "worktree", "list", "--porcelain").split("\n\n")[1]
    assert checkout.startswith(f"worktree {os.environ['XDG_CACHE_HOME']}/tagship/projects/")
    assert "detached" in checkout
    members = _members(out)
    assert any(m.endswith("sample_setuptools/__init__.py") for m in members)
    assert not [m for m in members if "local_settings" in m or "old.txt" in m]


def _checkout(repo: Repo) -> Path:
    listing = git(repo.path, "worktree", "list", "--porcelain").split("\n\n")[1]
    return Path(listing.splitlines()[0].removeprefix("worktree "))


def test_the_checkout_is_reset_for_every_build(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    repo = make_repo(SAMPLES["setuptools"][0])
    repo.write("src/sample_setuptools/old.py", "OLD = 1\n")
    repo.commit("a module")
    assert cli("-C", str(repo.path), "build", "--out", str(tmp_path / "one")).code == 0
    checkout = _checkout(repo)
    (checkout / "src" / "sample_setuptools" / "stray.py").write_text("STRAY = 1\n")
    (repo.path / "src" / "sample_setuptools" / "old.py").unlink()
    repo.write("src/sample_setuptools/new.py", "NEW = 1\n")
    repo.commit("another module")
    result = cli("-C", str(repo.path), "build", "--out", str(tmp_path / "two"))
    assert result.code == 0, result.err
    members = _members(tmp_path / "two")
    assert [m for m in members if m.endswith("sample_setuptools/new.py")]
    assert not [m for m in members if m.endswith(("/old.py", "/stray.py"))]
    shutil.rmtree(checkout)  # a cleared cache: the checkout is made anew
    result = cli("-C", str(repo.path), "build", "--out", str(tmp_path / "three"))
    assert result.code == 0, result.err
    assert _checkout(repo) == checkout


def test_projects_not_built_for_a_month_give_back_their_checkout(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("TAGSHIP_CACHE_DIR", str(cache))
    gone = cache / "projects" / "0123456789abcdef"
    (gone / "tree").mkdir(parents=True)
    (gone / "lock").touch()
    month = time.time() - RETIRE_SECONDS - 60
    os.utime(gone / "lock", (month, month))
    repo = _hatch(make_repo)
    assert cli("-C", str(repo.path), "build").code == 0
    assert [p.parent.name for p in (cache / "projects").glob("*/tree")] == [
        _checkout(repo).parent.name
    ]


def test_a_project_in_a_subdirectory_of_its_repository(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({f"python/{path}": text for path, text in HATCH_FILES.items()})
    result = cli("-C", str(repo.path / "python"), "build")
    assert result.code == 0, result.err
    assert (repo.path / "python" / "dist" / WHEEL).is_file()


def test_missing_backend(make_repo: MakeRepo, cli: Cli) -> None:
    pyproject = HATCH_FILES["pyproject.toml"].replace("hatchling.build", "no_such_backend")
    repo = _hatch(make_repo, **{"pyproject.toml": pyproject})
    result = cli("-C", str(repo.path), "build")
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "tagship: error: the build backend 'no_such_backend' cannot be imported "
        "(Cannot import 'no_such_backend') "
        "(hint: check [build-system] build-backend and requires (and backend-path))"
    )
    assert not (repo.path / "dist").exists()


def test_missing_backend_shows_the_output_of_uv(make_repo: MakeRepo, cli: Cli) -> None:
    pyproject = HATCH_FILES["pyproject.toml"].replace("hatchling.build", "no_such_backend")
    repo = _hatch(make_repo, **{"pyproject.toml": pyproject})
    result = cli("-C", str(repo.path), "build", "--builder", "uv")
    assert result.code == 1
    assert "tagship: error: building sample-hatch failed (uv exited" in result.err
    assert "no_such_backend" in result.err
    assert "\n  | " in result.err  # the backend's last lines, before the error line
    assert not (repo.path / "dist").exists()


def test_failing_backend_shows_its_output(make_repo: MakeRepo, cli: Cli) -> None:
    pyproject = HATCH_FILES["pyproject.toml"] + (
        '\n[tool.hatch.build.targets.wheel]\npackages = "src/not_a_list"\n'
    )
    repo = _hatch(make_repo, **{"pyproject.toml": pyproject})
    result = cli("-C", str(repo.path), "build")
    assert result.code == 1
    assert "building sample-hatch failed" in result.err
    assert "packages` must be an array" in result.err


def test_readme_that_does_not_render(make_repo: MakeRepo, cli: Cli) -> None:
    pyproject = HATCH_FILES["pyproject.toml"].replace("README.md", "README.rst")
    repo = _hatch(
        make_repo,
        **{"pyproject.toml": pyproject, "README.rst": "Title\n=====\n\n`unclosed\n"},
    )
    result = cli("-C", str(repo.path), "build")
    assert result.code == 1
    assert "long description (reStructuredText) does not render" in result.err
    assert f"  FAIL {WHEEL}: METADATA long description" in result.err
    assert f"  FAIL {SDIST}: PKG-INFO long description" in result.err
    assert not (repo.path / "dist").exists()


def test_python_m_build_when_uv_is_not_used(make_repo: MakeRepo, cli: Cli) -> None:
    repo = _hatch(make_repo)
    result = cli("-C", str(repo.path), "build", "--builder", "build")
    assert result.code == 0, result.err
    assert str(_manifest(repo)["builder"]).startswith("build ")
    assert cli("-C", str(repo.path), "verify-artifacts").code == 0


def test_outside_git_is_a_config_error(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "pyproject.toml").write_text(HATCH_FILES["pyproject.toml"])
    result = cli("-C", str(tmp_path), "build")
    assert result.code == 2
    assert "not inside a git repository" in result.err


def test_builder_selection(tmp_path: Path) -> None:
    from tagship.adapters.process import run  # noqa: PLC0415

    bare_bin = tmp_path / "bin"
    bare_bin.mkdir()
    python = str(bare_bin / "python")  # a directory without uv
    assert find_uv({"PATH": str(bare_bin)}, python) is None
    uv = bare_bin / "uv"
    uv.write_text("#!/bin/sh\necho 'uv 9.9.9 (test)'\n")
    uv.chmod(0o755)
    assert find_uv({"PATH": ""}, python) == uv  # found beside the interpreter
    chosen = select_builder("auto", {"PATH": ""}, run, python)
    assert (chosen.name, chosen.version) == ("uv", "uv 9.9.9")
    uv.unlink()
    with pytest.raises(ConfigError, match="uv is not installed"):
        select_builder("uv", {"PATH": str(bare_bin)}, run, python)
    chosen = select_builder("auto", {"PATH": str(bare_bin)}, run, sys.executable)
    assert chosen.name in {"uv", "build"}


def test_no_frontend_at_all(tmp_path: Path) -> None:
    """A Python without uv beside it and without `build`: a gate, not a traceback."""
    from tagship.adapters.process import run  # noqa: PLC0415

    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).ok
    python = str(venv / "bin" / "python")
    with pytest.raises(GateError, match="no build frontend"):
        select_builder("auto", {"PATH": ""}, run, python)
