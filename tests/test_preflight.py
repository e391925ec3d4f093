"""`tagship preflight` and the preflight inside `publish`, against stand-ins that speak the
real protocols: a JSON simple API (PEP 691, with PEP 792's `project-status` and PEP 700's
sizes and upload times) with an upload endpoint, and a real pypiserver. Every refusal is
caught before the first byte is uploaded."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug import Response

from releases import make_release, pyproject, seal
from servers import PypiServer, make_wheel, running_pypiserver, twine_upload
from tagship.adapters.index import JSON_TYPE

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytest_httpserver import HTTPServer
    from werkzeug import Request

    from conftest import Cli, MakeRepo
    from releases import Release

WHEEL = "pub_pkg-1.0.0-py3-none-any.whl"


def _entry(filename: str, *, days: float, size: int = 100, sha: str = "0" * 64) -> dict[str, Any]:
    when = datetime.now(timezone.utc) - timedelta(days=days)
    return {
        "filename": filename,
        "url": f"/files/{filename}",
        "hashes": {"sha256": sha},
        "size": size,
        "upload-time": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "yanked": False,
    }


def _stand_in(
    httpserver: HTTPServer, files: list[dict[str, Any]], status: str | None = None
) -> list[str]:
    """PyPI's JSON simple page of pub-pkg, and an upload endpoint that logs what reaches it."""
    page: dict[str, Any] = {"meta": {"api-version": "1.4"}, "name": "pub-pkg", "files": files}
    if status is not None:
        page["project-status"] = {"status": status}
    httpserver.expect_request("/simple/pub-pkg/").respond_with_data(
        json.dumps(page), content_type=JSON_TYPE
    )
    uploads: list[str] = []

    def upload(request: Request) -> Response:
        uploads.append(request.method)
        return Response("ok")

    httpserver.expect_request("/legacy/").respond_with_handler(upload)
    return uploads


def _release(make_repo: MakeRepo, httpserver: HTTPServer, **kw: str) -> Release:
    return make_release(
        make_repo, httpserver.url_for("/legacy/"), httpserver.url_for("/simple/"), **kw
    )


OFFICIAL = ("--set", "indexes.local.official=true")  # PyPI's own rules bind there


def test_publish_refuses_an_archived_project_and_uploads_nothing(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli
) -> None:
    # archived, and 1.0.0 has had a file on the index for 30 days
    uploads = _stand_in(
        httpserver, [_entry("pub_pkg-1.0.0-cp312-cp312-win_amd64.whl", days=30)], "archived"
    )
    release = _release(make_repo, httpserver)
    where = ("-C", str(release.repo.path))
    result = cli(*where, "publish", "--to", "local")
    assert result.code == 1, result.err
    assert "would refuse pub-pkg 1.0.0 (1 refusal)" in result.err
    assert "project status: pub-pkg on local is archived and takes no uploads" in result.err
    assert "Traceback" not in result.err
    assert "14-day window" not in result.err  # PyPI's rule: not this index's
    assert uploads == []  # not one byte
    # where PyPI's rules bind, the 14-day window refuses too: every refusal at once
    both = cli(*where, *OFFICIAL, "preflight", "--index", "local")
    assert both.code == 1
    assert "would refuse pub-pkg 1.0.0 (2 refusals)" in both.err
    assert "  14-day window: 1.0.0 was first uploaded to local on" in both.err
    assert uploads == []


def test_preflight_command_passes_warns_and_refuses(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli
) -> None:
    uploads = _stand_in(httpserver, [_entry("pub_pkg-0.9.0.tar.gz", days=400)], "deprecated")
    release = _release(make_repo, httpserver)
    where = ("-C", str(release.repo.path))
    passed = cli(*where, "preflight", "--index", "local")
    assert passed.code == 0, passed.err
    assert "[warning] project status: pub-pkg on local is deprecated" in passed.out
    assert "[passed] preflight: pub-pkg is deprecated on local; 2 files pass" in passed.out
    document = json.loads(cli(*where, "preflight", "--index", "local", "--format", "json").out)
    assert document["ok"] is True
    assert document["status"] == "deprecated"
    assert [f["severity"] for f in document["findings"]] == ["warning"]
    # publish shows the warnings too (in CI they are all there is), then uploads
    published = cli(*where, "publish", "--to", "local")
    assert published.code == 0, published.err
    assert "tagship: warning: project status: pub-pkg on local is deprecated" in published.err
    assert uploads == ["POST", "POST"]
    # the project nearly full: the files would take it past 10 GB
    httpserver.clear_all_handlers()
    full = _entry("pub_pkg-0.9.0.tar.gz", days=400, size=10 * 1024**3 - 10)
    uploads = _stand_in(httpserver, [full], "quarantined")
    refused = cli(*where, *OFFICIAL, "preflight", "--index", "local")
    assert refused.code == 1
    limits = "https://docs.pypi.org/project-management/storage-limits"
    first, status, size = refused.err.splitlines()[:3]
    assert first == "tagship: error: local would refuse pub-pkg 1.0.0 (2 refusals):"
    assert status == (
        "  project status: pub-pkg on local is quarantined and takes no uploads from a Trusted "
        "Publisher: the index's admins lift a quarantine: answer their notice to the owners"
    )
    assert size.startswith(
        "  project size: pub-pkg would hold 10.0 GB on local, over PyPI's 10.0 GB limit per "
        "project: delete old releases, or request a project size limit increase "
        f"({limits}#requesting-a-project-size-limit-increase)"
    )
    assert "[failed]" not in refused.out  # each refusal once, in the error
    assert uploads == []


def _sdist_with(directory: Path, metadata: str) -> None:
    stem = "pub_pkg-1.0.0"
    with tarfile.open(directory / f"{stem}.tar.gz", "w:gz") as archive:
        for path, text in {
            f"{stem}/PKG-INFO": metadata,
            f"{stem}/pyproject.toml": '[project]\nname = "pub-pkg"\nversion = "1.0.0"\n',
        }.items():
            member = tarfile.TarInfo(path)
            member.size = len(text.encode())
            archive.addfile(member, io.BytesIO(text.encode()))


def test_archive_rules_verify_does_not_cover(
    httpserver: HTTPServer, make_repo: MakeRepo, cli: Cli
) -> None:
    _stand_in(httpserver, [])
    upload, simple = httpserver.url_for("/legacy/"), httpserver.url_for("/simple/")
    repo = make_repo({"pyproject.toml": pyproject("pub-pkg", "1.0.0", upload, simple)})
    dist = repo.path / "dist"
    make_wheel(dist, "pub-pkg", "1.0.0")
    _sdist_with(
        dist,
        "Metadata-Version: 2.4\nName: pub-pkg\nVersion: 1.0.0\nSummary: test\n"
        "Classifier: Programming Language :: Python :: 3\n"
        "Classifier: Framework :: Not A Framework\n"
        "Classifier: Natural Language :: Ukranian\n"
        "License-Expression: MIT\nLicense-File: LICENSE\n\nA test.\n",
    )
    seal(dist, "pub-pkg", "1.0.0")
    result = cli("-C", str(repo.path), *OFFICIAL, "preflight", "--index", "local")
    assert result.code == 1
    lines = [x for x in result.err.splitlines() if x.startswith("  archive rules")]
    assert len(lines) == 3, result.out
    assert "'Framework :: Not A Framework', which PyPI does not know" in lines[0]
    assert "deprecated classifier 'Natural Language :: Ukranian'" in lines[1]
    assert "use 'Natural Language :: Ukrainian'" in lines[1]
    assert "License-File 'LICENSE', which is not in the archive" in lines[2]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "packages") as server:
        yield server


def test_a_second_sdist_of_the_version_on_a_real_index_uploads_nothing(
    index: PypiServer, make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    """pypiserver speaks PEP 503 HTML: no status, sizes or times, but the names are there."""
    release = make_release(make_repo, index.upload_url, index.simple_url)
    other = tmp_path / "other"
    other.mkdir()
    legacy = other / "pub-pkg-1.0.0.tar.gz"  # an old spelling, uploaded by hand
    legacy.write_bytes((release.dist / release.manifest.sdist.name).read_bytes())
    twine_upload(index, legacy)
    where = ("-C", str(release.repo.path))
    # pypiserver itself would take it: a warning; PyPI would not
    warned = cli(*where, "preflight", "--index", "local")
    assert warned.code == 0, warned.err
    assert "[warning] one sdist: 1.0.0 already has the sdist pub-pkg-1.0.0.tar.gz" in warned.out
    result = cli(*where, *OFFICIAL, "preflight", "--index", "local")
    assert result.code == 1, result.err
    assert "one sdist: 1.0.0 already has the sdist pub-pkg-1.0.0.tar.gz on local" in result.err
    assert sorted(p.name for p in index.directory.iterdir()) == [legacy.name]
    # the same bytes under the release's own names are a resume, as before
    (index.directory / legacy.name).unlink()
    assert cli(*where, "publish", "--to", "local").code == 0
    rerun = cli(*where, *OFFICIAL, "preflight", "--index", "local")
    assert rerun.code == 0, rerun.err
    assert "(2 already there with the same bytes: a resume)" in rerun.out
