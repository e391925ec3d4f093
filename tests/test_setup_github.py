"""`tagship setup github` against a stand-in speaking GitHub's REST API for repository
settings: it reads first, changes only what differs, says each change, and a second run has
nothing to do; `--dry-run` only reads; a token that may not administer changes nothing."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

import github_payloads as gh
from github_setup_standin import REPO, SettingsStandIn
from tagship.core.config import REQUIRED_CHECKS

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, Repo


@pytest.fixture
def settings(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> SettingsStandIn:
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.FULL)
    return SettingsStandIn(httpserver)


def _setup(cli: Cli, repo: Repo, *args: str) -> tuple[int, str, str]:
    result = cli("-C", str(repo.path), "setup", "github", *args)
    return result.code, result.out, result.err


def test_first_run_creates_everything_and_says_so(
    cli: Cli, charmos: Repo, settings: SettingsStandIn
) -> None:
    code, out, err = _setup(cli, charmos)
    assert (code, err) == (0, "")
    said = [line for line in out.splitlines() if line.endswith(": done")]
    assert said == [
        "create environment pypi: required reviewer maintainer, deployments only from tag v*: done",
        "allow tag v* to deploy to environment pypi: done",
        "create environment testpypi: deployments only from branch main, branch hotfix/*: done",
        "allow branch main to deploy to environment testpypi: done",
        "allow branch hotfix/* to deploy to environment testpypi: done",
        "create ruleset 'tagship: required checks': require "
        + ", ".join(REQUIRED_CHECKS)
        + " on main: done",
        "create label release:major (#b60205): done",
        "create label release:minor (#fbca04): done",
        "create label release:patch (#0e8a16): done",
        "create label release:skip (#cfd3d7): done",
    ]
    assert out.splitlines()[-2] == f"10 changes made on {gh.FULL}"
    assert out.splitlines()[-1].startswith("next: tagship doctor: ")
    # every write is one the output named
    assert len(settings.writes) == len(said)
    pypi = settings.environments["pypi"]
    (reviewers,) = [r for r in pypi["protection_rules"] if r["type"] == "required_reviewers"]
    assert [r["reviewer"]["id"] for r in reviewers["reviewers"]] == [7]  # GET /user's id
    assert settings.policies["pypi"] == [
        {
            "id": settings.policies["pypi"][0]["id"],
            "node_id": settings.policies["pypi"][0]["node_id"],
            "name": "v*",
            "type": "tag",
        }
    ]
    assert settings.environments["testpypi"]["protection_rules"][-1]["type"] == "branch_policy"
    (ruleset,) = settings.rulesets
    assert ruleset["conditions"] == {"ref_name": {"include": ["refs/heads/main"], "exclude": []}}
    rule = ruleset["rules"][0]
    assert rule["type"] == "required_status_checks"
    checks = [c["context"] for c in rule["parameters"]["required_status_checks"]]
    assert checks == list(REQUIRED_CHECKS)


def test_second_run_has_nothing_to_do(cli: Cli, charmos: Repo, settings: SettingsStandIn) -> None:
    assert _setup(cli, charmos)[0] == 0
    before = len(settings.writes)
    code, out, _ = _setup(cli, charmos)
    assert code == 0
    assert out.splitlines()[-2] == f"nothing to do: {gh.FULL} is set up as the release needs"
    assert len(settings.writes) == before


def test_dry_run_only_reads(cli: Cli, charmos: Repo, settings: SettingsStandIn) -> None:
    code, out, _ = _setup(cli, charmos, "--dry-run")
    assert code == 0
    assert "would create environment pypi: required reviewer maintainer" in out
    assert "would create label release:skip (#cfd3d7)" in out
    assert out.splitlines()[-2] == "10 changes planned; nothing changed (--dry-run)"
    assert out.splitlines()[-1] == "next: tagship setup github"
    assert {method for method, _, _ in settings.log} == {"GET"}


def test_dry_run_as_json(cli: Cli, charmos: Repo, settings: SettingsStandIn) -> None:
    code, out, _ = _setup(cli, charmos, "--dry-run", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["repository"] == gh.FULL
    assert report["made"] == 0
    first = report["changes"][0]
    assert (first["method"], first["path"]) == ("PUT", f"{REPO}/environments/pypi")
    assert first["body"]["reviewers"] == [{"type": "User", "id": 7}]
    publishers = report["checklist"]["publishers"]
    assert publishers[0]["pending_url"] == "https://pypi.org/manage/account/publishing/"
    assert (publishers[0]["project"], publishers[0]["workflow"]) == ("charmos", "publish-pypi.yml")
    assert settings.writes == []


def test_existing_label_of_another_colour_is_reported_not_changed(
    cli: Cli, charmos: Repo, settings: SettingsStandIn
) -> None:
    settings.add_label("release:major", "ff0000")
    code, out, _ = _setup(cli, charmos)
    assert code == 0
    assert (
        "note: label release:major exists with colour #ff0000 (tagship's is #b60205): left as it is"
    ) in out
    assert settings.labels["release:major"]["color"] == "ff0000"
    assert not any(body and body.get("name") == "release:major" for _, _, body in settings.log)


def test_existing_settings_are_kept(cli: Cli, charmos: Repo, settings: SettingsStandIn) -> None:
    """pypi with its own reviewer: not touched; checks already required by classic protection:
    no ruleset."""
    settings.add_environment("pypi", reviewer=("someone", 42), custom=True)
    settings.policies["pypi"] = [{"id": 1, "node_id": "DBP_1", "name": "v*", "type": "tag"}]
    settings.classic = list(REQUIRED_CHECKS)
    code, out, _ = _setup(cli, charmos, "--reviewer", "octocat")
    assert code == 0
    assert "environment pypi" not in out.replace("# 2. GitHub environments", "")
    assert settings.rulesets == []
    assert not any(path.startswith("/users/") for _, path, _ in settings.log)  # never needed
    assert [p for _, p, _ in settings.writes if "pypi" in p and "testpypi" not in p] == []


def test_a_missing_check_extends_tagships_own_ruleset(
    cli: Cli, charmos: Repo, settings: SettingsStandIn
) -> None:
    """Its other rules and settings are kept: a check is only ever added."""
    assert _setup(cli, charmos)[0] == 0
    (ruleset,) = settings.rulesets
    rule = ruleset["rules"][0]["parameters"]
    rule["required_status_checks"] = rule["required_status_checks"][:-1]  # release-label gone
    rule["strict_required_status_checks_policy"] = True  # the maintainers' own choice
    ruleset["rules"].append({"type": "deletion"})
    code, out, _ = _setup(cli, charmos)
    assert code == 0
    assert "update ruleset 'tagship: required checks': require release-label on main: done" in out
    (ruleset,) = settings.rulesets
    assert ruleset["rules"][0] == {"type": "deletion"}
    parameters = ruleset["rules"][1]["parameters"]
    assert parameters["strict_required_status_checks_policy"] is True
    checks = [c["context"] for c in parameters["required_status_checks"]]
    assert checks == list(REQUIRED_CHECKS)
    assert ruleset["conditions"]["ref_name"]["include"] == ["refs/heads/main"]
    assert _setup(cli, charmos)[1].splitlines()[-2].startswith("nothing to do")


def test_a_disabled_ruleset_of_tagship_is_left_disabled(
    cli: Cli, charmos: Repo, settings: SettingsStandIn
) -> None:
    assert _setup(cli, charmos)[0] == 0
    settings.rulesets[0]["enforcement"] = "disabled"
    before = len(settings.writes)
    code, out, _ = _setup(cli, charmos)
    assert code == 0
    assert "note: ruleset 'tagship: required checks' is disabled, so main does not require " in out
    assert len(settings.writes) == before


def test_team_reviewer(cli: Cli, charmos: Repo, settings: SettingsStandIn) -> None:
    code, out, _ = _setup(cli, charmos, "--reviewer", "CharmAIOS/maintainers")
    assert code == 0
    assert "create environment pypi: required reviewer CharmAIOS/maintainers" in out
    assert ("GET", "/orgs/CharmAIOS/teams/maintainers", None) in settings.log
    body = next(b for m, p, b in settings.log if m == "PUT" and p.endswith("/pypi"))
    assert body["reviewers"] == [{"type": "Team", "id": 900}]


def test_a_token_without_a_user_needs_a_reviewer(
    cli: Cli, charmos: Repo, settings: SettingsStandIn
) -> None:
    settings.user = None  # the workflow's GITHUB_TOKEN
    code, _, err = _setup(cli, charmos)
    assert code == 2
    assert err.startswith(
        "tagship: error: cannot tell who approves releases to the production index: GitHub "
        "does not show the token's user (GitHub refused reading the token's user (403: "
    )
    assert err.endswith("(hint: pass --reviewer LOGIN or --reviewer ORG/TEAM)\n")
    assert settings.writes == []
    assert _setup(cli, charmos, "--reviewer", "octocat")[0] == 0


def test_an_unknown_reviewer(cli: Cli, charmos: Repo, settings: SettingsStandIn) -> None:
    code, _, err = _setup(cli, charmos, "--reviewer", "nobody-here")
    assert code == 2
    assert err.startswith("tagship: error: --reviewer nobody-here: GitHub knows no such user")
    assert settings.writes == []


def test_token_without_admin_changes_nothing(
    cli: Cli, charmos: Repo, settings: SettingsStandIn
) -> None:
    settings.admin = False
    code, out, err = _setup(cli, charmos)
    assert code == 3
    assert err.count("\n") == 1
    assert err.startswith(
        f"tagship: error: the token may not administer {gh.FULL}: setting up environments and "
        "rulesets needs the administration: write permission"
    )
    assert settings.writes == []
    assert "done" not in out


def test_refused_write_says_what_was_done_before(
    cli: Cli, charmos: Repo, settings: SettingsStandIn
) -> None:
    """GitHub does not always say up front (a fine-grained token): the first refused write
    stops it, one line naming the permission and what was made before."""
    settings.says_admin = False
    settings.labels = {}
    settings.admin = False
    code, _, err = _setup(cli, charmos)
    assert code == 3
    assert err.count("\n") == 1
    assert "GitHub refused create environment pypi" in err
    assert "the token lacks the administration=write permission" in err
    assert "(made before it: nothing)" in err
    assert len(settings.writes) == 1


def test_a_refusal_midway_says_what_was_made(
    cli: Cli, charmos: Repo, settings: SettingsStandIn
) -> None:
    settings.no_issues_write = True
    code, out, err = _setup(cli, charmos)
    assert code == 3
    assert err.count("\n") == 1
    assert err.startswith(
        "tagship: error: GitHub refused create label release:major (#b60205) (403: Resource not "
        "accessible by personal access token): the token lacks the issues=write permission "
        "(made before it: create environment pypi: required reviewer maintainer, deployments "
        "only from tag v*; allow tag v* to deploy to environment pypi; "
    )
    # each change made was said as it was made
    assert out.count(": done\n") == 6
    assert settings.rulesets


def test_doctor_afterwards_finds_the_settings(
    cli: Cli, charmos: Repo, settings: SettingsStandIn
) -> None:
    assert _setup(cli, charmos)[0] == 0
    assert settings.rulesets
    result = cli("-C", str(charmos.path), "doctor", "--format", "json")
    report = json.loads(result.out)
    assert report["findings"] == []
    assert result.code == 0
    tools = {t["name"]: t for t in report["tools"]}
    assert tools["GitHub settings"]["ran"] is True


def test_without_a_token(cli: Cli, charmos: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    code, _, err = _setup(cli, charmos)
    assert code == 2
    assert err.startswith("tagship: error: tagship setup github needs a GitHub token")
