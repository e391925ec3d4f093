"""The preflight's rules, pure: PyPI's refusals judged from what the JSON simple API says."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tagship.adapters.index import IndexFile, ProjectPage, parse_json_page
from tagship.adapters.project_status import ProjectStatus
from tagship.core.preflight_rules import (
    FILE_LIMIT,
    GIB,
    MIB,
    OTHER_BYTES,
    Target,
    Upload,
)
from tagship.steps.publish.preflight import judge

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=timezone.utc)
WHEEL = "pub_pkg-1.0.0-py3-none-any.whl"
SDIST = "pub_pkg-1.0.0.tar.gz"


def _target(*uploads: Upload) -> Target:
    return Target("pypi", "pub-pkg", "1.0.0", uploads or (Upload(WHEEL, "wheel", 10, "aa"),))


def _there(name: str, *, sha: str = "bb", size: int = 10, days: float = 1) -> IndexFile:
    when = (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return IndexFile(name, f"https://files.example/{name}", sha, None, None, size, when)


def _page(*files: IndexFile, status: str | None = None, reason: str | None = None) -> ProjectPage:
    marker = ProjectStatus(status, reason) if status is not None else None
    return ProjectPage("pub-pkg", files, marker)


def _failed(page: ProjectPage | None, target: Target | None = None, **kw: object) -> list[str]:
    report = judge(target or _target(), page, now=NOW, **kw)  # type: ignore[arg-type]
    return [f"{f.rule}: {f.message}" for f in report.failures]


def test_the_json_page_carries_status_sizes_and_upload_times() -> None:
    data = {
        "meta": {"api-version": "1.4"},
        "name": "pub-pkg",
        "project-status": {"status": "archived", "reason": "moved to pub-pkg2"},
        "files": [
            {
                "filename": WHEEL,
                "url": "../../files/x.whl",
                "hashes": {"sha256": "ab"},
                "size": 1234,
                "upload-time": "2026-07-08T16:43:57.123456Z",
            }
        ],
    }
    page = parse_json_page("pub-pkg", data, "https://pypi.example/simple/pub-pkg/")
    assert page.status == ProjectStatus("archived", "moved to pub-pkg2")
    assert page.files[0].size == 1234
    assert page.files[0].upload_time == "2026-07-08T16:43:57.123456Z"
    # a page before API 1.4 says nothing: the project is active
    older = parse_json_page("pub-pkg", {"files": []}, "https://pypi.example/simple/pub-pkg/")
    assert older.status is None


@pytest.mark.parametrize("status", ["archived", "quarantined"])
def test_archived_and_quarantined_projects_refuse(status: str) -> None:
    found = _failed(_page(status=status, reason="no longer maintained"))
    assert len(found) == 1
    assert found[0].startswith(f"project status: pub-pkg on pypi is {status}")
    assert "(no longer maintained)" in found[0]


def test_deprecated_warns_and_active_or_unknown_do_not_refuse() -> None:
    report = judge(_target(), _page(status="deprecated"), now=NOW)
    assert not report.failures
    assert "deprecated" in report.warnings[0].message
    assert not judge(_target(), _page(status="active"), now=NOW).findings
    assert not judge(_target(), None, now=NOW).findings  # a new project
    assert judge(_target(), _page(status="frozen"), now=NOW).warnings


def test_the_14_day_window_refuses_new_files_for_an_old_release() -> None:
    old_sdist = _there(SDIST, days=30)
    found = _failed(_page(old_sdist))
    assert len(found) == 1
    assert found[0].startswith("14-day window: 1.0.0 was first uploaded to pypi on 2026-11-07")
    assert "30 days ago" in found[0]
    assert WHEEL in found[0]
    # within the window, or nothing new to add (a resume): no refusal
    assert not _failed(_page(_there(SDIST, days=13.9)))
    resumed = judge(_target(), _page(_there(WHEEL, sha="aa", days=30)), now=NOW)
    assert not resumed.failures
    assert resumed.resumed == (WHEEL,)
    # another version's age does not matter
    assert not _failed(_page(_there("pub_pkg-0.9.0.tar.gz", days=300)))


def test_a_name_there_with_other_bytes_and_a_second_sdist_refuse() -> None:
    found = judge(_target(), _page(_there(WHEEL, sha="cc")), now=NOW).failures
    assert [f.rule for f in found] == [OTHER_BYTES]
    assert "index sha256 cc, manifest sha256 aa" in found[0].message
    other_sdist = _there("pub-pkg-1.0.0.tar.gz", days=1)
    target = _target(Upload(SDIST, "sdist", 10, "aa"))
    assert "PyPI takes one sdist per release" in _failed(_page(other_sdist), target)[0]


def test_file_and_project_size_limits() -> None:
    big = Upload(WHEEL, "wheel", FILE_LIMIT + 1, "aa")
    found = _failed(None, _target(big))
    assert len(found) == 1
    assert "over PyPI's 100.0 MB limit per file" in found[0]
    assert "requesting-a-file-size-limit-increase" in found[0]
    # a file that big already on the index shows the limit was raised for this project
    raised = _there("pub_pkg-0.9.0-py3-none-any.whl", size=FILE_LIMIT + 5 * MIB, days=40)
    assert not _failed(_page(raised), _target(big))
    # the project's total: refused past 10 GB; a warning when the index already holds more
    held = _there("pub_pkg-0.9.0.tar.gz", size=10 * GIB - 5, days=40)
    total = _failed(_page(held))
    assert len(total) == 1
    assert total[0].startswith("project size: pub-pkg would hold 10.0 GB on pypi")
    over = judge(_target(), _page(_there("pub_pkg-0.9.0.tar.gz", size=11 * GIB)), now=NOW)
    assert not over.failures
    assert "its raised limit is not published" in over.warnings[0].message


def test_more_new_projects_than_an_hour_allows_warns() -> None:
    names = [f"pkg-{n}" for n in range(21)]
    report = judge(_target(), None, now=NOW, created=names)
    assert not report.failures
    assert "21 packages of this repository are new on pypi" in report.warnings[0].message
    assert not judge(_target(), None, now=NOW, created=names[:20]).findings


def test_pypis_own_rules_only_warn_on_other_indexes() -> None:
    big = Upload(WHEEL, "wheel", FILE_LIMIT + 1, "aa")
    page = _page(_there("pub_pkg-1.0.0.tar.gz", days=30), status="archived")
    report = judge(_target(big), page, now=NOW, pypi=False)
    # the status binds on any index; the size and the 14-day window are PyPI's
    assert [f.rule for f in report.failures] == ["project status"]
    assert [f.rule for f in report.warnings] == ["14-day window", "file size"]
    assert [f.rule for f in judge(_target(big), page, now=NOW).failures] == [
        "project status",
        "14-day window",
        "file size",
    ]
