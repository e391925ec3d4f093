"""Promotion: the release on the tag publishes the bytes the dry run proved, fetched from the
test index it published them to; every way they could be other bytes is refused before
anything is published. Real git repositories, real pypiservers, real builds; a test index that
lies is a pytest-httpserver serving the page it is told to."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from conftest import CHARMOS
from release_world import as_ci, bump, files_on, ok, release_world, tagged_in_ci
from tagship.adapters.git import Git
from tagship.adapters.http import Http
from tagship.adapters.index import INTEGRITY_TYPE, JSON_TYPE
from tagship.adapters.ledger_store import read_ledger
from tagship.core.config import Config
from tagship.core.errors import GateError, IntegrityError
from tagship.core.manifest import Manifest, ManifestFile, Promotion
from tagship.core.release_plan import release_steps
from tagship.steps.build.rebuild_check import verdict
from tagship.steps.build.reproduce import Difference
from tagship.steps.publish.promote import promote, promoted_summary
from tagship.workspace import open_workspace
from test_audit_provenance import provenance_document
from test_release_plan import _declared as declared
from test_release_plan import _run_steps as run_steps

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_httpserver import HTTPServer

    from conftest import Cli, CliResult, MakeRepo
    from release_world import World
    from tagship.core.config import ReleaseArtifacts
    from tagship.core.ledger import Record

pytestmark = pytest.mark.integration
SDIST, WHEEL = "demo_pkg-0.2.0.tar.gz", "demo_pkg-0.2.0-py3-none-any.whl"
PROMOTE = "[failed] promote the dry run's files"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with release_world(tmp_path) as made:
        yield made


def _on_the_tag(world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dry run and tag of 0.2.0, then the tag's job, which starts from a fresh checkout."""
    tagged_in_ci(world, cli, monkeypatch)
    shutil.rmtree(world.sample.work / "dist")


def _records(world: World, kind: str) -> list[Record]:
    return [r for r in read_ledger(Git(world.sample.work)).records if r.event.kind == kind]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _refused(world: World, result: CliResult, code: int) -> None:
    """Stopped with `code` in one line, and nothing reached production."""
    assert result.code == code, result.out + result.err
    # one line for people; a `::error` line is the runner's annotation of the job
    assert len([ln for ln in result.err.splitlines() if not ln.startswith("::")]) == 1
    assert files_on(world.prod_index) == {}


def _serve(
    httpserver: HTTPServer,
    files: dict[str, tuple[bytes, str]],
    provenance: dict[str, bytes] | None = None,
    status: int = 200,
) -> tuple[str, str]:
    """A test index's PEP 691 page of demo-pkg: each file served as the bytes given, with the
    SHA-256 given on the page (and a provenance document where given)."""
    entries: list[dict[str, Any]] = []
    for name, (data, sha256) in files.items():
        entry: dict[str, Any] = {"filename": name, "url": f"/files/{name}"}
        entry["hashes"] = {"sha256": sha256} if sha256 else {}
        httpserver.expect_request(f"/files/{name}").respond_with_data(data, status=status)
        if provenance and name in provenance:
            entry["provenance"] = f"/integrity/{name}/provenance"
            httpserver.expect_request(entry["provenance"]).respond_with_data(
                provenance[name], content_type=INTEGRITY_TYPE
            )
        entries.append(entry)
    page = json.dumps({"meta": {"api-version": "1.1"}, "name": "demo-pkg", "files": entries})
    httpserver.expect_request("/simple/demo-pkg/").respond_with_data(page, content_type=JSON_TYPE)
    return "--set", f"indexes.testpypi.simple-url={httpserver.url_for('/simple/')}"


def _proven(world: World) -> dict[str, bytes]:
    return {name: (world.test_index.directory / name).read_bytes() for name in (SDIST, WHEEL)}


def test_a_tampered_file_on_the_test_index_is_refused_naming_both_hashes(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on_the_tag(world, cli, monkeypatch)
    sdist = world.test_index.directory / SDIST
    recorded = _sha(sdist.read_bytes())
    sdist.write_bytes(sdist.read_bytes() + b"not what the dry run proved")
    result = cli("-C", world.path, "release")
    _refused(world, result, 4)
    dry = _records(world, "dry-run")[-1].seq
    assert (
        f"{SDIST} on testpypi is not the file the dry run proved: testpypi sha256 "
        f"{_sha(sdist.read_bytes())}, dry run record {dry} sha256 {recorded}: nothing was "
        "published" in result.err
    )
    assert PROMOTE in result.out


def test_a_file_gone_from_the_test_index_is_refused(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on_the_tag(world, cli, monkeypatch)
    (world.test_index.directory / WHEEL).unlink()
    result = cli("-C", world.path, "release")
    _refused(world, result, 4)
    assert f"{WHEEL} is not on testpypi any more" in result.err


def test_an_index_whose_page_lies_is_caught_by_the_bytes(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    _on_the_tag(world, cli, monkeypatch)
    proven = _proven(world)
    other = bytes(len(proven[WHEEL]))  # as long as the wheel, other bytes
    lying = _serve(httpserver, {WHEEL: (other, _sha(proven[WHEEL])), SDIST: (proven[SDIST], "")})
    result = cli("-C", world.path, *lying, "release")
    _refused(world, result, 4)
    assert f"testpypi sha256 {_sha(other)}, dry run record" in result.err
    httpserver.clear_all_handlers()
    longer = proven[SDIST] + b"tail"
    sdist = {SDIST: (longer, _sha(proven[SDIST])), WHEEL: (proven[WHEEL], _sha(proven[WHEEL]))}
    result = cli("-C", world.path, *_serve(httpserver, sdist), "release")
    _refused(world, result, 4)
    assert f"testpypi sha256 (more than the recorded {len(proven[SDIST])} bytes)" in result.err
    # no half-fetched file, and no manifest that would let anything be published
    dist = world.sample.work / "dist"
    assert sorted(p.name for p in dist.iterdir()) == [WHEEL]


def test_an_unreachable_test_index_exits_3_and_a_rerun_finishes(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    _on_the_tag(world, cli, monkeypatch)
    monkeypatch.setenv("TAGSHIP_HTTP_ATTEMPTS", "1")
    down = ("--set", "indexes.testpypi.simple-url=http://127.0.0.1:9/simple/")
    _refused(world, cli("-C", world.path, *down, "release"), 3)
    proven = _proven(world)
    failing = _serve(httpserver, {n: (b"", _sha(d)) for n, d in proven.items()}, status=503)
    result = cli("-C", world.path, *failing, "release")
    _refused(world, result, 3)
    assert "answered HTTP 503" in result.err
    back = ok(cli("-C", world.path, "release", "--no-rebuild-check"))  # the index is back
    assert files_on(world.prod_index) == files_on(world.test_index)
    assert "[skipped] rebuild cross-check: not run (--no-rebuild-check)" in back.out
    assert _records(world, "publish")[-1].event.details["rebuild-check"] == "not run"


def test_a_dry_run_made_to_another_url_or_index_does_not_count(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    bump(world, cli)
    test = world.test_index
    stage = (
        "--set",
        f"indexes.stage.upload-url={test.upload_url}",
        "--set",
        f"indexes.stage.simple-url={test.simple_url}",
    )
    ok(cli("-C", world.path, *stage, "dry-run", "--index", "stage", "--checks", "local"))
    # the tag gate asks the same question, so the tag is made where stage is configured
    assert cli("-C", world.path, "tag", "--checks", "local").code == 1
    ok(cli("-C", world.path, *stage, "tag", "--checks", "local"))
    as_ci(world, monkeypatch, "v0.2.0")
    # the index it was made to is no longer configured
    gone = cli("-C", world.path, "release")
    _refused(world, gone, 1)
    assert f"was made to stage at {test.upload_url}, but stage is now not configured" in gone.err
    # configured again, at another upload URL: the dry run was not made there
    moved = ("--set", "indexes.stage.upload-url=http://127.0.0.1:1/moved/")
    elsewhere = cli("-C", world.path, *stage, *moved, "release")
    _refused(world, elsewhere, 1)
    assert "but stage is now http://127.0.0.1:1/moved/" in elsewhere.err
    ok(cli("-C", world.path, *stage, "release"))
    assert files_on(world.prod_index) == files_on(test)


def test_without_a_dry_run_nothing_is_promoted(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bump(world, cli)
    workspace = open_workspace(world.sample.work, env=dict(os.environ))
    with Http() as http, pytest.raises(GateError, match=r"no successful dry run of 0\.2\.0 is"):
        promote(workspace, tmp_path / "dist", workspace.config.index("pypi"), http=http)
    assert not (tmp_path / "dist").exists()
    # a dry run made by hand does not count for an official production index
    ok(cli("-C", world.path, "dry-run", "--checks", "local"))
    ok(cli("-C", world.path, "tag", "--checks", "local"))
    as_ci(world, monkeypatch, "v0.2.0")
    prod = world.prod_index
    official = (
        *("--set", f"indexes.real.upload-url={prod.upload_url}"),
        *("--set", f"indexes.real.simple-url={prod.simple_url}"),
        *("--set", "indexes.real.official=true"),
    )
    result = cli("-C", world.path, *official, "promote", "--index", "real")
    _refused(world, result, 1)
    assert "no successful dry run from CI of 0.2.0" in result.err


def test_provenance_from_another_repository_is_refused(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    _on_the_tag(world, cli, monkeypatch)
    proven = _proven(world)
    foreign = {n: provenance_document(n, "someone/else", "publish-testpypi.yml") for n in proven}
    page = {n: (data, _sha(data)) for n, data in proven.items()}
    result = cli("-C", world.path, *_serve(httpserver, page, foreign), "release")
    _refused(world, result, 4)
    assert (
        "does not hold: attested by someone/else (workflow publish-testpypi.yml), expected "
        "demo/demo-pkg (workflow publish-testpypi.yml)" in result.err
    )


def test_provenance_of_this_repositorys_dry_run_is_verified(
    world: World, cli: Cli, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    _on_the_tag(world, cli, monkeypatch)
    proven = _proven(world)
    own = {n: provenance_document(n, "demo/demo-pkg", "publish-testpypi.yml") for n in proven}
    page = {n: (data, _sha(data)) for n, data in proven.items()}
    _, simple = _serve(httpserver, page, own)
    workspace = open_workspace(world.sample.work, env=dict(os.environ), overrides=(simple,))
    asked: list[tuple[str, str, str]] = []

    def verify(_: object, expected: object, name: str, sha256: str) -> None:
        asked.append((str(expected), name, sha256))

    out = world.sample.work / "dist"
    with Http() as http:
        done = promote(workspace, out, workspace.config.index("pypi"), http=http, verify=verify)
    publisher = "demo/demo-pkg (workflow publish-testpypi.yml)"
    assert sorted(asked) == sorted((publisher, n, _sha(d)) for n, d in proven.items())
    assert f"PEP 740 provenance of 2 files verified ({publisher})" in promoted_summary(done)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name in proven} == proven


def test_rebuild_check_needs_promoted_files(world: World, cli: Cli) -> None:
    bump(world, cli)
    ok(cli("-C", world.path, "build"))
    result = cli("-C", world.path, "rebuild-check")
    assert result.code == 2
    assert "holds a build, not promoted files" in result.err


@pytest.mark.parametrize("backend", ["hatchling", "setuptools", "pdm-backend"])
def test_each_backend_releases_the_bytes_its_dry_run_proved(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    with release_world(tmp_path, backend) as world:
        _on_the_tag(world, cli, monkeypatch)
        released = ok(cli("-C", world.path, "release"))
        on_test = files_on(world.test_index)
        assert len(on_test) == 2
        assert files_on(world.prod_index) == on_test
        dry, publish = _records(world, "dry-run")[-1], _records(world, "publish")[-1]
        assert {(f.name, f.sha256) for f in dry.event.files} == set(on_test.items())
        assert publish.event.details["promoted-from"] == str(dry.seq)
        verdict = publish.event.details["rebuild-check"]
        if backend == "hatchling":
            assert verdict == "byte-identical"
            assert f"[passed] rebuild cross-check: {verdict}" in released.out
        else:  # the sdist holds the time of the build: no rebuild can be identical, none is run
            assert verdict.startswith("not run: ")
            assert "has the same bytes (rebuild-check = true runs it anyway)" in verdict
            assert f"[skipped] rebuild cross-check: {verdict}" in released.out


def test_release_artifacts_is_promote_or_rebuild(world: World, cli: Cli) -> None:
    result = cli("-C", world.path, "--set", "release-artifacts=copy", "config")
    assert result.code == 2
    assert 'must be "promote" or "rebuild"' in result.err
    base = Config(pyproject=Path("pyproject.toml"))
    assert base.release_artifacts == "promote"
    cases: list[tuple[ReleaseArtifacts, bool | None, bool]] = [
        ("promote", None, False),  # promoting, the rebuild is a cross-check
        ("promote", True, True),
        ("rebuild", None, True),  # rebuilding, it must be the dry run's bytes
        ("rebuild", False, False),
    ]
    for artifacts, written, required in cases:
        config = replace(base, release_artifacts=artifacts, require_identical_rebuild=written)
        assert config.identical_rebuild_required is required


def test_a_promoted_manifest_names_its_dry_run_and_reads_back() -> None:
    files = (
        ManifestFile(WHEEL, "wheel", 1, "a" * 64, "b" * 64),
        ManifestFile(SDIST, "sdist", 1, "c" * 64, "d" * 64),
    )
    built = Manifest(
        project="demo-pkg",
        version="0.2.0",
        tag="v0.2.0",
        commit="e" * 40,
        dirty=False,
        source_date_epoch=0,
        builder="uv",
        build_backend="hatchling.build",
        backend_version="hatchling 1",
        files=files,
    )
    assert "promotion" not in built.to_json()  # a build's manifest is as it always was
    promoted = replace(built, promotion=Promotion(7, "testpypi", "byte-identical"))
    assert Manifest.from_json(promoted.to_json(), "m") == promoted
    data = json.loads(promoted.to_json())
    malformed: list[object] = [{"dry_run_record": "7", "index": "t"}, {"dry_run_record": -1}, []]
    for bad in malformed:
        with pytest.raises(IntegrityError, match="is malformed"):
            Manifest.from_json(json.dumps({**data, "promotion": bad}), "m")


def test_the_rebuild_workflow_runs_its_own_declared_steps(make_repo: MakeRepo, cli: Cli) -> None:
    rebuilding = CHARMOS + '\n[tool.tagship]\nrelease-artifacts = "rebuild"\n'
    repo = make_repo({"pyproject.toml": rebuilding}, name="charm")
    ok(cli("-C", str(repo.path), "init"))
    workflow = yaml.safe_load((repo.path / ".github/workflows/publish-pypi.yml").read_text())
    assert run_steps(workflow) == declared(release_steps("pypi", "rebuild"))
    build = [s.get("run") for s in workflow["jobs"]["build"]["steps"]]
    assert "tagship build" in build
    assert "tagship promote --index pypi" not in build


@pytest.mark.parametrize(
    ("difference", "blamed"),
    [
        (Difference("p-1.0.tar.gz", "p-1.0/PKG-INFO", "mtime 1 != 2"), True),
        (Difference("p-1.0.tar.gz", None, "gzip header mtime 1 != 2"), True),
        (Difference("p-1.0.tar.gz", "p-1.0/PKG-INFO", "content"), False),
        (Difference("p-1.0.tar.gz", "p-1.0/x.py", "only in the first build"), False),
        (Difference("p-1.0-py3-none-any.whl", "p/__init__.py", "mtime 1 != 2"), False),
    ],
)
def test_the_rebuild_verdict_blames_the_backend_only_for_what_it_is_known_to_vary(
    difference: Difference, *, blamed: bool
) -> None:
    said = verdict([difference], "setuptools.build_meta")
    assert said.startswith("differs: ")
    assert ("known not to be reproducible" in said) is blamed
