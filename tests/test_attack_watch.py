"""Attacks on `tagship watch` by a hostile JSON simple API: what the index writes is shown on
one line with its escape sequences and controls neutralised, and any answer tagship cannot
read is one line with its exit code, no traceback."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from werkzeug import Response

from conftest import STATIC_PYPROJECT
from test_watch import HASHES, JSON_TYPE, SDIST, WHEEL, JsonIndex, _ledger, _publish

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

ESC = "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07\x1b[2J"
HOSTILE = f"ok{ESC}\r\nfake line\u202eevil\u2028"


@pytest.fixture
def repo(make_repo: MakeRepo, httpserver: HTTPServer) -> Repo:
    simple = httpserver.url_for("/simple/")
    indexes = (
        f'[tool.tagship.indexes.pypi]\nupload-url = "{httpserver.url_for("/legacy/")}"\n'
        f'simple-url = "{simple}"\n'
    )
    return make_repo({"pyproject.toml": STATIC_PYPROJECT + "\n" + indexes})


def _clean(text: str) -> None:
    assert not any(c in text for c in "\x1b\x07\r\u202e\u2028"), repr(text)


def test_what_the_index_writes_is_shown_neutralised(
    repo: Repo, httpserver: HTTPServer, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ledger(repo, _publish())
    index = JsonIndex(httpserver, "sample-pkg")
    index.list({WHEEL: HASHES[WHEEL], SDIST: f"zz{ESC}"})
    index.status = {"status": f"archived{ESC}\nsecond", "reason": HOSTILE}
    index.file(WHEEL).update(yanked=HOSTILE)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli("-C", str(repo.path), "watch")
    assert result.code == 1, result.err
    _clean(result.out + result.err)
    drift = [line for line in result.out.splitlines() if line.startswith("drift: ")]
    assert len(drift) == 3, result.out  # one line each: no line the index forged
    assert "\\x1b" in drift[0]  # shown, escaped, not dropped
    markdown = summary.read_text(encoding="utf-8")
    _clean(markdown)
    rows = [row for row in markdown.splitlines() if row.startswith("| pypi")]
    assert len(rows) == 3, markdown


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[" * 100_000 + "]" * 100_000, JSON_TYPE),  # deep nesting
        ('{"files": 5}', JSON_TYPE),
        ('{"files": [{"filename": 3, "url": "x"}]}', JSON_TYPE),
        ('{"files": [], "project-status": ["quarantined"]}', JSON_TYPE),
        ('{"files": [], "project-status": {"status": 7}}', JSON_TYPE),
        ('{"files": [{"filename": "a", "url": "x", "hashes": []}]}', JSON_TYPE),
        ('{"files": [{"filename": "a", "url": "x", "hashes": {"sha256": 5}}]}', JSON_TYPE),
        ("not json at all \x1b[2J", JSON_TYPE),
        ("\x1b[2J<html><a href='x'>\x1b[31m</a>", "text/plain"),
    ],
)
def test_a_malformed_page_is_one_line(
    repo: Repo, httpserver: HTTPServer, cli: Cli, body: str, content_type: str
) -> None:
    _ledger(repo, _publish())
    page = Response(body, 200, content_type=content_type)
    httpserver.expect_request("/simple/sample-pkg/").respond_with_response(page)
    result = cli("-C", str(repo.path), "watch")
    assert result.code in (0, 1, 3), result.err
    assert "Traceback" not in result.err
    assert len(result.err.splitlines()) <= 1, result.err
    _clean(result.out + result.err)


def test_a_huge_page_is_refused_within_its_cap(
    repo: Repo, httpserver: HTTPServer, cli: Cli
) -> None:
    _ledger(repo, _publish())
    filler = json.dumps({"files": [], "pad": "x" * (33 << 20)})
    page = Response(filler, 200, content_type=JSON_TYPE)
    httpserver.expect_request("/simple/sample-pkg/").respond_with_response(page)
    result = cli("-C", str(repo.path), "watch")
    assert result.code == 3, result.err
    assert len(result.err.splitlines()) == 1
    assert "MiB" in result.err


@pytest.mark.parametrize(
    "location", ["http://127.0.0.2:1/simple/sample-pkg/", "https://evil.example/x/"]
)
def test_a_redirect_elsewhere_is_not_followed(
    repo: Repo, httpserver: HTTPServer, cli: Cli, location: str
) -> None:
    _ledger(repo, _publish())
    moved = Response("", 302, headers={"Location": location})
    httpserver.expect_request("/simple/sample-pkg/").respond_with_response(moved)
    result = cli("-C", str(repo.path), "watch")
    assert result.code == 1, result.err  # the index does not list the release: drift
    assert "the index does not know the project" in result.out
    assert "Traceback" not in result.err


def test_an_api_version_the_index_makes_up_is_shown_neutralised(
    repo: Repo, httpserver: HTTPServer, cli: Cli
) -> None:
    _ledger(repo, _publish())
    index = JsonIndex(httpserver, "sample-pkg")
    index.list(HASHES)
    index.api = f"1.0{ESC}\nforged"
    result = cli("-C", str(repo.path), "watch")
    assert result.code == 0, result.err
    _clean(result.out + result.err)
    assert "states no project status" in result.out


def test_the_summary_takes_no_markup_from_the_index(
    repo: Repo,
    httpserver: HTTPServer,
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GitHub renders a step summary's Markdown and some HTML: links and images included
    _ledger(repo, _publish())
    index = JsonIndex(httpserver, "sample-pkg")
    index.list(HASHES)
    index.file(WHEEL).update(
        yanked='[log in](https://evil.example/) <img src="https://evil.example/p">'
    )
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert cli("-C", str(repo.path), "watch").code == 1
    markdown = summary.read_text(encoding="utf-8")
    assert "<img" not in markdown
    assert "[log in](" not in markdown  # its brackets escaped: no link
