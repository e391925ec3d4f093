"""`bump` and `dry-run` refuse a version already taken (tagged here or on origin, or on the
index) before anything is built or uploaded: real git repositories with a bare origin, real
pypiservers, the real hatchling build."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import STATIC_PYPROJECT, git
from release_world import bump, files_on, ok, release_world
from servers import make_sdist, make_wheel, running_pypiserver, twine_upload

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo
    from release_world import World


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with release_world(tmp_path) as made:
        yield made


def _state(repo: Path) -> tuple[str, str]:
    return git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain")


# -- bump ---------------------------------------------------------------------------------------


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """bump asks origin and the index (the tests' environment is offline by default)."""
    monkeypatch.delenv("TAGSHIP_OFFLINE")


def test_bump_refuses_a_version_tagged_here(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    repo.tag("v0.4.23")  # the source lagged behind its last tag
    before = _state(repo.path)
    result = cli("-C", str(repo.path), "bump", "patch", "--commit")
    assert result.code == 1
    assert result.err == (
        "tagship: error: 0.4.23 is taken: tag v0.4.23 already exists "
        "(hint: choose a version not yet released)\n"
    )
    assert _state(repo.path) == before


@pytest.mark.usefixtures("online")
def test_bump_refuses_a_version_tagged_only_on_origin(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    repo.tag("v0.5.0", push=True)
    git(repo.path, "tag", "-d", "v0.5.0")
    result = cli("-C", str(repo.path), "bump", "0.5.0", "--dry-run")
    assert result.code == 1
    assert "0.5.0 is taken: tag v0.5.0 is already on origin" in result.err
    assert result.out == ""


def test_offline_bump_asks_only_the_local_tags(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    repo.tag("v0.5.0", push=True)
    git(repo.path, "tag", "-d", "v0.5.0")
    result = cli("-C", str(repo.path), "bump", "minor", "--dry-run")
    assert result.code == 0, result.err
    assert "note: only local tags were asked whether 0.5.0 is taken (TAGSHIP_OFFLINE)" in (
        result.out
    )


def _with_index(make_repo: MakeRepo, url: str, simple: str) -> Repo:
    table = f'\n[tool.tagship.indexes.here]\nupload-url = "{url}"\nsimple-url = "{simple}"\n'
    return make_repo({"pyproject.toml": STATIC_PYPROJECT + table})


@pytest.mark.usefixtures("online")
def test_bump_refuses_a_version_already_on_the_index(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    with running_pypiserver(tmp_path / "index") as index:
        files = tmp_path / "files"
        files.mkdir()
        twine_upload(
            index,
            make_wheel(files, "sample-pkg", "0.5.0"),
            make_sdist(files, "sample-pkg", "0.5.0"),
        )
        repo = _with_index(make_repo, index.upload_url, index.simple_url)
        before = _state(repo.path)
        taken = cli("-C", str(repo.path), "bump", "minor", "--index", "here", "--commit")
        assert taken.code == 1
        assert "0.5.0 is taken: it is already on here (sample_pkg-0.5.0" in taken.err
        assert taken.err.count("\n") == 1
        assert _state(repo.path) == before
        free = cli("-C", str(repo.path), "bump", "patch", "--index", "here", "--commit")
        assert free.code == 0, free.err
        assert "bumped 0.4.22 -> 0.4.23" in free.out


# -- dry-run ------------------------------------------------------------------------------------


def test_a_dry_run_of_a_tagged_version_builds_and_uploads_nothing(world: World, cli: Cli) -> None:
    # the sample's source says 0.1.0, and v0.1.0 is tagged already
    result = cli("-C", world.path, "dry-run", "--checks", "local")
    assert result.code == 1
    assert "[failed] version is new: tag v0.1.0 already exists" in result.out
    assert "gate 'version is new' is closed: tag v0.1.0 already exists" in result.err
    assert result.err.count("\n") == 1
    assert files_on(world.test_index) == {}
    assert not (world.sample.work / "dist").exists()


def test_a_dry_run_refuses_a_tag_only_on_origin(world: World, cli: Cli) -> None:
    bump(world, cli)
    git(world.sample.work, "tag", "v0.2.0")
    git(world.sample.work, "push", "--quiet", "origin", "refs/tags/v0.2.0")
    git(world.sample.work, "tag", "-d", "v0.2.0")
    result = cli("-C", world.path, "dry-run", "--checks", "local")
    assert result.code == 1
    assert "tag v0.2.0 is already on origin" in result.err
    assert files_on(world.test_index) == {}


def test_a_version_another_commit_put_on_the_test_index_is_refused(world: World, cli: Cli) -> None:
    bump(world, cli)
    ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    uploaded = files_on(world.test_index)
    (world.sample.work / "NOTES.txt").write_text("a later change\n")
    git(world.sample.work, "add", "NOTES.txt")
    git(world.sample.work, "commit", "--quiet", "-m", "later")
    git(world.sample.work, "push", "--quiet", "origin", "main")
    result = cli("-C", world.path, "dry-run", "--checks", "local")
    assert result.code == 1
    assert "0.2.0 is already on testpypi (demo_pkg-0.2.0" in result.err
    assert "from another commit: bump the version" in result.err
    assert files_on(world.test_index) == uploaded


def test_a_rerun_of_the_same_commit_passes(world: World, cli: Cli) -> None:
    bump(world, cli)
    ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    rerun = ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    assert "[passed] version is new: 0.2.0 is on testpypi, record " in rerun.out
    assert "0 uploaded, 2 already there" in rerun.out


def test_an_interrupted_upload_is_finished_by_the_rerun(world: World, cli: Cli) -> None:
    """The upload stopped after the sdist (no ledger record): the files there are this
    commit's, as the build directory's manifest says, so the rerun finishes the upload."""
    bump(world, cli)
    ok(cli("-C", world.path, "build"))
    [sdist] = (world.sample.work / "dist").glob("*.tar.gz")
    twine_upload(world.test_index, sdist)
    result = ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    assert "only this commit's files from dist/ are there: a rerun finishes it" in result.out
    assert "1 uploaded, 1 already there" in result.out
