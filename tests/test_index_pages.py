"""Simple-API pages (PEP 503 HTML, PEP 691 JSON, PEP 592 yanks) and the audit's yank rules."""

from __future__ import annotations

import json

import httpx
import pytest
from packaging.utils import canonicalize_name

from tagship.adapters.http import Http, RetryPolicy
from tagship.adapters.index import ACCEPT, JSON_TYPE, SimpleIndex, parse_html_page
from tagship.core.audit import Evidence, audit, file_version
from tagship.core.config import Credentials, IndexConfig
from tagship.core.errors import ServiceError
from tagship.core.index_url import index_details
from tagship.core.ledger import Actor, Event, FileEntry, make_record
from tagship.core.names import normalized_name
from tagship.core.replays import CLEAN, WORK_TREE

SHA_A, SHA_B = "a" * 64, "b" * 64
LOCAL = IndexConfig("local", "http://127.0.0.1:1/", "http://127.0.0.1:1/simple/")
HTML = f"""<!DOCTYPE html><html><body>
<a href="../../packages/sample_pkg-1.0.0.tar.gz#sha256={SHA_A}">sample_pkg-1.0.0.tar.gz</a>
<a href="/files/sample_pkg-1.0.1.tar.gz#sha256={SHA_B}" data-yanked="broken import">
  sample_pkg-1.0.1.tar.gz</a>
<a href="/files/sample_pkg-1.0.2.tar.gz#md5=0123" data-yanked>sample_pkg-1.0.2.tar.gz</a>
</body></html>"""


def test_html_page_gives_urls_hashes_and_yanks() -> None:
    page = parse_html_page("sample-pkg", HTML, "http://127.0.0.1:1/simple/sample-pkg/")
    first, second, third = page.files
    assert first.url == "http://127.0.0.1:1/packages/sample_pkg-1.0.0.tar.gz"
    assert (first.sha256, first.yanked) == (SHA_A, None)
    assert (second.filename, second.sha256, second.yanked) == (
        "sample_pkg-1.0.1.tar.gz",
        SHA_B,
        "broken import",
    )
    assert (third.sha256, third.yanked) == (None, "")  # md5 only; yanked without a reason


def _json_index(request: httpx.Request) -> httpx.Response:
    assert request.headers["Accept"] == ACCEPT
    assert request.headers["Authorization"].startswith("Basic ")
    if request.url.path != "/simple/sample-pkg/":
        return httpx.Response(404)
    files = [
        {"filename": "sample_pkg-1.0.0.tar.gz", "url": "/f/a.tar.gz", "hashes": {"sha256": SHA_A}},
        {
            "filename": "sample_pkg-1.0.1-py3-none-any.whl",
            "url": "https://files.example.invalid/b.whl",
            "hashes": {"sha256": SHA_B},
            "yanked": True,
        },
    ]
    body = json.dumps({"meta": {"api-version": "1.1"}, "name": "sample-pkg", "files": files})
    return httpx.Response(200, content=body, headers={"Content-Type": JSON_TYPE})


def test_json_page_is_read_when_offered() -> None:
    http = Http(transport=httpx.MockTransport(_json_index))
    index = SimpleIndex("http://127.0.0.1:1/simple", http, Credentials("u", "p"))
    page = index.project("Sample_Pkg")
    assert page is not None
    assert [(f.filename, f.sha256, f.yanked) for f in page.files] == [
        ("sample_pkg-1.0.0.tar.gz", SHA_A, None),
        ("sample_pkg-1.0.1-py3-none-any.whl", SHA_B, ""),
    ]
    assert page.files[0].url == "http://127.0.0.1:1/f/a.tar.gz"
    assert index.project("other") is None


def test_server_errors_become_service_errors() -> None:
    policy = RetryPolicy(attempts=2, base_delay=0.0)
    http = Http(policy, transport=httpx.MockTransport(lambda _: httpx.Response(503)))
    with pytest.raises(ServiceError, match="HTTP 503"):
        SimpleIndex("http://127.0.0.1:1/simple/", http).project("sample-pkg")


def test_malformed_json_page_is_a_service_error() -> None:
    def broken(_: httpx.Request) -> httpx.Response:
        body = json.dumps({"files": [{"url": "x"}]})
        return httpx.Response(200, content=body, headers={"Content-Type": JSON_TYPE})

    http = Http(transport=httpx.MockTransport(broken))
    with pytest.raises(ServiceError, match="malformed"):
        SimpleIndex("http://127.0.0.1:1/simple/", http).project("sample-pkg")


def test_file_version_reads_wheels_and_sdists() -> None:
    assert file_version("sample_pkg-1.0.0-py3-none-any.whl") == "1.0.0"
    assert file_version("sample_pkg-1.0rc1.tar.gz") == "1.0rc1"
    assert file_version("notes.txt") is None


def _evidence(*events: Event) -> Evidence:
    records = []
    prev = None
    actor = Actor(
        kind="github-actions",
        repository="o/r",
        workflow="publish.yml",
        run_id="1",
        run_attempt="1",
        ref="refs/tags/v1.0.1",
        sha="c" * 40,
    )
    for seq, event in enumerate(events, start=1):
        record = make_record(seq, "t", prev, event, actor)
        records.append(record)
        prev = record.hash
    return Evidence(records, {"v1.0.1": "c" * 40}, {"c" * 40}, "v{version}")


def test_recorded_yank_is_a_note_and_unrecorded_yank_a_finding() -> None:
    page = parse_html_page("sample-pkg", HTML, "http://127.0.0.1:1/simple/sample-pkg/")
    publish = Event(
        "publish",
        "sample-pkg",
        "1.0.1",
        tag="v1.0.1",
        commit="c" * 40,
        index="local",
        files=(FileEntry("sample_pkg-1.0.1.tar.gz", 1, SHA_B),),
        details={**index_details(LOCAL), WORK_TREE: CLEAN},  # as tagship records it
    )
    yank = Event("yank", "sample-pkg", "1.0.1", index="local", details={"reason": "broken import"})
    report = audit("sample-pkg", LOCAL, page.files[1:2], _evidence(publish, yank))
    (version,) = report.versions
    assert version.ok
    assert version.notes == (
        "CI identity not verified (no token)",
        "sample_pkg-1.0.1.tar.gz yanked (broken import), as recorded in the ledger",
    )
    report = audit("sample-pkg", LOCAL, page.files[1:2], _evidence(publish))
    assert [f.kind for f in report.versions[0].findings] == ["yanked"]
    assert not report.ok


def test_file_without_a_hash_cannot_pass() -> None:
    page = parse_html_page("sample-pkg", HTML, "http://127.0.0.1:1/simple/sample-pkg/")
    report = audit("sample-pkg", LOCAL, page.files[2:], _evidence())
    assert [f.kind for f in report.versions[0].findings] == ["hash-differs", "yanked"]
    assert "no SHA-256" in report.versions[0].findings[0].detail


def test_html_page_in_other_spellings() -> None:
    text = (
        f"<html><body><A HREF='/f/sample_pkg-2.0.tar.gz?x=1&amp;y=2#sha256={SHA_A}' "
        f'data-requires-python="&gt;=3.10" data-yanked=old>sample_pkg-2.0.tar.gz</A>'
        f"<a href=/f/sample_pkg-2.1.tar.gz><b>sample_pkg-2.1.tar.gz</b></a></body></html>"
    )
    first, second = parse_html_page("sample-pkg", text, "https://example.invalid/simple/p/").files
    assert first.url == "https://example.invalid/f/sample_pkg-2.0.tar.gz?x=1&y=2"
    assert (first.filename, first.sha256, first.yanked) == ("sample_pkg-2.0.tar.gz", SHA_A, "old")
    assert (second.filename, second.sha256, second.yanked) == ("sample_pkg-2.1.tar.gz", None, None)


@pytest.mark.parametrize(
    "name", ["demo-pkg", "Demo_Pkg", "zope.interface", "A__B--c..D", "charmos", "Foo-._Bar9"]
)
def test_normalized_names_are_those_of_packaging(name: str) -> None:
    assert normalized_name(name) == canonicalize_name(name)
