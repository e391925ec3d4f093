"""`tagship doctor` with a GitHub token: environments and branch protection, read from a local
server speaking GitHub's REST API; without a token those checks are skipped, and it says so."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import github_payloads as gh
import github_settings_payloads as ghs
from tagship.core.config import REQUIRED_CHECKS

if TYPE_CHECKING:
    import pytest
    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

REPO = f"/repos/{gh.FULL}"
ENVIRONMENTS = f"{REPO}/environments"
PROTECTION = f"{REPO}/branches/main/protection/required_status_checks"
RULES = f"{REPO}/rules/branches/main"  # read when protection falls short: no ruleset here
WHERE = f"github:{gh.FULL}"
SETTINGS = f"https://github.com/{gh.FULL}/settings"


def _serve(
    server: HTTPServer,
    environments: list[dict[str, Any]] | None = None,
    protection: dict[str, Any] | None = None,
) -> None:
    if environments is None:
        environments = [
            ghs.environment("pypi", 1, reviewers=True),
            ghs.environment("testpypi", 2),
        ]
    server.expect_request(ENVIRONMENTS).respond_with_json(ghs.environments(*environments))
    if protection is None:
        # the legacy `contexts` list and the newer `checks` list, as GitHub answers both
        protection = ghs.status_checks("main", ["lint", "tests"], list(REQUIRED_CHECKS))
    server.expect_request(PROTECTION).respond_with_json(protection)
    server.expect_request(RULES).respond_with_json([])


def _doctor(cli: Cli, repo: Repo) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    result = cli("-C", str(repo.path), "doctor", "--format", "json")
    report = json.loads(result.out)
    tools = {t["name"]: t for t in report["tools"]}
    return result.code, report["findings"], tools


def _only(findings: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(findings) == 1, findings
    finding = findings[0]
    assert isinstance(finding, dict)
    assert (finding["path"], finding["line"]) == (WHERE, 0)
    assert finding["fix"]
    return finding


def test_all_settings_in_place(cli: Cli, charmos: Repo, github: HTTPServer) -> None:
    _serve(github)
    code, findings, tools = _doctor(cli, charmos)
    assert findings == []
    assert code == 0
    assert tools["GitHub settings"] == {"name": "GitHub settings", "ran": True, "note": ""}
    sent = [req for req, _ in github.log if req.path in (ENVIRONMENTS, PROTECTION)]
    assert len(sent) == 2
    assert all(req.headers["Authorization"] == "token t0ken" for req in sent)


def test_missing_pypi_environment(cli: Cli, charmos: Repo, github: HTTPServer) -> None:
    _serve(github, environments=[ghs.environment("testpypi", 2)])
    code, findings, _ = _doctor(cli, charmos)
    assert code == 1
    finding = _only(findings)
    assert finding["rule"] == "github-environment-missing"
    assert finding["message"] == (
        "environment pypi does not exist, but the pypi publish job in publish-pypi.yml runs in it"
    )
    assert finding["fix"] == (
        f"create environment pypi at {SETTINGS}/environments/new with required reviewers"
    )


def test_pypi_environment_without_reviewers(cli: Cli, charmos: Repo, github: HTTPServer) -> None:
    # testpypi needs no reviewers (dry runs); pypi does
    _serve(github, environments=[ghs.environment("pypi", 1), ghs.environment("testpypi", 2)])
    code, findings, _ = _doctor(cli, charmos)
    assert code == 1
    finding = _only(findings)
    assert finding["rule"] == "github-environment-reviewers"
    assert "environment pypi has no required reviewers" in finding["message"]
    assert finding["fix"].startswith(f"at {SETTINGS}/environments open pypi")


def test_protection_missing_two_checks(cli: Cli, charmos: Repo, github: HTTPServer) -> None:
    kept = [c for c in REQUIRED_CHECKS if c not in ("docs-validation", "release-label")]
    _serve(github, protection=ghs.status_checks("main", kept, kept))
    result = cli("-C", str(charmos.path), "doctor")
    assert result.code == 1
    assert (
        f"{WHERE}:0: branch-protection-checks: branch protection on main does not require "
        "docs-validation, release-label\n"
    ) in result.out
    assert f"    fix: at {SETTINGS}/branches edit the rule for main" in result.out
    assert result.err == (
        "tagship: error: doctor found 1 problem (hint: fix each finding listed above)\n"
    )


def test_unprotected_branch_is_a_finding(cli: Cli, charmos: Repo, github: HTTPServer) -> None:
    github.expect_request(PROTECTION).respond_with_json(
        gh.error("Branch not protected", 404), status=404
    )
    _serve(github)  # registered after the 404: the first matching handler answers
    code, findings, _ = _doctor(cli, charmos)
    assert code == 1
    finding = _only(findings)
    assert finding["rule"] == "branch-protection-checks"
    assert finding["message"].startswith("branch main is not protected")
    assert "release-label" in finding["message"]
    assert finding["fix"].startswith(f"at {SETTINGS}/branches add a protection rule for main")


def test_unreadable_protection_names_the_permission(
    cli: Cli, charmos: Repo, github: HTTPServer
) -> None:
    """The workflow GITHUB_TOKEN may never read branch protection: a finding, the rest still
    checked (here: the missing pypi environment), exit 1 rather than 3."""
    github.expect_request(PROTECTION).respond_with_json(
        gh.error("Resource not accessible by integration", 403),
        status=403,
        headers={"X-Accepted-GitHub-Permissions": "administration=read"},
    )
    _serve(github, environments=[ghs.environment("testpypi", 2)])
    code, findings, _ = _doctor(cli, charmos)
    assert code == 1
    by_rule = {f["rule"]: f for f in findings}
    assert set(by_rule) == {"github-permission", "github-environment-missing"}
    denied = by_rule["github-permission"]
    assert denied["message"] == (
        "GitHub refused reading the branch protection of main (403: Resource not accessible "
        "by integration): the token lacks the administration=read permission"
    )
    assert "administration=read" in denied["fix"]


def test_rejected_token_is_a_service_error(cli: Cli, charmos: Repo, github: HTTPServer) -> None:
    github.expect_request(ENVIRONMENTS).respond_with_json(
        gh.error("Bad credentials", 401), status=401
    )
    result = cli("-C", str(charmos.path), "doctor")
    assert result.code == 3
    assert result.err.startswith(
        "tagship: error: GitHub rejected the token while listing environments (401: Bad "
        "credentials)"
    )
    assert result.err.count("\n") == 1


def test_without_a_token_the_checks_are_skipped(cli: Cli, charmos: Repo) -> None:
    result = cli("-C", str(charmos.path), "doctor")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-2].endswith(  # above the next step
        ", GitHub settings skipped (no GITHUB_TOKEN or GH_TOKEN)"
    )
    _, findings, tools = _doctor(cli, charmos)
    assert findings == []
    assert tools["GitHub settings"]["ran"] is False


def test_gh_token_is_enough(
    cli: Cli, charmos: Repo, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GH_TOKEN", "gh-t0ken")
    _serve(httpserver)
    code, findings, tools = _doctor(cli, charmos)
    assert (code, findings) == (0, [])
    assert tools["GitHub settings"]["ran"] is True
    assert all(req.headers["Authorization"] == "token gh-t0ken" for req, _ in httpserver.log)


def test_token_without_a_known_repository_is_skipped(
    cli: Cli, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no [tool.tagship.github], no GITHUB_REPOSITORY, an origin that is not on GitHub
    repo = make_repo({"pyproject.toml": '[project]\nname = "charmos"\nversion = "0.4.22"\n'})
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    code, _, tools = _doctor(cli, repo)
    assert code == 1  # the publish workflows are missing; the GitHub checks did not stop doctor
    assert tools["GitHub settings"] == {
        "name": "GitHub settings",
        "ran": False,
        "note": "cannot tell which GitHub repository this is",
    }
