"""`init` ends with what remains outside the repository, with this project's values: the
index's publisher form, the GitHub environments, the checks the release branch must require
and the release labels; in a repository of several packages one entry per package where
they differ, and `setup github` creates the GitHub part for all of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import github_payloads as gh
from conftest import git
from github_setup_standin import SettingsStandIn
from tagship.adapters.process import run
from tagship.flows.workspace_sample import create_workspace_sample
from test_package_workflows import CHECKS, INDEXES
from test_packages_flow import MEMBERS

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo

SECTIONS = (
    "What remains outside the repository:",
    (
        "# 1. Trusted publishers (on the index; a pending publisher while the project is not "
        "there yet)"
    ),
    "# 2. GitHub environments (https://github.com/CharmAIOS/Charm/settings/environments)",
    (
        "# 3. Checks required on main (a ruleset or branch protection) "
        "(https://github.com/CharmAIOS/Charm/settings/rules)"
    ),
    "# 4. Release labels (https://github.com/CharmAIOS/Charm/labels)",
)


def test_init_ends_with_the_outside_checklist(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo({"pyproject.toml": '[project]\nname = "charmos"\nversion = "0.4.22"\n'})
    result = cli("-C", str(repo.path), "init", "--owner", "CharmAIOS", "--repo", "Charm")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    checklist = lines[lines.index(SECTIONS[0]) :]
    assert [line for line in checklist if line in SECTIONS] == list(SECTIONS)
    for row in (
        "pypi\tcharmos\tCharmAIOS\tCharm\tpublish-pypi.yml\tpypi",
        "testpypi\tcharmos\tCharmAIOS\tCharm\tpublish-testpypi.yml\ttestpypi",
        (
            "  PyPI charmos: new project https://pypi.org/manage/account/publishing/, existing "
            "project https://pypi.org/manage/project/charmos/settings/publishing/"
        ),
        "pypi\trequired reviewers (maintainers approve each release)\tv*\t-",
        "testpypi\tnone needed (dry runs)\t-\tmain, hotfix/*",
        "release-label",
        "release:major\t#b60205\ttagship release label: a breaking change (major bump)",
    ):
        assert row in checklist
    assert checklist[-2].startswith("with a token of a repository admin, `tagship setup github`")
    assert checklist[-1] == "next: commit the files, then tagship doctor"  # every report's end


def test_the_checklist_follows_what_init_adopted(cli: Cli, make_repo: MakeRepo) -> None:
    """A project releasing from master with bare X.Y.Z tags: the environments say so."""
    repo = make_repo(
        {
            "pyproject.toml": '[project]\nname = "charmos"\nversion = "0.4.22"\n\n'
            '[tool.tagship]\nrelease-branch = "master"\ntag-format = "{version}"\n'
        }
    )
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0, result.err
    assert "pypi\trequired reviewers (maintainers approve each release)\t[0-9]*\t-\n" in result.out
    assert "testpypi\tnone needed (dry runs)\t-\tmaster, hotfix/*\n" in result.out
    assert "# 3. Checks required on master (a ruleset or branch protection)\n" in result.out
    # no GitHub repository known: the form says what to pass
    assert "pypi\tcharmos\t(unknown: pass --owner/--repo)" in result.out


@pytest.mark.integration
def test_several_packages_one_entry_each(
    tmp_path: Path, cli: Cli, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = create_workspace_sample(
        tmp_path / "ws", members=MEMBERS, indexes=INDEXES, checks=CHECKS, runner=run
    )
    git(made.work, "switch", "--quiet", "main")
    result = cli("-C", str(made.work), "init", "--owner", "CharmAIOS", "--repo", "Charm")
    assert result.code == 0, result.err
    (pypi,) = [row for row in result.out.splitlines() if row.startswith("pypi\trequired reviewers")]
    _, _, tags, branches = pypi.split("\t")
    assert (sorted(tags.split(", ")), branches) == (sorted(f"{m.name}-v*" for m in MEMBERS), "-")
    for name in ("ws-core", "ws-app", "ws-extra"):
        assert f"pypi\t{name}\tCharmAIOS\tCharm\tpublish-pypi.yml\tpypi\n" in result.out
        assert f"\nlint ({name})\n" in result.out

    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.FULL)
    settings = SettingsStandIn(httpserver)
    setup = cli("-C", str(made.work), "setup", "github")
    assert setup.code == 0, setup.err
    assert sorted(p["name"] for p in settings.policies["pypi"]) == sorted(
        f"{m.name}-v*" for m in MEMBERS
    )
    rule = settings.rulesets[0]["rules"][0]["parameters"]["required_status_checks"]
    required = {check["context"] for check in rule}
    assert {"lint (ws-core)", "tests (ws-app)", "release-label"} <= required
    doctor = cli("-C", str(made.work), "doctor")
    assert "github:" not in doctor.out, doctor.out
