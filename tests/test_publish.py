"""`tagship publish`, `wait` and their gates against a real pypiserver."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pytest

from releases import make_release, write_release
from servers import PypiServer, running_pypiserver, twine_upload
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import read_ledger

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, MakeRepo

pytestmark = pytest.mark.integration


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "packages") as server:
        yield server


def _on_disk(server: PypiServer) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in server.directory.iterdir()
        if p.is_file()
    }


def test_publish_then_rerun_skips_everything(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    first = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert first.code == 0, first.err
    assert first.out.count("uploaded: ") == 2
    expected = {f.name: f.sha256 for f in release.manifest.files}
    assert _on_disk(index) == expected
    second = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert second.code == 0, second.err
    assert second.out.count("already-there: ") == 2
    assert "uploaded: " not in second.out
    assert "the ledger already records this publish" in second.out
    assert _on_disk(index) == expected
    waited = cli("-C", str(release.repo.path), "wait", "--index", "local", "--timeout", "5")
    assert waited.code == 0, waited.err
    assert "shows all 2 files" in waited.out
    records = read_ledger(Git(release.repo.path)).records
    # the rerun uploaded nothing: the first record stands alone
    assert [r.event.kind for r in records] == ["publish", "wait"]
    assert {f.name: f.sha256 for f in records[0].event.files} == expected
    assert records[0].event.details[release.manifest.sdist.name] == "uploaded"
    assert not records[0].actor.is_ci


def test_a_file_with_other_bytes_on_the_index_stops_everything(
    index: PypiServer, make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    impostor = write_release(tmp_path / "other", "pub-pkg", "1.0.0", payload="# other bytes\n")
    wheel = impostor.wheels[0]
    twine_upload(index, tmp_path / "other" / wheel.name)
    result = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert result.code == 4
    assert wheel.name in result.err
    assert wheel.sha256 in result.err
    assert release.manifest.file(wheel.name) is not None
    assert _on_disk(index) == {wheel.name: wheel.sha256}  # the sdist was not sent either


def test_official_indexes_refuse_uploads_outside_ci(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    # the built-in entries moved to a local index in the committed file stay official
    moved = "".join(
        f'[tool.tagship.indexes.{name}]\nupload-url = "{index.upload_url}"\n'
        f'simple-url = "{index.simple_url}"\n'
        for name in ("pypi", "testpypi")
    )
    release = make_release(make_repo, index.upload_url, index.simple_url, extra=moved)
    for name in ("pypi", "testpypi"):
        result = cli("-C", str(release.repo.path), "publish", "--to", name)
        assert result.code == 1
        assert f"publishing to {name} (an official index) is only allowed from GitHub Actions" in (
            result.err
        )
    assert _on_disk(index) == {}


def test_a_file_changed_after_the_manifest_is_refused(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    sdist = release.dist / release.manifest.sdist.name
    sdist.write_bytes(sdist.read_bytes() + b"\0")
    result = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert result.code == 4
    assert release.manifest.sdist.name in result.err
    assert _on_disk(index) == {}


def test_missing_manifest_unknown_index_and_insecure_url(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    path = str(release.repo.path)
    assert cli("-C", path, "publish", "--to", "nowhere").code == 2
    (release.dist / "tagship-manifest.json").unlink()
    missing = cli("-C", path, "publish", "--to", "local")
    assert (missing.code, "has no tagship-manifest.json" in missing.err) == (1, True)
    write_release(release.dist, "pub-pkg", "1.0.0")
    insecure = cli(
        "-C",
        path,
        "--set",
        "indexes.local.upload-url=http://example.com/",
        "publish",
        "--to",
        "local",
    )
    assert insecure.code == 2
    assert "refusing insecure URL http://example.com/" in insecure.err


def test_index_unreachable_is_a_service_error(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "2")
    monkeypatch.setenv("TAGSHIP_HTTP_BACKOFF", "0")
    release = make_release(make_repo, "http://127.0.0.1:9/", "http://127.0.0.1:9/simple/")
    result = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert result.code == 3
    assert "failed after 2 attempts" in result.err
    assert len(result.err.splitlines()) == 1


def test_wait_times_out_with_a_clear_error(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    result = cli("-C", str(release.repo.path), "wait", "--index", "local", "--timeout", "0.2")
    assert result.code == 3
    assert "still does not show" in result.err
    assert release.manifest.sdist.name in result.err


def test_bad_http_settings_are_config_errors(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "zero")
    release = make_release(make_repo, "http://127.0.0.1:9/", "http://127.0.0.1:9/simple/")
    result = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert result.code == 2
    assert "TAGSHIP_HTTP_ATTEMPTS='zero'" in result.err


def test_pypi_by_address_stays_official_whatever_the_config_says(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGSHIP_INDEX_PYPI_TOKEN", "pypi-not-a-token")
    mine = (
        '[tool.tagship.indexes.mine]\nupload-url = "https://upload.pypi.org/legacy/"\n'
        'simple-url = "https://pypi.org/simple/"\nofficial = false\n'
    )
    release = make_release(
        make_repo, "http://127.0.0.1:9/", "http://127.0.0.1:9/simple/", extra=mine
    )
    path = str(release.repo.path)
    # --set cannot lower `official` (exit 2); the committed file cannot either (exit 1)
    declared_local = cli(
        "-C", path, "--set", "indexes.pypi.official=false", "publish", "--to", "pypi"
    )
    assert declared_local.code == 2
    assert "pypi is declared official and stays so" in declared_local.err
    renamed = cli("-C", path, "publish", "--to", "mine")
    assert renamed.code == 1
    assert "publishing to mine (an official index)" in renamed.err


def test_a_pypiserver_with_fallback_takes_a_new_project(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    # pypiserver's default redirects projects it lacks to pypi.org: that means "not here yet"
    with running_pypiserver(tmp_path / "fallback", fallback=True) as server:
        release = make_release(make_repo, server.upload_url, server.simple_url)
        result = cli("-C", str(release.repo.path), "publish", "--to", "local")
        assert result.code == 0, result.err
        assert result.out.count("uploaded: ") == 2
        waited = cli("-C", str(release.repo.path), "wait", "--index", "local", "--timeout", "5")
        assert waited.code == 0, waited.err


def test_a_file_instead_of_a_build_directory_is_a_usage_error(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    result = cli(
        "-C", str(release.repo.path), "publish", "--to", "local", "--dir", "pyproject.toml"
    )
    assert result.code == 2
    assert "is not a directory" in result.err
