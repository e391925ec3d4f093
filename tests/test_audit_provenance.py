"""PEP 740 provenance in `tagship audit`: an index (pytest-httpserver) whose PEP 691 pages name
provenance URLs, real git and ledger, and the real offline Sigstore verifier or one injected.

A positive verification needs an attestation really signed by Sigstore for this repository,
which cannot be made here (no network to Sigstore) and must not be copied in from public
assets: the verifier's boundary is tested instead, with an injected verifier.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import STATIC_PYPROJECT, Cli, MakeRepo, Repo, git
from tagship.adapters.git import Git
from tagship.adapters.http import Http
from tagship.adapters.index import INTEGRITY_TYPE, JSON_TYPE, SimpleIndex
from tagship.adapters.ledger_store import append_event
from tagship.adapters.provenance import ExpectedPublisher
from tagship.core.index_url import index_details
from tagship.core.ledger import Event, FileEntry, anchor_line
from tagship.core.replays import CLEAN, WORK_TREE
from tagship.steps.ledger.audit import audit_workspace
from tagship.workspace import open_workspace
from test_audit_identity import ci_env

if TYPE_CHECKING:
    from pypi_attestations import Attestation
    from pytest_httpserver import HTTPServer

    from tagship.core.audit import AuditReport

WORKFLOW = "publish.yml"
SDIST, WHEEL = "sample_pkg-1.0.0.tar.gz", "sample_pkg-1.0.0-py3-none-any.whl"


def _sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def provenance_project(
    make_repo: MakeRepo,
    httpserver: HTTPServer,
    workflow: bool = True,
    record_workflow: str = WORKFLOW,
) -> Repo:
    """A project whose ledger records the publish of 1.0.0 by `record_workflow` in GitHub
    Actions (no token: the run itself is not looked up)."""
    config = (
        '\n[tool.tagship.github]\nowner = "Owner"\nrepository = "repo"\n'
        f'\n[tool.tagship.indexes.local]\nsimple-url = "{httpserver.url_for("/simple/")}"\n'
        'upload-url = "http://127.0.0.1:1/"\nenvironment = "release"\n'
        + (f'workflow = "{WORKFLOW}"\n' if workflow else "")
    )
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT + config})
    commit = repo.commit("release 1.0.0")
    repo.push("main")
    files = tuple(FileEntry(name, 10, _sha(name)) for name in (SDIST, WHEEL))
    index = open_workspace(repo.path, env={}).config.index("local")
    event = Event(
        "publish",
        "sample-pkg",
        "1.0.0",
        tag="v1.0.0",
        commit=commit,
        index="local",
        files=files,
        details={**index_details(index), WORK_TREE: CLEAN},  # as tagship records it
    )
    env = ci_env(
        commit,
        GITHUB_REPOSITORY="Owner/repo",
        GITHUB_WORKFLOW_REF=f"Owner/repo/.github/workflows/{record_workflow}@refs/tags/v1.0.0",
    )
    record = append_event(Git(repo.path), event, env)
    git(repo.path, "tag", "-a", "v1.0.0", "-m", f"v1.0.0\n\n{anchor_line(record.hash)}")
    repo.push("refs/tags/v1.0.0")
    return repo


def serve_provenance(httpserver: HTTPServer, provenance: dict[str, bytes | None]) -> None:
    """The project's JSON page; a file in `provenance` gets a URL (None there: it answers 404)."""
    files: list[dict[str, Any]] = []
    for name in (SDIST, WHEEL):
        entry: dict[str, Any] = {"filename": name, "url": f"/f/{name}"}
        entry["hashes"] = {"sha256": _sha(name)}
        if name in provenance:
            path = entry["provenance"] = f"/integrity/sample-pkg/1.0.0/{name}/provenance"
            document = provenance[name]
            handler = httpserver.expect_request(path)
            if document is None:
                handler.respond_with_data("not found", status=404)
            else:
                handler.respond_with_data(document, content_type=INTEGRITY_TYPE)
        files.append(entry)
    page = json.dumps({"meta": {"api-version": "1.1"}, "name": "sample-pkg", "files": files})
    httpserver.expect_request("/simple/sample-pkg/").respond_with_data(page, content_type=JSON_TYPE)


def _attestation(name: str, digest: str) -> dict[str, Any]:
    """A structurally valid PEP 740 attestation for (name, digest), signed by a self-made key
    instead of Sigstore: every field parses, and real verification must reject it."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not sigstore")])
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": digest}}],
        "predicateType": "https://docs.pypi.org/attestations/publish/v1",
        "predicate": None,
    }
    proof = {
        "logIndex": "1",
        "rootHash": _b64(b"r" * 32),
        "treeSize": "2",
        "hashes": [_b64(b"h" * 32)],
        "checkpoint": {"envelope": "rekor.sigstore.dev - 1\n2\nAAAA\n\n"},
    }
    entry = {
        "logIndex": "1",
        "logId": {"keyId": _b64(b"k" * 32)},
        "kindVersion": {"kind": "dsse", "version": "0.0.1"},
        "integratedTime": "1704067200",
        "inclusionPromise": {"signedEntryTimestamp": _b64(b"s")},
        "inclusionProof": proof,
        "canonicalizedBody": _b64(b"{}"),
    }
    return {
        "version": 1,
        "verification_material": {
            "certificate": _b64(cert.public_bytes(serialization.Encoding.DER)),
            "transparency_entries": [entry],
        },
        "envelope": {
            "statement": _b64(json.dumps(statement).encode()),
            "signature": _b64(b"not a signature"),
        },
    }


def provenance_document(
    name: str, repository: str = "owner/repo", workflow: str = WORKFLOW
) -> bytes:
    publisher = {"kind": "GitHub", "repository": repository, "workflow": workflow}
    bundle = {"publisher": publisher, "attestations": [_attestation(name, _sha(name))]}
    return json.dumps({"version": 1, "attestation_bundles": [bundle]}).encode()


def _audit(repo: Repo, verify: Any = None) -> AuditReport:
    workspace = open_workspace(repo.path, env={})
    if verify is None:
        return audit_workspace(workspace, "local")
    return audit_workspace(workspace, "local", verify=verify)


def test_json_page_names_provenance_and_the_index_serves_it(httpserver: HTTPServer) -> None:
    serve_provenance(httpserver, {SDIST: b'{"version": 1}', WHEEL: None})
    with Http() as http:
        index = SimpleIndex(httpserver.url_for("/simple/"), http)
        page = index.project("sample-pkg")
        assert page is not None
        sdist, wheel = page.files
        assert sdist.provenance == httpserver.url_for(
            f"/integrity/sample-pkg/1.0.0/{SDIST}/provenance"
        )
        assert index.provenance(sdist) == b'{"version": 1}'
        assert index.provenance(wheel) is None  # 404: no provenance
        asked = httpserver.log[1][0].headers["Accept"]
        assert asked.startswith(INTEGRITY_TYPE)


def test_invalid_and_foreign_provenance_fail_the_audit(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli
) -> None:
    repo = provenance_project(make_repo, httpserver)
    serve_provenance(
        httpserver,
        {SDIST: provenance_document(SDIST), WHEEL: provenance_document(WHEEL, "someone/else")},
    )
    result = cli("-C", str(repo.path), "audit", "--index", "local", "--format", "json")
    assert result.code == 4
    (version,) = json.loads(result.out)["versions"]
    assert version["status"] == "provenance-invalid, provenance-publisher-differs"
    invalid, unlike_record, differs = version["findings"]
    # the real offline Sigstore verifier rejects the self-signed attestation, and says why
    assert invalid["file"] == SDIST
    assert invalid["detail"].startswith("attestation 1 does not verify: Verification failed:")
    assert "certificate" in invalid["detail"]
    assert differs == {
        "kind": "provenance-publisher-differs",
        "file": WHEEL,
        "detail": f"attested by someone/else (workflow {WORKFLOW}), "
        f"expected Owner/repo (workflow {WORKFLOW})",
    }
    assert unlike_record == {
        "kind": "provenance-publisher-differs",
        "file": WHEEL,
        "detail": f"attested by someone/else (workflow {WORKFLOW}), but record #1 names a run "
        f"of Owner/repo (workflow {WORKFLOW})",
    }


def test_attestation_publisher_must_be_the_records_run(
    make_repo: MakeRepo, httpserver: HTTPServer
) -> None:
    # the attestations are the configured publisher's, the record claims another workflow
    repo = provenance_project(make_repo, httpserver, record_workflow="other.yml")
    serve_provenance(
        httpserver, {SDIST: provenance_document(SDIST), WHEEL: provenance_document(WHEEL)}
    )
    (version,) = _audit(repo, Recorder(None)).versions
    assert {(f.kind, f.filename) for f in version.findings} == {
        ("provenance-publisher-differs", SDIST),
        ("provenance-publisher-differs", WHEEL),
    }
    assert version.findings[0].detail == (
        f"attested by owner/repo (workflow {WORKFLOW}), but record #1 names a run of "
        "Owner/repo (workflow other.yml)"
    )


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"<html>not json</html>", "malformed provenance: Invalid JSON"),
        (b'{"version": 1}', "malformed provenance: attestation_bundles: Field required"),
        (b'{"version": 1, "attestation_bundles": []}', "the provenance holds no attestation"),
        (
            json.dumps(
                {
                    "attestation_bundles": [
                        {
                            "publisher": {"kind": "GitHub", "repository": "o/r"},
                            "attestations": [],
                        }
                    ]
                }
            ).encode(),
            "malformed provenance: attestation_bundles.0.publisher.GitHub.workflow",
        ),
    ],
)
def test_malformed_provenance_is_a_finding_not_a_crash(
    make_repo: MakeRepo, httpserver: HTTPServer, document: bytes, reason: str
) -> None:
    repo = provenance_project(make_repo, httpserver)
    serve_provenance(httpserver, {SDIST: document})
    (version,) = _audit(repo).versions
    (finding,) = version.findings
    assert (finding.kind, finding.filename) == ("provenance-invalid", SDIST)
    assert finding.detail.startswith(reason)
    assert version.notes[1:] == (f"{WHEEL} has no PEP 740 provenance on the index",)


def test_index_without_provenance_is_a_note_and_costs_no_request(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli
) -> None:
    repo = provenance_project(make_repo, httpserver)
    serve_provenance(httpserver, {})
    result = cli("-C", str(repo.path), "audit", "--index", "local", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["notes"][1:] == [
        "the index offers no PEP 740 provenance: no attestation was verified"
    ]
    assert data["versions"][0]["status"] == "ok"
    assert [request.path for request, _ in httpserver.log] == ["/simple/sample-pkg/"]


class Recorder:
    """An injected verifier: records its calls, answers as told (None = verified)."""

    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.calls: list[tuple[str, ExpectedPublisher, str, str]] = []

    def __call__(
        self, attestation: Attestation, expected: ExpectedPublisher, name: str, digest: str
    ) -> str | None:
        subject = attestation.statement["subject"][0]["name"]
        self.calls.append((subject, expected, name, digest))
        return self.answer


def test_verifier_gets_the_configured_publisher_and_the_file(
    make_repo: MakeRepo, httpserver: HTTPServer
) -> None:
    repo = provenance_project(make_repo, httpserver)
    serve_provenance(
        httpserver, {SDIST: provenance_document(SDIST), WHEEL: provenance_document(WHEEL)}
    )
    verified = Recorder(None)
    report = _audit(repo, verified)
    expected = ExpectedPublisher("Owner/repo", WORKFLOW, "release")
    assert verified.calls == [
        (SDIST, expected, SDIST, _sha(SDIST)),
        (WHEEL, expected, WHEEL, _sha(WHEEL)),
    ]
    assert report.ok
    assert report.versions[0].notes == ("CI identity not verified (no token)",)
    assert report.notes == (
        "CI identities not verified: no GitHub token (GITHUB_TOKEN or GH_TOKEN)",
        "PEP 740 provenance: 2 of 2 files with verified attestations",
    )

    report = _audit(repo, Recorder("signature does not match"))
    assert not report.ok
    assert [(f.kind, f.filename, f.detail) for f in report.versions[0].findings] == [
        ("provenance-invalid", name, "attestation 1 does not verify: signature does not match")
        for name in (SDIST, WHEEL)
    ]
    assert report.notes[1:] == ("PEP 740 provenance: 0 of 2 files with verified attestations",)


def test_provenance_without_a_configured_workflow_cannot_pass(
    make_repo: MakeRepo, httpserver: HTTPServer
) -> None:
    repo = provenance_project(make_repo, httpserver, workflow=False)
    serve_provenance(httpserver, {SDIST: provenance_document(SDIST)})
    never = Recorder(None)
    (version,) = _audit(repo, never).versions
    assert never.calls == []
    (finding,) = version.findings
    assert finding.kind == "provenance-invalid"
    assert "index local has no publish workflow configured" in finding.detail
