"""GitHub's immutable releases: every asset goes onto the draft before the one call that
publishes it, nothing is sent to a published release, and the published release is read back
and recorded. Against the stateful GitHub stand-in, which answers 422 to any change of a
published release as GitHub does with immutable releases on."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest
from pytest_httpserver import HTTPServer

import github_payloads as gh
from conftest import git
from github_standin import GitHubStandIn
from release_world import ok, release_world, tagged_in_ci
from tagship.adapters.git import Git
from tagship.adapters.index import INTEGRITY_TYPE, JSON_TYPE
from tagship.adapters.ledger_store import read_ledger
from tagship.ci.api import NotFoundError
from tagship.ci.github.api import GitHubClient
from tagship.core.manifest import Manifest, ManifestFile

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo
    from release_world import World

TAG = "v0.5.0"
SDIST = "demo_pkg-0.5.0.tar.gz"


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def standin(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, repo: Repo) -> GitHubStandIn:
    github = GitHubStandIn(httpserver, gh.FULL, repo.origin)
    monkeypatch.setenv("GITHUB_API_URL", github.api_url)
    monkeypatch.setenv("GITHUB_TOKEN", github.maintainer_token())
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.FULL)
    return github


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    """A project released as v0.4.22, with v0.5.0 tagged and pushed, its files in dist/."""
    made = make_repo()
    made.tag("v0.4.22")
    made.commit("the next release")
    made.tag(TAG)
    git(made.path, "push", "--quiet", "origin", "main", "v0.4.22", TAG)
    dist = made.path / "dist"
    dist.mkdir()
    sdist = b"the sdist's bytes"
    (dist / SDIST).write_bytes(sdist)
    digest = hashlib.sha256(sdist).hexdigest()
    wheel = ManifestFile("demo_pkg-0.5.0-py3-none-any.whl", "wheel", 1, "1" * 64, "1" * 64)
    manifest = Manifest(
        project="demo-pkg", version="0.5.0", tag=TAG, commit="0" * 40, dirty=False,
        source_date_epoch=0, builder="uv 0.9", build_backend="hatchling.build",
        backend_version="hatchling", files=(ManifestFile(SDIST, "sdist", len(sdist), digest,
        "0" * 64), wheel),
    )  # fmt: skip
    (dist / "tagship-manifest.json").write_text(manifest.to_json())
    return made


def _publish(cli: Cli, repo: Repo, *extra: str) -> tuple[int, str, str]:
    result = cli("-C", str(repo.path), *extra, "github-release", "publish", TAG)
    return result.code, result.out, result.err


def _assets(release: dict[str, object]) -> dict[str, object]:
    found = release["assets"]
    assert isinstance(found, list)
    return {a["name"]: a["digest"] for a in found}


def test_assets_go_onto_the_draft_then_one_call_publishes_it(
    cli: Cli, repo: Repo, standin: GitHubStandIn
) -> None:
    draft = standin.draft(TAG)
    files = ("--set", 'github.release-assets=["dist/*.tar.gz"]')
    code, out, err = _publish(cli, repo, *files)
    assert code == 0, err
    assert "attached tagship-manifest.json and 1 more asset" in out
    assert (draft["draft"], draft["immutable"]) == (False, True)
    manifest = (repo.path / "dist" / "tagship-manifest.json").read_bytes()
    sdist = (repo.path / "dist" / SDIST).read_bytes()
    assert _assets(draft) == {"tagship-manifest.json": _sha(manifest), SDIST: _sha(sdist)}
    assert standin.after_publish == []
    # the release as read back, in the ledger: immutable, each asset's digest
    records = read_ledger(Git(repo.path)).records
    [event] = [r.event for r in records if r.event.kind == "github-release"]
    assert event.tag == TAG
    assert event.details["immutable"] == "true"
    assert event.details["asset:tagship-manifest.json"] == _sha(manifest)
    assert event.details[f"asset:{SDIST}"] == _sha(sdist)

    # a rerun finds it published: nothing sent to it, nothing recorded twice
    code, out, err = _publish(cli, repo, *files)
    assert code == 0, err
    assert out.splitlines()[-2] == f"release {TAG} was already published: {draft['html_url']}"
    assert out.splitlines()[-1] == f"next: tagship docs-links {TAG}: point the docs at the release"
    assert standin.after_publish == []
    again = read_ledger(Git(repo.path)).records
    assert [r.event.kind for r in again].count("github-release") == 1


def test_the_attestations_the_index_holds_go_onto_the_draft(
    cli: Cli, repo: Repo, standin: GitHubStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the release job, where the publish step attested the files to an official index:
    each file's PEP 740 provenance from that index, next to the files on the Release."""
    sdist = (repo.path / "dist" / SDIST).read_bytes()
    documents = {SDIST: b'{"version": 1, "attestation_bundles": []}'}
    with HTTPServer(host="127.0.0.1") as index:
        entries = [
            {"filename": SDIST, "url": f"/files/{SDIST}", "hashes": {"sha256": _sha(sdist)[7:]},
             "provenance": f"/integrity/{SDIST}/provenance"},
            {"filename": "other-0.5.0.tar.gz", "url": "/files/other", "hashes": {}},
        ]  # fmt: skip
        page = json.dumps({"meta": {"api-version": "1.1"}, "name": "demo-pkg", "files": entries})
        index.expect_request("/simple/demo-pkg/").respond_with_data(page, content_type=JSON_TYPE)
        index.expect_request(f"/integrity/{SDIST}/provenance").respond_with_data(
            documents[SDIST], content_type=INTEGRITY_TYPE
        )
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        draft = standin.draft(TAG)
        attested = [
            f"--set=indexes.attested.{key}={value}"
            for key, value in (
                ("upload-url", index.url_for("/legacy/")),
                ("simple-url", index.url_for("/simple/")),
                ("official", "true"),
            )
        ]
        publish = ("github-release", "publish", TAG, "--index", "attested")
        result = cli("-C", str(repo.path), *attested, *publish)
    assert result.code == 0, result.err
    assert f"{SDIST}.provenance.json" in _assets(draft)
    assert _assets(draft)[f"{SDIST}.provenance.json"] == _sha(documents[SDIST])
    assert len(draft["assets"]) == 2  # the manifest, one provenance: the wheel has none
    assert standin.after_publish == []


def test_a_rerun_keeps_what_the_draft_holds_with_the_same_bytes(
    cli: Cli, repo: Repo, standin: GitHubStandIn, httpserver: HTTPServer
) -> None:
    draft = standin.draft(TAG)
    manifest = (repo.path / "dist" / "tagship-manifest.json").read_bytes()
    held = gh.asset("tagship-manifest.json", 700)
    held["digest"] = _sha(manifest)  # an earlier attempt attached it, then died
    draft["assets"].append(held)
    result = cli("-C", str(repo.path), "github-release", "publish", TAG, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["assets"] == [
        {"name": "tagship-manifest.json", "digest": _sha(manifest), "action": "kept"}
    ]
    assert [r for r, _ in httpserver.log if r.path.startswith("/uploads/")] == []
    assert [r for r, _ in httpserver.log if r.method == "DELETE"] == []
    assert draft["draft"] is False


def test_other_bytes_on_the_draft_stop_before_publishing(
    cli: Cli, repo: Repo, standin: GitHubStandIn
) -> None:
    draft = standin.draft(TAG)
    held = gh.asset("tagship-manifest.json", 700)
    held["digest"] = _sha(b"another manifest")
    draft["assets"].append(held)
    code, _, err = _publish(cli, repo)
    assert code == 4
    assert err.startswith(
        f"tagship: error: the draft release {TAG} already holds tagship-manifest.json with "
        "other bytes"
    )
    assert "nothing was published" in err
    assert draft["draft"] is True


def test_a_pattern_matching_nothing_stops_before_anything_is_attached(
    cli: Cli, repo: Repo, standin: GitHubStandIn, httpserver: HTTPServer
) -> None:
    draft = standin.draft(TAG)
    code, _, err = _publish(cli, repo, "--set", 'github.release-assets=["dist/*.whl"]')
    assert code == 1
    assert "release-assets pattern 'dist/*.whl' matches no file" in err
    assert (draft["draft"], draft["assets"]) == (True, [])
    assert [r for r, _ in httpserver.log if r.method != "GET"] == []


def test_a_release_published_without_the_manifest_is_left_as_it_is(
    cli: Cli, repo: Repo, standin: GitHubStandIn
) -> None:
    """Published by hand before tagship ran: an immutable release takes no asset, so tagship
    says what it lacks and sends it nothing."""
    release = standin.draft(TAG)
    release.update(draft=False, immutable=True)
    code, out, err = _publish(cli, repo)
    assert code == 0, err
    assert "it lacks tagship-manifest.json: a published release takes no asset" in out
    assert standin.after_publish == []


def test_the_standin_refuses_an_upload_to_a_published_release(standin: GitHubStandIn) -> None:
    """As GitHub does: what a flow that publishes first and attaches later would meet."""
    release = standin.draft(TAG)
    release.update(draft=False, immutable=True)
    owner, name = gh.FULL.split("/")
    client = GitHubClient(owner, name, standin.maintainer_token(), base_url=standin.api_url)
    [published] = [r for r in client.releases() if r.tag_name == TAG]
    with pytest.raises(NotFoundError, match="Cannot upload assets to an immutable release"):
        client.upload_asset(published, "late.txt", b"late", "text/plain")
    assert standin.refused == [f"POST /uploads/repos/{gh.FULL}/releases/{release['id']}/assets"]


# -- the release flow on the tag --------------------------------------------------------------


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with release_world(tmp_path) as made:
        yield made


@pytest.mark.integration
def test_the_release_flow_passes_against_immutable_releases(
    world: World,
    cli: Cli,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`tagship release` on the tag: promote, publish, verify-install, then the GitHub
    Release, its manifest attached to the draft first; a rerun sends the published release
    nothing."""
    tagged_in_ci(world, cli, monkeypatch)
    github = GitHubStandIn(httpserver, gh.FULL, world.sample.origin)
    monkeypatch.setenv("GITHUB_API_URL", github.api_url)
    monkeypatch.setenv("GITHUB_TOKEN", github.maintainer_token())
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.FULL)
    draft = github.draft("v0.2.0")
    released = ok(cli("-C", world.path, "release"))
    assert "[passed] GitHub Release:" in released.out
    assert "1 asset attached before publishing, immutable" in released.out
    assert (draft["draft"], draft["immutable"]) == (False, True)
    assert [a["name"] for a in draft["assets"]] == ["tagship-manifest.json"]
    assert github.after_publish == []
    rerun = ok(cli("-C", world.path, "release"))
    assert "(already published)" in rerun.out
    assert github.after_publish == []
    assert github.unserved == []


def test_notes_name_a_tag_an_immutable_release_burned(
    cli: Cli, repo: Repo, standin: GitHubStandIn
) -> None:
    """A deleted immutable release keeps its tag name: the draft of that version is refused
    with the way out, a new version, not a re-made tag."""
    sha = repo.commit("a fix (#1)")
    repo.push()
    standin.merged_pull(1, sha, ("release:patch",))
    standin.burned.add("v0.5.1")
    result = cli("-C", str(repo.path), "notes", "--github")
    assert result.code == 1, result.err
    assert result.err.startswith(
        "tagship: error: v0.5.1 was the tag of an immutable release (deleted since): GitHub "
        "never takes that tag name again (hint: bump to the next version"
    )
    assert not any(r["tag_name"] == "v0.5.1" for r in standin.releases)


def test_a_published_release_holding_other_bytes_is_recorded_and_refused(
    cli: Cli, repo: Repo, standin: GitHubStandIn
) -> None:
    release = standin.draft(TAG)
    held = gh.asset("tagship-manifest.json", 700)
    held["digest"] = _sha(b"another manifest")
    release.update(draft=False, immutable=True, assets=[held])
    code, _, err = _publish(cli, repo)
    assert code == 4
    assert err.startswith(
        f"tagship: error: the published release {TAG} does not hold the released files: "
        "tagship-manifest.json (other bytes)"
    )
    assert standin.after_publish == []
    records = read_ledger(Git(repo.path)).records
    [event] = [r.event for r in records if r.event.kind == "github-release"]
    assert event.details["asset:tagship-manifest.json"] == _sha(b"another manifest")


@pytest.mark.integration
def test_a_tag_tagship_did_not_make_is_never_to_be_made_again(world: World, cli: Cli) -> None:
    """The hint of a refused tag names the next version, never deleting and re-creating the
    tag (an immutable release would have burned its name)."""
    ok(cli("-C", world.path, "bump", "minor", "--commit"))
    ok(cli("-C", world.path, "build"))
    result = cli("-C", world.path, "verify-artifacts", "--same-as-dry-run")
    assert result.code == 1
    assert "(hint: leave it unreleased; bump to the next version and tag that" in result.err
    assert "delete" not in result.err
