"""rollback plan: the five options in order, filled in from the tags and the ledger."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from rollback_kit import merge, released_project
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import append_event
from tagship.core.ledger import Event, FileEntry

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo

WHEEL = FileEntry("sample_pkg-1.3.0-py3-none-any.whl", 10, "d" * 64)


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    repo = released_project(make_repo)
    # v1.3.1 ships one merged pull request
    merge(repo, "fix", "fix.py", "FIX = 1\n", 12)
    repo.tag("v1.3.1")
    return repo


def test_plan_lists_the_five_options_from_the_ledger(repo: Repo, cli: Cli) -> None:
    git = Git(repo.path)
    publish = Event("publish", "sample-pkg", "1.3.1", tag="v1.3.1", index="pypi", files=(WHEEL,))
    append_event(git, publish, {})
    moved = Event(
        "rollback-cloud-run",
        "sample-pkg",
        "1.3.0",
        details={
            "service": "projects/p/locations/europe-west1/services/api",
            "region": "europe-west1",
            "project": "p",
            "from": "api-00002=100%",
            "to": "api-00001=100%",
        },
    )
    append_event(git, moved, {})
    result = cli("-C", str(repo.path), "rollback", "plan", "1.3.1", "--format", "json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    assert [o["key"] for o in plan["options"]] == [
        "revert",
        "cloud-run",
        "patch",
        "yank",
        "migration",
    ]
    revert, cloud, patch, yank, migration = plan["options"]
    assert plan["published"] == {"pypi": [WHEEL.name]}
    assert revert["status"] == "available"
    assert "Merge pull request #12 from someone/fix" in revert["evidence"][0]
    assert revert["tagship"][0].startswith("tagship rollback revert ")
    assert "--service api --region europe-west1 --project p" in cloud["tagship"][0]
    assert cloud["evidence"] == ["#2 1.3.0: api-00002=100% -> api-00001=100%"]
    assert patch["tagship"] == ["tagship rollback patch 1.3.1", "tagship hotfix finish"]
    assert yank["tagship"] == ['tagship rollback yank 1.3.1 --reason "..." --index pypi']
    assert yank["human"][0] == (
        "yank it on pypi at https://pypi.org/manage/project/sample-pkg/release/1.3.1/"
    )
    assert migration["status"] == "no alembic.ini in the project"
    text = cli("-C", str(repo.path), "rollback", "plan", "1.3.1")
    assert text.code == 0
    assert "rollback plan for sample-pkg 1.3.1 (v1.3.1, tagged)" in text.out
    assert "\n1. Revert and redeploy [available]" in text.out
    assert "\n5. Apply a database mitigation migration" in text.out


def test_plan_for_an_unreleased_or_patched_version(repo: Repo, cli: Cli) -> None:
    result = cli("-C", str(repo.path), "rollback", "plan", "7.0.0")
    assert result.code == 2
    assert "sample-pkg 7.0.0 was never released here" in result.err
    result = cli("-C", str(repo.path), "rollback", "plan", "1.2.3", "--format", "json")
    plan = json.loads(result.out)
    assert plan["options"][3]["status"] == "no publish recorded"
    assert plan["options"][1]["status"] == "no Cloud Run traffic change recorded"
    assert cli("-C", str(repo.path), "hotfix", "start", "v1.2.3").code == 0
    result = cli("-C", str(repo.path), "rollback", "plan", "1.2.3", "--format", "json")
    assert json.loads(result.out)["options"][2]["status"] == "hotfix started on hotfix/1.2.4"
