"""git failures are reported by git's own reason, not by its last line of advice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conftest import Cli, MakeRepo, git
from tagship.adapters.process import Completed

if TYPE_CHECKING:
    from pathlib import Path


def _completed(stderr: str, stdout: str = "") -> Completed:
    return Completed(("git", "x"), 128, stdout, stderr)


def test_reason_is_the_fatal_or_error_line_else_the_last() -> None:
    advice = (
        "fatal: '/nowhere' does not appear to be a git repository\n"
        "fatal: Could not read from remote repository.\n\n"
        "Please make sure you have the correct access rights\n"
        "and the repository exists.\n"
    )
    assert _completed(advice).reason() == (
        "fatal: '/nowhere' does not appear to be a git repository"
    )
    assert _completed("hint: x\nerror: failed to push some refs\n").reason() == (
        "error: failed to push some refs"
    )
    assert _completed("warning: a\nsomething broke\n\n").reason() == "something broke"
    assert _completed("", stdout="only stdout\n").reason() == "only stdout"
    assert _completed("").reason() == ""


def test_ledger_verify_with_an_unreachable_origin_names_the_cause(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path
) -> None:
    repo = make_repo()
    missing = tmp_path / "no-such-origin"
    git(repo.path, "remote", "set-url", "origin", str(missing))
    result = cli("-C", str(repo.path), "ledger", "verify")
    assert result.code == 3, result.err
    assert f"fatal: '{missing}' does not appear to be a git repository" in result.err
    assert "the repository exists" not in result.err
    assert result.err.count("\n") == 1  # one line, no traceback
