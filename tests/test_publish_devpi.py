"""Publishing to devpi-server: a non-volatile index that answers PEP 691 JSON and refuses
re-uploads, as PyPI does."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from releases import make_release, write_release
from servers import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import Cli, MakeRepo

pytestmark = pytest.mark.integration
BIN = Path(sys.executable).parent
PASSWORD = "devpi-test-password"  # noqa: S105 - a throwaway test server


def _put_index(url: str) -> None:
    token = base64.b64encode(f"root:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - loopback test server
        f"{url}/root/prod",
        data=json.dumps({"type": "stage", "bases": [], "volatile": False}).encode(),
        method="PUT",
        headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        assert answer.status in (200, 201)


@pytest.fixture(scope="module")
def devpi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A devpi-server (started once: it takes seconds) with a non-volatile index root/prod."""
    serverdir = tmp_path_factory.mktemp("devpi")
    subprocess.run(
        [str(BIN / "devpi-init"), "--serverdir", str(serverdir), "--no-root-pypi",
         "--root-passwd", PASSWORD],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(BIN / "devpi-server"), "--serverdir", str(serverdir), "--host", "127.0.0.1",
         "--port", str(port), "--offline-mode"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/+api", timeout=1):  # noqa: S310
                    break
            except OSError:
                assert process.poll() is None, "devpi-server exited"
                assert time.monotonic() < deadline, "devpi-server did not start in 60 s"
                time.sleep(0.2)
        _put_index(url)
        yield f"{url}/root/prod"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _listing(index: str, project: str) -> dict[str, str]:
    request = urllib.request.Request(  # noqa: S310
        f"{index}/+simple/{project}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        data = json.loads(answer.read())
    return {f["filename"]: f["hashes"]["sha256"] for f in data["files"]}


def test_publish_rerun_and_conflict_on_devpi(
    devpi: str, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TAGSHIP_INDEX_LOCAL_USERNAME", "root")
    monkeypatch.setenv("TAGSHIP_INDEX_LOCAL_PASSWORD", PASSWORD)
    release = make_release(make_repo, f"{devpi}/", f"{devpi}/+simple/", name="dv-pkg")
    path = str(release.repo.path)
    first = cli("-C", path, "publish", "--to", "local")
    assert first.code == 0, first.err
    assert first.out.count("uploaded: ") == 2
    expected = {f.name: f.sha256 for f in release.manifest.files}
    assert _listing(devpi, "dv-pkg") == expected
    second = cli("-C", path, "publish", "--to", "local")
    assert (second.code, second.out.count("already-there: ")) == (0, 2)
    assert cli("-C", path, "wait", "--index", "local", "--timeout", "10").code == 0
    # same version, other bytes: refused before anything is sent
    other = write_release(tmp_path / "other", "dv-pkg", "1.0.0", payload="# changed\n")
    for entry in other.files:
        (release.dist / entry.name).write_bytes((tmp_path / "other" / entry.name).read_bytes())
    (release.dist / "tagship-manifest.json").write_text(
        (tmp_path / "other" / "tagship-manifest.json").read_text()
    )
    conflict = cli("-C", path, "publish", "--to", "local")
    assert conflict.code == 4
    assert "already on local with other bytes" in conflict.err
    assert _listing(devpi, "dv-pkg") == expected
    digest = hashlib.sha256((release.dist / other.sdist.name).read_bytes()).hexdigest()
    assert digest == other.sdist.sha256


def test_wrong_password_is_a_clear_error(
    devpi: str, make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGSHIP_INDEX_LOCAL_USERNAME", "root")
    monkeypatch.setenv("TAGSHIP_INDEX_LOCAL_PASSWORD", "not-the-password-4711")
    release = make_release(make_repo, f"{devpi}/", f"{devpi}/+simple/", name="dv-auth")
    result = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert result.code == 3
    assert "refused the credentials" in result.err
    assert "TAGSHIP_INDEX_LOCAL_PASSWORD" in result.err
    assert "4711" not in result.err + result.out
