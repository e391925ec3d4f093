"""Usage errors: one line, exit 2, with "did you mean" for a typo of a command, an option or
a choice, and no doubled "tagship: tagship:" prefix."""

from __future__ import annotations

import subprocess
import sys

import pytest

USAGE_ERRORS = [
    (["stauts"], "tagship: error: unknown command 'stauts' (hint: did you mean 'status'?)"),
    (
        ["frobnicate"],
        "tagship: error: unknown command 'frobnicate' (hint: see tagship --help for the commands)",
    ),
    (
        ["status", "--formt", "json"],
        "tagship: error: tagship status: unknown option '--formt' (hint: did you mean '--format'?)",
    ),
    (
        ["status", "--format=jsn"],
        (
            "tagship: error: tagship status: argument --format: invalid choice: 'jsn' (choose from "
            "'text', 'json') (hint: did you mean 'json'?)"
        ),
    ),
    (
        ["ledger", "shwo"],
        (
            "tagship: error: tagship ledger: argument ACTION: invalid choice: 'shwo' (choose from "
            "'show', 'verify') (hint: did you mean 'show'?)"
        ),
    ),
    (
        ["rollback", "yank", "1.0", "--reason", "x", "--no-wiat"],
        (
            "tagship: error: tagship rollback yank: unknown option '--no-wiat' (hint: did you mean "
            "'--no-wait'?)"
        ),
    ),
    (
        ["--projet", "x", "status"],
        "tagship: error: unknown option '--projet' (hint: did you mean '--project'?)",
    ),
    ([], "tagship: error: no command given (hint: see tagship --help for the commands)"),
]


@pytest.mark.parametrize(
    ("argv", "expected"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS]
)
def test_a_usage_error_is_one_line_with_a_hint(argv: list[str], expected: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tagship", *argv], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (2, "", expected + "\n")
