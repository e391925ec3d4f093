"""The one polling helper and the duration checks every waiting command shares."""

from __future__ import annotations

import math
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tagship.cli import main
from tagship.core.durations import MAX_SECONDS, seconds
from tagship.core.errors import EXIT_SERVICE, IntegrityError, UsageError
from tagship.core.polling import Pending, PollTimeoutError, poll

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conftest import MakeRepo


class FakeTime:
    """A clock that only moves when slept on (or when a probe takes time), recording sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay


def _answers(
    *values: str | None, fake: FakeTime | None = None, cost: float = 0.0
) -> Callable[[], str | Pending]:
    """A probe giving `values` in turn (None: still pending), each taking `cost` seconds."""
    it: Iterator[str | None] = iter(values)

    def probe() -> str | Pending:
        if fake is not None:
            fake.now += cost
        value = next(it)
        return Pending("x.whl not shown yet") if value is None else value

    return probe


def test_the_first_ready_answer_is_returned_with_polls_and_seconds() -> None:
    fake = FakeTime()
    done = poll(
        _answers(None, None, "ready"),
        timeout=60,
        interval=5,
        sleep=fake.sleep,
        clock=fake.clock,
    )
    assert (done.value, done.polls, done.seconds) == ("ready", 3, 10.0)
    assert fake.slept == [5, 5]


def test_backoff_grows_the_sleeps_up_to_the_cap() -> None:
    fake = FakeTime()
    done = poll(
        _answers(*[None] * 6, "ready"),
        timeout=600,
        interval=1,
        backoff=2,
        max_interval=15,
        sleep=fake.sleep,
        clock=fake.clock,
    )
    assert done.polls == 7
    assert fake.slept == [1, 2, 4, 8, 15, 15]


def test_a_timeout_probes_once_more_at_the_deadline_and_never_sleeps_past_it() -> None:
    fake = FakeTime()
    with pytest.raises(PollTimeoutError) as info:
        poll(
            _answers(*[None] * 10),
            timeout=12,
            interval=5,
            option="--wait-timeout",
            sleep=fake.sleep,
            clock=fake.clock,
        )
    assert fake.slept == [5, 5, 2]  # the last sleep ends at the deadline, then one last look
    error = info.value
    assert error.exit_code == EXIT_SERVICE == 3
    assert error.message == "timed out after 12 s (4 polls): x.whl not shown yet"
    assert error.hint == "rerun later, or with a longer --wait-timeout (it was 12 s)"


def test_the_time_a_probe_takes_counts_against_the_timeout() -> None:
    fake = FakeTime()
    with pytest.raises(PollTimeoutError, match=r"\(2 polls\)"):
        poll(
            _answers(None, None, None, fake=fake, cost=4),
            timeout=10,
            interval=5,
            sleep=fake.sleep,
            clock=fake.clock,
        )
    assert fake.slept == [5]  # 4 s probe + 5 s sleep + 4 s probe: past the deadline


def test_a_zero_timeout_looks_exactly_once() -> None:
    fake = FakeTime()
    assert poll(_answers("ready"), timeout=0, interval=1, clock=fake.clock).polls == 1
    with pytest.raises(PollTimeoutError, match=r"after 0 s \(1 poll\)"):
        poll(_answers(None), timeout=0, interval=1, sleep=fake.sleep, clock=fake.clock)
    assert fake.slept == []


def test_the_probes_hint_comes_before_how_to_wait_longer() -> None:
    def probe() -> str | Pending:
        return Pending("1 file not yanked", hint="yank it at https://example.invalid/")

    with pytest.raises(PollTimeoutError) as info:
        poll(probe, timeout=0, interval=1)
    assert info.value.hint == (
        "yank it at https://example.invalid/; rerun later, or with a longer --timeout (it was 0 s)"
    )


def test_a_probes_own_error_ends_the_wait_as_it_is() -> None:
    def probe() -> str | Pending:
        raise IntegrityError("x.whl on the index has other bytes")

    with pytest.raises(IntegrityError, match="other bytes"):
        poll(probe, timeout=60, interval=1)


@pytest.mark.parametrize(
    ("timeout", "interval", "named"),
    [
        (math.nan, 1, "nan"),
        (math.inf, 1, "inf"),
        (-1, 1, "-1"),
        (60, 0, "0"),
        (60, math.nan, "nan"),
        (60, -0.5, "-0.5"),
        (MAX_SECONDS + 1, 1, "31536001"),
    ],
)
def test_a_library_caller_gets_the_same_checks(timeout: float, interval: float, named: str) -> None:
    probed: list[bool] = []

    def probe() -> str:
        probed.append(True)
        return "ready"

    with pytest.raises(UsageError, match=f"cannot wait: {named}"):
        poll(probe, timeout=timeout, interval=interval)
    assert probed == []


# -- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "positive", "value"),
    [("0", False, 0.0), ("0.2", True, 0.2), ("600", False, 600.0), ("1e3", True, 1000.0)],
)
def test_usable_durations(text: str, positive: bool, value: float) -> None:
    assert seconds(text, positive=positive) == value


@pytest.mark.parametrize(
    ("text", "positive"),
    [
        ("nan", False),
        ("NaN", True),
        ("inf", False),
        ("-inf", False),
        ("1e400", False),  # float() makes it inf
        ("-1", False),
        ("0", True),
        ("-0.0", True),
        ("", False),
        ("ten", False),
        ("31536000.5", False),
    ],
)
def test_unusable_durations_name_the_value_and_the_range(text: str, positive: bool) -> None:
    low = "> 0" if positive else ">= 0"
    with pytest.raises(ValueError, match="is not a number of seconds") as info:
        seconds(text, positive=positive)
    assert str(info.value) == f"{text!r} is not a number of seconds {low} and <= 31536000 (a year)"


# -- the command line: every waiting command refuses the same values the same way ------------

WAITING_COMMANDS = {
    "wait": ("wait", "--index", "testpypi"),
    "rollback yank": ("rollback", "yank", "1.0.0", "--reason", "broken"),
    "checks": ("checks", "--wait"),
    "wait-workflow": ("wait-workflow", "--tag", "v1.0.0"),
    "dry-run": ("dry-run",),  # `release` shares its flow options
}
TIMEOUT_OPTION = {"dry-run": "--wait-timeout"}
POLLING_AT_AN_INTERVAL = ("rollback yank", "checks", "wait-workflow")
BAD_TIMEOUTS = ("nan", "inf", "-1", "1e400", "soon")


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run the CLI in-process, expect argparse to refuse the line; return its one error line."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(list(args))
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    (error,) = captured.err.splitlines()  # one line, as every other error
    return error


@pytest.mark.parametrize("value", BAD_TIMEOUTS)
@pytest.mark.parametrize("command", list(WAITING_COMMANDS))
def test_a_bad_timeout_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], command: str, value: str
) -> None:
    option = TIMEOUT_OPTION.get(command, "--timeout")
    error = _refused(capsys, *WAITING_COMMANDS[command], f"{option}={value}")
    assert error == (
        f"tagship: error: tagship {command}: argument {option}: "
        f"{value!r} is not a number of seconds >= 0 and <= 31536000 (a year) "
        f"(hint: see tagship {command} --help)"
    )


@pytest.mark.parametrize("value", ["0", "-0", "nan", "inf", "-5"])
@pytest.mark.parametrize("command", POLLING_AT_AN_INTERVAL)
def test_a_bad_interval_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], command: str, value: str
) -> None:
    error = _refused(capsys, *WAITING_COMMANDS[command], f"--interval={value}")
    assert error == (
        f"tagship: error: tagship {command}: argument --interval: "
        f"{value!r} is not a number of seconds > 0 and <= 31536000 (a year) "
        f"(hint: see tagship {command} --help)"
    )


def test_a_bad_timeout_exits_2_from_a_real_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tagship", "wait", "--index", "testpypi", "--timeout", "nan"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    expected = (
        "tagship: error: tagship wait: argument --timeout: 'nan' is not a number of seconds "
        ">= 0 and <= 31536000 (a year) (hint: see tagship wait --help)"
    )
    assert done.stderr.splitlines() == [expected]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TAGSHIP_HTTP_TIMEOUT", "nan"),
        ("TAGSHIP_HTTP_TIMEOUT", "inf"),
        ("TAGSHIP_HTTP_TIMEOUT", "0"),
        ("TAGSHIP_HTTP_BACKOFF", "-1"),
        ("TAGSHIP_HTTP_BACKOFF", "nan"),
        ("TAGSHIP_HTTP_ATTEMPTS", "nan"),
    ],
)
def test_a_bad_http_setting_in_the_environment_is_a_config_error(
    make_repo: MakeRepo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
) -> None:
    repo = make_repo()
    monkeypatch.setenv(variable, value)
    capsys.readouterr()
    code = main(["-C", str(repo.path), "rollback", "yank", "0.4.22", "--reason", "broken"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"tagship: error: {variable}={value!r} is not a ")
    assert f"(hint: fix or unset {variable})" in err
