"""How the CLI speaks: --color and NO_COLOR/FORCE_COLOR/TERM, coloured verdicts, piped tables
with their header, -q and -v."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from conftest import STATIC_PYPROJECT
from tagship.cli.style import color_wanted

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, MakeRepo, Repo

GREEN_PASSED = "\033[32mpassed\033[0m"
CHECKS = (
    '[tool.tagship]\nrequired-checks = ["lint", "tests"]\n'
    '[tool.tagship.checks]\nlint = "true"\ntests = "exit 3"\n'
)


@pytest.mark.parametrize(
    ("choice", "env", "tty", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),  # piped: no escape codes
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),  # empty: not set, as no-color.org says
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),  # NO_COLOR first
        ("auto", {"TERM": "dumb"}, True, False),
        ("auto", {"TERM": "dumb", "FORCE_COLOR": "1"}, False, True),
        ("always", {"NO_COLOR": "1", "TERM": "dumb"}, False, True),  # the flag wins
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_the_colour_rules_in_their_order(
    choice: str, env: dict[str, str], tty: bool, expected: bool
) -> None:
    assert color_wanted(choice, env, tty=tty) is expected


def _checks_repo(make_repo: MakeRepo) -> Repo:
    return make_repo({"pyproject.toml": STATIC_PYPROJECT + CHECKS})


def test_force_color_colours_the_verdicts_of_a_piped_table(
    make_repo: MakeRepo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _checks_repo(make_repo)
    plain = cli("-C", str(repo.path), "checks", "--local")
    assert plain.code == 1
    assert "\033[" not in plain.out + plain.err
    assert "lint\tpassed\ttrue" in plain.out
    monkeypatch.setenv("FORCE_COLOR", "1")
    forced = cli("-C", str(repo.path), "checks", "--local")
    assert f"lint\t{GREEN_PASSED}\ttrue" in forced.out
    assert "tests\t\033[31mfailed\033[0m\t" in forced.out
    assert "check\tstate\tdetail\turl" in forced.out  # column names are not coloured
    never = cli("-C", str(repo.path), "--color", "never", "checks", "--local")
    assert "\033[" not in never.out
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in cli("-C", str(repo.path), "checks", "--local").out
    # the flag wins over the environment, and may follow the command
    always = cli("-C", str(repo.path), "checks", "--local", "--color", "always")
    assert f"lint\t{GREEN_PASSED}\ttrue" in always.out


def test_piped_tables_carry_their_column_names(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    lines = cli("-C", str(repo.path), "status").out.splitlines()
    assert lines[:3] == ["# release status", "field\tvalue", "project\tsample-pkg"]


def _on_a_terminal(repo: Repo, env: dict[str, str]) -> str:
    """`tagship status` with stdout on a real pseudo-terminal; what it showed."""
    primary, replica = os.openpty()
    with os.fdopen(primary, "rb", buffering=0) as reader:
        done = subprocess.run(
            [sys.executable, "-m", "tagship", "-C", str(repo.path), "status"],
            stdout=replica,
            stderr=subprocess.PIPE,
            env={**os.environ, "COLUMNS": "120", **env},
            check=False,
        )
        os.close(replica)
        chunks = []
        while True:
            try:
                chunk = reader.read(4096)
            except OSError:  # the terminal closed: everything has been read
                break
            if not chunk:
                break
            chunks.append(chunk)
    assert done.returncode == 0, done.stderr
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_is_coloured_unless_no_color_or_a_dumb_term(make_repo: MakeRepo) -> None:
    repo = make_repo()
    assert "\033[" in _on_a_terminal(repo, {"TERM": "xterm"})
    assert "\033[" not in _on_a_terminal(repo, {"TERM": "xterm", "NO_COLOR": "1"})
    assert "\033[" not in _on_a_terminal(repo, {"TERM": "dumb"})


def test_quiet_drops_progress_and_keeps_the_result(make_repo: MakeRepo, cli: Cli) -> None:
    repo = _checks_repo(make_repo)
    loud = cli("-C", str(repo.path), "checks", "--local")
    assert "[1/2] lint: true" in loud.err
    quiet = cli("-C", str(repo.path), "-q", "checks", "--local")
    assert quiet.code == 1
    assert "lint\tpassed\ttrue" in quiet.out
    [error] = quiet.err.splitlines()  # the error, and no progress line
    assert error.startswith("tagship: error: required checks not passed for HEAD ")


def test_verbose_shows_the_processes_run(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    assert "tagship: debug:" not in cli("-C", str(repo.path), "status").err
    verbose = cli("-C", str(repo.path), "status", "-v")
    assert verbose.code == 0, verbose.err
    assert "tagship: debug: tagship.adapters.process: run git -C " in verbose.err
    assert "git exited 0 after " in verbose.err
    # the loggers are restored: the next command is quiet again
    assert "tagship: debug:" not in cli("-C", str(repo.path), "status").err


def test_quiet_and_verbose_together_is_a_usage_error(cli: Cli) -> None:
    with pytest.raises(SystemExit) as info:
        cli("-q", "-v", "status")
    assert info.value.code == 2


def test_quiet_drops_a_flow_s_step_lines_and_keeps_its_table(
    make_repo: MakeRepo, cli: Cli, httpserver: HTTPServer
) -> None:
    repo = _checks_repo(make_repo)
    httpserver.expect_request("/simple/sample-pkg/").respond_with_data("", status=404)
    index = [
        "--set",
        f"indexes.local.simple-url={httpserver.url_for('/simple/')}",
        "--set",
        f"indexes.local.upload-url={httpserver.url_for('/')}",
    ]
    tag = ("tag", "--dry-run", "--checks", "local", "--index", "local")
    loud = cli("-C", str(repo.path), *index, *tag)
    assert "[passed] tree clean: no uncommitted changes" in loud.out
    quiet = cli("-C", str(repo.path), *index, *tag, "--quiet")
    assert quiet.code == loud.code == 1
    assert "[passed]" not in quiet.out
    assert "tree clean\tpassed\tno uncommitted changes\t" in quiet.out
    assert quiet.out.startswith("# tagship tag: stopped\nstep\tstatus\tdetail\ttime\n")


def test_quiet_drops_notes_and_keeps_the_result(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    bumped = cli("-C", str(repo.path), "-q", "bump", "patch", "--dry-run")
    assert bumped.code == 0, bumped.err
    assert "0.4.22 -> 0.4.23" in bumped.out
    assert "note:" not in bumped.out
    assert "note: only local tags" in cli("-C", str(repo.path), "bump", "patch", "--dry-run").out
