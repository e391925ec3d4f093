"""`tagship doctor`: what stands in the release's way fails it; advice about the project's
other workflows is summarised per file and fails it only with --strict."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagship.ci.github.policy import Finding
from tagship.ci.github.workflow_model import parse_workflow
from tagship.steps.doctor_split import is_release_critical, per_file, release_paths, split

if TYPE_CHECKING:
    from conftest import Cli, Repo

RESOURCES = Path(__file__).parent / "resources"
WORKFLOWS = ".github/workflows"
# an older test workflow of the project's own, as many are: actions pinned by tag, a matrix,
# credentials kept in the checkout, the branch name expanded in a script
LEGACY_TESTS = """\
name: tests
on: [push, pull_request]
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        python: ["3.10", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
          cache: pip
      - run: pip install -e .[test]
      - run: pytest
      - run: echo "tested ${{ github.head_ref }}"
"""


def _with_legacy(repo: Repo) -> list[str]:
    """The project's own older workflows beside the ones init wrote: their paths."""
    workflows = repo.path / WORKFLOWS
    (workflows / "tests.yml").write_text(LEGACY_TESTS)
    shutil.copy(RESOURCES / "workflows/pull-request-target/pr.yml", workflows / "preview.yml")
    shutil.copy(RESOURCES / "workflows/head-ref-in-run/pr.yml", workflows / "branch.yml")
    return [f"{WORKFLOWS}/{name}" for name in ("branch.yml", "preview.yml", "tests.yml")]


def _doctor(cli: Cli, repo: Repo, *extra: str) -> tuple[int, dict[str, Any]]:
    result = cli("-C", str(repo.path), "doctor", "--format", "json", *extra)
    report = json.loads(result.out)
    assert isinstance(report, dict)
    return result.code, report


def test_other_workflows_are_advice_and_do_not_fail(cli: Cli, charmos: Repo) -> None:
    legacy = _with_legacy(charmos)
    code, report = _doctor(cli, charmos)
    assert code == 0
    assert report["ok"] is True
    assert report["findings"] == []
    assert {f["path"] for f in report["advice"]} == set(legacy)
    rules = {f["rule"] for f in report["advice"]}
    assert {"zizmor/unpinned-uses", "zizmor/template-injection"} <= rules
    summary = report["advice_per_file"]
    assert list(summary) == legacy
    for path, entry in summary.items():
        assert entry["count"] == sum(1 for f in report["advice"] if f["path"] == path)
        assert sum(entry["rules"].values()) == entry["count"]
    text = cli("-C", str(charmos.path), "doctor")
    assert text.code == 0
    advice = len(report["advice"])
    assert (
        f"advice about the project's other workflows: {advice} findings in 3 files, "
        "not blocking (--strict fails on them):"
    ) in text.out
    first = next(line for line in text.out.splitlines() if line.startswith("  .github/"))
    assert first.startswith("  .github/workflows/branch.yml: ")
    assert f"0 release-critical findings, {advice} advice" in text.out
    assert "    fix: " not in text.out  # summarised, not listed one by one


def test_strict_fails_on_advice_and_lists_each(cli: Cli, charmos: Repo) -> None:
    _with_legacy(charmos)
    code, report = _doctor(cli, charmos, "--strict")
    assert code == 1
    assert report["ok"] is False
    assert report["strict"] is True
    assert report["findings"] == []
    text = cli("-C", str(charmos.path), "doctor", "--strict")
    assert text.code == 1
    assert "failing with --strict:" in text.out
    assert ".github/workflows/tests.yml:" in text.out
    assert "    fix: " in text.out
    assert text.err.startswith(
        f"tagship: error: doctor found 0 problems and {len(report['advice'])} pieces of "
        "advice (--strict)"
    )


def test_a_finding_in_tagships_own_files_still_fails(cli: Cli, charmos: Repo) -> None:
    _with_legacy(charmos)
    publish = charmos.path / WORKFLOWS / "publish-pypi.yml"
    text = publish.read_text()
    first_pin = text.index("uses: actions/checkout@") + len("uses: actions/checkout@")
    publish.write_text(text[:first_pin] + "v5" + text[text.index("\n", first_pin) :])
    code, report = _doctor(cli, charmos)
    assert code == 1
    assert [(f["path"], f["rule"]) for f in report["findings"]] == [
        (f"{WORKFLOWS}/publish-pypi.yml", "zizmor/unpinned-uses")
    ]
    assert report["advice"]  # still apart


def test_a_second_armed_publisher_is_release_critical(cli: Cli, charmos: Repo) -> None:
    source = RESOURCES / "old-publishers" / "tag-push-twine.yml"
    shutil.copy(source, charmos.path / WORKFLOWS / "upload.yml")
    code, report = _doctor(cli, charmos)
    assert code == 1
    assert [(f["path"], f["rule"]) for f in report["findings"]] == [
        (f"{WORKFLOWS}/upload.yml", "second-publisher")
    ]
    # the rest about that file is advice: the fix is to switch the job off
    assert {f["path"] for f in report["advice"]} == {f"{WORKFLOWS}/upload.yml"}
    assert "pypi-secret" in {f["rule"] for f in report["advice"]}
    (armed,) = report["old_publishers"]
    assert armed["armed"] is True
    assert armed["triggers"] == ["push of tags v*"]
    assert armed["uploads"] == [{"step": 3, "tool": "twine upload", "index": "pypi"}]
    assert cli("-C", str(charmos.path), "init", "--disable-old-publishers").code == 0
    code, report = _doctor(cli, charmos)
    assert code == 0
    assert report["findings"] == []
    assert [p["armed"] for p in report["old_publishers"]] == [False]


def test_what_counts_as_release_critical() -> None:
    caller = parse_workflow(
        f"{WORKFLOWS}/publish-pypi.yml",
        "on: push\njobs:\n  call:\n    uses: ./.github/workflows/upload.yml\n",
    )
    callee = parse_workflow(f"{WORKFLOWS}/upload.yml", "on: workflow_call\njobs: {}\n")
    runs = parse_workflow(
        f"{WORKFLOWS}/gate.yml",
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: tagship check-tag v1\n",
    )
    other = parse_workflow(f"{WORKFLOWS}/docs.yml", "on: push\njobs: {}\n")
    release = release_paths([caller, callee, runs, other], ["publish-pypi.yml"])
    assert release == {
        f"{WORKFLOWS}/publish-pypi.yml",
        f"{WORKFLOWS}/upload.yml",  # called by a release file
        f"{WORKFLOWS}/gate.yml",  # runs tagship
    }

    def finding(path: str, rule: str = "zizmor/artipacked") -> Finding:
        return Finding(rule, path, 3, "why", "fix")

    assert is_release_critical(finding("github:o/r", "branch-protection-checks"), release)
    assert is_release_critical(finding(f"{WORKFLOWS}/docs.yml", "workflow-syntax"), release)
    assert is_release_critical(finding(f"{WORKFLOWS}/docs.yml", "second-publisher"), release)
    assert not is_release_critical(finding(f"{WORKFLOWS}/docs.yml"), release)
    critical, advice = split(
        [finding(f"{WORKFLOWS}/upload.yml"), finding(f"{WORKFLOWS}/docs.yml")] * 2, release
    )
    assert len(critical) == len(advice) == 2
    (summary,) = per_file([*advice, finding(f"{WORKFLOWS}/docs.yml", "zizmor/cache-poisoning")])
    assert summary.count == 3
    assert summary.rules == (("zizmor/artipacked", 2), ("zizmor/cache-poisoning", 1))
