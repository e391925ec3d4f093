"""`tagship verify-install`: a clean venv, the exact version from the index, real installers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from releases import make_release
from servers import PypiServer, make_wheel, running_pypiserver
from tagship.steps.verify_install import top_level_modules, wheel_record

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, MakeRepo

pytestmark = pytest.mark.integration


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "packages") as server:
        yield server


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_published_release_installs_and_matches_the_manifest(
    index: PypiServer, make_repo: MakeRepo, cli: Cli, installer: str
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="inst-pkg")
    path = str(release.repo.path)
    assert cli("-C", path, "publish", "--to", "local").code == 0
    result = cli(
        "-C",
        path,
        "--set",
        "smoke-command=python -c 'import inst_pkg; assert inst_pkg.VERSION == \"1.0.0\"'",
        "verify-install",
        "--index",
        "local",
        "--installer",
        installer,
    )
    assert result.code == 0, result.err + result.out
    for check in ("install", "installed wheel", "files match RECORD", "import", "smoke command"):
        assert f"{check}\tok" in result.out
    assert release.manifest.wheels[0].sha256[:16] in result.out


def test_a_release_missing_from_the_index_fails_at_install(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="absent-pkg")
    result = cli("-C", str(release.repo.path), "verify-install", "--index", "local")
    assert result.code == 1
    assert "verify-install failed at install" in result.err
    assert "install\tFAILED" in result.out


def test_other_bytes_on_the_index_fail_the_hash_check(
    index: PypiServer, make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="swap-pkg")
    other = make_wheel(tmp_path / "other", "swap-pkg", "1.0.0", payload="EVIL = 1\n")
    (index.directory / other.name).write_bytes(other.read_bytes())
    result = cli("-C", str(release.repo.path), "verify-install", "--index", "local")
    assert result.code == 1
    assert "verify-install failed at install" in result.err


def test_a_failing_smoke_command(index: PypiServer, make_repo: MakeRepo, cli: Cli) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="smoke-pkg")
    path = str(release.repo.path)
    assert cli("-C", path, "publish", "--to", "local").code == 0
    result = cli(
        "-C",
        path,
        "--set",
        "smoke-command=python -c 'raise SystemExit(3)'",
        "verify-install",
        "--index",
        "local",
    )
    assert result.code == 1
    assert "verify-install failed at smoke command" in result.err


def test_top_level_modules_of_a_wheel(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "My-Pkg", "2.0")
    assert top_level_modules(wheel_record(wheel)) == ["my_pkg"]
    record = [
        ("a/__init__.py", "x"),
        ("b.py", "x"),
        ("c.cpython-311-x86_64-linux-gnu.so", "x"),
        ("d-1.0.data/scripts/tool", "x"),
        ("d-1.0.dist-info/METADATA", "x"),
        ("__pycache__/b.cpython-311.pyc", "x"),
    ]
    assert top_level_modules(record) == ["a", "b", "c"]


def test_installed_code_sees_no_credential_and_no_other_index(
    index: PypiServer, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="secret-pkg")
    path = str(release.repo.path)
    assert cli("-C", path, "publish", "--to", "local").code == 0
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_not_for_packages")
    monkeypatch.setenv("TAGSHIP_INDEX_LOCAL_PASSWORD", "pw-not-for-packages")
    smoke = "smoke-command=sh -c 'test -z \"$GITHUB_TOKEN$TAGSHIP_INDEX_LOCAL_PASSWORD\"'"
    result = cli("-C", path, "--set", smoke, "verify-install", "--index", "local")
    assert result.code == 0, result.out + result.err
    assert "smoke command\tok" in result.out


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_find_links_in_the_environment_cannot_stand_in_for_the_index(
    index: PypiServer,
    make_repo: MakeRepo,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    installer: str,
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="local-only")
    monkeypatch.setenv("UV_FIND_LINKS", str(release.dist))
    monkeypatch.setenv("PIP_FIND_LINKS", str(release.dist))
    result = cli(
        "-C", str(release.repo.path), "verify-install", "--index", "local", "--installer", installer
    )
    assert result.code == 1
    assert "verify-install failed at install" in result.err


def test_a_wheel_missing_from_the_build_directory_is_an_integrity_error(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url, name="gone-pkg")
    (release.dist / release.manifest.wheels[0].name).unlink()
    result = cli("-C", str(release.repo.path), "verify-install", "--index", "local")
    assert result.code == 4
    assert "missing from" in result.err
