"""PEP 740 attestations: who gets them, and that each file's attestation travels with its
upload. Sigstore cannot be reached here, so the signer is replaced at its boundary by one
that describes the file as pypi-attestations sees it."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from pypi_attestations import Distribution
from werkzeug import Response

from oidc import CLAIMS, github_actions, jwt
from releases import make_release
from tagship.adapters.http import Http, RetryPolicy
from tagship.adapters.index import SimpleIndex
from tagship.steps.publish.publish import publish
from tagship.steps.publish.publishing import attestations_for
from tagship.steps.verify.verify import Expected
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from pytest_httpserver import HTTPServer
    from werkzeug import Request

    from conftest import MakeRepo
    from releases import Release


def _release(make_repo: MakeRepo, httpserver: HTTPServer, extra: str = "") -> Release:
    index = (
        f'[tool.tagship.indexes.pypi]\nupload-url = "{httpserver.url_for("/legacy/")}"\n'
        f'simple-url = "{httpserver.url_for("/simple/")}"\n'
    )
    return make_release(
        make_repo, "http://127.0.0.1:9/", "http://127.0.0.1:9/simple/", extra=extra + index
    )


class FakeSigstore:
    """Stands in for Sigstore: remembers the identity and signs nothing."""

    def __init__(self) -> None:
        self.identities: list[str] = []

    @contextmanager
    def __call__(self, identity: str) -> Iterator[Callable[[Path], dict[str, Any]]]:
        self.identities.append(identity)

        def sign(path: Path) -> dict[str, Any]:
            dist = Distribution.from_file(path)
            return {"version": 1, "subject": {"name": dist.name, "sha256": dist.digest}}

        yield sign


def test_official_upload_from_ci_carries_one_attestation_per_file(
    httpserver: HTTPServer, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_actions(monkeypatch, httpserver)
    sigstore_token = jwt({**CLAIMS, "aud": "sigstore"})
    httpserver.expect_request(
        "/github-oidc", query_string={"api-version": "2.0", "audience": "sigstore"}
    ).respond_with_json({"value": sigstore_token})
    sent: dict[str, Any] = {}

    def upload(request: Request) -> Response:
        sent[request.files["content"].filename or ""] = json.loads(request.form["attestations"])
        return Response("OK", 200)

    httpserver.expect_request("/simple/pub-pkg/").respond_with_data("", status=404)
    httpserver.expect_request("/legacy/", method="POST").respond_with_handler(upload)
    release = _release(make_repo, httpserver)
    workspace = open_workspace(release.repo.path, env=dict(os.environ))
    index = workspace.config.index("pypi")
    fake = FakeSigstore()
    signed = attestations_for(workspace, index, release.manifest, release.dist, signer_factory=fake)
    assert fake.identities == [sigstore_token]
    with Http(RetryPolicy(attempts=1)) as http:
        publish(
            release.manifest,
            release.dist,
            index,
            expected=Expected(workspace.name, workspace.version()),
            ci=workspace.ci,
            http=http,
            lookup=SimpleIndex(index.simple_url, http),
            auth=None,
            attestations=signed,
        )
    assert set(sent) == {f.name for f in release.manifest.files}
    for entry in release.manifest.files:
        (attestation,) = sent[entry.name]
        assert attestation["subject"] == {"name": entry.name, "sha256": entry.sha256}


@pytest.mark.parametrize(
    ("ci", "index", "extra"),
    [
        (False, "pypi", ""),  # not in GitHub Actions
        (True, "local", ""),  # not an official index
        (True, "pypi", "attestations = false\n"),  # turned off
    ],
)
def test_no_attestations_when_none_are_due(
    httpserver: HTTPServer,
    make_repo: MakeRepo,
    monkeypatch: pytest.MonkeyPatch,
    ci: bool,
    index: str,
    extra: str,
) -> None:
    if ci:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
    release = _release(make_repo, httpserver, extra)
    workspace = open_workspace(release.repo.path, env=dict(os.environ))
    fake = FakeSigstore()
    chosen = workspace.config.index(index)
    assert (
        attestations_for(workspace, chosen, release.manifest, release.dist, signer_factory=fake)
        is None
    )
    assert fake.identities == []
