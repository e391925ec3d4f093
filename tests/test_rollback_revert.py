"""rollback revert: real merges on a real release branch, pushed to a bare origin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import git
from rollback_kit import merge, records, released_project, state

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    return released_project(make_repo)


def _no_revert_state(repo: Repo) -> None:
    git_dir = repo.path / ".git"
    assert not (git_dir / "REVERT_HEAD").exists()
    assert not (git_dir / "sequencer").exists()


def test_revert_a_merge_as_a_new_commit_and_push(repo: Repo, cli: Cli) -> None:
    first = merge(repo, "one", "one.py", "ONE = 1\n", 1)
    second = merge(repo, "two", "two.py", "TWO = 2\n", 2)
    repo.push()
    result = cli("-C", str(repo.path), "rollback", "revert", second[:10], "--push")
    assert result.code == 0, result.err
    assert f"reverted {second[:12]} on main" in result.out
    head = git(repo.path, "rev-parse", "HEAD")
    assert git(repo.path, "rev-parse", "HEAD~1") == second  # history kept, one new commit
    assert git(repo.path, "log", "-1", "--format=%s") == (
        'Revert "Merge pull request #2 from someone/two"'
    )
    assert f"This reverts commit {second}" in git(repo.path, "log", "-1", "--format=%b")
    assert not (repo.path / "two.py").exists()
    assert (repo.path / "one.py").exists()
    assert git(repo.origin, "rev-parse", "main") == head
    record = records(repo.path)[-1]
    assert record.event.kind == "rollback-revert"
    assert record.event.version == "1.3.0"  # the newest release on the branch by default
    assert record.event.commit == head
    assert record.event.details == {"branch": "main", "reverted": second, "pushed": "true"}
    assert first != second


def test_revert_several_merges_in_one_commit_without_push(repo: Repo, cli: Cli) -> None:
    first = merge(repo, "one", "one.py", "ONE = 1\n", 1)
    second = merge(repo, "two", "two.py", "TWO = 2\n", 2)
    result = cli("-C", str(repo.path), "rollback", "revert", first, second, "--release", "1.2.3")
    assert result.code == 0, result.err
    assert "not pushed" in result.out
    assert git(repo.path, "rev-parse", "HEAD~1") == second
    assert not (repo.path / "one.py").exists()
    assert not (repo.path / "two.py").exists()
    assert git(repo.origin, "rev-parse", "main") != git(repo.path, "rev-parse", "HEAD")
    record = records(repo.path)[-1]
    assert record.event.version == "1.2.3"
    assert record.event.details["reverted"] == f"{second} {first}"  # newest first


def test_a_commit_not_on_the_branch_changes_nothing(repo: Repo, cli: Cli) -> None:
    git(repo.path, "switch", "--quiet", "-c", "elsewhere")
    repo.write("else.py", "X = 1\n")
    other = repo.commit("elsewhere")
    git(repo.path, "switch", "--quiet", "main")
    before = state(repo.path)
    result = cli("-C", str(repo.path), "rollback", "revert", other)
    assert result.code == 2
    assert f"commit {other[:12]} ({other}) is not on main" in result.err
    assert state(repo.path) == before
    assert records(repo.path) == []


def test_a_conflicting_revert_leaves_the_tree_as_it_was(repo: Repo, cli: Cli) -> None:
    bad = merge(repo, "bad", "app.py", "VALUE = 2\n", 4)
    repo.write("app.py", "VALUE = 3\n")  # a later change to the same line
    repo.commit("tune VALUE")
    # reverted first (newest first) and cleanly: its staged inverse must be undone too
    safe = merge(repo, "safe", "safe.py", "SAFE = 1\n", 3)
    repo.write("untracked.txt", "mine\n")  # untracked files survive the abort
    before = state(repo.path)
    result = cli("-C", str(repo.path), "rollback", "revert", safe, bad)
    assert result.code == 1
    assert f"reverting {bad[:12]} conflicts with later changes on main" in result.err
    assert "nothing was changed" in result.err
    assert state(repo.path) == before
    assert (repo.path / "safe.py").exists()
    assert (repo.path / "untracked.txt").read_text() == "mine\n"
    _no_revert_state(repo)
    assert records(repo.path) == []


def test_revert_refuses_a_dirty_tree_and_other_branches(repo: Repo, cli: Cli) -> None:
    bad = merge(repo, "bad", "bad.py", "BAD = 1\n", 5)
    repo.write("app.py", "VALUE = 9\n")
    result = cli("-C", str(repo.path), "rollback", "revert", bad)
    assert result.code == 1
    assert "uncommitted changes (app.py)" in result.err
    git(repo.path, "checkout", "--quiet", "--", "app.py")
    git(repo.path, "switch", "--quiet", "-c", "feature")
    result = cli("-C", str(repo.path), "rollback", "revert", bad)
    assert result.code == 1
    assert "on branch feature; revert on the release branch main" in result.err
    assert records(repo.path) == []


def test_reverting_twice_changes_nothing_the_second_time(repo: Repo, cli: Cli) -> None:
    bad = merge(repo, "bad", "bad.py", "BAD = 1\n", 6)
    assert cli("-C", str(repo.path), "rollback", "revert", bad).code == 0
    before = state(repo.path)
    result = cli("-C", str(repo.path), "rollback", "revert", bad)
    assert result.code == 1
    assert "changes nothing; already reverted?" in result.err
    assert state(repo.path) == before
    _no_revert_state(repo)
    assert len(records(repo.path)) == 1


def test_a_rejected_push_keeps_the_local_commit_and_says_so(repo: Repo, cli: Cli) -> None:
    bad = merge(repo, "bad", "bad.py", "BAD = 1\n", 7)
    # origin moved on: the plain push is rejected, never forced
    git(repo.path, "push", "--quiet", "origin", f"{bad}:refs/heads/main")
    other = repo.path.parent / "other"
    git(repo.path.parent, "clone", "--quiet", str(repo.origin), str(other))
    (other / "x.py").write_text("X = 1\n")
    git(other, "add", "x.py")
    git(other, "commit", "--quiet", "-m", "x")
    git(other, "push", "--quiet", "origin", "main")
    result = cli("-C", str(repo.path), "rollback", "revert", bad, "--push")
    assert result.code == 3
    assert "pushing main to origin failed" in result.err
    assert "git pull --no-rebase" in result.err
    assert records(repo.path) == []
