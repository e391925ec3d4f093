"""`tagship report`: the ledger's records as versions across the indexes and the GitHub
Release, as an HTML page that needs nothing from elsewhere and Markdown for the summary;
text from the ledger never becomes markup; a file tagship did not write is never replaced."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from conftest import STATIC_PYPROJECT
from json_kit import document
from ledger_kit import changed_byte, forge, ledger_lines, released_repo
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import append_event
from tagship.core.drift import GITHUB, Drift
from tagship.core.ledger import Actor, Event, FileEntry, make_record
from tagship.steps.report.html_page import render_html
from tagship.steps.report.markdown import ROWS, render_markdown
from tagship.steps.report.timeline import build_report

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    import pytest

    from conftest import Cli, MakeRepo
    from tagship.core.ledger import Record

LOCAL = Actor(kind="local", user="maintainer", host="laptop")
CI = Actor(kind="github-actions", repository="o/r", workflow="publish-pypi.yml", run_id="7")
FILES = (FileEntry("pkg-1.0.0.tar.gz", 10, "ab" * 32), FileEntry("pkg-1.0.0-py3.whl", 9, "cd" * 32))
GENERATED = "2026-12-07T20:00:00Z"


def event(kind: str, version: str = "1.0.0", **fields: object) -> Event:
    defaults: dict[str, object] = {"project": "pkg", "tag": f"v{version}", "files": FILES}
    return Event(kind=kind, version=version, **{**defaults, **fields})  # type: ignore[arg-type]


def chain(*events: Event | tuple[Event, Actor]) -> list[Record]:
    records: list[Record] = []
    for seq, item in enumerate(events, start=1):
        made, actor = item if isinstance(item, tuple) else (item, LOCAL)
        prev = records[-1].hash if records else None
        time = f"2026-12-0{1 + seq // 10}T10:{seq % 60:02d}:00.000000Z"
        records.append(make_record(seq, time, prev, made, actor))
    return records


def released(version: str = "1.0.0") -> list[Event | tuple[Event, Actor]]:
    """A dry run on TestPyPI, the tag, the promotion to PyPI from CI, the GitHub Release."""
    return [
        event("publish", version, index="testpypi"),
        event("wait", version, index="testpypi"),
        event("verify-install", version, index="testpypi"),
        event("dry-run", version, index="testpypi"),
        event("tag", version, files=()),
        (event("publish", version, index="pypi", details={"promoted-from": "4"}), CI),
        (event("wait", version, index="pypi"), CI),
        (event("verify-install", version, index="pypi"), CI),
        event("github-release", version, files=(), details={"url": "https://github.com/o/r/1"}),
    ]


def statuses(records: list[Record], drift: tuple[Drift, ...] = ()) -> dict[str, list[str]]:
    report = build_report(records, drift)
    return {row.version: [cell.status for cell in row.cells] for row in report.rows}


def test_a_release_reads_across_testpypi_pypi_and_github() -> None:
    report = build_report(chain(*released()))
    assert [(c.key, c.title) for c in report.columns] == [
        ("testpypi", "TestPyPI"),
        ("pypi", "PyPI"),
        (GITHUB, "GitHub Release"),
    ]
    (row,) = report.rows
    assert [c.status for c in row.cells] == ["dry run passed", "verified", "published"]
    assert [c.tone for c in row.cells] == ["good", "good", "good"]
    assert (row.tag, row.tagged) == ("v1.0.0", "2026-12-01T10:05:00.000000Z")
    assert row.cells[2].link == "https://github.com/o/r/1"
    assert "promote: 2 files; the files of dry run record #4" in row.cells[1].notes[0]
    assert [e.seq for e in report.entries] == list(range(9, 0, -1))  # newest first
    assert report.entries[3].actor == "CI o/r publish-pypi.yml run 7"


def test_the_newest_version_comes_first_and_a_dry_run_alone_is_only_on_testpypi() -> None:
    records = chain(*released("1.0.0"), event("dry-run", "1.1.0", index="testpypi"))
    assert statuses(records) == {
        "1.1.0": ["dry run passed", "not published", "not published"],
        "1.0.0": ["dry run passed", "verified", "published"],
    }
    assert list(statuses(records)) == ["1.1.0", "1.0.0"]


def test_several_packages_name_their_project_on_each_row() -> None:
    records = chain(
        event("dry-run", "0.2.0", project="demo-core", index="testpypi"),
        event("dry-run", "0.2.0", project="demo-app", index="testpypi"),
        event("verify-install", "0.2.0", project="Demo_Core", index="pypi"),
    )
    report = build_report(records)
    assert report.projects == ("demo-core", "demo-app")
    assert [(r.project, [c.status for c in r.cells][:2]) for r in report.rows] == [
        ("demo-core", ["dry run passed", "verified"]),  # one project however it is spelt
        ("demo-app", ["dry run passed", "not published"]),
    ]
    page = render_html(report, GENERATED)
    assert '<span class="project">demo-app</span><span class="version">0.2.0</span>' in page
    assert "| **demo-app 0.2.0** |" in render_markdown(report)


def test_yanks_failures_hotfixes_and_rollbacks_stay_visible() -> None:
    records = chain(
        *released(),
        event("yank", index="pypi", result="intent", details={"reason": "broken import"}),
        event("yank", index="pypi", result="observed", details={"reason": "broken import"}),
        event("verify-install", index="pypi"),  # a later success does not hide the yank,
        event("verify-install", index="pypi", result="failed"),  # nor a failure
        event("verify-install", "1.0.1", index="testpypi", result="failed"),
        event("hotfix", "1.0.1", files=(), details={"action": "start", "fixes": "v1.0.0"}),
        event("rollback-revert", files=(), details={"reverted": "a" * 40, "branch": "main"}),
    )
    report = build_report(records)
    rows = {row.version: row for row in report.rows}
    pypi = rows["1.0.0"].cells[1]
    assert (pypi.status, pypi.tone) == ("yanked", "bad")
    assert "yank: 2 files; yank seen on the index: broken import" in pypi.notes
    assert (rows["1.0.1"].cells[0].status, rows["1.0.1"].cells[0].tone) == (
        "verify install failed",
        "bad",
    )
    assert [(m.label, m.tone) for m in rows["1.0.1"].marks] == [("hotfix", "warn")]
    assert rows["1.0.1"].marks[0].detail == "start of a fix for v1.0.0"
    assert rows["1.0.0"].marks[0].detail == f"reverted {'a' * 12} on main"


def test_a_requested_yank_is_a_warning_until_the_index_shows_it() -> None:
    records = chain(
        *released(),
        event("yank", index="pypi", result="intent"),
        event("verify-install", index="pypi"),
    )
    cell = build_report(records).rows[0].cells[1]
    assert (cell.status, cell.tone) == ("yank requested", "warn")


def test_a_passing_rerun_replaces_a_failure() -> None:
    failed = event("verify-install", "1.1.0", index="testpypi", result="failed")
    passed = event("dry-run", "1.1.0", index="testpypi")
    assert statuses(chain(failed))["1.1.0"][0] == "verify install failed"
    assert statuses(chain(failed, passed))["1.1.0"][0] == "dry run passed"


def test_drift_from_watch_is_drawn_where_it_was_found() -> None:
    drift = (
        Drift("pkg", "1.0.0", "pypi", "pkg-1.0.0-py3.whl has no attestation"),
        Drift("PKG", "1.0.0", GITHUB, "the release is a draft again"),
        Drift("pkg", "1.0.0", "pypi-status", "release 1.0.0 is quarantined"),
        Drift("pkg", None, "pypi-status", "the project is archived"),
    )
    report = build_report(chain(*released()), drift)
    (row,) = report.rows
    assert [(c.status, c.tone, c.drift) for c in row.cells] == [
        ("dry run passed", "good", ()),
        ("verified", "good", ("pkg-1.0.0-py3.whl has no attestation",)),
        ("published", "good", ("the release is a draft again",)),
    ]
    assert [(m.label, m.detail) for m in row.marks] == [("drift", "release 1.0.0 is quarantined")]
    assert report.drift == drift
    page = render_html(report, GENERATED)
    assert "the project is archived" in page
    markdown = render_markdown(report)
    assert "#### Drift" in markdown
    assert "| ✅ verified 2026-12-01 10:08 ❌ drift |" in markdown
    assert "drift: 4 findings" in markdown


class _Tags(HTMLParser):
    """Every tag and attribute of a page, and the text of its <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += attrs
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def _parsed(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>|**x**"


def hostile_records() -> list[Record]:
    return chain(
        event("dry-run", HOSTILE, project="<b>pkg</b>", index="test<i>pypi</i>"),
        (
            event(
                "yank",
                HOSTILE,
                project="<b>pkg</b>",
                index="pypi",
                result="intent",
                details={"reason": '"><script>alert(3)</script>'},
            ),
            Actor(kind="local", user='"><svg onload=alert(4)>', host="h"),
        ),
        event(
            "github-release",
            HOSTILE,
            project="<b>pkg</b>",
            files=(),
            details={"url": "javascript:alert(5)"},
        ),
    )


def test_a_hostile_ledger_cannot_put_markup_or_links_into_the_page() -> None:
    drift = (Drift("<b>pkg</b>", HOSTILE, "pypi", "</li><script>alert(6)</script>"),)
    page = render_html(build_report(hostile_records(), drift), GENERATED)
    parsed = _parsed(page)
    allowed = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p"}
    allowed |= {"table", "thead", "tbody", "tr", "th", "td", "span", "time", "details"}
    allowed |= {"summary", "ul", "ol", "li", "div", "strong", "footer", "code", "a"}
    assert parsed.tags <= allowed
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    assert parsed.hrefs == []  # a javascript: URL is no link
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;svg onload=alert(4)&gt;" in page


def test_a_hostile_ledger_cannot_break_the_markdown_table() -> None:
    report = build_report(hostile_records())
    markdown = render_markdown(report)
    assert "<script>" not in markdown
    assert "<img" not in markdown
    assert "&lt;script&gt;" in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| **")]
    assert len(rows) == 1
    # a version's `|` and `**` are text: the row keeps the version, the columns, the marks
    assert rows[0].replace("\\|", "").count("|") == len(report.columns) + 3
    assert "\\*\\*x\\*\\*" in rows[0]


def test_the_page_needs_nothing_from_elsewhere() -> None:
    page = render_html(build_report(chain(*released())), GENERATED)
    parsed = _parsed(page)
    assert not parsed.tags & {"script", "link", "img", "iframe", "object", "embed", "base"}
    assert "@import" not in page
    assert "url(" not in page
    assert [a for a in parsed.attributes if a[0] == "src"] == []
    assert parsed.hrefs == ["https://github.com/o/r/1"]  # the release, the one link


def test_the_summary_stays_far_below_githubs_limit() -> None:
    versions = [f"1.0.{n}" for n in range(ROWS + 5)]
    long_reason = {"reason": "x" * 5000}
    records = chain(
        *[event("dry-run", v, index="testpypi") for v in versions],
        *[event("yank", versions[-1], index="pypi", details=long_reason)] * 8,
    )
    markdown = render_markdown(build_report(records))
    assert len(markdown.encode()) < 64_000
    assert f"**1.0.{ROWS + 4}**" in markdown
    assert "**1.0.0**" not in markdown
    assert "(+5 older versions: see the page)" in markdown
    assert "x" * 201 not in markdown


def _repository(make_repo: MakeRepo, *events: Event, env: Mapping[str, str] | None = None) -> Path:
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT})
    for made in events:
        append_event(Git(repo.path), made, env or {})
    return repo.path


def test_report_writes_the_page_prints_the_table_and_fills_the_summary(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _repository(
        make_repo,
        event("dry-run", "0.4.22", project="sample-pkg", index="testpypi"),
        event("tag", "0.4.22", project="sample-pkg", files=()),
    )
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli("-C", str(path), "report")
    assert result.code == 0, result.err
    page = (path / "tagship-report.html").read_text(encoding="utf-8")
    assert "Releases of sample-pkg" in page
    assert "0.4.22\tdry run passed\tnot published\tnot published\t0" in result.out
    assert f"\nwrote {path / 'tagship-report.html'}: 1 version\n" in result.out
    assert "| **0.4.22** (v0.4.22) | ✅ dry run passed" in summary.read_text(encoding="utf-8")
    again = cli("-C", str(path), "report", "--format", "markdown")  # its own page: replaced
    assert again.code == 0, again.err
    assert again.out.startswith("### Releases of sample-pkg\n")


def test_report_json_lists_the_versions(make_repo: MakeRepo, cli: Cli, tmp_path: Path) -> None:
    path = _repository(make_repo, event("dry-run", "0.4.22", project="sample-pkg", index="tp"))
    output = tmp_path / "site" / "releases.html"
    output.parent.mkdir()
    data = document(
        cli("-C", str(path), "report", "--output", str(output), "--format", "json"), "report"
    )
    assert data["output"] == str(output)
    assert data["columns"] == ["testpypi", "tp", "pypi", GITHUB]
    assert data["versions"][0]["cells"]["tp"]["status"] == "dry run passed"
    assert data["drift"] == []
    assert output.is_file()


def test_an_empty_ledger_is_an_empty_page(make_repo: MakeRepo, cli: Cli) -> None:
    path = _repository(make_repo)
    result = cli("-C", str(path), "report", "--format", "json")
    assert json.loads(result.out)["versions"] == []
    assert "the ledger records no release" in (path / "tagship-report.html").read_text()


def test_a_file_tagship_did_not_write_is_never_replaced(make_repo: MakeRepo, cli: Cli) -> None:
    path = _repository(make_repo, event("dry-run", "0.4.22", project="sample-pkg", index="tp"))
    mine = path / "index.html"
    mine.write_text("<html>the project's own page</html>")
    result = cli("-C", str(path), "report", "--output", "index.html")
    assert result.code == 2
    assert result.err == (
        f"tagship: error: {mine} exists and was not written by tagship report "
        "(hint: choose another --output, or move it away)\n"
    )
    assert mine.read_text() == "<html>the project's own page</html>"
    assert [p.name for p in path.iterdir() if p.name.startswith(".index.html")] == []
    link = path / "link.html"
    link.symlink_to(mine)
    assert cli("-C", str(path), "report", "--output", "link.html").code == 2
    missing = cli("-C", str(path), "report", "--output", "nowhere/r.html")
    assert (missing.code, missing.err.count("\n")) == (2, 1)
    assert "directory" in missing.err
    assert mine.read_text() == "<html>the project's own page</html>"


def test_a_broken_ledger_draws_no_page(make_repo: MakeRepo, cli: Cli) -> None:
    repo = released_repo(make_repo)
    forge(repo, changed_byte(ledger_lines(repo), 2))  # origin's record 2 altered
    result = cli("-C", str(repo.path), "report")
    assert result.code == 4
    assert result.err.startswith("tagship: error: ledger verification failed: ")
    assert result.err.count("\n") == 1
    assert not (repo.path / "tagship-report.html").exists()
