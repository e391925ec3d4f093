"""Attacks on `tagship rehearse`'s promise that the user's repository is only read: hooks and
an fsmonitor in the user's repository that would write into its tree if git ran them there,
a linked worktree (`.git` a file), and url rewrites in the user's git config that would send
the copy's pushes to the user's real origin."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import git
from test_rehearse import _files, _state, scratch  # noqa: F401 - a fixture used by name

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo

pytestmark = pytest.mark.integration

HOOKS = ("post-checkout", "pre-commit", "post-commit", "reference-transaction", "pre-push")


def _script(path: Path, trace: Path, name: str) -> None:
    path.write_text(f"#!/bin/sh\necho {name} >> '{trace}'\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.mark.usefixtures("scratch")
def test_hooks_fsmonitor_and_url_rewrites_of_the_user_never_act(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(_files("hatchling", "0.1.0"))
    repo.tag("v0.1.0", push=True)
    trace = tmp_path / "ran.txt"  # outside every tree compared: what ran, in order
    hooks = repo.path / ".git" / "hooks"
    for name in HOOKS:
        _script(hooks / name, trace, name)
    monitor = tmp_path / "fsmonitor.sh"
    _script(monitor, trace, "fsmonitor")
    git(repo.path, "config", "core.fsmonitor", str(monitor))
    # the copy's origin lives under the scratch directory: these rules would send its
    # fetches and pushes to the user's real origin instead
    # a `=` in the copies' path: no `git -c url.PATH.insteadOf=PATH` can name it
    copies = str(Path(tempfile.gettempdir(), "with=sign"))
    Path(copies).mkdir()
    monkeypatch.setattr(tempfile, "tempdir", copies)
    git(repo.path, "config", "--global", f"url.{repo.origin}.pushInsteadOf", copies)
    git(repo.path, "config", "--global", f"url.{repo.origin}.insteadOf", copies)
    before = _state(repo)  # the test's own `git status` runs the fsmonitor: not counted
    trace.unlink(missing_ok=True)

    result = cli("-C", str(repo.path), "rehearse", "--bump", "patch")

    assert result.code == 0, result.out + result.err
    assert "[passed] your repository untouched" in result.out
    ran = trace.read_text().split() if trace.exists() else []
    assert ran == []  # no hook of the user's, nor its fsmonitor
    assert _state(repo) == before  # the real origin too: no tag, no commit reached it


@pytest.mark.usefixtures("scratch")
def test_a_linked_worktree_is_rehearsed(make_repo: MakeRepo, cli: Cli, tmp_path: Path) -> None:
    repo = make_repo(_files("hatchling", "0.1.0"))
    repo.tag("v0.1.0", push=True)
    linked = tmp_path / "linked"
    git(repo.path, "switch", "--quiet", "--create", "side")  # main is the linked worktree's
    git(repo.path, "worktree", "add", "--quiet", str(linked), "main")
    assert (linked / ".git").is_file()
    before = _state(repo)
    listing = sorted(linked.iterdir())

    result = cli("-C", str(linked), "rehearse", "--bump", "patch")

    assert result.code == 0, result.out + result.err
    assert "[passed] your repository untouched" in result.out
    assert _state(repo) == before
    assert sorted(linked.iterdir()) == listing
