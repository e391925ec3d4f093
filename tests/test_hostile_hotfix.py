"""hotfix start under a repository's own failing git hooks: whatever fails after the branch is
made, the branch goes, HEAD and the tree are as they were, and a rerun can start again."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conftest import git
from rollback_kit import records, released_project, state

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    return released_project(make_repo)


def _hook(repo: Repo, name: str, body: str) -> None:
    hook = repo.path / ".git" / "hooks" / name
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(f"#!/bin/sh\n{body}\n")
    hook.chmod(0o755)


def _refs(repo: Repo) -> str:
    return git(repo.path, "for-each-ref", "--format=%(refname) %(objectname)")


def _assert_undone(repo: Repo, before: tuple[str, str, str], refs: str) -> None:
    assert state(repo.path) == before
    assert _refs(repo) == refs  # no branch, no ledger record, nothing else
    assert not git(repo.path, "branch", "--list", "hotfix/*")
    assert records(repo.path) == []
    assert git(repo.origin, "for-each-ref", "refs/heads/hotfix") == ""


def test_a_failing_post_checkout_hook_leaves_no_branch(repo: Repo, cli: Cli) -> None:
    _hook(repo, "post-checkout", 'echo "checkout refused by policy" >&2; exit 1')
    before, refs = state(repo.path), _refs(repo)
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert result.code == 3, result.err
    assert result.err.count("\n") == 1
    assert result.err.startswith("tagship: error: hotfix start undone (back on main, ")
    assert "hotfix/1.2.4 deleted" in result.err
    assert "git switch --quiet --create hotfix/1.2.4 v1.2.3 failed" in result.err
    assert "checkout refused by policy" in result.err
    _assert_undone(repo, before, refs)
    # the hook mended, a rerun starts the hotfix
    (repo.path / ".git" / "hooks" / "post-checkout").unlink()
    rerun = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert rerun.code == 0, rerun.err
    assert git(repo.path, "branch", "--show-current") == "hotfix/1.2.4"


def test_a_failure_after_the_bump_commit_leaves_no_branch(repo: Repo, cli: Cli) -> None:
    # the ledger's ref update is the last step: refused there, the bump commit is made
    _hook(
        repo,
        "reference-transaction",
        'if [ "$1" = prepared ] && grep -q refs/tagship/ledger; then exit 1; fi; exit 0',
    )
    before, refs = state(repo.path), _refs(repo)
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert result.code == 3, result.err
    assert result.err.count("\n") == 1
    assert "hotfix start undone (back on main, hotfix/1.2.4 deleted)" in result.err
    _assert_undone(repo, before, refs)


def test_undoing_from_a_detached_head_goes_back_to_it(repo: Repo, cli: Cli) -> None:
    git(repo.path, "switch", "--quiet", "--detach", "v1.3.0")
    _hook(repo, "post-checkout", "exit 1")
    before, refs = state(repo.path), _refs(repo)
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert result.code == 3, result.err
    assert f"back on {before[0][:12]}" in result.err
    _assert_undone(repo, before, refs)


def test_a_branch_that_was_not_made_here_is_never_deleted(repo: Repo, cli: Cli) -> None:
    # `git switch --create` fails before it makes the branch: a ref lock held by another git
    lock = repo.path / ".git" / "refs" / "heads" / "hotfix" / "1.2.4.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text("")
    before, refs = state(repo.path), _refs(repo)
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert result.code == 3, result.err
    assert "hotfix start undone (back on main, no branch was made)" in result.err
    assert lock.exists()
    _assert_undone(repo, before, refs)


def test_a_hook_refusing_every_ref_update_changes_nothing(repo: Repo, cli: Cli) -> None:
    _hook(repo, "reference-transaction", '[ "$1" = prepared ] && exit 1; exit 0')
    before, refs = state(repo.path), _refs(repo)
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert result.code == 3, result.err
    assert "hotfix start undone (back on main, no branch was made)" in result.err
    _assert_undone(repo, before, refs)


def test_a_hook_that_leaves_a_file_in_the_way_is_undone_too(repo: Repo, cli: Cli) -> None:
    # feature.py is main's, not v1.2.3's: untracked on the new branch, in the way back
    _hook(repo, "post-checkout", "echo 'from the hook' > feature.py; exit 1")
    before, refs = state(repo.path), _refs(repo)
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert result.code == 3, result.err
    assert "hotfix start undone (back on main, hotfix/1.2.4 deleted)" in result.err
    assert (repo.path / "feature.py").read_text() == "FEATURE = True\n"
    _assert_undone(repo, before, refs)


def test_an_undo_that_cannot_finish_says_what_to_do_by_hand(repo: Repo, cli: Cli) -> None:
    # the hook leaves git's index locked: nothing git does in this repository can succeed
    _hook(repo, "post-checkout", "touch .git/index.lock; exit 1")
    result = cli("-C", str(repo.path), "hotfix", "start", "v1.2.3")
    assert result.code == 3, result.err
    assert result.err.count("\n") == 1
    assert result.err.startswith(
        "tagship: error: hotfix start failed (git switch --quiet --create hotfix/1.2.4 v1.2.3 "
        "failed: exit 1) and undoing it failed too: git "
    )
    assert "index.lock" in result.err
    assert result.err.endswith(
        "(hint: put it back by hand: git switch main; git branch -D hotfix/1.2.4)\n"
    )
