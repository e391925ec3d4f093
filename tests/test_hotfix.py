"""hotfix start / finish and rollback patch on real repositories with a bare origin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import git
from rollback_kit import records, released_project, state
from tagship.steps.rollback.hotfix_finish import changelog_section, mentions

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    return released_project(make_repo)


def test_start_branches_from_the_tag_bumps_and_records(repo: Repo, cli: Cli) -> None:
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert result.code == 0, result.err
    assert "created hotfix/1.2.4 from v1.2.3" in result.out
    # v1.3.0 is a newer line, so the GitHub Release step will not mark v1.2.4 latest
    assert "v1.3.0 is a newer release line" in result.out
    assert git(repo.path, "branch", "--show-current") == "hotfix/1.2.4"
    assert 'version = "1.2.4"' in (repo.path / "pyproject.toml").read_text()
    assert not (repo.path / "feature.py").exists()  # the branch starts at the tag, not main
    assert git(repo.path, "log", "-1", "--format=%s") == "Bump version to 1.2.4"
    assert git(repo.path, "rev-parse", "HEAD~1") == git(repo.path, "rev-parse", "v1.2.3^{}")
    record = records(repo.path)[-1]
    assert (record.event.kind, record.event.version, record.event.tag) == (
        "hotfix",
        "1.2.4",
        "v1.2.4",
    )
    assert record.event.details["fixes"] == "v1.2.3"
    assert record.event.details["branch"] == "hotfix/1.2.4"
    assert record.event.commit == git(repo.path, "rev-parse", "HEAD")
    # the record reached origin with the ledger ref
    assert git(repo.origin, "rev-parse", "refs/tagship/ledger")


def test_rollback_patch_is_hotfix_start_on_the_version_tag(repo: Repo, cli: Cli) -> None:
    result = cli("-C", str(repo.path), "rollback", "patch", "1.2.3")
    assert result.code == 0, result.err
    assert git(repo.path, "branch", "--show-current") == "hotfix/1.2.4"
    assert records(repo.path)[-1].event.details["fixes"] == "v1.2.3"


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("v9.9.9", "tag v9.9.9 does not exist here"),
        ("1.2.3", "is not in the tag format"),
        ("vbad", "does not carry a valid PEP 440 version"),
    ],
)
def test_start_refuses_unknown_tags(repo: Repo, cli: Cli, tag: str, message: str) -> None:
    before = state(repo.path)
    result = cli("-C", str(repo.path), "hotfix", "start", tag)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1
    assert state(repo.path) == before
    assert not git(repo.path, "branch", "--list", "hotfix/*")


def test_start_refuses_a_pre_release(repo: Repo, cli: Cli) -> None:
    repo.tag("v1.4.0rc1")
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.4.0rc1")
    assert result.code == 2
    assert "not a final release" in result.err


@pytest.mark.parametrize("where", ["locally", "on origin"])
def test_start_refuses_an_existing_hotfix_branch(repo: Repo, cli: Cli, where: str) -> None:
    git(repo.path, "branch", "hotfix/1.2.4", "v1.2.3")
    if where == "on origin":
        repo.push("hotfix/1.2.4")
        git(repo.path, "branch", "-D", "hotfix/1.2.4")
    before = state(repo.path)
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert result.code == 1
    assert f"branch hotfix/1.2.4 already exists {where}" in result.err
    assert state(repo.path) == before
    assert records(repo.path) == []


def test_start_refuses_when_the_patch_tag_exists(repo: Repo, cli: Cli) -> None:
    git(repo.path, "tag", "v1.2.4", "v1.2.3")
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert result.code == 1
    assert "v1.2.4 already exists" in result.err


def test_a_failed_bump_leaves_no_branch(repo: Repo, cli: Cli) -> None:
    # the released pyproject is not what the tag says: the bump to 1.2.4 is not forward
    git(repo.path, "tag", "v1.1.9", "v1.2.3")
    before = state(repo.path)
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.1.9")
    assert result.code == 2
    assert "is not after the current version 1.2.3" in result.err
    assert state(repo.path) == before
    assert not git(repo.path, "branch", "--list", "hotfix/*")
    assert records(repo.path) == []


def _fix_on_hotfix(repo: Repo, cli: Cli) -> str:
    assert cli("-C", str(repo.path), "hotfix", "start", "v1.2.3").code == 0
    repo.write("app.py", "VALUE = 2  # fixed\n")
    return repo.commit("Fix the crash in VALUE")


def test_finish_fails_until_the_fix_is_on_main_and_in_the_notes(repo: Repo, cli: Cli) -> None:
    fix = _fix_on_hotfix(repo, cli)
    result = cli("-C", str(repo.path), "hotfix", "finish")
    assert result.code == 1
    assert "[FAIL] fix on main: not on main yet" in result.out
    assert "Fix the crash in VALUE" in result.out
    assert "[FAIL] notes name the fixed release: no release notes for v1.2.4" in result.out
    assert "hotfix hotfix/1.2.4 is not finished" in result.err
    # pick the fix into main with a conflict-free cherry-pick -x
    git(repo.path, "switch", "--quiet", "main")
    git(repo.path, "cherry-pick", "-x", fix)
    result = cli("-C", str(repo.path), "hotfix", "finish", "--branch", "hotfix/1.2.4")
    assert "[ok] fix on main: all 1 fix commit is on main" in result.out
    assert result.code == 1
    git(repo.path, "switch", "--quiet", "hotfix/1.2.4")
    repo.write("CHANGELOG.md", "# Changes\n\n## 1.2.4\n\n- Fix the crash of v1.2.3\n\n## 1.2.3\n")
    repo.commit("changelog")
    kinds = len(records(repo.path))
    result = cli("-C", str(repo.path), "hotfix", "finish")
    assert result.code == 0, result.out
    assert "the 1.2.4 section of CHANGELOG.md mention v1.2.3" in result.out
    finished = records(repo.path)
    assert len(finished) == kinds + 1
    assert finished[-1].event.details["action"] == "finish"


def test_finish_accepts_a_pick_in_either_direction_and_the_tag_message(
    repo: Repo, cli: Cli
) -> None:
    # the fix lands on main first and is picked into the hotfix branch with a conflict that
    # changes its patch id: the `cherry picked from` line still links them
    git(repo.path, "switch", "--quiet", "main")
    repo.write("app.py", "VALUE = 2  # fixed on main\n")
    on_main = repo.commit("Fix VALUE")
    assert cli("-C", str(repo.path), "hotfix", "start", "v1.2.3").code == 0
    repo.write("app.py", "VALUE = 2  # fixed on the hotfix line\n")
    git(repo.path, "add", "app.py")
    git(repo.path, "commit", "--quiet", "-m", f"Fix VALUE\n\n(cherry picked from commit {on_main})")
    git(repo.path, "tag", "-a", "v1.2.4", "-m", "v1.2.4: fixes the VALUE crash of 1.2.3")
    result = cli("-C", str(repo.path), "hotfix", "finish")
    assert result.code == 0, result.out
    assert "the message of tag v1.2.4 mention v1.2.3" in result.out


def test_finish_without_fix_commits(repo: Repo, cli: Cli) -> None:
    assert cli("-C", str(repo.path), "hotfix", "start", "v1.2.3").code == 0
    result = cli("-C", str(repo.path), "hotfix", "finish")
    assert result.code == 1
    assert "has no fix commits since v1.2.3 yet" in result.out


def test_finish_on_a_branch_that_is_no_hotfix(repo: Repo, cli: Cli) -> None:
    result = cli("-C", str(repo.path), "hotfix", "finish")
    assert result.code == 2
    assert "main is not a hotfix branch" in result.err


def test_mentions_ignore_generated_footers_and_longer_versions() -> None:
    footer = "## Fixes\n\n- something\n\n**Full changelog**: v1.2.3...v1.2.4\n"
    assert not mentions(footer, "v1.2.3", "1.2.3")
    assert not mentions("fixes 1.2.30 and 11.2.3", "v1.2.3", "1.2.3")
    assert mentions("Fixes the crash in 1.2.3.", "v1.2.3", "1.2.3")
    assert mentions("Hotfix for v1.2.3", "v1.2.3", "1.2.3")


def test_changelog_section_stops_at_the_next_heading() -> None:
    text = "# Log\n## 1.2.4\nfix for 1.2.3\n### Details\nmore\n## 1.2.3\nold\n"
    assert changelog_section(text, "1.2.4") == "fix for 1.2.3\n### Details\nmore"
    assert changelog_section(text, "1.2.5") is None


def _fix_picked_into_main(repo: Repo, cli: Cli) -> None:
    fix = _fix_on_hotfix(repo, cli)
    git(repo.path, "switch", "--quiet", "main")
    git(repo.path, "cherry-pick", "-x", fix)
    git(repo.path, "switch", "--quiet", "hotfix/1.2.4")


def test_notes_changelog_on_the_hotfix_branch_writes_the_section_finish_reads(
    repo: Repo, cli: Cli
) -> None:
    """The patch's section names the release it fixes, so `hotfix finish` passes."""
    _fix_picked_into_main(repo, cli)
    repo.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n## [1.2.3] - 2024-01-01\n")
    repo.commit("changelog")
    result = cli("-C", str(repo.path), "notes", "--local", "--changelog")
    assert result.code == 0, result.err
    assert "added the 1.2.4 section to CHANGELOG.md" in result.out
    text = (repo.path / "CHANGELOG.md").read_text()
    assert "## [Unreleased]\n\n## [1.2.4] - " in text
    assert "\n\nFixes v1.2.3.\n\n## [1.2.3] - 2024-01-01\n" in text
    repo.commit("notes of 1.2.4")
    finished = cli("-C", str(repo.path), "hotfix", "finish")
    assert finished.code == 0, finished.out
    assert "the 1.2.4 section of CHANGELOG.md mention v1.2.3" in finished.out


def test_finish_reads_an_rst_changelog(repo: Repo, cli: Cli) -> None:
    _fix_picked_into_main(repo, cli)
    rst = "Changes\n=======\n\n1.2.4\n-----\n\nFixes v1.2.3.\n\n1.2.3\n-----\n\nv1.2.2 fixed\n"
    repo.write("CHANGES.rst", rst)
    repo.commit("changelog")
    finished = cli("-C", str(repo.path), "hotfix", "finish")
    assert finished.code == 0, finished.out
    assert "the 1.2.4 section of CHANGES.rst mention v1.2.3" in finished.out
