"""In GitHub Actions, failures and warnings are also annotations of the run, escaped as the
runner reads workflow commands and never showing a credential, and each command's outcome
reaches the job's step summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tagship.ci.github.annotations import annotation

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo

PYPROJECT = '[project]\nname = "annotated"\nversion = "1.0.0"\n'
SECRET = "s3cr%t:tok,en"  # noqa: S105 - every character the escaping changes


@pytest.fixture
def summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A forged GitHub Actions job with a step summary file, and a credential in play."""
    path = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    monkeypatch.setenv("TAGSHIP_INDEX_LOCAL_PASSWORD", SECRET)
    return path


def test_data_and_properties_are_escaped_as_the_runner_reads_them() -> None:
    assert (
        annotation("warning", "50% done\r\nnext: a, b") == "::warning::50%25 done%0D%0Anext: a, b"
    )
    assert annotation("error", "x", title="doctor: rule, 2", file="a,b.yml", line=3) == (
        "::error title=doctor%3A rule%2C 2,file=a%2Cb.yml,line=3::x"
    )
    assert annotation("notice", "100%", title="") == "::notice::100%25"


def test_a_failure_is_an_annotation_and_a_summary_without_the_secret(
    make_repo: MakeRepo, cli: Cli, summary: Path
) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    result = cli("-C", str(repo.path), "check-tag", f"v1.0.1-{SECRET}\nx")
    assert result.code == 2
    command, error = result.err.splitlines()
    assert command == (
        "::error title=tagship check-tag::tag 'v1.0.1-***\\nx' is not in the tag format "
        "'v{version}' (hint: release tags look like v1.2.3)"
    )
    assert error.startswith("tagship: error: tag 'v1.0.1-***\\nx' is not in the tag format")
    assert summary.read_text() == (
        "### tagship check-tag: failed (exit 2)\n\ntag 'v1.0.1-***\\nx' is not in the tag "
        "format 'v{version}'\n\n**Fix:** release tags look like v1.2.3\n\n"
    )
    assert "s3cr" not in result.out + result.err + summary.read_text()


def test_a_success_without_a_summary_of_its_own_gets_one(
    make_repo: MakeRepo, cli: Cli, summary: Path
) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    result = cli("-C", str(repo.path), "version")
    assert (result.code, result.out, result.err) == (0, "1.0.0\n", "")
    assert summary.read_text() == "### tagship version: ok\n\n"


def test_doctor_findings_annotate_their_workflow_lines(
    charmos: Repo, cli: Cli, summary: Path
) -> None:
    workflow = charmos.path / ".github" / "workflows" / "publish-pypi.yml"
    workflow.write_text("on: push\njobs: {}\n")
    result = cli("-C", str(charmos.path), "doctor")
    assert result.code == 1
    commands = [ln for ln in result.err.splitlines() if ln.startswith("::")]
    assert (
        "::error title=tagship doctor%3A publish-trigger,file=.github/workflows/publish-pypi.yml,"
        "line=1::publish-pypi.yml does not run on the push of a release tag"
    ) in "\n".join(commands)
    assert commands[-1].startswith("::error title=tagship doctor::doctor found ")
    assert commands[-1].endswith(" (hint: fix each finding listed above)")
    assert result.err.splitlines()[-1].startswith("tagship: error: doctor found ")
    assert "### tagship doctor: failed (exit 1)" in summary.read_text()


def test_outside_a_job_nothing_is_annotated(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({"pyproject.toml": PYPROJECT})
    result = cli("-C", str(repo.path), "check-tag", "v2.0.0")
    assert result.code == 1
    assert "::" not in result.err
