"""An unexpected exception exits 70 with one line; its traceback is kept in a log file.

The crashes are real ones, found in inputs tagship does not anticipate: an `origin` URL
that Python's URL parser rejects, and a malformed GIT_CONFIG_COUNT in a GitHub Actions job.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Cli, MakeRepo, Repo, git
from tagship.adapters.secrets import scrub, secrets_in
from tagship.core.errors import EXIT_SERVICE, GateError, TagshipError

LINE = re.compile(
    r"tagship: internal error: ValueError: (?P<message>.*) "
    r"\(traceback written to (?P<path>\S+); please report it\)\n"
)


@pytest.fixture
def broken_origin(make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """A repository whose `origin` has a mistyped IPv6 host: urllib raises ValueError."""
    monkeypatch.setenv("TAGSHIP_CACHE_DIR", str(tmp_path / "cache"))
    repo = make_repo()
    git(repo.path, "remote", "set-url", "origin", "https://[::1/owner/repo.git")
    return repo


def test_internal_error_prints_one_line_and_logs_the_traceback(
    broken_origin: Repo, cli: Cli, tmp_path: Path
) -> None:
    result = cli("-C", str(broken_origin.path), "version")
    assert result.code == 70
    match = LINE.fullmatch(result.err)
    assert match is not None, result.err
    assert match["message"] == "Invalid IPv6 URL"
    log = Path(match["path"])
    assert log.parent == tmp_path / "cache" / "crashes"
    text = log.read_text(encoding="utf-8")
    assert f"command: tagship -C {broken_origin.path} version\n" in text
    assert "Traceback (most recent call last):" in text
    # every frame from the CLI down into the library that raised
    for frame in ("in _run", "in open_workspace", "in github_repo_from_url", "in urlsplit"):
        assert frame in text
    assert text.rstrip().endswith("ValueError: Invalid IPv6 URL")


def test_a_log_that_cannot_be_written_still_gives_the_error_line(
    broken_origin: Repo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    monkeypatch.setenv("TAGSHIP_CACHE_DIR", str(blocked))
    result = cli("-C", str(broken_origin.path), "version")
    assert result.code == 70
    assert result.err.startswith("tagship: internal error: ValueError: Invalid IPv6 URL ")
    assert "the traceback could not be written: " in result.err
    assert result.err.endswith("rerun with --debug; please report it)\n")
    assert result.err.count("\n") == 1


def test_debug_shows_the_traceback_instead(broken_origin: Repo, cli: Cli, tmp_path: Path) -> None:
    result = cli("--debug", "-C", str(broken_origin.path), "version")
    assert result.code == 70
    assert "Traceback (most recent call last):" in result.err
    last = result.err.splitlines()[-1]
    assert last == (
        "tagship: internal error: ValueError: Invalid IPv6 URL (traceback above; please report it)"
    )
    assert not (tmp_path / "cache" / "crashes").exists()


def test_github_actions_gets_the_traceback_in_a_group_without_secrets(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo()
    leaked = "ghs_0123456789abcdef"
    runner_temp = tmp_path / "runner-temp"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("RUNNER_TEMP", str(runner_temp))
    monkeypatch.setenv("GITHUB_TOKEN", leaked)
    # a token pasted into the wrong variable: int() puts it into the exception's message
    monkeypatch.setenv("GIT_CONFIG_COUNT", leaked)
    result = cli("-C", str(repo.path), "version")
    assert result.code == 70
    first, rest = result.err.split("\n", 1)
    match = LINE.fullmatch(first + "\n")
    assert match is not None, result.err
    assert match["message"] == "invalid literal for int() with base 10: '***'"
    log = Path(match["path"])
    assert log.parent == runner_temp
    text = log.read_text(encoding="utf-8")
    assert "in host_auth" in text
    assert leaked not in text
    assert leaked not in result.err
    # the group holds the log's text, with workflow commands stopped inside it
    group = re.fullmatch(
        r"::group::tagship traceback\n::stop-commands::(\w+)\n(.*)\n::\1::\n::endgroup::\n",
        rest,
        re.DOTALL,
    )
    assert group is not None, rest
    assert group[2] == text.rstrip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("push to https://x-access-token:abc@github.com/o/r failed", "https://***@github.com/o/r"),
        ("password hunter22 rejected", "password *** rejected"),
        ("flag 1 and 1", "flag 1 and 1"),  # short values are not secrets
    ],
)
def test_scrub(text: str, expected: str) -> None:
    env = {"TAGSHIP_INDEX_PYPI_PASSWORD": "hunter22", "SKIP_TOKEN_CHECK": "1"}
    assert expected in scrub(text, secrets_in(env))


def test_an_error_can_carry_its_own_exit_code() -> None:
    assert GateError("x").exit_code == 1
    assert GateError("x", exit_code=EXIT_SERVICE).exit_code == EXIT_SERVICE
    assert GateError("x").exit_code == 1  # the class default is untouched
    assert TagshipError("x").exit_code == 2
