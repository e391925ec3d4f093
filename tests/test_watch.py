"""`tagship watch`: the ledger's releases against a JSON simple API stand-in (PEP 691 with
PEP 792 `project-status`, PEP 592 `yanked`, PEP 740 `provenance`, as warehouse writes them)
and a GitHub stand-in; the clean case is a real release to real local indexes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug import Response

import github_payloads as gh
from conftest import STATIC_PYPROJECT, git
from release_world import ok, release_world, tagged_in_ci
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import append_event, read_ledger
from tagship.core.ledger import Event, FileEntry

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytest_httpserver import HTTPServer
    from werkzeug import Request

    from conftest import Cli, MakeRepo, Repo
    from release_world import World

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
WHEEL, SDIST = "sample_pkg-1.0.0-py3-none-any.whl", "sample_pkg-1.0.0.tar.gz"
HASHES = {WHEEL: "aa" * 32, SDIST: "bb" * 32}


class JsonIndex:
    """A PEP 691 project page on `server`, as warehouse's `_simple_detail` writes it;
    `files` and `status` can change between requests."""

    def __init__(self, server: HTTPServer, project: str) -> None:
        self.url = server.url_for("/simple/")
        self.project = project
        self.status: dict[str, str] | None = {"status": "active"}
        self.api = "1.4"
        self.files: list[dict[str, Any]] = []
        server.expect_request(f"/simple/{project}/").respond_with_handler(self._page)

    def list(self, hashes: dict[str, str], *, provenance: bool = True) -> None:
        self.files = [
            {
                "filename": name,
                "url": f"../../files/{name}",
                "hashes": {"sha256": sha256},
                "yanked": False,
                "provenance": f"../../integrity/{name}/provenance" if provenance else None,
            }
            for name, sha256 in hashes.items()
        ]

    def file(self, name: str) -> dict[str, Any]:
        return next(f for f in self.files if f["filename"] == name)

    def _page(self, _: Request) -> Response:
        meta = {"api-version": self.api, "_last-serial": 1}
        body: dict[str, Any] = {"meta": meta, "name": self.project}
        if self.status is not None:
            body["project-status"] = self.status
        page = {**body, "versions": ["1.0.0"], "files": self.files}
        return Response(json.dumps(page), 200, content_type=JSON_TYPE)


def _ledger(repo: Repo, *events: Event) -> None:
    for event in events:
        append_event(Git(repo.path), event, {})


def _publish(index: str = "pypi", version: str = "1.0.0") -> Event:
    files = tuple(FileEntry(n.replace("1.0.0", version), 1, h) for n, h in HASHES.items())
    tag = f"v{version}"
    return Event("publish", "sample-pkg", version, tag=tag, index=index, files=files)


@pytest.fixture
def repo(make_repo: MakeRepo, httpserver: HTTPServer) -> Repo:
    simple = httpserver.url_for("/simple/")
    indexes = (
        f'[tool.tagship.indexes.pypi]\nupload-url = "{httpserver.url_for("/legacy/")}"\n'
        f'simple-url = "{simple}"\n'
    )
    return make_repo({"pyproject.toml": STATIC_PYPROJECT + "\n" + indexes})


def test_archive_yank_missing_attestation_and_changed_hash_are_drift(
    repo: Repo, httpserver: HTTPServer, cli: Cli
) -> None:
    _ledger(repo, _publish())
    index = JsonIndex(httpserver, "sample-pkg")
    index.list({WHEEL: HASHES[WHEEL], SDIST: "cc" * 32})
    index.status = {"status": "archived", "reason": "moved to new-pkg"}
    index.file(WHEEL).update(yanked="broken import", provenance=None)
    result = cli("-C", str(repo.path), "watch")
    assert result.code == 1, result.err
    drift = [line for line in result.out.splitlines() if line.startswith("drift: ")]
    assert drift == [
        "drift: pypi (project): the project is archived on pypi (moved to new-pkg)",
        f"drift: pypi 1.0.0: {WHEEL} is yanked: broken import (no yank is recorded)",
        f"drift: pypi 1.0.0: {WHEEL} has no attestation (PEP 740 provenance)",
        f"drift: pypi 1.0.0: {SDIST} has sha256 {'cc' * 32}, the ledger records {'bb' * 32}",
    ]
    assert len(result.err.splitlines()) == 1
    assert "watch found 4 drifts" in result.err


def test_a_quarantined_project_is_its_status_and_its_withheld_files(
    repo: Repo, httpserver: HTTPServer, cli: Cli
) -> None:
    # warehouse states the status and lists none of a quarantined project's files
    _ledger(repo, _publish())
    index = JsonIndex(httpserver, "sample-pkg")
    index.status = {"status": "quarantined"}
    result = cli("-C", str(repo.path), "watch")
    assert result.code == 1
    assert [line for line in result.out.splitlines() if line.startswith("drift: ")] == [
        "drift: pypi (project): the project is quarantined on pypi",
        "drift: pypi 1.0.0: none of its 2 recorded files is listed (quarantined or deleted)",
    ]


def test_a_quarantined_release_is_files_the_index_no_longer_lists(
    repo: Repo, httpserver: HTTPServer, cli: Cli
) -> None:
    # warehouse leaves a quarantined release's files out of the page; 1.1.0 is still there
    _ledger(repo, _publish(version="1.0.0"), _publish(version="1.1.0"))
    index = JsonIndex(httpserver, "sample-pkg")
    index.list({n.replace("1.0.0", "1.1.0"): h for n, h in HASHES.items()})
    result = cli("-C", str(repo.path), "watch", "--format", "json")
    assert result.code == 1
    document = json.loads(result.out)
    assert document["ok"] is False
    assert document["findings"] == [
        {
            "kind": "not-listed",
            "where": "pypi",
            "version": "1.0.0",
            "detail": "none of its 2 recorded files is listed (quarantined or deleted)",
        }
    ]
    assert [r["version"] for r in document["releases"]] == ["1.0.0", "1.1.0"]


def test_a_recorded_yank_dry_runs_and_other_indexes_are_no_drift(
    repo: Repo, httpserver: HTTPServer, cli: Cli
) -> None:
    dry_run = Event("dry-run", "sample-pkg", "1.0.0", tag="v1.0.0", index="testpypi")
    yank = Event("yank", "sample-pkg", "1.0.0", index="pypi", result="observed")
    _ledger(repo, _publish("testpypi"), dry_run, _publish(), yank)
    index = JsonIndex(httpserver, "sample-pkg")
    index.list(HASHES)
    index.file(WHEEL)["yanked"] = "recorded, so expected"
    index.file(SDIST)["yanked"] = True
    result = cli("-C", str(repo.path), "watch")
    assert result.code == 0, result.out + result.err
    assert "watch of sample-pkg: 1 release on the indexes; no drift" in result.out
    # the GitHub side is skipped, and says so, only when the ledger records GitHub Releases
    assert "GitHub" not in result.out


def test_an_index_older_than_provenance_and_status_is_no_drift(
    repo: Repo, httpserver: HTTPServer, cli: Cli
) -> None:
    # what the PyPI mirror reachable here serves: simple API 1.1, no provenance, no status
    _ledger(repo, _publish())
    index = JsonIndex(httpserver, "sample-pkg")
    index.api, index.status = "1.1", None
    index.list(HASHES, provenance=False)
    result = cli("-C", str(repo.path), "watch")
    assert result.code == 0, result.out + result.err
    assert "note: pypi states no project status (PEP 792 needs simple API 1.4: 1.1)" in result.out
    assert "note: pypi lists no attestations (PEP 740 needs simple API 1.3: 1.1)" in result.out


def test_github_releases_gone_or_back_to_draft(repo: Repo, github: HTTPServer, cli: Cli) -> None:
    releases = [
        Event("github-release", "sample-pkg", v, tag=f"v{v}") for v in ("1.0.0", "1.1.0", "1.2.0")
    ]
    _ledger(repo, *releases)
    github.expect_request(f"/repos/{gh.FULL}/releases").respond_with_json(
        [gh.release(3, "v1.2.0"), gh.release(1, "v1.0.0", draft=True)]
    )
    result = cli("-C", str(repo.path), "watch")
    assert result.code == 1
    assert "drift: github 1.0.0: the release of v1.0.0 is a draft again" in result.out
    assert "drift: github 1.1.0: the release of v1.1.0 is gone" in result.out
    assert "v1.2.0" not in result.out
    assert "3 GitHub Releases" in result.out


def test_without_a_token_the_github_check_is_skipped_visibly(
    repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.FULL)
    _ledger(repo, Event("github-release", "sample-pkg", "1.0.0", tag="v1.0.0"))
    result = cli("-C", str(repo.path), "watch")
    assert result.code == 0
    assert "note: GitHub Releases not checked: no GitHub token (set GITHUB_TOKEN or GH_TOKEN)" in (
        result.out
    )
    assert "note: the ledger records no release of sample-pkg to watch" in result.out


def test_an_unknown_index_or_an_unreachable_one_is_one_line(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = "http://127.0.0.1:9/simple/"
    pypi = f'[tool.tagship.indexes.pypi]\nupload-url = "{dead}"\nsimple-url = "{dead}"\n'
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT + "\n" + pypi})
    _ledger(repo, _publish())
    unknown = cli("-C", str(repo.path), "watch", "--index", "nope")
    assert unknown.code == 2
    assert "unknown index 'nope'" in unknown.err
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "1")
    unreachable = cli("-C", str(repo.path), "watch")
    assert unreachable.code == 3
    assert len(unreachable.err.splitlines()) == 1
    assert "127.0.0.1:9" in unreachable.err


def test_each_package_of_several_is_watched(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli
) -> None:
    simple = httpserver.url_for("/simple/")
    root = (
        '[tool.tagship]\npackages = ["libs/*"]\n'
        f'[tool.tagship.indexes.pypi]\nupload-url = "{simple}"\nsimple-url = "{simple}"\n'
    )
    members = {
        f"libs/{n}/pyproject.toml": f'[project]\nname = "{n}"\nversion = "1.0.0"\n' for n in "ab"
    }
    repo = make_repo({"pyproject.toml": root, **members})
    files = {n: {f"{n}-1.0.0.tar.gz": c * 64} for n, c in (("a", "a"), ("b", "b"))}
    _ledger(
        repo,
        *(
            Event("publish", n, "1.0.0", tag=f"{n}-v1.0.0", index="pypi",
                  files=tuple(FileEntry(f, 1, h) for f, h in files[n].items()))
            for n in "ab"
        ),
    )  # fmt: skip
    JsonIndex(httpserver, "a").list(files["a"])
    JsonIndex(httpserver, "b").list({"b-1.0.0.tar.gz": "c" * 64})
    result = cli("-C", str(repo.path), "watch", "--format", "json")
    assert result.code == 1, result.err
    reports = {p["project"]: p for p in json.loads(result.out)["packages"]}
    assert reports["a"]["findings"] == []
    assert [f["kind"] for f in reports["b"]["findings"]] == ["hash-differs"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with release_world(tmp_path) as made:
        yield made


@pytest.mark.integration
def test_a_real_release_is_watched_clean_then_drifts(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    tagged_in_ci(world, cli, monkeypatch)
    ok(cli("-C", world.path, "release"))
    # the real pypiserver the release went to: same files, same hashes (it speaks HTML only)
    clean = ok(cli("-C", world.path, "watch"))
    assert "watch of demo-pkg: 1 release on the indexes; no drift" in clean.out
    assert "note: pypi states no project status (PEP 792 needs simple API 1.4: HTML)" in clean.out
    # the same ledger against a JSON index that lost the wheel's attestation
    records = read_ledger(Git(world.sample.work)).records
    published = next(
        r.event for r in records if r.event.kind == "publish" and r.event.index == "pypi"
    )
    index = JsonIndex(httpserver, "demo-pkg")
    index.list({f.name: f.sha256 for f in published.files})
    wheel = next(f.name for f in published.files if f.name.endswith(".whl"))
    index.file(wheel)["provenance"] = None
    via = ("--set", f"indexes.pypi.simple-url={index.url}", "--set", "indexes.pypi.official=true")
    drifted = cli("-C", world.path, *via, "watch", "--index", "pypi")
    assert drifted.code == 1, drifted.err
    assert f"drift: pypi 0.2.0: {wheel} has no attestation (PEP 740 provenance)" in drifted.out
    # the watch changed nothing in the repository
    assert git(world.sample.work, "status", "--porcelain") == ""


def test_report_with_watch_draws_the_drift_beside_the_release(
    repo: Repo, httpserver: HTTPServer, cli: Cli
) -> None:
    _ledger(repo, _publish())
    index = JsonIndex(httpserver, "sample-pkg")
    index.list({WHEEL: HASHES[WHEEL], SDIST: "cc" * 32})
    drawn = cli("-C", str(repo.path), "report", "--watch", "--format", "json")
    assert drawn.code == 0, drawn.err
    document = json.loads(drawn.out)
    changed = f"{SDIST} has sha256 {'cc' * 32}, the ledger records {'bb' * 32}"
    assert document["drift"] == [
        {"project": "sample-pkg", "version": "1.0.0", "where": "pypi", "message": changed}
    ]
    [row] = document["versions"]
    assert row["cells"]["pypi"]["drift"] == [changed]
    page = (repo.path / "tagship-report.html").read_text()
    assert "the ledger records" in page
    # without --watch the page is the ledger's alone: the index is not asked
    plain = cli("-C", str(repo.path), "report", "--format", "json")
    assert json.loads(plain.out)["drift"] == []
