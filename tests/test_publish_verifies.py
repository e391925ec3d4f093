"""`tagship publish` verifies before it uploads, in bounded memory: decompression bombs are
refused by what they declare, large files are streamed (peak memory measured on a real
subprocess), hex digests compare in any case, a publish outside a git repository says that
nothing was recorded, and a rerun that uploads nothing adds no second ledger record."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from hostile_dists import (
    SDIST,
    STEM,
    WHEEL,
    deflated,
    gzip_bomb,
    record_line,
    seal,
    stored,
    wheel_members,
    write_sdist,
    write_wheel,
    write_zip,
    zeros_bomb,
)
from releases import make_release, pyproject, write_release
from servers import PypiServer, running_pypiserver, twine_upload
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import read_ledger
from tagship.core.errors import IntegrityError
from tagship.core.manifest import MANIFEST_NAME
from tagship.steps.build.artifacts import CheckedUpload, DistFile, hash_file, manifest_entry

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

pytestmark = pytest.mark.integration
PEAK_LIMIT_MIB = 200
# runs a command and reports its exit code and the peak memory of it and its children
_PROBE = """\
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
sys.stderr.write(done.stderr)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "packages") as server:
        yield server


def _project(make_repo: MakeRepo, server: PypiServer) -> Repo:
    return make_repo(
        {"pyproject.toml": pyproject("pub-pkg", "1.0.0", server.upload_url, server.simple_url)}
    )


def _publish_measured(project: Path) -> tuple[int, float, str]:
    """`python -m tagship publish` in its own process: exit code, peak RSS in MiB, stderr."""
    command = [sys.executable, "-m", "tagship", "-C", str(project), "publish", "--to", "local"]
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *command],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    code, peak_kib = done.stdout.split()
    return int(code), int(peak_kib) / 1024, done.stderr


def _on_index(server: PypiServer) -> dict[str, str]:
    return {p.name: hash_file(p).sha256 for p in server.directory.iterdir() if p.is_file()}


def _wheel_bomb(dist: Path) -> None:
    # 3 GiB of zeros in a wheel of about 3 MB, as it was really deflated
    members = [deflated(n, d) for n, d in wheel_members()]
    write_zip(dist / WHEEL, [*members, zeros_bomb("pub_pkg/zeros.bin", 3 << 10)])
    write_sdist(dist)


def _sdist_bomb(dist: Path) -> None:
    write_wheel(dist)
    gzip_bomb(dist / SDIST, f"{STEM}/zeros.bin", 3 << 10)


def _sdist_ratio_bomb(dist: Path) -> None:
    # under the size limit per member, far over the ratio: refused before it is skipped
    write_wheel(dist)
    gzip_bomb(dist / SDIST, f"{STEM}/zeros.bin", 3 << 9)


BOMBS = {
    "wheel-3-gib-member": (_wheel_bomb, "'pub_pkg/zeros.bin' declares 3.0 GiB uncompressed"),
    "sdist-3-gib-member": (_sdist_bomb, f"'{STEM}/zeros.bin' declares 3.0 GiB"),
    "sdist-1.5-gib-zeros": (_sdist_ratio_bomb, "it unpacks to more than"),
}


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_decompression_bomb_is_refused_in_bounded_memory(
    bomb: str, index: PypiServer, make_repo: MakeRepo
) -> None:
    build, says = BOMBS[bomb]
    repo = _project(make_repo, index)
    build(repo.path / "dist")
    seal(repo.path / "dist")
    code, peak, err = _publish_measured(repo.path)
    assert code == 1, err
    assert says in err
    assert "Traceback" not in err
    assert peak < PEAK_LIMIT_MIB, f"peak memory {peak:.0f} MiB"
    assert _on_index(index) == {}


def test_a_file_larger_than_the_memory_limit_is_streamed(
    index: PypiServer, make_repo: MakeRepo
) -> None:
    repo = _project(make_repo, index)
    dist = repo.path / "dist"
    blob = bytes(256 << 20)  # stored, not deflated: a ratio of 1, as real data files have
    members = [*wheel_members()[:-1], ("pub_pkg/data.bin", blob)]
    rows = [record_line(n, d) for n, d in members] + [f"{STEM}.dist-info/RECORD,,"]
    record = (f"{STEM}.dist-info/RECORD", ("\n".join(rows) + "\n").encode())
    write_zip(dist / WHEEL, [stored(n, d) for n, d in [*members, record]])
    del blob, members
    write_sdist(dist)
    manifest = seal(dist)
    code, peak, err = _publish_measured(repo.path)
    assert code == 0, err
    assert peak < PEAK_LIMIT_MIB, f"peak memory {peak:.0f} MiB"
    assert _on_index(index) == {f.name: f.sha256 for f in manifest.files}


def test_digests_in_upper_case_are_the_same_digests(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    path = release.dist / MANIFEST_NAME
    data = json.loads(path.read_text())
    for entry in data["files"]:
        entry["sha256"], entry["blake2b_256"] = (
            entry["sha256"].upper(),
            entry["blake2b_256"].upper(),
        )
    path.write_text(json.dumps(data))
    first = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert first.code == 0, first.err
    assert first.out.count("uploaded: ") == 2
    # the index answers in lower case: the same files, no conflict
    again = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert again.code == 0, again.err
    assert again.out.count("already-there: ") == 2


def _static_page(httpserver: HTTPServer, digests: dict[str, str]) -> str:
    """A static PEP 503 project page (an index may be plain files) giving `digests`."""
    links = "".join(f'<a href="/files/{n}#sha256={d}">{n}</a>\n' for n, d in digests.items())
    httpserver.expect_request("/simple/pub-pkg/").respond_with_data(
        f"<!DOCTYPE html><html><body>{links}</body></html>", content_type="text/html"
    )
    return httpserver.url_for("/simple/")


def test_an_index_giving_upper_case_digests(
    index: PypiServer, httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    path = str(release.repo.path)
    upper = {f.name: f.sha256.upper() for f in release.manifest.files}
    simple = _static_page(httpserver, upper)
    same = cli(
        "-C", path, "--set", f"indexes.local.simple-url={simple}", "publish", "--to", "local"
    )
    assert same.code == 0, same.err
    assert same.out.count("already-there: ") == 2
    assert _on_index(index) == {}


def test_an_index_giving_another_digest_in_upper_case_is_a_conflict(
    index: PypiServer, httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    other = {release.manifest.sdist.name: "AB" * 32}
    simple = _static_page(httpserver, other)
    path = str(release.repo.path)
    result = cli(
        "-C", path, "--set", f"indexes.local.simple-url={simple}", "publish", "--to", "local"
    )
    assert result.code == 4
    assert f"index sha256 {'ab' * 32}" in result.err
    assert _on_index(index) == {}


def test_outside_a_git_repository_nothing_is_recorded_and_it_says_so(
    index: PypiServer, tmp_path: Path, cli: Cli
) -> None:
    project = tmp_path / "unpacked"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        pyproject("pub-pkg", "1.0.0", index.upload_url, index.simple_url)
    )
    manifest = write_release(project / "dist", "pub-pkg", "1.0.0")
    result = cli("-C", str(project), "publish", "--to", "local")
    assert result.code == 0, result.err
    warning = (
        f"tagship: warning: nothing was recorded in the ledger: {project} is not inside a git "
        "repository, so no audit will find this publish"
    )
    shown = [ln for ln in result.err.splitlines() if not ln.startswith("tagship: uploading ")]
    assert shown == [warning]
    assert "nothing recorded in the ledger (not a git repository)" in result.out
    assert _on_index(index) == {f.name: f.sha256 for f in manifest.files}


@pytest.mark.parametrize("ci", [False, True], ids=["locally", "in-github-actions"])
def test_outside_a_git_repository_an_official_index_is_refused(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, ci: bool
) -> None:
    if ci:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
    project = tmp_path / "unpacked"
    project.mkdir()
    official = "[tool.tagship.indexes.local]\nofficial = true\n"
    (project / "pyproject.toml").write_text(
        pyproject("pub-pkg", "1.0.0", "http://127.0.0.1:9/", "http://127.0.0.1:9/simple/").replace(
            "[tool.tagship.indexes.local]\n", official
        )
    )
    write_release(project / "dist", "pub-pkg", "1.0.0")
    result = cli("-C", str(project), "publish", "--to", "local")
    assert result.code == 1, result.err
    says = "needs the project's git repository" if ci else "only allowed from GitHub Actions"
    assert says in result.err
    # one line for people; a `::error` line is the runner's annotation of the job
    assert len([ln for ln in result.err.splitlines() if not ln.startswith("::")]) == 1


def _publish_records(repo: Repo) -> int:
    return sum(r.event.kind == "publish" for r in read_ledger(Git(repo.path)).records)


def test_a_rerun_that_uploads_nothing_adds_no_record(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    path = str(release.repo.path)
    for _ in range(3):
        assert cli("-C", path, "publish", "--to", "local").code == 0
    assert _publish_records(release.repo) == 1


def test_files_already_there_without_a_record_are_recorded_once(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    # uploaded by other means (or the record was lost): the first publish records them
    release = make_release(make_repo, index.upload_url, index.simple_url)
    twine_upload(index, *(release.dist / f.name for f in release.manifest.files))
    path = str(release.repo.path)
    first = cli("-C", path, "publish", "--to", "local")
    assert first.code == 0, first.err
    assert first.out.count("already-there: ") == 2
    assert _publish_records(release.repo) == 1
    assert cli("-C", path, "publish", "--to", "local").code == 0
    assert _publish_records(release.repo) == 1


def _read_all(body: CheckedUpload) -> bytes:
    return b"".join(iter(lambda: body.read(1024), b""))


def test_an_upload_body_stops_when_the_file_changed(tmp_path: Path) -> None:
    path = tmp_path / "pub_pkg-1.0.0.tar.gz"
    path.write_bytes(b"x" * 3000)
    entry = manifest_entry(DistFile(path, "sdist"))
    with path.open("rb") as handle:
        body = CheckedUpload(handle, entry)
        assert _read_all(body) == b"x" * 3000
        body.seek(0)  # a retried upload reads it again from the start
        assert _read_all(body) == b"x" * 3000
        with pytest.raises(io.UnsupportedOperation):
            body.seek(10)
    path.write_bytes(b"y" * 3000)  # same size, other bytes: found at the end
    with path.open("rb") as handle:
        body = CheckedUpload(handle, entry)
        with pytest.raises(IntegrityError, match="changed while it was being uploaded"):
            _read_all(body)
    path.write_bytes(b"x" * 5000)  # grown: stopped as soon as it passes the size
    with path.open("rb") as handle:
        body = CheckedUpload(handle, entry)
        with pytest.raises(IntegrityError, match="changed while it was being uploaded"):
            body.read(4096)
